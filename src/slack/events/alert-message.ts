/**
 * Automatic replies to ECS failure alerts: a message from a configured alert source (bot, app, channel) that
 * names ECS tasks gets one reply in its thread, in the channel's language, covering every task it names.
 */
import type { App } from '@slack/bolt';
import { channelLanguage, isAlertSource } from '../access.js';
import { findTasksInMessage, type SlackMessageLike } from '../alert.js';
import { claim, firstDelivery } from '../dedupe.js';
import { requesterOf, type SlackDeps } from '../deps.js';
import { diagnoseTasks, toRequest } from '../diagnoser.js';
import { guarded } from '../guard.js';
import { postLine, publishReply, type SlackClient } from '../reply.js';

interface MessageEventLike extends SlackMessageLike {
  channel?: string;
  message?: SlackMessageLike;
}

/** The message an event is about: a new message, or the new version of an edited one. */
export function messageOf(event: MessageEventLike): SlackMessageLike | undefined {
  if (event.subtype === undefined || event.subtype === 'bot_message') return event;
  if (event.subtype === 'message_changed' && event.message && event.message.subtype !== 'tombstone') {
    return event.message;
  }
  return undefined;
}

/** Handles one message event; returns quietly for anything that is not an alert to answer. */
export async function handleAlertMessage(
  deps: SlackDeps,
  event: MessageEventLike,
  body: { event_id?: unknown; team_id?: unknown },
  context: { botId?: string; botUserId?: string; retryNum?: number; retryReason?: string },
  client: SlackClient,
): Promise<void> {
  const msg = messageOf(event);
  const channel = event.channel;
  if (!msg?.ts || !channel) return;
  // ignoreSelf drops the bot's own new messages; its edits (chat.update) arrive as message_changed.
  if (
    (context.botId && msg.bot_id === context.botId) ||
    (context.botUserId && msg.user === context.botUserId)
  )
    return;
  if (!isAlertSource(deps.config, msg, channel)) {
    // Setting up alert sources needs the ids of the alerting app: say when one would have matched.
    if ((msg.bot_id || msg.app_id) && findTasksInMessage(msg).tasks.length) {
      deps.log.info(
        { channel, botId: msg.bot_id, appId: msg.app_id },
        'an app message names ECS tasks but is not a configured alert source (slack.alertSources)',
      );
    }
    return;
  }
  if (!(await firstDelivery(deps, body, context))) return;
  const found = findTasksInMessage(msg);
  if (!found.tasks.length) return;
  if (!(await claim(deps, `alert:${channel}:${msg.ts}`))) {
    deps.log.info({ channel, ts: msg.ts }, 'alert already answered');
    return;
  }
  const lang = channelLanguage(deps.config, channel);
  const threadTs = msg.thread_ts ?? msg.ts;
  const team = typeof body.team_id === 'string' ? body.team_id : undefined;
  await guarded(
    deps,
    'alert',
    () => lang,
    (text) => postLine(client, channel, threadTs, text),
    async () => {
      const items = await diagnoseTasks(deps, found.tasks, {
        channel,
        requester: requesterOf(team, `alert-${msg.bot_id ?? msg.app_id ?? 'app'}`),
        surface: 'alert',
      });
      deps.log.info({ channel, ts: msg.ts, tasks: found.tasks.length, more: found.more }, 'alert answered');
      await publishReply(
        deps,
        client,
        { v: 1, channel, layout: 'thread', items, requests: found.tasks.map(toRequest), more: found.more },
        lang,
        { threadTs },
      );
    },
  );
}

export function registerAlertMessages(app: App, deps: SlackDeps): void {
  app.event('message', async ({ event, body, context, client }) => {
    await handleAlertMessage(deps, event as MessageEventLike, body, context, client);
  });
}
