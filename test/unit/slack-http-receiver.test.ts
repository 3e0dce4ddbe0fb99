/**
 * The HTTP receiver: verified requests are answered before Bolt dispatches them; Slack's special requests and
 * bad ones are answered as Bolt's own receiver answers them.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import { Burst } from '../../src/slack/burst.js';
import { SlackHttpReceiver } from '../../src/slack/http-receiver.js';
import { SlackSender } from '../helpers/slack-requests.js';

const SECRET = 'receiver-test-signing-secret';
const quiet = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

let stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of stops) await s();
  stops = [];
});

async function start(burst?: Burst) {
  const receiver = new SlackHttpReceiver({
    signingSecret: SECRET,
    endpoint: '/slack/events',
    customRoutes: [
      {
        path: '/healthz',
        method: ['GET'],
        handler: (_q, s) => {
          s.writeHead(200);
          s.end('ok');
        },
      },
    ],
    logger: quiet,
    burst,
    maxBodyBytes: 64 * 1024,
  });
  const app = new App({
    token: 'xoxb-receiver-test',
    receiver,
    logger: quiet,
    tokenVerificationEnabled: false,
    botId: 'B0RECEIVER',
    botUserId: 'U0RECEIVER',
  });
  const server = (await app.start(0)) as Server;
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stops.push(async () => {
    await app.stop();
  });
  return { app, receiver, url, send: new SlackSender(url, SECRET) };
}

const command = (text: string) => ({
  text,
  channel_id: 'C0RECEIVER',
  user_id: 'U0ASKER',
  response_url: 'http://127.0.0.1:9/unused',
});

describe('SlackHttpReceiver', () => {
  it('answers a verified command at once, before its listener has finished', async () => {
    const { app, send } = await start();
    let release: () => void = () => {};
    const done = new Promise<void>((r) => {
      release = r;
    });
    const seen: string[] = [];
    app.command('/ecs-pull', async ({ ack, command: c }) => {
      await ack();
      seen.push(c.text);
      await done;
      seen.push('finished');
    });
    const r = await send.command(command('help'));
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
    await new Promise((res) => setTimeout(res, 50));
    expect(seen).toEqual(['help']);
    release();
    await new Promise((res) => setTimeout(res, 20));
    expect(seen).toEqual(['help', 'finished']);
  });

  it('answers url_verification, ssl_check, bad signatures, other paths and its custom routes as Bolt does', async () => {
    const { send, url } = await start();
    const challenge = await send.post(
      JSON.stringify({ type: 'url_verification', challenge: 'c-123', token: 'x' }),
      'application/json',
    );
    expect(challenge.status).toBe(200);
    expect(JSON.parse(challenge.body)).toEqual({ challenge: 'c-123' });
    expect((await send.post('ssl_check=1&token=x', 'application/x-www-form-urlencoded')).status).toBe(200);
    expect((await send.command(command('help'), { secret: 'forged-secret' })).status).toBe(401);
    expect(
      (await send.command(command('help'), { timestamp: Math.floor(Date.now() / 1000) - 600 })).status,
    ).toBe(401);
    expect((await send.post('{not json', 'application/json')).status).toBe(400);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/nowhere`)).status).toBe(404);
    expect((await fetch(`${url}/slack/events`)).status).toBe(404);
  });

  it('refuses a body over maxBodyBytes with 413, from its Content-Length or while it streams, signed or not', async () => {
    const { app, send, url } = await start();
    let dispatched = 0;
    app.command('/ecs-pull', async ({ ack }) => {
      await ack();
      dispatched++;
    });
    const big = command('x'.repeat(70 * 1024));
    // Signed, with an honest Content-Length: refused all the same.
    expect((await send.command(big)).status).toBe(413);
    // Chunked (no Content-Length), signed with another secret: refused once past the limit.
    const body = new URLSearchParams({ text: 'y'.repeat(200 * 1024) }).toString();
    const chunked = await fetch(`${url}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)),
        'x-slack-signature': `v0=${'0'.repeat(64)}`,
      },
      body: new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode(body));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    // Within the limit, as before.
    expect((await send.command(command('help'))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 20));
    expect(dispatched).toBe(1);
  });

  it('counts only signed requests for a burst: unsigned ones and SSL checks do not hold a command back', async () => {
    const { app, send } = await start(new Burst(100, 5_000));
    const forged = new SlackSender(send.appUrl, 'forged-secret');
    let dispatchedAt = 0;
    app.command('/ecs-pull', async ({ ack }) => {
      await ack();
      dispatchedAt = performance.now();
    });
    // Every junk request is awaited before the server stops (one still in flight would be refused, unhandled).
    const pending: Promise<unknown>[] = [];
    const junk = setInterval(() => {
      pending.push(
        forged.command(command('help')).catch(() => {}),
        send.post('ssl_check=1&token=x', 'application/x-www-form-urlencoded').catch(() => {}),
      );
    }, 20);
    try {
      const sent = performance.now();
      expect((await send.command(command('help'))).status).toBe(200);
      await new Promise((r) => setTimeout(r, 600));
      // Dispatched once its own burst (itself) had passed, not when the junk stopped (or at 5 s).
      expect(dispatchedAt - sent).toBeGreaterThan(50);
      expect(dispatchedAt - sent).toBeLessThan(400);
    } finally {
      clearInterval(junk);
      await Promise.allSettled(pending);
    }
  });

  it('dispatches a burst only once it has stopped arriving; stop() still hands answered requests to Bolt', async () => {
    const { app, send } = await start(new Burst(300, 5_000));
    let acked = 0;
    const ackedAtDispatch: number[] = [];
    let finished = 0;
    app.command('/ecs-pull', async ({ ack }) => {
      await ack();
      ackedAtDispatch.push(acked);
      await new Promise((r) => setTimeout(r, 100));
      finished++;
    });
    const acks = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        send.command(command(`why ${i}`)).then((a) => {
          acked++;
          return a;
        }),
      ),
    );
    expect(acks.every((a) => a.status === 200)).toBe(true);
    // Stopping now, while the burst's requests wait: they are dispatched all the same.
    await app.stop();
    await new Promise((r) => setTimeout(r, 200));
    // Every answer had reached the sender before the first request was dispatched.
    expect(ackedAtDispatch).toEqual(Array(20).fill(20));
    expect(finished).toBe(20);
  });
});
