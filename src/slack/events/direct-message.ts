/**
 * The app's DM (message.im): `why <task-arn or console URL>`, `service <CLUSTER/SERVICE, service ARN or console
 * URL>` (a reference alone means one or the other, by what it names), `check <service> [FAMILY:REVISION]` and
 * `help`, answered in that DM, in the person's language, as `/ecs-pull` answers them in a channel. What a DM may
 * diagnose is its own setting, slack.dm.accounts (none unless set), checked before any AWS call for every account
 * the answer touches; refusals, usage and rate limits are said in a line there.
 */
import type { App } from '@slack/bolt';
import { consoleServiceLink, type ServiceTarget } from '../../aws/service-target.js';
import { cleanReference, parseTaskTarget } from '../../aws/target.js';
import type { Language } from '../../config.js';
import { isUserError } from '../../errors.js';
import { translator } from '../../i18n.js';
import { say } from '../../render/text.js';
import { channelLanguage, impliedAccount, isDirectMessage, mayDiagnose, refusalMessage } from '../access.js';
import { handleCheck } from '../commands/check.js';
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
import { guarded } from '../guard.js';
import { rememberReply } from '../home.js';
import { requestLanguage } from '../language.js';
import { postLine, publishReply, type ReplyState, type SlackClient } from '../reply.js';

interface DirectMessageEvent {
  type: 'message';
  subtype?: string;
  channel?: string;
  channel_type?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts?: string;
  thread_ts?: string;
}

/**
 * What a person types in the DM, read as the command's words: a reference alone means `service <reference>` when it
 * is a service's console page or ARN, else `why <reference>`.
 */
export function dmCommandText(text: string | undefined): string {
  const trimmed = (text ?? '').trim();
  // Slack wraps links as <https://…> or <https://…|label>; an ARN or task/… may come bare.
  if (!/^<?(?:https:\/\/|arn:|task\/)/i.test(trimmed)) return trimmed;
  const first = cleanReference(trimmed.split(/\s+/)[0] ?? '').replaceAll('&amp;', '&');
  const isService = /^arn:[^\s]*:service\//i.test(first) || consoleServiceLink(first) !== undefined;
  return `${isService ? 'service' : 'why'} ${trimmed}`;
}

export async function handleDirectMessage(
  deps: SlackDeps,
  event: DirectMessageEvent,
  body: { event_id?: unknown; team_id?: unknown },
  context: { botId?: string; botUserId?: string; retryNum?: number; retryReason?: string },
  client: SlackClient,
): Promise<void> {
  const channel = event.channel;
  const user = event.user;
  if (event.channel_type !== 'im' || !channel || !isDirectMessage(channel) || !user || !event.ts) return;
  // Only what a person writes: no edits, joins or bot messages (the bot's own answers least of all).
  if (event.subtype !== undefined || event.bot_id || user === context.botUserId) return;
  if (!(await firstDelivery(deps, body, context))) return;
  if (!(await claim(deps, `dm:${channel}:${event.ts}`))) return;
  const parsed = parseCommandText(dmCommandText(event.text));
  let lang: Language = parsed.lang ?? channelLanguage(deps.config, channel);
  // Answers go where the person wrote: the DM itself, or the thread they wrote in.
  const threadTs = event.thread_ts;
  const tell = (text: string) => postLine(deps, client, channel, threadTs, text);
  const team = typeof body.team_id === 'string' ? body.team_id : undefined;
  await guarded(
    deps,
    'dm',
    () => lang,
    tell,
    async () => {
      lang = await requestLanguage({
        explicit: parsed.lang,
        client,
        store: deps.store,
        log: deps.log,
        config: deps.config,
        user,
        channel,
      });
      const t = translator(lang);
      const usage = t('slack:dm.usage');
      if (parsed.kind === 'help') {
        await tell(t('slack:dm.help'));
        return;
      }
      if (parsed.kind === 'usage') {
        await tell([parsed.reason ? say(t, parsed.reason) : '', usage].filter(Boolean).join('\n'));
        return;
      }
      const requester = requesterOf(team, user);
      if (parsed.kind === 'check') {
        // As `/ecs-pull check` does in a channel; the DM's rules (slack.dm.accounts) decide, the report comes here.
        await handleCheck(
          deps,
          parsed,
          { channel_id: channel, user_id: user, team_id: team ?? '' },
          client,
          undefined,
          t,
          tell,
          { surface: 'dm', threadTs, usage: t('slack:dm.usage-check') },
        );
        return;
      }
      if (parsed.kind === 'service') {
        // As `/ecs-pull service` does in a channel: the DM's one account is implied, else the reference names it.
        const serviceUsage = t('slack:dm.usage-service');
        let target: ServiceTarget;
        try {
          target = await slackServiceTarget(deps, channel, parsed.ref, parsed.opts);
        } catch (err) {
          if (!isUserError(err)) throw err;
          await tell(`${say(t, userErrorMessage(err))}\n${serviceUsage}`);
          return;
        }
        if (!target.account) {
          await tell(`${t('service:slack.needs-account', { service: target.service })}\n${serviceUsage}`);
          return;
        }
        if (!mayDiagnose(deps.config, deps.pool, channel, target.account, target.partition)) {
          deps.log.info({ channel, account: target.account }, 'account not allowed in DMs');
          await tell(say(t, refusalMessage(deps.config, channel, target.account)));
          return;
        }
        const service = { target };
        const item = await diagnoseServiceItem(deps, service, { channel, requester, surface: 'dm' });
        if (item.kind === 'error') {
          await tell(say(t, item.message));
          return;
        }
        const state: ReplyState = {
          v: 1,
          channel,
          layout: 'thread',
          items: [item],
          requests: [toServiceRequest(service)],
          more: 0,
          requestedBy: user,
        };
        const posted = await publishReply(deps, client, state, lang, { threadTs });
        await rememberReply(deps, client, user, state, posted);
        return;
      }
      let target: ReturnType<typeof parseTaskTarget>;
      try {
        const implied = impliedAccount(deps.config, channel);
        target = parseTaskTarget(parsed.ref, { ...(implied ? { account: implied } : {}), ...parsed.opts });
      } catch (err) {
        if (!isUserError(err)) throw err;
        await tell(`${say(t, userErrorMessage(err))}\n${usage}`);
        return;
      }
      if (!target.account) {
        await tell(`${t('slack:errors.bare-id', { id: target.taskId })}\n${usage}`);
        return;
      }
      if (!mayDiagnose(deps.config, deps.pool, channel, target.account, target.partition)) {
        deps.log.info({ channel, account: target.account }, 'account not allowed in DMs');
        await tell(say(t, refusalMessage(deps.config, channel, target.account)));
        return;
      }
      const task = { target };
      const items = await diagnoseTasks(deps, [task], { channel, requester, surface: 'dm' });
      const only = items[0]!;
      if (only.kind === 'error') {
        await tell(say(t, only.message));
        return;
      }
      const state: ReplyState = {
        v: 1,
        channel,
        layout: 'thread',
        items,
        requests: [toRequest(task)],
        more: 0,
        requestedBy: user,
      };
      const posted = await publishReply(deps, client, state, lang, { threadTs });
      await rememberReply(deps, client, user, state, posted);
    },
  );
}

export function registerDirectMessages(app: App, deps: SlackDeps): void {
  app.message(async ({ message, body, context, client }) => {
    await deps.burst?.settled();
    await handleDirectMessage(deps, message as DirectMessageEvent, body, context, client);
  });
}
