/**
 * Alert storms: a bad deployment makes tens of tasks of one service fail within seconds, and the alerting app
 * posts one message per task. Every alert still gets its own reply, but only the first of a group is diagnosed:
 * the others say "same cause as <the first reply>", with a button to diagnose that one task in full.
 *
 * A group is one channel + account + region + cluster + task group (`service:NAME`, `family:NAME`) + the stopped
 * reason with its variable parts (addresses, retry counts, ids) masked. The task group and the reason come from
 * the EventBridge event when the alert carries it, else from DescribeTasks batched per cluster (one call for up
 * to 100 tasks), so that grouping costs a handful of AWS calls however many alerts arrive. Groups live in the
 * shared store: with Redis, replicas form the same groups and elect one leader.
 */
import { createHash } from 'node:crypto';
import type { ClientPool } from '../aws/clients.js';
import { describeTasksId, type TaskTarget } from '../aws/target.js';
import type { SharedCallCache } from '../diagnosis/facts/session.js';
import { DESCRIBE_TASKS_MAX, describeTaskBatch } from '../diagnosis/facts/task-batch.js';
import type { CallRecord, TaskRecord } from '../diagnosis/facts/types.js';
import type { Report } from '../diagnosis/report.js';
import { normalizeStopReason } from '../diagnosis/stop-reason.js';
import type { Logger } from '../log.js';
import type { StateStore } from '../state/store.js';
import type { AlertTask } from './alert.js';
import type { CauseSummary } from './reply-types.js';

export { normalizeStopReason };

/** How long a group keeps answering new alerts with its first reply. */
export const STORM_WINDOW_MS = 10 * 60_000;

/** What grouping needs to know of a task. */
export interface TaskSummary {
  group?: string | undefined;
  stoppedReason?: string | undefined;
  stopCode?: string | undefined;
  taskDefinitionArn?: string | undefined;
}

/** The group a task of an alert belongs to, or undefined when there is too little to group on. */
export function stormGroupOf(
  channel: string,
  target: TaskTarget,
  summary: TaskSummary | undefined,
): { key: string; group: string } | undefined {
  const group =
    summary?.group ?? (summary?.taskDefinitionArn ? `taskdef:${summary.taskDefinitionArn}` : undefined);
  if (!group || !target.account) return undefined;
  const reason = normalizeStopReason(summary?.stoppedReason);
  const parts = [channel, target.partition, target.account, target.region, target.cluster, group, reason];
  const key = createHash('sha256').update(parts.join('\n')).digest('base64url').slice(0, 32);
  return { key, group };
}

/**
 * The group of the alerts about one service (an impaired start, a failed deployment, its rollback, an alarm on its
 * running tasks: several alerts for one incident): per channel, answered once, by the first.
 */
export function serviceStormKey(
  channel: string,
  target: {
    partition: string;
    account: string | undefined;
    region: string;
    cluster: string;
    service: string;
  },
): string {
  const parts = [
    channel,
    target.partition,
    target.account ?? '',
    target.region,
    target.cluster,
    `service:${target.service}`,
    'service-alert',
  ];
  return createHash('sha256').update(parts.join('\n')).digest('base64url').slice(0, 32);
}

