/**
 * Requests that are not Slack's, against the built app (dist/src/app.js) in its own process, as `npm start` runs
 * it, with the local Slack stand-in. In HTTP mode:
 * - bodies with a bogus signature, three at once of 400 MB each (announced by Content-Length, or chunked with no
 *   length), are refused with 413 once past the body limit, before they are buffered: the app's resident memory
 *   grows by less than 50 MB, and it answers a signed command right after;
 * - a stream of unsigned requests does not hold back the work of a signed one: `/ecs-pull help` is answered as
 *   fast as without them (the burst that holds work back counts only requests whose signature verifies).
 * In Socket Mode, where Slack's requests come over the app's own WebSocket, the HTTP port (health, metrics) reads
 * no body: the same flood leaves its memory flat too.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackSender } from '../helpers/slack-requests.js';
import { FakeSlack } from '../helpers/slack-server.js';
import { FakeSocketModeServer } from '../helpers/slack-websocket.js';

const appPath = join(import.meta.dirname, '..', '..', 'dist', 'src', 'app.js');
const SECRET = 'limits-test-signing-secret';
const MB = 1024 * 1024;
/** The size of each flooding body. */
const FLOOD_BYTES = 400 * MB;
/** Past this growth the flood is stopped (the test has failed by then): a failing run stays cheap. */
const GIVE_UP_GROWTH = 300 * MB;

/** Starts the built app with this environment; resolves once it has logged its start. */
async function startApp(slack: FakeSlack, extra: Record<string, string>) {
  const port = await freePort();
  const child = spawn(process.execPath, [appPath], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_REGION: 'eu-west-1',
      SLACK_BOT_TOKEN: 'xoxb-limits-test',
      SLACK_API_URL: slack.apiUrl,
      PORT: String(port),
      ...extra,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const app = { child, pid: child.pid!, port, stdout: '' };
  child.stdout!.on('data', (d) => {
    app.stdout += String(d);
  });
  await slack.waitFor(() => app.stdout.includes('ecs-pull Slack app started'), 20_000, 'the app to start');
  return app;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** The child's resident set size in bytes (VmRSS). */
function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Samples a process' RSS until stopped; `peak` is the highest seen. */
function rssSampler(pid: number, everyMs = 10) {
  const s = { peak: rss(pid), stop: () => clearInterval(timer) };
  const timer = setInterval(() => {
    try {
      s.peak = Math.max(s.peak, rss(pid));
    } catch {
      // The process is gone: the assertions say so.
    }
  }, everyMs);
  return s;
}

interface FloodResult {
  status?: number;
  /** Bytes written before the server answered or closed the connection. */
  sent: number;
  /** How the connection ended when it did without an answer (ECONNRESET, EPIPE, …). */
  error?: string;
}

/**
 * POSTs `total` bytes to /slack/events with a bogus signature, generated as it goes (one 64 kB chunk written again
 * and again, honouring backpressure), with Content-Length or chunked. Stops writing as soon as the server answers,
 * closes the connection, or `abort` says so.
 */
function flood(
  port: number,
  path: string,
  total: number,
  chunked: boolean,
  abort: () => boolean,
): Promise<FloodResult> {
  return new Promise((resolve) => {
    const ts = Math.floor(Date.now() / 1000);
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path,
      headers: {
        'content-type': 'application/json',
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': `v0=${'0'.repeat(64)}`,
        ...(chunked ? {} : { 'content-length': String(total) }),
      },
    });
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const result: FloodResult = { sent: 0 };
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      req.destroy();
      resolve(result);
    };
    req.on('response', (res) => {
      result.status = res.statusCode;
      res.resume();
      finish();
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      result.error = err.code ?? err.message;
      finish();
    });
    req.on('close', finish);
    const pump = () => {
      while (!done && result.sent < total) {
        if (abort()) {
          result.error = 'aborted by the test (memory growth)';
          finish();
          return;
        }
        const n = Math.min(chunk.length, total - result.sent);
        result.sent += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          req.once('drain', pump);
          return;
        }
      }
      if (!done) req.end();
    };
    pump();
  });
}

/** Three bodies of FLOOD_BYTES at once; their results, and how much the app's RSS grew meanwhile. */
async function floodThree(pid: number, port: number, path: string, chunked: boolean) {
  await sleep(200);
  const before = rss(pid);
  const sampler = rssSampler(pid);
  const started = Date.now();
  const results = await Promise.all(
    [1, 2, 3].map(() =>
      flood(port, path, FLOOD_BYTES, chunked, () => sampler.peak - before > GIVE_UP_GROWTH),
    ),
  );
  await sleep(200);
  sampler.stop();
  const grew = sampler.peak - before;
  console.info(
    `body flood on ${path} ${chunked ? 'chunked' : 'with Content-Length'}: RSS ${(before / MB).toFixed(0)} MB → ` +
      `peak ${(sampler.peak / MB).toFixed(0)} MB (+${(grew / MB).toFixed(1)} MB) in ${Date.now() - started} ms; ` +
      results.map((r) => `${r.status ?? r.error} after ${(r.sent / MB).toFixed(1)} MB`).join(', '),
  );
  return { results, grew };
}

