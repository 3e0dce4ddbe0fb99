/**
 * Two replicas of the app sharing one real redis-server (started by this file), each in HTTP mode with its own
 * AWS client pool, in front of moto (through a counting proxy) and the local Slack stand-in. An alert delivered
 * to both is answered once; a storm spread over both is still one reply per alert and one diagnosis; one
 * person's commands spread over both draw from one rate-limit bucket; everything Redis holds expires.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildSlackApp, type SlackApp } from '../../src/app.js';
import { ClientPool } from '../../src/aws/clients.js';
import { parseTaskTarget } from '../../src/aws/target.js';
import type { Config } from '../../src/config.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import { BASE_CREDENTIALS, motoAccount } from '../helpers/aws-scenario.js';
import { motoConfig, useMotoEndpoint } from '../helpers/moto-engine.js';
import { type RedisServer, redisForTests, startRedis } from '../helpers/redis-server.js';
import { type CountingProxy, startCountingProxy } from '../helpers/slack-aws-proxy.js';
import { captureLog } from '../helpers/slack-log.js';
import { SlackSender } from '../helpers/slack-requests.js';
import { BOT_USER_ID, FakeSlack, type StoredMessage } from '../helpers/slack-server.js';
import { buildStorm, type Storm, stormAlert } from '../helpers/slack-storm.js';

const motoUrl = inject('motoUrl');
const redis = redisForTests();

const ACCOUNT = '431900000008';
const SECRET = 'redis-test-signing-secret';
const C_ONE = 'C0REDIS001';
const C_STORM = 'C0REDIS002';
const ALERTS = 100;

function texts(blocks: unknown): string {
  return JSON.stringify(blocks ?? []);
}

const skip = !motoUrl || !redis.bin;
const why = !motoUrl ? inject('motoMissingReason') : redis.reason;

describe.skipIf(skip)(`two replicas sharing Redis${skip ? ` (${why})` : ''}`, () => {
  let server: RedisServer;
  let proxy: CountingProxy;
  let slack: FakeSlack;
  let storm: Storm;
  let config: Config;
  const apps: SlackApp[] = [];
  const senders: SlackSender[] = [];
  const logs = [captureLog(), captureLog()];
  let oneDiagnosis = 0;

  const replies = (channel: string, threadTs: string): StoredMessage[] =>
    (slack.messages.get(channel) ?? []).filter((m) => m.thread_ts === threadTs && m.user === BOT_USER_ID);

  beforeAll(async () => {
    server = await startRedis(redis.bin!);
    proxy = await startCountingProxy(motoUrl!);
    useMotoEndpoint(proxy.url);
    storm = await buildStorm(await motoAccount(motoUrl!, ACCOUNT), ALERTS + 1);
    slack = await new FakeSlack().start();
    config = motoConfig({
      defaultLanguage: 'en',
      redis: { url: server.url, keyPrefix: 'e2e:' },
      slack: {
        mode: 'http',
        botToken: 'xoxb-redis-test',
        signingSecret: SECRET,
        apiUrl: slack.apiUrl,
        port: 0,
        alertSources: { botIds: ['B0ALERTS1'], appIds: [], channels: [] },
        channels: {},
        defaultAccounts: ['*'],
      },
    });
    proxy.reset();
    await diagnose(
      { target: parseTaskTarget(storm.taskArns[0]!), requester: 'baseline' },
      {
        pool: new ClientPool(config, { baseCredentials: async () => BASE_CREDENTIALS }),
        deadlineMs: config.aws.deadlineMs,
      },
    );
    oneDiagnosis = proxy.count();
    for (const captured of logs) {
      // Each replica connects to Redis itself, from the configuration (as `npm start` with REDIS_URL does).
      const app = await buildSlackApp(config, {
        pool: new ClientPool(config, { baseCredentials: async () => BASE_CREDENTIALS }),
        log: captured.log,
        pace: { intervalMs: 20, burst: 3 },
      });
      const { port } = await app.start();
      apps.push(app);
      senders.push(new SlackSender(`http://127.0.0.1:${port}`, SECRET));
    }
    expect(logs.every((l) => l.text().includes('shared state on Redis'))).toBe(true);
  });

  afterAll(async () => {
    for (const app of apps) await app.stop();
    await slack?.stop();
    await proxy?.close();
    await server?.stop();
  });

  it('an alert delivered to both replicas (a re-delivery, a second path) gets one reply', async () => {
    const msg = slack.addMessage(C_ONE, stormAlert(storm, ALERTS));
    const event = { ...msg, channel: C_ONE, event_ts: msg.ts };
    // Slack re-sends the same envelope to whichever replica the load balancer picks…
    const [a, b] = await Promise.all([
      senders[0]!.event(event, 'Ev0REDIS0001'),
      senders[1]!.event(event, 'Ev0REDIS0001', { retryNum: 1 }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    // …and the same message may also arrive as a second event (an edit, another subscription).
    await Promise.all([senders[0]!.event(event, 'Ev0REDIS0002'), senders[1]!.event(event, 'Ev0REDIS0003')]);
    await slack.waitFor(() => replies(C_ONE, msg.ts).length >= 1, 30_000, 'the reply');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(replies(C_ONE, msg.ts)).toHaveLength(1);
    expect(texts(replies(C_ONE, msg.ts)[0]!.blocks)).toContain('ecs-pull · task ');
    const said = logs.map((l) => l.text()).join('\n');
    expect(said).toContain('event delivered again; ignored');
    expect(said).toContain('alert already answered');
  });

  it('a storm spread over both replicas: one reply per alert, one diagnosis, AWS within twice one diagnosis', async () => {
    // Cold AWS answers (the alert above was diagnosed seconds ago): the storm pays for its own diagnosis.
    const c = server.client();
    const cached = await c.keys('e2e:aws:*');
    if (cached.length) await c.del(...cached);
    proxy.reset();
    const alerts: StoredMessage[] = [];
    const sends: Promise<unknown>[] = [];
    const started = Date.now();
    for (let i = 0; i < ALERTS; i++) {
      const msg = slack.addMessage(C_STORM, stormAlert(storm, i));
      alerts.push(msg);
      sends.push(senders[i % 2]!.event({ ...msg, channel: C_STORM, event_ts: msg.ts }, `Ev0REDISST${i}`));
      await new Promise((r) => setTimeout(r, 40));
    }
    await Promise.all(sends);
    expect(Date.now() - started).toBeLessThan(10_000);
    await slack.waitFor(() => alerts.every((a) => replies(C_STORM, a.ts).length >= 1), 60_000, 'every reply');
    await new Promise((r) => setTimeout(r, 500));
    for (const a of alerts) expect(replies(C_STORM, a.ts)).toHaveLength(1);
    const all = alerts.map((a) => replies(C_STORM, a.ts)[0]!);
    expect(all.filter((m) => texts(m.blocks).includes('ecs-pull · task '))).toHaveLength(1);
    expect(all.filter((m) => texts(m.blocks).includes('Same failure as task '))).toHaveLength(ALERTS - 1);
    // Both replicas answered part of the storm.
    for (const l of logs) expect(l.text()).toContain('alert answered with its storm’s first reply');
    const calls = proxy.count();
    console.info(
      `storm over two replicas: ${ALERTS} alerts, ${all.length} replies, ${calls} AWS calls vs ${oneDiagnosis} for one diagnosis ${JSON.stringify(proxy.byApi())}`,
    );
    // Each replica opens its own role session and batches its own lookups; the diagnosis runs once.
    expect(calls).toBeLessThanOrEqual(2 * oneDiagnosis);
  }, 120_000);

  it('rate limits are shared: one person’s commands spread over both replicas get 10 diagnoses in all, not 20', async () => {
    const channel = 'C0REDIS003';
    const user = 'U0REDISRL1';
    const COMMANDS = 12;
    for (let i = 0; i < COMMANDS; i++) {
      const r = await senders[i % 2]!.command({
        text: `why ${storm.taskArns[i]}`,
        channel_id: channel,
        user_id: user,
        response_url: slack.responseUrl(`redis-rl-${i}`),
      });
      expect(r.status).toBe(200);
    }
    const details = () =>
      (slack.messages.get(channel) ?? []).filter(
        (m) => m.user === BOT_USER_ID && m.thread_ts && m.thread_ts !== m.ts,
      );
    const refused = () => slack.responses.filter((r) => r.id.startsWith('redis-rl-'));
    await slack.waitFor(
      () => details().length + refused().length >= COMMANDS,
      60_000,
      'every command answered',
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(details()).toHaveLength(10);
    expect(refused()).toHaveLength(COMMANDS - 10);
    for (const r of refused()) {
      expect(r.body.response_type).toBe('ephemeral');
      expect(String(r.body.text)).toMatch(
        /your limit is 10 at once, then 10 a minute\. Try again in \d+ s\./,
      );
    }
    // Both replicas took part; between them they refused exactly what the shared bucket did not hold.
    for (const l of logs) expect(l.text()).toContain('"surface":"command"');
    const refusals = logs.flatMap((l) =>
      l.entries().filter((e) => e.msg === 'request refused by a rate limit'),
    );
    expect(refusals).toHaveLength(COMMANDS - 10);
  }, 90_000);

  it('holds nothing without an expiry, and no AWS answer for longer than its policy', async () => {
    const c = server.client();
    const keys = await c.keys('e2e:*');
    const families: Record<string, { count: number; maxTtlS: number }> = {};
    for (const k of keys) {
      const ttl = await c.pttl(k);
      expect(ttl, k).toBeGreaterThan(0);
      const family = k.split(':')[1]!;
      const f = families[family] ?? { count: 0, maxTtlS: 0 };
      families[family] = f;
      f.count++;
      f.maxTtlS = Math.max(f.maxTtlS, Math.round(ttl / 1000));
    }
    console.info(`Redis after the tests: ${JSON.stringify(families)}`);
    // (pace:* keys live one interval past a channel's last post: gone by now.)
    expect(Object.keys(families).sort()).toEqual([
      'alert',
      'aws',
      'event',
      'home',
      'locale',
      'rate',
      'reply',
      'storm',
    ]);
    expect(families.aws!.maxTtlS).toBeLessThanOrEqual(600);
    // A token bucket's key lives until the bucket is full again: a minute for a person's 10 tokens.
    expect(families.rate!.maxTtlS).toBeLessThanOrEqual(60);
    expect(families.storm!.maxTtlS).toBeLessThanOrEqual(600);
    // A person's last diagnoses for the App Home: kept 30 days after their last change, no longer.
    expect(families.home!.maxTtlS).toBeLessThanOrEqual(30 * 24 * 3600);
  });
});
