/**
 * Prometheus metrics (prom-client): diagnoses by top cause and outcome, their duration, AWS calls and errors by
 * API and code, Slack API errors, requests refused by a rate limit, people's feedback on reports. One registry per process, served on /metrics.
 */
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { CallRecord } from '../diagnosis/facts/types.js';
import type { Report } from '../diagnosis/report.js';
import type { FeedbackRecord } from '../slack/feedback.js';

export type Outcome = 'ok' | 'partial' | 'user_error' | 'internal_error';

export class Metrics {
  readonly registry = new Registry();
  readonly diagnoses: Counter<'cause' | 'outcome' | 'surface'>;
  readonly duration: Histogram<'surface'>;
  readonly awsCalls: Counter<'api' | 'cached'>;
  readonly awsErrors: Counter<'api' | 'code'>;
  readonly slackErrors: Counter<'method' | 'code'>;
  readonly rateLimited: Counter<'surface' | 'scope'>;
  readonly watches: Counter<'result'>;
  readonly feedback: Counter<'cause' | 'verdict' | 'actual'>;
  readonly feedbackWithdrawn: Counter<'cause' | 'verdict' | 'actual'>;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics !== false)
      collectDefaultMetrics({ register: this.registry, prefix: 'ecs_pull_' });
    this.diagnoses = new Counter({
      name: 'ecs_pull_diagnoses_total',
      help: 'Diagnoses by top cause and outcome',
      labelNames: ['cause', 'outcome', 'surface'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'ecs_pull_diagnosis_duration_seconds',
      help: 'Wall time of a diagnosis, from request to report',
      labelNames: ['surface'],
      buckets: [0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 20],
      registers: [this.registry],
    });
    this.awsCalls = new Counter({
      name: 'ecs_pull_aws_calls_total',
      help: 'AWS API calls made by diagnoses and alert grouping (cached="true": answered from the shared cache)',
      labelNames: ['api', 'cached'],
      registers: [this.registry],
    });
    this.awsErrors = new Counter({
      name: 'ecs_pull_aws_errors_total',
      help: 'AWS API errors by API and error code',
      labelNames: ['api', 'code'],
      registers: [this.registry],
    });
    this.slackErrors = new Counter({
      name: 'ecs_pull_slack_api_errors_total',
      help: 'Slack Web API errors by method and error code',
      labelNames: ['method', 'code'],
      registers: [this.registry],
    });
    this.rateLimited = new Counter({
      name: 'ecs_pull_rate_limited_total',
      help: 'Requests people made that a rate limit refused, by surface and limit (user, channel, account, accounts)',
      labelNames: ['surface', 'scope'],
      registers: [this.registry],
    });
    this.watches = new Counter({
      name: 'ecs_pull_watches_total',
      help: 'Watches (Watch button) by how they ended: fixed, timeout, stopped, error, interrupted',
      labelNames: ['result'],
      registers: [this.registry],
    });
    this.feedback = new Counter({
      name: 'ecs_pull_feedback_total',
      help: 'Answers people gave on reports: the top cause reported, up or down, and what they said it actually was (the cause for up; a cause id, other or unspecified for down)',
      labelNames: ['cause', 'verdict', 'actual'],
      registers: [this.registry],
    });
    this.feedbackWithdrawn = new Counter({
      name: 'ecs_pull_feedback_withdrawn_total',
      help: 'Answers replaced by a later answer of the same person on the same report (current answers = ecs_pull_feedback_total - this)',
      labelNames: ['cause', 'verdict', 'actual'],
      registers: [this.registry],
    });
  }

  /** Records a person's new answer on a report, withdrawing the one it replaces. */
  feedbackAnswer(next: FeedbackRecord, previous: FeedbackRecord | undefined): void {
    const labels = (r: FeedbackRecord) => ({ cause: r.cause, verdict: r.verdict, actual: r.actual });
    if (previous) this.feedbackWithdrawn.inc(labels(previous));
    this.feedback.inc(labels(next));
  }

  /** Records a finished diagnosis. */
  diagnosis(
    surface: string,
    seconds: number,
    report: Report | undefined,
    outcome: Outcome,
    stoppedBy?: { api: string; code: string },
  ): void {
    this.duration.observe({ surface }, seconds);
    if (stoppedBy) this.awsErrors.inc(stoppedBy);
    this.diagnoses.inc({ cause: report?.causes[0]?.id ?? 'none', outcome, surface });
    for (const c of report?.aws.calls ?? []) this.awsCall(c);
  }

  /** Records one AWS call (of a diagnosis, or of the alert storm's task lookup) and its error. */
  awsCall(c: Pick<CallRecord, 'api' | 'cached' | 'ok' | 'errorCode'>): void {
    this.awsCalls.inc({ api: c.api, cached: String(!!c.cached) });
    if (!c.ok) this.awsErrors.inc({ api: c.api, code: c.errorCode ?? 'Unknown' });
  }

  /** Prometheus text exposition. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
