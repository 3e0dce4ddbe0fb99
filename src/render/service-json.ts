/**
 * `ecs-pull service --json`: the service report (schema 1, kind `ecs-pull-service-report`), each group's report as
 * `why --json` prints it and every message also rendered in the requested language.
 */
import type { TFunction } from 'i18next';
import type { ServiceReport } from '../diagnosis/service-report.js';
import { checkReportJson } from './check-text.js';
import { jsonMessage, jsonReport } from './json.js';

/** The service report as an object. */
export function jsonServiceReport(
  report: ServiceReport,
  t: TFunction,
  lang: string,
): Record<string, unknown> {
  const { schema, kind, generatedAt, service, groups, preflight, notes, aws } = report;
  return {
    schema,
    kind,
    generatedAt,
    lang,
    service: { partition: report.target.partition, ...service },
    groups: groups.map((g) => ({
      stoppedReason: g.stoppedReason,
      ...(g.stopCode ? { stopCode: g.stopCode } : {}),
      count: g.count,
      taskArns: g.taskArns,
      first: g.first ?? null,
      last: g.last ?? null,
      failed: g.failed,
      report: g.report ? jsonReport(g.report, t, lang) : null,
      ...(g.error ? { error: jsonMessage(t, g.error) } : {}),
    })),
    preflight: preflight ? checkReportJson(preflight, t, lang) : null,
    notes: notes.map((n) => jsonMessage(t, n)),
    aws,
  };
}

/** The service report, pretty-printed. */
export function renderServiceJson(report: ServiceReport, t: TFunction, lang: string): string {
  return `${JSON.stringify(jsonServiceReport(report, t, lang), null, 2)}\n`;
}
