/**
 * Shared state on Redis, for several replicas of the bot: the StateStore (dedupe marks, storm groups, reply
 * state, posting pace) and the AWS answer cache. Every key starts with the configured prefix and has a TTL, so
 * Redis never holds anything ecs-pull forgets to delete.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CachePolicy, SharedCallCache } from '../diagnosis/facts/session.js';
import type { Logger } from '../log.js';
import type { StateStore, TokenGrant, TokenTake } from './store.js';

/**
 * GCRA pacing in one atomic step, on Redis' clock (replicas' clocks may differ): KEYS[1] holds the theoretical
 * arrival time in ms; ARGV = interval, burst tolerance. Returns the wait in ms. Same rule as nextTurn().
 */
const SCHEDULE_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local go = tat - tolerance
if go < now then go = now end
local nexttat = tat + interval
redis.call('SET', KEYS[1], nexttat, 'PX', nexttat - now + interval)
return go - now
`;

/**
 * Token buckets in one atomic step, on Redis' clock: takeTokens() of store.ts over KEYS (each holds the time its
 * bucket is full again, in ms, and expires then); ARGV = interval, capacity, cost for each key in turn. Takes from
 * every bucket or none. Returns {1}, or {0, index (0-based) of the bucket that needs longest, its wait in ms}.
 */
const TAKE_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nexts = {}
local worst = 0
local worstWait = 0
for i = 1, #KEYS do
  local interval = tonumber(ARGV[3 * i - 2])
  local capacity = tonumber(ARGV[3 * i - 1])
  local cost = tonumber(ARGV[3 * i])
  local from = tonumber(redis.call('GET', KEYS[i]) or '0')
  if from < now then from = now end
  local after = from + cost * interval
  local over = after - now - capacity * interval
  if over > 0 and over > worstWait then
    worst = i
    worstWait = over
  end
  nexts[i] = after
end
if worst > 0 then return {0, worst - 1, worstWait} end
for i = 1, #KEYS do
  if nexts[i] > now then redis.call('SET', KEYS[i], nexts[i], 'PX', nexts[i] - now) end
end
return {1}
`;

/** SET with GET in one step (SET … GET needs Redis 6.2; a script works on every version the bot supports). */
const SWAP_LUA = `
local old = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return old
`;

export class RedisStore implements StateStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async get<T>(key: string): Promise<T | undefined> {
    const raw = await this.redis.get(this.prefix + key);
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  async setIfAbsent<T>(key: string, value: T, ttlMs: number): Promise<boolean> {
    const r = await this.redis.set(
      this.prefix + key,
      JSON.stringify(value ?? null),
      'PX',
      Math.max(1, Math.round(ttlMs)),
      'NX',
    );
    return r === 'OK';
  }

  async swap<T>(key: string, value: T, ttlMs: number): Promise<T | undefined> {
    const old = (await this.redis.eval(
      SWAP_LUA,
      1,
      this.prefix + key,
      JSON.stringify(value ?? null),
      Math.max(1, Math.round(ttlMs)),
    )) as string | null;
    return old === null ? undefined : (JSON.parse(old) as T);
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  async schedule(key: string, intervalMs: number, burst: number): Promise<number> {
    const wait = await this.redis.eval(
      SCHEDULE_LUA,
      1,
      this.prefix + key,
      Math.round(intervalMs),
      Math.max(0, burst - 1) * Math.round(intervalMs),
    );
    return Number(wait);
  }

  async takeTokens(takes: readonly TokenTake[]): Promise<TokenGrant> {
    if (!takes.length) return { granted: true };
    const args = takes.flatMap((t) => [
      Math.max(1, Math.round(t.intervalMs)),
      Math.max(0, Math.round(t.capacity)),
      Math.max(0, Math.round(t.cost)),
    ]);
    const r = (await this.redis.eval(
      TAKE_LUA,
      takes.length,
      ...takes.map((t) => this.prefix + t.key),
      ...args,
    )) as number[];
    if (Number(r[0]) === 1) return { granted: true };
    return { granted: false, index: Number(r[1]), retryAfterMs: Number(r[2]) };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// AWS answers

/** JSON that keeps what the SDK returns: Dates and byte arrays come back as they were; $metadata is dropped. */
export function serializeValue(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    if (key === '$metadata') return undefined;
    // The replacer sees Date after toJSON: look at the holder for the original.
    const raw = this[key];
    if (raw instanceof Date) return { $date: Number.isNaN(raw.getTime()) ? null : raw.toISOString() };
    if (raw instanceof Uint8Array) return { $bytes: Buffer.from(raw).toString('base64') };
    return v;
  });
}

export function deserializeValue<T>(json: string): T {
  return JSON.parse(json, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length === 1 && '$date' in o)
        return o.$date === null ? new Date(Number.NaN) : new Date(String(o.$date));
      if (keys.length === 1 && typeof o.$bytes === 'string')
        return new Uint8Array(Buffer.from(o.$bytes, 'base64'));
    }
    return v;
  }) as T;
}

interface StoredError {
  name?: string;
  message?: string;
  code?: string;
  Code?: string;
  $fault?: string;
  /** The SDK's $metadata (stored under another name: serializeValue drops `$metadata` keys). */
  metadata?: { httpStatusCode?: number; requestId?: string };
}

