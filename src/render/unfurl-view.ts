/**
 * An unfurled ECS console link (chat.unfurl): the task, its status, the most likely cause in one line and a
 * Diagnose button that posts the full report in the message's thread. A few blocks, within Block Kit's limits;
 * everything from the task, the account or the person who posted the link is escaped.
 */
import type { TFunction } from 'i18next';
import type { Language } from '../config.js';
import type { Message } from '../diagnosis/checks/types.js';
import type { Report } from '../diagnosis/report.js';
import { ACTION_UNFURL_DIAGNOSE, encodeUnfurlValue } from '../slack/buttons.js';
import { type Block, clip, context, esc, fitBlocks, LIMITS, noFence, plain, section } from './blockkit.js';
import { where } from './report-blocks.js';
import { say } from './text.js';

/** What one link unfurls into: a diagnosis, why it could not be diagnosed, or not diagnosed now (a rate limit). */
export type UnfurlItem =
  | { kind: 'report'; report: Report; arn: string; stateKey?: string | undefined }
  | { kind: 'error'; taskId: string; message: Message }
  | { kind: 'later'; taskId: string; arn: string; text: string };

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

export function renderUnfurl(t: TFunction, lang: Language, item: UnfurlItem): Unfurl {
  const blocks: Block[] = [];
  if (item.kind === 'report') {
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
        `:warning: *${esc(t('slack:report.task', { taskId: item.taskId }))}*: ${esc(noFence(say(t, item.message)))}`,
      ),
    );
  } else {
    blocks.push(section(`*${esc(t('slack:report.task', { taskId: item.taskId }))}*`));
    blocks.push(context(esc(noFence(t('slack:unfurl.later', { reason: item.text })))));
    blocks.push(diagnoseButton(t, lang, item.arn));
  }
  return { blocks: fitBlocks(blocks, UNFURL_MAX_BLOCKS) };
}
