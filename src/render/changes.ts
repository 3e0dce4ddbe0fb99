/**
 * The timeline of what changed (report.changes) in words, for every surface: when each change was made relative to
 * the failure, who made it and how, what it did, and what could not be looked up. The terminal, Block Kit and JSON
 * renderers lay these sentences out their own way.
 */
import type { TFunction } from 'i18next';
import type { ChangeEvent, ChangeLookupSummary, ChangeReport } from '../diagnosis/changes.js';
import type { Report } from '../diagnosis/report.js';
import { say } from './text.js';

/** "42 minutes before", "3 hours before", "moments after": an event's time relative to the failure. */
export function whenText(t: TFunction, minutesBefore: number): string {
  const m = minutesBefore;
  if (m < 0) {
    const after = -m;
    return after < 1
      ? (t('changes:when.moments-after') as string)
      : (t('changes:when.minutes-after', { count: after }) as string);
  }
  if (m < 1) return t('changes:when.moments-before') as string;
  if (m < 120) return t('changes:when.minutes-before', { count: m }) as string;
  if (m < 48 * 60) return t('changes:when.hours-before', { count: Math.floor(m / 60) }) as string;
  return t('changes:when.days-before', { count: Math.floor(m / 1440) }) as string;
}

/** One event: "42 minutes before: alice@example.com (IAM Identity Center, …) deleted the route …". */
export function changeLine(t: TFunction, e: ChangeEvent): string {
  const params = { when: whenText(t, e.minutesBefore), who: say(t, e.who), what: say(t, e.what) };
  return e.via
    ? (t('changes:render.line-via', { ...params, via: say(t, e.via) }) as string)
    : (t('changes:render.line', params) as string);
}

/** The change that backs the answer, as said with it: "42 minutes before the failure, alice … deleted …". */
export function changeAnswer(t: TFunction, report: Pick<Report, 'causes' | 'changes'>): string | undefined {
  const id = report.causes[0]?.change;
  const e = id ? report.changes?.events.find((x) => x.id === id) : undefined;
  if (!e) return undefined;
  const params = { when: whenText(t, e.minutesBefore), who: say(t, e.who), what: say(t, e.what) };
  return e.via
    ? (t('changes:render.answer-via', { ...params, via: say(t, e.via) }) as string)
    : (t('changes:render.answer', params) as string);
}

/** The events a short timeline shows: the `max` nearest the failure, oldest first. */
export function shownEvents(changes: ChangeReport, max: number): ChangeEvent[] {
  return [...changes.events]
    .sort((a, b) => Math.abs(a.minutesBefore) - Math.abs(b.minutesBefore))
    .slice(0, max)
    .sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
}

/** A looked-up resource in a sentence: its id. */
const idOf = (l: Pick<ChangeLookupSummary, 'id'>) => l.id;

/**
 * What the timeline could not say, and what it found nothing on: resources with no change, lookups that failed
 * (throttled, denied, the deadline…) each naming why, pages cut short, resources beyond the budget.
 */
export function changeNotes(t: TFunction, changes: ChangeReport): Array<{ text: string; problem: boolean }> {
  const out: Array<{ text: string; problem: boolean }> = [];
  const quiet = changes.lookups.filter((l) => l.status === 'ok' && l.events === 0).map(idOf);
  if (quiet.length)
    out.push({ text: t('changes:render.none', { resources: quiet.join(', ') }) as string, problem: false });
  for (const l of changes.lookups) {
    if (l.status === 'ok') {
      if (l.more) out.push({ text: t('changes:render.more', { resource: l.id }) as string, problem: false });
      continue;
    }
    out.push({
      text: t(`changes:render.failed.${l.status}`, {
        resource: l.id,
        code: l.code ?? '?',
        action: l.action ?? 'cloudtrail:LookupEvents',
        account: l.account ?? '?',
      }) as string,
      problem: true,
    });
  }
  if (changes.skipped.length) {
    out.push({
      text: t('changes:render.skipped', {
        max: changes.limits.maxLookups,
        perRegion: changes.limits.perRegion,
        resources: changes.skipped.map(idOf).join(', '),
      }) as string,
      problem: false,
    });
  }
  return out;
}
