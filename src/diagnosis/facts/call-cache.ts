/**
 * The in-process shared cache of AWS answers: bounded (LRU) in entries and in size, entries expire and expired
 * ones are dropped (not only replaced), and concurrent identical calls are coalesced into one request. Values are
 * kept as the SDK returned them; their size is about their JSON length, a value larger than maxValueChars is not kept
 * (as the Redis cache refuses values over 1 MB).
 */
import type { CachePolicy, SharedCallCache } from './session.js';

interface Entry {
  expires: number;
  /** JSON characters of the key and value (or error message): what counts against maxTotalChars. */
  chars: number;
  value?: unknown;
  error?: unknown;
}

export interface MemoryCallCacheLimits {
  /** Most JSON characters held in all, keys included (default 16 M: SDK objects take 2-6 times that in heap). */
  maxTotalChars?: number;
  /** Larger values are not kept (default 1 M). */
  maxValueChars?: number;
  /** Expired entries are swept at most this often (default 10 s). */
  sweepEveryMs?: number;
}

/**
 * About the size of a value as JSON (string lengths, key lengths, a few characters per number, boolean, null and
 * punctuation), counted by walking it rather than serializing it: an AWS answer is cached on every call, and
 * JSON.stringify of each cost a diagnosis several milliseconds of CPU. Stops counting past `limit`; a value with a
 * cycle, or one deeper than 64 levels, counts as too large.
 */
export function approxJsonChars(value: unknown, limit = Number.POSITIVE_INFINITY): number {
  let n = 0;
  const stack: Array<{ v: unknown; depth: number }> = [{ v: value, depth: 0 }];
  const seen = new Set<object>();
  while (stack.length) {
    const { v, depth } = stack.pop()!;
    if (typeof v === 'string') n += v.length + 2;
    else if (v === null || typeof v !== 'object') n += 6;
    else {
      if (depth > 64 || seen.has(v)) return Number.POSITIVE_INFINITY;
      seen.add(v);
      if (v instanceof Date) n += 26;
      else if (ArrayBuffer.isView(v)) n += (v as ArrayBufferView).byteLength * 2;
      else if (Array.isArray(v)) {
        n += 2 + v.length;
        for (const x of v) stack.push({ v: x, depth: depth + 1 });
      } else {
        n += 2;
        for (const k in v) {
          n += k.length + 4;
          stack.push({ v: (v as Record<string, unknown>)[k], depth: depth + 1 });
        }
      }
    }
    if (n > limit) return n;
  }
  return n;
}

export class MemoryCallCache implements SharedCallCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<unknown>>();
  private totalChars = 0;
  private nextSweep = 0;
  private readonly maxTotalChars: number;
  private readonly maxValueChars: number;
  private readonly sweepEveryMs: number;
  hits = 0;
  misses = 0;

  constructor(
    private readonly maxEntries = 5_000,
    private readonly now: () => number = Date.now,
    limits: MemoryCallCacheLimits = {},
  ) {
    this.maxTotalChars = limits.maxTotalChars ?? 16 * 1024 * 1024;
    this.maxValueChars = limits.maxValueChars ?? 1024 * 1024;
    this.sweepEveryMs = limits.sweepEveryMs ?? 10_000;
  }

  async run<T>(
    key: string,
    fn: () => Promise<T>,
    policy: CachePolicy,
  ): Promise<{ value: T; cached: boolean }> {
    this.sweep();
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
      this.set(key, {
        value,
        expires: this.now() + policy.ttlMs,
        chars: key.length + approxJsonChars(value, this.maxValueChars),
      });
      return { value, cached: false };
    } catch (err) {
      if (policy.errorTtlMs && policy.cacheError?.(err)) {
        const chars = key.length + 200 + String((err as Error | undefined)?.message ?? '').length;
        this.set(key, { error: err, expires: this.now() + policy.errorTtlMs, chars });
      }
      throw err;
    } finally {
      if (this.inflight.get(key) === p) this.inflight.delete(key);
    }
  }

  private set(key: string, e: Entry): void {
    this.remove(key);
    if (e.chars > this.maxValueChars) return;
    this.entries.set(key, e);
    this.totalChars += e.chars;
    // Least recently used first: a hit moves its entry to the end.
    while (this.entries.size > this.maxEntries || this.totalChars > this.maxTotalChars)
      this.remove(this.entries.keys().next().value as string);
  }

  private remove(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.totalChars -= e.chars;
  }

  /** Drops expired entries (at most every sweepEveryMs): what a burst of diagnoses read does not outlive its TTL. */
  private sweep(): void {
    const now = this.now();
    if (now < this.nextSweep) return;
    this.nextSweep = now + this.sweepEveryMs;
    for (const [k, e] of this.entries) if (e.expires <= now) this.remove(k);
  }

  /** Entries held (tests, memory figures). */
  get size(): number {
    return this.entries.size;
  }

  /** JSON characters held (tests, memory figures). */
  get chars(): number {
    return this.totalChars;
  }
}

/** A copy of a cached error, marked as served from the cache (the original stays untouched). */
function cachedError(err: unknown): Error {
  const src = err as Error & { $metadata?: unknown };
  const copy = new Error(src?.message ?? String(err));
  copy.name = src?.name ?? 'Error';
  return Object.assign(copy, { $metadata: src?.$metadata, $cached: true });
}
