/**
 * The checkout fixture (identity/healthy.json) given what the start checks read: its awslogs log group as
 * logs.groups gathers it and the execution role's answers about writing there; an EFS volume with its file system,
 * mount targets and the task role's answers.
 */
import type { EfsVolumeRecord } from '../../src/diagnosis/facts/efs.js';
import type { SimulationRecord } from '../../src/diagnosis/facts/iam.js';
import type { LogGroupRecord } from '../../src/diagnosis/facts/logs.js';
import type { SavedFacts } from '../../src/diagnosis/report.js';
import { loadFacts, setFact, value } from './checks.js';

export const R = 'eu-south-1';
export const ACCOUNT = '210987654321';
export const TASK_ID = '3f9d2b1c8e7a4d6f9b0c1a2e3d4f5a6b';
export const GROUP_ARN = `arn:aws:logs:${R}:${ACCOUNT}:log-group:/ecs/checkout`;
export const STREAM = `${GROUP_ARN}:log-stream:ecs/checkout/${TASK_ID}`;
export const EXECUTION_ROLE = `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`;
export const TASK_ROLE = `arn:aws:iam::${ACCOUNT}:role/checkout-task`;
export const FS = 'fs-0a1b2c3d4e5f60718';
export const FS_ARN = `arn:aws:elasticfilesystem:${R}:${ACCOUNT}:file-system/${FS}`;
export const AP = 'fsap-0123456789abcdef0';
export const TASK_SG = 'sg-0c1d2e3f4a5b6c7d8';
export const MT_SG = 'sg-0efs00000000000001';

/** The checkout log group as logs.groups records it: it exists. */
export function checkoutGroup(extra: Partial<LogGroupRecord> = {}): LogGroupRecord {
  return {
    group: '/ecs/checkout',
    region: R,
    account: ACCOUNT,
    containers: ['checkout'],
    createGroup: false,
    streamPrefix: 'ecs',
    arn: GROUP_ARN,
    streamArn: STREAM,
    exists: true,
    logGroupClass: 'STANDARD',
    ...extra,
  };
}

/** The fixture with its log group gathered and the execution role's answers on the stream (and on creating it). */
export function withLogs(
  opts: {
    group?: Partial<LogGroupRecord>;
    write?: SimulationRecord['decision'];
    create?: SimulationRecord['decision'];
    createGroup?: boolean;
  } = {},
): SavedFacts {
  const s = loadFacts('identity/healthy.json');
  if (opts.createGroup) {
    const c = value(s, 'ecs.taskDefinition').containerDefinitions![0]!;
    c.logConfiguration!.options!['awslogs-create-group'] = 'true';
  }
  setFact(s, 'logs.groups', [checkoutGroup({ createGroup: !!opts.createGroup, ...opts.group })]);
  const sim = value(s, 'iam.executionRoleSimulation');
  for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents'])
    sim.push({ action, resource: STREAM, decision: opts.write ?? 'allowed' });
  if (opts.createGroup)
    sim.push({
      action: 'logs:CreateLogGroup',
      resource: `${GROUP_ARN}:*`,
      decision: opts.create ?? 'allowed',
    });
  return s;
}

/** The checkout EFS volume as efs.volumes records it: a file system with a mount target in eu-south-1a. */
export function checkoutVolume(extra: Partial<EfsVolumeRecord> = {}): EfsVolumeRecord {
  return {
    volume: 'uploads',
    fileSystemId: FS,
    transitEncryption: 'ENABLED',
    iam: 'DISABLED',
    containers: ['checkout'],
    readOnly: false,
    arn: FS_ARN,
    fileSystem: { exists: true, arn: FS_ARN, lifeCycleState: 'available', encrypted: true },
    mountTargets: [
      {
        mountTargetId: 'fsmt-0aaaaaaaaaaaaaaa1',
        subnetId: 'subnet-0a1b2c3d4e5f67890',
        vpcId: 'vpc-0123456789abcdef0',
        availabilityZoneName: 'eu-south-1a',
        availabilityZoneId: 'eus1-az1',
        lifeCycleState: 'available',
        ipAddress: '10.40.12.200',
        securityGroups: [MT_SG],
      },
      {
        mountTargetId: 'fsmt-0bbbbbbbbbbbbbbb2',
        subnetId: 'subnet-0b1b2c3d4e5f67891',
        vpcId: 'vpc-0123456789abcdef0',
        availabilityZoneName: 'eu-south-1b',
        availabilityZoneId: 'eus1-az2',
        lifeCycleState: 'available',
        ipAddress: '10.40.13.200',
      },
    ],
    policy: null,
    errors: [],
    ...extra,
  };
}

