/**
 * The blocks of a service report in Slack: the service and what the alert said, the deployment state, the group of
 * stopped tasks that matters (its size and time range, its stop reason, the most likely cause and its fix, the
 * problems with console buttons), the other groups in a line each, the pre-flight when no stopped task was left,
 * the service's recent events, and buttons to the service's events and deployments tabs. Texts are cut and lists
 * folded to stay within Block Kit's limits (fitMessage enforces them on the whole message).
 */
import type { TFunction } from 'i18next';
import type { ServiceGroup, ServiceReport } from '../diagnosis/service-report.js';
import { instant, when } from '../i18n.js';
import { ACTION_LINK_PREFIX } from '../slack/buttons.js';
import type { CauseSummary } from '../slack/reply-types.js';
import type { ServiceAlertKind } from '../slack/service-alert.js';
import { type Block, clip, context, esc, joinLines, LIMITS, section } from './blockkit.js';
import { causeText, linkButtons, problems, statusEmoji } from './report-blocks.js';
import { circuitBreakerLine, deploymentLine } from './service-text.js';
import { checkTitle, say } from './text.js';

/** What the alert said happened to the service (shown above the answer). */
export interface ServiceAlertNote {
  kind: ServiceAlertKind;
  alarm?: string | undefined;
}

const EVENTS_SHOWN = 5;
const DEPLOYMENTS_SHOWN = 4;
const REASON_CHARS = 900;

/** Slack's date token: each reader sees the instant in their own zone and language; the fallback is UTC. */
export function dateToken(t: TFunction, at: string): string {
  const d = instant(at);
  if (!d) return esc(at);
  const lng = (t as unknown as { lng?: string }).lng ?? 'en';
  const epoch = Math.floor(d.getTime() / 1000);
  return `<!date^${epoch}^{date_short_pretty} {time}|${esc(when(d.toISOString(), lng, 'UTC'))}>`;
}

/** Stands in for a date token while its sentence is escaped (a private-use character no text contains). */
const AT = '\uE000';
const AT2 = '\uE001';

/** The group's head: its place, its size, when its tasks stopped. */
function groupHead(t: TFunction, g: ServiceGroup, index: number, total: number): string {
  const head = `*${esc(t('service:group.head', { index: index + 1, total, count: g.count }))}*`;
  if (!g.first || !g.last) return head;
  if (g.first === g.last)
    return `${head} · ${esc(t('service:group.at', { at: AT })).replace(AT, dateToken(t, g.last))}`;
  const range = esc(t('service:group.range', { first: AT, last: AT2 }))
    .replace(AT, dateToken(t, g.first))
    .replace(AT2, dateToken(t, g.last));
  return `${head} · ${range}`;
}

/** A stop reason in a code block (no ``` of its own to end it early). */
function reasonBlock(t: TFunction, reason: string): string {
  if (!reason) return `_${esc(t('slack:report.no-reason'))}_`;
  return `\`\`\`${esc(clip(reason.replace(/```/g, "'''"), REASON_CHARS))}\`\`\``;
}

/** The group that matters: its head and reason, the answer, its problems in a line each, console buttons. */
function leadBlocks(t: TFunction, g: ServiceGroup, total: number): Block[] {
  const blocks: Block[] = [section(`${groupHead(t, g, 0, total)}\n${reasonBlock(t, g.stoppedReason)}`)];
  if (!g.report) {
    if (g.error) blocks.push(section(`:warning: ${esc(say(t, g.error))}`));
    return blocks;
  }
  const r = g.report;
  blocks.push(section(causeText(t, r)));
  const probs = problems(r);
  if (probs.length) {
    const lines = probs.map(
      (p) => `${statusEmoji[p.status]} *${esc(checkTitle(t, p.id))}*: ${esc(say(t, p.message))}`,
    );
    blocks.push(
      section(joinLines(lines, LIMITS.sectionText, (n) => esc(t('slack:more-checks', { count: n })))),
    );
    const { buttons } = linkButtons(
      t,
      probs.flatMap((p) => p.links),
      'g0',
      8,
    );
    if (buttons.length) blocks.push({ type: 'actions', elements: buttons });
  }
  blocks.push(context(esc(t('service:group.diagnosed', { taskId: r.context.taskId }))));
  return blocks;
}

