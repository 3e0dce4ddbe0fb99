/**
 * `npm run bench:startup`: how long the built command line takes to start, measured as a person meets it: the whole
 * process (spawn to exit) of `classify`, `demo` and the refusals, and for `why` the time from spawn to its first AWS
 * request, received by a local HTTP server the CLI is pointed at with AWS_ENDPOINT_URL. With moto installed, also a
 * whole diagnosis (a task behind a NAT gateway) through a proxy that adds 50 ms to every AWS call, so that loading
 * the SDK's clients as the diagnosis needs them is seen to cost nothing at the end. Each scenario runs BENCH_RUNS
 * times (default 10) after one unmeasured run; the table shows the median and the spread, and the CPU time of the
 * whole process (user + system, from /usr/bin/time when there is one). Exit code 1 when a median misses its target.
 * BENCH_ONLY=text runs the scenarios whose name contains it; BENCH_CLI=path/to/cli.js measures another build;
 * BENCH_BEFORE=path/to/cli.js measures that build too, its runs interleaved with this one's (before, after, before,
 * …), so that both see the same load on a shared machine, and prints both medians.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createExecutionRole,
  MOTO_DEFAULT_ACCOUNT,
  motoAccount,
  runStoppedTask,
} from '../test/helpers/aws-scenario.js';
import { findMotoPython, type MotoServer, startMoto } from '../test/helpers/moto-server.js';
import { natPath } from '../test/helpers/network-scenario.js';
import { type LatencyProxy, startLatencyProxy } from './latency-proxy.js';

const cli = process.env.BENCH_CLI ?? join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli.js');
const before = process.env.BENCH_BEFORE;
const runs = Number(process.env.BENCH_RUNS ?? 10);
const work = mkdtempSync(join(tmpdir(), 'ecs-pull-startup-'));
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

const OWN = '210987654321';
const OTHER = '123456789012';
const ARN = `arn:aws:ecs:eu-west-1:${OWN}:task/payments/3f9d2b1c8e7a4d6f9b0c1a2e3d4f5a6b`;

/** A home with no ~/.aws, so that nothing on this machine decides which credentials are found. */
const home = join(work, 'home');
const baseEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  PATH: process.env.PATH ?? '',
  HOME: home,
  AWS_CONFIG_FILE: join(home, 'no-config'),
  AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_REGION: 'eu-west-1',
  ...extra,
});
const credentials = { AWS_ACCESS_KEY_ID: 'AKIDBENCHSTARTUP', AWS_SECRET_ACCESS_KEY: 'bench-startup-secret' };

