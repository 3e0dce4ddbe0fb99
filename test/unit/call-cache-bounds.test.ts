/**
 * The in-process AWS answer cache stays bounded by what it holds, not only by its entry count: expired answers
 * are dropped (a storm's answers do not outlive their TTL), the JSON size of all answers is capped (least recently
 * used go first), and an answer larger than the per-value cap is not kept.
 */
import { describe, expect, it } from 'vitest';
import { approxJsonChars, MemoryCallCache } from '../../src/diagnosis/facts/call-cache.js';

const answer = (n: number, chars: number) => ({ n, pad: 'x'.repeat(chars) });

describe('MemoryCallCache bounds', () => {
  it('drops expired answers, not only when they are asked for again', async () => {
    let now = 0;
    const cache = new MemoryCallCache(5_000, () => now, { sweepEveryMs: 1_000 });
    for (let i = 0; i < 200; i++)
      await cache.run(`DescribeTasks|${i}`, async () => answer(i, 100), { ttlMs: 20_000 });
    expect(cache.size).toBe(200);
    const held = cache.chars;
    expect(held).toBeGreaterThan(200 * 100);
    now = 20_000;
    // Any later call sweeps: the 200 expired answers go, the new one stays.
    await cache.run('DescribeSubnets|a', async () => answer(0, 10), { ttlMs: 20_000 });
    expect(cache.size).toBe(1);
    expect(cache.chars).toBeLessThan(100);
    // Entries that are still live are kept by the sweep.
    now = 30_000;
    await cache.run('DescribeSubnets|b', async () => answer(1, 10), { ttlMs: 20_000 });
    expect(cache.size).toBe(2);
  });

  it('caps the JSON size held, evicting the least recently used answers first', async () => {
    const cache = new MemoryCallCache(5_000, Date.now, { maxTotalChars: 1_000 });
    let calls = 0;
    const fn = (i: number) => async () => {
      calls++;
      return answer(i, 300);
    };
    await cache.run('a', fn(1), { ttlMs: 60_000 });
    await cache.run('b', fn(2), { ttlMs: 60_000 });
    await cache.run('c', fn(3), { ttlMs: 60_000 });
    // 'a' read again: now the most recently used.
    expect((await cache.run('a', fn(1), { ttlMs: 60_000 })).cached).toBe(true);
    await cache.run('d', fn(4), { ttlMs: 60_000 });
    expect(cache.size).toBe(3);
    expect(cache.chars).toBeLessThanOrEqual(1_000);
    calls = 0;
    expect((await cache.run('a', fn(1), { ttlMs: 60_000 })).cached).toBe(true);
    expect((await cache.run('b', fn(2), { ttlMs: 60_000 })).cached).toBe(false);
    expect(calls).toBe(1);
  });

  it('does not keep an answer larger than the per-value cap, and accounts replaced entries once', async () => {
    const cache = new MemoryCallCache(5_000, Date.now, { maxValueChars: 500 });
    let calls = 0;
    const big = async () => {
      calls++;
      return answer(0, 1_000);
    };
    await cache.run('big', big, { ttlMs: 60_000 });
    expect((await cache.run('big', big, { ttlMs: 60_000 })).cached).toBe(false);
    expect(calls).toBe(2);
    expect(cache.size).toBe(0);
    expect(cache.chars).toBe(0);
    // A re-run (fresh) replaces the entry: its size is counted once.
    await cache.run('k', async () => answer(1, 100), { ttlMs: 60_000 });
    const one = cache.chars;
    await cache.run('k', async () => answer(2, 100), { ttlMs: 60_000, fresh: true });
    expect(cache.chars).toBe(one);
    expect(cache.size).toBe(1);
  });
});

describe('approxJsonChars: the size an answer counts for, without serializing it', () => {
  const answer = {
    $metadata: { httpStatusCode: 200, requestId: 'f00d', attempts: 1, totalRetryDelay: 0 },
    SecurityGroups: Array.from({ length: 40 }, (_, i) => ({
      GroupId: `sg-${String(i).padStart(17, '0')}`,
      GroupName: `group-${i}`,
      VpcId: 'vpc-0123456789abcdef0',
      IpPermissionsEgress: [
        { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], FromPort: 0, ToPort: 65535 },
      ],
      Tags: [{ Key: 'Name', Value: `the group number ${i}` }],
      Enabled: true,
      When: new Date('2026-11-29T00:00:00Z'),
    })),
  };
  it('is within a quarter of the JSON length of an AWS-shaped answer', () => {
    const json = JSON.stringify(answer).length;
    const approx = approxJsonChars(answer);
    expect(approx).toBeGreaterThan(json * 0.75);
    expect(approx).toBeLessThan(json * 1.25);
  });
  it('stops counting past the limit, and a cycle counts as too large', () => {
    expect(approxJsonChars(answer, 100)).toBeLessThan(1_000);
    expect(approxJsonChars(answer, 100)).toBeGreaterThan(100);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(approxJsonChars(cyclic)).toBe(Number.POSITIVE_INFINITY);
  });
});
