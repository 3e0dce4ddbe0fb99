/**
 * Small shared state for the Slack app: dedupe marks (event ids, alert messages), alert-storm groups, per-message
 * state (the reports a message shows, so that its buttons can re-render it) and the posting pace of each channel.
 * Values are JSON; every entry expires. The interface is async and minimal so that the Redis implementation
 * (src/state/redis.ts: SET NX PX, GET, DEL and two scripts) and this in-memory one are interchangeable.
 */

export interface StateStore {
  /** The value stored under key, or undefined when there is none or it expired. */
  get<T>(key: string): Promise<T | undefined>;
  /**
   * Stores value under key for ttlMs unless a live entry exists. Returns true when this call stored it (the
   * caller "won"), false when the key was already taken: the primitive behind dedupe and locks.
   */
  setIfAbsent<T>(key: string, value: T, ttlMs: number): Promise<boolean>;
  /**
   * Stores value under key for ttlMs whatever was there, and returns what was (undefined when nothing live was), in
   * one atomic step: of two replicas writing at once, each sees the other's value or none, never the same one twice.
   * Feedback votes use it, so that a changed vote withdraws exactly the vote it replaced.
   */
  swap<T>(key: string, value: T, ttlMs: number): Promise<T | undefined>;
  /** Removes key (a claim given up). */
  delete(key: string): Promise<void>;
  /**
   * Books the next turn of a paced queue (one Slack channel): turns are spaced intervalMs apart, with up to
   * `burst` turns at once after a quiet period. Returns how many ms the caller must wait before its turn.
   */
  schedule(key: string, intervalMs: number, burst: number): Promise<number>;
  /**
   * Takes tokens from token buckets, all of them or none (atomically, across replicas on Redis): each bucket holds
   * up to `capacity` tokens and gets one back every `intervalMs`. Says which bucket refused and when it will
   * have enough. The rate limits of people's requests (src/slack/rate-limit.ts).
   */
  takeTokens(takes: readonly TokenTake[]): Promise<TokenGrant>;
}

/** Tokens to take from one bucket. */
export interface TokenTake {
  key: string;
  /** Most tokens the bucket holds (the burst). */
  capacity: number;
  /** One token comes back every intervalMs (a whole number of ms). */
  intervalMs: number;
  /** Tokens to take (0 takes nothing). At most capacity: a larger cost can never be granted. */
  cost: number;
}

export type TokenGrant =
  | { granted: true }
  | {
      granted: false;
      /** The bucket (index in the takes) that refused; of several, the one that needs longest. */
      index: number;
      /** How long until that bucket holds enough tokens, if nothing else takes from it meanwhile. */
      retryAfterMs: number;
    };

/**
 * The token-bucket rule shared by both stores, stored as one number per bucket: the time it is full again (GCRA).
 * A bucket full at F holds capacity − max(0, F − now) / interval tokens; taking n moves F to max(F, now) + n ×
 * interval, allowed while that is at most capacity × interval ahead of now. So over any span of time T a bucket
 * grants at most capacity + T / interval tokens. Takes from every bucket or none. Returns the grant and the new
 * full-again times (unchanged when refused).
 */
export function takeTokens(
  fullAt: readonly (number | undefined)[],
  now: number,
  takes: readonly TokenTake[],
): { grant: TokenGrant; fullAt: number[] } {
  const next: number[] = [];
  let worst = -1;
  let worstWait = 0;
  takes.forEach((take, i) => {
    const from = Math.max(fullAt[i] ?? now, now);
    const after = from + take.cost * take.intervalMs;
    const over = after - now - take.capacity * take.intervalMs;
    if (over > 0 && over > worstWait) {
      worst = i;
      worstWait = over;
    }
    next.push(after);
  });
  if (worst >= 0) {
    return {
      grant: { granted: false, index: worst, retryAfterMs: worstWait },
      fullAt: takes.map((_, i) => fullAt[i] ?? now),
    };
  }
  return { grant: { granted: true }, fullAt: next };
}

/** The pacing rule shared by both stores (GCRA): returns [wait, next theoretical arrival time]. */
export function nextTurn(
  storedTat: number | undefined,
  now: number,
  intervalMs: number,
  burst: number,
): [number, number] {
  const tat = Math.max(storedTat ?? now, now);
  const go = Math.max(now, tat - Math.max(0, burst - 1) * intervalMs);
  return [go - now, tat + intervalMs];
}

interface Entry {
  expires: number;
  json: string;
}

