/**
 * The in-process shared cache of AWS answers: bounded (LRU), entries expire, and concurrent identical calls are
 * coalesced into one request. Values are kept as the SDK returned them.
 */
import type { CachePolicy, SharedCallCache } from './session.js';

interface Entry {
  expires: number;
  value?: unknown;
  error?: unknown;
}

export class MemoryCallCache implements SharedCallCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<unknown>>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly maxEntries = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  async run<T>(
    key: string,
    fn: () => Promise<T>,
    policy: CachePolicy,
  ): Promise<{ value: T; cached: boolean }> {
    if (!policy.fresh) {
      const e = this.entries.get(key);
      if (e && e.expires > this.now()) {
        this.hits++;
        this.entries.delete(key);
        this.entries.set(key, e);
        if ('error' in e) throw cachedError(e.error);
        return { value: e.value as T, cached: true };
      }
      const pending = this.inflight.get(key);
      if (pending) {
        this.hits++;
        return { value: (await pending) as T, cached: true };
      }
    }
    this.misses++;
    const p = fn();
    this.inflight.set(key, p);
    try {
      const value = await p;
      this.set(key, { value, expires: this.now() + policy.ttlMs });
      return { value, cached: false };
    } catch (err) {
      if (policy.errorTtlMs && policy.cacheError?.(err))
        this.set(key, { error: err, expires: this.now() + policy.errorTtlMs });
      throw err;
    } finally {
      if (this.inflight.get(key) === p) this.inflight.delete(key);
    }
  }

  private set(key: string, e: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, e);
    while (this.entries.size > this.maxEntries)
      this.entries.delete(this.entries.keys().next().value as string);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** A copy of a cached error, marked as served from the cache (the original stays untouched). */
function cachedError(err: unknown): Error {
  const src = err as Error & { $metadata?: unknown };
  const copy = new Error(src?.message ?? String(err));
  copy.name = src?.name ?? 'Error';
  return Object.assign(copy, { $metadata: src?.$metadata, $cached: true });
}
