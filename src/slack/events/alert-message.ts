/**
 * Automatic replies to ECS failure alerts: a message from a configured alert source (bot, app, channel) that
 * names ECS tasks gets one reply in its thread, in the channel's language, covering every task it names. In an
 * alert storm (many tasks of one service failing the same way) only the first alert of the group is diagnosed;
 * the others link to its reply (storm.ts).
 */
import type { App } from '@slack/bolt';
import { serviceArnOf } from '../../aws/service-target.js';
import type { Language } from '../../config.js';
import type { ServiceSameItem as SameServiceItem } from '../../render/service-blocks.js';
import type { SameCauseItem } from '../../render/storm-view.js';
import { channelLanguage, isAlertSource, mayDiagnose } from '../access.js';
import { type AlertTask, findTasksInMessage, namedTasksOnly, type SlackMessageLike } from '../alert.js';
import { claim, firstDelivery } from '../dedupe.js';
import { requesterOf, type SlackDeps } from '../deps.js';
import { diagnoseServiceItem, diagnoseTasks, toRequest, toServiceRequest } from '../diagnoser.js';
import { guarded } from '../guard.js';
import { permalink, postLine, publishReply, type SlackClient } from '../reply.js';
import { findServiceAlertsInMessage, type ServiceAlert } from '../service-alert.js';
import { causeOf, serviceStormKey, stormGroupOf, summaryFromEvent } from '../storm.js';

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
    } else if ((msg.bot_id || msg.app_id) && findServiceAlertsInMessage(msg).length) {
      deps.log.info(
        { channel, botId: msg.bot_id, appId: msg.app_id },
        'an app message is an alert about an ECS service but is not a configured alert source (slack.alertSources)',
      );
    }
    return;
  }
  if (!(await firstDelivery(deps, body, context))) return;
  const found = namedTasksOnly(findTasksInMessage(msg), true);
  // An alert that names no task may be about a service: a failed deployment, an impaired start, an alarm.
  const services = found.tasks.length ? [] : findServiceAlertsInMessage(msg);
  if (!found.tasks.length && !services.length) return;
  if (!(await claim(deps, `alert:${channel}:${msg.ts}`))) {
    deps.log.info({ channel, ts: msg.ts }, 'alert already answered');
    return;
  }
  const lang = channelLanguage(deps.config, channel);
  const threadTs = msg.thread_ts ?? msg.ts;
  const team = typeof body.team_id === 'string' ? body.team_id : undefined;
  const requester = requesterOf(team, `alert-${msg.bot_id ?? msg.app_id ?? 'app'}`);
  const alert: Alert = { channel, ts: msg.ts, threadTs, lang, requester, client };
  await guarded(
    deps,
    'alert',
    () => lang,
    (text) => postLine(deps, client, channel, threadTs, text),
    async () => {
      const service = services[0];
      if (service) {
        if (services.length > 1)
          deps.log.info(
            { channel, ts: msg.ts, services: services.map((x) => serviceArnOf(x.target)) },
            'an alert names several services; answering about the first',
          );
        await answerServiceAlert(deps, alert, service);
        return;
      }
      const only = found.tasks.length === 1 && found.more === 0 ? found.tasks[0] : undefined;
      if (
        only &&
        deps.storm &&
        mayDiagnose(deps.config, deps.pool, channel, only.target.account, only.target.partition)
      ) {
        await answerInStorm(deps, alert, only);
        return;
      }
      await answerAlone(deps, alert, found.tasks, found.more);
    },
  );
}

interface Alert {
  channel: string;
  ts: string;
  threadTs: string;
  lang: Language;
  requester: string;
  client: SlackClient;
}

/** Diagnoses the alert's tasks and replies with the reports. */
async function answerAlone(
  deps: SlackDeps,
  a: Alert,
  tasks: AlertTask[],
  more: number,
): Promise<ReturnType<typeof publishReply>> {
  const items = await diagnoseTasks(deps, tasks, {
    channel: a.channel,
    requester: a.requester,
    surface: 'alert',
  });
  deps.log.info({ channel: a.channel, ts: a.ts, tasks: tasks.length, more }, 'alert answered');
  return publishReply(
    deps,
    a.client,
    { v: 1, channel: a.channel, layout: 'thread', items, requests: tasks.map(toRequest), more },
    a.lang,
    { threadTs: a.threadTs },
  );
}

/**
 * One task of a possible storm: grouped (from its event, else a batched DescribeTasks), then diagnosed as the
 * group's leader, answered with the leader's reply, or diagnosed alone when it cannot be grouped.
 */
