/**
 * What a service diagnosis reads before it diagnoses any task: the service (DescribeServices: events, deployments
 * and their rollout state, the deployment circuit breaker, the network) and its recently stopped tasks (ListTasks
 * with desiredStatus STOPPED, page by page, each page described as soon as it arrives with DescribeTasks in one
 * call of up to 100 tasks, through facts/task-batch.ts). Calls are recorded as a fact session records them
 * (CallRecord, with their sequential round) and answered through the shared call cache under the keys a
 * diagnosis' own calls have, so that the diagnoses of the service's groups find the service and their tasks there.
 */

import type { ClientPool } from '../../aws/clients.js';
import { classifyAwsError, type FactError } from '../../aws/errors.js';
import {
  DescribeServicesCommand,
  type DescribeServicesCommandOutput,
  ListTasksCommand,
  type ListTasksCommandOutput,
} from '../../aws/sdk/ecs.js';
import type { ServiceTarget } from '../../aws/service-target.js';
import { UserError } from '../../errors.js';
import { cachePolicyFor, callKey, type SharedCallCache } from './session.js';
import { DESCRIBE_TASKS_MAX, describeTaskBatch } from './task-batch.js';
import type { CallRecord, TaskRecord } from './types.js';

/** IAM actions readService calls: part of what the diagnostics role must allow (doctor's requiredActions). */
export const SERVICE_ACTIONS: readonly string[] = [
  'ecs:DescribeServices',
  'ecs:ListTasks',
  'ecs:DescribeTasks',
];

/** ListTasks returns at most 100 task ARNs a page. */
export const LIST_TASKS_PAGE = 100;
/** Most stopped tasks read (ECS keeps stopped tasks about an hour; a crash-looping service can have hundreds). */
export const MAX_STOPPED_TASKS = 1_000;
/** Service events kept (DescribeServices returns up to 100, newest first). */
export const MAX_SERVICE_EVENTS = 20;

export interface DeploymentState {
  id?: string | undefined;
  /** PRIMARY (the newest), ACTIVE (still running tasks), INACTIVE. */
  status?: string | undefined;
  taskDefinition?: string | undefined;
  /** COMPLETED, IN_PROGRESS, FAILED. */
  rolloutState?: string | undefined;
  rolloutStateReason?: string | undefined;
  desiredCount?: number | undefined;
  runningCount?: number | undefined;
  pendingCount?: number | undefined;
  failedTasks?: number | undefined;
  createdAt?: string | undefined;
  updatedAt?: string | undefined;
}

/** The service as DescribeServices shows it (the parts a service diagnosis reads). */
export interface ServiceState {
  serviceArn?: string | undefined;
  serviceName: string;
  clusterArn?: string | undefined;
  /** ACTIVE, DRAINING, INACTIVE. */
  status?: string | undefined;
  taskDefinition?: string | undefined;
  desiredCount?: number | undefined;
  runningCount?: number | undefined;
  pendingCount?: number | undefined;
  launchType?: string | undefined;
  platformVersion?: string | undefined;
  network?: { subnets: string[]; securityGroups: string[]; assignPublicIp?: string | undefined } | undefined;
  /** The deployment circuit breaker; undefined when the service's deployment configuration has none. */
  circuitBreaker?: { enable: boolean; rollback: boolean } | undefined;
  deployments: DeploymentState[];
  /** The newest events, newest first. */
  events: Array<{ createdAt?: string | undefined; message: string }>;
}

export interface ServiceRead {
  service: ServiceState;
  /** The stopped tasks of the service that ECS still shows, as DescribeTasks gives them. */
  tasks: TaskRecord[];
  /** Task ARNs ListTasks gave. */
  listed: number;
  /** More stopped tasks than MAX_STOPPED_TASKS: the rest were not read. */
  truncated: boolean;
  /** Why the stopped tasks could not be listed or described (the service's own state is still shown). */
  tasksError?: FactError | undefined;
  calls: CallRecord[];
  /** Sequential rounds these calls took. */
  rounds: number;
}

export interface ServiceReadRequest {
  pool: ClientPool;
  target: ServiceTarget;
  requester: string;
  /** Accounts this request may read (a Slack channel's rules). */
  mayRead: (account: string) => boolean;
  cache: SharedCallCache;
  /** Aborted at the diagnosis' deadline. */
  signal: AbortSignal;
  maxTasks?: number | undefined;
  /** Stopped tasks already seen (a watch's earlier looks): listed and counted, not described again. */
  skip?: ReadonlySet<string> | undefined;
  now?: () => number;
}

const iso = (d: Date | string | undefined) => (d instanceof Date ? d.toISOString() : d);

