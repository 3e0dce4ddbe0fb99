/**
 * Watch until fixed, in Slack. The Watch button under a report starts one watch per report across replicas: a
 * record in the state store (set-if-absent) names the replica that runs it, which renews a heartbeat at every
 * re-check. The watch re-checks the report's failing checks every interval (only the facts they need, plus the
 * task's context), keeps a status message in the report's thread up to date, and when the checks pass or time
 * runs out, says so in that message and tells the person who started it in a new reply. Stop watching (from any
 * replica) marks the record stopped; a replica that stops (restart) leaves a stale heartbeat, and the next Watch
 * click takes the watch over.
 */
import { randomUUID } from 'node:crypto';
import type { Language } from '../config.js';
import type { Report } from '../diagnosis/report.js';
import { recheckService, type ServiceWatchPlan } from '../diagnosis/service-watch.js';
import { recheck, type WatchEnd, type WatchTick, watchedChecks, watchLoop } from '../diagnosis/watch.js';
import { isUserError } from '../errors.js';
import { translator } from '../i18n.js';
import { say } from '../render/text.js';
import { renderWatchEnd, renderWatchStatus, type WatchStatus } from '../render/watch-view.js';
import { mayDiagnose } from './access.js';
import type { AlertTask } from './alert.js';
import type { SlackDeps } from './deps.js';
import { userErrorMessage } from './diagnoser.js';
import { type SlackClient, updateMessage } from './reply.js';
import { encodeStopValue } from './watch-protocol.js';

/** What the store keeps of a watch, under `watch:<report id>`. */
export interface WatchRecord {
  /** This watch (a later watch of the same report has another). */
  watchId: string;
  state: 'watching' | 'stopped';
  by: string;
  channel: string;
  /** The thread the status message is in, and the status message. */
  threadTs: string;
  statusTs?: string | undefined;
  /** The replica running it, and its last sign of life (epoch ms). */
  owner: string;
  heartbeat: number;
  startedMs: number;
  untilMs: number;
  checks: string[];
  lang: Language;
  stoppedBy?: string | undefined;
  /** A service's watch: the service's name (its checks are those of its lead group). */
  service?: string | undefined;
}

/** What a watch re-checks: a task's failing checks, or a service and its lead group's failing checks. */
export type WatchSubject = { task: AlertTask } | { service: ServiceWatchPlan };

/** A watch running in this process. */
export interface RunningWatch {
  abort: AbortController;
  done: Promise<void>;
}

export type WatchResult = WatchEnd['kind'] | 'interrupted';

export const watchKey = (report: string) => `watch:${report}`;

function settings(deps: SlackDeps) {
  return {
    intervalMs: deps.config.watch.intervalSeconds * 1000,
    forMs: deps.config.watch.maxMinutes * 60_000,
  };
}

/** After this long without a heartbeat, a watch's replica is taken to be gone. */
function staleAfterMs(deps: SlackDeps): number {
  return 2 * settings(deps).intervalMs + deps.config.aws.deadlineMs + 10_000;
}

function ttlOf(deps: SlackDeps, r: WatchRecord): number {
  return Math.max(1_000, r.untilMs - deps.now()) + staleAfterMs(deps);
}

/** The checks a watch of this report would run: the failing ones. */
export function checksToWatch(report: Report): string[] {
  return watchedChecks(report);
}

/**
 * Claims the watch of a report for this replica. Fails when a live watch holds it; takes over one whose replica
 * stopped beating or that was stopped (once, whoever else tries at the same time).
 */
export async function claimWatch(
  deps: SlackDeps,
  report: string,
  record: WatchRecord,
): Promise<{ ok: true } | { ok: false; holder: WatchRecord }> {
  const key = watchKey(report);
  for (let attempt = 0; attempt < 2; attempt++) {
    if (await deps.store.setIfAbsent(key, record, ttlOf(deps, record))) return { ok: true };
    const held = await deps.store.get<WatchRecord>(key);
    if (!held) continue;
    const live = held.state === 'watching' && deps.now() - held.heartbeat <= staleAfterMs(deps);
    if (live) return { ok: false, holder: held };
    // One taker per stale record: the lock names the record it replaces.
    if (!(await deps.store.setIfAbsent(`watch-takeover:${report}:${held.watchId}`, 1, 60_000))) {
      return { ok: false, holder: held };
    }
    await deps.store.swap(key, record, ttlOf(deps, record));
    return { ok: true };
  }
  return { ok: false, holder: record };
}

