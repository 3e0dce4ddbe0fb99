/**
 * Block Kit replies to Slack requests: a report shown alone or several in one message, storm repeats and errors,
 * the footer (who asked, AWS calls), the Re-run and language buttons, the channel summary of a command and
 * one-line messages. Every message goes through fitMessage, so it stays within Block Kit's limits whatever the
 * reports' sizes.
 */
import type { TFunction } from 'i18next';
import type { Language } from '../config.js';
import type { Message } from '../diagnosis/checks/types.js';
import type { AwsStats, Report } from '../diagnosis/report.js';
import type { ServiceReport } from '../diagnosis/service-report.js';
import { serviceWatchPlan } from '../diagnosis/service-watch-plan.js';
import { ACTION_LANG, ACTION_RERUN, encodeActionValue } from '../slack/buttons.js';
import { ACTION_FEEDBACK_PREFIX, causeLabel, encodeFeedbackValue } from '../slack/feedback.js';
import { ACTION_WATCH, encodeWatchValue } from '../slack/watch-protocol.js';
import {
  type Block,
  clip,
  context,
  esc,
  fitMessage,
  LIMITS,
  plain,
  type SlackMessage,
  section,
} from './blockkit.js';
import { causeText, compactReport, fullReport, problems, where } from './report-blocks.js';
import {
  type ServiceAlertNote,
  type ServiceSameItem,
  serviceBlocks,
  serviceSameText,
} from './service-blocks.js';
import { type SameCauseItem, sameText } from './storm-view.js';
import { say } from './text.js';

/**
 * One thing a reply reports on: a task's diagnosis, why a task (or a service) could not be diagnosed, a storm
 * repeat, a service's diagnosis, or an alert about a service already diagnosed.
 */
export type ReplyItem =
  | {
      kind: 'report';
      report: Report;
      /** The diagnosis' correlation id: feedback on the report is kept under it (absent in older states). */
      id?: string | undefined;
    }
  | { kind: 'error'; ref: string; message: Message; subject?: 'service' | undefined }
  | SameCauseItem
  | {
      kind: 'service';
      report: ServiceReport;
      alert?: ServiceAlertNote | undefined;
      /** The diagnosis' correlation id: feedback on the lead group's report is kept under it. */
      id?: string | undefined;
    }
  | ServiceSameItem;

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

function footerText(t: TFunction, view: ReplyView, r?: { aws: AwsStats }): string[] {
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

function actionsBlock(
  t: TFunction,
  lang: Language,
  actions: ReplyActions,
  rerunKey = 'slack:actions.rerun',
  /** The report's id when it has failing checks to watch. */
  watch?: string,
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
      ...(watch
        ? [
            {
              type: 'button' as const,
              text: plain(clip(t('slack:watch.button'), LIMITS.buttonText)),
              action_id: ACTION_WATCH,
              value: encodeWatchValue({ k: actions.stateKey, d: watch, g: lang }),
            },
          ]
        : []),
      {
        type: 'button',
        text: plain(clip(t(`slack:actions.lang-${other}`), LIMITS.buttonText)),
        action_id: ACTION_LANG,
        value: encodeActionValue({ ...base, g: other }),
      },
    ],
  };
}

/** Who an error item is about: a task, or a service. */
function subjectOf(t: TFunction, item: Extract<ReplyItem, { kind: 'error' }>): string {
  return item.subject === 'service'
    ? t('service:slack.subject', { service: item.ref })
    : t('slack:report.task', { taskId: item.ref });
}

/**
 * 👍 / 👎 under a report (Slack's feedback buttons): they carry the report's id, its top cause and the language,
 * so an answer counts even after the reply's stored state expired. `index` keeps action ids apart in a message
 * of several reports.
 */
export function feedbackBlock(
  t: TFunction,
  lang: Language,
  id: string,
  report: Report,
  index: number,
): Block {
  const c = causeLabel(report.causes[0]?.id);
  const value = (v: 'up' | 'down') => encodeFeedbackValue({ d: id, c, v, g: lang });
  return {
    type: 'context_actions',
    block_id: `${ACTION_FEEDBACK_PREFIX}_${index}_${id}`,
    elements: [
      {
        type: 'feedback_buttons',
        action_id: `${ACTION_FEEDBACK_PREFIX}_${index}`,
        positive_button: {
          text: plain(clip(t('slack:feedback.up'), LIMITS.buttonText)),
          accessibility_label: clip(t('slack:feedback.up-label'), LIMITS.buttonText),
          value: value('up'),
        },
        negative_button: {
          text: plain(clip(t('slack:feedback.down'), LIMITS.buttonText)),
          accessibility_label: clip(t('slack:feedback.down-label'), LIMITS.buttonText),
          value: value('down'),
        },
      },
    ],
  };
}

function errorText(t: TFunction, item: Extract<ReplyItem, { kind: 'error' }>): string {
  return `:warning: *${esc(subjectOf(t, item))}*: ${esc(say(t, item.message))}`;
}

/** A service's answer in one line: the cause of the group that matters, or that no stopped task was left. */
function serviceLine(t: TFunction, r: ServiceReport): string {
  const top = r.groups[0]?.report?.causes[0];
  if (!top) return t('service:slack.text-none', { service: r.service.serviceName });
  return t('service:slack.text', { service: r.service.serviceName, cause: say(t, top.summary) || top.id });
}

