/** The report: data only (ids, statuses, evidence, links, message keys). Every surface renders the same one. */
import type { TaskTarget } from '../aws/target.js';
import type { ChangeReport } from './changes.js';
import type { CheckResult, Message } from './checks/types.js';
import type { Clue } from './classify.js';
import type { TaskContext } from './context.js';
import type { CallRecord, Fact, PreflightPlan } from './facts/types.js';

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
  /** The confidence in words: high (≥ 0.7), medium (≥ 0.4), low. */
  level?: ConfidenceLevel;
  /** The pieces of the stop message that point at it, as written there. */
  fragments?: string[];
  /** The same pieces, each with what it is: words of the error, a host, the image, the step that failed. */
  clues?: Clue[];
  /** Evidence lines of the checks in `checks`, for surfaces that show the answer without the check list. */
  evidence?: Message[];
  /** Checks that ran and found nothing wrong where this cause would show: they argue against it. */
  against?: string[];
  /** What else to look at when this is the answer (set on the top cause). */
  alsoCheck?: Message[];
  /**
   * The id of the change (in `changes.events`) that backs this cause: made to a resource its failing checks name,
   * shortly before the failure. It raised the confidence, and is named with the answer.
   */
  change?: string;
}

export type ConfidenceLevel = 'high' | 'medium' | 'low';

/** How the answer was reached: what it rests on, and what could not be verified. */
export interface Verdict {
  /** Of the top cause: the message and the checks agree (both), the checks alone, the message alone; none found. */
  basis: 'both' | 'checks' | 'message' | 'none';
  /** Framing sentences shown with the answer: it rests on the message alone, the message and checks disagree… */
  notes: Message[];
  /** Checks that could not run (a denied permission, an error, the deadline). */
  unverified: string[];
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
  /** What CloudTrail's event history says changed on the resources behind the problems (absent: not looked up). */
  changes?: ChangeReport;
  /** Set when the report was computed from saved facts rather than live AWS calls. */
  replayedFrom?: string;
}

/** Everything gathered in one diagnosis: what --save-facts writes and replay/demo read. */
export interface SavedFacts {
  kind: 'ecs-pull-facts';
  schema: typeof REPORT_SCHEMA;
  savedAt: string;
  target: TaskTarget;
  /** Options given with the request (--service), whether an event was supplied, and a pre-flight's plan. */
  inputs: { service?: string; event?: boolean; preflight?: PreflightPlan };
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
