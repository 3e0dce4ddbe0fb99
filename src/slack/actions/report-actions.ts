/**
 * Buttons on a reply. Re-run diagnoses again, reading AWS afresh, and updates the message in place (and the
 * channel summary of a command); the language button re-renders it in the other language from the stored
 * reports. Console buttons are plain URL buttons, acknowledged so that Slack shows no warning.
 */
import type { App, BlockAction, ButtonAction, RespondFn } from '@slack/bolt';
import { translator } from '../../i18n.js';
import type { AlertTask } from '../alert.js';
import {
  ACTION_LANG,
  ACTION_LINK_PREFIX,
  ACTION_RERUN,
  type ActionValue,
  decodeActionValue,
} from '../buttons.js';
import { claim } from '../dedupe.js';
import { requesterOf, type SlackDeps } from '../deps.js';
import {
  diagnoseServiceItem,
  diagnoseTasks,
  fromRequest,
  serviceFromRequest,
  type TaskRequest,
} from '../diagnoser.js';
import { guarded } from '../guard.js';
import { rememberReply } from '../home.js';
import { releaseIfLimited } from '../rate-limit.js';
import {
  loadState,
  type ReplyState,
  rerenderReply,
  respondLine,
  type SlackClient,
  saveState,
} from '../reply.js';
import { type Where, whereOf } from './where.js';

/** Diagnoses the state's tasks (or the button's ARNs) again and stores the result under a new key. */
async function rediagnose(
  deps: SlackDeps,
  value: ActionValue,
  previous: ReplyState | undefined,
  where: Where,
  fresh: boolean,
): Promise<{ state: ReplyState; key: string }> {
  const requests: TaskRequest[] = previous?.requests ?? value.a.map((arn) => ({ arn, cluster: '' }));
  const opts = {
    channel: where.channel,
    requester: requesterOf(where.team, where.user),
    surface: fresh ? ('rerun' as const) : ('language' as const),
    fresh,
  };
  // A service's reply is one service (the first request); a task's reply, its tasks.
  const service = requests.map(serviceFromRequest).find((x) => x !== undefined);
  const tasks = requests.map(fromRequest).filter((x): x is AlertTask => x !== undefined);
  const items = service
    ? [await diagnoseServiceItem(deps, service, opts)]
    : await diagnoseTasks(deps, tasks, opts);
  const state: ReplyState = {
    v: 1,
    channel: where.channel,
    layout: value.l === 'c' ? 'command' : 'thread',
    items,
    requests,
    more: previous?.more ?? 0,
    requestedBy: previous?.requestedBy,
    viaWorkflow: previous?.viaWorkflow,
    rerun: fresh ? { by: where.user, at: Math.floor(deps.now() / 1000) } : previous?.rerun,
  };
  return { state, key: await saveState(deps, state) };
}

export async function handleRerun(
  deps: SlackDeps,
  body: BlockAction,
  action: ButtonAction,
  client: SlackClient,
  respond: RespondFn,
): Promise<void> {
  const value = decodeActionValue(action.value);
  const where = whereOf(body);
  if (!value || !where) return;
  const lang = value.g;
  await guarded(
    deps,
    'rerun',
    () => lang,
    (text) => respondLine(respond, text),
    async () => {
      // Two clicks on the same rendering run once; the updated message carries a new key.
      if (!(await claim(deps, `rerun:${value.k}`, deps.config.aws.deadlineMs + 30_000))) return;
      const previous = await loadState(deps, value.k);
      const { state, key } = await rediagnose(deps, value, previous, where, true).catch(
        // Refused by a rate limit: the button works again once the wait is over.
        (err: unknown) => releaseIfLimited(deps, `rerun:${value.k}`, err),
      );
      await rerenderReply(client, state, key, lang, { ...where, respond });
      await rememberReply(deps, client, where.user, state, { channel: where.channel, ts: where.ts });
    },
  );
}

export async function handleLanguage(
  deps: SlackDeps,
  body: BlockAction,
  action: ButtonAction,
  client: SlackClient,
  respond: RespondFn,
): Promise<void> {
  const value = decodeActionValue(action.value);
  const where = whereOf(body);
  if (!value || !where) return;
  const lang = value.g;
  await guarded(
    deps,
    'language',
    () => lang,
    (text) => respondLine(respond, text),
    async () => {
      let state = await loadState(deps, value.k);
      let key = value.k;
      if (!state) {
        // Expired: the reports are gone, the ARNs are on the button.
        deps.log.info({ key }, 'reply state expired; diagnosing again to re-render');
        ({ state, key } = await rediagnose(deps, value, undefined, where, false));
      } else if (state.channel !== where.channel) {
        await respondLine(respond, translator(lang)('slack:errors.stale'));
        return;
      }
      await rerenderReply(client, state, key, lang, { ...where, respond });
      await rememberReply(deps, client, where.user, state, { channel: where.channel, ts: where.ts });
    },
  );
}

export function registerActions(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>(ACTION_RERUN, async ({ ack, body, action, client, respond }) => {
    await ack();
    await deps.burst?.settled();
    await handleRerun(deps, body, action, client, respond);
  });
  app.action<BlockAction<ButtonAction>>(ACTION_LANG, async ({ ack, body, action, client, respond }) => {
    await ack();
    await deps.burst?.settled();
    await handleLanguage(deps, body, action, client, respond);
  });
  app.action(new RegExp(`^${ACTION_LINK_PREFIX}`), async ({ ack }) => {
    await ack();
  });
}
