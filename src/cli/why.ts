/**
 * `ecs-pull why <task>`: a live diagnosis, and `ecs-pull replay <file>`: the same on saved facts. The input is
 * checked first (options, the task reference, the event file), then the configuration is loaded, and only then the
 * AWS SDK: its clients one by one, as the diagnosis needs them (src/aws/clients.ts).
 */
import { parseTaskTarget, type TaskTarget } from '../aws/target.js';
import { environmentProfile, isExternalId, isRoleArn } from '../config-base.js';
import type { Report } from '../diagnosis/report.js';
import { isUserError, UserError } from '../errors.js';
import {
  type CommandContext,
  type CommandEnv,
  commandEnv,
  type GlobalOptions,
  laterLog,
  readText,
  requestedLanguage,
  writeText,
} from './common.js';
import type { Io } from './io.js';

interface WhyOptions extends GlobalOptions {
  cluster?: string;
  region?: string;
  account?: string;
  profile?: string;
  roleArn?: string;
  externalId?: string;
  event?: string;
  service?: string;
  json?: boolean;
  saveFacts?: string;
  watch?: boolean;
  watchInterval?: string;
  watchFor?: string;
}

/**
 * A duration for --watch-interval and --watch-for: `90s`, `5m`, or a bare number in `unit`; in seconds, within
 * [min, max] seconds.
 */
function duration(
  raw: string | undefined,
  fallbackSeconds: number,
  unit: 's' | 'm',
  min: number,
  max: number,
  option: string,
): number {
  if (raw === undefined) return fallbackSeconds;
  const m = /^(\d{1,6})\s*([sm]?)$/.exec(raw.trim());
  const seconds = m ? Number(m[1]) * ((m[2] || unit) === 'm' ? 60 : 1) : Number.NaN;
  if (!(seconds >= min && seconds <= max))
    throw new UserError('errors.options.duration', {
      option,
      value: raw,
      min: `${min}s`,
      max: `${max / 60}m`,
    });
  return seconds;
}

/** --profile (else AWS_PROFILE), --role-arn and --external-id, validated. */
export function cliAccess(opts: { profile?: string; roleArn?: string; externalId?: string }): {
  profile: string | undefined;
  roleArn: string | undefined;
  externalId: string | undefined;
} {
  if (opts.roleArn !== undefined && !isRoleArn(opts.roleArn))
    throw new UserError('errors.options.role-arn', { value: opts.roleArn });
  if (opts.externalId !== undefined) {
    if (opts.roleArn === undefined) throw new UserError('errors.options.external-id-alone');
    if (!isExternalId(opts.externalId)) throw new UserError('errors.options.external-id', {});
  }
  return {
    profile: opts.profile || environmentProfile(),
    roleArn: opts.roleArn,
    externalId: opts.externalId,
  };
}

/** The account of a role ARN (validated by isRoleArn). */
function roleAccountOf(roleArn: string): string | undefined {
  return roleArn.split(':')[4];
}

/**
 * A task's or a service's reference read with the command's options (`why`, `service`): the account of --role-arn's
 * role when --account names none; the AWS SDK's region (AWS_REGION, the profile's region) when neither the
 * reference nor --region names one (`needsRegion`: the parser's error for that); refused when the reference names
 * another account than the role's.
 */
export async function readReference<T extends { account?: string | undefined }>(
  parse: (o: { cluster?: string; region?: string; account?: string; defaultRegion?: string }) => T,
  needsRegion: string,
  opts: { cluster?: string; region?: string; account?: string },
  access: { profile?: string | undefined; roleArn?: string | undefined },
): Promise<T> {
  const role = access.roleArn ? roleAccountOf(access.roleArn) : undefined;
  const targetOptions = { cluster: opts.cluster, region: opts.region, account: opts.account ?? role };
  let target: T;
  try {
    target = parse(targetOptions);
  } catch (err) {
    if (!isUserError(err) || err.key !== needsRegion) throw err;
    const { defaultRegion } = await import('../aws/clients.js');
    target = parse({ ...targetOptions, defaultRegion: await defaultRegion(access.profile) });
  }
  if (role && target.account !== role)
    throw new UserError('errors.options.role-elsewhere', {
      role: access.roleArn!,
      roleAccount: role,
      account: target.account ?? '?',
    });
  return target;
}

async function print(io: Io, env: CommandEnv, report: Report, json: boolean | undefined): Promise<void> {
  if (json) {
    const { renderJson } = await import('../render/json.js');
    io.out(renderJson(report, env.t, env.lang));
  } else {
    const { renderText } = await import('../render/text.js');
    io.out(renderText(report, env.t, io.terminal?.()));
  }
}

/**
 * --watch's settings (`why`, `service`): --watch-interval and --watch-for, else the configuration's watch.*;
 * undefined without --watch. Called once without the configuration (the options are checked with the rest of the
 * input, before the configuration is loaded) and once with it.
 */
export function watchSettings(
  opts: { watch?: boolean; watchInterval?: string; watchFor?: string; json?: boolean },
  config?: { watch: { intervalSeconds: number; maxMinutes: number } },
): { intervalSeconds: number; forSeconds: number; json: boolean } | undefined {
  if (!opts.watch) return undefined;
  return {
    intervalSeconds: duration(
      opts.watchInterval,
      config?.watch.intervalSeconds ?? 60,
      's',
      1,
      600,
      '--watch-interval',
    ),
    forSeconds: duration(
      opts.watchFor,
      (config?.watch.maxMinutes ?? 30) * 60,
      'm',
      5,
      240 * 60,
      '--watch-for',
    ),
    json: !!opts.json,
  };
}

