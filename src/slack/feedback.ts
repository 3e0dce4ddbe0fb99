/**
 * Feedback on a report: 👍 / 👎 under each diagnosis, and after 👎 a form asking what the cause really was. One
 * answer per person per report, which they can change: each person's current answer is stored under the report's
 * correlation id, and every change withdraws the answer it replaces (metrics count both, so current answers are
 * total − withdrawn). The buttons carry the report's id and top cause, so a vote still counts after the reply's
 * stored state expired.
 */

import type { Language } from '../config.js';
import { CAUSE_IDS, isCauseId } from '../diagnosis/causes.js';
import type { SlackDeps } from './deps.js';

export const ACTION_FEEDBACK_PREFIX = 'ecs_pull_feedback';
export const FEEDBACK_VIEW = 'ecs_pull_feedback_view';
/** Block ids of the form's inputs. */
export const FEEDBACK_BLOCK_ACTUAL = 'actual';
export const FEEDBACK_BLOCK_NOTE = 'note';
/** Longest note kept (the form's own limit too). */
export const FEEDBACK_NOTE_MAX = 500;
/** How long an answer is kept (and can still be changed). */
export const FEEDBACK_TTL_MS = 30 * 24 * 3600_000;

export type Verdict = 'up' | 'down';
/** What the cause really was: a cause id, `other` (none of the listed ones), or `unspecified` (not said). */
export type Actual = string;
export const ACTUAL_OTHER = 'other';
export const ACTUAL_UNSPECIFIED = 'unspecified';

/** What a feedback button carries. */
export interface FeedbackValue {
  /** The report's correlation id. */
  d: string;
  /** Its top cause id (`none` when it named none). */
  c: string;
  v: Verdict;
  /** Language of the message: the form opens in it. */
  g: Language;
}

/** What the form carries back (private_metadata). */
export interface FeedbackForm {
  d: string;
  c: string;
  g: Language;
  /** The channel of the report. */
  ch: string;
}

/** One person's current answer on one report. */
export interface FeedbackRecord {
  verdict: Verdict;
  cause: string;
  actual: Actual;
  note?: string | undefined;
  channel: string;
  at: number;
}

const ID = /^[A-Za-z0-9-]{1,64}$/;

/** A report's top cause as a metric label: a known cause id, or `none`. */
export function causeLabel(cause: string | undefined): string {
  return cause && isCauseId(cause) ? cause : 'none';
}

/** The actual cause as a metric label: a known cause id, other, or unspecified. */
export function actualLabel(actual: string | undefined): Actual {
  if (actual && (isCauseId(actual) || actual === ACTUAL_OTHER)) return actual;
  return ACTUAL_UNSPECIFIED;
}

export function encodeFeedbackValue(v: FeedbackValue): string {
  return JSON.stringify(v);
}

/** Parses a feedback button's value; undefined when it is not one of ours. */
export function decodeFeedbackValue(raw: string | undefined): FeedbackValue | undefined {
  const v = parseJson(raw) as Partial<FeedbackValue> | undefined;
  if (!v || typeof v.d !== 'string' || !ID.test(v.d) || typeof v.c !== 'string') return undefined;
  if ((v.v !== 'up' && v.v !== 'down') || (v.g !== 'en' && v.g !== 'it')) return undefined;
  return { d: v.d, c: causeLabel(v.c), v: v.v, g: v.g };
}

export function encodeFeedbackForm(f: FeedbackForm): string {
  return JSON.stringify(f);
}

export function decodeFeedbackForm(raw: string | undefined): FeedbackForm | undefined {
  const f = parseJson(raw) as Partial<FeedbackForm> | undefined;
  if (!f || typeof f.d !== 'string' || !ID.test(f.d) || typeof f.c !== 'string') return undefined;
  if ((f.g !== 'en' && f.g !== 'it') || typeof f.ch !== 'string' || !ID.test(f.ch)) return undefined;
  return { d: f.d, c: causeLabel(f.c), g: f.g, ch: f.ch };
}

function parseJson(raw: string | undefined): unknown {
  if (!raw || raw.length > 3000) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** The causes a person may pick in the form: every cause but the one reported, then "something else". */
export function actualChoices(reported: string): string[] {
  return [...CAUSE_IDS.filter((c) => c !== reported && c !== 'unknown'), ACTUAL_OTHER];
}

/** Told about every change of an answer (metrics); `previous` is the answer it replaced. */
export type FeedbackListener = (next: FeedbackRecord, previous: FeedbackRecord | undefined) => void;

function sameAnswer(a: FeedbackRecord, b: FeedbackRecord): boolean {
  return a.verdict === b.verdict && a.actual === b.actual && a.cause === b.cause && a.note === b.note;
}

/**
 * Stores a person's answer on a report and tells the metrics, once per change: the same click twice changes
 * nothing; 👎 keeps what the form said before; 👍 means the reported cause was the actual one.
 */
export async function recordFeedback(
  deps: SlackDeps,
  report: string,
  user: string,
  answer: { verdict: Verdict; cause: string; channel: string; actual?: Actual; note?: string | undefined },
): Promise<{ record: FeedbackRecord; previous: FeedbackRecord | undefined; changed: boolean }> {
  const key = `feedback:${report}:${user}`;
  const current = await deps.store.get<FeedbackRecord>(key);
  let actual: Actual;
  let note: string | undefined;
  if (answer.verdict === 'up') actual = causeLabel(answer.cause);
  else if (answer.actual !== undefined) {
    actual = actualLabel(answer.actual);
    note = answer.note?.slice(0, FEEDBACK_NOTE_MAX) || undefined;
  } else if (current?.verdict === 'down') {
    actual = current.actual;
    note = current.note;
  } else actual = ACTUAL_UNSPECIFIED;
  const record: FeedbackRecord = {
    verdict: answer.verdict,
    cause: causeLabel(answer.cause),
    actual,
    ...(note ? { note } : {}),
    channel: answer.channel,
    at: Math.floor(deps.now() / 1000),
  };
  // The answer it replaces is what the swap returns (not what was read above), so two replicas changing the same
  // answer at once each withdraw exactly one.
  const previous = await deps.store.swap<FeedbackRecord>(key, record, FEEDBACK_TTL_MS);
  const changed = !previous || !sameAnswer(previous, record);
  if (changed) deps.onFeedback?.(record, previous);
  deps.log.child({ correlationId: report }).info(
    {
      report,
      user,
      verdict: record.verdict,
      cause: record.cause,
      actual: record.actual,
      ...(record.note ? { note: record.note } : {}),
      ...(previous ? { previous: { verdict: previous.verdict, actual: previous.actual } } : {}),
      changed,
    },
    'feedback',
  );
  return { record, previous, changed };
}
