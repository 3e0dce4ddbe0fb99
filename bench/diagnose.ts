/**
 * Diagnosis benchmark: full diagnoses against moto through a loopback proxy that adds a fixed latency to every
 * AWS request, so that sequential round trips dominate as they do against real AWS.
 */
import { ClientPool } from '../src/aws/clients.js';
import { parseTaskTarget } from '../src/aws/target.js';
import { type Config, defaultConfig } from '../src/config.js';
import { diagnose } from '../src/diagnosis/diagnose.js';
import { MemoryCallCache } from '../src/diagnosis/facts/call-cache.js';
import type { Report } from '../src/diagnosis/report.js';
import { BASE_CREDENTIALS, motoAccount, runStoppedTask } from '../test/helpers/aws-scenario.js';
import { createRepository, pullingRole, pushImage, pushIndex } from '../test/helpers/identity-scenario.js';
import { endpointPath, natPath } from '../test/helpers/network-scenario.js';

export interface ScenarioResult {
  name: string;
  cold: { calls: number; rounds: number; wallMs: number; dependencyRounds: number };
  warm: { calls: number; rounds: number; p50: number; p95: number; cpuMs: number; dependencyRounds: number; runs: number };
  topCause: string;
}

export interface BenchScenario {
  name: string;
  build(motoUrl: string, account: string): Promise<string>;
}

const uri = (account: string, repo: string, tag: string) => `${account}.dkr.ecr.eu-west-1.amazonaws.com/${repo}:${tag}`;

export const scenarios: BenchScenario[] = [
  {
    name: 'healthy NAT path',
    async build(url, account) {
      const a = await motoAccount(url, account);
      const net = await natPath(a);
      await createRepository(a, 'web');
      await pushIndex(a, 'web', '1.4.2', ['amd64', 'arm64']);
      const t = await runStoppedTask(a, net, { image: uri(account, 'web', '1.4.2'), executionRoleArn: await pullingRole(a) });
      return t.taskArn;
    },
  },
  {
    name: 'endpoint-only path',
    async build(url, account) {
      const a = await motoAccount(url, account);
      const net = await endpointPath(a, { interfaces: ['ecr.api', 'ecr.dkr'], s3Gateway: true });
      await createRepository(a, 'web');
      await pushImage(a, 'web', '1.4.2');
      const t = await runStoppedTask(a, net, { image: uri(account, 'web', '1.4.2'), executionRoleArn: await pullingRole(a) });
      return t.taskArn;
    },
  },
  {
    name: 'missing tag',
    async build(url, account) {
      const a = await motoAccount(url, account);
      const net = await natPath(a);
      await createRepository(a, 'web');
      await pushImage(a, 'web', '1.4.1');
      const t = await runStoppedTask(a, net, {
        image: uri(account, 'web', '1.4.2'),
        executionRoleArn: await pullingRole(a),
        stoppedReason: `CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref ${uri(account, 'web', '1.4.2')}: ${uri(account, 'web', '1.4.2')}: not found`,
      });
      return t.taskArn;
    },
  },
];

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** One diagnosis: wall time, AWS calls, CPU time. */
async function once(
  config: Config,
  pool: ClientPool,
  cache: MemoryCallCache,
  taskArn: string,
): Promise<{ report: Report; wallMs: number; cpuMs: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const { report } = await diagnose(
    { target: parseTaskTarget(taskArn), requester: 'bench' },
    { pool, deadlineMs: config.aws.deadlineMs, sharedCache: cache },
  );
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { report, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

export function benchConfig(): Config {
  return defaultConfig({
    roleNameTemplate: 'ecs-pull-diagnostics',
    // moto answers iam:SimulatePrincipalPolicy with HTTP 500, which the SDK would retry with backoff: one attempt
    // keeps the measurement about round trips (there is no throttling to retry against moto).
    aws: { maxAttempts: 1, callTimeoutMs: 5_000, deadlineMs: 20_000, sessionDurationSeconds: 3600 },
  });
}

/** Runs every scenario: one cold diagnosis (new role session, empty cache), then `runs` warm ones. */
export async function benchDiagnoses(proxyUrl: string, motoUrl: string, latencyMs: number, runs: number): Promise<ScenarioResult[]> {
  const out: ScenarioResult[] = [];
  let i = 0;
  for (const s of scenarios) {
    i++;
    const account = `4400000000${String(i).padStart(2, '0')}`;
    const taskArn = await s.build(motoUrl, account);
    process.env.AWS_ENDPOINT_URL = proxyUrl;
    const config = benchConfig();
    // The clock lets warm runs happen "30 s later": account facts (20 s) have expired, long-lived entries
    // (AWS-managed policy documents, a role that may not simulate) have not — as between two real alerts.
    let clock = Date.now();
    const cache = new MemoryCallCache(5_000, () => clock);
    const pool = new ClientPool(config, { baseCredentials: async () => BASE_CREDENTIALS });
    const cold = await once(config, pool, cache, taskArn);
    const warm: Array<{ report: Report; wallMs: number; cpuMs: number }> = [];
    for (let r = 0; r < runs; r++) {
      clock += 30_000;
      warm.push(await once(config, pool, cache, taskArn));
    }
    const walls = warm.map((w) => w.wallMs);
    out.push({
      name: s.name,
      cold: {
        calls: cold.report.aws.callCount,
        rounds: Math.round(cold.wallMs / latencyMs),
        wallMs: Math.round(cold.wallMs),
        dependencyRounds: cold.report.aws.rounds,
      },
      warm: {
        calls: warm[0]!.report.aws.callCount,
        rounds: Math.round(percentile(walls, 50) / latencyMs),
        p50: Math.round(percentile(walls, 50)),
        p95: Math.round(percentile(walls, 95)),
        cpuMs: Math.round((warm.reduce((a, w) => a + w.cpuMs, 0) / warm.length) * 10) / 10,
        dependencyRounds: warm[0]!.report.aws.rounds,
        runs,
      },
      topCause: warm[0]!.report.causes[0]?.id ?? '—',
    });
  }
  return out;
}
