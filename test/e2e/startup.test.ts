/**
 * Start-up of the terminal tool (issue 14, point 11), through the built CLI with a preload that notes every package
 * the process loads and every HTTP request it starts (test/helpers/module-trace.mjs): a command loads what it needs
 * when it needs it. `classify`, `demo`, help and an input refusal load no AWS SDK, no Slack, no logger and no
 * configuration validator; a configuration refusal no AWS SDK; `why` sends its first AWS request with the clients
 * of STS and ECS alone, and a refusal after it (another account) never loads the clients of the later checks.
 * Timings are `npm run bench:startup`'s business (a shared test machine makes them noisy); what is loaded is not.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, writeConfig } from '../helpers/cli.js';

const hook = join(import.meta.dirname, '..', 'helpers', 'module-trace.mjs');
const OWN = '210987654321';
const OTHER = '314000000011';
const ARN = `arn:aws:ecs:eu-west-1:${OWN}:task/payments/0123456789abcdef0123456789abcdef`;

/** Runs the CLI with the trace preload; returns the result and the trace, one entry per line. */
async function traced(args: string[], env: Record<string, string> = {}) {
  const file = join(mkdtempSync(join(tmpdir(), 'ecs-pull-trace-')), 'trace.txt');
  writeFileSync(file, '');
  const r = await runCli(args, { ...env, ECS_PULL_TRACE: file, NODE_OPTIONS: `--import=${hook}` });
  const trace = readFileSync(file, 'utf8').trim().split('\n').filter(Boolean);
  return { ...r, trace, packages: trace.filter((l) => l.startsWith('pkg ')).map((l) => l.slice(4)) };
}

/** The packages loaded before the first HTTP request. */
function beforeFirstRequest(trace: string[]): string[] {
  const first = trace.findIndex((l) => l.startsWith('http '));
  expect(first, trace.join('\n')).toBeGreaterThan(0);
  return trace
    .slice(0, first)
    .filter((l) => l.startsWith('pkg '))
    .map((l) => l.slice(4));
}

const AWS = /^@aws-sdk\/|^@smithy\/|^@aws\//;
const HEAVY = /^@slack\/|^pino$|^ioredis$|^prom-client$|^@cloud-copilot\//;
const LATER_CLIENTS = [
  '@aws-sdk/client-ec2',
  '@aws-sdk/client-ecr',
  '@aws-sdk/client-iam',
  '@aws-sdk/client-kms',
  '@aws-sdk/client-ssm',
  '@aws-sdk/client-secrets-manager',
  '@aws-sdk/client-cloudtrail',
  '@aws-sdk/client-cloudwatch-logs',
  '@aws-sdk/client-efs',
  '@cloud-copilot/iam-simulate',
];

