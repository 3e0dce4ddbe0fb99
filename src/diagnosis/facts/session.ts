/**
 * One diagnosis' fact gathering: memoizes every fact and every AWS call, runs independent work concurrently,
 * turns errors into facts, and records each call with the sequential round it ran in.
 */
import { setMaxListeners } from 'node:events';
import type { ClientPool } from '../../aws/clients.js';
import {
  classifyAwsError,
  DependencyError,
  type FactError,
  NotAllowed,
  NotApplicable,
} from '../../aws/errors.js';
import type { Partition } from '../../aws/partition.js';
import { UserError } from '../../errors.js';
import type {
  CallContext,
  CallRecord,
  CallScope,
  DiagnosisInputs,
  Fact,
  FactMap,
  FactName,
  ProviderHandle,
} from './types.js';

export interface FactProvider<K extends FactName = FactName> {
  name: K;
  /** IAM actions this provider may call (the diagnostics role's policy is derived from these). */
  actions: readonly string[];
  get(h: ProviderHandle): Promise<FactMap[K]>;
}

/** Declares a fact provider (typed helper). */
export function defineFact<K extends FactName>(p: FactProvider<K>): FactProvider<K> {
  return p;
}

/** A cache of AWS call results shared by diagnoses (in memory or Redis); optional. */
export interface SharedCallCache {
  /**
   * Returns the cached value for key, or runs fn, caches its success for ttlMs and returns it; concurrent callers
   * of the same key share one run. An error is cached only when `errorTtlMs` is given and `cacheError` accepts it.
   */
  run<T>(key: string, fn: () => Promise<T>, policy: CachePolicy): Promise<{ value: T; cached: boolean }>;
}

export interface CachePolicy {
  ttlMs: number;
  /** Skip reading (a Re-run after a fix wants fresh answers) but still write. */
  fresh?: boolean;
  errorTtlMs?: number;
  cacheError?: (err: unknown) => boolean;
}

/**
 * How long an AWS answer may be shared between diagnoses. Long enough to serve an alert storm (many tasks of one
 * service failing within seconds) from one set of calls, short enough that a fix shows on the next run.
 * AWS-managed policy versions are immutable, and a role that may not simulate stays so for a while.
 */
export function cachePolicyFor(api: string, params: unknown, fresh: boolean): CachePolicy {
  const p = params as { PolicyArn?: string } | undefined;
  if (
    (api === 'iam:GetPolicy' || api === 'iam:GetPolicyVersion') &&
    p?.PolicyArn?.includes(':iam::aws:policy/')
  ) {
    return { ttlMs: 600_000, fresh };
  }
  if (api === 'iam:SimulatePrincipalPolicy') {
    return {
      ttlMs: 20_000,
      fresh,
      errorTtlMs: 600_000,
      // Denied or not implemented: asking again in every diagnosis only adds a round trip.
      cacheError: (err) => {
        const e = classifyAwsError(err, api);
        return e.kind === 'denied' || e.kind === 'unavailable' || e.kind === 'error';
      },
    };
  }
  if (api === 'cloudtrail:LookupEvents') {
    // Two requests a second per account and region: the tasks of a storm share one answer for a minute (their
    // windows are whole minutes, so their requests are the same), a throttled or denied lookup is not retried by
    // every diagnosis of the storm.
    return {
      ttlMs: 60_000,
      fresh,
      errorTtlMs: 5_000,
      cacheError: (err) => {
        const e = classifyAwsError(err, api);
        return e.kind === 'denied' || e.kind === 'throttled';
      },
    };
  }
  return { ttlMs: 20_000, fresh };
}

export interface SessionOptions {
  pool: ClientPool;
  providers: ReadonlyMap<string, FactProvider>;
  inputs: DiagnosisInputs;
  deadlineMs: number;
  /** Aborts everything (shutdown). */
  signal?: AbortSignal | undefined;
  sharedCache?: SharedCallCache | undefined;
  /** Do not read the shared cache (Re-run after a fix). */
  fresh?: boolean | undefined;
  /** Injected clock for tests. */
  now?: () => number;
}

/** JSON-normalizes a value: Dates become ISO strings, SDK $metadata is dropped, undefined removed. */
export function normalize<T>(value: T): T {
  if (value === undefined) return value;
  return JSON.parse(JSON.stringify(value, (k, v) => (k === '$metadata' ? undefined : v))) as T;
}

