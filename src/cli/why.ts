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

async function print(io: Io, env: CommandEnv, report: Report, json: boolean | undefined): Promise<void> {
  if (json) {
    const { renderJson } = await import('../render/json.js');
    io.out(renderJson(report, env.t, env.lang));
  } else {
    const { renderText } = await import('../render/text.js');
    io.out(renderText(report, env.t, io.terminal?.()));
  }
}

/** Runs `why`. */
export async function why(task: string, opts: WhyOptions, ctx: CommandContext): Promise<void> {
  const { io } = ctx;
  // The input first: a mistake in it is said before the configuration, let alone the AWS SDK, is loaded.
  const asked = requestedLanguage(opts);
  if (asked) ctx.setLanguage(asked);
  const access = cliAccess(opts);
  const role = access.roleArn ? roleAccountOf(access.roleArn) : undefined;
  const targetOptions = { cluster: opts.cluster, region: opts.region, account: opts.account ?? role };
  let target: TaskTarget;
  try {
    target = parseTaskTarget(task, targetOptions);
  } catch (err) {
    // No region in the reference nor --region: the SDK's own (AWS_REGION, the profile's region).
    if (!isUserError(err) || err.key !== 'errors.target.needs-region') throw err;
    const { defaultRegion } = await import('../aws/clients.js');
    target = parseTaskTarget(task, {
      ...targetOptions,
      defaultRegion: await defaultRegion(access.profile),
    });
  }
  if (role && target.account !== role)
    throw new UserError('errors.options.role-elsewhere', {
      role: access.roleArn!,
      roleAccount: role,
      account: target.account ?? '?',
    });
  const event = opts.event
    ? (await import('../diagnosis/event.js')).parseEventText(
        readText(opts.event, 'errors.event.unreadable'),
        opts.event,
        target.taskId,
      )
    : undefined;
  const env = await commandEnv(opts, ctx);
  // Only the input and the configuration are known valid does the AWS SDK start loading, and then a client at a
  // time, as the diagnosis sends its first command of each service (src/aws/sdk.ts); the logger after the answer.
  const [{ ClientPool }, { diagnose }] = await Promise.all([
    import('../aws/clients.js'),
    import('../diagnosis/diagnose.js'),
  ]);
  // The diagnosis' id (what log.correlationId() gives): on every line it logs, in the message of an internal error.
  // node:crypto is loaded here, not with this module: a refused input or configuration does not need it.
  const id = (await import('node:crypto')).randomUUID().slice(0, 8);
  const started = performance.now();
  const logger = async () => {
    const [log_, diagnosisLog] = await Promise.all([
      import('../log.js'),
      import('../observability/diagnosis-log.js'),
    ]);
    const log = log_
      .createLogger(
        // The report on stdout already names every AWS error: at the default level (info) stderr stays quiet
        // but for internal errors; LOG_LEVEL=warn adds the AWS errors, debug everything.
        env.config.log.level === 'info' ? 'error' : env.config.log.level,
        process.stderr,
        {},
        { secrets: log_.secretsOf(env.config) },
      )
      .child({
        correlationId: id,
        surface: 'cli',
        account: target.account ?? null,
        region: target.region,
        task: target.taskArn ?? target.taskId,
      });
    return { log, diagnosisLog };
  };
  /** Checks that failed internally, logged once the diagnosis is over. */
  const checkErrors: Array<{ checkId: string; err: unknown }> = [];
  const pool = new ClientPool(env.config, { cli: { ...access, ownAccount: true } });
  // Once ecs:DescribeTasks is on its way, the clients of the next round load while AWS answers.
  const { preloadAfterRequest } = await import('../aws/sdk.js');
  preloadAfterRequest(['ec2', 'ecr', 'iam'], (request) =>
    String(request.getHeader('x-amz-target') ?? '').startsWith('AmazonEC2ContainerServiceV20141113.'),
  );
  let result: Awaited<ReturnType<typeof diagnose>>;
  try {
    result = await diagnose(
      { target, event, service: opts.service, requester: `cli-${io.user()}` },
      {
        pool,
        deadlineMs: env.config.aws.deadlineMs,
        settings: {
          probePublicRegistries: env.config.registries.probePublic,
          probeTimeoutMs: env.config.registries.probeTimeoutMs,
        },
        onCheckError: (checkId, err) => checkErrors.push({ checkId, err }),
      },
    );
  } catch (err) {
    const ms = performance.now() - started;
    const { log, diagnosisLog } = await logger();
    for (const e of checkErrors) log.error(e, 'check failed');
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
    throw new UserError('errors.internal', { id }, 1);
  }
  const { report, saved } = result;
  const { log, diagnosisLog } = await logger();
  for (const e of checkErrors) log.error(e, 'check failed');
  diagnosisLog.logAwsErrors(log, report);
  log.info(
    diagnosisLog.diagnosisSummary(report, diagnosisLog.diagnosisOutcome(report), performance.now() - started),
    'diagnosis finished',
  );
  if (opts.saveFacts) writeText(opts.saveFacts, `${JSON.stringify(saved, null, 2)}\n`);
  await print(io, env, report, opts.json);
  if (opts.saveFacts && !opts.json) io.err(`${env.t('report.savedFacts', { file: opts.saveFacts })}\n`);
}

/** Runs `replay`. */
export async function replay(file: string, opts: WhyOptions, ctx: CommandContext): Promise<void> {
  const env = await commandEnv(opts, ctx);
  const { evaluate, parseSavedFacts } = await import('../diagnosis/evaluate.js');
  const saved = parseSavedFacts(readText(file, 'errors.replay.unreadable'), file);
  const { identityCenterFor } = await import('../config-base.js');
  const identityCenter = (account: string) => identityCenterFor(env.config, account);
  await print(ctx.io, env, await evaluate(saved, { replayedFrom: file, identityCenter }), opts.json);
}
