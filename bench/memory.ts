/**
 * `npm run bench:memory`: does the bot's memory stay bounded? Starts moto, builds one failing scenario (a VPC
 * whose subnet has no way out, TASKS stopped tasks with a pull error), then runs full diagnoses the way the Slack
 * app does: the Slack diagnoser (correlation scope, logs, metrics), one client pool, the in-memory shared state
 * (the AWS answer cache and the store), a fresh fact session per diagnosis, the tasks in turn and USERS people
 * asking (each person is a role session and a client set of their own). RSS and heap are read idle, after 100
 * and after N diagnoses (after a full GC each time, and once before it); then after GONE alerts for tasks ECS no
 * longer shows (each a cached answer of its own: the AWS answer cache fills), and again once every cached answer
 * and every diagnosis' deadline timer has expired. The reply states the bot keeps for each answer are measured
 * apart.
 *
 * Fails (exit code 1) when the heap after N diagnoses is more than BENCH_MEMORY_MAX_GROWTH_MB above the heap after
 * 100, both after GC.
 *
 * Environment: BENCH_MEMORY_DIAGNOSES (1000), BENCH_MEMORY_TASKS (30), BENCH_MEMORY_USERS (40),
 * BENCH_MEMORY_GONE (2000), BENCH_MEMORY_MAX_GROWTH_MB (8).
 */
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { ClientPool } from '../src/aws/clients.js';
import { parseTaskTarget } from '../src/aws/target.js';
import { MemoryCallCache } from '../src/diagnosis/facts/call-cache.js';
import { createLogger } from '../src/log.js';
import { Metrics } from '../src/observability/metrics.js';
import type { ReplyItem } from '../src/render/blocks.js';
import type { SlackDeps } from '../src/slack/deps.js';
import { diagnoseTasks, toRequest } from '../src/slack/diagnoser.js';
import { Limiter } from '../src/slack/limiter.js';
import { ChannelPacer } from '../src/slack/pacer.js';
import { type ReplyState, saveState } from '../src/slack/reply.js';
import { MemoryStore } from '../src/state/store.js';
import {
  BASE_CREDENTIALS,
  createExecutionRole,
  createNetwork,
  motoAccount,
  runStoppedTask,
} from '../test/helpers/aws-scenario.js';
import { motoConfig } from '../test/helpers/moto-engine.js';
import { findMotoPython, startMoto } from '../test/helpers/moto-server.js';

const DIAGNOSES = Number(process.env.BENCH_MEMORY_DIAGNOSES ?? 1000);
const TASKS = Number(process.env.BENCH_MEMORY_TASKS ?? 30);
const USERS = Number(process.env.BENCH_MEMORY_USERS ?? 40);
const MAX_GROWTH_MB = Number(process.env.BENCH_MEMORY_MAX_GROWTH_MB ?? 8);
const GONE = Number(process.env.BENCH_MEMORY_GONE ?? 2000);
/** Requests in flight at once (the app's limiter runs 8 diagnoses at a time). */
const IN_FLIGHT = 16;
const ACCOUNT = '350011112222';
const CHANNEL = 'C0MEMBENCH';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const MB = 1024 * 1024;

interface Row {
  phase: string;
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  callCache: number;
  clientSets: number;
  note: string;
}

/** A full collection, twice, with the finalizers and microtasks in between. */
async function collect(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(20);
  }
}

