/**
 * Socket Mode without Slack: the app opens its connection through apps.connections.open on the local Web API
 * stand-in, connects to a local WebSocket server, acknowledges envelopes (a slash command, an event and its
 * re-delivery) and answers through the Web API; /healthz answers on the configured port.
 */
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSlackApp, type SlackApp } from '../../src/app.js';
import { defaultConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { BOT_USER_ID, FakeSlack, TEAM_ID } from '../helpers/slack-server.js';
import { FakeSocketModeServer } from '../helpers/slack-websocket.js';

/** Slack allows 3 s; the app acknowledges before any work, so a loaded CI machine still answers well within this. */
const ACK_BUDGET_MS = 750;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('Socket Mode (local apps.connections.open and WebSocket server)', () => {
  let slack: FakeSlack;
  let ws: FakeSocketModeServer;
  let app: SlackApp;
  let port: number;

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    ws = await new FakeSocketModeServer().start();
    slack.socketUrl = ws.url;
    slack.locales.set('U0SOCKET01', 'it-IT');
    port = await freePort();
    const config = defaultConfig({
      slack: {
        mode: 'socket',
        botToken: 'xoxb-socket-test',
        appToken: 'xapp-1-socket-test',
        apiUrl: slack.apiUrl,
        port,
      },
    });
    const quiet = new Writable({ write: (_c, _e, cb) => cb() });
    app = await buildSlackApp(config, { log: createLogger('warn', quiet) });
    await app.start();
    await ws.connected;
  });

  afterAll(async () => {
    await app?.stop();
    await ws?.stop();
    await slack?.stop();
  });

  it('opens the connection with the app-level token', () => {
    const open = slack.callsOf('apps.connections.open');
    expect(open).toHaveLength(1);
    expect(open[0]!.token).toBe('xapp-1-socket-test');
    expect(slack.callsOf('auth.test')[0]!.token).toBe('xoxb-socket-test');
  });

  it('acknowledges a slash command envelope at once and answers through response_url', async () => {
    const sent = Date.now();
    ws.sendJson({
      envelope_id: 'env-cmd-1',
      type: 'slash_commands',
      accepts_response_payload: true,
      payload: {
        token: 'x',
        team_id: TEAM_ID,
        channel_id: 'C0SOCKET01',
        user_id: 'U0SOCKET01',
        command: '/ecs-pull',
        text: 'help',
        response_url: slack.responseUrl('socket-help'),
        trigger_id: '1.2.3',
        api_app_id: 'A0ECSPULL',
      },
    });
    const ack = await slack.waitFor(
      () => ws.received.find((r) => r.data.envelope_id === 'env-cmd-1'),
      5000,
      'ack',
    );
    expect(ack.wall - sent).toBeLessThan(ACK_BUDGET_MS);
    console.info(`Socket Mode slash-command ack after ${ack.wall - sent} ms`);
    const r = await slack.waitFor(() => slack.responses.find((x) => x.id === 'socket-help'), 5000, 'help');
    expect(r.body).toMatchObject({ response_type: 'ephemeral' });
    expect(String(r.body.text)).toContain('spiega perché');
  });

  it('acknowledges an event, replies once, and ignores its re-delivery', async () => {
    const envelope = (id: string, retry: number) => ({
      envelope_id: id,
      type: 'events_api',
      accepts_response_payload: false,
      retry_attempt: retry,
      retry_reason: retry ? 'timeout' : '',
      payload: {
        type: 'event_callback',
        team_id: TEAM_ID,
        api_app_id: 'A0ECSPULL',
        event_id: 'Ev0SOCKET001',
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [{ team_id: TEAM_ID, user_id: BOT_USER_ID, is_bot: true }],
        event: {
          type: 'app_mention',
          user: 'U0SOCKET01',
          text: `<@${BOT_USER_ID}> help`,
          ts: '1764320999.000100',
          channel: 'C0SOCKET01',
          event_ts: '1764320999.000100',
        },
      },
    });
    ws.sendJson(envelope('env-ev-1', 0));
    await slack.waitFor(() => ws.received.find((r) => r.data.envelope_id === 'env-ev-1'), 5000, 'event ack');
    const reply = await slack.waitFor(
      () => slack.callsOf('chat.postMessage').find((c) => c.args.thread_ts === '1764320999.000100'),
      5000,
      'reply',
    );
    expect(String(reply.args.text)).toContain('Menzionami');
    ws.sendJson(envelope('env-ev-2', 1));
    await slack.waitFor(() => ws.received.find((r) => r.data.envelope_id === 'env-ev-2'), 5000, 'retry ack');
    await new Promise((r) => setTimeout(r, 500));
    expect(
      slack.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === '1764320999.000100'),
    ).toHaveLength(1);
  });

  it('refuses a task of an account the channel may not diagnose, as HTTP mode does, with no AWS call', async () => {
    ws.sendJson({
      envelope_id: 'env-cmd-refused',
      type: 'slash_commands',
      accepts_response_payload: true,
      payload: {
        token: 'x',
        team_id: TEAM_ID,
        channel_id: 'C0SOCKET02',
        user_id: 'U0SOCKET02',
        command: '/ecs-pull',
        text: 'why arn:aws:ecs:eu-west-1:222222222222:task/prod/abababababababababababababababab lang:en',
        response_url: slack.responseUrl('socket-refused'),
        trigger_id: '1.2.4',
        api_app_id: 'A0ECSPULL',
      },
    });
    const r = await slack.waitFor(
      () => slack.responses.find((x) => x.id === 'socket-refused'),
      5000,
      'refusal',
    );
    expect(String(r.body.text)).toContain('may not diagnose tasks of account 222222222222');
    // Nothing is configured to reach AWS here: a call would have failed the diagnosis, not refused it.
    expect(String(r.body.text)).not.toMatch(/reference|riferimento/);
  });

  it('escapes what it posts as mrkdwn, as HTTP mode does (the help names <arn-attività>)', async () => {
    const r = await slack.waitFor(() => slack.responses.find((x) => x.id === 'socket-help'), 5000, 'help');
    expect(String(r.body.text)).toContain('&lt;arn-attività&gt;');
    expect(String(r.body.text)).not.toContain('<arn-attività>');
  });

  it('serves /healthz on the configured port', async () => {
    const r = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('ok\n');
  });
});
