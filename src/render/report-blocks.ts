/**
 * The blocks of one diagnosis report: the most likely cause and its fix first, then the failing and warning checks
 * with their evidence and console buttons, passes folded into one line, then the task's context; or, among several
 * reports, one section per task. Texts are cut with "…" and lists fold into "…and N more" to stay within Block Kit's
 * limits.
 */
import type { TFunction } from 'i18next';
import type { LinkRef } from '../aws/console-links.js';
import { byWorstStatus, type CheckResult } from '../diagnosis/checks/types.js';
import type { Report } from '../diagnosis/report.js';
import { instant, when } from '../i18n.js';
import { ACTION_LINK_PREFIX } from '../slack/buttons.js';
import type { CauseSummary } from '../slack/reply-types.js';
import {
  type Block,
  type ButtonElement,
  clip,
  context,
  esc,
  joinLines,
  LIMITS,
  plain,
  section,
} from './blockkit.js';
import { changeAnswer, changeLine, changeNotes, shownEvents } from './changes.js';
import { checkTitle, commandLines, contextLines, say } from './text.js';

/** Readability caps (well inside the limits): problems shown in full, console buttons per check and per task. */
const MAX_FULL_PROBLEMS = 12;
const LINKS_PER_CHECK = 5;
const LINKS_PER_TASK = 8;
/** A check's commands take at most this many sections; more, and the check says where to get them all. */
const COMMAND_SECTIONS_PER_CHECK = 3;

export const statusEmoji: Record<CheckResult['status'], string> = {
  fail: ':x:',
  warn: ':warning:',
  unknown: ':grey_question:',
  pass: ':white_check_mark:',
  skip: ':heavy_minus_sign:',
};

/** A code span safe from backticks in the value. */
function code(s: string): string {
  return `\`${esc(s.replace(/`/g, "'"))}\``;
}

// ---------------------------------------------------------------------------------------------------------------
// Pieces of a report

export function problems(report: Report): CheckResult[] {
  return report.checks.filter((c) => c.status === 'fail' || c.status === 'warn').sort(byWorstStatus);
}

/** Stands in for a date token while its sentence is escaped (a private-use character no text contains). */
const AT = '\uE000';

export function where(t: TFunction, r: Report): string {
  const c = r.context;
  const parts = [
    t('slack:report.where', { cluster: c.cluster, account: c.account, region: c.region }),
    c.stopCode ? t('slack:report.stopCode', { code: c.stopCode }) : '',
    c.serviceName ? t('slack:report.service', { name: c.serviceName }) : '',
  ]
    .filter(Boolean)
    .map(esc);
  const stopped = instant(c.stoppedAt);
  // Slack's date token: every reader sees the time in their own zone and language; the fallback is UTC.
  if (stopped) {
    const epoch = Math.floor(stopped.getTime() / 1000);
    const lng = (t as unknown as { lng?: string }).lng ?? 'en';
    const token = `<!date^${epoch}^{date_short_pretty} {time}|${esc(when(stopped.toISOString(), lng, 'UTC'))}>`;
    // The sentence is escaped, the token (the bot's own markup) put in after.
    parts.push(esc(t('slack:report.stoppedAt', { at: AT })).replace(AT, token));
  }
  return parts.join(' · ');
}

/** The answer: most likely cause, how sure, the fix; or that none was found. */
export function causeText(
  t: TFunction,
  r: Pick<Report, 'causes'> | { causes: CauseSummary[] },
  compact = false,
): string {
  const top = r.causes[0];
  if (!top) {
    const lines = [`:mag: *${esc(t('slack:cause.none'))}*`];
    if (!compact) lines.push(esc(t('slack:cause.none-hint')));
    return lines.join('\n');
  }
  const percent = Math.round(Math.max(0, Math.min(1, top.confidence)) * 100);
  const head = [`:mag: *${esc(t('slack:cause.title'))}*`, esc(t('slack:cause.confidence', { percent }))];
  if (top.basis) head.push(esc(t(`slack:cause.basis.${top.basis}`)));
  const lines = [head.join(' · ')];
  const summary = say(t, top.summary);
  lines.push(summary ? esc(summary) : code(top.id));
  // The change that backs the answer (CloudTrail), named with it.
  const change = 'changes' in r ? changeAnswer(t, r as Report) : undefined;
  if (change) lines.push(`:clock3: ${esc(change)}`);
  const fix = say(t, top.remediation);
  if (fix) lines.push(`:wrench: *${esc(t('slack:cause.fix'))}* ${esc(fix)}`);
  // A cause no check decided (a task that did not fail to pull) carries its own evidence: the exit codes.
  const own = 'evidence' in top && !top.checks?.length ? (top.evidence ?? []) : [];
  if (!compact) for (const e of own.slice(0, 6)) lines.push(`• ${esc(say(t, e))}`);
  if (!compact) {
    const others = (r.causes as CauseSummary[]).slice(1, 4).filter((c) => c.confidence >= 0.1 && c.summary);
    if (others.length) {
      lines.push(`_${esc(t('slack:cause.others'))}_`);
      for (const o of others) lines.push(`• ${Math.round(o.confidence * 100)}% ${esc(say(t, o.summary))}`);
    }
  }
  return lines.join('\n');
}

