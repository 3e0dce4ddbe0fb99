/** The state store: set-if-absent wins once, entries expire, the store stays bounded, values are copies. */
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/state/store.js';

describe('MemoryStore', () => {
  it('stores a key once until it expires', async () => {
    let now = 1_000;
    const s = new MemoryStore({ now: () => now });
    expect(await s.setIfAbsent('a', { n: 1 }, 100)).toBe(true);
    expect(await s.setIfAbsent('a', { n: 2 }, 100)).toBe(false);
    expect(await s.get('a')).toEqual({ n: 1 });
    now += 99;
    expect(await s.get('a')).toEqual({ n: 1 });
    now += 1;
    expect(await s.get('a')).toBeUndefined();
    expect(await s.setIfAbsent('a', { n: 3 }, 100)).toBe(true);
    expect(await s.get('a')).toEqual({ n: 3 });
  });

  it('lets exactly one of many concurrent claimants win', async () => {
    const s = new MemoryStore();
    const results = await Promise.all(
      Array.from({ length: 50 }, () => s.setIfAbsent('event:Ev1', 1, 60_000)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('swaps a value in, returning what it replaced (nothing once expired)', async () => {
    let now = 1_000;
    const s = new MemoryStore({ now: () => now });
    expect(await s.swap('v', { n: 1 }, 100)).toBeUndefined();
    expect(await s.swap('v', { n: 2 }, 100)).toEqual({ n: 1 });
    expect(await s.get('v')).toEqual({ n: 2 });
    now += 100;
    expect(await s.swap('v', { n: 3 }, 100)).toBeUndefined();
    expect(await s.get('v')).toEqual({ n: 3 });
    // Concurrent swaps each see a different previous value: every value is replaced exactly once.
    const seen = await Promise.all(Array.from({ length: 20 }, (_, i) => s.swap('v', { n: 10 + i }, 1000)));
    const previous = seen.map((x) => (x as { n: number }).n).sort((a, b) => a - b);
    expect(new Set(previous).size).toBe(20);
    expect(previous).toContain(3);
    expect(s.size).toBe(1);
  });

  it('returns copies: changing a value read does not change what is stored', async () => {
    const s = new MemoryStore();
    await s.setIfAbsent('k', { list: [1] }, 1000);
    const v = (await s.get<{ list: number[] }>('k'))!;
    v.list.push(2);
    expect(await s.get('k')).toEqual({ list: [1] });
  });

  it('evicts the oldest entries past its bounds (entries and characters)', async () => {
    const s = new MemoryStore({ maxEntries: 3 });
    for (const k of ['a', 'b', 'c', 'd']) await s.setIfAbsent(k, k, 60_000);
    expect(s.size).toBe(3);
    expect(await s.get('a')).toBeUndefined();
    expect(await s.get('d')).toBe('d');

    const small = new MemoryStore({ maxTotalChars: 100 });
    await small.setIfAbsent('x', 'x'.repeat(60), 60_000);
    await small.setIfAbsent('y', 'y'.repeat(60), 60_000);
    expect(await small.get('x')).toBeUndefined();
    expect(await small.get('y')).toBe('y'.repeat(60));
    await expect(small.setIfAbsent('z', 'z'.repeat(200), 1000)).rejects.toThrow(/larger than the store/);
  });

  it('drops expired entries before evicting live ones', async () => {
    let now = 0;
    const s = new MemoryStore({ maxEntries: 2, now: () => now });
    await s.setIfAbsent('old', 1, 10);
    await s.setIfAbsent('live', 2, 1000);
    now = 20;
    await s.setIfAbsent('new', 3, 1000);
    expect(await s.get('live')).toBe(2);
    expect(await s.get('new')).toBe(3);
  });

  it('deletes a key (a claim given up), so that the next claimant wins', async () => {
    const s = new MemoryStore();
    expect(await s.setIfAbsent('storm:k:lead', 1, 60_000)).toBe(true);
    expect(await s.setIfAbsent('storm:k:lead', 1, 60_000)).toBe(false);
    await s.delete('storm:k:lead');
    await s.delete('never-set');
    expect(await s.setIfAbsent('storm:k:lead', 2, 60_000)).toBe(true);
  });

  it('paces each queue: a burst after a quiet spell, then one turn per interval, queues apart', async () => {
    let now = 10_000;
    const s = new MemoryStore({ now: () => now });
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) waits.push(await s.schedule('pace:C1', 1000, 3));
    expect(waits).toEqual([0, 0, 0, 1000, 2000, 3000]);
    expect(await s.schedule('pace:C2', 1000, 3)).toBe(0);
    // 2.5 s later the booked turns have partly passed: the next one is 3.5 s after the first burst's end.
    now += 2_500;
    expect(await s.schedule('pace:C1', 1000, 3)).toBe(1500);
    // After a long quiet spell the burst is available again.
    now += 60_000;
    expect([
      await s.schedule('pace:C1', 1000, 3),
      await s.schedule('pace:C1', 1000, 3),
      await s.schedule('pace:C1', 1000, 3),
      await s.schedule('pace:C1', 1000, 3),
    ]).toEqual([0, 0, 0, 1000]);
    // Burst 1: strictly one per interval.
    expect([await s.schedule('pace:C3', 500, 1), await s.schedule('pace:C3', 500, 1)]).toEqual([0, 500]);
  });
});
