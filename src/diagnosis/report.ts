/** The report: data only (ids, statuses, evidence, links, message keys). Every surface renders the same one. */
import type { TaskTarget } from '../aws/target.js';
import type { CheckResult, Message } from './checks/types.js';
import type { TaskContext } from './context.js';
import type { CallRecord, Fact } from './facts/types.js';

export const REPORT_SCHEMA = 1 as const;

/** A likely cause, best first. Filled by the verdict. */
export interface Cause {
  id: string;
  /** 0..1 */
  confidence: number;
  /** What decided it: the stop message, the checks, or both. */
  basis?: 'message' | 'checks' | 'both';
  /** Ids of the checks that support it. */
  checks?: string[];
  summary?: Message;
  remediation?: Message;
  /** The stop-message fragments that pointed at it. */
  fragments?: string[];
}

/** How the top cause was reached. */
export interface Verdict {
  /** both: the message and failing checks agree; checks: the checks alone; message: the message alone; none. */
  basis: 'both' | 'checks' | 'message' | 'none';
  /** True when the checks that could confirm the top cause did not run or found nothing. */
  restsOnMessage: boolean;
  /** Checks that could not run (a permission, an error, the deadline). */
  unknownChecks: string[];
  /** Stop-message fragments recognised. */
  fragments: string[];
}

export interface AwsStats {
  calls: CallRecord[];
  /** Requests that went to AWS (answers served from the shared cache are not counted). */
  callCount: number;
  /** Answers served from the shared cache. */
  cachedCount: number;
  /** Sequential round trips: the deepest round of any call. */
  rounds: number;
  /** Wall time of fact gathering, ms. */
  wallMs: number;
  /** Facts not gathered before the deadline. */
  deadlineExceeded: boolean;
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  kind: 'ecs-pull-report';
  generatedAt: string;
  target: TaskTarget;
  context: TaskContext;
  checks: CheckResult[];
  causes: Cause[];
  verdict: Verdict;
  aws: AwsStats;
  /** Set when the report was computed from saved facts rather than live AWS calls. */
  replayedFrom?: string;
}

/** Everything gathered in one diagnosis: what --save-facts writes and replay/demo read. */
export interface SavedFacts {
  kind: 'ecs-pull-facts';
  schema: typeof REPORT_SCHEMA;
  savedAt: string;
  target: TaskTarget;
  /** Options given with the request (--service), and whether an event was supplied. */
  inputs: { service?: string; event?: boolean };
  facts: Record<string, Fact<unknown>>;
  calls: CallRecord[];
  wallMs: number;
  deadlineExceeded: boolean;
  /** Free text shown by the demo. */
  title?: string;
}

/** Summary numbers of a call list. */
export function callStats(calls: CallRecord[], wallMs: number, deadlineExceeded: boolean): AwsStats {
  return {
    calls,
    callCount: calls.filter((c) => !c.cached).length,
    cachedCount: calls.filter((c) => c.cached).length,
    rounds: calls.reduce((m, c) => Math.max(m, c.round), 0),
    wallMs,
    deadlineExceeded,
  };
}
