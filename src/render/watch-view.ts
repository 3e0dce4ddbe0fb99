/**
 * The messages of a watch in a report's thread: its status line (watching, with a Stop button; then fixed, out of
 * time, stopped, interrupted) kept up to date in place, and the reply that tells the person who asked once it
 * ends. Check names as the language says them, times as Slack date tokens each reader sees in their own zone.
 */
import type { TFunction } from 'i18next';
import type { Params } from '../diagnosis/checks/types.js';
import { ACTION_WATCH_STOP } from '../slack/watch-protocol.js';
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
import { say } from './text.js';

export type WatchStatus =
  | {
      kind: 'watching';
      by: string;
      checks: string[];
      intervalSeconds: number;
      untilMs: number;
      /** The last re-check, once there was one. */
      last?: { atMs: number; failing: string[]; unknown: string[]; calls: number } | undefined;
      /** What the Stop button carries. */
      stopValue: string;
    }
  | { kind: 'fixed'; by: string; checks: string[]; atMs: number; ticks: number }
  | { kind: 'timeout'; by: string; still: string[]; atMs: number }
  | { kind: 'stopped'; stoppedBy: string; atMs: number }
  | { kind: 'interrupted' }
  | { kind: 'error'; reason: string };

/** Private-use characters standing in for Slack markup while a sentence is escaped (no text contains them). */
const USER = '\uE001';
const TIME = '\uE002';

function timeToken(ms: number): string {
  const d = new Date(ms);
  const fallback = `${d.toISOString().slice(11, 16)} UTC`;
  return `<!date^${Math.floor(ms / 1000)}^{time}|${fallback}>`;
}

/** A sentence escaped for mrkdwn, with a user mention and a time token put in after. */
function sentence(t: TFunction, key: string, params: Params, user?: string, atMs?: number): string {
  const text = esc(say(t, { key, params: { ...params, user: USER, at: TIME } }));
  return text
    .replace(USER, user ? `<@${user}>` : '')
    .replace(TIME, atMs !== undefined ? timeToken(atMs) : '');
}

function statusText(t: TFunction, s: WatchStatus): string {
  switch (s.kind) {
    case 'watching': {
      const lines = [
        `:eyes: ${sentence(t, 'slack:watch.watching', { checks: s.checks, seconds: s.intervalSeconds }, s.by, s.untilMs)}`,
      ];
      if (s.last) {
        const key = s.last.failing.length ? 'slack:watch.last-failing' : 'slack:watch.last-unknown';
        const checks = s.last.failing.length ? s.last.failing : s.last.unknown;
        lines.push(sentence(t, key, { checks, calls: s.last.calls }, undefined, s.last.atMs));
      }
      return lines.join('\n');
    }
    case 'fixed':
      return `:white_check_mark: ${sentence(t, 'slack:watch.fixed', { checks: s.checks, ticks: s.ticks }, s.by, s.atMs)}`;
    case 'timeout':
      return `:hourglass: ${sentence(t, 'slack:watch.timeout', { checks: s.still }, s.by, s.atMs)}`;
    case 'stopped':
      return `:octagonal_sign: ${sentence(t, 'slack:watch.stopped', {}, s.stoppedBy, s.atMs)}`;
    case 'interrupted':
      return `:warning: ${esc(t('slack:watch.interrupted'))}`;
    case 'error':
      return `:warning: ${esc(t('slack:watch.error', { reason: s.reason }))}`;
  }
}

/** The status message (posted when the watch starts, then updated in place). */
export function renderWatchStatus(t: TFunction, s: WatchStatus): SlackMessage {
  const blocks: Block[] = [section(statusText(t, s))];
  if (s.kind === 'watching') {
    blocks.push({
      type: 'actions',
      block_id: 'ecs_pull_watch',
      elements: [
        {
          type: 'button',
          text: plain(clip(t('slack:watch.stop'), LIMITS.buttonText)),
          action_id: ACTION_WATCH_STOP,
          style: 'danger',
          value: s.stopValue,
        },
      ],
    });
  }
  const top = statusText(t, s).replace(/<!date\^\d+\^\{time\}\|([^>]*)>/g, '$1');
  return fitMessage({ text: top, blocks });
}

/** The reply that tells the person who started the watch how it ended (a new message, so they are notified). */
export function renderWatchEnd(
  t: TFunction,
  s: Extract<WatchStatus, { kind: 'fixed' | 'timeout' }>,
): SlackMessage {
  const text =
    s.kind === 'fixed'
      ? `:white_check_mark: ${sentence(t, 'slack:watch.fixed-reply', { checks: s.checks }, s.by)}`
      : `:hourglass: ${sentence(t, 'slack:watch.timeout-reply', { checks: s.still }, s.by)}`;
  const blocks: Block[] = [section(text)];
  if (s.kind === 'fixed') blocks.push(context(esc(t('slack:watch.restart'))));
  return fitMessage({ text, blocks });
}
