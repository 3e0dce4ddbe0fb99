/**
 * The storm view: an alert of a storm answered with its group's first reply, naming its own task, the first one,
 * the task group they share, a link to the first reply and that reply's cause.
 */
import type { TFunction } from 'i18next';
import type { CauseSummary } from '../slack/reply-types.js';
import { esc } from './blockkit.js';
import { causeText } from './report-blocks.js';

/** An alert of a storm answered with its group's first reply instead of a diagnosis of its own. */
export interface SameCauseItem {
  kind: 'same';
  /** This alert's task id. */
  ref: string;
  where: { cluster: string; account: string; region: string };
  first: {
    taskId: string;
    /** Permalink of the first reply. */
    link: string;
    /** The task group shared (`service:checkout`, `family:web`). */
    group: string;
    cause?: CauseSummary | undefined;
  };
}

/** A safe Slack link: only https URLs without Slack's markup characters. */
function link(url: string, label: string): string {
  // Inside Slack's link markup the URL is escaped like any text (Slack undoes &amp; before opening it).
  return /^https:\/\/[^\s|<>]+$/.test(url) ? `<${url.replace(/&/g, '&amp;')}|${esc(label)}>` : esc(label);
}

/** The task group in words: `service:checkout` → service checkout. */
function groupLabel(t: TFunction, group: string): string {
  const [kind, ...rest] = group.split(':');
  const name = rest.join(':');
  if (kind === 'service' && name) return t('slack:report.service', { name });
  if (kind === 'family' && name) return t('slack:storm.family', { name });
  // No group recorded: the task definition (family:revision) stands in for it.
  if (kind === 'taskdef' && name) return t('slack:storm.family', { name: name.split('/').pop() ?? name });
  return group;
}

/** A storm repeat: this task, the first reply it shares its cause with, and that cause. */
export function sameText(t: TFunction, item: SameCauseItem): string {
  const head = `:repeat: *${esc(t('slack:report.task', { taskId: item.ref }))}* · ${esc(
    t('slack:report.where', item.where),
  )}`;
  const marker = '\u0000link\u0000';
  // The same task alerted again (another alert app, a re-posted alert) is not "the same as" itself.
  const again = item.first.taskId === item.ref;
  const line = esc(
    again
      ? t('slack:storm.again', { taskId: item.ref, link: marker })
      : t('slack:storm.same', {
          taskId: item.first.taskId,
          group: groupLabel(t, item.first.group),
          link: marker,
        }),
  ).replace(marker, link(item.first.link, t('slack:storm.first-reply')));
  const cause = causeText(t, { causes: item.first.cause ? [item.first.cause] : [] }, true);
  return [head, line, cause].join('\n');
}
