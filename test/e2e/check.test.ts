/**
 * `ecs-pull check`, the pre-flight, end to end: the built CLI against moto, on task definitions and services that
 * never ran a task. Exit code 4 when a check fails (a missing tag, an amd64-only image for an ARM64 task
 * definition, subnets with no route), 0 on a healthy one; 2 for bad input, 3 for what cannot be read. Then the
 * cost against `why` on a stopped task of the same service: AWS calls and sequential rounds.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSubnetCommand } from '@aws-sdk/client-ec2';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { type MotoAccount, motoAccount, runStoppedTask } from '../helpers/aws-scenario.js';
import { motoEnv, runCli, writeConfig } from '../helpers/cli.js';
import { createRepository, pullingRole, pushImage, pushIndex } from '../helpers/identity-scenario.js';
import { type Layout, natPath, privateOnly } from '../helpers/network-scenario.js';
import { createService, registerTaskDefinition } from '../helpers/preflight-scenario.js';

const motoUrl = inject('motoUrl');
const ACCOUNT = '123456789012';
const OTHER = '431199900001';

interface CheckJson {
  schema: number;
  kind: string;
  lang: string;
  target: { account: string; region: string; cluster: string; service?: string; taskDefinition?: string };
  context: {
    source: string;
    taskDefinition: { family: string; revision: number };
    network: { subnetIds: string[]; securityGroupIds: string[]; assignPublicIp: string };
    origins: { subnets: string; securityGroups: string; publicIp: string };
    runtimePlatform: { arch: string };
  };
  checks: Array<{
    id: string;
    status: string;
    title: string;
    message: { key: string; text: string };
    remediation?: { text: string };
  }>;
  verdict: {
    outcome: string;
    blocking: boolean;
    failing: string[];
    warnings: string[];
    unverified: string[];
    summary: { text: string };
  };
  aws: { calls: Array<{ api: string; round: number }>; callCount: number; rounds: number; wallMs: number };
}

describe.skipIf(!motoUrl)(
  `ecs-pull check against moto${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`,
  () => {
    let a: MotoAccount;
    let nat: Layout;
    let closed: Layout;
    let unrouted: string;
    let env: Record<string, string>;
    let healthy: string;
    let arm: string;
    let missingTag: string;

    const check = async (args: string[]) => {
      const started = performance.now();
      const r = await runCli(['check', ...args], env);
      return { ...r, ms: performance.now() - started };
    };
    const json = (stdout: string) => JSON.parse(stdout) as CheckJson;

    beforeAll(async () => {
      a = await motoAccount(motoUrl!, ACCOUNT);
      nat = await natPath(a);
      closed = await privateOnly(a);
      // A second subnet in the NAT layout's VPC, on the VPC's main route table: no way out.
      unrouted = (
        await a.ec2.send(
          new CreateSubnetCommand({
            VpcId: nat.vpcId,
            CidrBlock: '10.0.2.0/24',
            AvailabilityZone: 'eu-west-1b',
          }),
        )
      ).Subnet!.SubnetId!;
      await createRepository(a, 'storefront');
      await pushIndex(a, 'storefront', '3.2.0', ['amd64']);
      await pushImage(a, 'storefront', '3.1.0', undefined, 3);
      const role = await pullingRole(a, 'storefrontExecutionRole');
      const image = (tag: string) => `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/storefront:${tag}`;
      healthy = (
        await registerTaskDefinition(a, {
          family: 'storefront',
          image: image('3.2.0'),
          executionRoleArn: role,
        })
      ).name;
      arm = (
        await registerTaskDefinition(a, {
          family: 'storefront-arm',
          image: image('3.2.0'),
          executionRoleArn: role,
          taskDefinition: { runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' } },
        })
      ).name;
      missingTag = (
        await registerTaskDefinition(a, {
          family: 'storefront-next',
          image: image('3.3.0'),
          executionRoleArn: role,
        })
      ).name;
      await createService(a, nat, { cluster: 'retail', service: 'storefront', taskDefinition: healthy });
      env = motoEnv(motoUrl!, writeConfig('defaultLanguage: en\n'));
    });

    it('a healthy service: exit 0, "would pull", every check that can fail passes', async () => {
      const r = await check(['--service', 'retail/storefront', '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const report = json(r.stdout);
      expect(report).toMatchObject({ schema: 1, kind: 'ecs-pull-check-report', lang: 'en' });
      expect(report.verdict).toMatchObject({
        outcome: 'would-pull',
        blocking: false,
        failing: [],
        unverified: [],
      });
      expect(report.verdict.summary.text).toMatch(/^Would pull/);
      expect(report.target).toMatchObject({
        account: ACCOUNT,
        region: 'eu-west-1',
        cluster: 'retail',
        service: 'storefront',
      });
      expect(report.context.source).toBe('preflight');
      expect(report.context.taskDefinition).toMatchObject({ family: 'storefront', revision: 1 });
      expect(report.context.network).toMatchObject({
        subnetIds: [nat.subnetId],
        securityGroupIds: [nat.securityGroupId],
        assignPublicIp: 'DISABLED',
      });
      expect(report.context.origins).toMatchObject({
        subnets: 'service',
        securityGroups: 'service',
        publicIp: 'service',
      });
      for (const id of [
        'network.route',
        'network.nat-gateway',
        'iam.execution-role',
        'image.exists',
        'image.platform',
      ]) {
        expect(report.checks.find((c) => c.id === id)?.status, id).toBe('pass');
      }
      // The same checks array as `why --json`: every check, with its title and texts.
      expect(report.checks.length).toBeGreaterThanOrEqual(27);
      expect(report.checks.every((c) => c.title && c.message.text)).toBe(true);
      // The service first, then its task definition and subnets, then the rest: no task, no ENI to read.
      const apis = report.aws.calls.map((c) => c.api);
      expect(apis).not.toContain('ecs:DescribeTasks');
      expect(apis).not.toContain('ec2:DescribeNetworkInterfaces');
      const round = (api: string) => report.aws.calls.find((c) => c.api === api)!.round;
      expect(round('sts:GetCallerIdentity')).toBe(1);
      expect(round('ecs:DescribeServices')).toBe(2);
      expect(round('ecs:DescribeTaskDefinition')).toBe(3);
      expect(round('ec2:DescribeSubnets')).toBe(3);
    });

    it('a new task definition whose tag is missing: exit 4, image.exists blocks with its fix', async () => {
      const r = await check(['--service', 'retail/storefront', '--task-definition', missingTag, '--json']);
      expect(r.code).toBe(4);
      const report = json(r.stdout);
      expect(report.verdict).toMatchObject({
        outcome: 'would-fail',
        blocking: true,
        failing: ['image.exists'],
      });
      const fail = report.checks.find((c) => c.id === 'image.exists')!;
      expect(fail.message.key).toBe('image:exists.fail.no-tag');
      expect(fail.message.text).toContain('3.3.0');
      expect(fail.remediation?.text).toMatch(/3\.2\.0|3\.1\.0/);
      // A task definition given is read at once, in the service's round.
      const round = (api: string) => report.aws.calls.find((c) => c.api === api)!.round;
      expect(round('ecs:DescribeTaskDefinition')).toBe(round('ecs:DescribeServices'));

      const text = await check(['--service', 'retail/storefront', '--task-definition', missingTag]);
      expect(text.code).toBe(4);
      expect(text.stdout).toContain(
        `ecs-pull · pre-flight · service storefront, task definition ${missingTag}`,
      );
      expect(text.stdout).toMatch(
        /Would fail: 1 check found what would keep the task from pulling or starting/,
      );
      const blocking = text.stdout.indexOf('Blocking');
      expect(blocking).toBeGreaterThan(0);
      expect(text.stdout.indexOf('[FAIL] Image exists (image.exists)')).toBeGreaterThan(blocking);
      expect(text.stdout).toContain('Fix: ');
    });

    it('an amd64-only image for an ARM64 task definition: exit 4, image.platform blocks', async () => {
      const r = await check(['--service', 'retail/storefront', '--task-definition', arm, '--json']);
      expect(r.code).toBe(4);
      const report = json(r.stdout);
      expect(report.context.runtimePlatform.arch).toBe('ARM64');
      expect(report.verdict.failing).toEqual(['image.platform']);
      const fail = report.checks.find((c) => c.id === 'image.platform')!;
      expect(fail.message.text).toContain('no build for linux/arm64 (it has: linux/amd64)');
    });

    it('subnets with no route to the registry, given on the command line: exit 4, network.route blocks, in Italian', async () => {
      const r = await check([
        '--task-definition',
        healthy,
        '--subnets',
        closed.subnetId,
        '--security-groups',
        closed.securityGroupId,
        '--json',
      ]);
      expect(r.code).toBe(4);
      const report = json(r.stdout);
      expect(report.verdict.failing).toContain('network.route');
      expect(report.context.origins.subnets).toBe('request');
      expect(report.checks.find((c) => c.id === 'network.route')!.message.key).toBe(
        'network:route.fail.none',
      );

      const it_ = await check([
        '--task-definition',
        healthy,
        '--subnets',
        closed.subnetId,
        '--security-groups',
        closed.securityGroupId,
        '--lang',
        'it',
      ]);
      expect(it_.code).toBe(4);
      expect(it_.stdout).toContain(`controllo preliminare · definizione di attività ${healthy}`);
      expect(it_.stdout).toContain('Il pull non riuscirebbe');
      expect(it_.stdout).toContain('Bloccanti');
      expect(it_.stdout).toContain(`Sottoreti: ${closed.subnetId} (origine: richiesta)`);
    });

    it('each subnet is checked: one routed through the NAT gateway and one not still blocks, naming the second', async () => {
      const r = await check([
        '--task-definition',
        healthy,
        '--subnets',
        `${nat.subnetId},${unrouted}`,
        '--security-groups',
        nat.securityGroupId,
        '--json',
      ]);
      expect(r.code).toBe(4);
      const report = json(r.stdout);
      expect(report.verdict.failing).toEqual(['network.route']);
      const route = report.checks.find((c) => c.id === 'network.route')!;
      expect(route.message.text).toContain(unrouted);
      expect(route.message.text).not.toContain(nat.subnetId);
    });

    it('bad input exits 2, what cannot be read 3, each with one localized line', async () => {
      const cases: Array<[string[], number, string]> = [
        [['--task-definition', healthy], 2, 'A task definition alone does not say where the task would run'],
        [[], 2, 'Give the service to check'],
        [
          ['--task-definition', healthy, '--subnets', 'subnet-12', '--security-groups', nat.securityGroupId],
          2,
          '“subnet-12” is not a subnet id',
        ],
        [['--task-definition', healthy, '--subnets', nat.subnetId], 2, 'Add --security-groups'],
        [
          ['--service', 'retail/storefront', '--subnets', nat.subnetId],
          2,
          "the service's own network is checked",
        ],
        [
          ['--service', 'retail/storefront', '--task-definition', 'web:x'],
          2,
          '“web:x” is not a task definition',
        ],
        [
          [
            '--task-definition',
            healthy,
            '--subnets',
            'subnet-0123456789abcdef0',
            '--security-groups',
            nat.securityGroupId,
          ],
          2,
          'does not exist',
        ],
        [
          [
            '--task-definition',
            healthy,
            '--subnets',
            nat.subnetId,
            '--security-groups',
            'sg-0123456789abcdef0',
          ],
          2,
          "not in the subnets' VPC",
        ],
        [
          [
            '--task-definition',
            healthy,
            '--subnets',
            `${nat.subnetId},${closed.subnetId}`,
            '--security-groups',
            nat.securityGroupId,
          ],
          2,
          'The subnets are in different VPCs',
        ],
        [['--service', 'retail/nothing'], 3, 'There is no active service nothing in cluster retail'],
        [
          ['--service', 'retail/storefront', '--task-definition', 'storefront:99'],
          3,
          'There is no task definition storefront:99',
        ],
        [
          ['--service', `arn:aws:ecs:eu-west-1:${ACCOUNT}:task/retail/0123456789abcdef0123456789abcdef`],
          2,
          'not a service ARN',
        ],
      ];
      for (const [args, code, line] of cases) {
        const r = await check(args);
        expect(r.code, args.join(' ')).toBe(code);
        expect(r.stderr, args.join(' ')).toContain(line);
        expect(r.stderr.split('\n').filter(Boolean), args.join(' ')).toHaveLength(1);
        expect(r.stdout, args.join(' ')).toBe('');
      }
      const it_ = await check(['--task-definition', healthy, '--lang', 'it']);
      expect(it_.stderr).toContain('Una definizione di attività da sola non dice dove');
    });

    it('a service in another account: refused naming both accounts, then read through --role-arn', async () => {
      const b = await motoAccount(motoUrl!, OTHER);
      const net = await natPath(b);
      await createRepository(b, 'ledger');
      await pushIndex(b, 'ledger', '7.0.1', ['amd64', 'arm64']);
      const td = await registerTaskDefinition(b, {
        family: 'ledger',
        image: `${OTHER}.dkr.ecr.eu-west-1.amazonaws.com/ledger:7.0.1`,
        executionRoleArn: await pullingRole(b, 'ledgerExecutionRole'),
      });
      await createService(b, net, { cluster: 'finance', service: 'ledger', taskDefinition: td.arn });
      const arn = `arn:aws:ecs:eu-west-1:${OTHER}:service/finance/ledger`;

      const refused = await check(['--service', arn]);
      expect(refused.code).toBe(2);
      for (const s of [OTHER, ACCOUNT, '--role-arn']) expect(refused.stderr).toContain(s);

      const r = await check([
        '--service',
        'finance/ledger',
        '--role-arn',
        `arn:aws:iam::${OTHER}:role/ecs-pull-ci`,
        '--external-id',
        'ci-ext-1',
        '--json',
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const report = json(r.stdout);
      expect(report.target.account).toBe(OTHER);
      expect(report.verdict.outcome).toBe('would-pull');
      expect(report.aws.calls[0]).toMatchObject({ api: 'sts:AssumeRole', round: 1 });
      expect(report.aws.calls.map((c) => c.api)).not.toContain('sts:GetCallerIdentity');

      const elsewhere = await check([
        '--service',
        arn,
        '--role-arn',
        `arn:aws:iam::${ACCOUNT}:role/ecs-pull-ci`,
      ]);
      expect(elsewhere.code).toBe(2);
      expect(elsewhere.stderr).toContain(OTHER);
    });

    it('--save-facts, then replay: the same verdict without AWS', async () => {
      const file = join(mkdtempSync(join(tmpdir(), 'ecs-pull-check-')), 'facts.json');
      const r = await check([
        '--service',
        'retail/storefront',
        '--task-definition',
        arm,
        '--save-facts',
        file,
      ]);
      expect(r.code).toBe(4);
      expect(JSON.parse(readFileSync(file, 'utf8')).inputs.preflight).toMatchObject({
        service: 'storefront',
        taskDefinition: arm,
      });
      const replay = await runCli(['replay', file, '--json'], { PATH: process.env.PATH ?? '' });
      expect(replay.code).toBe(0);
      const report = json(replay.stdout);
      expect(report.kind).toBe('ecs-pull-check-report');
      expect(report.verdict.failing).toEqual(['image.platform']);
    });

    it('costs no more AWS rounds than `why` on a stopped task of the same service', async () => {
      const task = await runStoppedTask(a, nat, {
        cluster: 'outlet',
        service: 'outlet-web',
        family: 'outlet-web',
        image: `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/storefront:3.2.0`,
        executionRoleArn: await pullingRole(a, 'outletExecutionRole'),
      });
      const why = await runCli(['why', task.taskArn, '--json'], env);
      expect(why.code).toBe(0);
      const pre = await check(['--service', 'outlet/outlet-web', '--json']);
      expect(pre.code).toBe(0);
      const w = JSON.parse(why.stdout) as CheckJson;
      const c = json(pre.stdout);
      // why's DescribeTasks and DescribeNetworkInterfaces have no counterpart; the service's DescribeServices comes
      // first instead. Both learn that the credentials are in the account with one sts:GetCallerIdentity (an
      // account the configuration does not list), the pre-flight because no ARN names it.
      expect(c.aws.calls.map((x) => x.api)).toContain('sts:GetCallerIdentity');
      expect(c.aws.rounds).toBeLessThanOrEqual(w.aws.rounds);
      console.info(
        `check vs why on moto, service outlet/outlet-web: check ${c.aws.callCount} calls in ${c.aws.rounds} rounds (${c.aws.wallMs} ms gathering, CLI ${Math.round(pre.ms)} ms); why ${w.aws.callCount} calls in ${w.aws.rounds} rounds (${w.aws.wallMs} ms)`,
      );
      const withTd = await check([
        '--service',
        'outlet/outlet-web',
        '--task-definition',
        'outlet-web',
        '--json',
      ]);
      const ct = json(withTd.stdout);
      expect(ct.aws.rounds).toBeLessThan(c.aws.rounds);
      console.info(
        `check with --task-definition (read in the service's round): ${ct.aws.callCount} calls in ${ct.aws.rounds} rounds; CLI ${Math.round(withTd.ms)} ms`,
      );
    });
  },
);
