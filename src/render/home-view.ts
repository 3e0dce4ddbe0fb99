/**
 * The App Home tab (views.publish): what ecs-pull does, how to ask, which accounts the person's channels may
 * diagnose, their last diagnoses and, for admins, the doctor summary. Within Block Kit's limits for a view (100
 * blocks, every text cut where Slack would refuse it); everything that is not the bot's own markup is escaped.
 */
import type { TFunction } from 'i18next';
import type { Language } from '../config.js';
import type { DoctorRow } from '../doctor.js';
import { when } from '../i18n.js';
import type { ShownEntry } from '../slack/home.js';
import {
  type Block,
  clip,
  context,
  esc,
  fitBlocks,
  joinLines,
  LIMITS,
  noFence,
  plain,
  section,
} from './blockkit.js';
import { causeLabel, say } from './text.js';

/** Which accounts a person's channels may diagnose (home.ts builds it from the configuration). */
export interface HomeAccess {
  /** False when the person's channels could not be listed (scopes, Slack unavailable). */
  listed: boolean;
  /** False when they are in more channels than were read. */
  complete: boolean;
  /** Their channels with an entry of their own under slack.channels, with its accounts. */
  channels: Array<{ id: string; accounts: string[] }>;
  /** How many of their channels have no entry of their own (slack.defaultAccounts applies). */
  others: number;
  defaults: string[];
  dm: string[];
}

/** The doctor summary: its rows and when they were computed, or that it is being computed. */
export type HomeDoctor = { rows: DoctorRow[]; at: number } | 'pending' | undefined;

export interface HomeData {
  access: HomeAccess;
  history: ShownEntry[];
  /** Admins only. */
  doctor?: HomeDoctor;
  /** Account names from the configuration (accounts.<id>.name). */
  names: Record<string, string>;
}

export interface HomeView {
  type: 'home';
  blocks: Block[];
}

/** Channel lines shown at most before the rest is counted. */
const MAX_CHANNEL_LINES = 30;

/** Stands in for Slack markup while its sentence is escaped (a private-use character no text contains). */
const SLOT = '\uE001';

/** A sentence escaped, with the bot's own markup (a channel mention, a link, a date token) put in after. */
function withMarkup(sentence: string, markup: string): string {
  return esc(sentence).replace(SLOT, markup);
}

/** A Slack date token that every reader sees in their own zone and language, with a UTC fallback. */
function dateToken(epochMs: number, lng: string): string {
  const s = Math.floor(epochMs / 1000);
  return `<!date^${s}^{date_short_pretty} {time}|${esc(when(new Date(epochMs).toISOString(), lng, 'UTC'))}>`;
}

function accountsText(t: TFunction, accounts: readonly string[], names: Record<string, string>): string {
  if (accounts.includes('*')) return t('slack:home.access.all');
  if (!accounts.length) return t('slack:home.access.none');
  return accounts.map((a) => (names[a] ? `${a} (${names[a]})` : a)).join(', ');
}

function accessBlocks(t: TFunction, a: HomeAccess, names: Record<string, string>): Block[] {
  const lines: string[] = [];
  for (const c of a.channels.slice(0, MAX_CHANNEL_LINES)) {
    // The id comes from the configuration, where it was checked to be a channel id: a mention is safe.
    lines.push(
      `• ${withMarkup(t('slack:home.access.channel', { channel: SLOT, accounts: accountsText(t, c.accounts, names) }), `<#${c.id}>`)}`,
    );
  }
  if (a.channels.length > MAX_CHANNEL_LINES)
    lines.push(`• ${esc(t('slack:home.access.more', { count: a.channels.length - MAX_CHANNEL_LINES }))}`);
  if (a.others > 0)
    lines.push(
      `• ${esc(t('slack:home.access.others', { count: a.others, accounts: accountsText(t, a.defaults, names) }))}`,
    );
  lines.push(`• ${esc(t('slack:home.access.dm', { accounts: accountsText(t, a.dm, names) }))}`);
  const notes: string[] = [];
  if (!a.listed) notes.push(t('slack:home.access.unlisted'));
  else if (!a.complete) notes.push(t('slack:home.access.incomplete'));
  notes.push(t('slack:home.access.source'));
  return [
    section(`*${esc(t('slack:home.access.title'))}*`),
    section(joinLines(lines, LIMITS.sectionText, (n) => esc(t('slack:more', { count: n })))),
    context(...notes.map(esc)),
  ];
}

