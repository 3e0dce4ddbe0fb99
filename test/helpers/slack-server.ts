/**
 * A stand-in for Slack's Web API on a loopback port: answers the methods the app calls the way Slack does
 * (ok/error envelopes, message ts, thread history), records every call, and also serves response_url posts and
 * the Socket Mode handshake (apps.connections.open pointing at a local WebSocket server).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  /** ms since the server started. */
  at: number;
  /** Date.now() when it arrived. */
  wall: number;
  token?: string | undefined;
}

export interface ResponseUrlPost {
  id: string;
  body: Record<string, unknown>;
  at: number;
  wall: number;
}

export interface StoredMessage {
  ts: string;
  thread_ts?: string;
  text?: string;
  user?: string;
  bot_id?: string;
  blocks?: unknown[];
  attachments?: unknown[];
  [k: string]: unknown;
}

/** Form fields the Web API client sends JSON-encoded. */
const jsonFields = new Set(['blocks', 'attachments', 'metadata']);

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseArgs(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.includes('application/json'))
    return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    if (jsonFields.has(k)) {
      try {
        out[k] = JSON.parse(v);
        continue;
      } catch {
        // Not JSON: keep the string.
      }
    }
    out[k] = v;
  }
  return out;
}

export const BOT_USER_ID = 'U0ECSPULL';
export const BOT_ID = 'B0ECSPULL';
export const TEAM_ID = 'T0TESTTEAM';
export const WORKSPACE_URL = 'https://ecs-pull-test.slack.com/';

export class FakeSlack {
  readonly calls: RecordedCall[] = [];
  readonly responses: ResponseUrlPost[] = [];
  /** Messages per channel, in posting order (what conversations.* read). */
  readonly messages = new Map<string, StoredMessage[]>();
  /** users.info locales. */
  readonly locales = new Map<string, string>();
  /** Method → Slack error code to answer with (ok: false). */
  readonly failures = new Map<string, string>();
  /** Method → the next `times` calls get HTTP 429 with Retry-After: retryAfter (seconds), as Slack rate-limits. */
  readonly rateLimits = new Map<string, { times: number; retryAfter: number }>();
  /** Calls answered with 429 (not in `calls`, which holds the calls Slack accepted). */
  readonly limited: RecordedCall[] = [];
  /** Where apps.connections.open sends the Socket Mode client. */
  socketUrl: string | undefined;
  private server: Server | undefined;
  private started = Date.now();
  private tsCounter = 0;
  url = '';

