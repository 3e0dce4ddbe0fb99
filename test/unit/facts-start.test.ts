/**
 * The start facts over the wire: CloudWatch Logs (JSON 1.1) for the awslogs log groups, in the group's own region,
 * with the key of an encrypted group; EFS (REST-JSON) for a volume's file system, mount targets, the security groups
 * of the one in the task's zone, its access point and file system policy. Which calls, in which round, each once;
 * a denied call making only the checks that need it unknown, naming the action.
 */
import { describe, expect, it } from 'vitest';
import { efsAuthorizationCheck } from '../../src/diagnosis/checks/efs/authorization.js';
import { mountTargetCheck } from '../../src/diagnosis/checks/efs/mount-target.js';
import { efsSecurityGroupsCheck } from '../../src/diagnosis/checks/efs/security-groups.js';
import { logKmsCheck } from '../../src/diagnosis/checks/logs/kms.js';
import type { Check } from '../../src/diagnosis/checks/types.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import type { EfsVolumeRecord } from '../../src/diagnosis/facts/efs.js';
import type { LogGroupRecord } from '../../src/diagnosis/facts/logs.js';
import type { Report, SavedFacts } from '../../src/diagnosis/report.js';
import {
  assumeRoleXml,
  ec2Error,
  efsCall,
  efsError,
  fixture,
  jsonCall,
  jsonError,
  queryCall,
} from '../helpers/aws-wire.js';
import { english } from '../helpers/checks.js';
import { CHECKOUT_TARGET, unitPool, useNock } from '../helpers/unit.js';