/**
 * Renews the heartbeat of this replica's watch; false when the record is no longer this watch's or was stopped
 * (then what the other party wrote is put back).
 */
async function beat(deps: SlackDeps, report: string, mine: WatchRecord): Promise<boolean> {
  const key = watchKey(report);
  const current = await deps.store.get<WatchRecord>(key);
  if (!current || current.watchId !== mine.watchId || current.state !== 'watching') return false;
  const renewed = { ...current, heartbeat: deps.now() };
  const previous = await deps.store.swap(key, renewed, ttlOf(deps, renewed));
  if (previous && (previous.watchId !== mine.watchId || previous.state !== 'watching')) {
    // Stopped or taken over between the read and the write: theirs stands.
    await deps.store.swap(key, previous, ttlOf(deps, previous));
    return false;
  }
  return true;
}

/**
 * Stores the status message's ts in this watch's record (so that Stop, from any replica, can update it); false
 * when the record is no longer this watch's (what is there then stays).
 */
export async function noteStatus(deps: SlackDeps, report: string, mine: WatchRecord): Promise<boolean> {
  const key = watchKey(report);
  const previous = await deps.store.swap(key, mine, ttlOf(deps, mine));
  if (previous && previous.watchId !== mine.watchId) {
    await deps.store.swap(key, previous, ttlOf(deps, previous));
    return false;
  }
  return true;
}

/** Forgets the record if it is still this watch's, so that the report can be watched again. */
async function release(deps: SlackDeps, report: string, mine: WatchRecord): Promise<void> {
  const current = await deps.store.get<WatchRecord>(watchKey(report));
  if (current?.watchId === mine.watchId) await deps.store.delete(watchKey(report));
}

