/**
 * Terminal rendering of a service report, in the order a person on call needs it: the deployment state (rollout,
 * circuit breaker), then the group of stopped tasks that matters with its full diagnosis (as `why` prints it), the
 * other groups with their counts, time range and answer, the pre-flight when no stopped task was left, the
 * service's own recent events, and the AWS calls it took.
 */
import type { TFunction } from 'i18next';
import type { DeploymentState } from '../diagnosis/facts/service-tasks.js';
import {
  type ServiceGroup,
  type ServicePreflight,
  type ServiceReport,
  shortTaskDefinition,
} from '../diagnosis/service-report.js';
import { BLANK, bullet, layout, PLAIN, type Row, row, type Terminal } from './terminal.js';
import { causeLabel, checkTitle, confidenceText, reportRows, say } from './text.js';

/** Events shown (the report keeps up to 20). */
const EVENTS_SHOWN = 8;

/** A deployment in one line: status, id, task definition, rollout state, counts. */
export function deploymentLine(t: TFunction, d: DeploymentState): string {
  const parts = [
    t('service:deployment.head', {
      status: d.status ?? '?',
      id: d.id ?? '?',
      taskDefinition: shortTaskDefinition(d.taskDefinition),
    }),
  ];
  if (d.rolloutState) parts.push(t(`service:rollout.${d.rolloutState}`, { defaultValue: d.rolloutState }));
  parts.push(
    t('service:deployment.counts', {
      count: d.desiredCount ?? 0,
      running: d.runningCount ?? 0,
      pending: d.pendingCount ?? 0,
    }),
  );
  if (d.failedTasks) parts.push(t('service:deployment.failed', { count: d.failedTasks }));
  return parts.join(' · ');
}

/** The circuit breaker in words. */
export function circuitBreakerLine(t: TFunction, r: ServiceReport): string {
  const cb = r.service.circuitBreaker;
  if (!cb?.enable) return t('service:circuit-breaker.off');
  return t(cb.rollback ? 'service:circuit-breaker.rollback' : 'service:circuit-breaker.on');
}

/** The group's size and time range. */
export function groupHead(t: TFunction, g: ServiceGroup, index: number, total: number): string {
  const head = t('service:group.head', { index: index + 1, total, count: g.count });
  if (!g.first || !g.last) return head;
  return g.first === g.last
    ? `${head} · ${t('service:group.at', { at: g.last })}`
    : `${head} · ${t('service:group.range', { first: g.first, last: g.last })}`;
}

/** A group other than the lead: its answer in two lines. */
function groupAnswerRows(t: TFunction, g: ServiceGroup): Row[] {
  const out: Row[] = [];
  const top = g.report?.causes[0];
  if (g.report && top) {
    const summary = top.summary ? say(t, top.summary) : causeLabel(t, top.id);
    out.push(row(4, t('causes:render.answer', { summary }), 'answer'));
    if (top.id !== 'unknown') out.push(row(6, confidenceText(t, top)));
    if (top.remediation) out.push(row(6, t('report.fix', { text: say(t, top.remediation) }), 'fix'));
    out.push(row(4, t('service:group.diagnosed', { taskId: g.report.context.taskId }), 'muted'));
  } else if (g.report) {
    out.push(row(4, t('causes:render.noCause'), 'answer'));
  } else if (g.error) {
    out.push(row(4, say(t, g.error), 'muted'));
  }
  return out;
}

/** The pre-flight: would a task started now pull, and the checks that block it. */
function preflightRows(t: TFunction, p: ServicePreflight): Row[] {
  const out: Row[] = [
    BLANK,
    row(0, t('service:preflight.title'), 'heading'),
    row(2, t(`service:preflight.${p.verdict.outcome}`), p.verdict.blocking ? 'fail' : 'pass'),
  ];
  for (const c of p.checks.filter((x) => x.status === 'fail' || x.status === 'warn')) {
    out.push(
      bullet(2, c.status === 'fail' ? '✗' : '!', `${checkTitle(t, c.id)} (${c.id})`, c.status, c.status),
    );
    out.push(row(6, say(t, c.message)));
    if (c.remediation) out.push(row(6, t('report.fix', { text: say(t, c.remediation) }), 'fix'));
  }
  if (p.verdict.unverified.length)
    out.push(row(2, t('service:preflight.unverified', { count: p.verdict.unverified.length }), 'muted'));
  return out;
}

/** The report as rows. */
export function serviceRows(r: ServiceReport, t: TFunction): Row[] {
  const s = r.service;
  const rows: Row[] = [
    row(0, t('service:title', { service: s.serviceName }), 'title'),
    row(0, t('report.where', { cluster: s.cluster, account: s.account, region: s.region }), 'muted'),
    BLANK,
    row(0, t('service:deployments-title'), 'heading'),
    row(
      2,
      t('service:state', {
        status: s.status ?? '?',
        count: s.desiredCount ?? 0,
        running: s.runningCount ?? 0,
        pending: s.pendingCount ?? 0,
      }),
    ),
  ];
  for (const d of s.deployments) {
    rows.push(
      bullet(2, '·', deploymentLine(t, d), undefined, d.rolloutState === 'FAILED' ? 'fail' : undefined),
    );
    if (d.rolloutStateReason) rows.push(row(6, d.rolloutStateReason, 'muted'));
  }
  rows.push(row(2, circuitBreakerLine(t, r)));

  rows.push(BLANK);
  const { listed, described } = s.stoppedTasks;
  rows.push(
    row(
      0,
      described
        ? t('service:stopped.some', { count: described, groups: r.groups.length })
        : t('service:stopped.none', { count: listed }),
      'heading',
    ),
  );
  for (const n of r.notes) rows.push(row(2, say(t, n)));
  for (const [i, g] of r.groups.entries()) {
    rows.push(BLANK);
    rows.push(row(0, groupHead(t, g, i, r.groups.length), i === 0 ? 'heading' : 'title'));
    rows.push(
      row(2, g.stoppedReason ? t('report.stoppedReason', { reason: g.stoppedReason }) : t('report.noReason')),
    );
    if (i === 0 && g.report) {
      // The group that matters, in full: as `why` prints its task, without the AWS footer (the service's below).
      const full = reportRows(g.report, t);
      const end = full.lastIndexOf(BLANK);
      for (const x of full.slice(0, end < 0 ? undefined : end)) rows.push({ ...x, indent: x.indent + 2 });
    } else rows.push(...groupAnswerRows(t, g));
  }
  if (r.preflight) rows.push(...preflightRows(t, r.preflight));

  rows.push(BLANK, row(0, t('service:events-title'), 'heading'));
  if (!s.events.length) rows.push(row(2, t('service:events-none'), 'muted'));
  for (const e of s.events.slice(0, EVENTS_SHOWN)) {
    rows.push(
      bullet(2, '·', e.createdAt ? t('service:event', { at: e.createdAt, message: e.message }) : e.message),
    );
  }
  if (s.events.length > EVENTS_SHOWN)
    rows.push(row(2, t('service:events-more', { count: s.events.length - EVENTS_SHOWN }), 'muted'));

  const a = r.aws;
  rows.push(
    BLANK,
    row(0, t('report.awsCalls', { count: a.callCount, rounds: a.rounds, ms: a.wallMs }), 'muted'),
  );
  if (a.deadlineExceeded) rows.push(row(0, t('report.deadline')));
  return rows;
}

/** The whole service report as text (plain and unwrapped by default; wrapped and coloured for a terminal). */
export function renderServiceText(r: ServiceReport, t: TFunction, term: Terminal = PLAIN): string {
  return `${layout(serviceRows(r, t), term)}\n`;
}
