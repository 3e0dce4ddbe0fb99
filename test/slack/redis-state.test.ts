/**
 * Shared state on a real redis-server (started by this file on a free port): the store's semantics match the
 * in-memory one, pacing is shared between replicas, and the AWS answer cache keeps what the SDK returns (Dates,
 * bytes, cacheable errors) across replicas, coalesces in process, and falls back to AWS when Redis is gone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyAwsError } from '../../src/aws/errors.js';
import { defaultConfig } from '../../src/config.js';
import { cachePolicyFor } from '../../src/diagnosis/facts/session.js';
import { isUserError } from '../../src/errors.js';
import { deserializeValue, RedisCallCache, RedisStore, serializeValue } from '../../src/state/redis.js';
import { createSharedState } from '../../src/state/shared.js';
import { nextTurn } from '../../src/state/store.js';
import { type RedisServer, redisForTests, startRedis } from '../helpers/redis-server.js';
import { captureLog } from '../helpers/slack-log.js';
import { claimsAcrossReplicas } from '../helpers/watch-claims.js';

const redis = redisForTests();

describe.skipIf(!redis.bin)(`shared state on Redis${redis.bin ? '' : ` (${redis.reason})`}`, () => {
  let server: RedisServer;

  beforeAll(async () => {
    server = await startRedis(redis.bin!);
  });
  afterAll(async () => {
    await server?.stop();
  });

  describe('RedisStore', () => {
    it('stores a key once until it expires, under the prefix and with a TTL', async () => {
      const c = server.client();
      const s = new RedisStore(c, 'test1:');
      expect(await s.setIfAbsent('a', { n: 1 }, 150)).toBe(true);
      expect(await s.setIfAbsent('a', { n: 2 }, 150)).toBe(false);
      expect(await s.get('a')).toEqual({ n: 1 });
      const ttl = await c.pttl('test1:a');
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(150);
      await new Promise((r) => setTimeout(r, 200));
      expect(await s.get('a')).toBeUndefined();
      expect(await s.setIfAbsent('a', { n: 3 }, 1000)).toBe(true);
      expect(await s.get('a')).toEqual({ n: 3 });
      await s.delete('a');
      expect(await s.get('a')).toBeUndefined();
      expect(await c.exists('test1:a')).toBe(0);
    });

    it('swaps a value in atomically: of two replicas swapping at once, each replaces a different value', async () => {
      const a = new RedisStore(server.client(), 'test-swap:');
      const b = new RedisStore(server.client(), 'test-swap:');
      expect(await a.swap('v', { n: 0 }, 10_000)).toBeUndefined();
      const seen = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).swap('v', { n: i + 1 }, 10_000)),
      );
      const previous = seen.map((x) => (x as { n: number }).n);
      expect(new Set(previous).size).toBe(40);
      const last = (await a.get<{ n: number }>('v'))!.n;
      // Every value but the last was replaced once, the first one included.
      expect([...previous, last].sort((x, y) => x - y)).toEqual(Array.from({ length: 41 }, (_, i) => i));
      const ttl = await server.client().pttl('test-swap:v');
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(10_000);
    });

    it('one watch per report across two replicas, taken over once when its replica stops', async () => {
      await claimsAcrossReplicas(new RedisStore(server.client(), 'test-watch:'));
    });

    it('lets exactly one of many claimants win, across two replicas', async () => {
      const a = new RedisStore(server.client(), 'test2:');
      const b = new RedisStore(server.client(), 'test2:');
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).setIfAbsent('alert:C1:1.2', 1, 60_000)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('paces a channel by the same rule as the memory store, shared by replicas', async () => {
      const a = new RedisStore(server.client(), 'test3:');
      const b = new RedisStore(server.client(), 'test3:');
      // Burst of 3, then one turn every 200 ms, whichever replica asks.
      const waits = [];
      for (let i = 0; i < 6; i++) waits.push(await (i % 2 ? a : b).schedule('pace:C1', 200, 3));
      expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
      expect(waits[3]).toBeGreaterThan(150);
      expect(waits[3]).toBeLessThanOrEqual(200);
      expect(waits[4]! - waits[3]!).toBeGreaterThan(180);
      expect(waits[5]! - waits[4]!).toBeGreaterThan(180);
      // Another channel has its own pace.
      expect(await a.schedule('pace:C2', 200, 3)).toBe(0);
      // The key expires once the queue is idle.
      const ttl = await server.client().pttl('test3:pace:C1');
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(200 * 7);
      // The rule itself, in memory: the same numbers.
      let tat: number | undefined;
      const mem: number[] = [];
      for (let i = 0; i < 5; i++) {
        const [w, next] = nextTurn(tat, 1000, 200, 3);
        mem.push(w);
        tat = next;
      }
      expect(mem).toEqual([0, 0, 0, 200, 400]);
    });
  });

  describe('RedisCallCache', () => {
    const describeTasks = () => ({
      $metadata: { httpStatusCode: 200, requestId: 'r-1' },
      tasks: [
        {
          taskArn: 'arn:aws:ecs:eu-west-1:431122334455:task/web/0123456789abcdef0123456789abcdef',
          createdAt: new Date('2026-11-28T09:12:40.123Z'),
          stoppedAt: new Date('2026-11-28T09:12:43.512Z'),
          containers: [{ name: 'app', exitCode: 0 }],
        },
      ],
      digest: new Uint8Array([1, 2, 250]),
      failures: [],
    });

    it('gives another replica the answer with its Dates and bytes intact, without calling AWS again', async () => {
      const { log } = captureLog();
      const a = new RedisCallCache(server.client(), 'test4:', { log });
      const b = new RedisCallCache(server.client(), 'test4:', { log });
      let calls = 0;
      const fn = async () => {
        calls++;
        return describeTasks();
      };
      const first = await a.run('ecs:DescribeTasks|431122334455|eu-west-1|{}', fn, { ttlMs: 20_000 });
      expect(first.cached).toBe(false);
      const second = await b.run('ecs:DescribeTasks|431122334455|eu-west-1|{}', fn, { ttlMs: 20_000 });
      expect(calls).toBe(1);
      expect(second.cached).toBe(true);
      const task = second.value.tasks[0]!;
      expect(task.createdAt).toBeInstanceOf(Date);
      expect(task.createdAt.toISOString()).toBe('2026-11-28T09:12:40.123Z');
      expect(task.stoppedAt.getTime()).toBe(first.value.tasks[0]!.stoppedAt.getTime());
      expect(second.value.digest).toEqual(new Uint8Array([1, 2, 250]));
      // $metadata is per request: not stored.
      expect((second.value as { $metadata?: unknown }).$metadata).toBeUndefined();
      // Stored under a hashed key with the policy's TTL.
      const key = a.redisKey('ecs:DescribeTasks|431122334455|eu-west-1|{}');
      expect(key).toMatch(/^test4:aws:[A-Za-z0-9_-]{43}$/);
      const ttl = await server.client().pttl(key);
      expect(ttl).toBeGreaterThan(19_000);
      expect(ttl).toBeLessThanOrEqual(20_000);
    });

    it('round-trips values that look like its markers only when they are its markers', () => {
      const v = {
        a: { $date: 'x', other: 1 },
        d: new Date('2020-01-02T03:04:05.000Z'),
        n: null,
        bad: new Date(Number.NaN),
      };
      const back = deserializeValue<typeof v>(serializeValue(v));
      expect(back.a).toEqual({ $date: 'x', other: 1 });
      expect(back.d).toEqual(new Date('2020-01-02T03:04:05.000Z'));
      expect(back.n).toBeNull();
      expect(Number.isNaN(back.bad.getTime())).toBe(true);
    });

    it('coalesces identical calls in flight in one process into one request', async () => {
      const { log } = captureLog();
      const cache = new RedisCallCache(server.client(), 'test5:', { log });
      let calls = 0;
      const fn = async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 30));
        return { Subnets: [{ SubnetId: 'subnet-1' }] };
      };
      const results = await Promise.all(
        Array.from({ length: 50 }, () => cache.run('k', fn, { ttlMs: 5_000 })),
      );
      expect(calls).toBe(1);
      expect(results.filter((r) => !r.cached)).toHaveLength(1);
      expect(results.every((r) => r.value.Subnets[0]!.SubnetId === 'subnet-1')).toBe(true);
    });

    it('reads fresh when asked (Re-run) and stores the new answer for the others', async () => {
      const { log } = captureLog();
      const a = new RedisCallCache(server.client(), 'test6:', { log });
      const b = new RedisCallCache(server.client(), 'test6:', { log });
      let n = 0;
      const fn = async () => ++n;
      await a.run('k', fn, { ttlMs: 10_000 });
      expect((await b.run('k', fn, { ttlMs: 10_000, fresh: true })).value).toBe(2);
      expect(await a.run('k', fn, { ttlMs: 10_000 })).toEqual({ value: 2, cached: true });
    });

    it('caches an error only when the policy says so, and replicas see it as the same AWS error', async () => {
      const { log } = captureLog();
      const a = new RedisCallCache(server.client(), 'test7:', { log });
      const b = new RedisCallCache(server.client(), 'test7:', { log });
      const denied = Object.assign(
        new Error(
          'User: arn:aws:sts::431122334455:assumed-role/ecs-pull-diagnostics/s is not authorized to perform: iam:SimulatePrincipalPolicy',
        ),
        { name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403, requestId: 'r-2' } },
      );
      let n = 0;
      const fail = async () => {
        n++;
        throw denied;
      };
      await expect(a.run('plain', fail, { ttlMs: 1000 })).rejects.toBe(denied);
      await expect(b.run('plain', fail, { ttlMs: 1000 })).rejects.toBe(denied);
      expect(n).toBe(2);
      const policy = cachePolicyFor('iam:SimulatePrincipalPolicy', {}, false);
      await expect(a.run('sim', fail, policy)).rejects.toBe(denied);
      const again = await b.run('sim', fail, policy).catch((e: unknown) => e);
      expect(n).toBe(3);
      expect(again).toMatchObject({
        name: 'AccessDenied',
        $cached: true,
        $metadata: { httpStatusCode: 403 },
      });
      expect(classifyAwsError(again, 'iam:SimulatePrincipalPolicy')).toMatchObject({
        kind: 'denied',
        code: 'AccessDenied',
      });
      const ttl = await server.client().pttl(a.redisKey('sim'));
      expect(ttl).toBeGreaterThan(590_000);
    });
  });

  describe('createSharedState', () => {
    it('is in memory without a URL, on Redis with one', async () => {
      const { log } = captureLog();
      const mem = await createSharedState(defaultConfig(), log);
      expect(mem.kind).toBe('memory');
      const shared = await createSharedState(
        defaultConfig({ redis: { url: server.url, keyPrefix: 'test8:' } }),
        log,
      );
      try {
        expect(shared.kind).toBe('redis');
        expect(await shared.store.setIfAbsent('x', 1, 1000)).toBe(true);
        expect(await server.client().get('test8:x')).toBe('1');
      } finally {
        await shared.close();
      }
    });

    it('refuses to start on a Redis it cannot reach, naming it without the password', async () => {
      const { log } = captureLog();
      const err = await createSharedState(
        defaultConfig({ redis: { url: 'redis://:s3cret-pass@127.0.0.1:1/2', keyPrefix: 'x:' } }),
        log,
      ).catch((e: unknown) => e);
      expect(isUserError(err)).toBe(true);
      const e = err as { key: string; params: Record<string, string> };
      expect(e.key).toBe('errors.config.invalid');
      expect(e.params.key).toBe('redis.url');
      expect(e.params.reason).toContain('redis://127.0.0.1:1/2 could not be reached');
      expect(e.params.reason).toContain('ECONNREFUSED');
      expect(JSON.stringify(e.params)).not.toContain('s3cret');
    });
  });
});

describe.skipIf(!redis.bin)(`a Redis outage${redis.bin ? '' : ` (${redis.reason})`}`, () => {
  it('sends AWS calls straight to AWS, logging the outage once', async () => {
    const server = await startRedis(redis.bin!);
    const captured = captureLog();
    const cache = new RedisCallCache(server.client(), 'test9:', { log: captured.log });
    await cache.run('k', async () => 1, { ttlMs: 10_000 });
    await server.kill();
    let calls = 0;
    const fn = async () => ++calls;
    const r1 = await cache.run('k', fn, { ttlMs: 10_000 });
    const r2 = await cache.run('k2', fn, { ttlMs: 10_000 });
    expect([r1, r2]).toEqual([
      { value: 1, cached: false },
      { value: 2, cached: false },
    ]);
    const warnings = captured.entries().filter((e) => String(e.msg).includes('calling AWS directly'));
    expect(warnings).toHaveLength(1);
    await server.stop();
  });
});
