/**
 * Runs diagnoses for Slack: the channel's account permissions first (no AWS call for a refused account), then
 * diagnose() per task through the shared pool, errors turned into reply items: a user error becomes its localized
 * line, anything else an apology with a correlation id while the details go to the log.
 */

import type { Partition } from '../aws/partition.js';
import { parseServiceTarget, type ServiceTarget, serviceArnOf } from '../aws/service-target.js';
import { parseTaskTarget, type TaskTarget } from '../aws/target.js';
import type { Config } from '../config.js';
import type { Message } from '../diagnosis/checks/types.js';
import { diagnose } from '../diagnosis/diagnose.js';
import type { EventTask } from '../diagnosis/facts/types.js';
import type { Report } from '../diagnosis/report.js';
import { diagnoseService } from '../diagnosis/service.js';
import { servicePreflight } from '../diagnosis/service-preflight.js';
import type { ServiceReport } from '../diagnosis/service-report.js';
import { isUserError, type UserError } from '../errors.js';
import { diagnosisId, newScope, withCorrelation } from '../log.js';
import {
  awsErrorOfUserError,
  diagnosisOutcome,
  diagnosisSummary,
  logAwsErrors,
  logUserErrorAws,
} from '../observability/diagnosis-log.js';
import type { ReplyItem } from '../render/blocks.js';
import { mayDiagnose, refusalMessage } from './access.js';
import type { AlertTask } from './alert.js';
import type { SlackDeps, Surface } from './deps.js';
import type { ServiceAlert } from './service-alert.js';

/**
 * User errors Slack words its own way, with the parameters it shows: the common wording speaks of CLI flags, or
 * carries AWS's own message (which names the bot's role, its session and the request id: the log keeps it), or
 * lists every configured account (which a channel has no need to know).
 */
const slackWording: Record<string, { key: string; params: readonly string[]; ref?: true }> = {
  'errors.task.missing': { key: 'slack:errors.task-missing', params: ['id', 'cluster', 'region'] },
  'errors.task.denied': { key: 'slack:errors.task-denied', params: ['id', 'action', 'account'] },
  'errors.task.unreadable': {
    key: 'slack:errors.task-unreadable',
    params: ['id', 'code', 'account', 'region'],
    ref: true,
  },
  'errors.account.assume-failed': {
    key: 'slack:errors.assume-failed',
    params: ['account', 'code'],
    ref: true,
  },
  'errors.account.not-configured': { key: 'slack:errors.not-configured', params: ['account'] },
  'errors.target.needs-cluster': { key: 'slack:errors.bare-id', params: ['id'] },
  'errors.target.needs-region': { key: 'slack:errors.bare-id', params: ['id'] },
  'errors.target.old-format-needs-cluster': { key: 'slack:errors.old-format', params: ['id'] },
  // The pre-flight's words for the command line name its flags: in Slack, the command's own words.
  'errors.service.needs-region': { key: 'slack:errors.check-needs-region', params: ['service'] },
  'errors.service.old-format-needs-cluster': { key: 'slack:errors.check-old-format', params: ['service'] },
  'errors.service.other-account': { key: 'slack:errors.check-other-account', params: ['account', 'given'] },
  'errors.service.two-clusters': { key: 'slack:errors.check-two-clusters', params: ['cluster', 'given'] },
  'errors.check.unreadable': {
    key: 'slack:errors.check-unreadable',
    params: ['service', 'cluster', 'code'],
    ref: true,
  },
};

/**
 * The message to show in Slack for a user error; `ref` is the correlation id of the log lines that hold the
 * detail (named where the message sends people to the logs).
 */
export function userErrorMessage(err: UserError, ref = '—'): Message {
  const w = slackWording[err.key];
  if (!w) return { key: err.key, params: { ...err.params } };
  const params: Record<string, string | number> = {};
  for (const p of w.params) params[p] = err.params[p] ?? '—';
  if (w.ref) params.ref = ref;
  return { key: w.key, params };
}

/** A short reference to a task for messages: its id. */
export function taskRef(target: TaskTarget): string {
  return target.taskId;
}

