/**
 * Console links unfurled: a message posting the ECS console page of a task or a service (either console layout, any
 * region, or an IAM Identity Center shortcut to one) gets, under it, the task's status (the service's state and its
 * newest deployment's rollout), the most likely cause in one line (a service's: that of its group of stopped tasks
 * that matters) and a Diagnose button posting the full report in the thread (link_shared → chat.unfurl).
 *
 * The conversation's rules decide, as for every request: a link to a task in an account the channel may not
 * diagnose gets no unfurl at all, and no AWS call is made for it. A console URL outside the access portal names no
 * account: it is read in the channel's one account when its list names exactly one, else not unfurled. Previews in
 * the message composer name no conversation, so nothing is unfurled there (Slack sends the event again once the
 * message is posted); links posted in the app's own DM are answered by the DM listener instead. The diagnoses count
 * against the rate limits of the person who posted the link and of the channel.
 */
import type { App } from '@slack/bolt';
import {
  consoleServiceLink,
  parseServiceTarget,
  type ServiceTarget,
  serviceArnOf,
} from '../../aws/service-target.js';
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
import {
  diagnoseServiceItem,
  diagnoseTasks,
  toRequest,
  toServiceRequest,
  userErrorMessage,
} from '../diagnoser.js';
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

/** A console link this conversation may diagnose: a task's or a service's. */
export type UnfurlableLink =
  | { url: string; kind: 'task'; task: AlertTask; implied: boolean }
  | { url: string; kind: 'service'; service: { target: ServiceTarget }; arn: string; implied: boolean };

/**
 * The console links of an event that name a task or a service this conversation may diagnose, each once. The
 * account is the one the link names (an access portal shortcut), else the conversation's one account; a link whose
 * account is neither, or one the conversation may not diagnose, is left out before any AWS call.
 */
export function unfurlableLinks(
  deps: Pick<SlackDeps, 'config' | 'pool' | 'log'>,
  channel: string,
  links: LinkSharedEvent['links'],
): UnfurlableLink[] {
  const implied = impliedAccount(deps.config, channel);
  const out: UnfurlableLink[] = [];
  const seen = new Set<string>();
  const allowed = (account: string | undefined, partition: ServiceTarget['partition']): boolean => {
    if (!account) {
      deps.log.info(
        { channel },
        'console link not unfurled: it names no account and the channel may diagnose several',
      );
      return false;
    }
    if (!mayDiagnose(deps.config, deps.pool, channel, account, partition)) {
      deps.log.info({ channel, account }, 'console link not unfurled: account not allowed in channel');
      return false;
    }
    return true;
  };
  for (const link of (links ?? []).slice(0, 50)) {
    const url = link.url;
    if (typeof url !== 'string' || url.length > 4096) continue;
    // Slack escapes & in the URLs it hands over, as in message text.
    const plainUrl = url.replaceAll('&amp;', '&');
    if (consoleTaskLink(plainUrl)) {
      let target: AlertTask['target'];
      let named: AlertTask['target'];
      try {
        named = parseTaskTarget(url);
        target = named.account || !implied ? named : parseTaskTarget(url, { account: implied });
      } catch {
        continue;
      }
      if (!allowed(target.account, target.partition)) continue;
      const key = target.taskArn ?? target.taskId;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ url, kind: 'task', task: { target }, implied: !named.account });
    } else if (consoleServiceLink(plainUrl)) {
      let target: ServiceTarget;
      try {
        // A console page of a service always names its region (its host or ?region=); one that does not is left.
        const named = parseServiceTarget(url);
        target = named.account || !implied ? named : { ...named, account: implied };
        if (!allowed(target.account, target.partition)) continue;
        const arn = serviceArnOf(target)!;
        if (seen.has(arn)) continue;
        seen.add(arn);
        out.push({ url, kind: 'service', service: { target }, arn, implied: !named.account });
      } catch {
        continue;
      }
    } else continue;
    if (out.length >= MAX_UNFURLS) break;
  }
  return out;
}

