/**
 * Tasks that did not fail to pull, through the built CLI against moto (issue 14, point 3): a task that is still
 * running, and one whose essential container exited, each get `not-a-pull-failure` with what they stopped for, exit
 * 0, and no network or image check (no AWS call beyond the task's own context).
 */
import { RunTaskCommand } from '@aws-sdk/client-ecs';
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

/** What gathering a task's context calls; a pull diagnosis calls much more (subnets, route tables, ECR, IAM…). */
const CONTEXT_CALLS = new Set([
  'sts:AssumeRole',
  'ecs:DescribeTasks',
  'ecs:DescribeTaskDefinition',
  'ecs:DescribeServices',
  'ec2:DescribeNetworkInterfaces',
]);

describe.skipIf(!motoUrl)(
  `ecs-pull why: not a pull failure${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`,
  () => {
    let exited: StoppedTask;
    let pulled: StoppedTask;
    let runningArn: string;
    let env: Record<string, string>;

    beforeAll(async () => {
      const a = await motoAccount(motoUrl!, MOTO_DEFAULT_ACCOUNT);
      const net: Network = await createNetwork(a);
      // moto is shared by every end-to-end file, and foundation.test.ts creates the default name here too.
      const role = await createExecutionRole(a, 'not-a-pull-execution');
      exited = await runStoppedTask(a, net, {
        executionRoleArn: role,
        cluster: 'jobs',
        family: 'nightly',
        stoppedReason: 'Essential container in task exited',
      });
      pulled = await runStoppedTask(a, net, { executionRoleArn: role, cluster: 'jobs', family: 'nightly' });
      const run = await a.ecs.send(
        new RunTaskCommand({
          cluster: 'jobs',
          taskDefinition: exited.taskDefinitionArn,
          launchType: 'FARGATE',
          networkConfiguration: {
            awsvpcConfiguration: { subnets: [net.subnetId], securityGroups: [net.securityGroupId] },
          },
        }),
      );
      runningArn = run.tasks![0]!.taskArn!;
      env = motoEnv(
        motoUrl!,
        writeConfig(['accounts:', `  "${MOTO_DEFAULT_ACCOUNT}":`, '    defaultCredentials: true'].join('\n')),
      );
    });

    it('a task whose essential container exited: not a pull failure, in its own words, no pull check', async () => {
      const r = await runCli(['why', exited.taskArn, '--json'], env);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.causes.map((c: { id: string }) => c.id)).toEqual(['not-a-pull-failure']);
      expect(report.causes[0].confidence).toBe(1);
      expect(report.causes[0].summary.text).toMatch(/its container app exited with code \d+/);
      expect(report.causes[0].fragments).toEqual(['Essential container in task exited']);
      expect(report.checks).toEqual([]);
      const apis = new Set(report.aws.calls.map((c: { api: string }) => c.api));
      expect([...apis].filter((a) => !CONTEXT_CALLS.has(a as string))).toEqual([]);
      const text = await runCli(['why', exited.taskArn, '--lang', 'it'], env);
      expect(text.code).toBe(0);
      expect(text.stdout).toContain('non si tratta di un errore di pull');
      expect(text.stdout).not.toMatch(/sottorete|subnet-[0-9a-f]+ non ha/i);
    });

    it('a task that has not stopped: says so, claims nothing', async () => {
      const r = await runCli(['why', runningArn, '--json'], env);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.causes[0].id).toBe('not-a-pull-failure');
      expect(report.causes[0].summary.key).toBe('causes:not-a-pull-failure.summary.not-stopped');
      expect(report.causes[0].summary.text).toMatch(/has not stopped \(it is [A-Z]+\)/);
      expect(report.checks).toEqual([]);
    });

    it('a task that did fail to pull still gets the full diagnosis', async () => {
      const r = await runCli(['why', pulled.taskArn, '--json'], env);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.causes[0].id).not.toBe('not-a-pull-failure');
      expect(report.checks.length).toBeGreaterThan(15);
    });
  },
);
