/**
 * A pre-flight's report in Block Kit: what was checked, the verdict, the checks that block with their fixes and
 * console buttons, the warnings, what could not be checked, the rest folded, the task it would start, and buttons to
 * the task definition and the service. Everything a task definition, an image or AWS says is escaped; the message
 * goes through fitMessage like every other.
 */
import type { TFunction } from 'i18next';
import { ConsoleLinks, type IdentityCenterLink, type LinkRef } from '../aws/console-links.js';
import type { CheckReport } from '../diagnosis/check-report.js';
import { byWorstStatus } from '../diagnosis/checks/types.js';
import {
  type Block,
  clip,
  context,
  esc,
  fitMessage,
  joinLines,
  LIMITS,
  plain,
  type SlackMessage,
  section,
} from './blockkit.js';
import { checkTitleText, unverifiedMessage, verdictMessage } from './check-text.js';
import { checkText, foldedLine, linkButtons, statusEmoji, unknownText } from './report-blocks.js';
import { contextLines, say } from './text.js';

/** Problems shown in full; console buttons per check. */
const MAX_FULL_PROBLEMS = 12;
const LINKS_PER_CHECK = 5;

/** Console pages of what was checked: the task definition, the service (through the portal when configured). */
export function checkLinks(
  r: CheckReport,
  identityCenter?: (account: string) => IdentityCenterLink | undefined,
): LinkRef[] {
  const c = r.context;
  const links = new ConsoleLinks(c.partition, c.region, c.account, identityCenter);
  const out: LinkRef[] = [];
  const td = c.taskDefinition;
  if (td?.family && td.revision !== undefined) out.push(links.taskDefinition(td.family, td.revision));
  if (r.target.service) out.push(links.service(c.cluster, r.target.service));
  return out;
}

/** The verdict in one mrkdwn paragraph: emoji, the sentence, what it does not cover. */
function verdictText(t: TFunction, r: CheckReport): string {
  const v = r.verdict;
  const emoji = v.blocking ? ':x:' : v.warnings.length ? ':warning:' : ':white_check_mark:';
  const lines = [`${emoji} *${esc(say(t, verdictMessage(v)))}*`];
  const note = unverifiedMessage(v);
  if (note) lines.push(`${statusEmoji.unknown} ${esc(say(t, note))}`);
  return lines.join('\n');
}

/** The one line notifications and screen readers get: what was checked and the verdict. */
function topText(t: TFunction, r: CheckReport): string {
  return clip(esc(`${checkTitleText(t, r)}: ${say(t, verdictMessage(r.verdict))}`), LIMITS.messageText);
}

/**
 * The whole reply. `links` are the console pages of what was checked, with the portal wrapping the caller's
 * configuration gives (default: plain console links).
 */
export function renderCheckReply(
  r: CheckReport,
  t: TFunction,
  view: { requestedBy?: string | undefined; links?: LinkRef[] | undefined } = {},
): SlackMessage {
  const c = r.context;
  const head: Block[] = [
    { type: 'header', text: plain(clip(checkTitleText(t, r), LIMITS.headerText)) },
    context(esc(t('slack:report.where', { cluster: c.cluster, account: c.account, region: c.region }))),
    section(verdictText(t, r)),
    { type: 'divider' },
  ];

  const footer: Block[] = [];
  const own = linkButtons(t, view.links ?? checkLinks(r), 'pf', LINKS_PER_CHECK).buttons;
  if (own.length) footer.push({ type: 'actions', elements: own });
  const a = r.aws;
  const foot = [esc(t('slack:footer.aws', { count: a.callCount, rounds: a.rounds, ms: a.wallMs }))];
  if (a.deadlineExceeded) foot.push(esc(t('slack:footer.deadline')));
  foot.push(
    view.requestedBy
      ? t('slack:footer.asked', { user: `<@${view.requestedBy}>` })
      : esc(t('slack:footer.automatic')),
  );
  footer.push(context(...foot));

  const tail: Block[] = [];
  const unknown = r.checks.filter((x) => x.status === 'unknown');
  if (unknown.length) tail.push(section(unknownText(t, unknown)));
  const passed = r.checks.filter((x) => x.status === 'pass').map((x) => x.id);
  const skipped = r.checks.filter((x) => x.status === 'skip').map((x) => x.id);
  const folded = [
    passed.length ? foldedLine(t, 'slack:report.passed', statusEmoji.pass, passed) : '',
    skipped.length ? foldedLine(t, 'slack:report.skipped', statusEmoji.skip, skipped) : '',
  ].filter(Boolean);
  if (folded.length) tail.push(context(...folded));
  const task = [
    ...c.containers.map((ct) => t('report.container', { name: ct.name, image: ct.image ?? '?' })),
    ...contextLines(t, c),
  ].map(esc);
  if (task.length) {
    tail.push(
      context(
        `*${esc(t('preflight:taskTitle'))}*`,
        joinLines(task, LIMITS.contextText, (n) => esc(t('slack:more', { count: n }))),
      ),
    );
  }

  const problems = r.checks.filter((x) => x.status === 'fail' || x.status === 'warn').sort(byWorstStatus);
  const middle: Block[] = [];
  let room = LIMITS.blocks - head.length - tail.length - footer.length - 1;
  let shown = 0;
  for (const p of problems) {
    if (shown >= MAX_FULL_PROBLEMS) break;
    const { buttons, hidden } = linkButtons(t, p.links, `c${shown}`, LINKS_PER_CHECK);
    const cost = buttons.length ? 2 : 1;
    if (cost > room) break;
    const more = hidden ? `\n_${esc(t('slack:more-links', { count: hidden }))}_` : '';
    middle.push(section(`${clip(checkText(t, p), LIMITS.sectionText - more.length)}${more}`));
    if (buttons.length) middle.push({ type: 'actions', elements: buttons });
    room -= cost;
    shown++;
  }
  if (shown < problems.length) {
    const rest = problems.slice(shown).map((p) => `${statusEmoji[p.status]} ${esc(p.id)}`);
    middle.push(
      context(
        clip(
          `${esc(t('slack:more-checks', { count: problems.length - shown }))} ${rest.join(', ')}`,
          LIMITS.contextText,
        ),
      ),
    );
  }
  return fitMessage({ text: topText(t, r), blocks: [...head, ...middle, ...tail, ...footer] });
}
