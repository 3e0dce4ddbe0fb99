/**
 * What a diagnosis leaves in the log, the same from Slack and the CLI: one summary line when it ends (cause,
 * confidence, outcome, duration, AWS calls and rounds, checks left unknown) and one warning per AWS error that
 * left checks unknown. The caller's logger carries the correlation id, the surface and the task.
 */
import type { Report } from '../diagnosis/report.js';
import type { Logger } from '../log.js';
import type { Outcome } from './metrics.js';

/** ok, or partial when the deadline cut gathering short or a check could not be run. */
export function diagnosisOutcome(report: Report): 'ok' | 'partial' {
  return report.aws.deadlineExceeded || report.checks.some((c) => c.status === 'unknown') ? 'partial' : 'ok';
}

export interface DiagnosisSummary {
  outcome: Outcome;
  topCause: string | null;
  confidence: number | null;
  durationMs: number;
  /** Requests that went to AWS (null when the diagnosis ended without a report). */
  awsCalls: number | null;
  /** Answers served by the shared cache. */
  cachedCalls: number | null;
  rounds: number | null;
  unknownChecks: number | null;
  unknownCheckIds?: string[];
  deadlineExceeded?: boolean;
}

/** The fields of a diagnosis' summary line. */
export function diagnosisSummary(
  report: Report | undefined,
  outcome: Outcome,
  durationMs: number,
): DiagnosisSummary {
  const top = report?.causes[0];
  const unknown = report?.checks.filter((c) => c.status === 'unknown').map((c) => c.id) ?? [];
  return {
    outcome,
    topCause: top?.id ?? null,
    confidence: top ? Math.round(top.confidence * 100) / 100 : null,
    durationMs: Math.round(durationMs),
    awsCalls: report ? report.aws.callCount : null,
    cachedCalls: report ? report.aws.cachedCount : null,
    rounds: report ? report.aws.rounds : null,
    unknownChecks: report ? unknown.length : null,
    ...(unknown.length ? { unknownCheckIds: unknown } : {}),
    ...(report?.aws.deadlineExceeded ? { deadlineExceeded: true } : {}),
  };
}

export interface AwsErrorGroup {
  api: string | null;
  code: string;
  kind: string;
  checks: string[];
}

/** The AWS errors behind the report's unknown checks, one entry per API and code. */
export function awsErrorsOf(report: Report): AwsErrorGroup[] {
  const groups = new Map<string, AwsErrorGroup>();
  for (const c of report.checks) {
    const e = c.status === 'unknown' ? c.missing?.error : undefined;
    if (!e || e.kind === 'not-applicable' || e.code === 'NotGathered') continue;
    const key = `${e.action ?? ''}|${e.code}`;
    const g = groups.get(key);
    if (g) g.checks.push(c.id);
    else groups.set(key, { api: e.action ?? null, code: e.code, kind: e.kind, checks: [c.id] });
  }
  return [...groups.values()];
}

/** One warning per AWS error (API and code) that left checks unknown. */
export function logAwsErrors(log: Logger, report: Report): void {
  for (const g of awsErrorsOf(report)) log.warn(g, 'an AWS error left checks unknown');
}

/** The AWS error behind a diagnosis that could not start or read its task (a UserError from diagnose()). */
export function awsErrorOfUserError(err: {
  key: string;
  params: Record<string, string | number>;
}): { api: string; code?: string; kind?: string } | undefined {
  switch (err.key) {
    case 'errors.account.assume-failed':
      return { api: 'sts:AssumeRole', code: String(err.params.code ?? 'Unknown') };
    case 'errors.task.no-cluster':
      return { api: 'ecs:DescribeTasks', code: 'ClusterNotFoundException' };
    case 'errors.task.denied':
      return { api: String(err.params.action ?? 'ecs:DescribeTasks'), kind: 'denied' };
    case 'errors.task.unreadable':
      return { api: 'ecs:DescribeTasks', code: String(err.params.code ?? 'Unknown') };
    default:
      return undefined;
  }
}

/**
 * A warning for the AWS error that stopped a diagnosis, if one did, with AWS's own message: the log is where that
 * detail belongs (it names the caller's role session and the request id, which Slack never shows).
 */
export function logUserErrorAws(
  log: Logger,
  err: { key: string; params: Record<string, string | number> },
): void {
  const aws = awsErrorOfUserError(err);
  if (!aws) return;
  const message = err.params.message;
  log.warn(
    message === undefined ? aws : { ...aws, message: String(message) },
    'an AWS error stopped the diagnosis',
  );
}