/**
 * The fixture with an EFS volume mounted by the checkout container (IAM authorization and an access point as
 * asked), the mount target's security group letting NFS in from the task, and the volume gathered.
 */
export function withEfs(
  opts: {
    volume?: Partial<EfsVolumeRecord>;
    iam?: boolean;
    accessPoint?: boolean;
    readOnly?: boolean;
    mtIngress?: boolean;
  } = {},
): SavedFacts {
  const s = loadFacts('identity/healthy.json');
  const td = value(s, 'ecs.taskDefinition');
  if (opts.iam) td.taskRoleArn = TASK_ROLE;
  td.volumes = [
    {
      name: 'uploads',
      efsVolumeConfiguration: {
        fileSystemId: FS,
        transitEncryption: 'ENABLED',
        ...(opts.iam || opts.accessPoint
          ? {
              authorizationConfig: {
                ...(opts.accessPoint ? { accessPointId: AP } : {}),
                ...(opts.iam ? { iam: 'ENABLED' } : {}),
              },
            }
          : {}),
      },
    },
  ];
  td.containerDefinitions![0]!.mountPoints = [
    { sourceVolume: 'uploads', containerPath: '/srv/uploads', readOnly: !!opts.readOnly },
  ];
  const volume = checkoutVolume({
    iam: opts.iam ? 'ENABLED' : 'DISABLED',
    readOnly: !!opts.readOnly,
    ...(opts.accessPoint
      ? {
          accessPointId: AP,
          accessPointArn: `arn:aws:elasticfilesystem:${R}:${ACCOUNT}:access-point/${AP}`,
          accessPoint: {
            accessPointId: AP,
            exists: true,
            fileSystemId: FS,
            lifeCycleState: 'available',
            rootDirectory: '/uploads',
            posixUser: { uid: 1000, gid: 1000 },
          },
        }
      : {}),
    ...opts.volume,
  });
  setFact(s, 'efs.volumes', [volume]);
  value(s, 'ec2.securityGroups').push({
    groupId: MT_SG,
    groupName: 'efs-mount-targets',
    vpcId: 'vpc-0123456789abcdef0',
    ingress:
      opts.mtIngress === false
        ? [
            {
              protocol: 'tcp',
              fromPort: 22,
              toPort: 22,
              cidrs: ['10.40.0.0/16'],
              ipv6Cidrs: [],
              prefixListIds: [],
              groupIds: [],
            },
          ]
        : [
            {
              protocol: 'tcp',
              fromPort: 2049,
              toPort: 2049,
              cidrs: [],
              ipv6Cidrs: [],
              prefixListIds: [],
              groupIds: [TASK_SG],
            },
          ],
    egress: [],
  });
  return s;
}

/** The task role's simulation answers on the file system (IAM authorization). */
export function taskRoleAnswers(
  s: SavedFacts,
  decision: SimulationRecord['decision'],
  actions?: string[],
): void {
  setFact(
    s,
    'iam.taskRoleSimulation',
    (actions ?? ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite']).map((action) => ({
      action,
      resource: FS_ARN,
      decision,
    })),
  );
  setFact(s, 'iam.taskRolePolicies', { reason: null, policies: [] });
}