/** The parts of DescribeServices' answer the diagnosis keeps. */
export function serviceStateOf(
  s: NonNullable<DescribeServicesCommandOutput['services']>[number],
  name: string,
): ServiceState {
  const net = s.networkConfiguration?.awsvpcConfiguration;
  const cb = s.deploymentConfiguration?.deploymentCircuitBreaker;
  return {
    serviceArn: s.serviceArn,
    serviceName: s.serviceName ?? name,
    clusterArn: s.clusterArn,
    status: s.status,
    taskDefinition: s.taskDefinition,
    desiredCount: s.desiredCount,
    runningCount: s.runningCount,
    pendingCount: s.pendingCount,
    launchType: s.launchType,
    platformVersion: s.platformVersion,
    network: net
      ? {
          subnets: net.subnets ?? [],
          securityGroups: net.securityGroups ?? [],
          assignPublicIp: net.assignPublicIp,
        }
      : undefined,
    circuitBreaker: cb ? { enable: !!cb.enable, rollback: !!cb.rollback } : undefined,
    deployments: (s.deployments ?? []).map((d) => ({
      id: d.id,
      status: d.status,
      taskDefinition: d.taskDefinition,
      rolloutState: d.rolloutState,
      rolloutStateReason: d.rolloutStateReason,
      desiredCount: d.desiredCount,
      runningCount: d.runningCount,
      pendingCount: d.pendingCount,
      failedTasks: d.failedTasks,
      createdAt: iso(d.createdAt),
      updatedAt: iso(d.updatedAt),
    })),
    events: (s.events ?? [])
      .filter((e) => typeof e.message === 'string')
      .slice(0, MAX_SERVICE_EVENTS)
      .map((e) => ({ createdAt: iso(e.createdAt), message: e.message! })),
  };
}

/** The user's error when the service cannot be read at all. */
function serviceError(error: FactError, t: ServiceTarget): UserError {
  const where = { service: t.service, cluster: t.cluster, region: t.region, account: t.account ?? '—' };
  if (error.code === 'ServiceNotFoundException')
    return new UserError('service:errors.service.missing', where, 3);
  if (error.code === 'ClusterNotFoundException')
    return new UserError('service:errors.service.no-cluster', where, 3);
  if (error.kind === 'denied')
    return new UserError(
      'service:errors.service.denied',
      { ...where, action: error.action ?? 'ecs:DescribeServices' },
      3,
    );
  return new UserError('service:errors.service.unreadable', { ...where, code: error.code }, 3);
}