/** A report without its per-call log: what is kept in state (the footer needs only the totals). */
export function slimReport(report: Report): Report {
  return { ...report, aws: { ...report.aws, calls: [] } };
}

/** A service report without its per-call logs: what is kept in state. */
export function slimServiceReport(report: ServiceReport): ServiceReport {
  return {
    ...report,
    groups: report.groups.map((g) => ({ ...g, report: g.report ? slimReport(g.report) : null })),
    preflight: report.preflight ? { ...report.preflight, aws: { ...report.preflight.aws, calls: [] } } : null,
    aws: { ...report.aws, calls: [] },
  };
}

export interface DiagnoseOptions {
  channel: string | undefined;
  requester: string;
  surface: Surface;
  /** Re-run: read AWS afresh instead of the shared answer cache. */
  fresh?: boolean;
  /**
   * A second scope whose rules must allow every account too: the workflow step answering in a channel may read only
   * what both slack.workflow.accounts and that channel allow (the channel is the workflow author's to name).
   */
  alsoScope?: string | undefined;
}

/** Whether a request of these options may read an account: the channel's rules, and those of `alsoScope`. */
export function mayRead(
  deps: Pick<SlackDeps, 'config' | 'pool'>,
  opts: Pick<DiagnoseOptions, 'channel' | 'alsoScope'>,
  account: string | undefined,
  partition: Partition,
): boolean {
  return (
    mayDiagnose(deps.config, deps.pool, opts.channel, account, partition) &&
    (opts.alsoScope === undefined || mayDiagnose(deps.config, deps.pool, opts.alsoScope, account, partition))
  );
}

/** The refusal for a task of an account this channel may not diagnose. */
export function refusal(config: Config, channel: string | undefined, target: TaskTarget): ReplyItem {
  return { kind: 'error', ref: taskRef(target), message: refusalMessage(config, channel, target.account) };
}

/** Diagnoses one task (already allowed) into a reply item; never throws. */
function one(deps: SlackDeps, task: AlertTask, opts: DiagnoseOptions): Promise<ReplyItem> {
  // The first diagnosis of a request shares the request's id: an apology for the request names it too.
  const scope = newScope(diagnosisId());
  scope.adopted = true;
  return withCorrelation(scope, () => diagnoseOne(deps, task, opts, scope.id));
}

async function diagnoseOne(
  deps: SlackDeps,
  task: AlertTask,
  opts: DiagnoseOptions,
  id: string,
): Promise<ReplyItem> {
  const started = deps.now();
  const seconds = () => (deps.now() - started) / 1000;
  const log = deps.log.child({
    correlationId: id,
    surface: opts.surface,
    account: task.target.account ?? null,
    region: task.target.region,
    task: task.target.taskArn ?? task.target.taskId,
  });
  log.debug({ fresh: !!opts.fresh }, 'diagnosis started');
  try {
    const { report } = await deps.limiter.run(() =>
      diagnose(
        { target: task.target, event: task.event, requester: opts.requester },
        {
          pool: deps.pool,
          deadlineMs: deps.config.aws.deadlineMs,
          settings: {
            probePublicRegistries: deps.config.registries.probePublic,
            probeTimeoutMs: deps.config.registries.probeTimeoutMs,
            changes: deps.config.changes,
            // Every account the diagnosis touches (registry, secret, KMS key) passes the channel's rules.
            mayRead: (account) => mayRead(deps, opts, account, task.target.partition),
          },
          sharedCache: deps.callCache,
          fresh: opts.fresh,
          onCheckError: (checkId, err) => log.error({ err, checkId }, 'check failed'),
        },
      ),
    );
    const outcome = diagnosisOutcome(report);
    deps.onDiagnosis?.(opts.surface, seconds(), report, outcome);
    logAwsErrors(log, report);
    log.info(diagnosisSummary(report, outcome, deps.now() - started), 'diagnosis finished');
    return { kind: 'report', report: slimReport(report), id };
  } catch (err) {
    if (isUserError(err)) {
      const aws = awsErrorOfUserError(err);
      deps.onDiagnosis?.(
        opts.surface,
        seconds(),
        undefined,
        'user_error',
        aws
          ? { api: aws.api, code: aws.code ?? (aws.kind === 'denied' ? 'AccessDenied' : 'Unknown') }
          : undefined,
      );
      logUserErrorAws(log, err);
      log.info(
        { ...diagnosisSummary(undefined, 'user_error', deps.now() - started), key: err.key },
        'diagnosis finished',
      );
      return { kind: 'error', ref: taskRef(task.target), message: userErrorMessage(err, id) };
    }
    deps.onDiagnosis?.(opts.surface, seconds(), undefined, 'internal_error');
    log.error(
      { ...diagnosisSummary(undefined, 'internal_error', deps.now() - started), err },
      'diagnosis finished',
    );
    return {
      kind: 'error',
      ref: taskRef(task.target),
      message: { key: 'slack:errors.internal', params: { id } },
    };
  }
}

