/** What every Slack listener shares for the app's life: config, one AWS client pool, state, logger. */
import type { ClientPool } from '../aws/clients.js';
import type { Config } from '../config.js';
import type { SharedCallCache } from '../diagnosis/facts/session.js';
import type { Report } from '../diagnosis/report.js';
import type { Logger } from '../log.js';
import type { StateStore } from '../state/store.js';
import type { Burst } from './burst.js';
import type { FeedbackListener } from './feedback.js';
import type { Limiter } from './limiter.js';
import type { ChannelPacer } from './pacer.js';
import type { RateLimits } from './rate-limit.js';
import type { StormGroups, TaskLookup } from './storm.js';
import type { RunningWatch, WatchResult } from './watch.js';

export type Surface =
  | 'command'
  | 'alert'
  | 'mention'
  | 'shortcut'
  | 'rerun'
  | 'language'
  | 'feedback'
  | 'watch';
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
  /** Rate limits on the diagnoses people ask for (absent: none, as in benchmarks and unit tests). */
  rateLimits?: RateLimits | undefined;
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
  /** This process among the bot's replicas (the owner of the watches it runs). */
  replicaId: string;
  /** Watches running in this process, by report id (stopped on shutdown). */
  watches: Map<string, RunningWatch>;
  /** Told how every watch ended (metrics). */
  onWatchEnd?: ((result: WatchResult) => void) | undefined;
  /** Told about every changed feedback answer (metrics). */
  onFeedback?: FeedbackListener | undefined;
}

/** Role session requester: who asked, for CloudTrail (`slack-T0123-U0456`). */
export function requesterOf(team: string | undefined, who: string | undefined): string {
  return `slack-${team ?? 'team'}-${who ?? 'unknown'}`;
}

/** How long a reply's state (its reports, for the buttons) is kept. */
export const REPLY_STATE_TTL_MS = 24 * 3600_000;
/** How long a delivered event id or an answered alert is remembered (Slack retries for ~5 minutes). */
export const DEDUPE_TTL_MS = 24 * 3600_000;