/** Starts a watch in this process (the claim is made); returns at once. */
export function runWatch(
  deps: SlackDeps,
  client: SlackClient,
  report: string,
  record: WatchRecord,
  subject: WatchSubject,
  requester: string,
): RunningWatch {
  const partition = 'task' in subject ? subject.task.target.partition : subject.service.target.partition;
  const abort = new AbortController();
  const t = translator(record.lang);
  const { intervalMs } = settings(deps);
  const log = deps.log.child({ correlationId: report, watch: record.watchId });
  const stopValue = encodeStopValue({ d: report, g: record.lang });
  const show = async (s: WatchStatus) => {
    if (!record.statusTs) return;
    await updateMessage(client, record.channel, record.statusTs, renderWatchStatus(t, s)).catch(
      (err: unknown) => log.warn({ err: (err as Error).message }, 'watch status could not be updated'),
    );
  };
  const reply = async (s: Extract<WatchStatus, { kind: 'fixed' | 'timeout' }>) => {
    const msg = renderWatchEnd(t, s);
    await deps.pacer
      .run(record.channel, () =>
        client.chat.postMessage({
          channel: record.channel,
          thread_ts: record.threadTs,
          text: msg.text,
          blocks: msg.blocks as never,
          unfurl_links: false,
          unfurl_media: false,
        }),
      )
      .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'watch end could not be posted'));
  };
  const diagnoseDeps = {
    pool: deps.pool,
    deadlineMs: deps.config.aws.deadlineMs,
    settings: {
      probePublicRegistries: deps.config.registries.probePublic,
      probeTimeoutMs: deps.config.registries.probeTimeoutMs,
      // The channel's rules, again at every re-check.
      mayRead: (account: string) => mayDiagnose(deps.config, deps.pool, record.channel, account, partition),
    },
    signal: abort.signal,
  };
  const done = (async () => {
    let end: WatchEnd;
    try {
      end = await watchLoop({
        intervalMs,
        untilMs: record.untilMs,
        signal: abort.signal,
        now: deps.now,
        shouldContinue: () => beat(deps, report, record),
        recheck: async () => {
          const tick: WatchTick = await deps.limiter.run(() =>
            'task' in subject
              ? recheck(
                  { target: subject.task.target, event: subject.task.event, requester },
                  record.checks,
                  diagnoseDeps,
                )
              : recheckService({ requester }, subject.service, diagnoseDeps),
          );
          log.info(
            {
              failing: tick.failing,
              unknown: tick.unknown,
              fixed: tick.fixed,
              calls: tick.calls,
              ...(tick.service ? { service: tick.service } : {}),
            },
            'watch re-check',
          );
          return tick;
        },
        onTick: (tick) =>
          show({
            kind: 'watching',
            by: record.by,
            checks: record.checks,
            intervalSeconds: intervalMs / 1000,
            untilMs: record.untilMs,
            last: {
              atMs: Date.parse(tick.at),
              failing: tick.failing,
              unknown: tick.unknown,
              calls: tick.calls,
              ...(tick.service ? { service: tick.service } : {}),
            },
            stopValue,
            service: record.service,
          }),
      });
    } catch (err) {
      end = { kind: 'error', error: err, tick: undefined, ticks: 0 };
    }
    const at = deps.now();
    let result: WatchResult = end.kind;
    if (end.kind === 'fixed') {
      const s = {
        kind: 'fixed' as const,
        by: record.by,
        checks: record.checks,
        atMs: at,
        ticks: end.ticks,
        ...(end.tick.service ? { service: end.tick.service } : {}),
      };
      await show(s);
      await reply(s);
    } else if (end.kind === 'timeout') {
      const still = end.tick ? [...end.tick.failing, ...end.tick.unknown] : record.checks;
      const s = {
        kind: 'timeout' as const,
        by: record.by,
        still: record.service ? still : still.length ? still : record.checks,
        atMs: at,
        ...(end.tick?.service ? { service: end.tick.service } : {}),
        ...(record.service ? { serviceName: record.service } : {}),
      };
      await show(s);
      await reply(s);
    } else if (end.kind === 'error') {
      const err = end.error;
      const reason = isUserError(err) ? say(t, userErrorMessage(err, report)) : t('slack:watch.internal');
      if (!isUserError(err)) log.error({ err }, 'watch failed');
      await show({ kind: 'error', reason });
    } else if (abort.signal.reason === 'shutdown') {
      // This replica is stopping: say so, and leave the record to go stale so a click elsewhere takes it over.
      result = 'interrupted';
      await show({ kind: 'interrupted' });
    }
    // stopped by a person: the Stop handler already said so.
    if (result !== 'interrupted') await release(deps, report, record).catch(() => {});
    deps.onWatchEnd?.(result);
    log.info({ result, ticks: end.ticks }, 'watch ended');
  })().finally(() => deps.watches.delete(report));
  const running = { abort, done };
  deps.watches.set(report, running);
  return running;
}

/** A new watch's record. */
export function newWatchRecord(
  deps: SlackDeps,
  o: {
    by: string;
    channel: string;
    threadTs: string;
    checks: string[];
    lang: Language;
    service?: string | undefined;
  },
): WatchRecord {
  const now = deps.now();
  return {
    watchId: randomUUID().slice(0, 8),
    state: 'watching',
    owner: deps.replicaId,
    heartbeat: now,
    startedMs: now,
    untilMs: now + settings(deps).forMs,
    ...o,
  };
}

/** The status to show when a watch starts. */
export function startingStatus(deps: SlackDeps, record: WatchRecord, report: string): WatchStatus {
  return {
    kind: 'watching',
    by: record.by,
    checks: record.checks,
    intervalSeconds: settings(deps).intervalMs / 1000,
    untilMs: record.untilMs,
    stopValue: encodeStopValue({ d: report, g: record.lang }),
    service: record.service,
  };
}

/** Stops every watch of this process (shutdown), waiting at most `graceMs` for their last word. */
export async function stopAllWatches(deps: SlackDeps, graceMs: number): Promise<void> {
  const running = [...deps.watches.values()];
  for (const w of running) w.abort.abort('shutdown');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled(running.map((w) => w.done)),
    new Promise((resolve) => {
      timer = setTimeout(resolve, graceMs);
    }),
  ]);
  clearTimeout(timer);
}
