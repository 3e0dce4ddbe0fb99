/**
 * Watch and Stop watching. Watch (under a report with failing checks) claims the report's watch, posts its status
 * in the report's thread and starts re-checking; Stop watching (on that status) ends it from any replica.
 */
import type { App, BlockAction, ButtonAction, RespondFn } from '@slack/bolt';
import { serviceWatchPlan } from '../../diagnosis/service-watch-plan.js';
import { translator } from '../../i18n.js';
import type { ReplyItem } from '../../render/blocks.js';
import { say } from '../../render/text.js';
import { renderWatchStatus } from '../../render/watch-view.js';
import { mayDiagnose, refusalMessage } from '../access.js';
import type { AlertTask } from '../alert.js';
import { requesterOf, type SlackDeps } from '../deps.js';
import { fromRequest, serviceFromRequest } from '../diagnoser.js';
import { guarded } from '../guard.js';
import { rememberReply } from '../home.js';
import type { Named } from '../rate-limit.js';
import { loadState, type ReplyState, respondLine, type SlackClient, updateMessage } from '../reply.js';
import {
  checksToWatch,
  claimWatch,
  newWatchRecord,
  noteStatus,
  runWatch,
  startingStatus,
  type WatchRecord,
  type WatchSubject,
  watchKey,
} from '../watch.js';
import { ACTION_WATCH, ACTION_WATCH_STOP, decodeStopValue, decodeWatchValue } from '../watch-protocol.js';
import { whereOf } from './where.js';

/**
 * What Watch under this report would watch: a task's failing checks, or a service (its lead group's failing checks
 * and its own state), with what it names for the channel's rules and the rate limits; or the line saying there is
 * nothing to watch.
 */
function watchOf(
  state: ReplyState,
  item: ReplyItem,
):
  | { nothing: string }
  | { subject: WatchSubject; checks: string[]; serviceName?: string | undefined; named: Named } {
  if (item.kind === 'service') {
    const service = state.requests.map(serviceFromRequest).find((x) => x !== undefined);
    if (!service) return { nothing: 'slack:errors.stale' };
    const plan = serviceWatchPlan(item.report);
    if (!plan) return { nothing: 'slack:watch.service-nothing' };
    return {
      // The service named in the stored request, which the report's target repeats.
      subject: { service: { ...plan, target: service.target } },
      checks: plan.lead?.checks ?? [],
      serviceName: item.report.service.serviceName,
      named: service,
    };
  }
  if (item.kind !== 'report') return { nothing: 'slack:errors.stale' };
  const task: AlertTask | undefined = state.requests[0] ? fromRequest(state.requests[0]) : undefined;
  if (!task) return { nothing: 'slack:errors.stale' };
  const checks = checksToWatch(item.report);
  if (!checks.length) return { nothing: 'slack:watch.nothing' };
  return { subject: { task }, checks, named: task };
}

export async function handleWatch(
  deps: SlackDeps,
  body: BlockAction,
  action: ButtonAction,
  client: SlackClient,
  respond: RespondFn,
): Promise<void> {
  const value = decodeWatchValue(action.value);
  const where = whereOf(body);
  if (!value || !where) return;
  const t = translator(value.g);
  await guarded(
    deps,
    'watch',
    () => value.g,
    (text) => respondLine(respond, text),
    async () => {
      const state = await loadState(deps, value.k);
      const item = state?.items.find(
        (i) => (i.kind === 'report' || i.kind === 'service') && i.id === value.d,
      );
      if (!state || state.channel !== where.channel || !item) {
        await respondLine(respond, t('slack:errors.stale'));
        return;
      }
      const watch = watchOf(state, item);
      if ('nothing' in watch) {
        await respondLine(respond, t(watch.nothing));
        return;
      }
      const { subject, checks, serviceName, named } = watch;
      // The channel's rules as for any diagnosis, and the person's rate limits (a watch costs one diagnosis).
      const { account, partition } = named.target;
      if (!mayDiagnose(deps.config, deps.pool, where.channel, account, partition)) {
        await respondLine(respond, say(t, refusalMessage(deps.config, where.channel, account)));
        return;
      }
      const requester = requesterOf(where.team, where.user);
      await deps.rateLimits?.admit({
        surface: 'watch',
        requester,
        channel: where.channel,
        named: [named],
        allowed: [named],
      });
      const threadTs = where.threadTs ?? where.ts;
      const record = newWatchRecord(deps, {
        by: where.user,
        channel: where.channel,
        threadTs,
        checks,
        lang: value.g,
        ...(serviceName ? { service: serviceName } : {}),
      });
      const claim = await claimWatch(deps, value.d, record);
      if (!claim.ok) {
        await respondLine(respond, t('slack:watch.already'));
        return;
      }
      const status = renderWatchStatus(t, startingStatus(deps, record, value.d));
      const posted = await deps.pacer.run(where.channel, () =>
        client.chat.postMessage({
          channel: where.channel,
          thread_ts: threadTs,
          text: status.text,
          blocks: status.blocks as never,
          unfurl_links: false,
          unfurl_media: false,
        }),
      );
      record.statusTs = posted.ts;
      if (await noteStatus(deps, value.d, record))
        runWatch(deps, client, value.d, record, subject, requester);
      await rememberReply(deps, client, where.user, state, { channel: where.channel, ts: where.ts });
    },
  );
}

export async function handleStop(
  deps: SlackDeps,
  body: BlockAction,
  action: ButtonAction,
  client: SlackClient,
  respond: RespondFn,
): Promise<void> {
  const value = decodeStopValue(action.value);
  const where = whereOf(body);
  if (!value || !where) return;
  const t = translator(value.g);
  await guarded(
    deps,
    'watch',
    () => value.g,
    (text) => respondLine(respond, text),
    async () => {
      const key = watchKey(value.d);
      const current = await deps.store.get<WatchRecord>(key);
      if (current?.state !== 'watching' || current.channel !== where.channel) {
        await respondLine(respond, t('slack:watch.not-watching'));
        return;
      }
      const stopped: WatchRecord = { ...current, state: 'stopped', stoppedBy: where.user };
      await deps.store.swap(key, stopped, 60_000);
      deps.watches.get(value.d)?.abort.abort('stopped');
      const msg = renderWatchStatus(t, { kind: 'stopped', stoppedBy: where.user, atMs: deps.now() });
      await updateMessage(client, where.channel, current.statusTs ?? where.ts, msg, respond);
    },
  );
}

export function registerWatch(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>(ACTION_WATCH, async ({ ack, body, action, client, respond }) => {
    await ack();
    await deps.burst?.settled();
    await handleWatch(deps, body, action, client, respond);
  });
  app.action<BlockAction<ButtonAction>>(ACTION_WATCH_STOP, async ({ ack, body, action, client, respond }) => {
    await ack();
    await deps.burst?.settled();
    await handleStop(deps, body, action, client, respond);
  });
}
