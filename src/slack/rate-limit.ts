/**
 * Rate limits on the diagnoses people ask for: the slash command, mentions, the message shortcut, Re-run (and the
 * storm reply's "Diagnose this task", which is a Re-run), and the language button when the reply's state has
 * expired and it must diagnose again (a language switch that only re-renders costs nothing). Alerts from
 * configured alert sources are not limited here: the storm logic (storm.ts) governs them.
 *
 * A request costs one token per diagnosis it will run (the tasks the channel may diagnose; a refused task makes no
 * AWS call and costs nothing), taken at once from token buckets per person, per channel and per AWS account (AWS
 * throttles API calls account-wide): all of them or none. A request naming more distinct accounts than
 * slack.limits.maxAccountsPerRequest is refused first. The buckets live in the state store (Redis when
 * configured), so replicas agree; when the store fails, each replica limits with buckets of its own in memory.
 * A refusal is a UserError, so that each surface tells it the way it tells its other refusals.
 */

import type { Partition } from '../aws/partition.js';
import type { Config } from '../config.js';
import { UserError } from '../errors.js';
import type { Logger } from '../log.js';
import { MemoryStore, type StateStore, type TokenTake } from '../state/store.js';
import type { Surface } from './deps.js';

export type SlackLimits = Config['slack']['limits'];

/** Which limit refused: a bucket, or the cap on accounts per request. */
export type LimitScope = 'user' | 'channel' | 'account' | 'accounts';

/** Surfaces whose diagnoses are not charged: configured alert sources' alerts (the storm logic governs them). */
const UNLIMITED: ReadonlySet<Surface> = new Set<Surface>(['alert']);

/** A refused request: its message key and parameters, and the limit that refused it. */
export class RateLimitedError extends UserError {
  constructor(
    key: string,
    params: Record<string, string | number>,
    readonly scope: LimitScope,
    /** Seconds until the request would fit; absent when waiting does not help (too many accounts or tasks). */
    readonly retryAfterSeconds?: number,
  ) {
    super(key, params);
  }
}

export function isRateLimited(err: unknown): err is RateLimitedError {
  return err instanceof RateLimitedError;
}

/**
 * Rethrows err, first giving up the claim `key` (a double-click lock) when a rate limit refused the request, so
 * that the same button or shortcut works again once the wait is over.
 */
export async function releaseIfLimited(
  deps: { store: Pick<StateStore, 'delete'> },
  key: string,
  err: unknown,
): Promise<never> {
  if (isRateLimited(err)) await deps.store.delete(key).catch(() => {});
  throw err;
}

/** What a request names: a task or a service, in an account. */
export interface Named {
  target: { partition: Partition; account: string | undefined };
}

/** What a request asks for. */
export interface LimitRequest {
  surface: Surface;
  /** Who asked (`slack-TEAM-USER`): the person's bucket. */
  requester: string;
  channel: string | undefined;
  /** Every task (or service) the request names (the cap on accounts counts them all). */
  named: readonly Named[];
  /** The tasks (or services) that will be diagnosed: one token each. */
  allowed: readonly Named[];
}

interface Bucket {
  take: TokenTake;
  scope: Exclude<LimitScope, 'accounts'>;
  burst: number;
  perMinute: number;
  account?: string;
}

/** One token back every this many ms: never more than perMinute a minute. */
export function intervalOf(perMinute: number): number {
  return Math.max(1, Math.ceil(60_000 / perMinute));
}

export class RateLimits {
  private readonly fallback = new MemoryStore();
  private lastWarn = 0;

  constructor(
    private readonly limits: SlackLimits,
    private readonly store: StateStore,
    private readonly log: Logger,
    /** Told about every refusal (metrics). */
    private readonly onLimited?: (surface: Surface, scope: LimitScope) => void,
  ) {}

  /** Resolves when the request may run (its tokens taken); throws RateLimitedError when a limit refuses it. */
  async admit(req: LimitRequest): Promise<void> {
    if (UNLIMITED.has(req.surface)) return;
    const accounts = new Set(req.named.map((t) => `${t.target.partition}:${t.target.account ?? '-'}`));
    if (accounts.size > this.limits.maxAccountsPerRequest) {
      this.refuse(
        req,
        new RateLimitedError(
          'slack:limits.accounts',
          { count: accounts.size, max: this.limits.maxAccountsPerRequest },
          'accounts',
        ),
      );
    }
    const buckets = this.bucketsOf(req);
    const tooBig = buckets.find((b) => b.take.cost > b.take.capacity);
    if (tooBig) {
      this.refuse(
        req,
        new RateLimitedError(
          'slack:limits.too-many',
          { count: tooBig.take.cost, max: tooBig.take.capacity },
          tooBig.scope,
        ),
      );
    }
    if (!buckets.length) return;
    const takes = buckets.map((b) => b.take);
    const grant = await this.store.takeTokens(takes).catch((err: unknown) => {
      this.warn(err);
      return this.fallback.takeTokens(takes);
    });
    if (grant.granted) return;
    const b = buckets[grant.index]!;
    const seconds = Math.max(1, Math.ceil(grant.retryAfterMs / 1000));
    this.refuse(
      req,
      new RateLimitedError(
        `slack:limits.${b.scope}`,
        {
          seconds,
          burst: b.burst,
          perMinute: b.perMinute,
          ...(b.account ? { account: b.account } : {}),
        },
        b.scope,
        seconds,
      ),
    );
  }

  /** The buckets a request draws from, with what it costs in each (buckets it costs nothing in are left out). */
  private bucketsOf(req: LimitRequest): Bucket[] {
    const cost = req.allowed.length;
    if (!cost) return [];
    const { user, channel, account } = this.limits;
    const bucket = (
      scope: Bucket['scope'],
      key: string,
      limit: { burst: number; perMinute: number },
      n: number,
      acct?: string,
    ): Bucket => ({
      take: {
        key: `rate:${scope}:${key}`,
        capacity: limit.burst,
        intervalMs: intervalOf(limit.perMinute),
        cost: n,
      },
      scope,
      burst: limit.burst,
      perMinute: limit.perMinute,
      ...(acct ? { account: acct } : {}),
    });
    const out = [bucket('user', req.requester, user, cost)];
    if (req.channel) out.push(bucket('channel', req.channel, channel, cost));
    const perAccount = new Map<string, { account: string; n: number }>();
    for (const t of req.allowed) {
      const acct = t.target.account ?? '-';
      const key = `${t.target.partition}:${acct}`;
      const e = perAccount.get(key) ?? { account: acct, n: 0 };
      e.n++;
      perAccount.set(key, e);
    }
    for (const [key, e] of perAccount) out.push(bucket('account', key, account, e.n, e.account));
    return out;
  }

  private refuse(req: LimitRequest, err: RateLimitedError): never {
    this.onLimited?.(req.surface, err.scope);
    this.log.info(
      {
        surface: req.surface,
        scope: err.scope,
        channel: req.channel,
        requester: req.requester,
        diagnoses: req.allowed.length,
        ...(err.retryAfterSeconds !== undefined ? { retryAfterSeconds: err.retryAfterSeconds } : {}),
      },
      'request refused by a rate limit',
    );
    throw err;
  }

  /** A store failure, logged at most every 30 s: the replica then limits on its own. */
  private warn(err: unknown): void {
    const now = Date.now();
    if (now - this.lastWarn > 30_000) {
      this.lastWarn = now;
      this.log.warn(
        { err: (err as Error)?.message ?? String(err) },
        'shared rate limits unavailable; this replica limits with its own buckets meanwhile',
      );
    }
  }
}
