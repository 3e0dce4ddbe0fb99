/**
 * An unfurled ECS console link (chat.unfurl): the task, its status, the most likely cause in one line and a
 * Diagnose button that posts the full report in the message's thread; for a service, its state and its newest
 * deployment's rollout, and the most likely cause of the group of stopped tasks that matters (or what the pre-flight
 * said when no stopped task was left). A few blocks, within Block Kit's limits; everything from the task, the
 * service, the account or the person who posted the link is escaped.
 */
import type { TFunction } from 'i18next';
import type { Language } from '../config.js';
import type { Message } from '../diagnosis/checks/types.js';
import type { Report } from '../diagnosis/report.js';
import type { ServiceReport } from '../diagnosis/service-report.js';
import { ACTION_UNFURL_DIAGNOSE, encodeUnfurlValue } from '../slack/buttons.js';
import { type Block, clip, context, esc, fitBlocks, LIMITS, noFence, plain, section } from './blockkit.js';
import { where } from './report-blocks.js';
import { deploymentLine } from './service-text.js';
import { say } from './text.js';

/** What one link unfurls into: a diagnosis, why it could not be diagnosed, or not diagnosed now (a rate limit). */
export type UnfurlItem =
  | { kind: 'report'; report: Report; arn: string; stateKey?: string | undefined }
  | { kind: 'service'; report: ServiceReport; arn: string; stateKey?: string | undefined }
  | { kind: 'error'; taskId: string; message: Message; subject?: 'service' | undefined }
  | { kind: 'later'; taskId: string; arn: string; text: string; subject?: 'service' | undefined };

/** "Task X" or "Service X". */
function subjectOf(t: TFunction, subject: 'service' | undefined, name: string): string {
  return subject === 'service'
    ? t('service:slack.subject', { service: name })
    : t('slack:report.task', { taskId: name });
}

/** The unfurl of one link: blocks only (Slack shows them under the message). */
export interface Unfurl {
  blocks: Block[];
}

/** Blocks of one unfurl at most (a preview, not the report). */
export const UNFURL_MAX_BLOCKS = 6;

function diagnoseButton(t: TFunction, lang: Language, arn: string, stateKey?: string): Block {
  return {
    type: 'actions',
    block_id: 'ecs_pull_unfurl',
    elements: [
      {
        type: 'button',
        text: plain(clip(t('slack:unfurl.diagnose'), LIMITS.buttonText)),
        action_id: ACTION_UNFURL_DIAGNOSE,
        style: 'primary',
        value: encodeUnfurlValue({ a: arn, k: stateKey, g: lang }),
      },
    ],
  };
}

/** The cause in one line: its summary (or id) and how sure. */
function causeLine(t: TFunction, r: Report): string {
  const top = r.causes[0];
  if (!top) return `:mag: ${esc(t('slack:cause.none'))}`;
  const percent = Math.round(Math.max(0, Math.min(1, top.confidence)) * 100);
  const summary = clip(noFence(say(t, top.summary) || top.id), 600);
  return `:mag: *${esc(t('slack:cause.title'))}*: ${esc(summary)} · ${esc(t('slack:cause.confidence', { percent }))}`;
}

/**
 * A service's answer in one line: the cause of the group that matters, else why that group has none, else the
 * pre-flight's verdict (no stopped task left), else that there was nothing to read.
 */
function serviceCauseLine(t: TFunction, r: ServiceReport): string {
  const lead = r.groups[0];
  if (lead?.report) return causeLine(t, lead.report);
  if (lead?.error) return `:warning: ${esc(clip(noFence(say(t, lead.error)), 600))}`;
  if (r.preflight) {
    const mark = r.preflight.verdict.blocking ? ':x:' : ':white_check_mark:';
    return `${mark} ${esc(t(`service:preflight.${r.preflight.verdict.outcome}`))}`;
  }
  return `:mag: ${esc(t('service:stopped.none', { count: r.service.stoppedTasks.listed }))}`;
}

/** The service's state and its newest deployment (the one whose rollout matters), in a line each. */
function serviceStatus(t: TFunction, r: ServiceReport): string[] {
  const s = r.service;
  const lines = [
    t('service:state', {
      status: s.status ?? '?',
      count: s.desiredCount ?? 0,
      running: s.runningCount ?? 0,
      pending: s.pendingCount ?? 0,
    }),
  ];
  const d = s.deployments[0];
  if (d) {
    const mark =
      d.rolloutState === 'FAILED' ? ':x: ' : d.rolloutState === 'IN_PROGRESS' ? ':hourglass: ' : '';
    lines.push(`${mark}${esc(clip(noFence(deploymentLine(t, d)), 600))}`);
    if (d.rolloutStateReason) lines.push(`_${esc(clip(noFence(d.rolloutStateReason), 300))}_`);
  }
  return [esc(lines[0]!), ...lines.slice(1)];
}

export function renderUnfurl(t: TFunction, lang: Language, item: UnfurlItem): Unfurl {
  const blocks: Block[] = [];
  if (item.kind === 'service') {
    const r = item.report;
    const s = r.service;
    const place = esc(t('slack:report.where', { cluster: s.cluster, account: s.account, region: s.region }));
    blocks.push(section(`*${esc(t('service:slack.subject', { service: s.serviceName }))}* · ${place}`));
    blocks.push(context(...serviceStatus(t, r)));
    blocks.push(section(serviceCauseLine(t, r)));
    blocks.push(diagnoseButton(t, lang, item.arn, item.stateKey));
  } else if (item.kind === 'report') {
    const r = item.report;
    const c = r.context;
    blocks.push(section(`*${esc(t('slack:report.task', { taskId: c.taskId }))}* · ${where(t, r)}`));
    blocks.push(
      context(
        esc(
          t('slack:unfurl.status', {
            status: c.lastStatus ?? '—',
          }),
        ),
      ),
    );
    blocks.push(section(causeLine(t, r)));
    blocks.push(diagnoseButton(t, lang, item.arn, item.stateKey));
  } else if (item.kind === 'error') {
    blocks.push(
      section(
        `:warning: *${esc(subjectOf(t, item.subject, item.taskId))}*: ${esc(noFence(say(t, item.message)))}`,
      ),
    );
  } else {
    blocks.push(section(`*${esc(subjectOf(t, item.subject, item.taskId))}*`));
    blocks.push(context(esc(noFence(t('slack:unfurl.later', { reason: item.text })))));
    blocks.push(diagnoseButton(t, lang, item.arn));
  }
  return { blocks: fitBlocks(blocks, UNFURL_MAX_BLOCKS) };
}