/** Reads the service and its stopped tasks. Throws UserError when the service itself cannot be read. */
export async function readService(req: ServiceReadRequest): Promise<ServiceRead> {
  const now = req.now ?? (() => performance.now());
  const started = now();
  const { pool, target, requester, cache, signal } = req;
  const { partition, account, region, cluster, service } = target;
  const calls: CallRecord[] = [];
  const record = (
    r: Omit<CallRecord, 'account' | 'region' | 'startMs' | 'durationMs'> & { start: number; self?: boolean },
  ) => {
    const { start, self, ...rest } = r;
    calls.push({
      ...rest,
      account: self ? 'self' : (account ?? 'self'),
      region,
      startMs: Math.round(start - started),
      durationMs: Math.round(now() - start),
    });
  };
  if (account && !req.mayRead(account)) throw new UserError('errors.account.not-allowed', { account }, 2);

  // Credentials: the command line's sts:GetCallerIdentity when it decides how to reach the account, the role's
  // sts:AssumeRole when its session is cold (as a fact session prepares them).
  let base = 0;
  const identityStart = now();
  const plan = await pool.resolvePlan(account, region, partition, requester, (ok, code) => {
    base = 1;
    record({
      api: 'sts:GetCallerIdentity',
      round: 1,
      ok,
      ...(code ? { errorCode: code } : {}),
      start: identityStart,
      self: true,
    });
  });
  const assumeStart = now();
  try {
    const r = await pool.warmUp(account, region, partition, requester);
    if (r.assumed) {
      base++;
      record({ api: 'sts:AssumeRole', round: base, ok: true, start: assumeStart });
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    const e = classifyAwsError(err, 'sts:AssumeRole');
    if (plan.kind === 'assume-role')
      record({ api: 'sts:AssumeRole', round: base + 1, ok: false, errorCode: e.code, start: assumeStart });
    throw new UserError(
      'errors.account.assume-failed',
      { account: account ?? '—', code: e.code, message: e.message.slice(0, 200) },
      3,
    );
  }
  const clients = pool.get(account, region, partition, requester);

  /** One call through the shared cache under the key a fact session gives it, recorded with its round. */
  const call = async <T>(api: string, params: unknown, round: number, run: () => Promise<T>): Promise<T> => {
    const start = now();
    try {
      const r = await cache.run(
        callKey(api, account, region, params),
        run,
        cachePolicyFor(api, params, false),
      );
      record({ api, round, ok: true, ...(r.cached ? { cached: true } : {}), start });
      return r.value;
    } catch (err) {
      const e = signal.aborted ? classifyAwsError(deadline(api), api) : classifyAwsError(err, api);
      record({ api, round, ok: false, errorCode: e.code, start });
      throw Object.assign(signal.aborted ? deadline(api) : (err as object), { $action: api });
    }
  };

  // The service, and the first page of its stopped tasks, in the same round. The parameters are those of the
  // ecs.service fact, so that the groups' diagnoses are answered from the cache.
  const describeParams = { cluster, services: [service] };
  const described = call('ecs:DescribeServices', describeParams, base + 1, () =>
    clients.ecs.send(new DescribeServicesCommand(describeParams), { abortSignal: signal }),
  );
  const stopped = listAndDescribe();
  let out: DescribeServicesCommandOutput;
  try {
    out = await described;
  } catch (err) {
    await stopped;
    throw serviceError(classifyAwsError(err, 'ecs:DescribeServices'), target);
  }
  const s = out.services?.[0];
  if (!s) {
    await stopped;
    const reason = out.failures?.[0]?.reason ?? 'MISSING';
    throw serviceError(
      {
        kind: 'not-found',
        code: reason === 'MISSING' ? 'ServiceNotFoundException' : reason,
        message: reason,
      },
      target,
    );
  }
  const listed = await stopped;
  const rounds = calls.reduce((m, c) => Math.max(m, c.round), 0);
  return { service: serviceStateOf(s, service), ...listed, calls, rounds };

  async function listAndDescribe(): Promise<Omit<ServiceRead, 'service' | 'calls' | 'rounds'>> {
    const max = req.maxTasks ?? MAX_STOPPED_TASKS;
    const batches: Array<Promise<Awaited<ReturnType<typeof describeTaskBatch>>>> = [];
    let listedCount = 0;
    let nextToken: string | undefined;
    let page = 0;
    let truncated = false;
    let tasksError: FactError | undefined;
    do {
      page++;
      const params = {
        cluster,
        serviceName: service,
        desiredStatus: 'STOPPED' as const,
        maxResults: LIST_TASKS_PAGE,
        ...(nextToken ? { nextToken } : {}),
      };
      let answer: ListTasksCommandOutput;
      try {
        answer = await call('ecs:ListTasks', params, base + page, () =>
          clients.ecs.send(new ListTasksCommand(params), { abortSignal: signal }),
        );
      } catch (err) {
        tasksError = classifyAwsError(err, 'ecs:ListTasks');
        break;
      }
      const onPage = (answer.taskArns ?? []).slice(0, Math.max(0, max - listedCount));
      listedCount += onPage.length;
      const arns = req.skip ? onPage.filter((a) => !req.skip!.has(a)) : onPage;
      // Each page is described while the next one is listed.
      for (let i = 0; i < arns.length; i += DESCRIBE_TASKS_MAX) {
        const round = base + page;
        batches.push(
          describeTaskBatch({
            pool,
            target: { partition, account, region, cluster },
            ids: arns.slice(i, i + DESCRIBE_TASKS_MAX),
            requester,
            cache,
            now,
            record: (c) => calls.push({ ...c, round: round + c.round, startMs: Math.round(now() - started) }),
          }),
        );
      }
      nextToken = answer.nextToken;
      if (nextToken && listedCount >= max) {
        truncated = true;
        break;
      }
    } while (nextToken && !signal.aborted);
    const results = await Promise.all(batches);
    const tasks: TaskRecord[] = [];
    for (const r of results) {
      if (r.error !== undefined && !tasksError) tasksError = classifyAwsError(r.error, 'ecs:DescribeTasks');
      tasks.push(...r.tasks.values());
    }
    // ListTasks' serviceName is the service's task group: keep only its tasks (a task of another group is never
    // this service's, whatever answered the listing).
    const own = tasks.filter((t) => !t.group || t.group === `service:${service}`);
    return { tasks: own, listed: listedCount, truncated, ...(tasksError ? { tasksError } : {}) };
  }
}

function deadline(api: string): Error {
  const err = new Error(`${api} not finished before the diagnosis deadline`);
  err.name = 'TimeoutError';
  return err;
}
