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
  /** rounds: sequential rounds seen on the wire (deepest request); roundsByTime: (wall − wall without latency) / latency. */
  cold: { calls: number; rounds: number; roundsByTime: number; wallMs: number; dependencyRounds: number };
  /** A new role session in a running bot (process caches warm). */
  session: { calls: number; rounds: number; wallMs: number };
  warm: {
    calls: number;
    rounds: number;
    roundsByTime: number;
    p50: number;
    p95: number;
    cpuMs: number;
    dependencyRounds: number;
    runs: number;
    /** p50 with no injected latency: moto's own processing, subtracted to count rounds. */
    p50NoLatency: number;
  };
  topCause: string;
}

export interface BenchScenario {
  name: string;
  build(motoUrl: string, account: string): Promise<string>;
}

const uri = (account: string, repo: string, tag: string) =>
  `${account}.dkr.ecr.eu-west-1.amazonaws.com/${repo}:${tag}`;

export const scenarios: BenchScenario[] = [
  {
    name: 'healthy NAT path',
    async build(url, account) {
      const a = await motoAccount(url, account);
      const net = await natPath(a);
      await createRepository(a, 'web');
      await pushIndex(a, 'web', '1.4.2', ['amd64', 'arm64']);
      const t = await runStoppedTask(a, net, {
        image: uri(account, 'web', '1.4.2'),
        executionRoleArn: await pullingRole(a),
      });
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
      const t = await runStoppedTask(a, net, {
        image: uri(account, 'web', '1.4.2'),
        executionRoleArn: await pullingRole(a),
      });
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
  endpoint: string,
): Promise<{ report: Report; wallMs: number; cpuMs: number; wireRounds: number }> {
  await fetch(`${endpoint}/__rounds/reset`);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const { report } = await diagnose(
    { target: parseTaskTarget(taskArn), requester: 'bench' },
    { pool, deadlineMs: config.aws.deadlineMs, sharedCache: cache },
  );
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const wireRounds = Number(await (await fetch(`${endpoint}/__rounds`)).text());
  return { report, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, wireRounds };
}

export function benchConfig(): Config {
  return defaultConfig({
    roleNameTemplate: 'ecs-pull-diagnostics',
    // moto answers iam:SimulatePrincipalPolicy with HTTP 500, which the SDK would retry with backoff: one attempt
    // keeps the measurement about round trips (there is no throttling to retry against moto).
    aws: { maxAttempts: 1, callTimeoutMs: 5_000, deadlineMs: 20_000, sessionDurationSeconds: 3600 },
  });
}

/**
 * Runs every scenario: one cold diagnosis (new role session, empty cache), then `runs` warm ones, through the
 * latency proxy; and the same warm runs through a proxy adding nothing, to measure moto's own processing time.
 * Sequential rounds = (wall time with latency − wall time without) / injected latency.
 */
export async function benchDiagnoses(
  proxyUrl: string,
  zeroProxyUrl: string,
  motoUrl: string,
  latencyMs: number,
  runs: number,
): Promise<ScenarioResult[]> {
  const out: ScenarioResult[] = [];
  let i = 0;
  for (const s of scenarios) {
    i++;
    const account = `4400000000${String(i).padStart(2, '0')}`;
    const taskArn = await s.build(motoUrl, account);
    const config = benchConfig();
    const measure = async (endpoint: string, n: number) => {
      process.env.AWS_ENDPOINT_URL = endpoint;
      // The clock lets warm runs happen "21 s later": account facts (20 s) have expired, long-lived entries
      // (AWS-managed policy documents, a role that may not simulate) have not — as between two real alerts.
      let clock = Date.now();
      const cache = new MemoryCallCache(5_000, () => clock);
      const pool = new ClientPool(config, { baseCredentials: async () => BASE_CREDENTIALS });
      const cold = await once(config, pool, cache, taskArn, endpoint);
      const warm: Array<{ report: Report; wallMs: number; cpuMs: number; wireRounds: number }> = [];
      for (let r = 0; r < n; r++) {
        clock += 21_000;
        warm.push(await once(config, pool, cache, taskArn, endpoint));
      }
      // A new role session (as when the hour-long session has expired) in a bot that has been running:
      // a fresh pool, the process-wide cache as it is "21 s later".
      clock += 21_000;
      const session = await once(
        config,
        new ClientPool(config, { baseCredentials: async () => BASE_CREDENTIALS }),
        cache,
        taskArn,
        endpoint,
      );
      return { cold, warm, session };
    };
    const zero = await measure(zeroProxyUrl, runs);
    const slow = await measure(proxyUrl, runs);
    const walls = slow.warm.map((w) => w.wallMs);
    const p50 = percentile(walls, 50);
    const p50Zero = percentile(
      zero.warm.map((w) => w.wallMs),
      50,
    );
    out.push({
      name: s.name,
      session: {
        calls: slow.session.report.aws.callCount,
        rounds: slow.session.wireRounds,
        wallMs: Math.round(slow.session.wallMs),
      },
      cold: {
        calls: slow.cold.report.aws.callCount,
        rounds: slow.cold.wireRounds,
        roundsByTime: Math.round((slow.cold.wallMs - zero.cold.wallMs) / latencyMs),
        wallMs: Math.round(slow.cold.wallMs),
        dependencyRounds: slow.cold.report.aws.rounds,
      },
      warm: {
        calls: slow.warm[0]!.report.aws.callCount,
        rounds: Math.max(...slow.warm.map((w) => w.wireRounds)),
        roundsByTime: Math.round((p50 - p50Zero) / latencyMs),
        p50: Math.round(p50),
        p95: Math.round(percentile(walls, 95)),
        cpuMs: Math.round((slow.warm.reduce((a, w) => a + w.cpuMs, 0) / slow.warm.length) * 10) / 10,
        dependencyRounds: slow.warm[0]!.report.aws.rounds,
        runs,
        p50NoLatency: Math.round(p50Zero),
      },
      topCause: slow.warm[0]!.report.causes[0]?.id ?? '—',
    });
  }
  return out;
}
