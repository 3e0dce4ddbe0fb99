/**
 * Posting and updating diagnosis replies. A reply's state (its reports, the requests behind them, who asked) is
 * stored under a fresh key that the message's buttons carry: the language button re-renders from it, Re-run
 * diagnoses again and stores a new state (so the store only ever needs set-if-absent). When the state has
 * expired, the buttons still carry the task ARNs and the diagnosis runs again.
 */
import { randomUUID } from 'node:crypto';
import type { RespondFn, webApi } from '@slack/bolt';
import type { Language } from '../config.js';
import { translator } from '../i18n.js';
import type { SlackMessage } from '../render/blockkit.js';
import { type ReplyItem, type ReplyView, renderLine, renderReply, renderSummary } from '../render/blocks.js';
import { say } from '../render/text.js';
import { refusalKeys } from './access.js';
import { REPLY_STATE_TTL_MS, type SlackDeps } from './deps.js';
import type { TaskRequest } from './diagnoser.js';

export type SlackClient = webApi.WebClient;

/** What a reply is rendered from, in any language. */
export interface ReplyState {
  v: 1;
  channel: string;
  layout: 'command' | 'thread';
  items: ReplyItem[];
  requests: TaskRequest[];
  more: number;
  requestedBy?: string | undefined;
  rerun?: { by: string; at: number } | undefined;
}

