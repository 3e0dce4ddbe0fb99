/**
 * DescribeTasks for many tasks of one cluster at once (up to 100 a call), outside a diagnosis: what alert grouping
 * needs to know of the tasks of a storm's alerts. The call is made as a fact session makes its calls: its answer
 * goes through the shared call cache and the call is recorded (CallRecord), with the role session's
 * sts:AssumeRole when it was cold.
 *
 * The cache holds one answer per task, under the key a diagnosis' own DescribeTasks of that one task uses, and
 * holding what DescribeTasks would answer for that task alone (the task, or its failure). So a task seen again
 * within the cache's TTL (another alert naming it, the group's first alert then diagnosed) is not asked for again,
 * and a batch asks AWS only for the tasks the cache does not have. Errors are not cached.
 */

import type { ClientPool } from '../../aws/clients.js';
import { classifyAwsError } from '../../aws/errors.js';
import { DescribeTasksCommand, type DescribeTasksCommandOutput } from '../../aws/sdk/ecs.js';
import type { TaskTarget } from '../../aws/target.js';
import { cachePolicyFor, callKey, type SharedCallCache } from './session.js';
import type { CallRecord, TaskRecord } from './types.js';

const API = 'ecs:DescribeTasks';

/** IAM actions describeTaskBatch calls: part of what the diagnostics role must allow (doctor's requiredActions). */
export const TASK_BATCH_ACTIONS: readonly string[] = [API];

/** DescribeTasks accepts at most this many tasks per call. */
export const DESCRIBE_TASKS_MAX = 100;

export interface TaskBatchRequest {
  pool: ClientPool;
  /** Where the tasks are: partition, account, region, cluster (the target's task is not read). */
  target: Pick<TaskTarget, 'partition' | 'account' | 'region' | 'cluster'>;
  /** Task ARNs or ids as DescribeTasks takes them, at most DESCRIBE_TASKS_MAX distinct ones. */
  ids: readonly string[];
  /** Who asked: goes into the role session name. */
  requester: string;
  /** The AWS answer cache diagnoses share; absent: every task is asked of AWS. */
  cache?: SharedCallCache | undefined;
  /** Told about each AWS call made (or answered by the cache), as a fact session records it. */
  record?: ((call: CallRecord) => void) | undefined;
  now?: () => number;
}

export interface TaskBatchResult {
  /** The tasks ECS returned, by task id (an ARN's last part). Tasks ECS does not show are absent. */
  tasks: Map<string, TaskRecord>;
  /** DescribeTasks calls attempted: 0 when the cache answered for every task, else 1. */
  calls: number;
  /** Why the call failed (its tasks are then absent from `tasks`). */
  error?: unknown;
}

type Answer = Pick<DescribeTasksCommandOutput, 'tasks' | 'failures'>;

const taskId = (idOrArn: string): string => idOrArn.split('/').pop() ?? idOrArn;

/** A task's answer as DescribeTasks gives it for that task alone; throws when the batch's answer lacks it. */
function answerFor(batch: Answer, id: string): Answer {
  const tail = taskId(id);
  const task = batch.tasks?.find((t) => t.taskArn !== undefined && taskId(t.taskArn) === tail);
  if (task) return { tasks: [task], failures: [] };
  const failure = batch.failures?.find((f) => f.arn !== undefined && taskId(f.arn) === tail);
  if (failure) return { tasks: [], failures: [failure] };
  throw new Error(`DescribeTasks answered nothing about ${id}`);
}

type Recorder = (r: Omit<CallRecord, 'account' | 'region' | 'startMs'>) => void;

/** Credentials for the account; returns the round it took (1 when it assumed the role, else 0). */
async function warmUp(req: TaskBatchRequest, record: Recorder, now: () => number): Promise<number> {
  const { partition, account, region } = req.target;
  // plan() throws a UserError for an account that is not configured: no call is made, none is recorded.
  req.pool.plan(account, partition, req.requester);
  const start = now();
  try {
    const r = await req.pool.warmUp(account, region, partition, req.requester);
    if (!r.assumed) return 0;
    record({ api: 'sts:AssumeRole', round: 1, durationMs: Math.round(now() - start), ok: true });
    return 1;
  } catch (err) {
    const errorCode = classifyAwsError(err, 'sts:AssumeRole').code;
    record({ api: 'sts:AssumeRole', round: 1, durationMs: Math.round(now() - start), ok: false, errorCode });
    throw err;
  }
}

