/**
 * Slack under load, run by `npm run bench` after the diagnosis table. The app runs as `npm start` runs it (its
 * own process, configured from the environment and a YAML file, HTTP mode); Slack's Web API is the tests' local
 * stand-in; AWS is moto behind a proxy in this process that adds a round-trip latency and counts every request.
 *
 * 1. 200 signed slash commands sent at once, from 200 channels: every one acknowledged? ack p50/p99 (target
 *    p99 < 100 ms), and the time until every answer was posted.
 * 2. An alert storm: 100 Amazon Q Developer notifications for 100 failed tasks of one service within 10 s, in
 *    one channel: one reply per alert? AWS calls for the whole storm against one diagnosis (target ≤ 2×), and
 *    posting time at Slack's own pace (about one message a second per channel).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countingFetch } from '../src/app.js';
import { ClientPool } from '../src/aws/clients.js';
import { parseTaskTarget } from '../src/aws/target.js';
import { defaultConfig } from '../src/config.js';
import { diagnose } from '../src/diagnosis/diagnose.js';
import { BASE_CREDENTIALS, MOTO_DEFAULT_ACCOUNT, motoAccount } from '../test/helpers/aws-scenario.js';
import { freePort } from '../test/helpers/moto-server.js';
import { startCountingProxy } from '../test/helpers/slack-aws-proxy.js';
import { SlackSender } from '../test/helpers/slack-requests.js';
import { BOT_USER_ID, FakeSlack, type StoredMessage } from '../test/helpers/slack-server.js';
import { buildStorm, type Storm, stormAlert } from '../test/helpers/slack-storm.js';

const SECRET = 'bench-signing-secret-0f3c';
const COMMANDS = Number(process.env.BENCH_SLACK_COMMANDS ?? 200);
const ALERTS = Number(process.env.BENCH_STORM_ALERTS ?? 100);
const STORM_SPREAD_MS = 9_900;
const C_STORM = 'C0BENCHSTORM';

export interface SlackBenchResult {
  commands: {
    sent: number;
    acked: number;
    p50: number;
    p99: number;
    max: number;
    answeredMs: number;
    answered: number;
  };
  storm: {
    alerts: number;
    replies: number;
    oneReplyEach: boolean;
    full: number;
    repeats: number;
    awsCalls: number;
    oneDiagnosis: number;
    byApi: Record<string, number>;
    sentOverMs: number;
    firstReplyMs: number;
    allPostedMs: number;
    /** Shortest time between a post and the fourth after it, ms (≥ 3 s means one a second after a burst of 3). */
    tightestFourMs: number;
  };
  ok: boolean;
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** `npm start` with the benchmark's configuration; resolves once it logs that it started. */
async function startApp(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; stop(): Promise<void> }> {
  // Compiled next to this file by tsconfig.bench.json (the import of countingFetch pulls it in).
  const child = spawn(
    process.execPath,
    ['--max-semi-space-size=32', join(import.meta.dirname, '..', 'src', 'app.js')],
    {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => {
    err = (err + String(d)).slice(-4000);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the app did not start: ${err}`)), 30_000);
    child.stdout!.on('data', (d) => {
      if (out.length < 100_000) out += String(d);
      if (out.includes('ecs-pull Slack app started')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`the app exited (${code}): ${err}`)));
  });
  return {
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}

/** Sends the commands from bench/slack-sender.js in a child process; resolves with each ack's status and time. */
async function sendFromOwnProcess(job: {
  appUrl: string;
  secret: string;
  commands: Array<{ text: string; channel_id: string; user_id: string; response_url: string }>;
}): Promise<Array<{ status: number; ms: number }>> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'slack-sender.js')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += String(d);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.stdin!.end(JSON.stringify(job));
  const code = await exited;
  if (code !== 0) throw new Error(`the Slack sender exited with ${code}`);
  return JSON.parse(out) as Array<{ status: number; ms: number }>;
}

export async function benchSlack(motoUrl: string, latencyMs: number): Promise<SlackBenchResult> {
  const proxy = await startCountingProxy(motoUrl, latencyMs);
  const slack = await new FakeSlack().start();
  const dir = mkdtempSync(join(tmpdir(), 'ecs-pull-bench-'));
  let app: Awaited<ReturnType<typeof startApp>> | undefined;
  try {
    // Two accounts: the commands' tasks, and the storm's service (so that the storm starts with cold answers).
    const commandTasks: Storm = await buildStorm(await motoAccount(motoUrl, '440000000101'), 20);
    const storm: Storm = await buildStorm(await motoAccount(motoUrl, '440000000102'), ALERTS);

    const yaml = [
      'roleNameTemplate: ecs-pull-diagnostics',
      'accounts:',
      `  "${MOTO_DEFAULT_ACCOUNT}": { defaultCredentials: true }`,
      'aws: { maxAttempts: 1, callTimeoutMs: 5000, deadlineMs: 20000 }',
      'slack:',
      '  alertSources: { botIds: [B0ALERTS1] }',
      '  defaultAccounts: ["440000000101", "440000000102"]',
      // 200 people asking about one account at once is a load test, not an incident: lift that account's limit.
      '  limits: { account: { burst: 1000, perMinute: 1000 } }',
      '',
    ].join('\n');
    writeFileSync(join(dir, 'config.yml'), yaml);
    const port = await freePort();
    app = await startApp({
      ECS_PULL_CONFIG: join(dir, 'config.yml'),
      SLACK_MODE: 'http',
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: String(port),
      AWS_ENDPOINT_URL: proxy.url,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: BASE_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: BASE_CREDENTIALS.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
      LOG_LEVEL: 'info',
    });
    const send = new SlackSender(`http://127.0.0.1:${port}`, SECRET);
    // One warm-up request, as a load balancer's health check would have made.
    await fetch(`http://127.0.0.1:${port}/healthz`);

    // 1. 200 slash commands at once.
    const channels = Array.from({ length: COMMANDS }, (_, i) => `C0BENCH${String(i).padStart(4, '0')}`);
    const t0 = Date.now();
    const acks = await sendFromOwnProcess({
      appUrl: `http://127.0.0.1:${port}`,
      secret: SECRET,
      commands: channels.map((channel_id, i) => ({
        text: `why ${commandTasks.taskArns[i % commandTasks.taskArns.length]}`,
        channel_id,
        user_id: `U0BENCH${String(i).padStart(4, '0')}`,
        response_url: slack.responseUrl(`bench-${i}`),
      })),
    });
    const ms = acks.map((a) => a.ms);
    const detailIn = (c: string) =>
      (slack.messages.get(c) ?? []).some(
        (m) => m.thread_ts && m.thread_ts !== m.ts && m.user === BOT_USER_ID,
      );
    await slack.waitFor(() => channels.every(detailIn), 300_000, 'every command answered');
    const answeredMs = Date.now() - t0;

    // One diagnosis of a storm task as the CLI runs it (new role session, no cache): the budget's unit.
    process.env.AWS_ENDPOINT_URL = proxy.url;
    proxy.reset();
    const config = defaultConfig({
      roleNameTemplate: 'ecs-pull-diagnostics',
      aws: { maxAttempts: 1, callTimeoutMs: 5000, deadlineMs: 20_000, sessionDurationSeconds: 3600 },
    });
    await diagnose(
      { target: parseTaskTarget(storm.taskArns[ALERTS - 1]!), requester: 'bench-baseline' },
      {
        pool: new ClientPool(config, { baseCredentials: async () => BASE_CREDENTIALS }),
        deadlineMs: config.aws.deadlineMs,
      },
    );
    const oneDiagnosis = proxy.count();
    // The app's answers about the other account expire (20 s) before the storm, as between two incidents.
    await new Promise((r) => setTimeout(r, 21_000));

    // 2. The storm.
    proxy.reset();
    const alerts: StoredMessage[] = [];
    const sends: Promise<unknown>[] = [];
    const s0 = Date.now();
    for (let i = 0; i < ALERTS; i++) {
      const msg = slack.addMessage(C_STORM, stormAlert(storm, i));
      alerts.push(msg);
      sends.push(send.event({ ...msg, channel: C_STORM, event_ts: msg.ts }, `Ev0BENCH${i}`));
      await new Promise((r) => setTimeout(r, STORM_SPREAD_MS / ALERTS));
    }
    await Promise.all(sends);
    const sentOverMs = Date.now() - s0;
    const repliesTo = (ts: string) =>
      (slack.messages.get(C_STORM) ?? []).filter((m) => m.thread_ts === ts && m.user === BOT_USER_ID);
    await slack.waitFor(
      () => alerts.every((a) => repliesTo(a.ts).length >= 1),
      400_000,
      'every alert answered',
    );
    await new Promise((r) => setTimeout(r, 2_000));
    const posts = slack.callsOf('chat.postMessage').filter((c) => c.args.channel === C_STORM);
    const walls = posts.map((p) => p.wall);
    const all = alerts.map((a) => repliesTo(a.ts));
    const texts = all.map((r) => JSON.stringify(r[0]?.blocks ?? []));
    let tightestFourMs = Number.POSITIVE_INFINITY;
    for (let i = 0; i + 3 < walls.length; i++)
      tightestFourMs = Math.min(tightestFourMs, walls[i + 3]! - walls[i]!);
    const result: SlackBenchResult = {
      commands: {
        sent: COMMANDS,
        acked: acks.filter((a) => a.status === 200).length,
        p50: percentile(ms, 50),
        p99: percentile(ms, 99),
        max: Math.max(...ms),
        answeredMs,
        answered: channels.filter(detailIn).length,
      },
      storm: {
        alerts: ALERTS,
        replies: all.reduce((n, r) => n + r.length, 0),
        oneReplyEach: all.every((r) => r.length === 1),
        full: texts.filter((t) => t.includes('ecs-pull · task ')).length,
        repeats: texts.filter((t) => t.includes('Same failure as task ')).length,
        awsCalls: proxy.count(),
        oneDiagnosis,
        byApi: proxy.byApi(),
        sentOverMs,
        firstReplyMs: Math.min(...walls) - s0,
        allPostedMs: Math.max(...walls) - s0,
        tightestFourMs,
      },
      ok: false,
    };
    result.ok =
      result.commands.acked === COMMANDS &&
      result.commands.p99 < 100 &&
      result.storm.oneReplyEach &&
      result.storm.awsCalls <= 2 * oneDiagnosis;
    return result;
  } finally {
    await app?.stop();
    await slack.stop();
    await proxy.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Prints the Slack part of the benchmark; returns whether its targets are met. */
export async function printSlackBench(motoUrl: string, latencyMs: number): Promise<boolean> {
  console.log('');
  console.log(
    `Slack · the app as npm start runs it (own process, HTTP mode) · local Slack Web API stand-in · moto behind a ${latencyMs} ms proxy`,
  );
  console.log('');
  const r = await benchSlack(motoUrl, latencyMs);
  const c = r.commands;
  const head = [
    'slash commands at once',
    'acked',
    'ack p50 ms',
    'ack p99 ms',
    'ack max ms',
    'all answered after',
  ];
  const row = [
    String(c.sent),
    `${c.acked}/${c.sent}`,
    c.p50.toFixed(1),
    c.p99.toFixed(1),
    c.max.toFixed(1),
    `${(c.answeredMs / 1000).toFixed(1)} s (${c.answered} answers, 2 posts each)`,
  ];
  const widths = head.map((h, i) => Math.max(h.length, row[i]!.length));
  const line = (cells: string[]) => `| ${cells.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  console.log(line(row));
  console.log('');
  const s = r.storm;
  console.log(
    `alert storm: ${s.alerts} alerts for tasks of one service over ${(s.sentOverMs / 1000).toFixed(1)} s → ${s.replies} replies (${s.full} diagnosis, ${s.repeats} "same cause as" the first), ${s.oneReplyEach ? 'exactly one per alert' : 'NOT one per alert'}`,
  );
  const calls = Object.entries(s.byApi)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  console.log(
    `AWS calls for the whole storm: ${s.awsCalls} vs ${s.oneDiagnosis} for one diagnosis (${calls})`,
  );
  console.log(
    `posting at Slack's pace (1 message/s per channel after a burst of 3): first reply ${(s.firstReplyMs / 1000).toFixed(1)} s after the first alert, all ${s.replies} posted ${(s.allPostedMs / 1000).toFixed(1)} s after it; tightest 4 consecutive posts ${(s.tightestFourMs / 1000).toFixed(2)} s apart`,
  );
  console.log(
    `targets: every command acked (${c.acked}/${c.sent}), ack p99 < 100 ms (${c.p99.toFixed(1)}), one reply per alert (${s.oneReplyEach ? 'yes' : 'no'}), storm AWS calls ≤ 2 × one diagnosis (${s.awsCalls} ≤ ${2 * s.oneDiagnosis}) → ${r.ok ? 'met' : 'NOT met'}`,
  );
  return r.ok;
}

// The app module is compiled alongside for startApp(); referencing it keeps the import.
void countingFetch;
