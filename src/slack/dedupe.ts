/**
 * One alert, one reply. Slack re-delivers an event it thinks was not acknowledged (at once, after a minute, after
 * five; Socket Mode too) and Bolt does not deduplicate: the event id is remembered, and an alert message is
 * remembered by channel and ts so that the same message seen again (an edit, a second delivery path) is not
 * answered twice.
 */
import { DEDUPE_TTL_MS, type SlackDeps } from './deps.js';

/** True the first time an event envelope is seen. */
export async function firstDelivery(
  deps: SlackDeps,
  body: { event_id?: unknown },
  context: { retryNum?: number | undefined; retryReason?: string | undefined },
): Promise<boolean> {
  const id = typeof body.event_id === 'string' ? body.event_id : undefined;
  if (!id) return true;
  const first = await deps.store.setIfAbsent(`event:${id}`, 1, DEDUPE_TTL_MS);
  if (!first) {
    deps.log.info(
      { eventId: id, retryNum: context.retryNum, retryReason: context.retryReason },
      'event delivered again; ignored',
    );
  }
  return first;
}

/** True for the first claimant of a key (an alert message, a lock on a button). */
export function claim(deps: SlackDeps, key: string, ttlMs = DEDUPE_TTL_MS): Promise<boolean> {
  return deps.store.setIfAbsent(key, 1, ttlMs);
}