describe('the built app in HTTP mode against requests that are not signed', () => {
  let slack: FakeSlack;
  let app: Awaited<ReturnType<typeof startApp>>;
  let send: SlackSender;
  let helpSeq = 0;

  /** Sends a signed `/ecs-pull help` and resolves with the ms until its answer reached response_url. */
  async function helpLatency(): Promise<number> {
    const id = `help-${++helpSeq}`;
    const started = Date.now();
    const r = await send.command({
      text: 'help',
      channel_id: 'C0LIMITS01',
      user_id: 'U0LIMITS01',
      response_url: slack.responseUrl(id),
    });
    expect(r.status).toBe(200);
    const answer = await slack.waitFor(() => slack.responses.find((x) => x.id === id), 10_000, id);
    return answer.wall - started;
  }

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    app = await startApp(slack, { SLACK_MODE: 'http', SLACK_SIGNING_SECRET: SECRET });
    send = new SlackSender(`http://127.0.0.1:${app.port}`, SECRET);
    // Warm: the first request loads what later ones reuse.
    await helpLatency();
    await helpLatency();
  });

  afterAll(async () => {
    if (app?.child.exitCode === null) app.child.kill('SIGKILL');
    await slack?.stop();
  });

  it.each([
    ['with Content-Length', false],
    ['chunked, without Content-Length', true],
  ])(
    'refuses three 400 MB bodies at once %s, before buffering them (RSS + < 50 MB)',
    async (_name, chunked) => {
      const { results, grew } = await floodThree(app.pid, app.port, '/slack/events', chunked);
      for (const r of results) {
        if (chunked) {
          // Refused once past the limit: a 413, or the connection closed long before the end of the body.
          expect(
            r.status === 413 || (r.status === undefined && r.sent < FLOOD_BYTES / 4),
            JSON.stringify(r),
          ).toBe(true);
        } else {
          expect(r.status, JSON.stringify(r)).toBe(413);
        }
      }
      expect(grew).toBeLessThan(50 * MB);
      // Still answering Slack.
      expect(await helpLatency()).toBeLessThan(2_000);
    },
    120_000,
  );

  it('answers a signed command as fast while unsigned requests keep arriving (40 a second)', async () => {
    const quiet = Math.min(await helpLatency(), await helpLatency());
    const junk = new SlackSender(`http://127.0.0.1:${app.port}`, 'not-the-signing-secret');
    let sent = 0;
    const statuses = new Map<number, number>();
    const stream = (async () => {
      const t0 = Date.now();
      const pending: Promise<void>[] = [];
      // 40 a second for 2 s, each a command as Slack would send it, signed with the wrong secret.
      while (Date.now() - t0 < 2_000) {
        pending.push(
          junk
            .command({
              text: 'help',
              channel_id: 'C0JUNK0001',
              user_id: 'U0JUNK0001',
              response_url: slack.responseUrl('junk'),
            })
            .then((r) => {
              statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
            }),
        );
        sent++;
        await sleep(25);
      }
      await Promise.all(pending);
    })();
    await sleep(500);
    const underJunk = await helpLatency();
    await stream;
    console.info(
      `help latency: ${quiet} ms quiet, ${underJunk} ms under ${sent} unsigned requests in 2 s ` +
        `(answered ${JSON.stringify(Object.fromEntries(statuses))})`,
    );
    expect([...statuses.keys()]).toEqual([401]);
    expect(slack.responses.filter((r) => r.id === 'junk')).toEqual([]);
    // Counting them as a burst held the signed request's work for up to 1 s (maxWaitMs) while they kept arriving.
    expect(underJunk).toBeLessThan(quiet + 300);
    expect(app.stdout).not.toContain('"level":50');
  }, 60_000);
});

describe('the built app in Socket Mode: its HTTP port reads no body', () => {
  let slack: FakeSlack;
  let ws: FakeSocketModeServer;
  let app: Awaited<ReturnType<typeof startApp>>;

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    ws = await new FakeSocketModeServer().start();
    slack.socketUrl = ws.url;
    app = await startApp(slack, { SLACK_MODE: 'socket', SLACK_APP_TOKEN: 'xapp-1-A0LIMITS-1-limits-test' });
    await ws.connected;
  });

  afterAll(async () => {
    if (app?.child.exitCode === null) app.child.kill('SIGKILL');
    await ws?.stop();
    await slack?.stop();
  });

  it.each([
    ['/slack/events', true],
    ['/healthz', false],
  ])(
    'three 400 MB bodies at once on %s leave its memory flat',
    async (path, chunked) => {
      const { results, grew } = await floodThree(app.pid, app.port, path, chunked);
      // Answered at once (only GET /healthz and /metrics are served there), long before the end of the body.
      for (const r of results) expect(r.status ?? r.error, JSON.stringify(r)).toBe(404);
      for (const r of results) expect(r.sent, JSON.stringify(r)).toBeLessThan(FLOOD_BYTES / 4);
      expect(grew).toBeLessThan(50 * MB);
      expect((await fetch(`http://127.0.0.1:${app.port}/healthz`)).status).toBe(200);
    },
    120_000,
  );
});