/** The other groups, a line each: size, time range, reason, answer. */
function othersText(t: TFunction, groups: ServiceGroup[], total: number): string {
  const lines = groups.map((g, i) => {
    const top = g.report?.causes[0];
    const answer = top ? say(t, top.summary) || top.id : g.error ? say(t, g.error) : t('slack:cause.none');
    const reason = g.stoppedReason ? `\`${esc(clip(g.stoppedReason.replace(/`/g, "'"), 160))}\`` : '';
    return [`• ${groupHead(t, g, i + 1, total)}`, reason, `→ ${esc(answer)}`].filter(Boolean).join(' ');
  });
  const head = `*${esc(t('service:slack.others'))}*`;
  return `${head}\n${joinLines(lines, LIMITS.sectionText - head.length - 1, (n) => `• ${esc(t('slack:more', { count: n }))}`)}`;
}

/** The pre-flight's verdict and the checks that would block a new task. */
function preflightBlocks(t: TFunction, r: ServiceReport): Block[] {
  const p = r.preflight;
  if (!p) return [];
  const failing = p.checks.filter((c) => c.status === 'fail' || c.status === 'warn');
  const lines = [
    `*${esc(t('service:preflight.title'))}*`,
    `${p.verdict.blocking ? ':x:' : ':white_check_mark:'} ${esc(t(`service:preflight.${p.verdict.outcome}`))}`,
    ...failing.map((c) => {
      const fix = c.remediation ? ` :wrench: ${esc(say(t, c.remediation))}` : '';
      return `${statusEmoji[c.status]} *${esc(checkTitle(t, c.id))}*: ${esc(say(t, c.message))}${fix}`;
    }),
  ];
  if (p.verdict.unverified.length)
    lines.push(`_${esc(t('service:preflight.unverified', { count: p.verdict.unverified.length }))}_`);
  const blocks: Block[] = [
    section(joinLines(lines, LIMITS.sectionText, (n) => esc(t('slack:more-checks', { count: n })))),
  ];
  const { buttons } = linkButtons(
    t,
    failing.flatMap((c) => c.links),
    'pf',
    8,
  );
  if (buttons.length) blocks.push({ type: 'actions', elements: buttons });
  return blocks;
}

