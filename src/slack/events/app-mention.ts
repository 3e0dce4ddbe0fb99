/**
 * Triage by mention: `@ecs-pull why` in an alert's thread diagnoses the thread's first message; `@ecs-pull why
 * <task-arn>` (or a pasted EventBridge event) diagnoses what it names. The reply goes into that thread.
 */
import type { App } from '@slack/bolt';
import type { ServiceTarget } from '../../aws/service-target.js';
import type { Language } from '../../config.js';
import { isUserError } from '../../errors.js';
import { translator } from '../../i18n.js';
import { say } from '../../render/text.js';
import { channelLanguage, isAlertSource } from '../access.js';
import { findTasksInMessage, namedTasksOnly, type SlackMessageLike } from '../alert.js';
import { slackServiceTarget } from '../commands/ecs-pull.js';
import { parseCommandText } from '../commands/parse.js';
import { claim, firstDelivery } from '../dedupe.js';
import { requesterOf, type SlackDeps } from '../deps.js';
import {
  diagnoseServiceItem,
  diagnoseTasks,
  toRequest,
  toServiceRequest,
  userErrorMessage,
} from '../diagnoser.js';
import { threadParent } from '../fetch.js';
import { guarded } from '../guard.js';
import { requestLanguage, takeLangToken } from '../language.js';
import { postLine, publishReply, type SlackClient } from '../reply.js';
import { findServiceAlertsInMessage, type ServiceAlert } from '../service-alert.js';

interface MentionEvent extends SlackMessageLike {
  channel: string;
  ts: string;
}

const helpWords = new Set(['help', 'aiuto', '?']);

const isIdChar = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);

/**
 * The text with every `<@ID>` and `<@ID|label>` mention replaced by a space: what `/<@[A-Z0-9]+(?:\|[^>]*)?>/g`
 * replaced, in one pass. That regex went quadratic on `<@U|<@U|…` without a `>` (each `<@` scanned to the end of the
 * text for one); here the next `>` is looked up once and reused by every `<@` before it.
 */
export function withoutMentions(text: string): string {
  let out = '';
  let from = 0;
  let nextGt = -2;
  for (let i = text.indexOf('<@'); i >= 0; i = text.indexOf('<@', i + 1)) {
    let j = i + 2;
    while (j < text.length && isIdChar(text.charCodeAt(j))) j++;
    if (j === i + 2) continue;
    let end = -1;
    if (text[j] === '>') end = j;
    else if (text[j] === '|') {
      if (nextGt !== -1 && nextGt < j) nextGt = text.indexOf('>', j);
      end = nextGt;
    }
    if (end < 0) continue;
    out += `${text.slice(from, i)} `;
    from = end + 1;
    i = end;
  }
  return out + text.slice(from);
}

/** The mention's own words, without `<@U…>` mentions. */
export function mentionWords(text: string | undefined): string[] {
  return withoutMentions(text ?? '')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
}

export async function handleMention(
  deps: SlackDeps,
  event: MentionEvent,
  body: { event_id?: unknown; team_id?: unknown },
  context: { botId?: string; retryNum?: number; retryReason?: string },
  client: SlackClient,
): Promise<void> {
  const channel = event.channel;
  // An alert app that mentions the bot is answered by the alert path, once.
  if (event.bot_id && (event.bot_id === context.botId || isAlertSource(deps.config, event, channel))) return;
  if (!(await firstDelivery(deps, body, context))) return;
  if (!(await claim(deps, `mention:${channel}:${event.ts}`))) return;
  const threadTs = event.thread_ts ?? event.ts;
  const { lang: explicit, rest } = takeLangToken(mentionWords(event.text));
  let lang: Language = explicit ?? channelLanguage(deps.config, channel);
  const team = typeof body.team_id === 'string' ? body.team_id : undefined;
  const tell = (text: string) => postLine(deps, client, channel, threadTs, text);
  await guarded(
    deps,
    'mention',
    () => lang,
    tell,
    async () => {
      lang = await requestLanguage({
        explicit,
        client,
        store: deps.store,
        log: deps.log,
        config: deps.config,
        user: event.user,
        channel,
      });
      const t = translator(lang);
      if (rest[0] && helpWords.has(rest[0].toLowerCase())) {
        await tell(t('slack:mention.help'));
        return;
      }
      const requester = requesterOf(team, event.user);
      const answerService = async (service: ServiceAlert | { target: ServiceTarget }) => {
        const item = await diagnoseServiceItem(deps, service, { channel, requester, surface: 'mention' });
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
            requestedBy: event.user,
          },
          lang,
          { threadTs },
        );
      };
      // `@ecs-pull service <service>`: the service the mention names (a name, never its facts).
      const asked = parseCommandText(rest.join(' '));
      if (asked.kind === 'service') {
        let target: ServiceTarget;
        try {
          target = await slackServiceTarget(deps, channel, asked.ref, asked.opts);
        } catch (err) {
          if (!isUserError(err)) throw err;
          await tell(
            `${say(t, userErrorMessage(err))}\n${t('service:slack.usage', { command: '@ecs-pull' })}`,
          );
          return;
        }
        if (!target.account) {
          await tell(t('service:slack.needs-account', { service: target.service }));
          return;
        }
        await answerService({ target });
        return;
      }
      // What the mention itself names (an ARN, a pasted event: a task, never its facts), else the thread's first
      // message (whose event counts only when a configured alert source posted it).
      let found = namedTasksOnly(findTasksInMessage({ ...event, text: rest.join(' ') }), false);
      let services: ServiceAlert[] = [];
      if (!found.tasks.length && event.thread_ts && event.thread_ts !== event.ts) {
        const parent = await threadParent(client, channel, event.thread_ts);
        if (parent) {
          found = namedTasksOnly(findTasksInMessage(parent), isAlertSource(deps.config, parent, channel));
          // An alert about a service (it names no task): that service, read from AWS.
          if (!found.tasks.length) services = findServiceAlertsInMessage(parent);
        }
      }
      if (!found.tasks.length && services[0]) {
        await answerService(services[0]);
        return;
      }
      if (!found.tasks.length) {
        await tell(t(event.thread_ts ? 'slack:mention.nothing-in-thread' : 'slack:mention.nothing'));
        return;
      }
      const items = await diagnoseTasks(deps, found.tasks, { channel, requester, surface: 'mention' });
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
          requestedBy: event.user,
        },
        lang,
        { threadTs },
      );
    },
  );
}

export function registerMentions(app: App, deps: SlackDeps): void {
  app.event('app_mention', async ({ event, body, context, client }) => {
    await deps.burst?.settled();
    await handleMention(deps, event as unknown as MentionEvent, body, context, client);
  });
}
