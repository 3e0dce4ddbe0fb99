/**
 * The foundation end to end: the built CLI against moto, a task in the bot's own account and one in a
 * workload account reached through sts:AssumeRole with an ExternalId.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createExecutionRole,
  createNetwork,
  MOTO_DEFAULT_ACCOUNT,
  motoAccount,
  type Network,
  runStoppedTask,
  type StoppedTask,
} from '../helpers/aws-scenario.js';
import { motoEnv, runCli, writeConfig } from '../helpers/cli.js';

const motoUrl = inject('motoUrl');
const WORKLOAD = '210987654321';

describe.skipIf(!motoUrl)(
  `ecs-pull why against moto${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`,
  () => {
    let own: StoppedTask;
    let ownNet: Network;
    let remote: StoppedTask;
    let remoteNet: Network;
    let env: Record<string, string>;

    beforeAll(async () => {
      const a = await motoAccount(motoUrl!, MOTO_DEFAULT_ACCOUNT);
      ownNet = await createNetwork(a);
      own = await runStoppedTask(a, ownNet, {
        executionRoleArn: await createExecutionRole(a),
        service: 'checkout',
        cluster: 'shop',
      });
      const b = await motoAccount(motoUrl!, WORKLOAD);
      remoteNet = await createNetwork(b, {
        cidr: '10.20.0.0/16',
        subnetCidr: '10.20.3.0/24',
        az: 'eu-west-1b',
      });
      remote = await runStoppedTask(b, remoteNet, {
        executionRoleArn: await createExecutionRole(b),
        family: 'api',
      });
      const config = writeConfig(
        [
          'defaultLanguage: en',
          'accounts:',
          `  "${MOTO_DEFAULT_ACCOUNT}":`,
          '    defaultCredentials: true',
          `  "${WORKLOAD}":`,
          `    roleArn: arn:aws:iam::${WORKLOAD}:role/ecs-pull-diagnostics`,
          '    externalId: ecs-pull-e2e-42',
        ].join('\n'),
      );
      env = motoEnv(motoUrl!, config);
    });

    it('loads a task of its own account with the default credentials', async () => {
      const r = await runCli(['why', own.taskArn, '--json'], env);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.schema).toBe(1);
      expect(report.context.taskArn).toBe(own.taskArn);
      expect(report.context.account).toBe(MOTO_DEFAULT_ACCOUNT);
      expect(report.context.stoppedReason).toMatch(/^CannotPullContainerError/);
      expect(report.context.source).toBe('describe-tasks');
      expect(report.context.network.subnetIds).toEqual([ownNet.subnetId]);
      expect(report.context.network.securityGroupIds).toEqual([ownNet.securityGroupId]);
      expect(report.context.serviceName).toBe('checkout');
      expect(report.context.taskDefinition.executionRoleArn).toMatch(/role\/ecsTaskExecutionRole$/);
      const apis = report.aws.calls.map((c: { api: string }) => c.api);
      expect(apis).not.toContain('sts:AssumeRole');
      expect(apis.filter((a: string) => a === 'ecs:DescribeTasks')).toHaveLength(1);
      const round = (api: string) => report.aws.calls.find((c: { api: string }) => c.api === api).round;
      expect(round('ecs:DescribeTasks')).toBe(1);
      expect(round('ecs:DescribeTaskDefinition')).toBe(2);
      expect(round('ec2:DescribeNetworkInterfaces')).toBe(2);
      expect(round('ecs:DescribeServices')).toBe(2);
    });

    it('assumes the configured role into the workload account and sees only that account', async () => {
      const r = await runCli(['why', remote.taskArn, '--json'], env);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.context.account).toBe(WORKLOAD);
      expect(report.context.network.subnetIds).toEqual([remoteNet.subnetId]);
      expect(report.context.taskDefinition.family).toBe('api');
      const calls = report.aws.calls as Array<{ api: string; round: number; account: string }>;
      expect(calls[0]).toMatchObject({ api: 'sts:AssumeRole', round: 1, account: WORKLOAD });
      expect(calls.find((c) => c.api === 'ecs:DescribeTasks')?.round).toBe(2);
      // The whole diagnosis (network, role, image facts) within five rounds with a cold role session.
      expect(report.aws.rounds).toBeLessThanOrEqual(5);

      // The same task id under the other account is not visible: accounts are really apart.
      const wrong = remote.taskArn.replace(WORKLOAD, MOTO_DEFAULT_ACCOUNT);
      const miss = await runCli(['why', wrong], env);
      expect(miss.code).toBe(3);
      expect(miss.stderr).toContain(`There is no cluster prod in account ${MOTO_DEFAULT_ACCOUNT}`);
    });

    it('prints readable text in English and in Italian', async () => {
      const en = await runCli(['why', own.taskArn], env);
      expect(en.code).toBe(0);
      expect(en.stdout).toContain(`ecs-pull · task ${own.taskId}`);
      expect(en.stdout).toContain('Stopped reason: CannotPullContainerError');
      expect(en.stdout).toContain(`Subnets: ${ownNet.subnetId}`);
      expect(en.stdout).toContain(`Security groups: ${ownNet.securityGroupId}`);
      expect(en.stdout).toMatch(/AWS: \d+ calls in [1-5] sequential rounds/);

      const it_ = await runCli(['why', own.taskArn, '--lang', 'it'], env);
      expect(it_.code).toBe(0);
      expect(it_.stdout).toContain(`ecs-pull · attività ${own.taskId}`);
      expect(it_.stdout).toContain("Motivo dell'arresto: CannotPullContainerError");
      expect(it_.stdout).toContain(`Sottoreti: ${ownNet.subnetId}`);
      expect(it_.stdout).toContain(`Gruppi di sicurezza: ${ownNet.securityGroupId}`);
      expect(it_.stdout).not.toContain('Stopped reason');
    });

    it('rebuilds a task ECS no longer shows from its EventBridge event', async () => {
      const goneId = 'f1e2d3c4b5a697887766554433221100';
      const goneArn = `arn:aws:ecs:eu-west-1:${WORKLOAD}:task/prod/${goneId}`;
      const withoutEvent = await runCli(['why', goneArn], env);
      expect(withoutEvent.code).toBe(3);
      expect(withoutEvent.stderr.trim().split('\n')).toHaveLength(1);
      expect(withoutEvent.stderr).toContain('--event FILE');

      const dir = mkdtempSync(join(tmpdir(), 'ecs-pull-event-'));
      const eventFile = join(dir, 'event.json');
      writeFileSync(
        eventFile,
        JSON.stringify({
          version: '0',
          id: '3f0c1a7e-7c1b-4b8e-9a53-4f0f2d1c9e11',
          'detail-type': 'ECS Task State Change',
          source: 'aws.ecs',
          account: WORKLOAD,
          time: '2026-11-28T09:12:44Z',
          region: 'eu-west-1',
          resources: [goneArn],
          detail: {
            taskArn: goneArn,
            clusterArn: `arn:aws:ecs:eu-west-1:${WORKLOAD}:cluster/prod`,
            taskDefinitionArn: remote.taskDefinitionArn,
            lastStatus: 'STOPPED',
            desiredStatus: 'STOPPED',
            stopCode: 'TaskFailedToStart',
            stoppedReason:
              'CannotPullContainerError: ref pull has been retried 5 time(s): failed to copy: httpReadSeeker: failed open: unexpected status code https://210987654321.dkr.ecr.eu-west-1.amazonaws.com/v2/api/blobs/sha256:9f: 403 Forbidden',
            stoppedAt: '2026-11-28T09:12:43.512Z',
            launchType: 'FARGATE',
            platformVersion: '1.4.0',
            group: 'family:api',
            availabilityZone: 'eu-west-1b',
            containers: [
              {
                name: 'app',
                image: `${WORKLOAD}.dkr.ecr.eu-west-1.amazonaws.com/api:2.0.1`,
                lastStatus: 'STOPPED',
              },
            ],
            attachments: [
              {
                type: 'eni',
                status: 'DELETED',
                details: [
                  { name: 'subnetId', value: remoteNet.subnetId },
                  { name: 'networkInterfaceId', value: 'eni-0a1b2c3d4e5f60718' },
                  { name: 'privateIPv4Address', value: '10.20.3.17' },
                ],
              },
            ],
          },
        }),
      );
      const r = await runCli(['why', goneArn, '--event', eventFile, '--json'], env);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.context.source).toBe('event');
      expect(report.context.fallbackReason).toBe('MISSING');
      expect(report.context.stopCode).toBe('TaskFailedToStart');
      expect(report.context.network.subnetIds).toEqual([remoteNet.subnetId]);
      expect(report.context.eni).toBe('gone');
      expect(report.context.taskDefinition.family).toBe('api');

      const text = await runCli(['why', goneArn, '--event', eventFile], env);
      expect(text.stdout).toContain('the context was rebuilt from the EventBridge event');
    });

    it('rebuilds a missing task from its service when asked to', async () => {
      const goneArn = `arn:aws:ecs:eu-west-1:${MOTO_DEFAULT_ACCOUNT}:task/shop/0a0b0c0d0e0f00112233445566778899`;
      const r = await runCli(['why', goneArn, '--service', 'checkout', '--json'], env);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.context.source).toBe('service');
      expect(report.context.network.subnetIds).toEqual([ownNet.subnetId]);
      expect(report.context.network.securityGroupIds).toEqual([ownNet.securityGroupId]);
      expect(report.context.origins.securityGroups).toBe('service');
      expect(report.context.network.assignPublicIp).toBe('DISABLED');
    });

    it('refuses an account that is not configured and not that of the credentials, naming both', async () => {
      const r = await runCli(['why', `arn:aws:ecs:eu-west-1:999999999999:task/prod/${'a'.repeat(32)}`], env);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(
        `Task account 999999999999 is not the account of your AWS credentials (${MOTO_DEFAULT_ACCOUNT})`,
      );
      for (const way of ['--role-arn', '--profile', 'accounts:']) expect(r.stderr).toContain(way);
    });

    it('saves the facts and replays them without AWS to the same report', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ecs-pull-facts-'));
      const file = join(dir, 'facts.json');
      const live = await runCli(['why', remote.taskArn, '--json', '--save-facts', file], env);
      expect(live.code).toBe(0);
      const saved = JSON.parse(readFileSync(file, 'utf8'));
      expect(saved.kind).toBe('ecs-pull-facts');
      // No AWS at all: no endpoint, no credentials.
      const replay = await runCli(['replay', file, '--json'], {});
      expect(replay.code).toBe(0);
      const a = JSON.parse(live.stdout);
      const b = JSON.parse(replay.stdout);
      expect(b.replayedFrom).toBe(file);
      expect(b.context).toEqual(a.context);
      expect(b.checks).toEqual(a.checks);
      expect(b.aws.callCount).toBe(a.aws.callCount);
    });
  },
);