/** The summary an alert's EventBridge event gives, when it has what grouping needs. */
export function summaryFromEvent(task: AlertTask): TaskSummary | undefined {
  const t = task.event?.task;
  if (!t || (!t.group && !t.taskDefinitionArn)) return undefined;
  return {
    group: t.group,
    stoppedReason: t.stoppedReason,
    stopCode: t.stopCode,
    taskDefinitionArn: t.taskDefinitionArn,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Batched DescribeTasks

interface Waiter {
  id: string;
  resolve: (s: TaskSummary | undefined) => void;
}

interface Batch {
  target: TaskTarget;
  requester: string;
  waiters: Waiter[];
  timer: NodeJS.Timeout | undefined;
}

export interface TaskLookupOptions {
  /** How long the first task of a quiet cluster waits for others. */
  quietWindowMs: number;
  /** How long tasks wait for others while a cluster keeps alerting. */
  busyWindowMs: number;
  /** A cluster counts as busy this long after its last lookup. */
  busyForMs: number;
  now: () => number;
}

export const TASK_LOOKUP_DEFAULTS: TaskLookupOptions = {
  quietWindowMs: 150,
  busyWindowMs: 1_000,
  busyForMs: 30_000,
  now: Date.now,
};

/** How the lookup's AWS calls join the fact layer's: the shared answer cache, and where each call is recorded. */
export interface TaskLookupFacts {
  /** The AWS answer cache the app's diagnoses share. */
  cache?: SharedCallCache | undefined;
  /** Told about each call (metrics). */
  record?: ((call: CallRecord) => void) | undefined;
}

/**
 * Looks tasks up with DescribeTasks, batching the tasks of one cluster (and requester) that arrive within a short
 * window into one call of up to 100 tasks (describeTaskBatch: through the shared answer cache, each call recorded).
 * Never throws: a task that cannot be read resolves to undefined (the alert is then diagnosed on its own, which
 * reports why).
 */
export class TaskLookup {
  private readonly batches = new Map<string, Batch>();
  private readonly lastFlush = new Map<string, number>();
  private readonly opts: TaskLookupOptions;
  /** DescribeTasks calls made, not counting those the cache answered (tests, benchmark). */
  calls = 0;

  constructor(
    private readonly pool: ClientPool,
    private readonly log: Logger,
    opts: Partial<TaskLookupOptions> = {},
    private readonly facts: TaskLookupFacts = {},
  ) {
    this.opts = { ...TASK_LOOKUP_DEFAULTS, ...opts };
  }

  lookup(target: TaskTarget, requester: string): Promise<TaskSummary | undefined> {
    const key = [target.partition, target.account ?? '', target.region, target.cluster, requester].join('|');
    let batch = this.batches.get(key);
    if (!batch) {
      const now = this.opts.now();
      const busy = now - (this.lastFlush.get(key) ?? Number.NEGATIVE_INFINITY) < this.opts.busyForMs;
      const fresh: Batch = { target, requester, waiters: [], timer: undefined };
      fresh.timer = setTimeout(
        () => this.flush(key, fresh),
        busy ? this.opts.busyWindowMs : this.opts.quietWindowMs,
      );
      this.batches.set(key, fresh);
      batch = fresh;
    }
    const current = batch;
    return new Promise((resolve) => {
      current.waiters.push({ id: describeTasksId(target), resolve });
      if (current.waiters.length >= DESCRIBE_TASKS_MAX) this.flush(key, current);
    });
  }

  private flush(key: string, batch: Batch): void {
    if (this.batches.get(key) === batch) this.batches.delete(key);
    clearTimeout(batch.timer);
    this.lastFlush.set(key, this.opts.now());
    if (this.lastFlush.size > 1_000) {
      const old = this.opts.now() - this.opts.busyForMs;
      for (const [k, at] of this.lastFlush) if (at < old) this.lastFlush.delete(k);
    }
    void this.describe(batch);
  }

  private async describe(batch: Batch): Promise<void> {
    const ids = [...new Set(batch.waiters.map((w) => w.id))];
    const { target } = batch;
    const r = await describeTaskBatch({
      pool: this.pool,
      target,
      ids,
      requester: batch.requester,
      cache: this.facts.cache,
      record: this.facts.record,
    }).catch((error: unknown) => ({ tasks: new Map<string, TaskRecord>(), calls: 0, error }));
    this.calls += r.calls;
    if (r.error !== undefined) {
      this.log.warn(
        { err: errorMessage(r.error), cluster: target.cluster, account: target.account, tasks: ids.length },
        'DescribeTasks for alert grouping failed; alerts are diagnosed one by one',
      );
    }
    for (const w of batch.waiters) {
      const t = r.tasks.get(w.id.split('/').pop() ?? w.id);
      w.resolve(
        t && {
          group: t.group,
          stoppedReason: t.stoppedReason,
          stopCode: t.stopCode,
          taskDefinitionArn: t.taskDefinitionArn,
        },
      );
    }
  }
}

function errorMessage(err: unknown): string | undefined {
  return (err as Error | undefined)?.message;
}

// ---------------------------------------------------------------------------------------------------------------
// Groups in the shared store

/** The first reply of a group, as the others link to it. */
export interface StormFirst {
  v: 1;
  channel: string;
  ts: string;
  link: string;
  taskId: string;
  /** The task group shared by the alerts (`service:NAME`, `family:NAME`). */
  group: string;
  cause?: CauseSummary | undefined;
}

/** The first reply's cause, as the repeats show it. */
export function causeOf(report: Report): CauseSummary | undefined {
  const top = report.causes[0];
  if (!top) return undefined;
  return {
    id: top.id,
    confidence: top.confidence,
    ...(top.basis ? { basis: top.basis } : {}),
    ...(top.summary ? { summary: top.summary } : {}),
    ...(top.remediation ? { remediation: top.remediation } : {}),
  };
}

export type StormRole = { role: 'leader' } | { role: 'follower'; first: StormFirst } | { role: 'alone' };

export interface StormOptions {
  /** How long a leader may take to diagnose and post before another alert of the group takes over. */
  leadTtlMs: number;
  /** How often a waiting alert looks for the first reply. */
  pollMs: number;
  /** How long an alert waits for its group's first reply before it is diagnosed on its own. */
  maxWaitMs: number;
  windowMs: number;
}

/**
 * Leader election and the hand-over of the first reply. The leader claims `storm:KEY:lead`; when its reply is
 * posted it stores `storm:KEY:first` for the window. Others wait for that entry; if the leader gives up (its
 * diagnosis failed) or disappears (its claim expired), the next one to claim leads.
 */
export class StormGroups {
  private readonly wake = new Map<string, Set<() => void>>();

  constructor(
    private readonly store: StateStore,
    private readonly log: Logger,
    readonly opts: StormOptions,
  ) {}

  /** Joins the group: leader (diagnose and publish), follower (reply with the first), or alone (diagnose, no group). */
  async join(key: string): Promise<StormRole> {
    const deadline = Date.now() + this.opts.maxWaitMs;
    try {
      for (;;) {
        const first = await this.store.get<StormFirst>(`storm:${key}:first`);
        if (first) return { role: 'follower', first };
        if (await this.store.setIfAbsent(`storm:${key}:lead`, { at: Date.now() }, this.opts.leadTtlMs)) {
          return { role: 'leader' };
        }
        if (Date.now() >= deadline) {
          this.log.warn(
            { storm: key },
            'the first reply of an alert storm is late; diagnosing this alert alone',
          );
          return { role: 'alone' };
        }
        await this.pause(key);
      }
    } catch (err) {
      this.log.warn(
        { err: (err as Error).message, storm: key },
        'alert grouping unavailable; diagnosing alone',
      );
      return { role: 'alone' };
    }
  }

  /** The leader's reply is posted: the group's other alerts may link to it. */
  async publish(key: string, first: StormFirst): Promise<void> {
    await this.store.setIfAbsent(`storm:${key}:first`, first, this.opts.windowMs);
    this.notify(key);
  }

  /** The leader could not produce a reply worth linking to: the next alert of the group leads. */
  async abandon(key: string): Promise<void> {
    await this.store.delete(`storm:${key}:lead`).catch(() => {});
    this.notify(key);
  }

  private pause(key: string): Promise<void> {
    return new Promise((resolve) => {
      let set = this.wake.get(key);
      if (!set) {
        set = new Set();
        this.wake.set(key, set);
      }
      const waiters = set;
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        if (!waiters.size && this.wake.get(key) === waiters) this.wake.delete(key);
        resolve();
      };
      const timer = setTimeout(done, this.opts.pollMs);
      waiters.add(done);
    });
  }

  private notify(key: string): void {
    for (const w of [...(this.wake.get(key) ?? [])]) w();
  }
}