function file(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

interface Scenario {
  name: string;
  args: string[];
  env: Record<string, string>;
  /** Milliseconds the median must not exceed. */
  target?: number;
  /** Measure to the first request the local AWS endpoint receives, not to the exit. */
  untilRequest?: boolean;
}

interface Sample {
  ms: number;
  cpuMs?: number | undefined;
}

/** The local AWS endpoint: notes when a request arrives, answers STS as another account and anything else with an error. */
class FakeAws {
  private server: Server | undefined;
  private waiting: ((api: string) => void) | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.answer(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Resolves with the API of the next request received. */
  next(): Promise<string> {
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const target = String(req.headers['x-amz-target'] ?? '');
    let body = '';
    req.on('data', (d) => {
      body += String(d);
    });
    req.on('end', () => {
      const action = /Action=(\w+)/.exec(body)?.[1];
      const api = target ? `${target.split('.').pop()}` : (action ?? req.url ?? '?');
      this.waiting?.(api);
      this.waiting = undefined;
      if (action === 'GetCallerIdentity') {
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(
          `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::${OTHER}:user/bench</Arn><UserId>AIDABENCH</UserId><Account>${OTHER}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
        );
        return;
      }
      if (action) {
        res.writeHead(403, { 'content-type': 'text/xml' });
        res.end(
          '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>bench</Message></Error><RequestId>1</RequestId></ErrorResponse>',
        );
        return;
      }
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ __type: 'ClusterNotFoundException', message: 'bench' }));
    });
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

/** One run: milliseconds from spawn to exit (or to the first AWS request), and the process' CPU time. */
async function once(s: Scenario, aws: FakeAws, program = cli): Promise<Sample> {
  const timing = join(work, 'time.txt');
  rmSync(timing, { force: true });
  const [cmd, args] = TIME
    ? [TIME, ['-f', '%U %S', '-o', timing, process.execPath, program, ...s.args]]
    : [process.execPath, [program, ...s.args]];
  const request = s.untilRequest ? aws.next() : undefined;
  const started = performance.now();
  const child = spawn(cmd, args, { env: s.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += String(d);
  });
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  let ms: number;
  if (request) {
    const first = await Promise.race([request, exited.then(() => undefined)]);
    ms = performance.now() - started;
    if (first === undefined) throw new Error(`${s.name}: exited before any AWS request: ${stderr.trim()}`);
    // The request the scenario's name promises (`→ first request (ecs:DescribeTasks)`), not another.
    const promised = /first request \(\w+:(\w+)\)/.exec(s.name)?.[1];
    if (promised && first !== promised) throw new Error(`${s.name}: the first AWS request was ${first}`);
    await exited;
  } else {
    await exited;
    ms = performance.now() - started;
  }
  let cpuMs: number | undefined;
  if (TIME && existsSync(timing)) {
    const [user, system] = readFileSync(timing, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    cpuMs = ((user ?? 0) + (system ?? 0)) * 1000;
  }
  return { ms, cpuMs };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

async function main(): Promise<void> {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  const aws = await new FakeAws().start();
  const endpoint = { AWS_ENDPOINT_URL: aws.url };
  const badConfig = file('bad.yml', 'defaultLanguge: it\n');
  const ownConfig = file('own.yml', `accounts:\n  "${OWN}": { defaultCredentials: true }\n`);
  const roleConfig = file(
    'role.yml',
    `accounts:\n  "${OWN}": { roleArn: "arn:aws:iam::${OWN}:role/diag" }\n`,
  );
  const scenarios: Scenario[] = [
    {
      name: 'classify "… i/o timeout"',
      args: ['classify', 'CannotPullContainerError: dial tcp 52.95.1.1:443: i/o timeout'],
      env: baseEnv(),
      target: 150,
    },
    { name: 'demo', args: ['demo'], env: baseEnv(), target: 150 },
    { name: 'why not-an-arn (bad input)', args: ['why', 'not-an-arn'], env: baseEnv(), target: 150 },
    {
      name: 'why, configuration typo (refused)',
      args: ['why', ARN, '--config', badConfig],
      env: baseEnv(),
      target: 150,
    },
    { name: 'why --help', args: ['why', '--help'], env: baseEnv(), target: 150 },
    {
      name: 'why, no credentials (refused)',
      args: ['why', ARN],
      env: baseEnv(endpoint),
    },
    {
      name: 'why → first request (sts:GetCallerIdentity)',
      args: ['why', ARN],
      env: baseEnv({ ...endpoint, ...credentials }),
      target: 350,
      untilRequest: true,
    },
    {
      name: 'why, another account (refused after it)',
      args: ['why', ARN],
      env: baseEnv({ ...endpoint, ...credentials }),
    },
    {
      name: 'why → first request (ecs:DescribeTasks)',
      args: ['why', ARN, '--config', ownConfig],
      env: baseEnv({ ...endpoint, ...credentials }),
      target: 350,
      untilRequest: true,
    },
    {
      name: 'why → first request (sts:AssumeRole)',
      args: ['why', ARN, '--config', roleConfig],
      env: baseEnv({ ...endpoint, ...credentials }),
      target: 350,
      untilRequest: true,
    },
    {
      name: 'service, bad reference (refused)',
      args: ['service', 'payments/checkout/extra'],
      env: baseEnv(),
      target: 150,
    },
    {
      name: 'service → first request (ecs:DescribeServices)',
      args: ['service', 'payments/checkout', '--account', OWN, '--config', ownConfig],
      env: baseEnv({ ...endpoint, ...credentials }),
      target: 350,
      untilRequest: true,
    },
    { name: 'check, nothing to check (refused)', args: ['check'], env: baseEnv(), target: 150 },
    {
      name: 'check → first request (ecs:DescribeServices)',
      args: ['check', '--service', 'payments/checkout', '--account', OWN, '--config', ownConfig],
      env: baseEnv({ ...endpoint, ...credentials }),
      target: 350,
      untilRequest: true,
    },
  ];
  const only = process.env.BENCH_ONLY;
  // A whole diagnosis against moto, 50 ms a call: what the lazy clients cost (or save) at the end.
  let moto: MotoServer | undefined;
  let proxy: LatencyProxy | undefined;
  const python =
    !only || 'diagnosis'.includes(only) || only.includes('diagnosis') ? findMotoPython() : undefined;
  if (python) {
    moto = await startMoto(python);
    proxy = await startLatencyProxy(moto.url, 50);
    const a = await motoAccount(moto.url, MOTO_DEFAULT_ACCOUNT);
    const net = await natPath(a);
    const role = await createExecutionRole(a, 'benchStartupExecutionRole');
    const task = await runStoppedTask(a, net, { cluster: 'startup', executionRoleArn: role });
    const config = file('moto.yml', `accounts:\n  "${MOTO_DEFAULT_ACCOUNT}": { defaultCredentials: true }\n`);
    scenarios.push({
      name: 'why, a whole diagnosis (moto, 50 ms a call)',
      args: ['why', task.taskArn, '--config', config],
      env: baseEnv({
        AWS_ENDPOINT_URL: proxy.url,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
      }),
    });
  }
  console.log(
    `ecs-pull start-up · node ${process.version} · median of ${runs} runs (whole process${TIME ? ', CPU = user + system' : ''})`,
  );
  console.log('');
  const header = before
    ? ['scenario', 'before', 'after', 'CPU before', 'CPU after', 'target']
    : ['scenario', 'median', 'min–max', 'CPU', 'target'];
  const widths = before ? [46, 8, 8, 10, 10, 10] : [46, 8, 12, 8, 10];
  if (before) console.log(`before: ${before}\nafter: ${cli}\n`);
  if (python) console.log('(moto found: the last row is a whole diagnosis through a 50 ms proxy)\n');
  const line = (cells: string[]) =>
    cells.map((c, i) => (i ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  console.log(line(header));
  let missed = 0;
  try {
    for (const s of scenarios) {
      if (only && !s.name.includes(only)) continue;
      await once(s, aws);
      const samples: Sample[] = [];
      const earlier: Sample[] = [];
      if (before) await once(s, aws, before);
      for (let i = 0; i < runs; i++) {
        if (before) earlier.push(await once(s, aws, before));
        samples.push(await once(s, aws));
      }
      const ms = samples.map((x) => x.ms);
      const cpu = samples.flatMap((x) => (x.cpuMs === undefined ? [] : [x.cpuMs]));
      const m = median(ms);
      const ok = s.target === undefined || m <= s.target;
      if (!ok) missed++;
      const target = s.target === undefined ? '—' : `≤ ${s.target} ${ok ? '✓' : '✗'}`;
      if (before) {
        const cpuOf = (xs: Sample[]) => {
          const c = xs.flatMap((x) => (x.cpuMs === undefined ? [] : [x.cpuMs]));
          return c.length && !s.untilRequest ? `${median(c).toFixed(0)} ms` : '—';
        };
        console.log(
          line([
            s.name,
            `${median(earlier.map((x) => x.ms)).toFixed(0)} ms`,
            `${m.toFixed(0)} ms`,
            cpuOf(earlier),
            cpuOf(samples),
            target,
          ]),
        );
        continue;
      }
      console.log(
        line([
          s.name,
          `${m.toFixed(0)} ms`,
          `${Math.min(...ms).toFixed(0)}–${Math.max(...ms).toFixed(0)}`,
          cpu.length && !s.untilRequest ? `${median(cpu).toFixed(0)} ms` : '—',
          target,
        ]),
      );
    }
  } finally {
    await aws.stop();
    await proxy?.close();
    await moto?.stop();
    rmSync(work, { recursive: true, force: true });
  }
  if (missed) {
    console.log(`\n${missed} target(s) missed`);
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
