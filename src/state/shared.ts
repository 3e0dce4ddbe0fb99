/**
 * The app's shared state behind one interface: the StateStore (dedupe, storm groups, reply state, posting pace)
 * and the AWS answer cache, in memory by default, on Redis when `redis.url` (REDIS_URL) is set so that several
 * replicas answer each alert once and share what they read.
 */
import { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { MemoryCallCache } from '../diagnosis/facts/call-cache.js';
import type { SharedCallCache } from '../diagnosis/facts/session.js';
import { UserError } from '../errors.js';
import type { Logger } from '../log.js';
import { RedisCallCache, RedisStore } from './redis.js';
import { MemoryStore, type StateStore } from './store.js';

export interface SharedState {
  kind: 'memory' | 'redis';
  store: StateStore;
  callCache: SharedCallCache;
  close(): Promise<void>;
}

export function memoryState(): SharedState {
  return {
    kind: 'memory',
    store: new MemoryStore(),
    callCache: new MemoryCallCache(),
    close: async () => {},
  };
}

/** Where a Redis URL points, without its password (for logs and messages). */
export function redisEndpoint(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname.length > 1 ? u.pathname : ''}`;
  } catch {
    return 'redis';
  }
}

/**
 * Connects to Redis (checking it answers) or builds the in-memory state. A Redis that cannot be reached at start
 * is a configuration problem: the message names the endpoint (never the password) and the reason.
 */
export async function createSharedState(config: Config, log: Logger): Promise<SharedState> {
  const url = config.redis.url;
  if (!url) return memoryState();
  const endpoint = redisEndpoint(url);
  const redis = new Redis(url, {
    // A command waits at most this long: Slack listeners must not hang on a stalled Redis.
    commandTimeout: 2_000,
    connectTimeout: 5_000,
    maxRetriesPerRequest: 1,
    // Reconnect with a capped backoff; commands issued meanwhile fail fast instead of queueing for minutes.
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    lazyConnect: true,
  });
  let lastError = 0;
  let lastMessage = '';
  redis.on('error', (err: Error) => {
    lastMessage = err.message;
    const now = Date.now();
    if (now - lastError > 30_000) {
      lastError = now;
      log.error({ err: err.message, redis: endpoint }, 'Redis connection error');
    }
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new UserError('errors.config.invalid', {
      path: config.source,
      key: 'redis.url',
      reason: `${endpoint} could not be reached (${lastMessage || (err as Error).message})`,
    });
  }
  log.info({ redis: endpoint }, 'shared state on Redis');
  const prefix = config.redis.keyPrefix;
  return {
    kind: 'redis',
    store: new RedisStore(redis, prefix),
    callCache: new RedisCallCache(redis, prefix, { log }),
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
