/**
 * Service benchmark: a Fargate service with 250 stopped tasks in 3 groups (150 whose image tag is missing, 80 in a
 * subnet with no route out, 20 scaled in), diagnosed as a service (`ecs-pull service`: DescribeServices, the
 * stopped tasks listed and described in batches of 100, one diagnosis per group sharing one cache) against one
 * diagnosis of one of its tasks (`ecs-pull why`): AWS calls, sequential rounds on the wire and by dependency, wall
 * time, through the same latency proxy as the diagnosis benchmark.
 */
import { ClientPool } from '../src/aws/clients.js';
import { parseServiceTarget } from '../src/aws/service-target.js';
import { parseTaskTarget } from '../src/aws/target.js';
import { diagnose } from '../src/diagnosis/diagnose.js';
import { MemoryCallCache } from '../src/diagnosis/facts/call-cache.js';
import { diagnoseService } from '../src/diagnosis/service.js';
import { BASE_CREDENTIALS, motoAccount } from '../test/helpers/aws-scenario.js';
import { buildServiceScenario } from '../test/helpers/service-scenario.js';
import { benchConfig } from './diagnose.js';

interface Measure {
  calls: number;
  cached: number;
  /** Sequential rounds seen on the wire (the proxy's count). */
  wireRounds: number;
  /** Sequential rounds by dependency (the report's). */
  rounds: number;
  wallMs: number;
  detail: string;
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** Runs the service benchmark and prints its table; returns the figures for the README. */
export async function printServiceBench(
  proxyUrl: string,
  motoUrl: string,
  latencyMs: number,
  runs: number,
): Promise<void> {
  const account = '440000000090';
  process.env.AWS_ENDPOINT_URL = motoUrl;
  const s = await buildServiceScenario(await motoAccount(motoUrl, account), {
    cluster: 'bench-service',
    service: 'checkout',
    missingTag: 150,
    noRoute: 80,
    scaledIn: 20,
  });
  process.env.AWS_ENDPOINT_URL = proxyUrl;
  const config = benchConfig();
  const serviceTarget = parseServiceTarget(
    `arn:aws:ecs:${s.region}:${account}:service/${s.cluster}/${s.service}`,
  );
  const taskTarget = parseTaskTarget(s.missingTag[0]!);

  const wire = async (f: () => Promise<Omit<Measure, 'wireRounds' | 'wallMs'>>): Promise<Measure> => {
    await fetch(`${proxyUrl}/__rounds/reset`);
    const t0 = performance.now();
    const m = await f();
    const wallMs = Math.round(performance.now() - t0);
    const wireRounds = Number(await (await fetch(`${proxyUrl}/__rounds`)).text());
    return { ...m, wallMs, wireRounds };
  };
  const one = (pool: ClientPool, cache: MemoryCallCache) =>
    wire(async () => {
      const { report } = await diagnose(
        { target: taskTarget, requester: 'bench' },
        { pool, deadlineMs: config.aws.deadlineMs, sharedCache: cache },
      );
      return {
        calls: report.aws.callCount,
        cached: report.aws.cachedCount,
        rounds: report.aws.rounds,
        detail: report.causes[0]?.id ?? '—',
      };
    });
  const service = (pool: ClientPool, cache: MemoryCallCache) =>
    wire(async () => {
      const r = await diagnoseService(
        { target: serviceTarget, requester: 'bench' },
        { pool, deadlineMs: config.aws.deadlineMs, sharedCache: cache },
      );
      const byApi = (api: string) => r.aws.calls.filter((c) => c.api === api && !c.cached).length;
      return {
        calls: r.aws.callCount,
        cached: r.aws.cachedCount,
        rounds: r.aws.rounds,
        detail: `${r.groups.map((g) => `${g.count} ${g.report?.causes[0]?.id ?? '—'}`).join(', ')}; ListTasks ${byApi('ecs:ListTasks')}, DescribeTasks ${byApi('ecs:DescribeTasks')}`,
      };
    });

  const measure = async (run: (pool: ClientPool, cache: MemoryCallCache) => Promise<Measure>) => {
    // Cold: a new role session and an empty cache (the command line's first run).
    const cold = await run(
      new ClientPool(config, { baseCredentials: async () => BASE_CREDENTIALS }),
      new MemoryCallCache(),
    );
    // Warm: a running bot, "21 s later" each time (account answers expired, AWS-managed policies not).
    let clock = Date.now();
    const cache = new MemoryCallCache(5_000, () => clock);
    const pool = new ClientPool(config, { baseCredentials: async () => BASE_CREDENTIALS });
    await run(pool, cache);
    const warm: Measure[] = [];
    for (let i = 0; i < runs; i++) {
      clock += 21_000;
      warm.push(await run(pool, cache));
    }
    return { cold, warm };
  };

  const rows = [
    { name: 'one diagnosis (why, one task)', ...(await measure(one)) },
    { name: 'service: 250 stopped tasks, 3 groups', ...(await measure(service)) },
  ];
  const head = [
    'what',
    'cold calls',
    'cold rounds (wire · dependency)',
    'cold ms',
    'warm calls',
    'warm rounds (wire · dependency)',
    'warm p50 ms',
    'answer',
  ];
  const table = rows.map((r) => [
    r.name,
    String(r.cold.calls),
    `${r.cold.wireRounds} · ${r.cold.rounds}`,
    String(r.cold.wallMs),
    String(r.warm[0]!.calls),
    `${Math.max(...r.warm.map((w) => w.wireRounds))} · ${r.warm[0]!.rounds}`,
    String(
      Math.round(
        percentile(
          r.warm.map((w) => w.wallMs),
          50,
        ),
      ),
    ),
    r.cold.detail,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(
    `service diagnosis against one diagnosis · ${latencyMs} ms per AWS request · ${runs} warm runs`,
  );
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of table) console.log(line(row));
  console.log('');
  console.log(
    'moto lists the 250 stopped tasks in one ListTasks page (AWS gives 100 a page: two more pages, each in the round after the last, each page described while the next is listed: +2 rounds, +2 calls)',
  );
  console.log('');
}
