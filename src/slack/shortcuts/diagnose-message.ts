/**
 * The "Diagnose this alert" message shortcut: works on any message (an alert the bot was not configured for, a
 * pasted ARN or event) and replies in that message's thread.
 */
import type { App, MessageShortcut, RespondFn } from '@slack/bolt';
import type { Language } from '../../config.js';
import { translator } from '../../i18n.js';
import { channelLanguage, isAlertSource } from '../access.js';
import { findTasksInMessage, namedTasksOnly, type SlackMessageLike } from '../alert.js';
import { claim } from '../dedupe.js';
import { requesterOf, type SlackDeps } from '../deps.js';
import { diagnoseServiceItem, diagnoseTasks, toRequest, toServiceRequest } from '../diagnoser.js';
import { messageAt } from '../fetch.js';
import { guarded } from '../guard.js';
import { requestLanguage } from '../language.js';
import { releaseIfLimited } from '../rate-limit.js';
import { publishReply, respondLine, type SlackClient } from '../reply.js';
import { findServiceAlertsInMessage, type ServiceAlert } from '../service-alert.js';

export const SHORTCUT_CALLBACK_ID = 'ecs_pull_diagnose';

export async function handleShortcut(
  deps: SlackDeps,
  shortcut: MessageShortcut,
  client: SlackClient,
  respond: RespondFn,
): Promise<void> {
  const channel = shortcut.channel.id;
  const user = shortcut.user.id;
  const msg = shortcut.message as SlackMessageLike & { ts: string };
  let lang: Language = channelLanguage(deps.config, channel);
  const tell = (text: string) => respondLine(respond, text);
  await guarded(
    deps,
    'shortcut',
    () => lang,
    tell,
    async () => {
      lang = await requestLanguage({
        client,
        store: deps.store,
        log: deps.log,
        config: deps.config,
        user,
        channel,
      });
      const t = translator(lang);
      // A person's message (or an app that is not a configured alert source) names tasks, never their facts.
      const trusted = isAlertSource(deps.config, msg, channel);
      let found = namedTasksOnly(findTasksInMessage(msg), trusted);
      let services: ServiceAlert[] = [];
      if (!found.tasks.length) services = findServiceAlertsInMessage(msg);
      if (!found.tasks.length && !services.length) {
        // The payload may carry a trimmed message: read it back in full.
        const full = await messageAt(client, channel, msg.ts, msg.thread_ts).catch((err) => {
          deps.log.warn({ err: (err as Error).message, channel }, 'could not read the message back');
          return undefined;
        });
        if (full) {
          found = namedTasksOnly(findTasksInMessage(full), isAlertSource(deps.config, full, channel));
          if (!found.tasks.length) services = findServiceAlertsInMessage(full);
        }
      }
      if (!found.tasks.length && !services.length) {
        await tell(t('slack:shortcut.nothing'));
        return;
      }
      // A double click is one request.
      const once = `shortcut:${channel}:${msg.ts}:${user}`;
      if (!(await claim(deps, once, 30_000))) return;
      const service = services[0];
      if (!found.tasks.length && service) {
        // An alert about a service (it names no task): the service, read from AWS.
        const item = await diagnoseServiceItem(deps, service, {
          channel,
          requester: requesterOf(shortcut.team?.id, user),
          surface: 'shortcut',
        }).catch((err: unknown) => releaseIfLimited(deps, once, err));
        await publishReply(
          deps,
          client,
          {
            v: 1,
            channel,
            layout: 'thread',
            items: [item],
            requests: [toServiceRequest(service)],
            more: 0,
            requestedBy: user,
          },
          lang,
          { threadTs: msg.thread_ts ?? msg.ts, respond },
        );
        return;
      }
      const items = await diagnoseTasks(deps, found.tasks, {
        channel,
        requester: requesterOf(shortcut.team?.id, user),
        surface: 'shortcut',
      }).catch((err: unknown) => releaseIfLimited(deps, once, err));
      await publishReply(
        deps,
        client,
        {
          v: 1,
          channel,
          layout: 'thread',
          items,
          requests: found.tasks.map(toRequest),
          more: found.more,
          requestedBy: user,
        },
        lang,
        { threadTs: msg.thread_ts ?? msg.ts, respond },
      );
    },
  );
}

export function registerShortcuts(app: App, deps: SlackDeps): void {
  app.shortcut<MessageShortcut>(
    { callback_id: SHORTCUT_CALLBACK_ID, type: 'message_action' },
    async ({ ack, shortcut, client, respond }) => {
      await ack();
      await deps.burst?.settled();
      await handleShortcut(deps, shortcut, client, respond);
    },
  );
}
