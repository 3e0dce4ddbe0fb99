/**
 * The Diagnose button of an unfurled console link (a task's or a service's): posts the full report in the thread of
 * the message that holds the link, in the language of the person who pressed it. The unfurl's own diagnosis is posted while its state
 * lasts (no AWS call); after that, or when the unfurl had to wait for a rate limit, the task (or service) is
 * diagnosed again (rate-limited). Either way the channel the button is pressed in must be allowed the account,
 * whatever the button carries. One report per link and message: a second press is told where it is.
 */
import type { App, BlockAction, ButtonAction, RespondFn } from '@slack/bolt';
import type { Language } from '../../config.js';
import { translator } from '../../i18n.js';
import { say } from '../../render/text.js';
import { channelLanguage, mayDiagnose, refusalMessage } from '../access.js';
import { ACTION_UNFURL_DIAGNOSE, decodeUnfurlValue } from '../buttons.js';
import { claim } from '../dedupe.js';
import { requesterOf, type SlackDeps } from '../deps.js';
import {
  diagnoseServiceItem,
  diagnoseTasks,
  fromRequest,
  serviceFromRequest,
  toRequest,
  toServiceRequest,
} from '../diagnoser.js';
import { guarded } from '../guard.js';
import { rememberReply } from '../home.js';
import { requestLanguage } from '../language.js';
import { releaseIfLimited } from '../rate-limit.js';
import { loadState, publishReply, type ReplyState, respondLine, type SlackClient } from '../reply.js';
import { whereOf } from './where.js';

/** How long a link's report counts as posted (a second press is pointed at it). */
const POSTED_TTL_MS = 24 * 3600_000;

export async function handleUnfurlDiagnose(
  deps: SlackDeps,
  body: BlockAction,
  action: ButtonAction,
  client: SlackClient,
  respond: RespondFn,
): Promise<void> {
  const value = decodeUnfurlValue(action.value);
  const where = whereOf(body);
  if (!value || !where) return;
  const { channel, ts: messageTs, user } = where;
  // The report goes in the thread of the message the link was posted in (a thread of its own at the top level).
  const threadTs = where.threadTs ?? messageTs;
  let lang: Language = channelLanguage(deps.config, channel);
  await guarded(
    deps,
    'unfurl',
    () => lang,
    (text) => respondLine(respond, text),
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
      const service = /:service\//.test(value.a) ? serviceFromRequest({ arn: value.a }) : undefined;
      const task = service ? undefined : fromRequest({ arn: value.a });
      const target = service?.target ?? task?.target;
      if (!target) {
        await respondLine(respond, t('slack:errors.stale'));
        return;
      }
      const { account, partition } = target;
      if (!mayDiagnose(deps.config, deps.pool, channel, account, partition)) {
        deps.log.info({ channel, account }, 'unfurl Diagnose refused: account not allowed in channel');
        await respondLine(respond, say(t, refusalMessage(deps.config, channel, account)));
        return;
      }
      const once = `unfurl-diagnose:${channel}:${messageTs}:${task ? (task.target.taskArn ?? task.target.taskId) : value.a}`;
      if (!(await claim(deps, once, POSTED_TTL_MS))) {
        await respondLine(respond, t('slack:unfurl.already'));
        return;
      }
      const stored = value.k ? await loadState(deps, value.k) : undefined;
      const kind = service ? 'service' : 'report';
      const opts = {
        channel,
        requester: requesterOf(where.team, user),
        surface: 'unfurl' as const,
      };
      let items: ReplyState['items'];
      if (stored && stored.channel === channel && stored.items.every((i) => i.kind === kind)) {
        items = stored.items;
      } else if (service) {
        items = [
          await diagnoseServiceItem(deps, service, opts).catch((err: unknown) =>
            releaseIfLimited(deps, once, err),
          ),
        ];
      } else {
        items = await diagnoseTasks(deps, [task!], opts).catch((err: unknown) =>
          releaseIfLimited(deps, once, err),
        );
      }
      const state: ReplyState = {
        v: 1,
        channel,
        layout: 'thread',
        items,
        requests: [service ? toServiceRequest(service) : toRequest(task!)],
        more: 0,
        requestedBy: user,
      };
      const posted = await publishReply(deps, client, state, lang, { threadTs, respond });
      await rememberReply(deps, client, user, state, posted);
    },
  );
}

export function registerUnfurlActions(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>(
    ACTION_UNFURL_DIAGNOSE,
    async ({ ack, body, action, client, respond }) => {
      await ack();
      await deps.burst?.settled();
      await handleUnfurlDiagnose(deps, body, action, client, respond);
    },
  );
}
