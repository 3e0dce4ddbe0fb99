/** Claims of a report's watch by two replicas over one store (memory or Redis), with a clock the test moves. */
import { expect } from 'vitest';
import { defaultConfig } from '../../src/config.js';
import type { SlackDeps } from '../../src/slack/deps.js';
import { claimWatch, newWatchRecord, type WatchRecord, watchKey } from '../../src/slack/watch.js';
import type { StateStore } from '../../src/state/store.js';
import { captureLog } from './slack-log.js';

/** Two replicas' dependencies over one store, with a clock each test moves. */
function replicas(store: StateStore) {
  let now = 1_800_000_000_000;
  const config = defaultConfig({ watch: { intervalSeconds: 60, maxMinutes: 30 } });
  const make = (replicaId: string) =>
    ({ store, config, replicaId, now: () => now, log: captureLog().log }) as Partial<SlackDeps> as SlackDeps;
  return {
    a: make('replica-a'),
    b: make('replica-b'),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

export async function claimsAcrossReplicas(store: StateStore) {
  const { a, b, advance } = replicas(store);
  const report = `r${Math.random().toString(16).slice(2, 10)}`;
  const rec = (deps: SlackDeps) =>
    newWatchRecord(deps, { by: 'U1', channel: 'C1', threadTs: '1.1', checks: ['image.exists'], lang: 'en' });
  const first = await Promise.all([claimWatch(a, report, rec(a)), claimWatch(b, report, rec(b))]);
  expect(first.filter((c) => c.ok)).toHaveLength(1);
  // Its replica keeps beating: nobody takes it over.
  advance(60_000);
  expect((await claimWatch(b, report, rec(b))).ok).toBe(false);
  // Its replica went quiet past two intervals and the deadline: one of two takers wins.
  advance(10 * 60_000);
  const takeover = await Promise.all([claimWatch(a, report, rec(a)), claimWatch(b, report, rec(b))]);
  expect(takeover.filter((c) => c.ok)).toHaveLength(1);
  const held = (await store.get<WatchRecord>(watchKey(report)))!;
  expect(held.heartbeat).toBeGreaterThan(1_800_000_000_000 + 60_000);
  // A stopped watch can be watched again at once.
  await store.swap(watchKey(report), { ...held, state: 'stopped' }, 60_000);
  expect((await claimWatch(a, report, rec(a))).ok).toBe(true);
}