async function answerInStorm(deps: SlackDeps, a: Alert, task: AlertTask): Promise<void> {
  const storm = deps.storm!;
  const summary = summaryFromEvent(task) ?? (await storm.lookup.lookup(task.target, a.requester));
  const group = stormGroupOf(a.channel, task.target, summary);
  if (!group) {
    await answerAlone(deps, a, [task], 0);
    return;
  }
  const role = await storm.groups.join(group.key);
  if (role.role === 'alone') {
    await answerAlone(deps, a, [task], 0);
    return;
  }
  if (role.role === 'follower') {
    const item: SameCauseItem = {
      kind: 'same',
      ref: task.target.taskId,
      where: {
        cluster: task.target.cluster,
        account: task.target.account ?? '—',
        region: task.target.region,
      },
      first: {
        taskId: role.first.taskId,
        link: role.first.link,
        group: role.first.group,
        cause: role.first.cause,
      },
    };
    deps.log.info(
      { channel: a.channel, ts: a.ts, task: task.target.taskArn, storm: group.key, first: role.first.taskId },
      'alert answered with its storm’s first reply',
    );
    await publishReply(
      deps,
      a.client,
      { v: 1, channel: a.channel, layout: 'thread', items: [item], requests: [toRequest(task)], more: 0 },
      a.lang,
      { threadTs: a.threadTs },
    );
    return;
  }
  // The leader: a full diagnosis, then its reply becomes the group's reference.
  let published = false;
  try {
    const items = await diagnoseTasks(deps, [task], {
      channel: a.channel,
      requester: a.requester,
      surface: 'alert',
    });
    const posted = await publishReply(
      deps,
      a.client,
      { v: 1, channel: a.channel, layout: 'thread', items, requests: [toRequest(task)], more: 0 },
      a.lang,
      { threadTs: a.threadTs },
    );
    const item = items[0];
    if (item?.kind === 'report' && posted) {
      const link = await permalink(deps, a.client, posted.channel, posted.ts, a.threadTs);
      await storm.groups.publish(group.key, {
        v: 1,
        channel: posted.channel,
        ts: posted.ts,
        link,
        taskId: task.target.taskId,
        group: group.group,
        cause: causeOf(item.report),
      });
      published = true;
    }
    deps.log.info(
      { channel: a.channel, ts: a.ts, task: task.target.taskArn, storm: group.key, first: published },
      'alert answered',
    );
  } finally {
    // A diagnosis that failed (task gone, internal error) is no reference: the next alert of the group leads.
    if (!published) await storm.groups.abandon(group.key);
  }
}

/**
 * An alert about a service: diagnosed and answered in its thread, once per service in a storm (the service's other
 * alerts within the window reply with a link to the first answer, as task storms do).
 */
async function answerServiceAlert(deps: SlackDeps, a: Alert, service: ServiceAlert): Promise<void> {
  const { target } = service;
  const storm = deps.storm;
  const alone = async () => {
    const item = await diagnoseServiceItem(deps, service, {
      channel: a.channel,
      requester: a.requester,
      surface: 'alert',
    });
    const posted = await publishReply(
      deps,
      a.client,
      {
        v: 1,
        channel: a.channel,
        layout: 'thread',
        items: [item],
        requests: [toServiceRequest(service)],
        more: 0,
      },
      a.lang,
      { threadTs: a.threadTs },
    );
    return { item, posted };
  };
  if (!storm || !mayDiagnose(deps.config, deps.pool, a.channel, target.account, target.partition)) {
    await alone();
    deps.log.info({ channel: a.channel, ts: a.ts, service: serviceArnOf(target) }, 'service alert answered');
    return;
  }
  const key = serviceStormKey(a.channel, target);
  const role = await storm.groups.join(key);
  if (role.role === 'alone') {
    await alone();
    return;
  }
  if (role.role === 'follower') {
    const item: SameServiceItem = {
      kind: 'service-same',
      service: target.service,
      where: { cluster: target.cluster, account: target.account ?? '—', region: target.region },
      alert: { kind: service.kind, alarm: service.alarm },
      first: { link: role.first.link, cause: role.first.cause },
    };
    deps.log.info(
      { channel: a.channel, ts: a.ts, service: serviceArnOf(target), storm: key },
      'service alert answered with its first reply',
    );
    await publishReply(
      deps,
      a.client,
      {
        v: 1,
        channel: a.channel,
        layout: 'thread',
        items: [item],
        requests: [toServiceRequest(service)],
        more: 0,
      },
      a.lang,
      { threadTs: a.threadTs },
    );
    return;
  }
  // The leader: a full diagnosis; its reply answers the service's next alerts.
  let published = false;
  try {
    const { item, posted } = await alone();
    if (item.kind === 'service' && posted) {
      const link = await permalink(deps, a.client, posted.channel, posted.ts, a.threadTs);
      const lead = item.report.groups[0]?.report;
      await storm.groups.publish(key, {
        v: 1,
        channel: posted.channel,
        ts: posted.ts,
        link,
        taskId: target.service,
        group: `service:${target.service}`,
        cause: lead ? causeOf(lead) : undefined,
      });
      published = true;
    }
    deps.log.info(
      { channel: a.channel, ts: a.ts, service: serviceArnOf(target), storm: key, first: published },
      'service alert answered',
    );
  } finally {
    if (!published) await storm.groups.abandon(key);
  }
}

export function registerAlertMessages(app: App, deps: SlackDeps): void {
  app.event('message', async ({ event, body, context, client }) => {
    await deps.burst?.settled();
    await handleAlertMessage(deps, event as MessageEventLike, body, context, client);
  });
}