async function main(): Promise<void> {
  process.env.AWS_REGION = 'eu-west-1';
  const python = findMotoPython();
  if (!python) throw new Error('moto is not installed: python3 -c "import moto" failed');
  const moto = await startMoto(python);
  process.env.AWS_ENDPOINT_URL = moto.url;
  const rows: Row[] = [];
  try {
    // The scenario: one account, one VPC whose subnet has no way out, TASKS stopped tasks.
    const a = await motoAccount(moto.url, ACCOUNT);
    const net = await createNetwork(a);
    const role = await createExecutionRole(a);
    const arns: string[] = [];
    for (let i = 0; i < TASKS; i++) {
      arns.push((await runStoppedTask(a, net, { executionRoleArn: role, cluster: 'web' })).taskArn);
    }
    for (const c of [a.ec2, a.ecs, a.ecr, a.iam, a.sts]) c.destroy();

    // The app's pieces, as buildSlackApp wires them (no Slack client: replies are not posted).
    const config = motoConfig({ slack: { defaultAccounts: [ACCOUNT] } });
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    const log = createLogger('info', sink);
    const metrics = new Metrics();
    const pool = new ClientPool(config, { baseCredentials: async () => BASE_CREDENTIALS });
    const callCache = new MemoryCallCache();
    const store = new MemoryStore();
    const deps: SlackDeps = {
      config,
      pool,
      store,
      log,
      callCache,
      limiter: new Limiter(8),
      pacer: new ChannelPacer(store, log),
      storm: undefined,
      inflight: new Set(),
      now: Date.now,
      replicaId: 'bench-memory',
      watches: new Map(),
      onDiagnosis: (surface, seconds, report, outcome) =>
        metrics.diagnosis(surface, seconds, report, outcome),
    };

    const measure = async (phase: string, note = '', gcFirst = true) => {
      if (gcFirst) await collect();
      const m = process.memoryUsage();
      rows.push({
        phase,
        rssMb: m.rss / MB,
        heapUsedMb: m.heapUsed / MB,
        heapTotalMb: m.heapTotal / MB,
        externalMb: m.external / MB,
        callCache: callCache.size,
        clientSets: pool.size,
        note,
      });
    };

    let failures = 0;
    let lastItems: ReplyItem[] = [];
    const diagnoseOne = async (i: number) => {
      const target = parseTaskTarget(arns[i % arns.length]!);
      const items = await diagnoseTasks(deps, [{ target }], {
        channel: CHANNEL,
        requester: `slack-T0MEMBENCH-U${String(i % USERS).padStart(4, '0')}`,
        surface: 'command',
      });
      if (items[0]?.kind !== 'report') failures++;
      lastItems = items;
    };
    const run = async (from: number, to: number) => {
      for (let i = from; i < to; i += IN_FLIGHT) {
        await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, to - i) }, (_, k) => diagnoseOne(i + k)));
      }
    };

    await measure('idle (started, scenario built)');
    const started = performance.now();
    const first = Math.min(100, DIAGNOSES);
    await run(0, first);
    await measure(`after ${first} diagnoses`);
    await run(first, DIAGNOSES);
    const seconds = (performance.now() - started) / 1000;
    await measure(`after ${DIAGNOSES}, before GC`, '', false);
    await measure(`after ${DIAGNOSES}, after GC`, `${(DIAGNOSES / seconds).toFixed(0)} diagnoses/s`);

    // Alerts for tasks ECS no longer shows: each a DescribeTasks answer of its own in the shared cache.
    let gone = 0;
    for (let i = 0; i < GONE; i += IN_FLIGHT) {
      await Promise.all(
        Array.from({ length: Math.min(IN_FLIGHT, GONE - i) }, async (_, k) => {
          const id = (i + k).toString(16).padStart(32, '0');
          const target = parseTaskTarget(`arn:aws:ecs:eu-west-1:${ACCOUNT}:task/web/${id}`);
          const items = await diagnoseTasks(deps, [{ target }], {
            channel: CHANNEL,
            requester: 'slack-T0MEMBENCH-alert',
            surface: 'alert',
          });
          if (items[0]?.kind === 'error') gone++;
        }),
      );
    }
    if (GONE)
      await measure(
        `+ ${GONE} alerts for gone tasks`,
        `${(callCache.chars / MB).toFixed(1)} M JSON chars cached`,
      );
    // Past every answer's TTL and every session's deadline timer: one more diagnosis sweeps the expired answers.
    await sleep(Math.max(config.aws.deadlineMs, 20_000) + 11_000);
    await diagnoseOne(0);
    await measure(
      '30 s later, one more diagnosis',
      `${(callCache.chars / MB).toFixed(1)} M JSON chars cached`,
    );

    // The reply states the bot keeps (24 h, for the buttons): measured apart, they are the answers themselves.
    const template = lastItems;
    const before = rows.at(-1)!.heapUsedMb;
    let chars = 0;
    const REPLIES = 1000;
    for (let i = 0; i < REPLIES; i++) {
      const state: ReplyState = {
        v: 1,
        channel: CHANNEL,
        layout: 'command',
        items: template,
        requests: [toRequest({ target: parseTaskTarget(arns[i % arns.length]!) })],
        more: 0,
        requestedBy: 'U0MEMBENCH',
      };
      chars += JSON.stringify(state).length;
      await saveState(deps, state);
    }
    await measure(`+ ${REPLIES} reply states stored`, `${(chars / REPLIES / 1024).toFixed(1)} kB JSON each`);
    const perReplyKb = ((rows.at(-1)!.heapUsedMb - before) * 1024) / REPLIES;

    console.log(
      `ecs-pull memory · ${DIAGNOSES} diagnoses of ${TASKS} tasks asked by ${USERS} people · node ${process.version}`,
    );
    console.log('');
    const header = [
      'phase',
      'RSS MB',
      'heap used MB',
      'heap total MB',
      'external MB',
      'call cache',
      'client sets',
      '',
    ];
    const body = rows.map((r) => [
      r.phase,
      r.rssMb.toFixed(1),
      r.heapUsedMb.toFixed(1),
      r.heapTotalMb.toFixed(1),
      r.externalMb.toFixed(1),
      String(r.callCache),
      String(r.clientSets),
      r.note,
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
    const line = (cells: string[]) =>
      cells
        .map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
        .join('  ');
    console.log(line(header));
    for (const b of body) console.log(line(b));
    console.log('');
    console.log(
      `reply state: ${perReplyKb.toFixed(1)} kB of heap each; the store keeps at most 10,000 entries and 64 M characters`,
    );
    const at100 = rows.find((r) => r.phase === `after ${first} diagnoses`)!;
    const atEnd = rows.find((r) => r.phase === `after ${DIAGNOSES}, after GC`)!;
    const growth = atEnd.heapUsedMb - at100.heapUsedMb;
    console.log(
      `heap growth from ${first} to ${DIAGNOSES} diagnoses (after GC): ${growth.toFixed(1)} MB (limit ${MAX_GROWTH_MB} MB); ${failures} diagnoses without a report; ${gone} of ${GONE} gone tasks answered "gone"`,
    );
    if (growth > MAX_GROWTH_MB || failures > 0 || gone !== GONE) {
      console.log('FAIL: memory grows with the number of diagnoses, or diagnoses failed');
      process.exitCode = 1;
    }
  } finally {
    await moto.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