/** The console links of an event that name a task this conversation may diagnose, each task once. */
export function unfurlableTasks(
  deps: Pick<SlackDeps, 'config' | 'pool' | 'log'>,
  channel: string,
  links: LinkSharedEvent['links'],
): Array<{ url: string; task: AlertTask; implied: boolean }> {
  return unfurlableLinks(deps, channel, links).flatMap((l) => (l.kind === 'task' ? [l] : []));
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
  const links = unfurlableLinks(deps, channel, event.links);
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
      const requester = requesterOf(team, event.user);
      const taskLinks = links.flatMap((l) => (l.kind === 'task' ? [l] : []));
      const serviceLinks = links.flatMap((l) => (l.kind === 'service' ? [l] : []));
      const byUrl = new Map<string, UnfurlItem>();
      const started = deps.now();
      const tasks = taskLinks.map((l) => l.task);
      const arnOf = (task: AlertTask) => task.target.taskArn ?? task.target.taskId;
      const taskWork = async () => {
        if (!tasks.length) return;
        try {
          const replies = await diagnoseTasks(deps, tasks, { channel, requester, surface: 'unfurl' });
          await Promise.all(
            replies.map(async (item, i) => {
              const task = tasks[i]!;
              const link = taskLinks[i]!;
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
                byUrl.set(link.url, { kind: 'report', report: item.report, arn: arnOf(task), stateKey });
              } else if (item.kind === 'error' && !link.implied)
                byUrl.set(link.url, { kind: 'error', taskId: item.ref, message: item.message });
              // The account was only implied (the channel's one account): a task it cannot read there may well
              // live in another account, so nothing is said about it.
            }),
          );
        } catch (err) {
          if (!isRateLimited(err) || !isUserError(err)) throw err;
          // Over a limit: each link says so, with the button to ask once the wait is over.
          const text = say(t, userErrorMessage(err));
          for (const l of taskLinks)
            byUrl.set(l.url, { kind: 'later', taskId: l.task.target.taskId, arn: arnOf(l.task), text });
        }
      };
      const serviceWork = (link: (typeof serviceLinks)[number]) => async () => {
        const name = link.service.target.service;
        try {
          const item = await diagnoseServiceItem(deps, link.service, {
            channel,
            requester,
            surface: 'unfurl',
          });
          if (item.kind === 'service') {
            const stateKey = await saveState(deps, {
              v: 1,
              channel,
              layout: 'thread',
              items: [item],
              requests: [toServiceRequest(link.service)],
              more: 0,
            });
            byUrl.set(link.url, { kind: 'service', report: item.report, arn: link.arn, stateKey });
          } else if (item.kind === 'error' && !link.implied)
            byUrl.set(link.url, { kind: 'error', taskId: name, message: item.message, subject: 'service' });
        } catch (err) {
          if (!isRateLimited(err) || !isUserError(err)) throw err;
          const text = say(t, userErrorMessage(err));
          byUrl.set(link.url, { kind: 'later', taskId: name, arn: link.arn, text, subject: 'service' });
        }
      };
      await Promise.all([taskWork(), ...serviceLinks.map((l) => serviceWork(l)())]);
      const unfurls: Record<string, Unfurl> = {};
      for (const l of links) {
        const item = byUrl.get(l.url);
        if (item) unfurls[l.url] = renderUnfurl(t, lang, item);
      }
      if (!Object.keys(unfurls).length) return;
      await client.chat.unfurl({ channel, ts: event.message_ts, unfurls: unfurls as never });
      deps.log.info(
        {
          channel,
          ts: event.message_ts,
          links: links.length,
          tasks: taskLinks.length,
          services: serviceLinks.length,
          ms: Math.round(deps.now() - started),
        },
        'console links unfurled',
      );
    },
  );
}

export function registerLinkShared(app: App, deps: SlackDeps): void {
  app.event('link_shared', async ({ event, body, context, client }) => {
    await deps.burst?.settled();
    await handleLinkShared(deps, event as unknown as LinkSharedEvent, body, context, client);
  });
}