export interface MemoryStoreOptions {
  /** Most entries kept; the oldest go first past it. */
  maxEntries?: number;
  /** Most characters of JSON kept in all; the oldest go first past it. */
  maxTotalChars?: number;
  now?: () => number;
}

/** In-process store: a Map in insertion order, expired entries dropped lazily, oldest evicted past the bounds. */
export class MemoryStore implements StateStore {
  private readonly entries = new Map<string, Entry>();
  private readonly turns = new Map<string, number>();
  /** Token buckets: when each is full again (a full bucket needs no entry). */
  private readonly buckets = new Map<string, number>();
  private readonly maxEntries: number;
  private readonly maxTotalChars: number;
  private readonly now: () => number;
  private totalChars = 0;

  constructor(opts: MemoryStoreOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.maxTotalChars = opts.maxTotalChars ?? 64 * 1024 * 1024;
    this.now = opts.now ?? Date.now;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires <= this.now()) {
      this.remove(key, e);
      return undefined;
    }
    // A copy, as Redis would return: callers cannot change what is stored.
    return JSON.parse(e.json) as T;
  }

  async setIfAbsent<T>(key: string, value: T, ttlMs: number): Promise<boolean> {
    const now = this.now();
    const existing = this.entries.get(key);
    if (existing) {
      if (existing.expires > now) return false;
      this.remove(key, existing);
    }
    const json = JSON.stringify(value ?? null);
    if (json.length > this.maxTotalChars) throw new Error(`state value for ${key} is larger than the store`);
    this.entries.set(key, { expires: now + Math.max(1, ttlMs), json });
    this.totalChars += json.length;
    this.evict(now);
    return true;
  }

  async swap<T>(key: string, value: T, ttlMs: number): Promise<T | undefined> {
    // No await before the write: two swaps in one process cannot interleave.
    const now = this.now();
    const json = JSON.stringify(value ?? null);
    if (json.length > this.maxTotalChars) throw new Error(`state value for ${key} is larger than the store`);
    const existing = this.entries.get(key);
    const previous = existing && existing.expires > now ? (JSON.parse(existing.json) as T) : undefined;
    if (existing) this.remove(key, existing);
    this.entries.set(key, { expires: now + Math.max(1, ttlMs), json });
    this.totalChars += json.length;
    this.evict(now);
    return previous;
  }

  async delete(key: string): Promise<void> {
    const e = this.entries.get(key);
    if (e) this.remove(key, e);
  }

  async schedule(key: string, intervalMs: number, burst: number): Promise<number> {
    const now = this.now();
    const [wait, tat] = nextTurn(this.turns.get(key), now, intervalMs, burst);
    this.turns.delete(key);
    this.turns.set(key, tat);
    // Queues idle for longer than their interval hold nothing worth keeping.
    if (this.turns.size > 1_000) {
      for (const [k, t] of this.turns) if (t + intervalMs < now) this.turns.delete(k);
    }
    return wait;
  }

  async takeTokens(takes: readonly TokenTake[]): Promise<TokenGrant> {
    const now = this.now();
    const { grant, fullAt } = takeTokens(
      takes.map((t) => this.buckets.get(t.key)),
      now,
      takes,
    );
    if (!grant.granted) return grant;
    takes.forEach((t, i) => {
      this.buckets.delete(t.key);
      if (fullAt[i]! > now) this.buckets.set(t.key, fullAt[i]!);
    });
    if (this.buckets.size > 1_000) {
      // Full buckets hold nothing worth keeping; past 10,000 busy ones the oldest are forgiven (people, channels
      // and accounts of one workspace are far fewer).
      for (const [k, f] of this.buckets) if (f <= now) this.buckets.delete(k);
      for (const k of this.buckets.keys()) {
        if (this.buckets.size <= 10_000) break;
        this.buckets.delete(k);
      }
    }
    return grant;
  }

  /** Live entries (tests, memory figures). */
  get size(): number {
    return this.entries.size;
  }

  private remove(key: string, e: Entry): void {
    this.entries.delete(key);
    this.totalChars -= e.json.length;
  }

  private evict(now: number): void {
    if (this.entries.size <= this.maxEntries && this.totalChars <= this.maxTotalChars) return;
    for (const [k, e] of this.entries) if (e.expires <= now) this.remove(k, e);
    // Oldest first: a Map iterates in insertion order.
    while (this.entries.size > this.maxEntries || this.totalChars > this.maxTotalChars) {
      const [k, e] = this.entries.entries().next().value as [string, Entry];
      this.remove(k, e);
    }
  }
}