useNock();
const R = 'eu-south-1';
const ACCOUNT = '210987654321';
const VPC_ID = 'vpc-0123456789abcdef0';
const FS = 'fs-0a1b2c3d4e5f60718';
const AP = 'fsap-0123456789abcdef0';
const TASK_SG = 'sg-0c1d2e3f4a5b6c7d8';
const MT_SG = 'sg-0efs00000000000001';
const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`;

/** The checkout task, its definition changed by `td` (a function of the definition), its service and gone ENI. */
function task(
  td: (d: Record<string, unknown> & { containerDefinitions: Array<Record<string, unknown>> }) => void,
) {
  queryCall(
    'sts',
    R,
    'AssumeRole',
    200,
    assumeRoleXml(`arn:aws:iam::${ACCOUNT}:role/ecs-pull-diagnostics`, 'ecs-pull-cli-alice'),
  );
  jsonCall('ecs', R, 'DescribeTasks', 200, fixture('aws/ecs-describe-tasks-stopped.json'));
  const def = JSON.parse(fixture('aws/ecs-describe-task-definition.json'));
  td(def.taskDefinition);
  jsonCall('ecs', R, 'DescribeTaskDefinition', 200, def);
  jsonCall('ecs', R, 'DescribeServices', 200, fixture('aws/ecs-describe-services.json'));
  queryCall(
    'ec2',
    R,
    'DescribeNetworkInterfaces',
    400,
    ec2Error('InvalidNetworkInterfaceID.NotFound', 'gone'),
  );
}

const run = (checks: readonly Check[]) =>
  diagnose(
    { target: CHECKOUT_TARGET, requester: 'cli-alice' },
    { pool: unitPool(), deadlineMs: 5000, checks },
  );

function rounds(report: Report): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const c of report.aws.calls) out[c.api] = [...(out[c.api] ?? []), c.round];
  for (const k of Object.keys(out)) out[k]!.sort();
  return out;
}

const check = (report: Report, id: string) => report.checks.find((c) => c.id === id)!;
const factValue = <T>(saved: SavedFacts, name: string) => (saved.facts[name] as { value: T }).value;

/** A DescribeLogGroups answer as CloudWatch Logs writes it. */
function logGroup(name: string, region: string, extra: Record<string, unknown> = {}) {
  const arn = `arn:aws:logs:${region}:${ACCOUNT}:log-group:${name}`;
  return {
    arn: `${arn}:*`,
    creationTime: 1795800000512,
    logGroupArn: arn,
    logGroupClass: 'STANDARD',
    logGroupName: name,
    metricFilterCount: 0,
    storedBytes: 0,
    ...extra,
  };
}

describe('log group facts over the wire (CloudWatch Logs JSON 1.1)', () => {
  it('asks the group’s own region by name prefix, matches the exact name, then describes its key', async () => {
    task((d) => {
      (d.containerDefinitions[0]!.logConfiguration as { options: Record<string, string> }).options[
        'awslogs-region'
      ] = 'eu-west-1';
    });
    jsonCall(
      'logs',
      'eu-west-1',
      'DescribeLogGroups',
      200,
      {
        logGroups: [
          logGroup('/ecs/checkout', 'eu-west-1', { kmsKeyId: KEY, retentionInDays: 30 }),
          logGroup('/ecs/checkout-old', 'eu-west-1'),
        ],
      },
      (b) => b.logGroupNamePrefix === '/ecs/checkout',
    );
    jsonCall(
      'kms',
      'eu-west-1',
      'DescribeKey',
      200,
      { KeyMetadata: { KeyId: KEY.split('/')[1], Arn: KEY, KeyState: 'Disabled', KeyManager: 'CUSTOMER' } },
      (b) => b.KeyId === KEY,
    );
    const { report, saved } = await run([logKmsCheck]);
    const [g] = factValue<LogGroupRecord[]>(saved, 'logs.groups');
    expect(g).toMatchObject({
      group: '/ecs/checkout',
      region: 'eu-west-1',
      exists: true,
      kmsKeyId: KEY,
      retentionInDays: 30,
      key: { arn: KEY, state: 'Disabled', manager: 'CUSTOMER' },
      streamArn: `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/ecs/checkout:log-stream:ecs/checkout/${CHECKOUT_TARGET.taskId}`,
    });
    const kms = check(report, 'logs.kms');
    expect(kms.status).toBe('fail');
    expect(english(kms.message)).toContain('Disabled');
    const r = rounds(report);
    expect(r['logs:DescribeLogGroups']).toEqual([4]);
    expect(r['kms:DescribeKey']).toEqual([5]);
    expect(report.aws.calls.find((c) => c.api === 'logs:DescribeLogGroups')?.region).toBe('eu-west-1');
  });

  it('records a group whose name only prefixes others as missing', async () => {
    task(() => {});
    jsonCall('logs', R, 'DescribeLogGroups', 200, { logGroups: [logGroup('/ecs/checkout-old', R)] });
    const { report, saved } = await run([logKmsCheck]);
    expect(factValue<LogGroupRecord[]>(saved, 'logs.groups')[0]).toMatchObject({ exists: false });
    expect(check(report, 'logs.kms').message.key).toBe('logs:kms.skip.no-key');
  });

  it('keeps a denied DescribeLogGroups on the group, naming the action', async () => {
    task(() => {});
    jsonCall(
      'logs',
      R,
      'DescribeLogGroups',
      400,
      jsonError(
        'AccessDeniedException',
        `User: arn:aws:sts::${ACCOUNT}:assumed-role/ecs-pull-diagnostics/x is not authorized to perform: logs:DescribeLogGroups`,
      ),
    );
    const { saved } = await run([logKmsCheck]);
    expect(factValue<LogGroupRecord[]>(saved, 'logs.groups')[0]!.error).toMatchObject({
      kind: 'denied',
      action: 'logs:DescribeLogGroups',
    });
  });
});

/** The task definition with an EFS volume mounted by the checkout container through an access point. */
function withVolume(d: Record<string, unknown> & { containerDefinitions: Array<Record<string, unknown>> }) {
  d.volumes = [
    {
      name: 'uploads',
      efsVolumeConfiguration: {
        fileSystemId: FS,
        rootDirectory: '/',
        transitEncryption: 'ENABLED',
        authorizationConfig: { accessPointId: AP, iam: 'DISABLED' },
      },
    },
  ];
  d.containerDefinitions[0]!.mountPoints = [
    { sourceVolume: 'uploads', containerPath: '/srv/uploads', readOnly: false },
  ];
}

/** The VPC-level EC2 answers the EFS checks read: subnets, DNS attributes, the VPC's security groups. */
function ec2(mtIngressPort = 2049) {
  queryCall('ec2', R, 'DescribeSubnets', 200, fixture('aws/ec2-describe-subnets.xml'));
  for (const attr of ['enableDnsSupport', 'enableDnsHostnames'])
    queryCall(
      'ec2',
      R,
      'DescribeVpcAttribute',
      200,
      fixture('aws/ec2-describe-vpc-attribute.xml', { ATTRIBUTE: attr, VALUE: 'true' }),
      (p) => p.get('Attribute') === attr,
    );
  const group = (id: string, name: string, ingress: string, egress: string) =>
    `<item><ownerId>${ACCOUNT}</ownerId><groupId>${id}</groupId><groupName>${name}</groupName><groupDescription>${name}</groupDescription><vpcId>${VPC_ID}</vpcId><ipPermissions>${ingress}</ipPermissions><ipPermissionsEgress>${egress}</ipPermissionsEgress></item>`;
  const allOut =
    '<item><ipProtocol>-1</ipProtocol><groups/><ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges><ipv6Ranges/><prefixListIds/></item>';
  const nfsFromTask = `<item><ipProtocol>tcp</ipProtocol><fromPort>${mtIngressPort}</fromPort><toPort>${mtIngressPort}</toPort><groups><item><userId>${ACCOUNT}</userId><groupId>${TASK_SG}</groupId></item></groups><ipRanges/><ipv6Ranges/><prefixListIds/></item>`;
  queryCall(
    'ec2',
    R,
    'DescribeSecurityGroups',
    200,
    `<?xml version="1.0" encoding="UTF-8"?><DescribeSecurityGroupsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>edb7c570-be05-4192-bd1b-example</requestId><securityGroupInfo>${group(TASK_SG, 'checkout-task', '', allOut)}${group(MT_SG, 'efs-mount-targets', nfsFromTask, allOut)}</securityGroupInfo></DescribeSecurityGroupsResponse>`,
  );
}

/** EFS's answers for the volume: the file system, two mount targets (eu-south-1a and 1b), the access point. */
function efs(opts: { policy?: 'none' | 'denied'; groups?: 'ok' | 'denied'; zones?: string[] } = {}) {
  efsCall(R, 'file-systems', { FileSystemId: FS }, 200, {
    FileSystems: [
      {
        OwnerId: ACCOUNT,
        CreationToken: 'checkout-uploads',
        FileSystemId: FS,
        FileSystemArn: `arn:aws:elasticfilesystem:${R}:${ACCOUNT}:file-system/${FS}`,
        CreationTime: 1795800000,
        LifeCycleState: 'available',
        Name: 'checkout-uploads',
        NumberOfMountTargets: 2,
        SizeInBytes: { Value: 6144, ValueInIA: 0, ValueInStandard: 6144 },
        PerformanceMode: 'generalPurpose',
        Encrypted: true,
        ThroughputMode: 'elastic',
        Tags: [{ Key: 'Name', Value: 'checkout-uploads' }],
      },
    ],
  });
  const zones = opts.zones ?? ['eu-south-1a', 'eu-south-1b'];
  efsCall(R, 'mount-targets', { FileSystemId: FS }, 200, {
    MountTargets: zones.map((zone, i) => ({
      OwnerId: ACCOUNT,
      MountTargetId: `fsmt-0${'ab'[i]!.repeat(15)}${i + 1}`,
      FileSystemId: FS,
      SubnetId: i === 0 ? 'subnet-0a1b2c3d4e5f67890' : 'subnet-0b1b2c3d4e5f67891',
      LifeCycleState: 'available',
      IpAddress: `10.40.${12 + i}.200`,
      NetworkInterfaceId: `eni-0${String(i + 1).repeat(16)}`,
      AvailabilityZoneId: `eus1-az${i + 1}`,
      AvailabilityZoneName: zone,
      VpcId: VPC_ID,
    })),
  });
  efsCall(R, 'access-points', { AccessPointId: AP }, 200, {
    AccessPoints: [
      {
        ClientToken: 'uploads',
        Name: 'uploads',
        Tags: [],
        AccessPointId: AP,
        AccessPointArn: `arn:aws:elasticfilesystem:${R}:${ACCOUNT}:access-point/${AP}`,
        FileSystemId: FS,
        PosixUser: { Uid: 1000, Gid: 1000 },
        RootDirectory: {
          Path: '/uploads',
          CreationInfo: { OwnerUid: 1000, OwnerGid: 1000, Permissions: '750' },
        },
        OwnerId: ACCOUNT,
        LifeCycleState: 'available',
      },
    ],
  });
  if (opts.policy === 'denied')
    efsCall(R, `file-systems/${FS}/policy`, {}, 403, {
      ErrorCode: 'AccessDeniedException',
      Message: 'not authorized to perform: elasticfilesystem:DescribeFileSystemPolicy',
    });
  else
    efsCall(
      R,
      `file-systems/${FS}/policy`,
      {},
      404,
      efsError('PolicyNotFound', `No File System Policy for File System ${FS}`),
    );
  if (!zones.includes('eu-south-1a')) return;
  if (opts.groups === 'denied')
    efsCall(R, `mount-targets/fsmt-0${'a'.repeat(15)}1/security-groups`, {}, 403, {
      ErrorCode: 'AccessDeniedException',
      Message: 'not authorized to perform: elasticfilesystem:DescribeMountTargetSecurityGroups',
    });
  else
    efsCall(R, `mount-targets/fsmt-0${'a'.repeat(15)}1/security-groups`, {}, 200, {
      SecurityGroups: [MT_SG],
    });
}

const efsChecks = [mountTargetCheck, efsSecurityGroupsCheck, efsAuthorizationCheck];

describe('EFS facts over the wire (REST-JSON)', () => {
  it('reads the file system, mount targets, access point and policy at once, then the groups of the task zone’s mount target', async () => {
    task(withVolume);
    ec2();
    efs();
    const { report, saved } = await run(efsChecks);
    const [v] = factValue<EfsVolumeRecord[]>(saved, 'efs.volumes');
    expect(v).toMatchObject({
      fileSystemId: FS,
      accessPointId: AP,
      fileSystem: { exists: true, lifeCycleState: 'available', encrypted: true },
      accessPoint: {
        exists: true,
        fileSystemId: FS,
        rootDirectory: '/uploads',
        posixUser: { uid: 1000, gid: 1000 },
      },
      policy: null,
      errors: [],
    });
    expect(v!.mountTargets!.map((m) => [m.availabilityZoneName, m.securityGroups])).toEqual([
      ['eu-south-1a', [MT_SG]],
      ['eu-south-1b', undefined],
    ]);
    for (const id of ['efs.mount-target', 'efs.security-groups', 'efs.authorization'])
      expect(check(report, id).status, id).toBe('pass');
    const r = rounds(report);
    for (const api of [
      'elasticfilesystem:DescribeFileSystems',
      'elasticfilesystem:DescribeMountTargets',
      'elasticfilesystem:DescribeAccessPoints',
      'elasticfilesystem:DescribeFileSystemPolicy',
    ])
      expect(r[api], api).toEqual([4]);
    expect(r['elasticfilesystem:DescribeMountTargetSecurityGroups']).toEqual([5]);
    expect(report.aws.rounds).toBe(5);
    // No IAM authorization: nothing is asked of the task role.
    expect(Object.keys(r).filter((a) => a.startsWith('iam:'))).toEqual([]);
  });

  it('a mount target missing from the task’s zone: no group is read, the mount target check fails', async () => {
    task(withVolume);
    ec2();
    efs({ zones: ['eu-south-1b'] });
    const { report } = await run(efsChecks);
    const mt = check(report, 'efs.mount-target');
    expect(mt.status).toBe('fail');
    expect(english(mt.message)).toContain('no mount target in eu-south-1a');
    expect(check(report, 'efs.security-groups').status).toBe('skip');
    expect(
      report.aws.calls.some((c) => c.api === 'elasticfilesystem:DescribeMountTargetSecurityGroups'),
    ).toBe(false);
  });

  it('a denied policy or group read makes only the check that needs it unknown, naming the action', async () => {
    task(withVolume);
    ec2();
    efs({ policy: 'denied', groups: 'denied' });
    const { report } = await run(efsChecks);
    expect(check(report, 'efs.mount-target').status).toBe('pass');
    const sg = check(report, 'efs.security-groups');
    expect(sg.status).toBe('unknown');
    expect(sg.missing?.error.action).toBe('elasticfilesystem:DescribeMountTargetSecurityGroups');
    const auth = check(report, 'efs.authorization');
    expect(auth.status).toBe('unknown');
    expect(auth.missing?.error).toMatchObject({
      kind: 'denied',
      action: 'elasticfilesystem:DescribeFileSystemPolicy',
    });
  });

  it('a file system that does not exist: FileSystemNotFound read as a fact, not an error', async () => {
    task(withVolume);
    ec2();
    const notFound = efsError('FileSystemNotFound', `File system '${FS}' does not exist.`);
    efsCall(R, 'file-systems', { FileSystemId: FS }, 404, notFound);
    efsCall(R, 'mount-targets', { FileSystemId: FS }, 404, notFound);
    efsCall(
      R,
      'access-points',
      { AccessPointId: AP },
      404,
      efsError('AccessPointNotFound', `Access point '${AP}' does not exist.`),
    );
    efsCall(R, `file-systems/${FS}/policy`, {}, 404, notFound);
    const { report, saved } = await run(efsChecks);
    const [v] = factValue<EfsVolumeRecord[]>(saved, 'efs.volumes');
    expect(v).toMatchObject({
      fileSystem: { exists: false },
      mountTargets: [],
      accessPoint: { exists: false },
      errors: [],
    });
    expect(check(report, 'efs.mount-target').message.key).toBe('efs:mount-target.fail.no-file-system');
    expect(check(report, 'efs.authorization').message.key).toBe('efs:authorization.skip.no-file-system');
  });
});
