/**
 * Console links unfurled: a message posting the ECS console page of a task (either console layout, any region, or
 * an IAM Identity Center shortcut to one) gets, under it, the task's status, the most likely cause in one line and
 * a Diagnose button (link_shared → chat.unfurl).
 *
 * The conversation's rules decide, as for every request: a link to a task in an account the channel may not
 * diagnose gets no unfurl at all, and no AWS call is made for it. A console URL outside the access portal names no
 * account: it is read in the channel's one account when its list names exactly one, else not unfurled. Previews in
 * the message composer name no conversation, so nothing is unfurled there (Slack sends the event again once the
 * message is posted); links posted in the app's own DM are answered by the DM listener instead. The diagnoses count
 * against the rate limits of the person who posted the link and of the channel.
 */
import type { App } from '@slack/bolt';
import { parseTaskTarget } from '../../aws/target.js';
import { consoleTaskLink } from '../../aws/task-links.js';
import { isUserError } from '../../errors.js';
import { translator } from '../../i18n.js';
import { say } from '../../render/text.js';
import { renderUnfurl, type Unfurl, type UnfurlItem } from '../../render/unfurl-view.js';
import { channelLanguage, impliedAccount, isDirectMessage, mayDiagnose } from '../access.js';
import type { AlertTask } from '../alert.js';
import { firstDelivery } from '../dedupe.js';
import { requesterOf, type SlackDeps } from '../deps.js';
import { diagnoseTasks, toRequest, userErrorMessage } from '../diagnoser.js';
import { guarded } from '../guard.js';
import { isRateLimited } from '../rate-limit.js';
import { type SlackClient, saveState } from '../reply.js';

interface LinkSharedEvent {
  type: 'link_shared';
  channel: string;
  user?: string;
  message_ts: string;
  thread_ts?: string;
  source?: string;
  is_bot_user_member?: boolean;
  links?: Array<{ domain?: string; url?: string }>;
}

/** Links of one message unfurled at most (each is a diagnosis). */
export const MAX_UNFURLS = 5;

/** The console links of an event that name a task this conversation may diagnose, each task once. */
export function unfurlableTasks(
  deps: Pick<SlackDeps, 'config' | 'pool' | 'log'>,
  channel: string,
  links: LinkSharedEvent['links'],
): Array<{ url: string; task: AlertTask; implied: boolean }> {
  const implied = impliedAccount(deps.config, channel);
  const out: Array<{ url: string; task: AlertTask; implied: boolean }> = [];
  const seen = new Set<string>();
  for (const link of (links ?? []).slice(0, 50)) {
    const url = link.url;
    if (typeof url !== 'string' || url.length > 4096) continue;
    // Slack escapes & in the URLs it hands over, as in message text.
    if (!consoleTaskLink(url.replaceAll('&amp;', '&'))) continue;
    let target: AlertTask['target'];
    let named: AlertTask['target'];
    try {
      named = parseTaskTarget(url);
      target = named.account || !implied ? named : parseTaskTarget(url, { account: implied });
    } catch {
      continue;
    }
    if (!target.account) {
      deps.log.info(
        { channel },
        'console link not unfurled: it names no account and the channel may diagnose several',
      );
      continue;
    }
    if (!mayDiagnose(deps.config, deps.pool, channel, target.account, target.partition)) {
      deps.log.info(
        { channel, account: target.account },
        'console link not unfurled: account not allowed in channel',
      );
      continue;
    }
    const key = target.taskArn ?? target.taskId;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ url, task: { target }, implied: !named.account });
    if (out.length >= MAX_UNFURLS) break;
  }
  return out;
}

export async function handleLinkShared(
  deps: SlackDeps,
  event: LinkSharedEvent,
  body: { event_id?: unknown; team_id?: unknown },
  context: { retryNum?: number; retryReason?: string },
  client: SlackClient,
): Promise<void> {
  const channel = event.channel;
  // The composer: no conversation yet, so no rules to apply.
  if (event.source === 'composer' || !/^[CGD][A-Z0-9]+$/.test(channel ?? '')) return;
  if (!/^\d+\.\d+$/.test(event.message_ts ?? '')) return;
  // The app's own DM: the DM listener answers there with the full report.
  if (isDirectMessage(channel) && event.is_bot_user_member) return;
  const links = unfurlableTasks(deps, channel, event.links);
  if (!links.length) return;
  if (!(await firstDelivery(deps, body, context))) return;
  const lang = channelLanguage(deps.config, channel);
  const t = translator(lang);
  const team = typeof body.team_id === 'string' ? body.team_id : undefined;
  await guarded(
    deps,
    'unfurl',
    () => lang,
    // A failed unfurl shows nothing; the log has why.
    undefined,
    async () => {
      const tasks = links.map((l) => l.task);
      const arnOf = (task: AlertTask) => task.target.taskArn ?? task.target.taskId;
      let items: Array<UnfurlItem | undefined>;
      try {
        const replies = await diagnoseTasks(deps, tasks, {
          channel,
          requester: requesterOf(team, event.user),
          surface: 'unfurl',
        });
        items = await Promise.all(
          replies.map(async (item, i): Promise<UnfurlItem | undefined> => {
            const task = tasks[i]!;
            if (item.kind === 'report') {
              // Kept for the Diagnose button: the full report is posted from it without reading AWS again.
              const stateKey = await saveState(deps, {
                v: 1,
                channel,
                layout: 'thread',
                items: [item],
                requests: [toRequest(task)],
                more: 0,
              });
              return { kind: 'report', report: item.report, arn: arnOf(task), stateKey };
            }
            if (item.kind === 'error' && !links[i]!.implied)
              return { kind: 'error', taskId: item.ref, message: item.message };
            // The account was only implied (the channel's one account): a task it cannot read there may well
            // live in another account, so nothing is said about it.
            return undefined;
          }),
        );
      } catch (err) {
        if (!isRateLimited(err) || !isUserError(err)) throw err;
        // Over a limit: each link says so, with the button to ask once the wait is over.
        const text = say(t, userErrorMessage(err));
        items = tasks.map((task) => ({ kind: 'later', taskId: task.target.taskId, arn: arnOf(task), text }));
      }
      const unfurls: Record<string, Unfurl> = {};
      links.forEach((l, i) => {
        const item = items[i];
        if (item) unfurls[l.url] = renderUnfurl(t, lang, item);
      });
      if (!Object.keys(unfurls).length) return;
      await client.chat.unfurl({ channel, ts: event.message_ts, unfurls: unfurls as never });
      deps.log.info({ channel, ts: event.message_ts, links: links.length }, 'console links unfurled');
    },
  );
}

export function registerLinkShared(app: App, deps: SlackDeps): void {
  app.event('link_shared', async ({ event, body, context, client }) => {
    await deps.burst?.settled();
    await handleLinkShared(deps, event as unknown as LinkSharedEvent, body, context, client);
  });
}