/** What classifyAwsError reads of an SDK error, and nothing else. */
function storedError(err: unknown): StoredError {
  const e = (err ?? {}) as StoredError & { $metadata?: StoredError['metadata'] };
  return {
    name: e.name,
    message: typeof e.message === 'string' ? e.message.slice(0, 1000) : String(err),
    ...(e.code ? { code: e.code } : {}),
    ...(e.Code ? { Code: e.Code } : {}),
    ...(e.$fault ? { $fault: e.$fault } : {}),
    metadata: { httpStatusCode: e.$metadata?.httpStatusCode, requestId: e.$metadata?.requestId },
  };
}

/** An error rebuilt from Redis, marked as served from the cache (as MemoryCallCache marks its copies). */
function revivedError(s: StoredError): Error {
  const err = new Error(s.message ?? 'cached error');
  err.name = s.name ?? 'Error';
  return Object.assign(err, {
    ...(s.code ? { code: s.code } : {}),
    ...(s.Code ? { Code: s.Code } : {}),
    ...(s.$fault ? { $fault: s.$fault } : {}),
    $metadata: s.metadata ?? {},
    $cached: true,
  });
}

type Stored = { v: unknown } | { e: StoredError };

export interface RedisCallCacheOptions {
  log: Logger;
  /** Most bytes of one serialized answer stored; larger answers are used but not shared. */
  maxValueBytes?: number;
}

/**
 * The AWS answer cache on Redis: a diagnosis on any replica reuses what another read in the last seconds.
 * Identical calls in flight in this process are coalesced into one request (replicas coalesce only through
 * what is already stored). When Redis fails, calls go straight to AWS: the cache is an optimisation, never a
 * reason for a diagnosis to fail.
 */
export class RedisCallCache implements SharedCallCache {
  private readonly inflight = new Map<string, Promise<{ value: unknown; cached: boolean }>>();
  private readonly maxValueBytes: number;
  private lastWarn = 0;
  hits = 0;
  misses = 0;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly opts: RedisCallCacheOptions,
  ) {
    this.maxValueBytes = opts.maxValueBytes ?? 1024 * 1024;
  }

  /** The Redis key of a call key: hashed, so that parameters (ARNs, ids) stay out of key names and keys stay short. */
  redisKey(key: string): string {
    return `${this.prefix}aws:${createHash('sha256').update(key).digest('base64url')}`;
  }

  async run<T>(
    key: string,
    fn: () => Promise<T>,
    policy: CachePolicy,
  ): Promise<{ value: T; cached: boolean }> {
    if (!policy.fresh) {
      const pending = this.inflight.get(key);
      if (pending) {
        this.hits++;
        const r = await pending;
        return { value: r.value as T, cached: true };
      }
    }
    const p = this.load(key, fn, policy);
    this.inflight.set(key, p);
    try {
      return (await p) as { value: T; cached: boolean };
    } finally {
      if (this.inflight.get(key) === p) this.inflight.delete(key);
    }
  }

  private async load<T>(
    key: string,
    fn: () => Promise<T>,
    policy: CachePolicy,
  ): Promise<{ value: T; cached: boolean }> {
    const rkey = this.redisKey(key);
    if (!policy.fresh) {
      const raw = await this.redis.get(rkey).catch((err: unknown) => this.warn(err, null));
      if (raw !== null) {
        let stored: Stored | undefined;
        try {
          stored = deserializeValue<Stored>(raw);
        } catch (err) {
          this.warn(err, null);
        }
        if (stored && 'e' in stored) {
          this.hits++;
          throw revivedError(stored.e);
        }
        if (stored && 'v' in stored) {
          this.hits++;
          return { value: stored.v as T, cached: true };
        }
      }
    }
    this.misses++;
    let value: T;
    try {
      value = await fn();
    } catch (err) {
      if (policy.errorTtlMs && policy.cacheError?.(err)) {
        await this.put(rkey, { e: storedError(err) }, policy.errorTtlMs);
      }
      throw err;
    }
    await this.put(rkey, { v: value }, policy.ttlMs);
    return { value, cached: false };
  }

  private async put(rkey: string, stored: Stored, ttlMs: number): Promise<void> {
    let json: string;
    try {
      json = serializeValue(stored);
    } catch (err) {
      this.warn(err, undefined);
      return;
    }
    if (Buffer.byteLength(json) > this.maxValueBytes) return;
    await this.redis
      .set(rkey, json, 'PX', Math.max(1, Math.round(ttlMs)))
      .catch((err: unknown) => this.warn(err, undefined));
  }

  /** Logs a Redis problem at most every 30 s (a Redis outage must not flood the log) and returns `fallback`. */
  private warn<F>(err: unknown, fallback: F): F {
    const now = Date.now();
    if (now - this.lastWarn > 30_000) {
      this.lastWarn = now;
      this.opts.log.warn(
        { err: (err as Error)?.message ?? String(err) },
        'shared AWS answer cache unavailable (Redis); calling AWS directly',
      );
    }
    return fallback;
  }
}
