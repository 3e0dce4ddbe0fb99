/**
 * What Slack sends an app in HTTP mode, signed the way Slack signs it (v0 HMAC-SHA256 of "v0:TIMESTAMP:BODY"
 * with the signing secret): slash commands and interactions as form posts, events as JSON.
 */
import { createHmac } from 'node:crypto';
import { BOT_USER_ID, TEAM_ID } from './slack-server.js';

export interface SignOptions {
  /** Seconds since the epoch; default now. */
  timestamp?: number;
  /** Sign with another secret (a forged request). */
  secret?: string;
  headers?: Record<string, string>;
}

export interface SlackPost {
  status: number;
  body: string;
  /** Wall time from sending to the complete response, ms. */
  ms: number;
}

export function sign(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export class SlackSender {
  constructor(
    readonly appUrl: string,
    readonly secret: string,
  ) {}

  async post(body: string, contentType: string, o: SignOptions = {}): Promise<SlackPost> {
    const ts = o.timestamp ?? Math.floor(Date.now() / 1000);
    const started = performance.now();
    const res = await fetch(`${this.appUrl}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': sign(o.secret ?? this.secret, ts, body),
        ...o.headers,
      },
      body,
    });
    const text = await res.text();
    return { status: res.status, body: text, ms: performance.now() - started };
  }

  /** A slash command as Slack posts it. */
  command(
    fields: { text: string; channel_id: string; user_id: string; response_url: string },
    o: SignOptions = {},
  ) {
    const body = new URLSearchParams({
      token: 'deprecated-verification-token',
      team_id: TEAM_ID,
      team_domain: 'ecs-pull-test',
      channel_name: 'incidents',
      user_name: fields.user_id.toLowerCase(),
      command: '/ecs-pull',
      api_app_id: 'A0ECSPULL',
      is_enterprise_install: 'false',
      trigger_id: `${Date.now()}.1.abc`,
      ...fields,
    }).toString();
    return this.post(body, 'application/x-www-form-urlencoded', o);
  }

  /** An Events API callback. */
  event(event: Record<string, unknown>, eventId: string, o: SignOptions & { retryNum?: number } = {}) {
    const body = JSON.stringify({
      token: 'deprecated-verification-token',
      team_id: TEAM_ID,
      api_app_id: 'A0ECSPULL',
      event,
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [
        { team_id: TEAM_ID, user_id: BOT_USER_ID, is_bot: true, is_enterprise_install: false },
      ],
      is_ext_shared_channel: false,
      event_context: `4-${eventId}`,
    });
    const headers =
      o.retryNum !== undefined
        ? { 'x-slack-retry-num': String(o.retryNum), 'x-slack-retry-reason': 'http_timeout', ...o.headers }
        : o.headers;
    return this.post(body, 'application/json', { ...o, ...(headers ? { headers } : {}) });
  }

  /** An interaction payload (block_actions, message_action) as Slack posts it. */
  interaction(payload: Record<string, unknown>, o: SignOptions = {}) {
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    return this.post(body, 'application/x-www-form-urlencoded', o);
  }
}

/** A block_actions payload for a button on a message the app posted. */
export function buttonClick(args: {
  channel: string;
  user: string;
  message: { ts: string; thread_ts?: string; blocks?: unknown[]; text?: string };
  actionId: string;
  value?: string;
  url?: string;
  responseUrl: string;
}): Record<string, unknown> {
  return {
    type: 'block_actions',
    user: { id: args.user, username: args.user.toLowerCase(), team_id: TEAM_ID },
    api_app_id: 'A0ECSPULL',
    token: 'deprecated-verification-token',
    container: {
      type: 'message',
      message_ts: args.message.ts,
      channel_id: args.channel,
      is_ephemeral: false,
      ...(args.message.thread_ts ? { thread_ts: args.message.thread_ts } : {}),
    },
    trigger_id: `${Date.now()}.2.def`,
    team: { id: TEAM_ID, domain: 'ecs-pull-test' },
    channel: { id: args.channel, name: 'incidents' },
    message: { type: 'message', user: BOT_USER_ID, ...args.message },
    response_url: args.responseUrl,
    actions: [
      {
        type: 'button',
        action_id: args.actionId,
        block_id: 'b1',
        text: { type: 'plain_text', text: 'x' },
        ...(args.value !== undefined ? { value: args.value } : {}),
        ...(args.url !== undefined ? { url: args.url } : {}),
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
}

/** A block_actions payload for Slack's 👍 / 👎 feedback buttons on a message the app posted. */
export function feedbackClick(args: {
  channel: string;
  user: string;
  message: { ts: string; thread_ts?: string };
  actionId: string;
  blockId: string;
  value: string;
  responseUrl: string;
}): Record<string, unknown> {
  const payload = buttonClick({ ...args, message: args.message });
  return {
    ...payload,
    actions: [
      {
        type: 'feedback_buttons',
        action_id: args.actionId,
        block_id: args.blockId,
        value: args.value,
        text: { type: 'plain_text', text: 'x' },
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
}

/** A view_submission payload: the modal the app opened, with the person's input. */
export function viewSubmission(args: {
  user: string;
  callbackId: string;
  privateMetadata: string;
  values: Record<string, Record<string, Record<string, unknown>>>;
}): Record<string, unknown> {
  return {
    type: 'view_submission',
    team: { id: TEAM_ID, domain: 'ecs-pull-test' },
    user: { id: args.user, username: args.user.toLowerCase(), team_id: TEAM_ID },
    api_app_id: 'A0ECSPULL',
    token: 'deprecated-verification-token',
    trigger_id: `${Date.now()}.3.ghi`,
    view: {
      id: 'V0FEEDBACK1',
      team_id: TEAM_ID,
      type: 'modal',
      callback_id: args.callbackId,
      private_metadata: args.privateMetadata,
      state: { values: args.values },
      hash: '1700000000.abcdef',
      title: { type: 'plain_text', text: 'x' },
      blocks: [],
    },
    response_urls: [],
    is_enterprise_install: false,
  };
}

/** A message_action (message shortcut) payload. */
export function messageShortcut(args: {
  channel: string;
  user: string;
  message: Record<string, unknown>;
  responseUrl: string;
  callbackId?: string;
}): Record<string, unknown> {
  return {
    type: 'message_action',
    token: 'deprecated-verification-token',
    action_ts: `${Date.now() / 1000}`,
    team: { id: TEAM_ID, domain: 'ecs-pull-test' },
    user: { id: args.user, username: args.user.toLowerCase(), team_id: TEAM_ID },
    channel: { id: args.channel, name: 'incidents' },
    is_enterprise_install: false,
    callback_id: args.callbackId ?? 'ecs_pull_diagnose',
    trigger_id: `${Date.now()}.3.ghi`,
    response_url: args.responseUrl,
    message_ts: args.message.ts,
    message: args.message,
  };
}
