/** JSON rendering: the report as data, with each message also rendered in the requested language. */
import type { TFunction } from 'i18next';
import type { CheckResult, Message } from '../diagnosis/checks/types.js';
import { type FixCommand, shellLine } from '../diagnosis/commands.js';
import type { Report } from '../diagnosis/report.js';
import { changeLine, whenText } from './changes.js';
import { checkTitle, say } from './text.js';

type WithText<M> = M & { text: string };

export function withText(t: TFunction, m: Message): WithText<Message>;
export function withText(t: TFunction, m: Message | undefined): WithText<Message> | undefined;
export function withText(t: TFunction, m: Message | undefined): WithText<Message> | undefined {
  return m ? { ...m, text: say(t, m) } : undefined;
}

/** A fix command as JSON: its line for a POSIX shell first, then its parts, sentences rendered. */
function commandJson(t: TFunction, c: FixCommand) {
  return {
    line: shellLine(c),
    ...c,
    ...(c.note ? { note: withText(t, c.note) } : {}),
    ...(c.fill ? { fill: c.fill.map((f) => ({ name: f.name, what: withText(t, f.what) })) } : {}),
  };
}

/** Check results as the JSON reports print them: each message with its text, the check's title, its commands. */
export function checksJson(t: TFunction, checks: readonly CheckResult[]) {
  return checks.map((c) => ({
    ...c,
    title: checkTitle(t, c.id),
    message: withText(t, c.message),
    evidence: c.evidence.map((e) => withText(t, e)),
    remediation: withText(t, c.remediation),
    commands: (c.commands ?? []).map((x) => commandJson(t, x)),
  }));
}

/** A message with its text in the language. */
export function jsonMessage(t: TFunction, m: Message): WithText<Message> {
  return withText(t, m);
}

/** The versioned JSON report (schema 1) as an object: the report with each message rendered in `lang` too. */
export function jsonReport(report: Report, t: TFunction, lang: string): Record<string, unknown> {
  return {
    ...report,
    lang,
    checks: checksJson(t, report.checks),
    causes: report.causes.map((c) => ({
      ...c,
      summary: withText(t, c.summary),
      remediation: withText(t, c.remediation),
      ...(c.evidence ? { evidence: c.evidence.map((e) => withText(t, e)) } : {}),
      ...(c.alsoCheck ? { alsoCheck: c.alsoCheck.map((e) => withText(t, e)) } : {}),
    })),
    ...(report.verdict
      ? { verdict: { ...report.verdict, notes: report.verdict.notes.map((n) => withText(t, n)) } }
      : {}),
    ...(report.changes
      ? {
          changes: {
            ...report.changes,
            events: report.changes.events.map((e) => ({
              ...e,
              when: whenText(t, e.minutesBefore),
              who: withText(t, e.who),
              ...(e.via ? { via: withText(t, e.via) } : {}),
              what: withText(t, e.what),
              text: changeLine(t, e),
            })),
          },
        }
      : {}),
  };
}

/** The versioned JSON report (schema 1), pretty-printed. */
export function renderJson(report: Report, t: TFunction, lang: string): string {
  return `${JSON.stringify(jsonReport(report, t, lang), null, 2)}\n`;
}