/**
 * The top-level text: notifications and screen readers get the answer in one line. Slack reads it as mrkdwn, and
 * the sentence carries what tasks, alerts and registries say (stop reasons, images): escaped, so that nothing in
 * them becomes a mention or a link.
 */
function topText(t: TFunction, view: ReplyView): string {
  return clip(esc(topLine(t, view)), LIMITS.messageText);
}

function topLine(t: TFunction, view: ReplyView): string {
  const reports = view.items.filter((i): i is Extract<ReplyItem, { kind: 'report' }> => i.kind === 'report');
  if (view.items.length === 1 && reports.length === 1) {
    const r = reports[0]!.report;
    const top = r.causes[0];
    const cause = top ? say(t, top.summary) || top.id : t('slack:cause.none');
    return t('slack:text.one', { taskId: r.context.taskId, cause });
  }
  const only = view.items.length === 1 ? view.items[0] : undefined;
  if (only?.kind === 'service') return serviceLine(t, only.report);
  if (only?.kind === 'service-same') {
    const top = only.first.cause;
    const cause = top ? say(t, top.summary) || top.id : t('slack:cause.none');
    return t('service:slack.same-text', { service: only.service, cause });
  }
  if (only?.kind === 'error') {
    if (only.subject === 'service') return `${subjectOf(t, only)}: ${say(t, only.message)}`;
    return t('slack:text.one', { taskId: only.ref, cause: say(t, only.message) });
  }
  if (only?.kind === 'same') {
    const top = only.first.cause;
    const cause = top ? say(t, top.summary) || top.id : t('slack:cause.none');
    return t('slack:text.same', { taskId: only.ref, first: only.first.taskId, cause });
  }
  return t('slack:text.many', { count: view.items.length + view.more });
}

/** The full reply (a thread reply to an alert, a mention, a shortcut, or the details of a command). */
export function renderReply(view: ReplyView, t: TFunction, lang: Language): SlackMessage {
  const footer: Block[] = [];
  const single = view.items.length === 1 ? view.items[0] : undefined;
  const stats = single?.kind === 'report' || single?.kind === 'service' ? single.report : undefined;
  footer.push(context(...footerText(t, view, stats)));
  if (view.actions) {
    const onlySame = view.items.length > 0 && view.items.every((i) => i.kind === 'same');
    const watch =
      single?.kind === 'report' && single.id && single.report.checks.some((c) => c.status === 'fail')
        ? single.id
        : single?.kind === 'service' && single.id && serviceWatchPlan(single.report)
          ? single.id
          : undefined;
    footer.push(
      actionsBlock(t, lang, view.actions, onlySame ? 'slack:storm.diagnose' : 'slack:actions.rerun', watch),
    );
    if (single?.kind === 'report' && single.id)
      footer.push(feedbackBlock(t, lang, single.id, single.report, 0));
    // A service's answer is its lead group's diagnosis: feedback is on that report.
    const lead = single?.kind === 'service' ? single.report.groups[0]?.report : undefined;
    if (single?.kind === 'service' && single.id && lead)
      footer.push(feedbackBlock(t, lang, single.id, lead, 0));
  }

  let body: Block[];
  if (single?.kind === 'report') {
    body = fullReport(t, single.report, LIMITS.blocks - footer.length, 'c');
  } else if (single?.kind === 'service') {
    body = serviceBlocks(t, single.report, LIMITS.blocks - footer.length, single.alert);
  } else if (single?.kind === 'service-same') {
    body = [section(serviceSameText(t, single)), context(esc(t('service:slack.same-hint')))];
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
          ? [
              ...compactReport(t, item.report, i),
              ...(view.actions && item.id ? [feedbackBlock(t, lang, item.id, item.report, i)] : []),
            ]
          : item.kind === 'service'
            ? [section(esc(serviceLine(t, item.report)))]
            : item.kind === 'service-same'
              ? [section(serviceSameText(t, item))]
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
  } else if (item?.kind === 'service') {
    const s = item.report.service;
    const asked = view.requestedBy
      ? t('service:slack.asked', { user: `<@${view.requestedBy}>`, service: `*${esc(s.serviceName)}*` })
      : `*${esc(t('service:slack.subject', { service: s.serviceName }))}*`;
    const lead = item.report.groups[0]?.report;
    const answer = lead ? causeText(t, lead, true) : `:mag: ${esc(serviceLine(t, item.report))}`;
    blocks.push(
      section(
        `${asked} · ${esc(t('slack:report.where', { cluster: s.cluster, account: s.account, region: s.region }))}\n${answer}`,
      ),
    );
    blocks.push(context(esc(t('service:slack.summary'))));
  } else if (item?.kind === 'service-same') {
    blocks.push(section(serviceSameText(t, item)));
  } else if (item?.kind === 'error') {
    const who = item.subject === 'service' ? `*${esc(subjectOf(t, item))}*` : head(item.ref);
    blocks.push(section(`${who}\n:warning: ${esc(say(t, item.message))}`));
  } else if (item?.kind === 'same') {
    blocks.push(section(sameText(t, item)));
  }
  return fitMessage({ text: topText(t, view), blocks });
}

/** A one-line message (usage, refusal, apology). */
export function renderLine(text: string): SlackMessage {
  return fitMessage({ text: clip(esc(text), LIMITS.messageText), blocks: [section(esc(text))] });
}
