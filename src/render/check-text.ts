/**
 * A pre-flight's report for the terminal and as JSON, in the order a person deciding whether to deploy needs it:
 * the verdict in one line, the checks that block with their fixes, the warnings, what could not be checked, the
 * other checks folded, then the task it would start and the AWS calls it took.
 */
import type { TFunction } from 'i18next';
import type { CheckReport, CheckVerdict } from '../diagnosis/check-report.js';
import { byWorstStatus, type Message } from '../diagnosis/checks/types.js';
import { checksJson, withText } from './json.js';
import { BLANK, bullet, layout, PLAIN, type Row, row, type Terminal } from './terminal.js';
import { checkTitle, contextLines, marks, problemRows, say } from './text.js';

/** The verdict as a sentence: would pull (with how many warnings), or would fail (with how many checks block). */
export function verdictMessage(v: CheckVerdict): Message {
  if (v.blocking) return { key: 'preflight:verdict.would-fail', params: { count: v.failing.length } };
  if (v.warnings.length)
    return { key: 'preflight:verdict.would-pull-warn', params: { count: v.warnings.length } };
  return { key: 'preflight:verdict.would-pull' };
}

/** What the verdict does not cover: the checks that could not run. */
export function unverifiedMessage(v: CheckVerdict): Message | undefined {
  return v.unverified.length
    ? { key: 'preflight:verdict.unverified', params: { count: v.unverified.length } }
    : undefined;
}

/** The task definition as `family:revision`, else as asked. */
export function taskDefinitionName(r: CheckReport): string {
  const td = r.context.taskDefinition;
  return td?.family
    ? `${td.family}:${td.revision}`
    : (r.target.taskDefinition ?? r.context.taskDefinitionArn ?? '?');
}

/** The title line: what was checked. */
export function checkTitleText(t: TFunction, r: CheckReport): string {
  return r.target.service
    ? t('preflight:title.service', { service: r.target.service, taskDefinition: taskDefinitionName(r) })
    : t('preflight:title.task-definition', { taskDefinition: taskDefinitionName(r) });
}

/** The report as rows. */
export function checkReportRows(report: CheckReport, t: TFunction): Row[] {
  const c = report.context;
  const v = report.verdict;
  const sorted = [...report.checks].sort(byWorstStatus);
  const rows: Row[] = [
    row(0, checkTitleText(t, report), 'title'),
    row(0, t('report.where', { cluster: c.cluster, account: c.account, region: c.region }), 'muted'),
    BLANK,
    row(0, say(t, verdictMessage(v)), v.blocking ? 'fail' : 'answer'),
  ];
  const unverified = unverifiedMessage(v);
  if (unverified) rows.push(row(2, say(t, unverified), 'unknown'));

  const failing = sorted.filter((r) => r.status === 'fail');
  if (failing.length) {
    rows.push(BLANK, row(0, t('preflight:blockingTitle'), 'heading'));
    for (const r of failing) rows.push(...problemRows(t, r, 2));
  }
  const warnings = sorted.filter((r) => r.status === 'warn');
  if (warnings.length) {
    rows.push(BLANK, row(0, t('preflight:warningsTitle'), 'heading'));
    for (const r of warnings) rows.push(...problemRows(t, r, 2));
  }
  const unknown = sorted.filter((r) => r.status === 'unknown');
  if (unknown.length) {
    rows.push(BLANK, row(0, t('preflight:unverifiedTitle'), 'heading'));
    for (const r of unknown) {
      rows.push(
        bullet(
          2,
          marks.unknown,
          t('causes:render.unverified', { title: checkTitle(t, r.id), id: r.id, message: say(t, r.message) }),
          undefined,
          'unknown',
        ),
      );
    }
  }
  const passed = sorted.filter((r) => r.status === 'pass').map((r) => r.id);
  const skipped = sorted.filter((r) => r.status === 'skip').map((r) => r.id);
  if (passed.length || skipped.length) {
    rows.push(BLANK, row(0, t('preflight:othersTitle'), 'heading'));
    if (passed.length)
      rows.push(
        bullet(2, marks.pass, t('report.passedFolded', { ids: passed.join(', ') }), undefined, 'pass'),
      );
    if (skipped.length)
      rows.push(
        bullet(2, marks.skip, t('report.skippedFolded', { ids: skipped.join(', ') }), 'muted', 'skip'),
      );
  }

  rows.push(BLANK, row(0, t('preflight:taskTitle'), 'heading'));
  for (const ct of c.containers)
    rows.push(row(2, t('report.container', { name: ct.name, image: ct.image ?? '?' })));
  for (const l of contextLines(t, c)) rows.push(row(2, l));

  const a = report.aws;
  rows.push(
    BLANK,
    row(
      0,
      report.replayedFrom
        ? t('report.awsCallsReplay', { file: report.replayedFrom, count: a.callCount, rounds: a.rounds })
        : t('report.awsCalls', { count: a.callCount, rounds: a.rounds, ms: a.wallMs }),
      'muted',
    ),
  );
  if (a.deadlineExceeded) rows.push(row(0, t('report.deadline')));
  return rows;
}

/** The pre-flight as text: plain by default; wrapped and coloured for a terminal that takes it. */
export function renderCheckText(report: CheckReport, t: TFunction, term: Terminal = PLAIN): string {
  return `${layout(checkReportRows(report, t), term)}\n`;
}

/** The pre-flight's JSON report (schema 1) as an object: the same `checks` as `why --json`, the verdict's sentence. */
export function checkReportJson(report: CheckReport, t: TFunction, lang: string): Record<string, unknown> {
  const unverified = unverifiedMessage(report.verdict);
  return {
    ...report,
    lang,
    checks: checksJson(t, report.checks),
    verdict: {
      ...report.verdict,
      summary: withText(t, verdictMessage(report.verdict)),
      ...(unverified ? { note: withText(t, unverified) } : {}),
    },
  };
}

/** The pre-flight's JSON report (schema 1), pretty-printed. */
export function renderCheckJson(report: CheckReport, t: TFunction, lang: string): string {
  return `${JSON.stringify(checkReportJson(report, t, lang), null, 2)}\n`;
}