function stopText(t: TFunction, r: Report): string | undefined {
  const c = r.context;
  const reasons: string[] = [];
  if (c.stoppedReason) reasons.push(c.stoppedReason);
  for (const ct of c.containers) {
    if (ct.reason && ct.reason !== c.stoppedReason) reasons.push(`${ct.name}: ${ct.reason}`);
  }
  if (!reasons.length) return `*${esc(t('slack:report.stopped'))}* ${esc(t('slack:report.no-reason'))}`;
  // Long agent messages are cut: the checks say more than the tail of a retry log.
  const body = clip(reasons.join('\n').replace(/```/g, "'''"), 1200);
  return `*${esc(t('slack:report.stopped'))}*\n\`\`\`${esc(body)}\`\`\``;
}

/** One failing or warning check: status, title, what was found, evidence, fix. */
export function checkText(t: TFunction, c: CheckResult): string {
  const head = `${statusEmoji[c.status]} *${esc(checkTitle(t, c.id))}* ${code(c.id)}`;
  const lines = [head, esc(say(t, c.message))];
  const fix = c.remediation ? `:wrench: *${esc(t('slack:cause.fix'))}* ${esc(say(t, c.remediation))}` : '';
  // Evidence takes the room the head, message and fix leave.
  const fixed = lines.join('\n').length + (fix ? fix.length + 1 : 0) + 1;
  const room = Math.max(200, LIMITS.sectionText - fixed);
  const evidence = c.evidence.map((e) => `• ${esc(say(t, e))}`);
  if (evidence.length)
    lines.push(joinLines(evidence, room, (n) => `• ${esc(t('slack:more', { count: n }))}`));
  if (fix) lines.push(fix);
  return clip(lines.join('\n'), LIMITS.sectionText);
}

/**
 * A check's fix commands as sections of code blocks that each stay within a section's limit: whole lines only (a
 * command is never cut, which would paste as another command). A line that fits no section, or that would
 * close the code block (```), is left out and a sentence after the block says where to get it.
 */
export function commandSections(t: TFunction, commands: CheckResult['commands']): string[] {
  if (!commands?.length) return [];
  const head = `:computer: *${esc(t('fix:render.slack-title'))}* _${esc(t('fix:render.slack-hint'))}_\n`;
  const render = (first: boolean, body: string[], notes: string[]) =>
    (first ? head : '') +
    [body.length ? `\`\`\`\n${body.join('\n')}\n\`\`\`` : '', ...notes.map((n) => `_${n}_`)]
      .filter(Boolean)
      .join('\n');
  const sections: string[] = [];
  let body: string[] = [];
  let notes: string[] = [];
  const fits = (b: string[], n: string[]) => render(!sections.length, b, n).length <= LIMITS.sectionText;
  const flush = () => {
    if (body.length || notes.length) sections.push(render(!sections.length, body, notes));
    body = [];
    notes = [];
  };
  for (const line of commandLines(t, commands)) {
    const text = esc(line.text);
    // A line no section could hold, or one that would end the code block, is named instead of shown.
    const whole = render(false, [text], []).length <= LIMITS.sectionText - head.length;
    if (line.text.includes('```') || !whole) {
      const note = esc(
        line.text.includes('```')
          ? t('fix:render.unshowable')
          : t('fix:render.too-long', { chars: line.text.length }),
      );
      if (!fits(body, [...notes, note])) flush();
      notes.push(note);
      continue;
    }
    if (!fits([...body, text], notes)) flush();
    body.push(text);
  }
  flush();
  return sections;
}

function linkLabel(t: TFunction, l: LinkRef): string {
  const kind = t(`slack:link.${l.kind}`, { defaultValue: '' });
  return clip(kind ? `${kind}: ${l.id}` : l.id, LIMITS.buttonText);
}

/** URL buttons for console pages (unique, https, valid length), at most `max`; `hidden` counts the rest. */
export function linkButtons(
  t: TFunction,
  links: LinkRef[],
  prefix: string,
  max: number,
): { buttons: ButtonElement[]; hidden: number } {
  const seen = new Set<string>();
  const buttons: ButtonElement[] = [];
  let hidden = 0;
  for (const l of links) {
    if (seen.has(l.url) || l.url.length > LIMITS.buttonUrl || !/^https:\/\//.test(l.url)) continue;
    seen.add(l.url);
    if (buttons.length >= max) {
      hidden++;
      continue;
    }
    buttons.push({
      type: 'button',
      text: plain(linkLabel(t, l)),
      url: l.url,
      action_id: `${ACTION_LINK_PREFIX}_${prefix}_${buttons.length}`.slice(0, LIMITS.actionId),
    });
  }
  return { buttons, hidden };
}

export function foldedLine(t: TFunction, key: string, emoji: string, ids: string[]): string {
  const titles = ids.map((id) => esc(checkTitle(t, id)));
  const label = `${emoji} *${esc(t(key, { count: ids.length }))}*`;
  const body = joinLines(titles, LIMITS.contextText - label.length - 2, (n) =>
    esc(t('slack:more', { count: n })),
  )
    .split('\n')
    .join(', ');
  return clip(`${label} ${body}`, LIMITS.contextText);
}

export function unknownText(t: TFunction, checks: CheckResult[]): string {
  const head = `${statusEmoji.unknown} *${esc(t('slack:report.unknown', { count: checks.length }))}*`;
  const lines = checks.map((c) => `• *${esc(checkTitle(t, c.id))}*: ${esc(say(t, c.message))}`);
  return `${head}\n${joinLines(lines, LIMITS.sectionText - head.length - 1, (n) => `• ${esc(t('slack:more', { count: n }))}`)}`;
}

/** Changes listed in Slack (the nearest the failure), each with its CloudTrail button. */
const MAX_CHANGES = 5;

/**
 * What changed (CloudTrail): the changes on the resources behind the problems, when, by whom and what, with what
 * could not be looked up; then a button per change to its page in the CloudTrail console. Nothing when no lookup
 * was made.
 */
export function changeBlocks(t: TFunction, r: Report, prefix: string): Block[] {
  const c = r.changes;
  if (!c) return [];
  const head = `:clock3: *${esc(t('changes:render.title-short'))}*`;
  const events = shownEvents(c, MAX_CHANGES);
  // The change named with the answer stands out.
  const named = r.causes[0]?.change;
  const lines = events.map((e) => {
    const line = esc(changeLine(t, e));
    return e.id === named ? `• *${line}*` : `• ${line}`;
  });
  const notes = changeNotes(t, c).map((n) => `${n.problem ? ':warning: ' : ''}_${esc(n.text)}_`);
  const body = joinLines([...lines, ...notes], LIMITS.sectionText - head.length - 1, (n) =>
    esc(t('slack:more', { count: n })),
  );
  const blocks: Block[] = [section(`${head}\n${body}`)];
  const buttons: ButtonElement[] = events
    .filter((e) => /^https:\/\//.test(e.link.url) && e.link.url.length <= LIMITS.buttonUrl)
    .map((e, i) => ({
      type: 'button',
      text: plain(clip(t('changes:render.button', { event: e.name }), LIMITS.buttonText)),
      url: e.link.url,
      action_id: `${ACTION_LINK_PREFIX}_${prefix}_ct${i}`.slice(0, LIMITS.actionId),
    }));
  if (buttons.length) blocks.push({ type: 'actions', elements: buttons });
  return blocks;
}

// ---------------------------------------------------------------------------------------------------------------
// Layouts of one report

/** Blocks of one report shown alone: the full layout, problems as many as the block budget allows. */
export function fullReport(t: TFunction, r: Report, budget: number, prefix: string): Block[] {
  const c = r.context;
  const head: Block[] = [
    { type: 'header', text: plain(clip(t('slack:report.title', { taskId: c.taskId }), LIMITS.headerText)) },
    context(where(t, r)),
    section(causeText(t, r)),
  ];
  const stop = stopText(t, r);
  if (stop) head.push(section(stop));
  head.push(...changeBlocks(t, r, prefix));
  head.push({ type: 'divider' });

  const tail: Block[] = [];
  const unknown = r.checks.filter((x) => x.status === 'unknown');
  if (unknown.length) tail.push(section(unknownText(t, unknown)));
  const passed = r.checks.filter((x) => x.status === 'pass').map((x) => x.id);
  const skipped = r.checks.filter((x) => x.status === 'skip').map((x) => x.id);
  const folded = [
    passed.length ? foldedLine(t, 'slack:report.passed', statusEmoji.pass, passed) : '',
    skipped.length ? foldedLine(t, 'slack:report.skipped', statusEmoji.skip, skipped) : '',
  ].filter(Boolean);
  if (!r.checks.length) folded.push(esc(t('slack:report.no-checks')));
  if (folded.length) tail.push(context(...folded));
  const ctx = contextLines(t, c).map(esc);
  if (ctx.length) {
    tail.push(context(joinLines(ctx, LIMITS.contextText, (n) => esc(t('slack:more', { count: n })))));
  }

  const probs = problems(r);
  const middle: Block[] = [];
  // Each problem is a section and, when it has console pages, a row of buttons. One block stays in reserve for
  // the "…and N more" line.
  let room = budget - head.length - tail.length - 1;
  let shown = 0;
  for (const p of probs) {
    if (shown >= MAX_FULL_PROBLEMS) break;
    const { buttons, hidden } = linkButtons(t, p.links, `${prefix}${shown}`, LINKS_PER_CHECK);
    let commands = commandSections(t, p.commands);
    const cost = buttons.length ? 2 : 1;
    if (cost > room) break;
    // The commands take a section each; without room for them the check says where to get them.
    let more = hidden ? `\n_${esc(t('slack:more-links', { count: hidden }))}_` : '';
    if (cost + commands.length > room || commands.length > COMMAND_SECTIONS_PER_CHECK) {
      commands = [];
      more += `\n_${esc(t('fix:render.no-room'))}_`;
    }
    middle.push(section(`${clip(checkText(t, p), LIMITS.sectionText - more.length)}${more}`));
    for (const c of commands) middle.push(section(c));
    if (buttons.length) middle.push({ type: 'actions', elements: buttons });
    room -= cost + commands.length;
    shown++;
  }
  if (shown < probs.length) {
    const rest = probs.slice(shown).map((p) => `${statusEmoji[p.status]} ${esc(checkTitle(t, p.id))}`);
    middle.push(
      context(
        clip(
          `${esc(t('slack:more-checks', { count: probs.length - shown }))} ${rest.join(', ')}`,
          LIMITS.contextText,
        ),
      ),
    );
  }
  if (!probs.length && r.checks.length) middle.push(context(esc(t('slack:report.no-problems'))));
  return [...head, ...middle, ...tail];
}

/** Blocks of one report among several: who, the answer, problems in one line each, a row of console buttons. */
export function compactReport(t: TFunction, r: Report, index: number): Block[] {
  const c = r.context;
  const probs = problems(r);
  const head = `*${esc(t('slack:report.task', { taskId: c.taskId }))}* · ${where(t, r)}`;
  const lines = probs.map(
    (p) => `${statusEmoji[p.status]} *${esc(checkTitle(t, p.id))}*: ${esc(say(t, p.message))}`,
  );
  const answer = causeText(t, r, true);
  const room = LIMITS.sectionText - head.length - answer.length - 2;
  const text = [head, answer];
  if (lines.length && room > 100)
    text.push(joinLines(lines, room, (n) => esc(t('slack:more', { count: n }))));
  const blocks: Block[] = [section(text.join('\n'))];
  const { buttons } = linkButtons(
    t,
    probs.flatMap((p) => p.links),
    `t${index}`,
    LINKS_PER_TASK,
  );
  if (buttons.length) blocks.push({ type: 'actions', elements: buttons });
  return blocks;
}
