/**
 * Block Kit rendering of diagnoses for Slack: the most likely cause and its fix first, then the failing and
 * warning checks with their evidence and console buttons, passes folded into one line, then the task's context.
 * Every message stays within Block Kit's limits whatever the report's size: texts are cut on a character
 * boundary with "…", lists fold into "…and N more", and a last pass (fitMessage) enforces every limit again.
 */
import type { TFunction } from 'i18next';
import type { LinkRef } from '../aws/console-links.js';
import type { Language } from '../config.js';
import type { CheckResult, Message } from '../diagnosis/checks/types.js';
import type { Cause, Report } from '../diagnosis/report.js';
import { checkTitle, contextLines, say } from './text.js';

/** Block Kit limits (Slack's reference), enforced by fitMessage. */
export const LIMITS = {
  blocks: 50,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  contextText: 3000,
  actionsElements: 25,
  buttonText: 75,
  buttonUrl: 3000,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  /** Top-level `text`: Slack accepts far more, notifications show a line; kept short on purpose. */
  messageText: 3000,
} as const;

export interface TextObject {
  type: 'mrkdwn' | 'plain_text';
  text: string;
  emoji?: boolean;
}
export interface ButtonElement {
  type: 'button';
  text: TextObject;
  action_id: string;
  url?: string;
  value?: string;
  style?: 'primary' | 'danger';
}
export type Block =
  | { type: 'header'; text: TextObject; block_id?: string }
  | { type: 'section'; text?: TextObject; fields?: TextObject[]; block_id?: string }
  | { type: 'context'; elements: TextObject[]; block_id?: string }
  | { type: 'actions'; elements: ButtonElement[]; block_id?: string }
  | { type: 'divider'; block_id?: string };

export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/** The cause of a group's first reply, as a repeat shows it. */
export type CauseSummary = Pick<Cause, 'id' | 'confidence' | 'basis' | 'summary' | 'remediation'>;

/** An alert of a storm answered with its group's first reply instead of a diagnosis of its own. */
export interface SameCauseItem {
  kind: 'same';
  /** This alert's task id. */
  ref: string;
  where: { cluster: string; account: string; region: string };
  first: {
    taskId: string;
    /** Permalink of the first reply. */
    link: string;
    /** The task group shared (`service:checkout`, `family:web`). */
    group: string;
    cause?: CauseSummary | undefined;
  };
}

/** One thing a reply reports on: a task's diagnosis, why a task could not be diagnosed, or a storm repeat. */
export type ReplyItem =
  | { kind: 'report'; report: Report }
  | { kind: 'error'; ref: string; message: Message }
  | SameCauseItem;

/** Everything a reply is rendered from (the rest is the language). */
export interface ReplyView {
  items: ReplyItem[];
  /** Tasks the alert named beyond what was diagnosed. */
  more: number;
  /** Who asked (a Slack user id); absent for automatic replies to alerts. */
  requestedBy?: string | undefined;
  /** Who re-ran it last, and when (epoch seconds). */
  rerun?: { by: string; at: number } | undefined;
  /** Buttons (Re-run, language) carry this; absent → no action buttons. */
  actions?: ReplyActions | undefined;
}

/** What the Re-run and language buttons carry. */
export interface ReplyActions {
  /** Key of the stored reply state. */
  stateKey: string;
  /** command: the thread reply of a channel summary (the summary is updated too); thread: a lone reply. */
  layout: 'command' | 'thread';
  /** Task ARNs, so that a click still works after the stored state expired. */
  arns: string[];
}

export const ACTION_RERUN = 'ecs_pull_rerun';
export const ACTION_LANG = 'ecs_pull_lang';
/** URL buttons: Slack still sends a block_actions payload, acked by a listener matching this prefix. */
export const ACTION_LINK_PREFIX = 'ecs_pull_link';

/** Value carried by the Re-run and language buttons. */
export interface ActionValue {
  /** State key. */
  k: string;
  /** Layout. */
  l: 'c' | 't';
  /** Language of the message as rendered (Re-run keeps it); for the language button, the one to switch to. */
  g: Language;
  /** ARNs (as many as fit). */
  a: string[];
}

/** Readability caps (well inside the limits): problems shown in full, console buttons per check and per task. */
const MAX_FULL_PROBLEMS = 12;
const LINKS_PER_CHECK = 5;
const LINKS_PER_TASK = 8;

const statusEmoji: Record<CheckResult['status'], string> = {
  fail: ':x:',
  warn: ':warning:',
  unknown: ':grey_question:',
  pass: ':white_check_mark:',
  skip: ':heavy_minus_sign:',
};

