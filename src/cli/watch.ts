/**
 * `ecs-pull why --watch`: after the report, the failing checks run again every interval until they pass (exit 0)
 * or the watch runs out of time (exit 4, as for a failing check). One line per re-check; with --json, one JSON
 * object per line (the report first), so that a script can follow along.
 */
import type { DiagnoseDeps, DiagnoseRequest } from '../diagnosis/diagnose.js';
import type { Report } from '../diagnosis/report.js';
import { recheck, type WatchEnd, type WatchTick, watchedChecks, watchLoop } from '../diagnosis/watch.js';
import { isUserError, UserError } from '../errors.js';
import { say } from '../render/text.js';
import type { CommandEnv } from './common.js';
import type { Io } from './io.js';

export interface WatchCliOptions {
  intervalSeconds: number;
  forSeconds: number;
  json: boolean;
}

/** The exit code of a watch that ended with checks still failing. */
export const WATCH_STILL_FAILING = 4;

function tickJson(tick: WatchTick): string {
  return JSON.stringify({
    kind: 'ecs-pull-watch-tick',
    at: tick.at,
    fixed: tick.fixed,
    failing: tick.failing,
    unknown: tick.unknown,
    checks: tick.results.map((r) => ({ id: r.id, status: r.status })),
    aws: { calls: tick.calls, rounds: tick.rounds },
  });
}

/** Watches the report's failing checks; returns the exit code. */
export async function watchCli(
  io: Io,
  env: CommandEnv,
  report: Report,
  req: DiagnoseRequest,
  deps: DiagnoseDeps,
  o: WatchCliOptions,
): Promise<number> {
  const t = env.t;
  const watched = watchedChecks(report);
  const line = (key: string, params: Record<string, unknown>) =>
    io.out(`${say(t, { key: `common:watch.${key}`, params: params as never })}\n`);
  if (!watched.length) {
    if (o.json) io.out(`${JSON.stringify({ kind: 'ecs-pull-watch-end', result: 'nothing', ticks: 0 })}\n`);
    else io.out(`${t('common:watch.nothing')}\n`);
    return 0;
  }
  const untilMs = Date.now() + o.forSeconds * 1000;
  if (!o.json) line('start', { checks: watched, seconds: o.intervalSeconds, until: untilMs });
  const end: WatchEnd = await watchLoop({
    intervalMs: o.intervalSeconds * 1000,
    untilMs,
    recheck: () => recheck(req, watched, deps),
    onTick: (tick) => {
      if (o.json) io.out(`${tickJson(tick)}\n`);
      else if (tick.failing.length) line('failing', { at: tick.at, checks: tick.failing, calls: tick.calls });
      else line('unknown', { at: tick.at, checks: tick.unknown, calls: tick.calls });
    },
  });
  if (o.json) {
    if (end.tick && end.kind === 'fixed') io.out(`${tickJson(end.tick)}\n`);
    io.out(
      `${JSON.stringify({
        kind: 'ecs-pull-watch-end',
        result: end.kind,
        ticks: end.ticks,
        ...(end.kind === 'error' ? { error: errorText(env, end.error) } : {}),
      })}\n`,
    );
  } else if (end.kind === 'fixed') {
    line('fixed', { at: end.tick.at, checks: watched });
    io.out(`${t('common:watch.restart')}\n`);
  } else if (end.kind === 'timeout') {
    const still = end.tick ? [...end.tick.failing, ...end.tick.unknown] : watched;
    line('timeout', { at: new Date().toISOString(), checks: still.length ? still : watched });
  } else if (end.kind === 'error') {
    io.out(`${t('common:watch.error', { reason: errorText(env, end.error) })}\n`);
  }
  if (end.kind === 'fixed') return 0;
  if (end.kind === 'error' && !isUserError(end.error)) throw end.error;
  return WATCH_STILL_FAILING;
}

function errorText(env: CommandEnv, err: unknown): string {
  if (err instanceof UserError) return String(env.t(err.key, err.params));
  return (err as Error)?.message ?? String(err);
}
