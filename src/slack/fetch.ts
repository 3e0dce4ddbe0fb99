/** Reading a message back from Slack (the parent of a thread, the target of a shortcut). */
import type { SlackMessageLike } from './alert.js';
import type { SlackClient } from './reply.js';

/** The first message of a thread. */
export async function threadParent(
  client: SlackClient,
  channel: string,
  threadTs: string,
): Promise<SlackMessageLike | undefined> {
  const r = await client.conversations.replies({ channel, ts: threadTs, limit: 1, inclusive: true });
  const first = r.messages?.[0] as SlackMessageLike | undefined;
  return first;
}

/** One message by ts: from the channel's history, or from its thread when it is a reply. */
export async function messageAt(
  client: SlackClient,
  channel: string,
  ts: string,
  threadTs?: string,
): Promise<SlackMessageLike | undefined> {
  if (threadTs && threadTs !== ts) {
    const r = await client.conversations.replies({
      channel,
      ts: threadTs,
      latest: ts,
      oldest: ts,
      inclusive: true,
      limit: 2,
    });
    return (r.messages as SlackMessageLike[] | undefined)?.find((m) => m.ts === ts);
  }
  const r = await client.conversations.history({
    channel,
    latest: ts,
    oldest: ts,
    inclusive: true,
    limit: 1,
  });
  return (r.messages as SlackMessageLike[] | undefined)?.find((m) => m.ts === ts);
}