/** The service report, within `budget` blocks. */
export function serviceBlocks(
  t: TFunction,
  r: ServiceReport,
  budget: number,
  alert?: ServiceAlertNote,
): Block[] {
  const s = r.service;
  const head: Block[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: clip(t('service:slack.title', { service: s.serviceName }), LIMITS.headerText),
        emoji: true,
      },
    },
    context(
      esc(t('slack:report.where', { cluster: s.cluster, account: s.account, region: s.region })),
      esc(
        t('service:state', {
          status: s.status ?? '?',
          count: s.desiredCount ?? 0,
          running: s.runningCount ?? 0,
          pending: s.pendingCount ?? 0,
        }),
      ),
    ),
  ];
  if (alert)
    head.push(
      context(
        `:rotating_light: ${esc(t(`service:slack.alert.${alert.kind}`, { name: alert.alarm ?? '—' }))}`,
      ),
    );

  const deployments = s.deployments.slice(0, DEPLOYMENTS_SHOWN).map((d) => {
    const mark = d.rolloutState === 'FAILED' ? ':x:' : d.rolloutState === 'IN_PROGRESS' ? ':hourglass:' : '•';
    const reason = d.rolloutStateReason ? `\n    _${esc(clip(d.rolloutStateReason, 300))}_` : '';
    return `${mark} ${esc(deploymentLine(t, d))}${reason}`;
  });
  const depHead = `*${esc(t('service:slack.deployments'))}*`;
  head.push(section([depHead, ...deployments, esc(circuitBreakerLine(t, r))].join('\n')));
  const { listed, described } = s.stoppedTasks;
  const stoppedLine = described
    ? t('service:stopped.some', { count: described, groups: r.groups.length })
    : t('service:stopped.none', { count: listed });
  const notes = r.notes.map((n) => esc(say(t, n)));
  head.push(
    section(
      joinLines([`*${esc(stoppedLine)}*`, ...notes], LIMITS.sectionText, (n) =>
        esc(t('slack:more', { count: n })),
      ),
    ),
  );

  const tail: Block[] = [];
  if (s.events.length) {
    const lines = s.events
      .slice(0, EVENTS_SHOWN)
      .map((e) => `• ${e.createdAt ? `${dateToken(t, e.createdAt)} ` : ''}${esc(clip(e.message, 400))}`);
    const evHead = `*${esc(t('service:slack.events'))}*`;
    tail.push(
      section(
        `${evHead}\n${joinLines(lines, LIMITS.sectionText - evHead.length - 1, (n) => `• ${esc(t('slack:more', { count: n }))}`)}`,
      ),
    );
  } else tail.push(context(esc(t('service:events-none'))));
  const pages = [
    { ...r.links.events, label: t('service:slack.button-events') },
    { ...r.links.deployments, label: t('service:slack.button-deployments') },
    { ...r.links.service, label: t('service:slack.button-service') },
  ].filter((l) => /^https:\/\//.test(l.url) && l.url.length <= LIMITS.buttonUrl);
  if (pages.length)
    tail.push({
      type: 'actions',
      elements: pages.map((l, i) => ({
        type: 'button',
        text: { type: 'plain_text', text: clip(l.label, LIMITS.buttonText), emoji: true },
        url: l.url,
        action_id: `${ACTION_LINK_PREFIX}_svc_${i}`,
      })),
    });

  const middle: Block[] = [];
  const [lead, ...others] = r.groups;
  if (lead) middle.push({ type: 'divider' } as Block, ...leadBlocks(t, lead, r.groups.length));
  if (others.length) middle.push(section(othersText(t, others, r.groups.length)));
  middle.push(...preflightBlocks(t, r));
  // Within the budget: the head and the tail always, the middle as far as it fits, the rest counted in a line.
  const divider: Block = { type: 'divider' };
  const room = Math.max(0, budget - head.length - tail.length - 1);
  const shown =
    middle.length <= room
      ? middle
      : [
          ...middle.slice(0, Math.max(0, room - 1)),
          context(esc(t('slack:more', { count: middle.length - Math.max(0, room - 1) }))),
        ];
  return [...head, ...shown, divider, ...tail].slice(0, budget);
}

/** An alert about a service already diagnosed for an earlier alert: answered with that first reply. */
export interface ServiceSameItem {
  kind: 'service-same';
  service: string;
  where: { cluster: string; account: string; region: string };
  alert?: ServiceAlertNote | undefined;
  first: {
    /** Permalink of the first reply. */
    link: string;
    cause?: CauseSummary | undefined;
  };
}

/** The line of a repeat: this service, the first reply, and that reply's cause. */
export function serviceSameText(t: TFunction, item: ServiceSameItem): string {
  const head = `:repeat: *${esc(t('service:slack.subject', { service: item.service }))}* · ${esc(
    t('slack:report.where', item.where),
  )}`;
  const marker = '\u0000link\u0000';
  const url = item.first.link;
  const link = /^https:\/\/[^\s|<>]+$/.test(url)
    ? `<${url.replace(/&/g, '&amp;')}|${esc(t('service:slack.first-reply'))}>`
    : esc(t('service:slack.first-reply'));
  const line = esc(t('service:slack.same', { service: item.service, link: marker })).replace(marker, link);
  const alert = item.alert
    ? `:rotating_light: ${esc(t(`service:slack.alert.${item.alert.kind}`, { name: item.alert.alarm ?? '—' }))}`
    : '';
  // The first reply may have had no stopped task to diagnose (a pre-flight): no cause to repeat then.
  const cause = item.first.cause ? causeText(t, { causes: [item.first.cause] }, true) : '';
  return [head, alert, line, cause].filter(Boolean).join('\n');
}