  /** Listens on a free port, or on `port` (to come back where the app expects Slack after stop()). */
  async start(port = 0): Promise<this> {
    this.started = Date.now();
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        res.writeHead(500);
        res.end(String(err));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  /** Base URL for the Web API client (clientOptions.slackApiUrl). */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  /** A response_url the app can post to. */
  responseUrl(id: string): string {
    return `${this.url}/respond/${id}`;
  }

  /** A new message ts, increasing like Slack's. */
  nextTs(): string {
    this.tsCounter++;
    return `1764320000.${String(this.tsCounter).padStart(6, '0')}`;
  }

  /** Puts a message in a channel (as if someone had posted it) and returns it. */
  addMessage(channel: string, msg: Omit<StoredMessage, 'ts'> & { ts?: string }): StoredMessage {
    const stored = { type: 'message', ...msg, ts: msg.ts ?? this.nextTs() } as StoredMessage;
    const list = this.messages.get(channel) ?? [];
    list.push(stored);
    this.messages.set(channel, list);
    return stored;
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Resolves when the predicate holds over the recorded state; fails after timeoutMs. */
  async waitFor<T>(probe: () => T | undefined | false, timeoutMs = 15_000, what = 'condition'): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = probe();
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const raw = await readBody(req);
    const at = Date.now() - this.started;
    if (url.pathname.startsWith('/respond/')) {
      this.responses.push({
        id: url.pathname.slice('/respond/'.length),
        body: JSON.parse(raw || '{}'),
        at,
        wall: Date.now(),
      });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      return;
    }
    if (!url.pathname.startsWith('/api/')) {
      this.send(res, 404, { ok: false, error: 'unknown_path' });
      return;
    }
    const method = url.pathname.slice('/api/'.length);
    const args = parseArgs(raw, req.headers['content-type']);
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : (args.token as string | undefined);
    const limit = this.rateLimits.get(method);
    if (limit && limit.times > 0) {
      limit.times--;
      this.limited.push({ method, args, at, wall: Date.now(), token });
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(limit.retryAfter) });
      res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    }
    this.calls.push({ method, args, at, wall: Date.now(), token });
    const failure = this.failures.get(method);
    if (failure) {
      this.send(res, 200, { ok: false, error: failure });
      return;
    }
    this.send(res, 200, this.answer(method, args));
  }

  private answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    const channel = String(args.channel ?? '');
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: WORKSPACE_URL,
          team: 'ecs-pull test',
          user: 'ecs-pull',
          team_id: TEAM_ID,
          user_id: BOT_USER_ID,
          bot_id: BOT_ID,
          is_enterprise_install: false,
        };
      case 'apps.connections.open':
        return this.socketUrl ? { ok: true, url: this.socketUrl } : { ok: false, error: 'not_configured' };
      case 'chat.postMessage': {
        const msg = this.addMessage(channel, {
          text: args.text as string,
          blocks: args.blocks as unknown[],
          user: BOT_USER_ID,
          bot_id: BOT_ID,
          ...(args.thread_ts ? { thread_ts: String(args.thread_ts) } : {}),
        });
        return { ok: true, channel, ts: msg.ts, message: msg };
      }
      case 'chat.update': {
        const msg = this.messages.get(channel)?.find((m) => m.ts === args.ts);
        if (!msg) return { ok: false, error: 'message_not_found' };
        msg.text = args.text as string;
        msg.blocks = args.blocks as unknown[];
        return { ok: true, channel, ts: msg.ts, text: msg.text };
      }
      case 'chat.getPermalink': {
        const msg = this.messages.get(channel)?.find((m) => m.ts === args.message_ts);
        if (!msg) return { ok: false, error: 'message_not_found' };
        const thread =
          msg.thread_ts && msg.thread_ts !== msg.ts ? `?thread_ts=${msg.thread_ts}&cid=${channel}` : '';
        return {
          ok: true,
          channel,
          permalink: `${WORKSPACE_URL}archives/${channel}/p${msg.ts.replace('.', '')}${thread}`,
        };
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: this.nextTs() };
      case 'views.open': {
        // Slack checks the trigger (3 s, once) and the view; here: present and a modal with a title.
        const view = (typeof args.view === 'string' ? JSON.parse(args.view) : args.view) as
          | { type?: string; title?: unknown }
          | undefined;
        if (!args.trigger_id) return { ok: false, error: 'invalid_arguments' };
        if (view?.type !== 'modal' || !view.title) return { ok: false, error: 'invalid_arguments' };
        return { ok: true, view: { id: `V0${this.nextTs().replace('.', '')}`, ...view } };
      }
      case 'users.info': {
        const id = String(args.user);
        return {
          ok: true,
          user: {
            id,
            name: id.toLowerCase(),
            ...(this.locales.has(id) ? { locale: this.locales.get(id) } : {}),
          },
        };
      }
      case 'conversations.replies': {
        const list = this.messages.get(channel) ?? [];
        const parent = list.find((m) => m.ts === args.ts);
        if (!parent) return { ok: false, error: 'thread_not_found' };
        let thread = [parent, ...list.filter((m) => m.thread_ts === parent.ts && m.ts !== parent.ts)];
        if (args.oldest) thread = thread.filter((m) => m.ts >= String(args.oldest));
        if (args.latest) thread = thread.filter((m) => m.ts <= String(args.latest));
        return { ok: true, messages: thread.slice(0, Number(args.limit ?? 1000)), has_more: false };
      }
      case 'conversations.history': {
        let list = (this.messages.get(channel) ?? []).filter((m) => !m.thread_ts || m.thread_ts === m.ts);
        if (args.oldest) list = list.filter((m) => m.ts >= String(args.oldest));
        if (args.latest) list = list.filter((m) => m.ts <= String(args.latest));
        return {
          ok: true,
          messages: [...list].reverse().slice(0, Number(args.limit ?? 100)),
          has_more: false,
        };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}