/** A local AWS endpoint: STS says the credentials are in OTHER; ECS says there is no such cluster. */
let server: Server;
let endpoint = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += String(d);
    });
    req.on('end', () => {
      if (body.includes('Action=GetCallerIdentity')) {
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(
          `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::${OTHER}:user/me</Arn><UserId>AIDA1</UserId><Account>${OTHER}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
        );
        return;
      }
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ __type: 'ClusterNotFoundException', message: 'Cluster not found.' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const credentials = () => ({
  AWS_ENDPOINT_URL: endpoint,
  AWS_ACCESS_KEY_ID: 'AKIDSTARTUP',
  AWS_SECRET_ACCESS_KEY: 'startup-secret',
  AWS_REGION: 'eu-west-1',
});

describe('what each command loads', () => {
  it.each([
    ['classify', ['classify', 'CannotPullContainerError: dial tcp 52.95.1.1:443: i/o timeout']],
    ['demo', ['demo']],
    ['demo in Italian (ECS_PULL_LANG)', ['demo']],
    ['why --help', ['why', '--help']],
    ['a task reference that is not one', ['why', 'not-an-arn']],
    ['demo --check', ['demo', '--check']],
    ['service --help', ['service', '--help']],
    ['a service reference that is not one', ['service', 'shop/checkout/extra/parts']],
    ['check with nothing to check', ['check']],
    [
      'check with half a network',
      ['check', '--task-definition', 'checkout:42', '--subnets', 'subnet-0a1b2c3d'],
    ],
    ['why --watch-for out of range', ['why', ARN, '--watch', '--watch-for', '1s']],
    [
      'service --watch-interval out of range',
      ['service', 'shop/checkout', '--watch', '--watch-interval', '0s'],
    ],
  ])('%s: no AWS SDK, Slack, logger or configuration validator', async (name, args) => {
    const r = await traced(args, name.includes('ECS_PULL_LANG') ? { ECS_PULL_LANG: 'it' } : {});
    expect([0, 2]).toContain(r.code);
    // demo --check's scenarios were saved from moto, which has no iam:SimulatePrincipalPolicy: the execution role's
    // policies are evaluated here, with the (optional) policy evaluator when it is installed.
    const heavy = (p: string) => HEAVY.test(p) && !(name === 'demo --check' && /^@cloud-copilot\//.test(p));
    expect(r.packages.filter((p) => AWS.test(p) || heavy(p))).toEqual([]);
    expect(r.packages).not.toContain('zod');
    expect(r.packages).not.toContain('yaml');
  });

  it('a configuration refusal: no AWS SDK, Slack or logger; a misspelt key not even zod', async () => {
    const r = await traced(['why', ARN, '--config', writeConfig('defaultLanguge: it\n')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('did you mean defaultLanguage?');
    expect(r.packages.filter((p) => AWS.test(p) || HEAVY.test(p))).toEqual([]);
    expect(r.packages).not.toContain('zod');
  });

  it('why: the first AWS request (sts:GetCallerIdentity) goes out with the clients it needs alone', async () => {
    const r = await traced(['why', ARN], credentials());
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(OTHER);
    const before = beforeFirstRequest(r.trace);
    for (const later of LATER_CLIENTS) expect(before).not.toContain(later);
    expect(before).not.toContain('@aws-sdk/client-ecs');
    // Refused after it: the later checks' clients are never loaded, nor Slack.
    for (const later of LATER_CLIENTS) expect(r.packages).not.toContain(later);
    expect(r.packages.filter((p) => /^@slack\//.test(p))).toEqual([]);
  });

  it('why: the first AWS request (ecs:DescribeTasks) goes out before EC2, ECR, IAM and the rest are loaded', async () => {
    const config = writeConfig(`accounts:\n  "${OWN}": { defaultCredentials: true }\n`);
    const r = await traced(['why', ARN, '--config', config], credentials());
    expect(r.code, r.stderr).toBe(3);
    const before = beforeFirstRequest(r.trace);
    expect(before).toContain('@aws-sdk/client-ecs');
    for (const later of LATER_CLIENTS) expect(before).not.toContain(later);
    expect(before).not.toContain('@aws-sdk/client-sts');
    expect(r.packages.filter((p) => /^@slack\//.test(p))).toEqual([]);
  });

  it.each([
    ['service', ['service', 'payments/checkout']],
    ['check', ['check', '--service', 'payments/checkout']],
  ])(
    '%s: the first AWS request goes out before EC2, ECR, IAM, the rest and the logger are loaded',
    async (_name, args) => {
      const config = writeConfig(`accounts:\n  "${OWN}": { defaultCredentials: true }\n`);
      const r = await traced([...args, '--account', OWN, '--config', config], credentials());
      expect(r.code, r.stderr).toBe(3);
      const before = beforeFirstRequest(r.trace);
      expect(before).toContain('@aws-sdk/client-ecs');
      for (const later of LATER_CLIENTS) expect(before).not.toContain(later);
      // The logger loads once AWS has answered.
      expect(before).not.toContain('pino');
      expect(r.packages.filter((p) => /^@slack\//.test(p))).toEqual([]);
    },
  );

  it('doctor without Slack settings does not load Slack', async () => {
    const r = await traced(['doctor', '--json'], {
      ...credentials(),
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    });
    expect(r.packages.filter((p) => /^@slack\//.test(p))).toEqual([]);
  });
});
