/**
 * A stand-in for Slack's Web API on a loopback port: answers the methods the app calls the way Slack does
 * (ok/error envelopes, message ts, thread history), records every call, and also serves response_url posts and
 * the Socket Mode handshake (apps.connections.open pointing at a local WebSocket server). The methods of the
 * Slack-native surfaces check their arguments as Slack does: views.publish (a home view, at most 100 valid
 * blocks, the hash), chat.unfurl (a message that holds each URL, valid blocks), users.conversations (membership,
 * private channels only where the bot is a member too, paging), functions.completeSuccess / completeError (the
 * execution's own workflow token, once, outputs against the step's declared output parameters).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homeViewViolations, unfurlViolations } from './slack-blockkit.js';

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
const jsonFields = new Set(['blocks', 'attachments', 'metadata', 'view', 'unfurls', 'outputs']);

/** A conversation users.conversations knows. */
export interface FakeConversation {
  id: string;
  name: string;
  isPrivate: boolean;
  members: Set<string>;
  isArchived?: boolean;
}

/** A parameter of a custom step, as the manifest declares it. */
export interface StepParameter {
  type: string;
  name?: string;
  is_required?: boolean;
}

/** A running custom step execution (what function_executed started). */
export interface FakeExecution {
  token: string;
  outputParameters: Record<string, StepParameter>;
  state: 'running' | 'completed' | 'failed';
  outputs?: Record<string, unknown>;
  error?: string;
}

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
  /** Conversations and their members (users.conversations). */
  readonly conversations = new Map<string, FakeConversation>();
  /** Home views published, per user, in order (views.publish). */
  readonly homeViews = new Map<string, Array<Record<string, unknown>>>();
  /** Custom step executions by function_execution_id. */
  readonly executions = new Map<string, FakeExecution>();
  /** Scopes auth.test reports in its x-oauth-scopes header (none when unset). */
  scopes: string[] | undefined;
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

  /** Adds a conversation with its members (the bot is a member when listed). */
  addConversation(c: Omit<FakeConversation, 'members'> & { members: string[] }): void {
    this.conversations.set(c.id, { ...c, members: new Set(c.members) });
  }

  /** Starts a custom step execution: only its own token may complete it, with outputs that fit `outputs`. */
  startExecution(id: string, token: string, outputParameters: Record<string, StepParameter>): void {
    this.executions.set(id, { token, outputParameters, state: 'running' });
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
    if (method === 'auth.test' && this.scopes) res.setHeader('x-oauth-scopes', this.scopes.join(','));
    this.send(res, 200, this.answer(method, args, token));
  }

  private answer(method: string, args: Record<string, unknown>, token?: string): Record<string, unknown> {
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
      case 'views.publish':
        return this.viewsPublish(args);
      case 'chat.unfurl':
        return this.chatUnfurl(args);
      case 'users.conversations':
        return this.usersConversations(args);
      case 'functions.completeSuccess':
      case 'functions.completeError':
        return this.completeFunction(method, args, token);
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  private viewsPublish(args: Record<string, unknown>): Record<string, unknown> {
    const user = typeof args.user_id === 'string' ? args.user_id : '';
    if (!/^[UW][A-Z0-9]+$/.test(user)) return { ok: false, error: 'user_not_found' };
    const view = (typeof args.view === 'string' ? JSON.parse(args.view) : args.view) as
      | Record<string, unknown>
      | undefined;
    if (!view || typeof view !== 'object') return { ok: false, error: 'invalid_arguments' };
    const violations = homeViewViolations(view);
    if (violations.length) return { ok: false, error: 'invalid_blocks', errors: violations };
    const published = this.homeViews.get(user) ?? [];
    const current = published.at(-1);
    if (args.hash !== undefined && current && args.hash !== current.hash)
      return { ok: false, error: 'hash_conflict' };
    const stored = { ...view, id: `V0HOME${user}`, hash: `${Date.now()}.${published.length + 1}` };
    published.push(stored);
    this.homeViews.set(user, published);
    return { ok: true, view: stored };
  }

  private chatUnfurl(args: Record<string, unknown>): Record<string, unknown> {
    const channel = typeof args.channel === 'string' ? args.channel : undefined;
    const ts = typeof args.ts === 'string' ? args.ts : undefined;
    if (!(channel && ts) && !(args.unfurl_id && args.source)) {
      return { ok: false, error: channel ? 'missing_ts' : 'missing_channel' };
    }
    const unfurls = (typeof args.unfurls === 'string' ? JSON.parse(args.unfurls) : args.unfurls) as
      | Record<string, unknown>
      | undefined;
    if (!unfurls || typeof unfurls !== 'object' || !Object.keys(unfurls).length)
      return { ok: false, error: 'invalid_unfurls_format' };
    const list = channel ? this.messages.get(channel) : undefined;
    if (!list) return { ok: false, error: 'cannot_find_channel' };
    const msg = list.find((m) => m.ts === ts);
    if (!msg) return { ok: false, error: 'cannot_unfurl_message' };
    // Each key must be a URL the message holds (Slack's text escapes & as &amp;).
    const text = String(msg.text ?? '');
    for (const url of Object.keys(unfurls)) {
      if (!text.includes(url) && !text.includes(url.replaceAll('&', '&amp;')))
        return { ok: false, error: 'cannot_unfurl_message' };
    }
    const violations = unfurlViolations(unfurls);
    if (violations.length) return { ok: false, error: 'invalid_blocks', errors: violations };
    msg.unfurls = { ...((msg.unfurls as Record<string, unknown> | undefined) ?? {}), ...unfurls };
    return { ok: true };
  }

  private usersConversations(args: Record<string, unknown>): Record<string, unknown> {
    const limit = Number(args.limit ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 999) return { ok: false, error: 'invalid_limit' };
    const types = String(args.types ?? 'public_channel').split(',');
    const known = ['public_channel', 'private_channel', 'mpim', 'im'];
    if (types.some((x) => !known.includes(x))) return { ok: false, error: 'invalid_types' };
    const user = typeof args.user === 'string' ? args.user : BOT_USER_ID;
    const excludeArchived = args.exclude_archived === true || args.exclude_archived === 'true';
    const all = [...this.conversations.values()].filter(
      (c) =>
        c.members.has(user) &&
        // A bot token sees a private channel only when the bot is a member too.
        (c.isPrivate
          ? types.includes('private_channel') && c.members.has(BOT_USER_ID)
          : types.includes('public_channel')) &&
        !(excludeArchived && c.isArchived),
    );
    const from = args.cursor ? Number(Buffer.from(String(args.cursor), 'base64').toString('utf8')) : 0;
    if (!Number.isInteger(from) || from < 0) return { ok: false, error: 'invalid_cursor' };
    const page = all.slice(from, from + limit);
    const next = from + limit < all.length ? Buffer.from(String(from + limit)).toString('base64') : '';
    return {
      ok: true,
      channels: page.map((c) => ({
        id: c.id,
        name: c.name,
        is_channel: !c.isPrivate,
        is_group: false,
        is_private: c.isPrivate,
        is_archived: !!c.isArchived,
        is_member: c.members.has(BOT_USER_ID),
      })),
      response_metadata: { next_cursor: next },
    };
  }

  private completeFunction(
    method: string,
    args: Record<string, unknown>,
    token: string | undefined,
  ): Record<string, unknown> {
    const id = typeof args.function_execution_id === 'string' ? args.function_execution_id : '';
    const run = this.executions.get(id);
    if (!run) return { ok: false, error: 'function_execution_not_found' };
    if (token !== run.token) return { ok: false, error: 'access_denied' };
    if (run.state !== 'running') return { ok: false, error: 'execution_not_in_running_state' };
    if (method === 'functions.completeError') {
      if (typeof args.error !== 'string' || !args.error.trim())
        return { ok: false, error: 'invalid_arguments' };
      run.state = 'failed';
      run.error = args.error;
      return { ok: true };
    }
    const outputs = (typeof args.outputs === 'string' ? JSON.parse(args.outputs) : args.outputs) as
      | Record<string, unknown>
      | undefined;
    if (!outputs || typeof outputs !== 'object') return { ok: false, error: 'invalid_arguments' };
    const problems: string[] = [];
    for (const [name, p] of Object.entries(run.outputParameters)) {
      const v = outputs[name];
      if (v === undefined || v === null) {
        if (p.is_required) problems.push(`${name}: required`);
        continue;
      }
      const ok =
        p.type === 'string' || p.type.startsWith('slack#/types/')
          ? typeof v === 'string'
          : p.type === 'integer'
            ? Number.isInteger(v)
            : p.type === 'number'
              ? typeof v === 'number'
              : p.type === 'boolean'
                ? typeof v === 'boolean'
                : true;
      if (!ok) problems.push(`${name}: not a ${p.type}`);
    }
    for (const name of Object.keys(outputs))
      if (!run.outputParameters[name]) problems.push(`${name}: not an output of the step`);
    if (problems.length) return { ok: false, error: 'parameter_validation_failed', errors: problems };
    run.state = 'completed';
    run.outputs = outputs;
    return { ok: true };
  }
}
