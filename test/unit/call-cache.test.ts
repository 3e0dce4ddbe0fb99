import { describe, expect, it } from 'vitest';
import { MemoryCallCache } from '../../src/diagnosis/facts/call-cache.js';
import { cachePolicyFor } from '../../src/diagnosis/facts/session.js';

describe('MemoryCallCache: shared AWS answers', () => {
  it('coalesces concurrent identical calls into one and serves repeats until they expire', async () => {
    let now = 0;
    const cache = new MemoryCallCache(100, () => now);
    let calls = 0;
    const fn = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 20));
      return { Subnets: [{ SubnetId: 'subnet-1' }] };
    };
    const policy = { ttlMs: 1000 };
    const results = await Promise.all(Array.from({ length: 50 }, () => cache.run('k', fn, policy)));
    expect(calls).toBe(1);
    expect(results.filter((r) => !r.cached)).toHaveLength(1);
    expect((await cache.run('k', fn, policy)).cached).toBe(true);
    now = 1001;
    expect((await cache.run('k', fn, policy)).cached).toBe(false);
    expect(calls).toBe(2);
  });

  it('reads fresh on request but still refreshes the entry', async () => {
    const cache = new MemoryCallCache();
    let n = 0;
    const fn = async () => ++n;
    await cache.run('k', fn, { ttlMs: 10_000 });
    expect((await cache.run('k', fn, { ttlMs: 10_000, fresh: true })).value).toBe(2);
    expect((await cache.run('k', fn, { ttlMs: 10_000 })).value).toBe(2);
  });

  it('does not cache errors unless the policy says so, and then marks them as cached', async () => {
    const cache = new MemoryCallCache();
    const denied = Object.assign(new Error('not authorized to perform: iam:SimulatePrincipalPolicy'), {
      name: 'AccessDenied',
    });
    let n = 0;
    const fail = async () => {
      n++;
      throw denied;
    };
    await expect(cache.run('a', fail, { ttlMs: 1000 })).rejects.toBe(denied);
    await expect(cache.run('a', fail, { ttlMs: 1000 })).rejects.toBe(denied);
    expect(n).toBe(2);
    const policy = cachePolicyFor('iam:SimulatePrincipalPolicy', {}, false);
    await expect(cache.run('b', fail, policy)).rejects.toBe(denied);
    const again = await cache.run('b', fail, policy).catch((e) => e);
    expect(n).toBe(3);
    expect(again).toMatchObject({ name: 'AccessDenied', $cached: true });
  });

  it('keeps AWS-managed policy documents longer than account facts, and stays bounded', async () => {
    expect(
      cachePolicyFor(
        'iam:GetPolicyVersion',
        { PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy' },
        false,
      ).ttlMs,
    ).toBe(600_000);
    expect(
      cachePolicyFor('iam:GetPolicyVersion', { PolicyArn: 'arn:aws:iam::210987654321:policy/mine' }, false)
        .ttlMs,
    ).toBe(20_000);
    const cache = new MemoryCallCache(10);
    for (let i = 0; i < 100; i++) await cache.run(`k${i}`, async () => i, { ttlMs: 60_000 });
    expect(cache.size).toBe(10);
  });
});
