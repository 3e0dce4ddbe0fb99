/** What every Slack listener shares for the app's life: config, one AWS client pool, state, logger. */
import type { ClientPool } from '../aws/clients.js';
import type { Config } from '../config.js';
import type { SharedCallCache } from '../diagnosis/facts/session.js';
import type { Report } from '../diagnosis/report.js';
import type { Logger } from '../log.js';
import type { StateStore } from '../state/store.js';
import type { ChannelPacer } from './pacer.js';
import type { StormGroups, TaskLookup } from './storm.js';

export type Surface = 'command' | 'alert' | 'mention' | 'shortcut' | 'rerun' | 'language';
export type Outcome = 'ok' | 'partial' | 'user_error' | 'internal_error';

export interface SlackDeps {
  config: Config;
  pool: ClientPool;
  store: StateStore;
  log: Logger;
  /** AWS answers shared between diagnoses (Re-run bypasses it). */
  callCache?: SharedCallCache | undefined;
  /** Bounds concurrent diagnoses (an alert storm must not open hundreds of AWS sessions at once). */
  limiter: Limiter;
  /** Every chat.postMessage goes through it: Slack's per-channel pace, posts retried rather than lost. */
  pacer: ChannelPacer;
  /** Alert storms: batched task lookups and groups answered by their first reply; absent = every alert alone. */
  storm?: { lookup: TaskLookup; groups: StormGroups } | undefined;
  now: () => number;
  /** The workspace's URL (auth.test), learnt when a permalink has to be built by hand. */
  workspaceUrl?: string | undefined;
  /** Work still running after its acknowledgement (awaited on shutdown). */
  inflight: Set<Promise<unknown>>;
  /** Requests arriving together: work after an acknowledgement waits until they are all acknowledged. */
  burst?: Burst | undefined;
  /** Told about every diagnosis (metrics). */
  onDiagnosis?:
    | ((
        surface: Surface,
        seconds: number,
        report: Report | undefined,
        outcome: Outcome,
        /** The AWS error that stopped a diagnosis without a report (role not assumable, task unreadable). */
        stoppedBy?: { api: string; code: string },
      ) => void)
    | undefined;
}

/**
 * Acknowledgements first. Slack wants every request acknowledged within 3 s and users feel anything past a few
 * hundred ms; the work after an acknowledgement (Slack API calls, diagnoses) shares the one event loop. When
 * requests arrive in a burst (an incident: dozens of commands, a storm of alerts), that work waits until the
 * requests have stopped arriving for `quietMs`, so that each is acknowledged at the cost of its own parsing
 * alone; it never waits longer than `maxWaitMs`, so a steady stream of requests cannot starve it.
 */
export class Burst {
  private last = Number.NEGATIVE_INFINITY;
  /** Work waiting for the burst to pass, with the time it stops waiting regardless. */
  private waiting: Array<{ until: number; resolve: () => void }> = [];
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly quietMs = 50,
    private readonly maxWaitMs = 1_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A request arrived. */
  arrived(): void {
    this.last = this.now();
  }

  /** Resolves once no request arrived for quietMs (at once when none is arriving), at most maxWaitMs from now. */
  settled(): Promise<void> {
    const now = this.now();
    if (now >= this.last + this.quietMs) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiting.push({ until: now + this.maxWaitMs, resolve });
      this.arm();
    });
  }

  /** One timer for all the waiting work (hundreds of requests in a burst must not mean hundreds of timers). */
  private arm(): void {
    if (this.timer || !this.waiting.length) return;
    let next = this.last + this.quietMs;
    for (const w of this.waiting) if (w.until < next) next = w.until;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        const now = this.now();
        const quiet = now >= this.last + this.quietMs;
        const go = quiet ? this.waiting : this.waiting.filter((w) => now >= w.until);
        this.waiting = quiet ? [] : this.waiting.filter((w) => now < w.until);
        for (const w of go) w.resolve();
        this.arm();
      },
      Math.max(1, next - this.now() + 1),
    );
  }
}

/** A counting semaphore. */
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly max: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      // Hand the slot straight to the next waiter, so that nobody slips in between.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/** Role session requester: who asked, for CloudTrail (`slack-T0123-U0456`). */
export function requesterOf(team: string | undefined, who: string | undefined): string {
  return `slack-${team ?? 'team'}-${who ?? 'unknown'}`;
}

/** How long a reply's state (its reports, for the buttons) is kept. */
export const REPLY_STATE_TTL_MS = 24 * 3600_000;
/** How long a delivered event id or an answered alert is remembered (Slack retries for ~5 minutes). */
export const DEDUPE_TTL_MS = 24 * 3600_000;