/** Runs `why`; with --watch, then re-runs the failing checks (src/cli/watch.ts) and ends with its exit code. */
export async function why(task: string, opts: WhyOptions, ctx: CommandContext): Promise<void> {
  const { io } = ctx;
  // The input first: a mistake in it is said before the configuration, let alone the AWS SDK, is loaded.
  const asked = requestedLanguage(opts);
  if (asked) ctx.setLanguage(asked);
  const access = cliAccess(opts);
  watchSettings(opts);
  const target: TaskTarget = await readReference(
    (o) => parseTaskTarget(task, o),
    'errors.target.needs-region',
    opts,
    access,
  );
  const event = opts.event
    ? (await import('../diagnosis/event.js')).parseEventText(
        readText(opts.event, 'errors.event.unreadable'),
        opts.event,
        target.taskId,
      )
    : undefined;
  const env = await commandEnv(opts, ctx);
  const watch = watchSettings(opts, env.config);
  // Only the input and the configuration are known valid does the AWS SDK start loading, and then a client at a
  // time, as the diagnosis sends its first command of each service (src/aws/sdk.ts); the logger after the answer.
  const [{ ClientPool }, { diagnose }] = await Promise.all([
    import('../aws/clients.js'),
    import('../diagnosis/diagnose.js'),
  ]);
  // The diagnosis' id (on every line it logs, in the message of an internal error) and its logger, loaded after
  // the diagnosis; a check that fails internally before then is logged once it is.
  const later = await laterLog(env.config, () => ({
    account: target.account ?? null,
    region: target.region,
    task: target.taskArn ?? target.taskId,
  }));
  const started = performance.now();
  const pool = new ClientPool(env.config, { cli: { ...access, ownAccount: true } });
  // Once ecs:DescribeTasks is on its way, the clients of the next round load while AWS answers.
  const { preloadAfterRequest } = await import('../aws/sdk.js');
  preloadAfterRequest(['ec2', 'ecr', 'iam'], (request) =>
    String(request.getHeader('x-amz-target') ?? '').startsWith('AmazonEC2ContainerServiceV20141113.'),
  );
  let result: Awaited<ReturnType<typeof diagnose>>;
  const request = { target, event, service: opts.service, requester: `cli-${io.user()}` };
  const deps = {
    pool,
    deadlineMs: env.config.aws.deadlineMs,
    settings: {
      probePublicRegistries: env.config.registries.probePublic,
      probeTimeoutMs: env.config.registries.probeTimeoutMs,
      changes: env.config.changes,
    },
    onCheckError: later.checkError,
  };
  try {
    result = await diagnose(request, deps);
  } catch (err) {
    const ms = performance.now() - started;
    const { log, diagnosisLog } = await later.get();
    if (isUserError(err)) {
      diagnosisLog.logUserErrorAws(log, err);
      log.info(
        { ...diagnosisLog.diagnosisSummary(undefined, 'user_error', ms), key: err.key },
        'diagnosis finished',
      );
      throw err;
    }
    log.error(
      { ...diagnosisLog.diagnosisSummary(undefined, 'internal_error', ms), err },
      'diagnosis finished',
    );
    // The reference printed is the id of the lines above (exit code 1, as for any internal error).
    throw new UserError('errors.internal', { id: later.id }, 1);
  }
  const { report, saved } = result;
  const { log, diagnosisLog } = await later.get();
  diagnosisLog.logAwsErrors(log, report);
  log.info(
    diagnosisLog.diagnosisSummary(report, diagnosisLog.diagnosisOutcome(report), performance.now() - started),
    'diagnosis finished',
  );
  if (opts.saveFacts) writeText(opts.saveFacts, `${JSON.stringify(saved, null, 2)}\n`);
  // Watching with --json: one JSON object per line, the report first.
  if (watch?.json) {
    const { renderJson } = await import('../render/json.js');
    io.out(`${JSON.stringify(JSON.parse(renderJson(report, env.t, env.lang)))}\n`);
  } else await print(io, env, report, opts.json);
  if (opts.saveFacts && !opts.json) io.err(`${env.t('report.savedFacts', { file: opts.saveFacts })}\n`);
  if (watch) {
    const [{ watchCli }, { recheck, watchedChecks }] = await Promise.all([
      import('./watch.js'),
      import('../diagnosis/watch.js'),
    ]);
    ctx.setExit(
      await watchCli(io, env, watch, {
        checks: watchedChecks(report),
        recheck: (checks) => recheck(request, checks, deps),
      }),
    );
  }
}

/** Runs `replay`: a diagnosis' saved facts, or a pre-flight's (`ecs-pull check --save-facts`). */
export async function replay(file: string, opts: WhyOptions, ctx: CommandContext): Promise<void> {
  const { io } = ctx;
  const env = await commandEnv(opts, ctx);
  const { evaluate, parseSavedFacts } = await import('../diagnosis/evaluate.js');
  const saved = parseSavedFacts(readText(file, 'errors.replay.unreadable'), file);
  const { identityCenterFor } = await import('../config-base.js');
  const identityCenter = (account: string) => identityCenterFor(env.config, account);
  if (saved.inputs.preflight) {
    // Facts saved by `ecs-pull check`: the pre-flight's report, not a diagnosis.
    const [{ evaluatePreflight }, render] = await Promise.all([
      import('../diagnosis/check-report.js'),
      import('../render/check-text.js'),
    ]);
    const report = await evaluatePreflight(saved, { replayedFrom: file, identityCenter });
    io.out(
      opts.json
        ? render.renderCheckJson(report, env.t, env.lang)
        : render.renderCheckText(report, env.t, io.terminal?.()),
    );
    return;
  }
  await print(io, env, await evaluate(saved, { replayedFrom: file, identityCenter }), opts.json);
}