/** A permalink the bot got from Slack: https, and nothing that would end Slack's <url|label> markup. */
function safeLink(url: string | undefined): string | undefined {
  return url && /^https:\/\/[^\s<>|]+$/.test(url) ? url : undefined;
}

function historyLine(t: TFunction, e: ShownEntry, lng: string): string {
  const task = esc(t('slack:report.task', { taskId: e.taskId }));
  const link = safeLink(e.link);
  // Inside Slack's link markup the URL is escaped like any text (Slack undoes &amp; before opening it).
  const head = link ? `<${link.replace(/&/g, '&amp;')}|${task}>` : `*${task}*`;
  const cause = e.cause ? say(t, e.summary) || causeLabel(t, e.cause) : t('slack:cause.none');
  const parts = [head, esc(clip(noFence(cause), 300))];
  if (e.cause && e.confidence !== undefined)
    parts.push(
      esc(t('slack:cause.confidence', { percent: Math.round(Math.max(0, Math.min(1, e.confidence)) * 100) })),
    );
  parts.push(esc(t('slack:report.where', { cluster: e.cluster, account: e.account, region: e.region })));
  parts.push(dateToken(e.at, lng));
  return `• ${parts.join(' · ')}`;
}

function historyBlocks(t: TFunction, history: ShownEntry[], lng: string): Block[] {
  const out: Block[] = [section(`*${esc(t('slack:home.history.title'))}*`)];
  if (!history.length) {
    out.push(section(esc(t('slack:home.history.none'))));
    return out;
  }
  // One section per entry: a long cause never pushes the others out.
  for (const e of history) out.push(section(historyLine(t, e, lng)));
  return out;
}

const mark: Record<DoctorRow['status'], string> = {
  pass: ':white_check_mark:',
  fail: ':x:',
  warn: ':warning:',
  skip: ':heavy_minus_sign:',
};

function doctorBlocks(t: TFunction, doctor: HomeDoctor, lng: string): Block[] {
  const out: Block[] = [
    { type: 'divider' },
    { type: 'header', text: plain(clip(t('slack:home.doctor.title'), LIMITS.headerText)) },
  ];
  if (!doctor || doctor === 'pending') {
    out.push(section(esc(t('slack:home.doctor.pending'))));
    return out;
  }
  const lines = doctor.rows.map((r) => {
    const fix = r.fix && r.status !== 'pass' ? `\n    → ${esc(noFence(say(t, r.fix)))}` : '';
    return `${mark[r.status]} *${esc(noFence(say(t, r.check)))}*: ${esc(noFence(say(t, r.detail)))}${fix}`;
  });
  // Rows in sections of at most 3,000 characters, each row whole (a row alone is cut to fit).
  let current: string[] = [];
  let size = 0;
  for (const line of lines) {
    const l = clip(line, LIMITS.sectionText);
    if (current.length && size + 1 + l.length > LIMITS.sectionText) {
      out.push(section(current.join('\n')));
      current = [];
      size = 0;
    }
    current.push(l);
    size += (current.length > 1 ? 1 : 0) + l.length;
  }
  if (current.length) out.push(section(current.join('\n')));
  const failed = doctor.rows.filter((r) => r.status === 'fail').length;
  out.push(
    context(
      esc(failed ? t('doctor:summary.failed', { count: failed }) : t('doctor:summary.ok')),
      withMarkup(t('slack:home.doctor.at', { at: SLOT }), dateToken(doctor.at, lng)),
    ),
  );
  return out;
}

/** The Home tab for one person. */
export function renderHome(data: HomeData, t: TFunction, lang: Language): HomeView {
  const commands = [
    'slack:home.commands.why',
    'slack:home.commands.service',
    'slack:home.commands.check',
    'slack:home.commands.help',
    'slack:home.commands.mention',
    'slack:home.commands.unfurl',
    'slack:home.commands.dm',
    'slack:home.commands.workflow',
  ].map((k) => `• ${esc(t(k))}`);
  const blocks: Block[] = [
    { type: 'header', text: plain(clip(t('slack:home.title'), LIMITS.headerText)) },
    section(esc(t('slack:home.intro'))),
    { type: 'divider' },
    section(`*${esc(t('slack:home.commands.title'))}*\n${commands.join('\n')}`),
    { type: 'divider' },
    ...accessBlocks(t, data.access, data.names),
    { type: 'divider' },
    ...historyBlocks(t, data.history, lang),
    ...(data.doctor !== undefined ? doctorBlocks(t, data.doctor, lang) : []),
  ];
  return { type: 'home', blocks: fitBlocks(blocks, LIMITS.viewBlocks) };
}
