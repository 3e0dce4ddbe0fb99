/**
 * What a task needs to start besides its images (issue 16, sections 2 and 3), end to end on moto with the real
 * providers: a logger-args failure in a private subnet with the ECR and S3 endpoints but no logs endpoint, a missing
 * log group, an EFS file system whose only mount target sits in another zone, and a mount target security group
 * without NFS. Every scenario lives in an account of its own (moto is shared by the whole run).
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { Report } from '../../src/diagnosis/report.js';
import { translator } from '../../src/i18n.js';
import { renderText } from '../../src/render/text.js';
import { type MotoAccount, motoAccount, runStoppedTask, type TaskSpec } from '../helpers/aws-scenario.js';
import { english } from '../helpers/checks.js';
import { createRepository, pullingRole, pushImage } from '../helpers/identity-scenario.js';
import { diagnoseInMoto, useMotoEndpoint } from '../helpers/moto-engine.js';
import { endpointPath, type Layout, natPath } from '../helpers/network-scenario.js';
import {
  awslogsContainer,
  createFileSystem,
  createLogGroup,
  dataMount,
  efsVolume,
  mountTargetGroup,
  otherZoneSubnet,
} from '../helpers/start-scenario.js';

const motoUrl = inject('motoUrl');

let n = 0;
/** A fresh account of this file's own (38…): moto is one server for every e2e file of the run. */
const freshAccount = () => {
  n++;
  return motoAccount(motoUrl!, `38${String(Date.now()).slice(-6)}${String(n).padStart(4, '0')}`);
};

const LOGGER_TIMEOUT = (region: string) =>
  `ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: RequestError: send request failed caused by: Post "https://logs.${region}.amazonaws.com/": dial tcp 3.248.0.12:443: i/o timeout : exit status 1`;
const LOG_GROUP_MISSING =
  'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1';
const EFS_RESOLVE = (fs: string, region: string) =>
  `ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: Failed to resolve "${fs}.efs.${region}.amazonaws.com" - check that your file system ID is correct, and ensure that the VPC has an EFS mount target for this file system ID. : unsuccessful EFS utils command execution; code: 1`;
const EFS_TIMEOUT =
  'ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: mount.nfs4: Connection timed out : unsuccessful EFS utils command execution; code: 32';

/** An image that exists, an execution role with AmazonECSTaskExecutionRolePolicy, and the task stopped with `reason`. */
async function start(a: MotoAccount, net: Layout, spec: TaskSpec & { stoppedReason: string }) {
  await createRepository(a, 'orders');
  await pushImage(a, 'orders', '3.1.0');
  const image = `${a.account}.dkr.ecr.${a.region}.amazonaws.com/orders:3.1.0`;
  const task = await runStoppedTask(a, net, {
    family: 'orders',
    cluster: 'start-failures',
    executionRoleArn: await pullingRole(a, 'orders-execution'),
    image,
    ...spec,
    containers: spec.containers ?? [awslogsContainer(a, image, '/ecs/orders')],
  });
  return (await diagnoseInMoto(motoUrl!, task.taskArn)).report;
}

const imageOf = (a: MotoAccount) => `${a.account}.dkr.ecr.${a.region}.amazonaws.com/orders:3.1.0`;
const checkOf = (r: Report, id: string) => r.checks.find((c) => c.id === id)!;

