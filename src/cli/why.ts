/** `ecs-pull why <task>`: a live diagnosis, and `ecs-pull replay <file>`: the same on saved facts. */
import type { Command } from 'commander';
import { parseTaskTarget, type TaskTarget } from '../aws/target.js';
import { environmentProfile, isExternalId, isRoleArn } from '../config.js';
import { parseEventText } from '../diagnosis/event.js';
import type { Report } from '../diagnosis/report.js';
import { isUserError, UserError } from '../errors.js';
import { renderJson } from '../render/json.js';
import { renderText } from '../render/text.js';
import { type CommandEnv, commandEnv, type GlobalOptions, readText, writeText } from './common.js';
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

/** --watch's settings (--watch-interval, --watch-for, else the configuration's), or undefined without --watch. */
export function watchSettings(
  opts: { watch?: boolean; watchInterval?: string; watchFor?: string; json?: boolean },
  env: CommandEnv,
): { intervalSeconds: number; forSeconds: number; json: boolean } | undefined {
  if (!opts.watch) return undefined;
  return {
    intervalSeconds: duration(
      opts.watchInterval,
      env.config.watch.intervalSeconds,
      's',
      1,
      600,
      '--watch-interval',
    ),
    forSeconds: duration(opts.watchFor, env.config.watch.maxMinutes * 60, 'm', 5, 240 * 60, '--watch-for'),
    json: !!opts.json,
  };
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

function print(io: Io, env: CommandEnv, report: Report, json: boolean | undefined): void {
  io.out(json ? renderJson(report, env.t, env.lang) : renderText(report, env.t, io.terminal?.()));
}

/** Registers `why` and `replay`; `setExit` ends `why --watch` with its code. */
export function registerWhy(program: Command, io: Io, setExit: (code: number) => void = () => {}): void {
  program
    .command('why')
    .description('Diagnose why an ECS task failed to pull its image')
    .argument('<task>', 'task ARN, the task’s ECS console URL, task/CLUSTER/ID, or a task id with --cluster')
    .option('--cluster <name>', 'cluster, for a bare task id or an old-format ARN')
    .option(
      '--region <region>',
      'region, when the task reference names none (default: AWS_REGION or the profile’s region)',
    )
    .option(
      '--account <id>',
      'account, when the task reference names none (default: that of your AWS credentials)',
    )
    .option('--profile <name>', 'AWS profile to take your credentials from (default: AWS_PROFILE)')
    .option('--role-arn <arn>', 'IAM role to assume in the task’s account (over the configuration)')
    .option('--external-id <id>', 'ExternalId for --role-arn')
    .option(
      '--event <file>',
      'EventBridge “ECS Task State Change” event to rebuild the task from when ECS no longer shows it',
    )
    .option('--service <name>', 'service to rebuild the task from when ECS no longer shows it')
    .option('--json', 'print the JSON report (schema 1)')
    .option(
      '--save-facts <file>',
      'write everything gathered to FILE (replay it with `ecs-pull replay FILE`)',
    )
    .option(
      '--watch',
      'after the report, run the failing checks again every interval until they pass (exit 0) or time runs out (exit 4)',
    )
    .option(
      '--watch-interval <time>',
      'time between re-checks: 60s, 2m (default: watch.intervalSeconds, 60s)',
    )
    .option('--watch-for <time>', 'longest watch: 30m, 90s (default: watch.maxMinutes, 30m)')
    .action(async (task: string, _o: WhyOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<WhyOptions>();
      const env = commandEnv(opts);
      const access = cliAccess(opts);
      const watch = watchSettings(opts, env);
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
        ? parseEventText(readText(opts.event, 'errors.event.unreadable'), opts.event, target.taskId)
        : undefined;
      // The AWS SDK takes about a second to load (EC2's client alone most of it): only once the input is valid.
      const [{ ClientPool }, { diagnose }, log_, diagnosisLog] = await Promise.all([
        import('../aws/clients.js'),
        import('../diagnosis/diagnose.js'),
        import('../log.js'),
        import('../observability/diagnosis-log.js'),
      ]);
      // The diagnosis' id: on every line it logs, and in the message of an internal error.
      const id = log_.correlationId();
      const started = performance.now();
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
      const pool = new ClientPool(env.config, { cli: { ...access, ownAccount: true } });
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
        onCheckError: (checkId: string, err: unknown) => log.error({ err, checkId }, 'check failed'),
      };
      try {
        result = await diagnose(request, deps);
      } catch (err) {
        const ms = performance.now() - started;
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
      diagnosisLog.logAwsErrors(log, report);
      log.info(
        diagnosisLog.diagnosisSummary(
          report,
          diagnosisLog.diagnosisOutcome(report),
          performance.now() - started,
        ),
        'diagnosis finished',
      );
      if (opts.saveFacts) writeText(opts.saveFacts, `${JSON.stringify(saved, null, 2)}\n`);
      // Watching with --json: one JSON object per line, the report first.
      if (watch?.json) io.out(`${JSON.stringify(JSON.parse(renderJson(report, env.t, env.lang)))}\n`);
      else print(io, env, report, opts.json);
      if (opts.saveFacts && !opts.json) io.err(`${env.t('report.savedFacts', { file: opts.saveFacts })}\n`);
      if (watch) {
        const [{ watchCli }, { recheck, watchedChecks }] = await Promise.all([
          import('./watch.js'),
          import('../diagnosis/watch.js'),
        ]);
        setExit(
          await watchCli(io, env, watch, {
            checks: watchedChecks(report),
            recheck: (checks) => recheck(request, checks, deps),
          }),
        );
      }
    });

  program
    .command('replay')
    .description('Run the checks and verdict on facts saved with --save-facts, without AWS')
    .argument('<file>', 'facts file')
    .option('--json', 'print the JSON report (schema 1)')
    .action(async (file: string, _o: WhyOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<WhyOptions>();
      const env = commandEnv(opts);
      const { evaluate, parseSavedFacts } = await import('../diagnosis/evaluate.js');
      const saved = parseSavedFacts(readText(file, 'errors.replay.unreadable'), file);
      const { identityCenterFor } = await import('../config.js');
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
      print(io, env, await evaluate(saved, { replayedFrom: file, identityCenter }), opts.json);
    });
}
