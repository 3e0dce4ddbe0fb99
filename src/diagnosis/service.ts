/**
 * A service diagnosis: incidents arrive as a service in trouble (a deployment stuck or rolled back, "unable to
 * consistently start tasks", an alarm on its running tasks), not as one task ARN. It reads the service and its
 * recently stopped tasks (facts/service-tasks.ts: DescribeServices, ListTasks pages, DescribeTasks in batches of
 * 100), groups the tasks by stop reason with the variable parts masked (as the alert storm does), and diagnoses the
 * most recent task of each group with the same engine as `why`. The groups' diagnoses share one call cache, so a
 * fact two groups need (the task definition, the subnets, the execution role) is asked of AWS once, and the tasks
 * and the service are already in it. When ECS shows no stopped task, the pre-flight runs on the service's current
 * task definition and network instead.
 */
import { ConsoleLinks } from '../aws/console-links.js';
import type { ServiceTarget } from '../aws/service-target.js';
import { parseTaskTarget } from '../aws/target.js';
import { isUserError } from '../errors.js';
import { instant } from '../i18n.js';
import type { Message } from './checks/types.js';
import { type DiagnoseDeps, diagnose } from './diagnose.js';
import { MemoryCallCache } from './facts/call-cache.js';
import { readService, type ServiceState } from './facts/service-tasks.js';
import type { CallRecord, TaskRecord } from './facts/types.js';
import { notAPullFailure } from './not-a-pull.js';
import { callStats } from './report.js';
import {
  type ServiceGroup,
  type ServicePreflight,
  type ServiceReport,
  shortTaskDefinition,
} from './service-report.js';
import { normalizeStopReason } from './stop-reason.js';

/** Groups diagnosed (each a diagnosis); the others are listed with their counts. */
export const MAX_DIAGNOSED_GROUPS = 5;

export interface ServiceDiagnosisRequest {
  target: ServiceTarget;
  /** Who asked: goes into the role session name. */
  requester: string;
}

/** Runs the pre-flight on the service's current task definition and network (diagnosis/preflight.ts). */
export type ServicePreflightRunner = (
  input: { target: ServiceTarget; service: ServiceState; requester: string },
  deps: DiagnoseDeps,
) => Promise<ServicePreflight>;

export interface ServiceDiagnosisDeps extends DiagnoseDeps {
  /** Absent: no pre-flight when the stopped tasks are gone (the report says so). */
  preflight?: ServicePreflightRunner | undefined;
  maxGroups?: number | undefined;
  maxTasks?: number | undefined;
}

/** A group of stopped tasks before its diagnosis. */
export interface StoppedGroup {
  key: string;
  stoppedReason: string;
  stopCode?: string | undefined;
  /** Most recent first. */
  tasks: TaskRecord[];
  first?: string | undefined;
  last?: string | undefined;
  failed: boolean;
}

/** What a task says it stopped for: its stop reason, else its first container's reason. */
function reasonOf(t: TaskRecord): string {
  const own = t.stoppedReason?.trim();
  if (own) return own;
  return t.containers?.map((c) => c.reason?.trim()).find((r) => !!r) ?? '';
}

/** Milliseconds of an instant as DescribeTasks (Date), an event (ISO) or a saved fact (epoch) gives it. */
function msOf(v: unknown): number | undefined {
  if (v instanceof Date) return v.getTime();
  return instant(v)?.getTime();
}

function stoppedMs(t: TaskRecord): number | undefined {
  const x = t as TaskRecord & { stoppingAt?: unknown; executionStoppedAt?: unknown };
  return msOf(x.stoppedAt) ?? msOf(x.executionStoppedAt) ?? msOf(x.stoppingAt) ?? msOf(x.createdAt);
}

/**
 * The stopped tasks in groups of one stop reason (masked: addresses, retry counts, ids), the group that matters
 * first: tasks that failed to pull or start before tasks that stopped for a reason ECS states (scaled in, exited),
 * then the most tasks, then the most recent.
 */
export function groupStoppedTasks(tasks: readonly TaskRecord[]): StoppedGroup[] {
  const groups = new Map<string, TaskRecord[]>();
  for (const t of tasks) {
    const reason = reasonOf(t);
    const key = normalizeStopReason(reason) || `code:${t.stopCode ?? ''}`;
    const list = groups.get(key);
    if (list) list.push(t);
    else groups.set(key, [t]);
  }
  const out: StoppedGroup[] = [];
  for (const [key, list] of groups) {
    const sorted = [...list].sort((a, b) => (stoppedMs(b) ?? 0) - (stoppedMs(a) ?? 0));
    const times = sorted.map(stoppedMs).filter((x): x is number => x !== undefined);
    const latest = sorted[0]!;
    out.push({
      key,
      stoppedReason: reasonOf(latest),
      stopCode: latest.stopCode,
      tasks: sorted,
      ...(times.length
        ? {
            first: new Date(Math.min(...times)).toISOString(),
            last: new Date(Math.max(...times)).toISOString(),
          }
        : {}),
      failed: notAPullFailure(latest) === undefined,
    });
  }
  const lastMs = (g: StoppedGroup) => (g.last ? Date.parse(g.last) : 0);
  return out.sort(
    (a, b) => Number(b.failed) - Number(a.failed) || b.tasks.length - a.tasks.length || lastMs(b) - lastMs(a),
  );
}