/** The Slack error code of a failed Web API call (not_in_channel, channel_not_found, …). */
export function slackErrorCode(err: unknown): string | undefined {
  const data = (err as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

/** True for the refusal of an account the channel may not diagnose. */
export function isRefusal(item: ReplyItem): boolean {
  return item.kind === 'error' && refusalKeys.includes(item.message.key);
}

/** Errors meaning the bot cannot write where it was asked to (not a member of a private channel, a DM…). */
const cannotWrite = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

/** Stores a reply's state under a new key. */
export async function saveState(deps: SlackDeps, state: ReplyState): Promise<string> {
  for (let i = 0; i < 3; i++) {
    const key = randomUUID().replace(/-/g, '').slice(0, 20);
    if (await deps.store.setIfAbsent(`reply:${key}`, state, REPLY_STATE_TTL_MS)) return key;
  }
  throw new Error('could not store the reply state');
}

export function loadState(deps: SlackDeps, key: string): Promise<ReplyState | undefined> {
  return deps.store.get<ReplyState>(`reply:${key}`);
}

/** The view of a stored state, with buttons pointing at it. */
export function viewOf(state: ReplyState, key: string): ReplyView {
  return {
    items: state.items,
    more: state.more,
    requestedBy: state.requestedBy,
    rerun: state.rerun,
    actions: { stateKey: key, layout: state.layout, arns: state.requests.map((r) => r.arn) },
  };
}

/** Posts a message at the channel's pace (see pacer.ts); returns its ts. */
async function post(
  deps: SlackDeps,
  client: SlackClient,
  channel: string,
  msg: SlackMessage,
  threadTs?: string,
): Promise<string | undefined> {
  const r = await deps.pacer.run(channel, () =>
    client.chat.postMessage({
      channel,
      text: msg.text,
      blocks: msg.blocks as never,
      ...(threadTs ? { thread_ts: threadTs } : {}),
      unfurl_links: false,
      unfurl_media: false,
    }),
  );
  return r.ts;
}

/**
 * A link to a posted message: chat.getPermalink (no scope needed), else Slack's permalink format built from the
 * workspace URL (auth.test), the channel and the ts.
 */
export async function permalink(
  deps: SlackDeps,
  client: SlackClient,
  channel: string,
  ts: string,
  threadTs?: string,
): Promise<string> {
  try {
    const r = await client.chat.getPermalink({ channel, message_ts: ts });
    if (r.permalink) return r.permalink;
  } catch (err) {
    deps.log.warn(
      { err: (err as Error).message, channel, ts },
      'chat.getPermalink failed; linking by archive URL',
    );
  }
  if (!deps.workspaceUrl) {
    try {
      deps.workspaceUrl = (await client.auth.test()).url;
    } catch {
      // No workspace URL: the link names Slack's own domain, still better than no link.
    }
  }
  const base = (deps.workspaceUrl ?? 'https://slack.com/').replace(/\/?$/, '/');
  const thread = threadTs && threadTs !== ts ? `?thread_ts=${threadTs}&cid=${channel}` : '';
  return `${base}archives/${channel}/p${ts.replace('.', '')}${thread}`;
}

/** Where a reply went (the message that carries the report). */
export interface Posted {
  channel: string;
  ts: string;
}

/**
 * Posts a reply. `thread`: one message in the thread of threadTs. `command`: a short summary in the channel and
 * the full report in its thread, so that the channel sees the answer at a glance and the details stay together.
 * When the bot may not write in the channel (a private channel it is not in, a DM), the full report goes through
 * the command's response_url instead, still visible to the channel.
 */
export async function publishReply(
  deps: SlackDeps,
  client: SlackClient,
  state: ReplyState,
  lang: Language,
  opts: { threadTs?: string | undefined; respond?: RespondFn | undefined },
): Promise<Posted | undefined> {
  const t = translator(lang);
  if (state.items.length && state.items.every(isRefusal)) {
    // Nothing this channel may see: one short line, no report, no buttons.
    const lines = [...new Set(state.items.map((i) => (i.kind === 'error' ? say(t, i.message) : '')))];
    if (state.layout === 'command' && opts.respond) await respondLine(opts.respond, lines.join('\n'));
    else await postLine(deps, client, state.channel, opts.threadTs, lines.join('\n'));
    return undefined;
  }
  const key = await saveState(deps, state);
  const view = viewOf(state, key);
  const detail = renderReply(view, t, lang);
  try {
    if (state.layout === 'command') {
      const ts = await post(deps, client, state.channel, renderSummary(view, t));
      const detailTs = await post(deps, client, state.channel, detail, ts);
      return detailTs ? { channel: state.channel, ts: detailTs } : undefined;
    }
    const ts = await post(deps, client, state.channel, detail, opts.threadTs);
    return ts ? { channel: state.channel, ts } : undefined;
  } catch (err) {
    const code = slackErrorCode(err);
    if (!opts.respond || !code || !cannotWrite.has(code)) throw err;
    deps.log.info(
      { channel: state.channel, code },
      'cannot post in the channel; replying through response_url',
    );
    if (state.layout === 'command') {
      await opts.respond({ response_type: 'in_channel', text: detail.text, blocks: detail.blocks as never });
    } else {
      const hint = renderLine(t('slack:errors.not-in-channel'));
      await opts.respond({ response_type: 'ephemeral', text: hint.text, blocks: hint.blocks as never });
    }
    return undefined;
  }
}

/**
 * Posts one message for the channel (a pre-flight's report); where the bot may not write (a private channel it is
 * not in, a DM), through the command's response_url instead, still for the channel to see.
 */
export async function publishMessage(
  deps: SlackDeps,
  client: SlackClient,
  channel: string,
  msg: SlackMessage,
  respond: RespondFn | undefined,
): Promise<Posted | undefined> {
  try {
    const ts = await post(deps, client, channel, msg);
    return ts ? { channel, ts } : undefined;
  } catch (err) {
    const code = slackErrorCode(err);
    if (!respond || !code || !cannotWrite.has(code)) throw err;
    deps.log.info({ channel, code }, 'cannot post in the channel; replying through response_url');
    await respond({ response_type: 'in_channel', text: msg.text, blocks: msg.blocks as never });
    return undefined;
  }
}

/** Replaces a message; falls back to the action's response_url when the bot cannot update it directly. */
export async function updateMessage(
  client: SlackClient,
  channel: string,
  ts: string,
  msg: SlackMessage,
  respond?: RespondFn,
): Promise<void> {
  try {
    await client.chat.update({ channel, ts, text: msg.text, blocks: msg.blocks as never });
  } catch (err) {
    const code = slackErrorCode(err);
    if (!respond || !code || !(cannotWrite.has(code) || code === 'cant_update_message')) throw err;
    await respond({ replace_original: true, text: msg.text, blocks: msg.blocks as never });
  }
}

/** Re-renders a reply (and, for a command's thread reply, the channel summary above it) in place. */
export async function rerenderReply(
  client: SlackClient,
  state: ReplyState,
  key: string,
  lang: Language,
  where: { channel: string; ts: string; threadTs?: string | undefined; respond?: RespondFn | undefined },
): Promise<void> {
  const t = translator(lang);
  const view = viewOf(state, key);
  await updateMessage(client, where.channel, where.ts, renderReply(view, t, lang), where.respond);
  if (state.layout === 'command' && where.threadTs && where.threadTs !== where.ts) {
    await updateMessage(client, where.channel, where.threadTs, renderSummary(view, t));
  }
}

/** A one-line message in a thread (a refusal, an apology, usage). */
export async function postLine(
  deps: SlackDeps,
  client: SlackClient,
  channel: string,
  threadTs: string | undefined,
  text: string,
): Promise<void> {
  const msg = renderLine(text);
  await post(deps, client, channel, msg, threadTs);
}

/** A one-line ephemeral answer through response_url. */
export async function respondLine(respond: RespondFn, text: string): Promise<void> {
  const msg = renderLine(text);
  await respond({ response_type: 'ephemeral', text: msg.text, blocks: msg.blocks as never });
}
