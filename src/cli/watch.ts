/**
 * `ecs-pull why --watch` and `ecs-pull service --watch`: after the report, the failing checks (and, for a service,
 * the service itself) are looked at again every interval until fixed (exit 0) or the watch runs out of time (exit 4,
 * as for a failing check). One line per re-check; with --json, one JSON object per line (the report first), so that
 * a script can follow along.
 */
import { type ServiceLook, type WatchEnd, type WatchTick, watchLoop } from '../diagnosis/watch.js';
import { isUserError, UserError } from '../errors.js';
import { say } from '../render/text.js';
import type { CommandEnv } from './common.js';
import type { Io } from './io.js';

export interface WatchCliOptions {
  intervalSeconds: number;
  forSeconds: number;
  json: boolean;
}

/** What is watched: the report's failing checks, and a service's own state for a service. */
export interface WatchSubject {
  checks: string[];
  recheck: (checks: string[]) => Promise<WatchTick>;
  /** A service watch: its name, and whether there is anything to watch beyond the checks. */
  service?: { name: string; watch: boolean } | undefined;
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
    ...(tick.service ? { service: tick.service } : {}),
    aws: { calls: tick.calls, rounds: tick.rounds },
  });
}

/** Watches the subject; returns the exit code. */
export async function watchCli(
  io: Io,
  env: CommandEnv,
  o: WatchCliOptions,
  subject: WatchSubject,
): Promise<number> {
  const t = env.t;
  const watched = subject.checks;
  const service = subject.service;
  const line = (key: string, params: Record<string, unknown>) =>
    io.out(`${say(t, { key: `common:watch.${key}`, params: params as never })}\n`);
  const lookLine = (at: string, s: ServiceLook, calls: number) =>
    line('service-look', {
      at,
      service: s.name,
      running: s.running,
      desired: s.desired,
      pending: s.pending,
      count: s.newFailures,
      calls,
    });
  if (!watched.length && !service?.watch) {
    if (o.json) io.out(`${JSON.stringify({ kind: 'ecs-pull-watch-end', result: 'nothing', ticks: 0 })}\n`);
    else io.out(`${t(service ? 'common:watch.service-nothing' : 'common:watch.nothing')}\n`);
    return 0;
  }
  const untilMs = Date.now() + o.forSeconds * 1000;
  if (!o.json) {
    if (service)
      line(watched.length ? 'service-start-checks' : 'service-start', {
        service: service.name,
        checks: watched,
        count: watched.length,
        seconds: o.intervalSeconds,
        until: untilMs,
      });
    else
      line('start', { checks: watched, count: watched.length, seconds: o.intervalSeconds, until: untilMs });
  }
  const end: WatchEnd = await watchLoop({
    intervalMs: o.intervalSeconds * 1000,
    untilMs,
    recheck: () => subject.recheck(watched),
    onTick: (tick) => {
      if (o.json) {
        io.out(`${tickJson(tick)}\n`);
        return;
      }
      if (tick.service) lookLine(tick.at, tick.service, tick.calls);
      if (tick.failing.length) line('failing', { at: tick.at, checks: tick.failing, calls: tick.calls });
      else if (tick.unknown.length) line('unknown', { at: tick.at, checks: tick.unknown, calls: tick.calls });
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
    const s = end.tick.service;
    if (s)
      line('service-fixed', { at: end.tick.at, service: s.name, running: s.running, desired: s.desired });
    else {
      line('fixed', { at: end.tick.at, checks: watched, count: watched.length });
      io.out(`${t('common:watch.restart')}\n`);
    }
  } else if (end.kind === 'timeout') {
    const still = end.tick ? [...end.tick.failing, ...end.tick.unknown] : watched;
    const s = end.tick?.service;
    if (service)
      line('service-timeout', {
        at: new Date().toISOString(),
        service: service.name,
        running: s?.running ?? '?',
        desired: s?.desired ?? '?',
      });
    if (still.length || !service)
      line('timeout', {
        at: new Date().toISOString(),
        checks: still.length ? still : watched,
        count: still.length || watched.length,
      });
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
