/**
 * 👍 / 👎 under a report and the "what was it?" form. 👍 is recorded and thanked in a line only the person sees;
 * 👎 is recorded at once (closing the form still counts it) and opens the form, whose answer refines it. Sending
 * the form closes it (the acknowledgement is empty, as for every request of this app: see http-receiver.ts).
 */
import type { App, BlockAction, FeedbackButtonsAction, RespondFn, ViewSubmitAction } from '@slack/bolt';
import { translator } from '../../i18n.js';
import { causeName, feedbackForm } from '../../render/feedback-view.js';
import type { SlackDeps } from '../deps.js';
import {
  ACTION_FEEDBACK_PREFIX,
  decodeFeedbackForm,
  decodeFeedbackValue,
  FEEDBACK_BLOCK_ACTUAL,
  FEEDBACK_BLOCK_NOTE,
  FEEDBACK_VIEW,
  type FeedbackRecord,
  recordFeedback,
} from '../feedback.js';
import { guarded } from '../guard.js';
import { respondLine, type SlackClient } from '../reply.js';

export async function handleFeedback(
  deps: SlackDeps,
  body: BlockAction<FeedbackButtonsAction>,
  action: FeedbackButtonsAction,
  client: SlackClient,
  respond: RespondFn,
): Promise<void> {
  const value = decodeFeedbackValue(action.value);
  const channel = body.channel?.id ?? (body.container as { channel_id?: string }).channel_id;
  if (!value || !channel) return;
  const t = translator(value.g);
  await guarded(
    deps,
    'feedback',
    () => value.g,
    (text) => respondLine(respond, text),
    async () => {
      const user = body.user.id;
      if (value.v === 'down') {
        // The form first: its trigger is valid for 3 seconds only.
        const current = await deps.store.get<FeedbackRecord>(`feedback:${value.d}:${user}`);
        const view = feedbackForm(t, { d: value.d, c: value.c, g: value.g, ch: channel }, current);
        await client.views.open({ trigger_id: body.trigger_id, view });
      }
      await recordFeedback(deps, value.d, user, { verdict: value.v, cause: value.c, channel });
      if (value.v === 'up') {
        await respondLine(
          respond,
          value.c === 'none'
            ? t('slack:feedback.thanks-up-none')
            : t('slack:feedback.thanks-up', { cause: causeName(t, value.c) }),
        );
      }
    },
  );
}

export async function handleFeedbackForm(deps: SlackDeps, body: ViewSubmitAction): Promise<void> {
  const form = decodeFeedbackForm(body.view.private_metadata);
  if (!form) return;
  const values = body.view.state.values;
  const actual = values[FEEDBACK_BLOCK_ACTUAL]?.[FEEDBACK_BLOCK_ACTUAL]?.selected_option?.value;
  const note = values[FEEDBACK_BLOCK_NOTE]?.[FEEDBACK_BLOCK_NOTE]?.value ?? undefined;
  await guarded(
    deps,
    'feedback',
    () => form.g,
    undefined,
    async () => {
      await recordFeedback(deps, form.d, body.user.id, {
        verdict: 'down',
        cause: form.c,
        channel: form.ch,
        actual: actual ?? 'unspecified',
        note: note?.trim() || undefined,
      });
    },
  );
}

export function registerFeedback(app: App, deps: SlackDeps): void {
  app.action<BlockAction<FeedbackButtonsAction>>(
    new RegExp(`^${ACTION_FEEDBACK_PREFIX}_\\d+$`),
    async ({ ack, body, action, client, respond }) => {
      await ack();
      await deps.burst?.settled();
      await handleFeedback(deps, body, action, client, respond);
    },
  );
  app.view<ViewSubmitAction>(FEEDBACK_VIEW, async ({ ack, body }) => {
    await ack();
    await deps.burst?.settled();
    await handleFeedbackForm(deps, body);
  });
}
