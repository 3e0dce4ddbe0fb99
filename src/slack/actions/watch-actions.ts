/**
 * Watch and Stop watching. Watch (under a report with failing checks) claims the report's watch, posts its status
 * in the report's thread and starts re-checking; Stop watching (on that status) ends it from any replica.
 */
import type { App, BlockAction, ButtonAction, RespondFn } from '@slack/bolt';
import { serviceWatchPlan } from '../../diagnosis/service-watch-plan.js';
import { translator } from '../../i18n.js';
import { say } from '../../render/text.js';
import { renderWatchStatus } from '../../render/watch-view.js';
import { mayDiagnose, refusalMessage } from '../access.js';
import type { AlertTask } from '../alert.js';
import { requesterOf, type SlackDeps } from '../deps.js';
import { fromRequest, serviceFromRequest } from '../diagnoser.js';
import { guarded } from '../guard.js';
import { loadState, respondLine, type SlackClient, updateMessage } from '../reply.js';
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

function whereOf(body: BlockAction) {
  const channel = body.channel?.id ?? (body.container as { channel_id?: string }).channel_id;
  const ts = (body.container as { message_ts?: string }).message_ts ?? body.message?.ts;
  if (!channel || !ts) return undefined;
  const threadTs =
    (body.container as { thread_ts?: string }).thread_ts ??
    (body.message as { thread_ts?: string } | undefined)?.thread_ts;
  return { channel, ts, threadTs, user: body.user.id, team: body.team?.id ?? body.user.team_id };
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
      const requester = requesterOf(where.team, where.user);
      let subject: WatchSubject;
      let checks: string[];
      let serviceName: string | undefined;
      if (item.kind === 'service') {
        const service = state.requests.map(serviceFromRequest).find((x) => x !== undefined);
        const plan = serviceWatchPlan(item.report);
        if (!service) {
          await respondLine(respond, t('slack:errors.stale'));
          return;
        }
        if (!plan) {
          await respondLine(respond, t('slack:watch.service-nothing'));
          return;
        }
        // The channel's rules as for any diagnosis, and the person's rate limits (a watch costs one diagnosis).
        if (
          !mayDiagnose(
            deps.config,
            deps.pool,
            where.channel,
            service.target.account,
            service.target.partition,
          )
        ) {
          await respondLine(
            respond,
            say(t, refusalMessage(deps.config, where.channel, service.target.account)),
          );
          return;
        }
        await deps.rateLimits?.admit({
          surface: 'watch',
          requester,
          channel: where.channel,
          named: [service],
          allowed: [service],
        });
        // The service named in the stored request, which the report's target repeats.
        subject = { service: { ...plan, target: service.target } };
        checks = plan.lead?.checks ?? [];
        serviceName = item.report.service.serviceName;
      } else if (item.kind === 'report') {
        const task: AlertTask | undefined = state.requests[0] ? fromRequest(state.requests[0]) : undefined;
        if (!task) {
          await respondLine(respond, t('slack:errors.stale'));
          return;
        }
        checks = checksToWatch(item.report);
        if (!checks.length) {
          await respondLine(respond, t('slack:watch.nothing'));
          return;
        }
        const partition = task.target.partition;
        if (!mayDiagnose(deps.config, deps.pool, where.channel, task.target.account, partition)) {
          await respondLine(respond, say(t, refusalMessage(deps.config, where.channel, task.target.account)));
          return;
        }
        await deps.rateLimits?.admit({
          surface: 'watch',
          requester,
          channel: where.channel,
          named: [task],
          allowed: [task],
        });
        subject = { task };
      } else {
        await respondLine(respond, t('slack:errors.stale'));
        return;
      }
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
