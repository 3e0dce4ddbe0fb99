/**
 * The messages of a watch in a report's thread: its status line (watching, with a Stop button; then fixed, out of
 * time, stopped, interrupted) kept up to date in place, and the reply that tells the person who asked once it
 * ends. Check names as the language says them, times as Slack date tokens each reader sees in their own zone.
 */
import type { TFunction } from 'i18next';
import type { Params } from '../diagnosis/checks/types.js';
import type { ServiceLook } from '../diagnosis/watch.js';
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
      last?:
        | {
            atMs: number;
            failing: string[];
            unknown: string[];
            calls: number;
            service?: ServiceLook | undefined;
          }
        | undefined;
      /** What the Stop button carries. */
      stopValue: string;
      /** A service's watch: its name. */
      service?: string | undefined;
    }
  | {
      kind: 'fixed';
      by: string;
      checks: string[];
      atMs: number;
      ticks: number;
      service?: ServiceLook | undefined;
    }
  | {
      kind: 'timeout';
      by: string;
      still: string[];
      atMs: number;
      service?: ServiceLook | undefined;
      serviceName?: string | undefined;
    }
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
      const head = s.service
        ? sentence(
            t,
            s.checks.length ? 'slack:watch.service-watching-checks' : 'slack:watch.service-watching',
            { service: s.service, checks: s.checks, seconds: s.intervalSeconds },
            s.by,
            s.untilMs,
          )
        : sentence(
            t,
            'slack:watch.watching',
            { checks: s.checks, seconds: s.intervalSeconds },
            s.by,
            s.untilMs,
          );
      const lines = [`:eyes: ${head}`];
      const look = s.last?.service;
      if (s.last && look)
        lines.push(
          sentence(
            t,
            'slack:watch.service-look',
            {
              running: look.running,
              desired: look.desired,
              pending: look.pending,
              count: look.newFailures,
              calls: s.last.calls,
            },
            undefined,
            s.last.atMs,
          ),
        );
      if (s.last && (s.last.failing.length || s.last.unknown.length || !look)) {
        const key = s.last.failing.length ? 'slack:watch.last-failing' : 'slack:watch.last-unknown';
        const checks = s.last.failing.length ? s.last.failing : s.last.unknown;
        lines.push(sentence(t, key, { checks, calls: s.last.calls }, undefined, s.last.atMs));
      }
      return lines.join('\n');
    }
    case 'fixed':
      return s.service
        ? `:white_check_mark: ${sentence(t, 'slack:watch.service-fixed', serviceParams(s.service), s.by, s.atMs)}`
        : `:white_check_mark: ${sentence(t, 'slack:watch.fixed', { checks: s.checks, ticks: s.ticks }, s.by, s.atMs)}`;
    case 'timeout':
      return s.serviceName
        ? `:hourglass: ${sentence(t, 'slack:watch.service-timeout', serviceParams(s.service, s.serviceName, s.still), s.by, s.atMs)}`
        : `:hourglass: ${sentence(t, 'slack:watch.timeout', { checks: s.still }, s.by, s.atMs)}`;
    case 'stopped':
      return `:octagonal_sign: ${sentence(t, 'slack:watch.stopped', {}, s.stoppedBy, s.atMs)}`;
    case 'interrupted':
      return `:warning: ${esc(t('slack:watch.interrupted'))}`;
    case 'error':
      return `:warning: ${esc(t('slack:watch.error', { reason: s.reason }))}`;
  }
}

/** A service look's numbers for a sentence (`?` where the watch never saw the service). */
function serviceParams(look: ServiceLook | undefined, name?: string, still: string[] = []): Params {
  return {
    service: look?.name ?? name ?? '?',
    running: look?.running ?? '?',
    desired: look?.desired ?? '?',
    count: look?.newFailures ?? 0,
    checks: still,
  };
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
  let text: string;
  if (s.kind === 'fixed')
    text = s.service
      ? `:white_check_mark: ${sentence(t, 'slack:watch.service-fixed-reply', serviceParams(s.service), s.by)}`
      : `:white_check_mark: ${sentence(t, 'slack:watch.fixed-reply', { checks: s.checks }, s.by)}`;
  else
    text = s.serviceName
      ? `:hourglass: ${sentence(t, 'slack:watch.service-timeout-reply', serviceParams(s.service, s.serviceName, s.still), s.by)}`
      : `:hourglass: ${sentence(t, 'slack:watch.timeout-reply', { checks: s.still }, s.by)}`;
  const blocks: Block[] = [section(text)];
  // A service starts new tasks by itself: the note about running a stopped task again is for a task.
  if (s.kind === 'fixed' && !s.service) blocks.push(context(esc(t('slack:watch.restart'))));
  return fitMessage({ text, blocks });
}
