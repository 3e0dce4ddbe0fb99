/**
 * Slack misbehaving, with the real app in HTTP mode, AWS from moto and the local Slack stand-in: HTTP 429 with
 * Retry-After is waited out (by the Web API client, then by the app's own retry when the client gives up) and
 * the reply still arrives; Slack going away is logged, the app keeps serving, a reply whose post failed is
 * delivered once Slack is back; every failed Slack call is counted on /metrics.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildSlackApp, type SlackApp } from '../../src/app.js';
import { ClientPool } from '../../src/aws/clients.js';
import type { Config } from '../../src/config.js';
import {
  BASE_CREDENTIALS,
  createExecutionRole,
  createNetwork,
  motoAccount,
  runStoppedTask,
  type StoppedTask,
} from '../helpers/aws-scenario.js';
import { motoConfig, useMotoEndpoint } from '../helpers/moto-engine.js';
import { alertFixture } from '../helpers/slack-fixtures.js';
import { captureLog } from '../helpers/slack-log.js';
import { SlackSender } from '../helpers/slack-requests.js';
import { BOT_USER_ID, FakeSlack } from '../helpers/slack-server.js';

const motoUrl = inject('motoUrl');

const ACCOUNT = '431900000009';
const SECRET = 'faults-test-signing-secret';
const C_ALERTS = 'C0FAULTS01';

describe.skipIf(!motoUrl)(`Slack faults${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`, () => {
  let slack: FakeSlack;
  let slackPort: number;
  let app: SlackApp;
  let appUrl: string;
  let send: SlackSender;
  let config: Config;
  const tasks: StoppedTask[] = [];
  const captured = captureLog();
  let seq = 0;

  const replies = (ts: string) =>
    (slack.messages.get(C_ALERTS) ?? []).filter((m) => m.thread_ts === ts && m.user === BOT_USER_ID);
  const alert = async (task: StoppedTask) => {
    const msg = slack.addMessage(
      C_ALERTS,
      alertFixture('chatbot-custom-notification', {
        ACCOUNT,
        REGION: 'eu-west-1',
        CLUSTER: task.cluster,
        TASK_ID: task.taskId,
        TASK_ARN: task.taskArn,
      }),
    );
    const r = await send.event({ ...msg, channel: C_ALERTS, event_ts: msg.ts }, `Ev0FAULT${++seq}`);
    expect(r.status).toBe(200);
    return msg;
  };
  const metric = async (method: string, code: string): Promise<number> => {
    const text = await (await fetch(`${appUrl}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith(`ecs_pull_slack_api_errors_total{method="${method}",code="${code}"}`));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  beforeAll(async () => {
    useMotoEndpoint(motoUrl!);
    const a = await motoAccount(motoUrl!, ACCOUNT);
    const net = await createNetwork(a);
    const role = await createExecutionRole(a);
    // Tasks of different families, so that each alert is its own group and gets its own diagnosis.
    for (const family of ['api', 'web', 'worker', 'cron']) {
      tasks.push(await runStoppedTask(a, net, { executionRoleArn: role, cluster: 'faults', family }));
    }
    slack = await new FakeSlack().start();
    slackPort = Number(new URL(slack.url).port);
    config = motoConfig({
      defaultLanguage: 'en',
      slack: {
        mode: 'http',
        botToken: 'xoxb-faults-test',
        signingSecret: SECRET,
        apiUrl: slack.apiUrl,
        port: 0,
        alertSources: { botIds: ['B0ALERTS1'], appIds: [], channels: [] },
        channels: {},
        defaultAccounts: ['*'],
      },
    });
    app = await buildSlackApp(config, {
      pool: new ClientPool(config, { baseCredentials: async () => BASE_CREDENTIALS }),
      log: captured.log,
      // Short waits so that the test takes seconds; the rules are the production ones.
      slackRetries: { retries: 1, factor: 1, minTimeout: 100, maxTimeout: 100 },
      pace: { intervalMs: 20, burst: 3, retries: 4, retryDelayMs: 300 },
    });
    const { port } = await app.start();
    appUrl = `http://127.0.0.1:${port}`;
    send = new SlackSender(appUrl, SECRET);
  });

  afterAll(async () => {
    await app?.stop();
    await slack?.stop();
  });

  it('429 with Retry-After: waited out, past the client’s own retries, and the reply is posted once', async () => {
    // Four 429s in a row: the Web API client waits Retry-After twice and gives up; the app waits and tries again.
    slack.rateLimits.set('chat.postMessage', { times: 4, retryAfter: 1 });
    const before = await metric('chat.postMessage', 'ratelimited');
    const msg = await alert(tasks[0]!);
    await slack.waitFor(() => replies(msg.ts).length === 1, 30_000, 'the reply');
    const posted = slack.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === msg.ts);
    expect(posted).toHaveLength(1);
    const limited = slack.limited.filter((c) => c.args.thread_ts === msg.ts);
    expect(limited).toHaveLength(4);
    // Each retry came at least Retry-After (1 s) after the 429 before it.
    const times = [...limited.map((c) => c.wall), posted[0]!.wall];
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(990);
    expect((await metric('chat.postMessage', 'ratelimited')) - before).toBe(4);
    expect(captured.text()).toContain('Slack post failed; trying again');
  }, 40_000);

  it('Slack gone for a moment: the app keeps serving and delivers the reply when Slack is back', async () => {
    await slack.stop();
    const msg = await alert(tasks[1]!);
    // The app still answers its own endpoints meanwhile.
    expect((await fetch(`${appUrl}/healthz`)).status).toBe(200);
    const cmd = await send.command({
      text: 'help',
      channel_id: C_ALERTS,
      user_id: 'U0FAULTS01',
      response_url: slack.responseUrl('help-while-down'),
    });
    expect(cmd.status).toBe(200);
    expect(cmd.ms).toBeLessThan(1_000);
    await new Promise((r) => setTimeout(r, 1_500));
    await slack.start(slackPort);
    await slack.waitFor(() => replies(msg.ts).length === 1, 30_000, 'the reply after the outage');
    expect(replies(msg.ts)).toHaveLength(1);
    expect(await metric('chat.postMessage', 'ECONNREFUSED')).toBeGreaterThan(0);
  }, 40_000);

  it('Slack gone for good: each failure logged, no crash, and the app answers again once Slack returns', async () => {
    await slack.stop();
    const msg = await alert(tasks[2]!);
    const logged = (msg: string) => captured.entries().find((e) => e.msg === msg && e.surface === 'alert');
    await slack.waitFor(
      () => logged('could not tell the user about an error'),
      40_000,
      'the give-up log line',
    );
    const failed = logged('slack request failed');
    expect(failed).toMatchObject({ surface: 'alert', level: 50 });
    expect(String((failed!.err as { message?: string }).message)).toMatch(/ECONNREFUSED|request error/);
    expect((await fetch(`${appUrl}/healthz`)).status).toBe(200);
    await slack.start(slackPort);
    expect(replies(msg.ts)).toHaveLength(0);
    const next = await alert(tasks[3]!);
    await slack.waitFor(() => replies(next.ts).length === 1, 30_000, 'a reply after Slack is back');
  }, 90_000);
});
