/**
 * `npm run bench`: starts moto and a latency proxy in front of it, runs the diagnosis benchmark and prints the
 * table, then the Slack app under load, then the parsers' worst case at 40 k characters. Options (environment):
 * BENCH_LATENCY_MS (default 50), BENCH_RUNS (default 20), BENCH_PARTS (diagnosis,preflight,service,slack,parsers:
 * which
 * parts).
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { findMotoPython, startMoto } from '../test/helpers/moto-server.js';
import { benchDiagnoses } from './diagnose.js';
import { printParserBench } from './parsers.js';
import { printPreflightBench } from './preflight.js';
import { printServiceBench } from './service.js';
import { printSlackBench } from './slack.js';

/** Starts the latency proxy in a child process (its CPU must not count as the diagnosis'); returns its URL. */
async function proxyProcess(
  target: string,
  latencyMs: number,
): Promise<{ url: string; close(): Promise<void> }> {
  const child: ChildProcess = spawn(
    process.execPath,
    [join(import.meta.dirname, 'proxy-main.js'), target, String(latencyMs)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  return {
    url: chunk.toString().trim(),
    close: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

const latency = Number(process.env.BENCH_LATENCY_MS ?? 50);
const runs = Number(process.env.BENCH_RUNS ?? 20);
/** BENCH_PARTS=diagnosis, preflight, service, slack or parsers runs one part (default all of them). */
const parts = new Set((process.env.BENCH_PARTS ?? 'diagnosis,preflight,service,slack,parsers').split(','));

async function main(): Promise<void> {
  process.env.AWS_REGION = 'eu-west-1';
  if (['diagnosis', 'preflight', 'service', 'slack'].some((p) => parts.has(p))) await awsParts();
  if (parts.has('parsers')) {
    console.log(`ecs-pull benchmark · parsers of Slack-supplied text · node ${process.version}`);
    console.log('');
    if (!printParserBench()) process.exitCode = 1;
  }
}

/** The parts that need moto: the diagnosis table and the Slack app under load. */
async function awsParts(): Promise<void> {
  const python = findMotoPython();
  if (!python) throw new Error('moto is not installed: python3 -c "import moto" failed');
  const moto = await startMoto(python);
  const proxy = await proxyProcess(moto.url, latency);
  const zero = await proxyProcess(moto.url, 0);
  try {
    console.log(
      `ecs-pull benchmark · moto behind a ${latency} ms loopback proxy · ${runs} warm runs per scenario · node ${process.version}`,
    );
    console.log('');
    if (parts.has('diagnosis')) await diagnosisTable(proxy.url, zero.url, moto.url);
    if (parts.has('preflight')) await printPreflightBench(proxy.url, moto.url, latency, runs);
    if (parts.has('service')) await printServiceBench(proxy.url, moto.url, latency, runs);
    if (parts.has('slack') && !(await printSlackBench(moto.url, latency))) process.exitCode = 1;
    console.log('');
  } finally {
    await proxy.close();
    await zero.close();
    await moto.stop();
  }
}

/** The diagnosis table: calls, rounds, wall time and CPU per scenario. */
async function diagnosisTable(proxyUrl: string, zeroUrl: string, motoUrl: string): Promise<void> {
  {
    const rows = await benchDiagnoses(proxyUrl, zeroUrl, motoUrl, latency, runs);
    const head = [
      'scenario',
      'top cause',
      'first run calls',
      'first run rounds',
      'first run ms',
      'cold session rounds',
      'cold session ms',
      'warm calls',
      'warm rounds',
      'p50 ms',
      'p95 ms',
      'CPU ms',
    ];
    const table = rows.map((r) => [
      r.name,
      r.topCause,
      String(r.cold.calls),
      `${r.cold.rounds} · ${r.cold.roundsByTime}`,
      String(r.cold.wallMs),
      String(r.session.rounds),
      String(r.session.wallMs),
      String(r.warm.calls),
      `${r.warm.rounds} · ${r.warm.roundsByTime}`,
      String(r.warm.p50),
      String(r.warm.p95),
      String(r.warm.cpuMs),
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
    console.log(line(head));
    console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
    for (const row of table) console.log(line(row));
    console.log('');
    console.log(
      'rounds: sequential round trips seen by the proxy (a request is one round deeper than the deepest answer already sent when it arrived) · the same estimated as (wall time with latency − wall time without) / latency',
    );
    console.log(
      `moto's own processing, p50 without latency: ${rows.map((r) => `${r.name} ${r.warm.p50NoLatency} ms`).join(', ')}`,
    );
    const worst = {
      coldRounds: Math.max(...rows.map((r) => r.session.rounds)),
      firstRounds: Math.max(...rows.map((r) => r.cold.rounds)),
      warmRounds: Math.max(...rows.map((r) => r.warm.rounds)),
      calls: Math.max(...rows.map((r) => Math.max(r.cold.calls, r.warm.calls))),
      cpu: Math.max(...rows.map((r) => r.warm.cpuMs)),
    };
    const ok = worst.coldRounds <= 5 && worst.warmRounds <= 4 && worst.calls <= 30 && worst.cpu < 50;
    console.log(
      `targets: cold role session rounds ≤ 5 (${worst.coldRounds}), warm rounds ≤ 4 (${worst.warmRounds}), calls ≤ 30 (${worst.calls}), CPU < 50 ms (${worst.cpu}) → ${ok ? 'met' : 'NOT met'}`,
    );
    console.log(
      `first run of a process (every cache empty): ${worst.firstRounds} rounds. moto has no iam:SimulatePrincipalPolicy, so the execution role is judged from its policies (GetPolicy, then GetPolicyVersion: two more rounds) until the AWS-managed policy documents are cached; against AWS the simulation answers in the round of GetRole.`,
    );
    if (!ok) process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
