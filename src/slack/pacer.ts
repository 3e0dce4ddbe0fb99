/**
 * Posting at Slack's pace. chat.postMessage allows about one message per second per channel (short bursts
 * tolerated); past that Slack answers 429. Every post goes through a queue per channel: turns are booked in the
 * shared store (so replicas sharing Redis share the pace), in order, and a post that fails for a reason that
 * passes (rate limited beyond the Web API client's own retries, Slack unreachable, a 5xx) is tried again later
 * instead of being dropped.
 */
import type { Logger } from '../log.js';
import type { StateStore } from '../state/store.js';

export interface PacerOptions {
  /** Spacing of posts in one channel. */
  intervalMs: number;
  /** Posts allowed at once in a channel that was quiet. */
  burst: number;
  /** Extra attempts for a post that failed for a passing reason (after the Web API client's own retries). */
  retries: number;
  /** First wait before such an attempt; doubled each time (a Retry-After from Slack wins when longer). */
  retryDelayMs: number;
}

export const SLACK_PACE: PacerOptions = { intervalMs: 1_000, burst: 3, retries: 4, retryDelayMs: 2_000 };

/** Seconds Slack asked to wait, when the error says so. */
export function retryAfterSeconds(err: unknown): number | undefined {
  const e = err as { retryAfter?: unknown; message?: unknown } | undefined;
  if (typeof e?.retryAfter === 'number') return e.retryAfter;
  // The Web API client's message once its own retries on 429 are used up.
  const m = /rate limit was exceeded.*retry-after: (\d+)/i.exec(String(e?.message ?? ''));
  return m ? Number(m[1]) : undefined;
}

/** True when trying the same call later may succeed. */
export function isPassingFailure(err: unknown): boolean {
  const e = err as { code?: unknown; statusCode?: unknown; data?: { error?: unknown } } | undefined;
  // Slack unreachable, or a 429 the client gave back.
  if (e?.code === 'slack_webapi_request_error' || e?.code === 'slack_webapi_rate_limited_error') return true;
  // Slack's own trouble; a 4xx would fail the same way again.
  if (e?.code === 'slack_webapi_http_error') return typeof e.statusCode === 'number' && e.statusCode >= 500;
  if (e?.data?.error === 'ratelimited' || e?.data?.error === 'service_unavailable') return true;
  return retryAfterSeconds(err) !== undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class ChannelPacer {
  private readonly tails = new Map<string, Promise<void>>();
  /** Posts waiting for their turn or being retried (tests, metrics). */
  pending = 0;

  constructor(
    private readonly store: StateStore,
    private readonly log: Logger,
    readonly opts: PacerOptions = SLACK_PACE,
  ) {}

  /** Runs fn at the channel's next turn, after the posts queued before it; retries passing failures. */
  async run<T>(channel: string, fn: () => Promise<T>): Promise<T> {
    this.pending++;
    try {
      await this.turn(channel);
      for (let attempt = 0; ; attempt++) {
        try {
          return await fn();
        } catch (err) {
          if (attempt >= this.opts.retries || !isPassingFailure(err)) throw err;
          const after = retryAfterSeconds(err);
          const wait = Math.max(
            this.opts.retryDelayMs * 2 ** attempt,
            after !== undefined ? after * 1000 : 0,
          );
          this.log.warn(
            { channel, attempt: attempt + 1, waitMs: wait, err: (err as Error).message },
            'Slack post failed; trying again',
          );
          await sleep(wait);
          await this.turn(channel);
        }
      }
    } finally {
      this.pending--;
    }
  }

  /** Waits for the channel's next turn: FIFO within this process, spaced by the shared schedule. */
  private async turn(channel: string): Promise<void> {
    const previous = this.tails.get(channel) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.tails.set(channel, tail);
    try {
      await previous;
      let wait = 0;
      try {
        wait = await this.store.schedule(`pace:${channel}`, this.opts.intervalMs, this.opts.burst);
      } catch (err) {
        // The shared schedule is unavailable: keep this replica's own spacing rather than not posting.
        this.log.warn({ err: (err as Error).message, channel }, 'posting pace unavailable; spacing locally');
        wait = this.opts.intervalMs;
      }
      if (wait > 0) await sleep(wait);
    } finally {
      release();
      if (this.tails.get(channel) === tail) this.tails.delete(channel);
    }
  }
}