/** One AWS call, recorded with its round, duration and outcome. */
async function call<T>(
  api: string,
  round: number,
  record: Recorder,
  now: () => number,
  run: () => Promise<T>,
): Promise<T> {
  const start = now();
  try {
    const value = await run();
    record({ api, round, durationMs: Math.round(now() - start), ok: true });
    return value;
  } catch (err) {
    record({
      api,
      round,
      durationMs: Math.round(now() - start),
      ok: false,
      errorCode: classifyAwsError(err, api).code,
    });
    throw err;
  }
}

/** A cache that does not keep anything: the same path with and without a shared cache. */
const noCache: SharedCallCache = {
  run: async (_key, fn) => ({ value: await fn(), cached: false }),
};

type Batch = Answer | { error: unknown };
type TaskAnswer = { id: string; answer: Answer } | { id: string; error: unknown };

interface PerTask {
  /** The tasks the cache does not hold: they wait for one call made for all of them. */
  misses: string[];
  /** Answers the misses with that call's answer (or its error). */
  settle(batch: Batch): void;
  /** Every task's answer, from the cache or from the call. */
  answers: Promise<TaskAnswer[]>;
}

/**
 * Puts each task through the cache on its own, under the key of DescribeTasks for that task alone. Resolves once
 * every task is either answered by the cache (or by an identical call already in flight) or known to be missing.
 */
async function throughCache(
  cache: SharedCallCache,
  key: (id: string) => string,
  ids: readonly string[],
): Promise<PerTask> {
  const policy = cachePolicyFor(API, undefined, false);
  const misses: string[] = [];
  let settle: (batch: Batch) => void = () => {};
  const batch = new Promise<Batch>((resolve) => {
    settle = resolve;
  });
  const lookups = ids.map((id) => {
    let decided: () => void = () => {};
    const known = new Promise<void>((resolve) => {
      decided = resolve;
    });
    const miss = async (): Promise<Answer> => {
      misses.push(id);
      decided();
      const b = await batch;
      if ('error' in b) throw b.error;
      return answerFor(b, id);
    };
    const answer = cache.run(key(id), miss, policy).then(
      (r): TaskAnswer => ({ id, answer: r.value }),
      (error: unknown): TaskAnswer => ({ id, error }),
    );
    void answer.then(decided);
    return { known, answer };
  });
  await Promise.all(lookups.map((l) => l.known));
  return { misses, settle, answers: Promise.all(lookups.map((l) => l.answer)) };
}

/** Describes the tasks, from the cache where it can, in at most one DescribeTasks call. Never throws. */
export async function describeTaskBatch(req: TaskBatchRequest): Promise<TaskBatchResult> {
  const now = req.now ?? (() => performance.now());
  const { partition, account, region, cluster } = req.target;
  const record: Recorder = (r) => req.record?.({ ...r, account: account ?? 'self', region, startMs: 0 });
  const started = now();
  // The key a fact session gives DescribeTasks of this one task (FactSession.callOnce).
  const key = (id: string) => callKey(API, account, region, { cluster, tasks: [id] });
  const { misses, settle, answers } = await throughCache(req.cache ?? noCache, key, [...new Set(req.ids)]);

  let error: unknown;
  if (misses.length) {
    try {
      // The role session first, so that its sts:AssumeRole is recorded as a call of its own.
      const round = (await warmUp(req, record, now)) + 1;
      const clients = req.pool.get(account, region, partition, req.requester);
      settle(
        await call('ecs:DescribeTasks', round, record, now, () =>
          clients.ecs.send(new DescribeTasksCommand({ cluster, tasks: misses })),
        ),
      );
    } catch (err) {
      error = err;
      settle({ error });
    }
  }

  const tasks = new Map<string, TaskRecord>();
  let allOk = true;
  for (const a of await answers) {
    if ('error' in a) allOk = false;
    else if (a.answer.tasks?.[0]) tasks.set(taskId(a.id), a.answer.tasks[0] as unknown as TaskRecord);
  }
  if (!misses.length) {
    record({ api: API, round: 1, durationMs: Math.round(now() - started), ok: allOk, cached: true });
  }
  return error === undefined ? { tasks, calls: misses.length ? 1 : 0 } : { tasks, calls: 1, error };
}
