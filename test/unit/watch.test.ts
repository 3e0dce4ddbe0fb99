/**
 * Watch until fixed: the loop ends as soon as the watched checks pass, when time runs out, when stopped (signal or
 * elsewhere) or when a re-check cannot run; a watch of one report is claimed by one replica at a time, taken over
 * only once its replica stopped beating or it was stopped.
 */
import { describe, expect, it } from 'vitest';
import { type WatchTick, watchedChecks, watchLoop } from '../../src/diagnosis/watch.js';
import { decodeStopValue, decodeWatchValue, encodeWatchValue } from '../../src/slack/watch-protocol.js';
import { MemoryStore } from '../../src/state/store.js';
import { claimsAcrossReplicas } from '../helpers/watch-claims.js';

function tick(failing: string[], unknown: string[] = []): WatchTick {
  return {
    at: new Date().toISOString(),
    results: [],
    failing,
    unknown,
    fixed: failing.length === 0 && unknown.length === 0,
    calls: 3,
    rounds: 2,
  };
}

describe('watchLoop', () => {
  it('re-checks every interval until fixed', async () => {
    const answers = [tick(['image.exists']), tick([], ['image.exists']), tick([])];
    const seen: number[] = [];
    const end = await watchLoop({
      intervalMs: 5,
      untilMs: Date.now() + 5_000,
      recheck: async () => answers.shift()!,
      onTick: (_t, n) => {
        seen.push(n);
      },
    });
    expect(end).toMatchObject({ kind: 'fixed', ticks: 3 });
    // An unknown re-check is not a fix: it keeps watching.
    expect(seen).toEqual([1, 2]);
  });

  it('gives up when time runs out, with the last re-check', async () => {
    const end = await watchLoop({
      intervalMs: 5,
      untilMs: Date.now() + 40,
      recheck: async () => tick(['a']),
    });
    expect(end.kind).toBe('timeout');
    expect(end.tick?.failing).toEqual(['a']);
    expect(end.ticks).toBeGreaterThanOrEqual(2);
  });

  it('stops at once on its signal, and before a re-check when stopped elsewhere', async () => {
    const abort = new AbortController();
    const pending = watchLoop({
      intervalMs: 60_000,
      untilMs: Date.now() + 600_000,
      signal: abort.signal,
      recheck: async () => tick(['a']),
    });
    setTimeout(() => abort.abort('stopped'), 10);
    const started = Date.now();
    expect(await pending).toMatchObject({ kind: 'stopped', ticks: 0 });
    expect(Date.now() - started).toBeLessThan(1_000);

    let checks = 0;
    const end = await watchLoop({
      intervalMs: 5,
      untilMs: Date.now() + 5_000,
      shouldContinue: () => checks < 2,
      recheck: async () => {
        checks++;
        return tick(['a']);
      },
    });
    expect(end).toMatchObject({ kind: 'stopped', ticks: 2 });
  });

  it('ends with the error when a re-check cannot run', async () => {
    const boom = new Error('task gone');
    const end = await watchLoop({
      intervalMs: 5,
      untilMs: Date.now() + 5_000,
      recheck: async () => {
        throw boom;
      },
    });
    expect(end).toMatchObject({ kind: 'error', error: boom, ticks: 0 });
  });

  it('watches the failing checks only', () => {
    expect(
      watchedChecks({
        checks: [
          { id: 'a', status: 'fail' },
          { id: 'b', status: 'warn' },
          { id: 'c', status: 'unknown' },
          { id: 'd', status: 'fail' },
        ] as never,
      }),
    ).toEqual(['a', 'd']);
  });
});

describe('claimWatch', () => {
  it('one watch per report across replicas; taken over once when its replica stops', async () => {
    await claimsAcrossReplicas(new MemoryStore());
  });
});

describe('watch button values', () => {
  it('round-trips and refuses anything else', () => {
    const v = { k: 'abc123', d: 'a1b2c3d4', g: 'it' } as const;
    expect(decodeWatchValue(encodeWatchValue(v))).toEqual(v);
    for (const bad of ['', 'x', '{"k":"../","d":"a","g":"en"}', '{"k":"a","d":"a","g":"de"}']) {
      expect(decodeWatchValue(bad)).toBeUndefined();
    }
    expect(decodeStopValue('{"d":"a1","g":"en"}')).toEqual({ d: 'a1', g: 'en' });
    expect(decodeStopValue('{"d":"a b","g":"en"}')).toBeUndefined();
  });
});