/**
 * Diagnoses tasks for a channel, in order, concurrently within the limiter; refused accounts are never called. A
 * request people made passes the rate limits first (slack/rate-limit.ts): over one, it throws a RateLimitedError
 * (a UserError, told by the surface's guard) before any AWS call.
 */
export async function diagnoseTasks(
  deps: SlackDeps,
  tasks: AlertTask[],
  opts: DiagnoseOptions,
): Promise<ReplyItem[]> {
  const allowed = tasks.map((task) => mayRead(deps, opts, task.target.account, task.target.partition));
  await deps.rateLimits?.admit({
    surface: opts.surface,
    requester: opts.requester,
    channel: opts.channel,
    named: tasks,
    allowed: tasks.filter((_, i) => allowed[i]),
  });
  return Promise.all(
    tasks.map((task, i) =>
      allowed[i] ? one(deps, task, opts) : Promise.resolve(refusal(deps.config, opts.channel, task.target)),
    ),
  );
}

/** The refusal for a service in an account this channel may not diagnose. */
export function serviceRefusal(
  config: Config,
  channel: string | undefined,
  target: ServiceTarget,
): ReplyItem {
  return {
    kind: 'error',
    ref: target.service,
    subject: 'service',
    message: refusalMessage(config, channel, target.account),
  };
}

/**
 * Diagnoses a service for a channel into a reply item; never throws but for a rate limit (a RateLimitedError, told
 * by the surface's guard, before any AWS call). A refused account is never called.
 */
export async function diagnoseServiceItem(
  deps: SlackDeps,
  service: ServiceAlert | { target: ServiceTarget },
  opts: DiagnoseOptions,
): Promise<ReplyItem> {
  const { target } = service;
  const allowed = mayRead(deps, opts, target.account, target.partition);
  await deps.rateLimits?.admit({
    surface: opts.surface,
    requester: opts.requester,
    channel: opts.channel,
    named: [service],
    allowed: allowed ? [service] : [],
  });
  if (!allowed) return serviceRefusal(deps.config, opts.channel, target);
  const scope = newScope(diagnosisId());
  scope.adopted = true;
  return withCorrelation(scope, () => diagnoseServiceOne(deps, service, opts, scope.id));
}

