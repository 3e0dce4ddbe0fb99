/**
 * The form that opens after 👎 ("what was it?"): the cause the report named, a select of the other causes and an
 * optional note. In the language of the report.
 */
import type { ModalView } from '@slack/types';
import type { TFunction } from 'i18next';
import {
  actualChoices,
  encodeFeedbackForm,
  FEEDBACK_BLOCK_ACTUAL,
  FEEDBACK_BLOCK_NOTE,
  FEEDBACK_NOTE_MAX,
  FEEDBACK_VIEW,
  type FeedbackForm,
  type FeedbackRecord,
} from '../slack/feedback.js';
import { clip, esc } from './blockkit.js';

/** A plain_text object as modals type it. */
function plain(text: string): { type: 'plain_text'; text: string; emoji: true } {
  return { type: 'plain_text', text, emoji: true };
}

/** Modal limits (Slack's reference): title, submit and close 24 characters, option text 75, 100 options. */
const VIEW_TITLE = 24;
const OPTION_TEXT = 75;
const OPTIONS = 100;

/** A cause's name as the reader says it; `none` when the report named none. */
export function causeName(t: TFunction, cause: string): string {
  return cause === 'none' ? t('slack:feedback.none') : t(`causes:${cause}.name`);
}

function option(t: TFunction, value: string) {
  const text = value === 'other' ? t('slack:feedback.form.other') : causeName(t, value);
  return { text: plain(clip(text, OPTION_TEXT)), value };
}

/** The form; `current` pre-fills what the person said before. */
export function feedbackForm(t: TFunction, form: FeedbackForm, current?: FeedbackRecord): ModalView {
  const options = actualChoices(form.c)
    .slice(0, OPTIONS)
    .map((c) => option(t, c));
  const initial = current?.verdict === 'down' ? options.find((o) => o.value === current.actual) : undefined;
  return {
    type: 'modal',
    callback_id: FEEDBACK_VIEW,
    private_metadata: encodeFeedbackForm(form),
    title: plain(clip(t('slack:feedback.form.title'), VIEW_TITLE)),
    submit: plain(clip(t('slack:feedback.form.submit'), VIEW_TITLE)),
    close: plain(clip(t('slack:feedback.form.close'), VIEW_TITLE)),
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: esc(t('slack:feedback.form.reported', { cause: causeName(t, form.c) })),
        },
      },
      {
        type: 'input',
        block_id: FEEDBACK_BLOCK_ACTUAL,
        optional: true,
        label: plain(t('slack:feedback.form.actual')),
        element: {
          type: 'static_select',
          action_id: FEEDBACK_BLOCK_ACTUAL,
          placeholder: plain(t('slack:feedback.form.actual-placeholder')),
          options,
          ...(initial ? { initial_option: initial } : {}),
        },
      },
      {
        type: 'input',
        block_id: FEEDBACK_BLOCK_NOTE,
        optional: true,
        label: plain(t('slack:feedback.form.note')),
        element: {
          type: 'plain_text_input',
          action_id: FEEDBACK_BLOCK_NOTE,
          multiline: true,
          max_length: FEEDBACK_NOTE_MAX,
          placeholder: plain(t('slack:feedback.form.note-placeholder')),
          ...(current?.verdict === 'down' && current.note ? { initial_value: current.note } : {}),
        },
      },
    ],
  };
}
