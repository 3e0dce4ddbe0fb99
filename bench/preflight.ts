/**
 * The pre-flight against a diagnosis of the same service: a Fargate service in a NAT layout with one stopped task
 * (the why side) diagnosed with `diagnose`, and `preflight` on the service, on the service with a new task
 * definition revision, and on a task definition with a network given; through the latency proxy, cold (new pool,
 * no shared cache) and warm (answers shared for 20 s expired, AWS-managed policy documents cached). Then the
 * built CLI's wall time on moto itself: `ecs-pull check` and `ecs-pull why`, each spawned as a user runs it.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ClientPool } from '../src/aws/clients.js';
import { parseTaskTarget } from '../src/aws/target.js';
import type { Config } from '../src/config.js';
import { diagnose } from '../src/diagnosis/diagnose.js';
import { MemoryCallCache } from '../src/diagnosis/facts/call-cache.js';
import { type PreflightRequest, preflight } from '../src/diagnosis/preflight.js';
import { BASE_CREDENTIALS, motoAccount, runStoppedTask } from '../test/helpers/aws-scenario.js';
import { createRepository, pullingRole, pushIndex } from '../test/helpers/identity-scenario.js';
import { natPath } from '../test/helpers/network-scenario.js';
import { registerTaskDefinition } from '../test/helpers/preflight-scenario.js';
import { benchConfig } from './diagnose.js';

const ACCOUNT = '440000000091';
/** The built CLI (`npm run build`), from dist-bench/bench. */
const CLI = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli.js');

interface Row {
  name: string;
  calls: number;
  rounds: number;
  wireRounds: number;
  coldMs: number;
  warmMs: number;
  verdict: string;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** One run of `fn` through `endpoint`: its report's AWS stats, the proxy's wire rounds, the wall time. */
async function timed(
  endpoint: string,
  fn: () => Promise<{ aws: { callCount: number; rounds: number } }>,
): Promise<{ calls: number; rounds: number; wireRounds: number; ms: number }> {
  await fetch(`${endpoint}/__rounds/reset`);
  const t0 = performance.now();
  const r = await fn();
  const ms = performance.now() - t0;
  const wireRounds = Number(await (await fetch(`${endpoint}/__rounds`)).text());
  return { calls: r.aws.callCount, rounds: r.aws.rounds, wireRounds, ms };
}

/** Runs the built CLI once; resolves with its exit code and wall time. */
function cli(args: string[], env: Record<string, string>): Promise<{ code: number; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        AWS_EC2_METADATA_DISABLED: 'true',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, ms: performance.now() - t0 }));
  });
}

