/**
 * Token buckets on a real redis-server (started by this file): RedisStore.takeTokens follows the same rule as the
 * in-memory store, atomically across replicas (all buckets or none), keys under the prefix that expire once the
 * bucket is full again; two replicas' rate limits agree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTaskTarget } from '../../src/aws/target.js';
import { defaultConfig } from '../../src/config.js';
import { isRateLimited, RateLimits } from '../../src/slack/rate-limit.js';
import { RedisStore } from '../../src/state/redis.js';
import { MemoryStore, type TokenTake } from '../../src/state/store.js';
import { type RedisServer, redisForTests, startRedis } from '../helpers/redis-server.js';
import { captureLog } from '../helpers/slack-log.js';

const redis = redisForTests();

const bucket = (key: string, capacity: number, intervalMs: number, cost: number): TokenTake => ({
  key,
  capacity,
  intervalMs,
  cost,
});

describe.skipIf(!redis.bin)(`token buckets on Redis${redis.bin ? '' : ` (${redis.reason})`}`, () => {
  let server: RedisServer;

  beforeAll(async () => {
    server = await startRedis(redis.bin!);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('grants a burst, then refuses with the wait, like the memory store', async () => {
    const s = new RedisStore(server.client(), 'rate1:');
    const m = new MemoryStore();
    for (const store of [s, m]) {
      const take = (cost: number) => store.takeTokens([bucket('rate:user:a', 3, 10_000, cost)]);
      expect(await take(2)).toEqual({ granted: true });
      expect(await take(1)).toEqual({ granted: true });
      const refused = await take(2);
      expect(refused).toMatchObject({ granted: false, index: 0 });
      // Two tokens short minus the little time that passed: between 19 and 20 s.
      const wait = (refused as { retryAfterMs: number }).retryAfterMs;
      expect(wait).toBeGreaterThan(19_000);
      expect(wait).toBeLessThanOrEqual(20_000);
    }
  });

  it('stores the full-again time under the prefix, expiring when the bucket is full', async () => {
    const c = server.client();
    const s = new RedisStore(c, 'rate2:');
    expect(await s.takeTokens([bucket('rate:user:a', 5, 200, 2)])).toEqual({ granted: true });
    const ttl = await c.pttl('rate2:rate:user:a');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(400);
    await new Promise((r) => setTimeout(r, 450));
    expect(await c.exists('rate2:rate:user:a')).toBe(0);
    // Full again: the whole burst.
    expect(await s.takeTokens([bucket('rate:user:a', 5, 200, 5)])).toEqual({ granted: true });
  });

  it('takes from every bucket or none, naming the one that needs longest', async () => {
    const c = server.client();
    const s = new RedisStore(c, 'rate3:');
    expect(await s.takeTokens([bucket('rate:channel:c', 2, 60_000, 2)])).toEqual({ granted: true });
    const r = await s.takeTokens([
      bucket('rate:user:a', 10, 60_000, 1),
      bucket('rate:channel:c', 2, 60_000, 1),
      bucket('rate:account:x', 10, 60_000, 1),
    ]);
    expect(r).toMatchObject({ granted: false, index: 1 });
    // Nothing was taken from the others.
    expect(await c.exists('rate3:rate:user:a')).toBe(0);
    expect(await c.exists('rate3:rate:account:x')).toBe(0);
    expect(await s.takeTokens([])).toEqual({ granted: true });
  });

  it('is atomic across replicas: 60 concurrent takes from two clients grant exactly the burst', async () => {
    const a = new RedisStore(server.client(), 'rate4:');
    const b = new RedisStore(server.client(), 'rate4:');
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        (i % 2 ? a : b).takeTokens([
          bucket('rate:user:a', 10, 600_000, 1),
          bucket('rate:channel:c', 25, 600_000, 1),
        ]),
      ),
    );
    expect(results.filter((r) => r.granted)).toHaveLength(10);
  });

  it('two replicas’ rate limits agree: a person’s burst is 10 in all, whichever replica answers', async () => {
    const limits = defaultConfig().slack.limits;
    const replicas = [0, 1].map(
      () => new RateLimits(limits, new RedisStore(server.client(), 'rate5:'), captureLog().log),
    );
    const target = (i: number) =>
      parseTaskTarget(`arn:aws:ecs:eu-west-1:111111111111:task/prod/${i.toString(16).padStart(32, '0')}`);
    let granted = 0;
    let refused = 0;
    for (let i = 0; i < 16; i++) {
      const t = [{ target: target(i) }];
      try {
        await replicas[i % 2]!.admit({
          surface: 'command',
          requester: 'slack-T1-U1',
          channel: 'C0REDISRL1',
          named: t,
          allowed: t,
        });
        granted++;
      } catch (err) {
        if (!isRateLimited(err)) throw err;
        expect(err.scope).toBe('user');
        refused++;
      }
    }
    expect([granted, refused]).toEqual([10, 6]);
  });
});