/** Stable JSON for memo keys (sorted object keys). */
export function stableKey(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

/**
 * The key of one AWS call: in a session's memo and in the cache diagnoses share (the storm's batched lookup files
 * its per-task answers under the key a diagnosis' own call for that task has).
 */
export function callKey(api: string, account: string | undefined, region: string, params: unknown): string {
  return `${api}|${account ?? 'self'}|${region}|${stableKey(params)}`;
}

interface CallMemo {
  promise: Promise<unknown>;
  round: number;
}

export class FactSession {
  readonly calls: CallRecord[] = [];
  private readonly facts = new Map<string, Promise<Fact<unknown>>>();
  private readonly settled = new Map<string, Fact<unknown>>();
  private readonly callMemo = new Map<string, CallMemo>();
  private readonly accountsReady = new Map<string, Promise<number>>();
  private readonly started: number;
  private readonly now: () => number;
  readonly signal: AbortSignal;
  private baseDepth = 0;

  constructor(private readonly opts: SessionOptions) {
    this.now = opts.now ?? (() => performance.now());
    this.started = this.now();
    const signals = [AbortSignal.timeout(opts.deadlineMs)];
    if (opts.signal) signals.push(opts.signal);
    this.signal = AbortSignal.any(signals);
    // Every concurrent SDK request listens on this one signal: dozens is normal, not a leak.
    setMaxListeners(0, this.signal);
  }

  get inputs(): DiagnosisInputs {
    return this.opts.inputs;
  }

  private get partition(): Partition {
    return this.opts.inputs.target.partition;
  }

  /**
   * Makes sure credentials for the task's account are ready before the first call, recording the
   * sts:AssumeRole round trip when the role session was cold. Throws UserError for an unconfigured account.
   */
  async prepare(opts: { learnAccount?: boolean } = {}): Promise<void> {
    let depth = 0;
    if (opts.learnAccount && this.opts.inputs.target.account === undefined) {
      // A request that names no account (a pre-flight on the command line): the own credentials' account, so that
      // every comparison with the task's account (a registry, a secret, a log group here or elsewhere) holds.
      const t = this.opts.inputs.target;
      const start = this.now();
      const account = await this.opts.pool.ownAccountId(t.region, (ok, code) => {
        depth = 1;
        this.record({
          api: 'sts:GetCallerIdentity',
          account: undefined,
          region: t.region,
          round: 1,
          start,
          ok,
          code,
        });
      });
      if (account) this.opts.inputs.target = { ...t, account };
    }
    const t = this.opts.inputs.target;
    // Callers check the task's account first; this is the last line, failing closed.
    if (t.account && !this.opts.inputs.settings.mayRead(t.account)) {
      throw new UserError('errors.account.not-allowed', { account: t.account }, 2);
    }
    this.baseDepth = await this.ensureAccount(t.account, t.region, depth);
  }

  /**
   * Returns the depth after credentials for (account) are ready: depth, plus one for an sts:GetCallerIdentity that
   * decided how to reach it (the command line, an account the configuration does not list), plus one when it
   * assumed a role.
   */
  private ensureAccount(account: string | undefined, region: string, depth: number): Promise<number> {
    const key = `${account ?? 'self'}|${region}`;
    let ready = this.accountsReady.get(key);
    if (!ready) {
      ready = (async () => {
        let round = depth;
        const identityStart = this.now();
        // A UserError for an account that cannot be reached (not configured; on the command line, not the
        // credentials' own): let it through.
        const plan = await this.opts.pool.resolvePlan(
          account,
          region,
          this.partition,
          this.opts.inputs.requester,
          (ok, code) => {
            // Made with the own credentials, whatever account they are in; it needs no permission.
            round = depth + 1;
            this.record({
              api: 'sts:GetCallerIdentity',
              account: undefined,
              region,
              round,
              start: identityStart,
              ok,
              code,
            });
          },
        );
        const start = this.now();
        try {
          const r = await this.opts.pool.warmUp(account, region, this.partition, this.opts.inputs.requester);
          if (!r.assumed) return round;
          this.record({ api: 'sts:AssumeRole', account, region, round: round + 1, start, ok: true });
          return round + 1;
        } catch (err) {
          if (plan.kind === 'assume-role') {
            const e = classifyAwsError(err, 'sts:AssumeRole');
            this.record({
              api: 'sts:AssumeRole',
              account,
              region,
              round: round + 1,
              start,
              ok: false,
              code: e.code,
            });
          }
          throw err;
        }
      })();
      this.accountsReady.set(key, ready);
    }
    return ready;
  }

  private record(r: {
    api: string;
    account: string | undefined;
    region: string;
    round: number;
    start: number;
    ok: boolean;
    code?: string | undefined;
    cached?: boolean;
  }): void {
    const rec: CallRecord = {
      api: r.api,
      account: r.account ?? 'self',
      region: r.region,
      round: r.round,
      startMs: Math.round(r.start - this.started),
      durationMs: Math.round(this.now() - r.start),
      ok: r.ok,
    };
    if (r.code) rec.errorCode = r.code;
    if (r.cached) rec.cached = true;
    this.calls.push(rec);
  }

  /** The fact, gathering it (and what it depends on) on first request. Never rejects. */
  fact<K extends FactName>(name: K): Promise<Fact<FactMap[K]>> {
    let p = this.facts.get(name);
    if (!p) {
      p = this.gather(name);
      this.facts.set(name, p);
    }
    return p as Promise<Fact<FactMap[K]>>;
  }

  private async gather(name: string): Promise<Fact<unknown>> {
    const provider = this.opts.providers.get(name);
    let depth = this.baseDepth;
    let fact: Fact<unknown>;
    if (!provider) {
      fact = {
        ok: false,
        round: depth,
        error: { kind: 'error', code: 'NoProvider', message: `no provider for ${name}` },
      };
      this.settled.set(name, fact);
      return fact;
    }
    const handle: ProviderHandle = {
      inputs: this.opts.inputs,
      get: async (dep) => {
        const f = await this.fact(dep);
        depth = Math.max(depth, f.round);
        return f;
      },
      need: async (dep) => {
        const f = await handle.get(dep);
        if (f.ok) return f.value;
        if (f.error.kind === 'not-applicable') throw new NotApplicable(f.error.message);
        throw new DependencyError(dep, f.error);
      },
      call: async <T>(
        api: string,
        params: unknown,
        run: (ctx: CallContext) => Promise<T>,
        scope?: CallScope,
      ): Promise<T> => {
        // The diagnostics role is derived from what providers declare: an undeclared call would be denied in
        // production while passing against a permissive test account, so it fails here, everywhere.
        if (!provider.actions.includes(api))
          throw new Error(`${name} calls ${api}, which it does not declare`);
        const t = this.opts.inputs.target;
        const account = scope?.account ?? t.account;
        const region = scope?.region ?? t.region;
        if (account && account !== t.account && !this.opts.inputs.settings.mayRead(account)) {
          throw new NotAllowed(account);
        }
        if (account !== t.account || region !== t.region) {
          depth = Math.max(depth, await this.ensureAccount(account, region, depth));
        }
        const { value, round } = await this.callOnce(api, account, region, params, run, depth);
        depth = Math.max(depth, round);
        return value;
      },
    };
    try {
      const value = await provider.get(handle);
      fact = { ok: true, value: normalize(value), round: depth };
    } catch (err) {
      fact = { ok: false, error: toFactError(err), round: depth };
    }
    this.settled.set(name, fact);
    return fact;
  }

  private async callOnce<T>(
    api: string,
    account: string | undefined,
    region: string,
    params: unknown,
    run: (ctx: CallContext) => Promise<T>,
    depth: number,
  ): Promise<{ value: T; round: number }> {
    const key = callKey(api, account, region, params);
    const existing = this.callMemo.get(key);
    if (existing) {
      const value = (await existing.promise) as T;
      return { value, round: existing.round };
    }
    const round = depth + 1;
    const memo: CallMemo = { round, promise: Promise.resolve() };
    memo.promise = (async () => {
      const start = this.now();
      if (this.signal.aborted) {
        const err = deadlineError(api);
        this.record({ api, account, region, round, start, ok: false, code: err.name });
        throw err;
      }
      const clients = this.opts.pool.get(account, region, this.partition, this.opts.inputs.requester);
      const exec = () => run({ clients, signal: this.signal });
      try {
        let value: T;
        let cached = false;
        if (this.opts.sharedCache) {
          const r = await this.opts.sharedCache.run(
            key,
            exec,
            cachePolicyFor(api, params, !!this.opts.fresh),
          );
          value = r.value;
          cached = r.cached;
        } else {
          value = await exec();
        }
        this.record({ api, account, region, round, start, ok: true, cached });
        return value;
      } catch (err) {
        const e = this.signal.aborted ? deadlineError(api) : err;
        const cached = !!(e as { $cached?: boolean })?.$cached;
        this.record({
          api,
          account,
          region,
          round,
          start,
          ok: false,
          code: classifyAwsError(e, api).code,
          cached,
        });
        // Tag the error with the action so the fact error can name the missing permission.
        if (e && typeof e === 'object') Object.assign(e, { $action: api });
        throw e;
      }
    })();
    this.callMemo.set(key, memo);
    return { value: (await memo.promise) as T, round };
  }

  /** Gathers the named facts concurrently; resolves when all have settled. */
  async gatherAll(names: Iterable<FactName>): Promise<void> {
    await Promise.all([...new Set(names)].map((n) => this.fact(n)));
  }

  /** Every fact gathered so far, settled ones only. */
  snapshot(): Record<string, Fact<unknown>> {
    return Object.fromEntries([...this.settled.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** Milliseconds since the session started. */
  elapsedMs(): number {
    return Math.round(this.now() - this.started);
  }
}

function deadlineError(api: string): Error {
  const err = new Error(`${api} not finished before the diagnosis deadline`);
  err.name = 'TimeoutError';
  return err;
}

/** Turns anything a provider threw into a FactError. */
export function toFactError(err: unknown): FactError {
  if (err instanceof DependencyError) {
    // Keep the root cause (a denial stays a denial naming its action) and the fact it came from.
    return { ...err.factError, fact: err.factError.fact ?? err.fact };
  }
  if (err instanceof NotApplicable)
    return { kind: 'not-applicable', code: 'NotApplicable', message: err.reason };
  const action = (err as { $action?: string })?.$action;
  return classifyAwsError(err, action);
}
