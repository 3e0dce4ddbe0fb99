/**
 * `/ecs-pull why <task-arn>` (and `/ecs-pull check …`, the pre-flight: check.ts): acknowledged at once (Slack allows 3 s; a diagnosis may take longer), then the
 * answer is posted for the channel to see: a short summary in the channel, the full report in its thread
 * (the command payload has no thread of its own). Help, usage and refusals are ephemeral.
 */
import type { App, RespondFn } from '@slack/bolt';
import { parseServiceTarget } from '../../aws/service-target.js';
import type { TargetOptions } from '../../aws/target.js';
import { parseTaskTarget } from '../../aws/target.js';
import type { Language } from '../../config.js';
import { isUserError } from '../../errors.js';
import { translator } from '../../i18n.js';
import { say } from '../../render/text.js';
import { channelLanguage, mayDiagnose, refusalMessage } from '../access.js';
import { requesterOf, type SlackDeps } from '../deps.js';
import {
  diagnoseServiceItem,
  diagnoseTasks,
  toRequest,
  toServiceRequest,
  userErrorMessage,
} from '../diagnoser.js';
import { guarded } from '../guard.js';
import { requestLanguage } from '../language.js';
import { publishReply, respondLine, type SlackClient } from '../reply.js';
import { botRegion, checkAccount, handleCheck } from './check.js';
import { parseCommandText } from './parse.js';

export const COMMAND = '/ecs-pull';

interface CommandPayload {
  text: string;
  channel_id: string;
  user_id: string;
  team_id: string;
}

/** Handles one command after it was acknowledged. */
export async function handleCommand(
  deps: SlackDeps,
  command: CommandPayload,
  client: SlackClient,
  respond: RespondFn,
): Promise<void> {
  const parsed = parseCommandText(command.text);
  let lang: Language = parsed.lang ?? channelLanguage(deps.config, command.channel_id);
  const tell = (text: string) => respondLine(respond, text);
  await guarded(
    deps,
    'command',
    () => lang,
    tell,
    async () => {
      lang = await requestLanguage({
        explicit: parsed.lang,
        client,
        store: deps.store,
        log: deps.log,
        config: deps.config,
        user: command.user_id,
        channel: command.channel_id,
      });
      const t = translator(lang);
      const usage = t('slack:usage.line', { command: COMMAND });
      if (parsed.kind === 'help') {
        await tell(t('slack:help', { command: COMMAND }));
        return;
      }
      if (parsed.kind === 'usage') {
        await tell([parsed.reason ? say(t, parsed.reason) : '', usage].filter(Boolean).join('\n'));
        return;
      }
      if (parsed.kind === 'service') {
        await answerService(deps, command, client, respond, lang, parsed.ref, parsed.opts);
        return;
      }
      if (parsed.kind === 'check') {
        await handleCheck(deps, parsed, command, client, respond, t, tell);
        return;
      }
      let target: ReturnType<typeof parseTaskTarget>;
      try {
        target = parseTaskTarget(parsed.ref, parsed.opts);
      } catch (err) {
        if (!isUserError(err)) throw err;
        await tell(`${say(t, userErrorMessage(err))}\n${usage}`);
        return;
      }
      if (!target.account) {
        // The bot's own account is implied only on the command line: in Slack the channel's permissions need it.
        await tell(`${t('slack:errors.bare-id', { id: target.taskId })}\n${usage}`);
        return;
      }
      if (!mayDiagnose(deps.config, deps.pool, command.channel_id, target.account, target.partition)) {
        deps.log.info(
          { channel: command.channel_id, account: target.account },
          'account not allowed in channel',
        );
        await tell(say(t, refusalMessage(deps.config, command.channel_id, target.account)));
        return;
      }
      const task = { target };
      const items = await diagnoseTasks(deps, [task], {
        channel: command.channel_id,
        requester: requesterOf(command.team_id, command.user_id),
        surface: 'command',
      });
      const only = items[0]!;
      if (only.kind === 'error') {
        await tell(say(t, only.message));
        return;
      }
      await publishReply(
        deps,
        client,
        {
          v: 1,
          channel: command.channel_id,
          layout: 'command',
          items,
          requests: [toRequest(task)],
          more: 0,
          requestedBy: command.user_id,
        },
        lang,
        { respond },
      );
    },
  );
}

/**
 * A service named in Slack, as `/ecs-pull check` names one: the region the reference names, else `region:`, else
 * the bot's own; the account the reference names, else `account:`, else the one account the channel may read.
 */
export async function slackServiceTarget(
  deps: SlackDeps,
  channel: string,
  ref: string,
  opts: TargetOptions,
): Promise<ReturnType<typeof parseServiceTarget>> {
  let target: ReturnType<typeof parseServiceTarget>;
  try {
    target = parseServiceTarget(ref, opts);
  } catch (err) {
    if (!isUserError(err) || err.key !== 'errors.service.needs-region') throw err;
    target = parseServiceTarget(ref, { ...opts, defaultRegion: await botRegion() });
  }
  return { ...target, account: checkAccount(deps.config, channel, target, undefined) };
}

/** `/ecs-pull service <service>`: the service's diagnosis, posted like a task's (summary, details in its thread). */
async function answerService(
  deps: SlackDeps,
  command: CommandPayload,
  client: SlackClient,
  respond: RespondFn,
  lang: Language,
  ref: string,
  opts: TargetOptions,
): Promise<void> {
  const t = translator(lang);
  const tell = (text: string) => respondLine(respond, text);
  const usage = t('service:slack.usage', { command: COMMAND });
  let target: ReturnType<typeof parseServiceTarget>;
  try {
    target = await slackServiceTarget(deps, command.channel_id, ref, opts);
  } catch (err) {
    if (!isUserError(err)) throw err;
    await tell(`${say(t, userErrorMessage(err))}\n${usage}`);
    return;
  }
  if (!target.account) {
    await tell(`${t('service:slack.needs-account', { service: target.service })}\n${usage}`);
    return;
  }
  if (!mayDiagnose(deps.config, deps.pool, command.channel_id, target.account, target.partition)) {
    deps.log.info({ channel: command.channel_id, account: target.account }, 'account not allowed in channel');
    await tell(say(t, refusalMessage(deps.config, command.channel_id, target.account)));
    return;
  }
  const service = { target };
  const item = await diagnoseServiceItem(deps, service, {
    channel: command.channel_id,
    requester: requesterOf(command.team_id, command.user_id),
    surface: 'command',
  });
  if (item.kind === 'error') {
    await tell(say(t, item.message));
    return;
  }
  await publishReply(
    deps,
    client,
    {
      v: 1,
      channel: command.channel_id,
      layout: 'command',
      items: [item],
      requests: [toServiceRequest(service)],
      more: 0,
      requestedBy: command.user_id,
    },
    lang,
    { respond },
  );
}

export function registerCommand(app: App, deps: SlackDeps): void {
  app.command(COMMAND, async ({ ack, command, client, respond }) => {
    // Acknowledge before any AWS or Slack API work.
    await ack();
    await deps.burst?.settled();
    await handleCommand(deps, command, client, respond);
  });
}