// ---------------------------------------------------------------------------------------------------------------
// Text helpers

/** Escapes Slack's control characters in mrkdwn text. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Cuts text to at most max UTF-16 units, ending with "…", never inside a surrogate pair, an HTML entity
 * (&amp;), a Slack mention (<@U…>) or an open ``` block (which would swallow the rest of the message).
 */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  if (max <= 1) return '…'.slice(0, max);
  let cut = max - 1;
  const code = s.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  let out = s.slice(0, cut);
  const amp = out.lastIndexOf('&');
  if (amp >= 0 && amp > out.length - 6 && !out.slice(amp).includes(';')) out = out.slice(0, amp);
  const lt = out.lastIndexOf('<');
  if (lt >= 0 && !out.slice(lt).includes('>')) out = out.slice(0, lt);
  const fences = out.split('```').length - 1;
  if (fences % 2 === 1) {
    if (out.length + 4 <= max) return `${out}…\`\`\``;
    out = out.slice(0, out.lastIndexOf('```'));
  }
  return `${out}…`;
}

/**
 * Joins lines up to max characters; lines that do not fit are dropped and counted in a last line given by
 * more(n) (which is always kept within max).
 */
export function joinLines(lines: string[], max: number, more: (n: number) => string): string {
  const out: string[] = [];
  let used = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const sep = out.length ? 1 : 0;
    const rest = lines.length - i - 1;
    const tail = rest > 0 ? more(rest).length + 1 : 0;
    if (used + sep + line.length + tail <= max) {
      out.push(line);
      used += sep + line.length;
      continue;
    }
    // This line does not fit whole: cut it if it is the only one, else fold it and the rest.
    if (out.length === 0) {
      const room = max - (rest > 0 ? more(rest).length + 1 : 0);
      if (room > 20) {
        out.push(clip(line, room));
        if (rest > 0) out.push(more(rest));
        return out.join('\n');
      }
    }
    out.push(more(lines.length - i));
    return clip(out.join('\n'), max);
  }
  return out.join('\n');
}

const mrkdwn = (text: string): TextObject => ({ type: 'mrkdwn', text });
const plain = (text: string): TextObject => ({ type: 'plain_text', text, emoji: true });

function section(text: string): Block {
  return { type: 'section', text: mrkdwn(clip(text, LIMITS.sectionText)) };
}
function context(...texts: string[]): Block {
  return {
    type: 'context',
    elements: texts
      .filter((x) => x.length > 0)
      .slice(0, LIMITS.contextElements)
      .map((x) => mrkdwn(clip(x, LIMITS.contextText))),
  };
}

/** A code span safe from backticks in the value. */
function code(s: string): string {
  return `\`${esc(s.replace(/`/g, "'"))}\``;
}

// ---------------------------------------------------------------------------------------------------------------
// Pieces of a report

const statusRank: Record<CheckResult['status'], number> = { fail: 0, warn: 1, unknown: 2, pass: 3, skip: 4 };

function problems(report: Report): CheckResult[] {
  return report.checks
    .filter((c) => c.status === 'fail' || c.status === 'warn')
    .sort((a, b) => statusRank[a.status] - statusRank[b.status]);
}

function where(t: TFunction, r: Report): string {
  const c = r.context;
  const parts = [
    t('slack:report.where', { cluster: c.cluster, account: c.account, region: c.region }),
    c.stopCode ? t('slack:report.stopCode', { code: c.stopCode }) : '',
    c.serviceName ? t('slack:report.service', { name: c.serviceName }) : '',
  ].filter(Boolean);
  return parts.map(esc).join(' · ');
}

