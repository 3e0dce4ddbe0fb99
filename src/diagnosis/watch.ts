/**
 * Watch until fixed: the checks a report found failing are run again every interval, reading only the facts those
 * checks need (plus the task's context), until they all pass or the watch runs out of time. Read-only like every
 * diagnosis; the CLI (`why --watch`) and the Slack Watch button share this loop.
 */
import { CHANGE_DEFAULTS } from './changes.js';
import { allChecks } from './checks/index.js';
import type { CheckResult } from './checks/types.js';
import { type DiagnoseDeps, type DiagnoseRequest, diagnose } from './diagnose.js';
import type { Report } from './report.js';

/** The checks worth watching in a report: those that failed. */
export function watchedChecks(report: Pick<Report, 'checks'>): string[] {
  return report.checks.filter((c) => c.status === 'fail').map((c) => c.id);
}

/** A service as a watch saw it (service-watch.ts). */
export interface ServiceLook {
  name: string;
  running: number;
  desired: number;
  pending: number;
  /** The primary deployment's rollout state: COMPLETED, IN_PROGRESS, FAILED. */
  rollout?: string | undefined;
  /** Tasks that failed to start since the look before, and their stop reasons (masked, at most 3). */
  newFailures: number;
  newFailureReasons: string[];
  /** Desired count running, nothing pending, no deployment rolling out or failed. */
  steady: boolean;
  /** The stopped tasks could not be listed or described (the action): new failures cannot be ruled out. */
  tasksUnreadable?: string | undefined;
}

/** One re-check. */
export interface WatchTick {
  /** ISO time of the re-check. */
  at: string;
  /** The watched checks' new results. */
  results: CheckResult[];
  /** Watched checks still failing. */
  failing: string[];
  /** Watched checks that could not be told this time (a denied call, the deadline). */
  unknown: string[];
  /** Every watched check passes, or no longer applies (warnings allowed): fixed. */
  fixed: boolean;
  /** AWS requests and sequential rounds of this re-check. */
  calls: number;
  rounds: number;
  /** A service watch: the service as this re-check saw it. */
  service?: ServiceLook | undefined;
}

/**
 * Runs the watched checks once, reading AWS afresh (the shared answer cache is bypassed). A check that cannot be
 * told this time (unknown) keeps the watch going: fixed means every watched check was seen to pass.
 */
export async function recheck(
  req: DiagnoseRequest,
  watched: readonly string[],
  deps: DiagnoseDeps,
): Promise<WatchTick> {
  const ids = new Set(watched);
  const checks = allChecks.filter((c) => ids.has(c.id));
  // What changed was said with the report: a re-check reads only the failing checks' facts, no CloudTrail lookup.
  const settings = { ...deps.settings, changes: { ...CHANGE_DEFAULTS, maxLookups: 0 } };
  const { report } = await diagnose(req, { ...deps, checks, fresh: true, settings });
  const results = report.checks.filter((c) => ids.has(c.id));
  const failing = results.filter((c) => c.status === 'fail').map((c) => c.id);
  const unknown = results.filter((c) => c.status === 'unknown').map((c) => c.id);
  return {
    at: new Date().toISOString(),
    results,
    failing,
    unknown,
    fixed: results.length > 0 && failing.length === 0 && unknown.length === 0,
    calls: report.aws.callCount,
    rounds: report.aws.rounds,
  };
}

export type WatchEnd =
  | { kind: 'fixed'; tick: WatchTick; ticks: number }
  | { kind: 'timeout'; tick: WatchTick | undefined; ticks: number }
  | { kind: 'stopped'; tick: WatchTick | undefined; ticks: number }
  /** A re-check could not run at all (the task is no longer readable, the role cannot be assumed). */
  | { kind: 'error'; error: unknown; tick: WatchTick | undefined; ticks: number };

export interface WatchLoopOptions {
  intervalMs: number;
  /** When the watch gives up (epoch ms). */
  untilMs: number;
  recheck: () => Promise<WatchTick>;
  /** After each re-check that did not end the watch. */
  onTick?: (tick: WatchTick, n: number) => void | Promise<void>;
  /** Before each re-check: false stops the watch (stopped elsewhere, on another replica). */
  shouldContinue?: () => boolean | Promise<boolean>;
  signal?: AbortSignal;
  now?: () => number;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Re-checks every interval until fixed, out of time, stopped (signal, or shouldContinue false) or a re-check
 * throws. The first re-check comes one interval after the start: the report itself was the check at time zero.
 */
export async function watchLoop(o: WatchLoopOptions): Promise<WatchEnd> {
  const now = o.now ?? Date.now;
  let last: WatchTick | undefined;
  let n = 0;
  for (;;) {
    const wait = Math.min(o.intervalMs, o.untilMs - now());
    if (wait <= 0) return { kind: 'timeout', tick: last, ticks: n };
    await sleep(wait, o.signal);
    if (o.signal?.aborted) return { kind: 'stopped', tick: last, ticks: n };
    if (o.shouldContinue && !(await o.shouldContinue())) return { kind: 'stopped', tick: last, ticks: n };
    try {
      last = await o.recheck();
    } catch (error) {
      return { kind: 'error', error, tick: last, ticks: n };
    }
    n++;
    if (last.fixed) return { kind: 'fixed', tick: last, ticks: n };
    if (o.signal?.aborted) return { kind: 'stopped', tick: last, ticks: n };
    await o.onTick?.(last, n);
  }
}