describe.skipIf(!motoUrl)(
  `start failures on moto: log groups and EFS volumes${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`,
  () => {
    beforeAll(() => useMotoEndpoint(motoUrl!));

    it('logger args time out in a private subnet with ECR and S3 endpoints but no logs endpoint → the logs endpoint, named', async () => {
      const a = await freshAccount();
      const net = await endpointPath(a, { interfaces: ['ecr.api', 'ecr.dkr'], s3Gateway: true });
      await createLogGroup(a, '/ecs/orders');
      const report = await start(a, net, { stoppedReason: LOGGER_TIMEOUT(a.region) });
      const required = checkOf(report, 'endpoints.required');
      expect(required.status).toBe('fail');
      expect(english(required.message)).toContain(`com.amazonaws.${a.region}.logs (Interface)`);
      expect(english(required.message)).not.toContain('ecr.dkr (Interface)');
      // The group exists and the role may write there: the log configuration is not what stopped it.
      expect(checkOf(report, 'logs.log-group').status).toBe('pass');
      expect(checkOf(report, 'logs.permissions').status).toBe('pass');
      const top = report.causes[0]!;
      expect(top.id).toBe('vpc-endpoint');
      expect(top.basis).toBe('both');
      expect(top.summary!.key).toBe('causes:vpc-endpoint.summary.start');
      const en = renderText(report, translator('en'));
      expect(en).toContain(
        `lacks endpoints the task needs to start (com.amazonaws.${a.region}.logs (Interface))`,
      );
      const it_ = renderText(report, translator('it'));
      expect(it_).toContain(`com.amazonaws.${a.region}.logs (Interface)`);
      expect(report.causes.map((c) => c.id)).not.toContain('log-configuration');
    });

    it('a missing log group without awslogs-create-group → logs.log-group fails, log-configuration first', async () => {
      const a = await freshAccount();
      const net = await natPath(a);
      await createLogGroup(a, '/ecs/orders-old');
      const report = await start(a, net, { stoppedReason: LOG_GROUP_MISSING });
      const group = checkOf(report, 'logs.log-group');
      expect(group.status).toBe('fail');
      expect(english(group.message)).toContain(`Log group /ecs/orders does not exist in ${a.region}`);
      expect(group.links.map((l) => l.kind)).toEqual(['log-group']);
      const top = report.causes[0]!;
      expect(top.id).toBe('log-configuration');
      expect(top.confidence).toBeGreaterThanOrEqual(0.9);
      expect(english(top.summary!)).toBe(
        'Log group /ecs/orders does not exist and nothing creates it, so the awslogs driver cannot start the container.',
      );
      expect(english(top.remediation!)).toContain(`Create log group /ecs/orders in ${a.region}`);
      // The execution role (AmazonECSTaskExecutionRolePolicy, evaluated here: moto has no simulation) may write logs.
      expect(checkOf(report, 'logs.permissions').status).toBe('pass');
      expect(report.aws.calls.filter((c) => c.api === 'logs:DescribeLogGroups')).toHaveLength(1);
    });

    it('an EFS file system whose only mount target is in another zone → efs.mount-target fails, efs-mount first', async () => {
      const a = await freshAccount();
      const net = await natPath(a);
      await createLogGroup(a, '/ecs/orders');
      const elsewhere = await otherZoneSubnet(a, net);
      const sg = await mountTargetGroup(a, net);
      const { fileSystemId } = await createFileSystem(a, { subnets: [elsewhere], securityGroups: [sg] });
      const report = await start(a, net, {
        stoppedReason: EFS_RESOLVE(fileSystemId, a.region),
        containers: [{ ...awslogsContainer(a, imageOf(a), '/ecs/orders'), mountPoints: dataMount }],
        taskDefinition: { volumes: [efsVolume(fileSystemId)] },
      });
      const mt = checkOf(report, 'efs.mount-target');
      expect(mt.status).toBe('fail');
      expect(english(mt.message)).toContain(
        `${fileSystemId} (volume data) has no mount target in ${a.region}a`,
      );
      expect(english(mt.message)).toContain(`mount targets in: ${a.region}b`);
      expect(english(mt.remediation!)).toContain(`subnet ${net.subnetId}`);
      expect(checkOf(report, 'efs.security-groups').status).toBe('skip');
      expect(report.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual(['efs.mount-target']);
      const top = report.causes[0]!;
      expect(top.id).toBe('efs-mount');
      expect(top.summary!.key).toBe('causes:efs-mount.summary.zone');
      expect(english(top.remediation!)).toContain(`Create a mount target of ${fileSystemId} in ${a.region}a`);
      // The mount target of the other zone is not the task's: its groups are not asked for.
      expect(
        report.aws.calls.some((c) => c.api === 'elasticfilesystem:DescribeMountTargetSecurityGroups'),
      ).toBe(false);
    });

    it('a mount target security group without TCP 2049 from the task → efs.security-groups fails, efs-mount first', async () => {
      const a = await freshAccount();
      const net = await natPath(a);
      await createLogGroup(a, '/ecs/orders');
      const sg = await mountTargetGroup(a, net, false);
      const { fileSystemId, accessPointId } = await createFileSystem(a, {
        subnets: [net.subnetId],
        securityGroups: [sg],
        accessPoint: true,
      });
      const report = await start(a, net, {
        stoppedReason: EFS_TIMEOUT,
        containers: [{ ...awslogsContainer(a, imageOf(a), '/ecs/orders'), mountPoints: dataMount }],
        taskDefinition: { volumes: [efsVolume(fileSystemId, { accessPointId })] },
      });
      expect(checkOf(report, 'efs.mount-target').status).toBe('pass');
      const groups = checkOf(report, 'efs.security-groups');
      expect(groups.status).toBe('fail');
      expect(groups.message.key).toBe('efs:security-groups.fail.ingress');
      expect(english(groups.remediation!)).toBe(
        `Add an inbound rule to ${sg}: TCP 2049 from ${net.securityGroupId}.`,
      );
      expect(groups.links.map((l) => l.id)).toContain(sg);
      // No file system policy, the access point exists on the file system: nothing refuses the mount but the network.
      expect(checkOf(report, 'efs.authorization').status).toBe('pass');
      const top = report.causes[0]!;
      expect(top.id).toBe('efs-mount');
      expect(top.summary!.key).toBe('causes:efs-mount.summary.port');
      const it_ = renderText(report, translator('it'));
      expect(it_).toContain(
        `Soluzione: Fai passare NFS (TCP 2049): in ingresso su ${sg} da ${net.securityGroupId}`,
      );
      expect(it_).toContain(
        `non consentono NFS (TCP 2049) in ingresso dall'attività, quindi il montaggio di ${fileSystemId}`,
      );
      // Nothing else is wrong with this task: its log group exists.
      expect(report.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual([
        'efs.security-groups',
      ]);
    });
  },
);