/** The answer: most likely cause, how sure, the fix; or that none was found. */
function causeText(
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
  const fix = say(t, top.remediation);
  if (fix) lines.push(`:wrench: *${esc(t('slack:cause.fix'))}* ${esc(fix)}`);
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
function checkText(t: TFunction, c: CheckResult): string {
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

function linkLabel(t: TFunction, l: LinkRef): string {
  const kind = t(`slack:link.${l.kind}`, { defaultValue: '' });
  return clip(kind ? `${kind}: ${l.id}` : l.id, LIMITS.buttonText);
}

/** URL buttons for console pages (unique, https, valid length), at most `max`; `hidden` counts the rest. */
function linkButtons(
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

function foldedLine(t: TFunction, key: string, emoji: string, ids: string[]): string {
  const titles = ids.map((id) => esc(checkTitle(t, id)));
  const label = `${emoji} *${esc(t(key, { count: ids.length }))}*`;
  const body = joinLines(titles, LIMITS.contextText - label.length - 2, (n) =>
    esc(t('slack:more', { count: n })),
  )
    .split('\n')
    .join(', ');
  return clip(`${label} ${body}`, LIMITS.contextText);
}

function unknownText(t: TFunction, checks: CheckResult[]): string {
  const head = `${statusEmoji.unknown} *${esc(t('slack:report.unknown', { count: checks.length }))}*`;
  const lines = checks.map((c) => `• *${esc(checkTitle(t, c.id))}*: ${esc(say(t, c.message))}`);
  return `${head}\n${joinLines(lines, LIMITS.sectionText - head.length - 1, (n) => `• ${esc(t('slack:more', { count: n }))}`)}`;
}

function footerText(t: TFunction, view: ReplyView, r?: Report): string[] {
  const out: string[] = [];
  if (r) {
    const a = r.aws;
    out.push(esc(t('slack:footer.aws', { count: a.callCount, rounds: a.rounds, ms: a.wallMs })));
    if (a.deadlineExceeded) out.push(esc(t('slack:footer.deadline')));
  }
  if (view.requestedBy) out.push(t('slack:footer.asked', { user: `<@${view.requestedBy}>` }));
  else out.push(esc(t('slack:footer.automatic')));
  if (view.rerun) {
    const at = Math.floor(view.rerun.at);
    out.push(
      t('slack:footer.rerun', {
        user: `<@${view.rerun.by}>`,
        time: `<!date^${at}^{time}|${new Date(at * 1000).toISOString().slice(11, 16)} UTC>`,
      }),
    );
  }
  return out;
}

/** The JSON a button carries, with as many ARNs as fit in a button value. */
export function encodeActionValue(v: ActionValue): string {
  const arns: string[] = [];
  for (const a of v.a) {
    const next = JSON.stringify({ ...v, a: [...arns, a] });
    if (next.length > LIMITS.buttonValue) break;
    arns.push(a);
  }
  return JSON.stringify({ ...v, a: arns });
}

/** Parses a button value; undefined when it is not one of ours. */
export function decodeActionValue(raw: string | undefined): ActionValue | undefined {
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as Partial<ActionValue>;
    if (typeof v.k !== 'string' || (v.l !== 'c' && v.l !== 't') || (v.g !== 'en' && v.g !== 'it')) return;
    const arns = Array.isArray(v.a) ? v.a.filter((x): x is string => typeof x === 'string') : [];
    return { k: v.k, l: v.l, g: v.g, a: arns };
  } catch {
    return undefined;
  }
}

function actionsBlock(
  t: TFunction,
  lang: Language,
  actions: ReplyActions,
  rerunKey = 'slack:actions.rerun',
): Block {
  const other: Language = lang === 'it' ? 'en' : 'it';
  const base = { k: actions.stateKey, l: actions.layout === 'command' ? 'c' : 't', a: actions.arns } as const;
  return {
    type: 'actions',
    block_id: 'ecs_pull_actions',
    elements: [
      {
        type: 'button',
        text: plain(clip(t(rerunKey), LIMITS.buttonText)),
        action_id: ACTION_RERUN,
        style: 'primary',
        value: encodeActionValue({ ...base, g: lang }),
      },
      {
        type: 'button',
        text: plain(clip(t(`slack:actions.lang-${other}`), LIMITS.buttonText)),
        action_id: ACTION_LANG,
        value: encodeActionValue({ ...base, g: other }),
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Whole messages

/** Blocks of one report shown alone: the full layout, problems as many as the block budget allows. */
function fullReport(t: TFunction, r: Report, budget: number, prefix: string): Block[] {
  const c = r.context;
  const head: Block[] = [
    { type: 'header', text: plain(clip(t('slack:report.title', { taskId: c.taskId }), LIMITS.headerText)) },
    context(where(t, r)),
    section(causeText(t, r)),
  ];
  const stop = stopText(t, r);
  if (stop) head.push(section(stop));
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
    const cost = buttons.length ? 2 : 1;
    if (cost > room) break;
    const more = hidden ? `\n_${esc(t('slack:more-links', { count: hidden }))}_` : '';
    middle.push(section(`${clip(checkText(t, p), LIMITS.sectionText - more.length)}${more}`));
    if (buttons.length) middle.push({ type: 'actions', elements: buttons });
    room -= cost;
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
function compactReport(t: TFunction, r: Report, index: number): Block[] {
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

/** A safe Slack link: only https URLs without Slack's markup characters. */
function link(url: string, label: string): string {
  // Inside Slack's link markup the URL is escaped like any text (Slack undoes &amp; before opening it).
  return /^https:\/\/[^\s|<>]+$/.test(url) ? `<${url.replace(/&/g, '&amp;')}|${esc(label)}>` : esc(label);
}

/** The task group in words: `service:checkout` → service checkout. */
function groupLabel(t: TFunction, group: string): string {
  const [kind, ...rest] = group.split(':');
  const name = rest.join(':');
  if (kind === 'service' && name) return t('slack:report.service', { name });
  if (kind === 'family' && name) return t('slack:storm.family', { name });
  // No group recorded: the task definition (family:revision) stands in for it.
  if (kind === 'taskdef' && name) return t('slack:storm.family', { name: name.split('/').pop() ?? name });
  return group;
}

/** A storm repeat: this task, the first reply it shares its cause with, and that cause. */
function sameText(t: TFunction, item: SameCauseItem): string {
  const head = `:repeat: *${esc(t('slack:report.task', { taskId: item.ref }))}* · ${esc(
    t('slack:report.where', item.where),
  )}`;
  const marker = '\u0000link\u0000';
  // The same task alerted again (another alert app, a re-posted alert) is not "the same as" itself.
  const again = item.first.taskId === item.ref;
  const line = esc(
    again
      ? t('slack:storm.again', { taskId: item.ref, link: marker })
      : t('slack:storm.same', {
          taskId: item.first.taskId,
          group: groupLabel(t, item.first.group),
          link: marker,
        }),
  ).replace(marker, link(item.first.link, t('slack:storm.first-reply')));
  const cause = causeText(t, { causes: item.first.cause ? [item.first.cause] : [] }, true);
  return [head, line, cause].join('\n');
}

function errorText(t: TFunction, item: Extract<ReplyItem, { kind: 'error' }>): string {
  return `:warning: *${esc(t('slack:report.task', { taskId: item.ref }))}*: ${esc(say(t, item.message))}`;
}

/** The top-level text: notifications and screen readers get the answer in one line. */
function topText(t: TFunction, view: ReplyView): string {
  const reports = view.items.filter((i): i is Extract<ReplyItem, { kind: 'report' }> => i.kind === 'report');
  if (view.items.length === 1 && reports.length === 1) {
    const r = reports[0]!.report;
    const top = r.causes[0];
    const cause = top ? say(t, top.summary) || top.id : t('slack:cause.none');
    return clip(t('slack:text.one', { taskId: r.context.taskId, cause }), LIMITS.messageText);
  }
  const only = view.items.length === 1 ? view.items[0] : undefined;
  if (only?.kind === 'error') {
    return clip(t('slack:text.one', { taskId: only.ref, cause: say(t, only.message) }), LIMITS.messageText);
  }
  if (only?.kind === 'same') {
    const top = only.first.cause;
    const cause = top ? say(t, top.summary) || top.id : t('slack:cause.none');
    return clip(
      t('slack:text.same', { taskId: only.ref, first: only.first.taskId, cause }),
      LIMITS.messageText,
    );
  }
  return clip(t('slack:text.many', { count: view.items.length + view.more }), LIMITS.messageText);
}

/** The full reply (a thread reply to an alert, a mention, a shortcut, or the details of a command). */
export function renderReply(view: ReplyView, t: TFunction, lang: Language): SlackMessage {
  const footer: Block[] = [];
  const single = view.items.length === 1 ? view.items[0] : undefined;
  footer.push(context(...footerText(t, view, single?.kind === 'report' ? single.report : undefined)));
  if (view.actions) {
    const onlySame = view.items.length > 0 && view.items.every((i) => i.kind === 'same');
    footer.push(
      actionsBlock(t, lang, view.actions, onlySame ? 'slack:storm.diagnose' : 'slack:actions.rerun'),
    );
  }

  let body: Block[];
  if (single?.kind === 'report') {
    body = fullReport(t, single.report, LIMITS.blocks - footer.length, 'c');
  } else if (single?.kind === 'error') {
    body = [section(errorText(t, single))];
  } else if (single?.kind === 'same') {
    body = [section(sameText(t, single)), context(esc(t('slack:storm.hint')))];
  } else {
    body = [
      {
        type: 'header',
        text: plain(
          clip(t('slack:report.many', { count: view.items.length + view.more }), LIMITS.headerText),
        ),
      },
    ];
    const budget = LIMITS.blocks - footer.length - body.length - 1;
    let used = 0;
    let shown = 0;
    for (const [i, item] of view.items.entries()) {
      const blocks =
        item.kind === 'report'
          ? compactReport(t, item.report, i)
          : [section(item.kind === 'same' ? sameText(t, item) : errorText(t, item))];
      if (used + blocks.length > budget) break;
      if (shown > 0) {
        if (used + blocks.length + 1 > budget) break;
        body.push({ type: 'divider' });
        used++;
      }
      body.push(...blocks);
      used += blocks.length;
      shown++;
    }
    const notShown = view.items.length - shown + view.more;
    if (notShown > 0) body.push(context(esc(t('slack:more-tasks', { count: notShown }))));
  }
  return fitMessage({ text: topText(t, view), blocks: [...body, ...footer] });
}

/** The channel message of a command: who asked about what, the answer in three lines, details in the thread. */
export function renderSummary(view: ReplyView, t: TFunction): SlackMessage {
  const item = view.items[0];
  const blocks: Block[] = [];
  const head = (taskId: string) =>
    view.requestedBy
      ? t('slack:summary.asked', { user: `<@${view.requestedBy}>`, taskId: `*${esc(taskId)}*` })
      : `*${esc(t('slack:report.task', { taskId }))}*`;
  if (item?.kind === 'report') {
    const r = item.report;
    blocks.push(section(`${head(r.context.taskId)} · ${where(t, r)}\n${causeText(t, r, true)}`));
    const probs = problems(r).length;
    blocks.push(
      context(esc(probs ? t('slack:summary.details', { count: probs }) : t('slack:summary.details-none'))),
    );
  } else if (item?.kind === 'error') {
    blocks.push(section(`${head(item.ref)}\n:warning: ${esc(say(t, item.message))}`));
  } else if (item?.kind === 'same') {
    blocks.push(section(sameText(t, item)));
  }
  return fitMessage({ text: topText(t, view), blocks });
}

/** A one-line message (usage, refusal, apology). */
export function renderLine(text: string): SlackMessage {
  return fitMessage({ text: clip(text, LIMITS.messageText), blocks: [section(esc(text))] });
}

// ---------------------------------------------------------------------------------------------------------------
// Limits

function fitText(o: TextObject, max: number): TextObject {
  return o.text.length > max ? { ...o, text: clip(o.text, max) } : o;
}

function fitBlock(b: Block): Block | undefined {
  const id = b.block_id ? { block_id: b.block_id.slice(0, LIMITS.blockId) } : {};
  switch (b.type) {
    case 'header':
      return { ...b, ...id, text: fitText({ ...b.text, type: 'plain_text' }, LIMITS.headerText) };
    case 'section': {
      const out: Block = { ...b, ...id };
      if (b.text) out.text = fitText(b.text, LIMITS.sectionText);
      if (b.fields)
        out.fields = b.fields.slice(0, LIMITS.sectionFields).map((f) => fitText(f, LIMITS.fieldText));
      if (!out.text && !out.fields?.length) return undefined;
      return out;
    }
    case 'context': {
      const elements = b.elements
        .filter((e) => e.text.length > 0)
        .slice(0, LIMITS.contextElements)
        .map((e) => fitText(e, LIMITS.contextText));
      return elements.length ? { ...b, ...id, elements } : undefined;
    }
    case 'actions': {
      const elements = b.elements
        .filter(
          (e) =>
            (e.url === undefined || e.url.length <= LIMITS.buttonUrl) &&
            (e.value ?? '').length <= LIMITS.buttonValue,
        )
        .slice(0, LIMITS.actionsElements)
        .map((e) => ({
          ...e,
          text: fitText({ ...e.text, type: 'plain_text' as const }, LIMITS.buttonText),
          action_id: e.action_id.slice(0, LIMITS.actionId),
        }));
      return elements.length ? { ...b, ...id, elements } : undefined;
    }
    default:
      return { ...b, ...id };
  }
}

/**
 * Enforces every Block Kit limit on a message: texts and ids cut, lists shortened, empty blocks dropped, and past
 * 50 blocks the overflow folded into a context line while a final actions block (Re-run, language) is kept.
 */
export function fitMessage(msg: SlackMessage): SlackMessage {
  let blocks = msg.blocks.map(fitBlock).filter((b): b is Block => b !== undefined);
  if (blocks.length > LIMITS.blocks) {
    const last = blocks[blocks.length - 1]!;
    const keepLast = last.type === 'actions' && last.block_id === 'ecs_pull_actions';
    const room = LIMITS.blocks - 1 - (keepLast ? 1 : 0);
    const dropped = blocks.length - room - (keepLast ? 1 : 0);
    blocks = [
      ...blocks.slice(0, room),
      { type: 'context', elements: [mrkdwn(`… +${dropped}`)] },
      ...(keepLast ? [last] : []),
    ];
  }
  const text = clip(msg.text.trim() || '…', LIMITS.messageText);
  return { text, blocks };
}