/**
 * The calls of a later stage (a group's diagnosis, the pre-flight), their rounds after the `after` rounds that came
 * before it. A round of that stage whose every call the shared cache answered (the task, already described in
 * its batch; the service) cost no round trip: the rounds are counted without it.
 */
function shifted(calls: readonly CallRecord[], after: number): CallRecord[] {
  const paid = [...new Set(calls.filter((c) => !c.cached).map((c) => c.round))].sort((a, b) => a - b);
  const depth = (round: number) => paid.filter((r) => r <= round).length;
  return calls.map((c) => ({ ...c, round: after + depth(c.round) }));
}

/**
 * Diagnoses a service. Throws UserError when the service itself cannot be read (missing, its cluster missing,
 * access denied, an account the request may not read); a group whose diagnosis fails keeps its counts and says why.
 */
export async function diagnoseService(
  req: ServiceDiagnosisRequest,
  deps: ServiceDiagnosisDeps,
): Promise<ServiceReport> {
  const started = performance.now();
  const { target } = req;
  const signals = [AbortSignal.timeout(deps.deadlineMs)];
  if (deps.signal) signals.push(deps.signal);
  const signal = AbortSignal.any(signals);
  // One cache for the whole answer: the groups' diagnoses share what they ask. A Re-run (fresh) starts from an
  // empty one, so that it reads AWS afresh and still asks each question once.
  const cache = deps.fresh || !deps.sharedCache ? new MemoryCallCache() : deps.sharedCache;
  const mayRead = deps.settings?.mayRead ?? (() => true);
  const read = await readService({
    pool: deps.pool,
    target,
    requester: req.requester,
    mayRead,
    cache,
    signal,
    maxTasks: deps.maxTasks,
  });
  const remaining = () => Math.max(1_000, Math.round(deps.deadlineMs - (performance.now() - started)));
  const inner: DiagnoseDeps = { ...deps, sharedCache: cache, fresh: false };
  const notes: Message[] = [];
  if (read.tasksError)
    notes.push({
      key: 'service:notes.tasks-unreadable',
      params: { action: read.tasksError.action ?? 'ecs:ListTasks', code: read.tasksError.code },
    });
  if (read.truncated) notes.push({ key: 'service:notes.truncated', params: { count: read.listed } });

  const stopped = groupStoppedTasks(read.tasks);
  const maxGroups = deps.maxGroups ?? MAX_DIAGNOSED_GROUPS;
  const groups: ServiceGroup[] = await Promise.all(
    stopped.map(async (g, i): Promise<ServiceGroup> => {
      const base = {
        stoppedReason: g.stoppedReason,
        ...(g.stopCode ? { stopCode: g.stopCode } : {}),
        count: g.tasks.length,
        taskArns: g.tasks.map((t) => t.taskArn),
        first: g.first,
        last: g.last,
        failed: g.failed,
      };
      if (i >= maxGroups)
        return { ...base, report: null, error: { key: 'service:group.not-diagnosed', params: {} } };
      try {
        const task = parseTaskTarget(g.tasks[0]!.taskArn, { cluster: target.cluster });
        const { report } = await diagnose(
          { target: task, requester: req.requester },
          { ...inner, deadlineMs: remaining() },
        );
        return { ...base, report };
      } catch (err) {
        if (!isUserError(err)) throw err;
        return { ...base, report: null, error: { key: err.key, params: { ...err.params } } };
      }
    }),
  );
  if (stopped.length > maxGroups)
    notes.push({ key: 'service:notes.not-diagnosed', params: { count: stopped.length - maxGroups } });

  let preflight: ServicePreflight | null = null;
  if (!read.tasks.length) {
    notes.push({ key: 'service:notes.no-stopped', params: {} });
    if (deps.preflight) {
      try {
        preflight = await deps.preflight(
          { target, service: read.service, requester: req.requester },
          { ...inner, deadlineMs: remaining() },
        );
        notes.push({
          key: 'service:notes.preflight-ran',
          params: { taskDefinition: shortTaskDefinition(read.service.taskDefinition) },
        });
      } catch (err) {
        if (!isUserError(err)) throw err;
        notes.push(
          { key: 'service:notes.preflight-failed', params: {} },
          { key: err.key, params: { ...err.params } },
        );
      }
    }
  }

  const calls = [
    ...read.calls,
    ...groups.flatMap((g) => (g.report ? shifted(g.report.aws.calls, read.rounds) : [])),
    ...(preflight ? shifted(preflight.aws.calls, read.rounds) : []),
  ];
  const wallMs = Math.round(performance.now() - started);
  const account = target.account ?? read.service.serviceArn?.split(':')[4] ?? '—';
  const pages = new ConsoleLinks(target.partition, target.region, account, (a) =>
    deps.pool.identityCenterFor(a),
  );
  return {
    schema: 1,
    kind: 'ecs-pull-service-report',
    generatedAt: new Date().toISOString(),
    target,
    service: {
      ...read.service,
      account,
      region: target.region,
      cluster: target.cluster,
      stoppedTasks: { listed: read.listed, described: read.tasks.length, truncated: read.truncated },
    },
    groups,
    preflight,
    notes,
    links: {
      service: pages.service(target.cluster, target.service),
      events: pages.serviceTab(target.cluster, target.service, 'events'),
      deployments: pages.serviceTab(target.cluster, target.service, 'deployments'),
    },
    aws: callStats(calls, wallMs, signal.aborted && !deps.signal?.aborted),
  };
}