async function diagnoseServiceOne(
  deps: SlackDeps,
  service: ServiceAlert | { target: ServiceTarget },
  opts: DiagnoseOptions,
  id: string,
): Promise<ReplyItem> {
  const { target } = service;
  const started = deps.now();
  const log = deps.log.child({
    correlationId: id,
    surface: opts.surface,
    account: target.account ?? null,
    region: target.region,
    service: serviceArnOf(target) ?? target.service,
  });
  const alert = 'kind' in service ? { kind: service.kind, alarm: service.alarm } : undefined;
  try {
    const report = await deps.limiter.run(() =>
      diagnoseService(
        { target, requester: opts.requester },
        {
          pool: deps.pool,
          deadlineMs: deps.config.aws.deadlineMs,
          settings: {
            probePublicRegistries: deps.config.registries.probePublic,
            probeTimeoutMs: deps.config.registries.probeTimeoutMs,
            mayRead: (account) => mayRead(deps, opts, account, target.partition),
          },
          sharedCache: deps.callCache,
          fresh: opts.fresh,
          preflight: servicePreflight,
          onCheckError: (checkId, err) => log.error({ err, checkId }, 'check failed'),
        },
      ),
    );
    for (const g of report.groups) {
      if (!g.report) continue;
      const outcome = diagnosisOutcome(g.report);
      deps.onDiagnosis?.(opts.surface, (deps.now() - started) / 1000, g.report, outcome);
      logAwsErrors(log, g.report);
    }
    log.info(
      {
        groups: report.groups.length,
        stoppedTasks: report.service.stoppedTasks.described,
        topCause: report.groups[0]?.report?.causes[0]?.id ?? null,
        preflight: report.preflight?.verdict.outcome ?? null,
        durationMs: Math.round(deps.now() - started),
        awsCalls: report.aws.callCount,
        rounds: report.aws.rounds,
      },
      'service diagnosis finished',
    );
    return { kind: 'service', report: slimServiceReport(report), id, ...(alert ? { alert } : {}) };
  } catch (err) {
    if (isUserError(err)) {
      logUserErrorAws(log, err);
      log.info({ key: err.key, durationMs: Math.round(deps.now() - started) }, 'service diagnosis finished');
      return { kind: 'error', ref: target.service, subject: 'service', message: userErrorMessage(err, id) };
    }
    log.error({ err, durationMs: Math.round(deps.now() - started) }, 'service diagnosis failed');
    return {
      kind: 'error',
      ref: target.service,
      subject: 'service',
      message: { key: 'slack:errors.internal', params: { id } },
    };
  }
}

/**
 * What a reply's state keeps to re-run a task: its ARN (and cluster, for old-format ARNs) and the event of a
 * configured alert source (people's messages never get this far with an event: see namedTasksOnly).
 */
export interface TaskRequest {
  arn: string;
  cluster: string;
  /** The ARN is a service's: Re-run diagnoses the service (with what its alert said). */
  service?: { alert?: { kind: ServiceAlert['kind']; alarm?: string | undefined } | undefined } | undefined;
  event?: EventTask | undefined;
  /** The event came from a configured alert source. A stored event without this mark is not used. */
  eventFromSource?: true;
}

export function toRequest(task: AlertTask): TaskRequest {
  return {
    arn: task.target.taskArn ?? task.target.taskId,
    cluster: task.target.cluster,
    ...(task.event ? { event: task.event, eventFromSource: true as const } : {}),
  };
}

/** Back from a stored request (or a bare ARN from a button) to a task; undefined when it no longer parses. */
export function fromRequest(req: {
  arn: string;
  cluster?: string;
  event?: EventTask;
  eventFromSource?: boolean;
  service?: unknown;
}): AlertTask | undefined {
  if (req.service) return undefined;
  try {
    return {
      target: parseTaskTarget(req.arn, req.cluster ? { cluster: req.cluster } : {}),
      // Fail closed: an event stored before events were marked may have been typed by a person.
      event: req.eventFromSource ? req.event : undefined,
    };
  } catch {
    return undefined;
  }
}

/** What a reply's state keeps to re-run a service: its ARN, and what the alert said. */
export function toServiceRequest(service: ServiceAlert | { target: ServiceTarget }): TaskRequest {
  const alert =
    'kind' in service
      ? { kind: service.kind, ...(service.alarm ? { alarm: service.alarm } : {}) }
      : undefined;
  return {
    arn: serviceArnOf(service.target) ?? service.target.service,
    cluster: service.target.cluster,
    service: alert ? { alert } : {},
  };
}

/** Back from a stored request (or a service ARN on a button) to a service; undefined when it is not one. */
export function serviceFromRequest(req: {
  arn: string;
  cluster?: string;
  service?: TaskRequest['service'];
}): ServiceAlert | { target: ServiceTarget } | undefined {
  if (!req.service && !/:service\//.test(req.arn)) return undefined;
  try {
    const target = parseServiceTarget(req.arn, req.cluster ? { cluster: req.cluster } : {});
    if (!target.account) return undefined;
    const alert = req.service?.alert;
    return alert ? { target, kind: alert.kind, alarm: alert.alarm } : { target };
  } catch {
    return undefined;
  }
}