export async function printPreflightBench(
  proxyUrl: string,
  motoUrl: string,
  latencyMs: number,
  runs: number,
): Promise<void> {
  const a = await motoAccount(motoUrl, ACCOUNT);
  const net = await natPath(a);
  await createRepository(a, 'web');
  await pushIndex(a, 'web', '1.4.2', ['amd64', 'arm64']);
  const role = await pullingRole(a);
  const image = `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/web:1.4.2`;
  const task = await runStoppedTask(a, net, {
    cluster: 'shop',
    service: 'checkout',
    family: 'checkout',
    image,
    executionRoleArn: role,
  });
  const next = await registerTaskDefinition(a, { family: 'checkout', image, executionRoleArn: role });
  const base = { account: ACCOUNT, region: 'eu-west-1', partition: 'aws' as const, requester: 'bench' };
  const cases: Array<{
    name: string;
    run: (deps: Deps) => Promise<{ aws: { callCount: number; rounds: number }; verdict?: string }>;
  }> = [
    {
      name: 'why <stopped task of the service>',
      run: async (d) => {
        const { report } = await diagnose({ target: parseTaskTarget(task.taskArn), requester: 'bench' }, d);
        return { aws: report.aws, verdict: report.causes[0]?.id ?? '—' };
      },
    },
    ...(
      [
        ['check --service shop/checkout', { cluster: 'shop', service: 'checkout' }],
        [
          'check --service … --task-definition REV',
          { cluster: 'shop', service: 'checkout', taskDefinition: next.name },
        ],
        [
          'check --task-definition REV --subnets … --security-groups …',
          {
            taskDefinition: next.name,
            network: {
              subnetIds: [net.subnetId],
              securityGroupIds: [net.securityGroupId],
              assignPublicIp: 'DISABLED',
            },
          },
        ],
      ] as Array<[string, Partial<PreflightRequest>]>
    ).map(([name, req]) => ({
      name,
      run: async (d: Deps) => {
        const { report } = await preflight({ ...base, ...req }, d);
        return { aws: report.aws, verdict: report.verdict.outcome };
      },
    })),
  ];

  const config: Config = benchConfig();
  const rows: Row[] = [];
  for (const c of cases) {
    process.env.AWS_ENDPOINT_URL = proxyUrl;
    let clock = Date.now();
    const cache = new MemoryCallCache(5_000, () => clock);
    const deps = (): Deps => ({
      pool: new ClientPool(config, { baseCredentials: async () => BASE_CREDENTIALS }),
      deadlineMs: config.aws.deadlineMs,
      sharedCache: cache,
    });
    let verdict = '';
    const cold = await timed(proxyUrl, async () => {
      const r = await c.run(deps());
      verdict = r.verdict ?? '';
      return r;
    });
    const pool = deps();
    const warm: Array<{ calls: number; rounds: number; wireRounds: number; ms: number }> = [];
    for (let i = 0; i < runs; i++) {
      clock += 21_000;
      warm.push(await timed(proxyUrl, () => c.run(pool)));
    }
    rows.push({
      name: c.name,
      calls: warm[0]!.calls,
      rounds: warm[0]!.rounds,
      wireRounds: Math.max(...warm.map((w) => w.wireRounds)),
      coldMs: Math.round(cold.ms),
      warmMs: Math.round(median(warm.map((w) => w.ms))),
      verdict,
    });
  }
  const head = ['request', 'answer', 'warm calls', 'rounds (dependency · wire)', 'cold ms', 'warm p50 ms'];
  const table = rows.map((r) => [
    r.name,
    r.verdict,
    String(r.calls),
    `${r.rounds} · ${r.wireRounds}`,
    String(r.coldMs),
    String(r.warmMs),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(
    `ecs-pull benchmark · pre-flight against a diagnosis of the same service · ${latencyMs} ms latency`,
  );
  console.log('');
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of table) console.log(line(row));
  console.log('');

  // The CLI as a user runs it, on moto with no added latency: process start, SDK load, the calls, the report.
  if (!existsSync(CLI)) {
    console.log('CLI wall time: run `npm run build` first (dist/src/cli.js is missing)');
    return;
  }
  const env = {
    AWS_ENDPOINT_URL: motoUrl,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'eu-west-1',
  };
  const serviceArn = `arn:aws:ecs:eu-west-1:${ACCOUNT}:service/shop/checkout`;
  const measure = async (args: string[]) => {
    const out: number[] = [];
    let code = -1;
    for (let i = 0; i < Math.max(3, Math.min(runs, 7)); i++) {
      const r = await cli(args, env);
      code = r.code;
      out.push(r.ms);
    }
    return { code, p50: Math.round(median(out)), min: Math.round(Math.min(...out)) };
  };
  const check = await measure([
    'check',
    '--service',
    serviceArn,
    '--role-arn',
    `arn:aws:iam::${ACCOUNT}:role/bench`,
  ]);
  const why = await measure(['why', task.taskArn, '--role-arn', `arn:aws:iam::${ACCOUNT}:role/bench`]);
  console.log(
    `CLI wall time on moto (node dist/src/cli.js, spawned): check --service ${check.p50} ms p50 (min ${check.min}, exit ${check.code}); why ${why.p50} ms p50 (min ${why.min}, exit ${why.code})`,
  );
}

type Deps = Parameters<typeof diagnose>[1];
