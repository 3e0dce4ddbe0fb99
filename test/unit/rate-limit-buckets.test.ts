/**
 * Token buckets (issue 13, finding 7): the rule both stores share, its bound as a property (never more than
 * capacity + elapsed / interval tokens granted), all-or-nothing takes over several buckets, and the in-memory store.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryStore, type TokenTake, takeTokens } from '../../src/state/store.js';

const bucket = (key: string, capacity: number, intervalMs: number, cost: number): TokenTake => ({
  key,
  capacity,
  intervalMs,
  cost,
});

describe('takeTokens (the rule)', () => {
  it('grants a burst of capacity, then one token per interval, and says how long to wait', () => {
    let fullAt: (number | undefined)[] = [undefined];
    const take = (now: number, cost = 1) => {
      const r = takeTokens(fullAt, now, [bucket('u', 3, 1_000, cost)]);
      fullAt = r.fullAt;
      return r.grant;
    };
    expect(take(0)).toEqual({ granted: true });
    expect(take(0)).toEqual({ granted: true });
    expect(take(0)).toEqual({ granted: true });
    expect(take(0)).toEqual({ granted: false, index: 0, retryAfterMs: 1_000 });
    expect(take(400)).toEqual({ granted: false, index: 0, retryAfterMs: 600 });
    expect(take(1_000)).toEqual({ granted: true });
    expect(take(1_000)).toMatchObject({ granted: false });
    // Two tokens at once need two intervals' refill.
    expect(take(2_000, 2)).toEqual({ granted: false, index: 0, retryAfterMs: 1_000 });
    expect(take(3_000, 2)).toEqual({ granted: true });
    // Idle for long enough: full again, and no fuller than capacity.
    expect(take(60_000, 3)).toEqual({ granted: true });
    expect(take(60_000)).toMatchObject({ granted: false });
  });

  it('takes from every bucket or none, and names the bucket that needs longest', () => {
    const takes = [bucket('user', 10, 1_000, 4), bucket('channel', 5, 2_000, 4), bucket('acct', 4, 500, 4)];
    const first = takeTokens([undefined, undefined, undefined], 0, takes);
    expect(first.grant).toEqual({ granted: true });
    expect(first.fullAt).toEqual([4_000, 8_000, 2_000]);
    // user would grant, channel needs 3 more tokens (6 s), acct 4 more (2 s): channel is named, nothing taken.
    const second = takeTokens(first.fullAt, 0, takes);
    expect(second.grant).toEqual({ granted: false, index: 1, retryAfterMs: 6_000 });
    expect(second.fullAt).toEqual(first.fullAt);
  });

  it('a cost above capacity is never granted; a cost of 0 takes nothing', () => {
    expect(takeTokens([undefined], 0, [bucket('u', 3, 1_000, 4)]).grant).toMatchObject({ granted: false });
    expect(takeTokens([2_000], 0, [bucket('u', 3, 1_000, 0)])).toEqual({
      grant: { granted: true },
      fullAt: [2_000],
    });
  });

  const step = fc.record({ dt: fc.integer({ min: 0, max: 5_000 }), cost: fc.integer({ min: 0, max: 12 }) });

  it('property: over any span, never more than capacity + span / interval tokens granted', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.array(step, { minLength: 1, maxLength: 200 }),
        (capacity, intervalMs, steps) => {
          let fullAt: number | undefined;
          let now = 1_000_000;
          const grants: Array<{ at: number; n: number }> = [];
          for (const s of steps) {
            now += s.dt;
            const r = takeTokens([fullAt], now, [bucket('k', capacity, intervalMs, s.cost)]);
            fullAt = r.fullAt[0];
            if (r.grant.granted) grants.push({ at: now, n: s.cost });
            else {
              // A refusal's wait is honest: after it, the same request fits (nothing else took meanwhile).
              expect(r.grant.retryAfterMs).toBeGreaterThan(0);
              if (s.cost <= capacity) {
                const later = takeTokens([fullAt], now + r.grant.retryAfterMs, [
                  bucket('k', capacity, intervalMs, s.cost),
                ]);
                expect(later.grant.granted).toBe(true);
              }
            }
          }
          // Every window [i, j] of grants.
          for (let i = 0; i < grants.length; i++) {
            let sum = 0;
            for (let j = i; j < grants.length; j++) {
              sum += grants[j]!.n;
              expect(sum).toBeLessThanOrEqual(capacity + (grants[j]!.at - grants[i]!.at) / intervalMs);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: after capacity × interval of quiet, any cost up to capacity is granted', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.array(step, { maxLength: 50 }),
        fc.integer({ min: 0, max: 20 }),
        (capacity, intervalMs, steps, last) => {
          let fullAt: number | undefined;
          let now = 0;
          for (const s of steps) {
            now += s.dt;
            fullAt = takeTokens([fullAt], now, [bucket('k', capacity, intervalMs, s.cost)]).fullAt[0];
          }
          now += capacity * intervalMs;
          const cost = Math.min(last, capacity);
          expect(takeTokens([fullAt], now, [bucket('k', capacity, intervalMs, cost)]).grant.granted).toBe(
            true,
          );
        },
      ),
    );
  });
});

describe('MemoryStore.takeTokens', () => {
  it('keeps one bucket per key, on its clock, and forgets full ones', async () => {
    let now = 0;
    const s = new MemoryStore({ now: () => now });
    const u = (cost: number) => [bucket('rate:user:a', 2, 1_000, cost)];
    expect(await s.takeTokens(u(2))).toEqual({ granted: true });
    expect(await s.takeTokens(u(1))).toEqual({ granted: false, index: 0, retryAfterMs: 1_000 });
    // Another key is another bucket.
    expect(await s.takeTokens([bucket('rate:user:b', 2, 1_000, 2)])).toEqual({ granted: true });
    now = 1_000;
    expect(await s.takeTokens(u(1))).toEqual({ granted: true });
    // A refusal over several buckets takes from none of them.
    now = 10_000;
    expect(
      await s.takeTokens([bucket('rate:user:a', 2, 1_000, 1), bucket('rate:channel:c', 1, 1_000, 2)]),
    ).toEqual({
      granted: false,
      index: 1,
      retryAfterMs: 1_000,
    });
    expect(await s.takeTokens(u(2))).toEqual({ granted: true });
  });

  it('stays bounded: full buckets are dropped, and past 10,000 busy ones the oldest are forgiven', async () => {
    let now = 0;
    const s = new MemoryStore({ now: () => now });
    for (let i = 0; i < 12_000; i++) await s.takeTokens([bucket(`k${i}`, 1, 60_000, 1)]);
    const buckets = (s as unknown as { buckets: Map<string, number> }).buckets;
    expect(buckets.size).toBeLessThanOrEqual(10_001);
    now = 120_000;
    await s.takeTokens([bucket('late', 1, 1, 1)]);
    expect(buckets.size).toBeLessThanOrEqual(1);
  });
});
