/** Where a button was pressed: the channel, the message, its thread, who pressed it. */
import type { BlockAction } from '@slack/bolt';

export interface Where {
  channel: string;
  /** The message the button is on. */
  ts: string;
  /** That message's thread, when it is in one. */
  threadTs?: string | undefined;
  user: string;
  team?: string | undefined;
}

/** Where a block action came from; undefined when the payload names no channel or message. */
export function whereOf(body: BlockAction): Where | undefined {
  const container = body.container as { channel_id?: string; message_ts?: string; thread_ts?: string };
  const channel = body.channel?.id ?? container.channel_id;
  const ts = container.message_ts ?? body.message?.ts;
  if (!channel || !ts) return undefined;
  return {
    channel,
    ts,
    threadTs: container.thread_ts ?? (body.message as { thread_ts?: string } | undefined)?.thread_ts,
    user: body.user.id,
    team: body.team?.id ?? body.user.team_id,
  };
}
