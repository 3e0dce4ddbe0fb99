/**
 * What a task needs to start besides its images, built in moto for the end-to-end tests: an awslogs log group,
 * an EFS file system with mount targets (in chosen subnets, with chosen security groups), the task definition's
 * EFS volume and log configuration.
 */
import { CloudWatchLogsClient, CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
} from '@aws-sdk/client-ec2';
import type { ContainerDefinition, Volume } from '@aws-sdk/client-ecs';
import {
  CreateAccessPointCommand,
  CreateFileSystemCommand,
  CreateMountTargetCommand,
  EFSClient,
  PutFileSystemPolicyCommand,
} from '@aws-sdk/client-efs';
import type { MotoAccount, Network } from './aws-scenario.js';

function clients(a: MotoAccount) {
  const cfg = { region: a.region, endpoint: a.url, credentials: a.credentials, maxAttempts: 1 };
  return { logs: new CloudWatchLogsClient(cfg), efs: new EFSClient(cfg) };
}

/** A CloudWatch Logs log group (encrypted with a KMS key when given). */
export async function createLogGroup(a: MotoAccount, name: string, kmsKeyId?: string): Promise<void> {
  await clients(a).logs.send(
    new CreateLogGroupCommand({ logGroupName: name, ...(kmsKeyId ? { kmsKeyId } : {}) }),
  );
}

/** The app container, logging to `group` with the awslogs driver. */
export function awslogsContainer(
  a: MotoAccount,
  image: string,
  group: string,
  extra: Partial<ContainerDefinition> = {},
): ContainerDefinition {
  return {
    name: 'app',
    image,
    memory: 512,
    essential: true,
    logConfiguration: {
      logDriver: 'awslogs',
      options: { 'awslogs-group': group, 'awslogs-region': a.region, 'awslogs-stream-prefix': 'ecs' },
    },
    ...extra,
  };
}

/** Another subnet of the task's VPC, in another availability zone. */
export async function otherZoneSubnet(
  a: MotoAccount,
  net: Network,
  zone = 'b',
  cidr = '10.0.2.0/24',
): Promise<string> {
  const s = await a.ec2.send(
    new CreateSubnetCommand({ VpcId: net.vpcId, CidrBlock: cidr, AvailabilityZone: `${a.region}${zone}` }),
  );
  return s.Subnet!.SubnetId!;
}

/** A security group for mount targets: NFS in from the task's group, unless `nfs` is false (then only SSH). */
export async function mountTargetGroup(a: MotoAccount, net: Network, nfs = true): Promise<string> {
  const sg = await a.ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: `efs-mount-targets-${Date.now()}`,
      Description: 'mount targets',
      VpcId: net.vpcId,
    }),
  );
  const port = nfs ? 2049 : 22;
  await a.ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: sg.GroupId!,
      IpPermissions: [
        {
          IpProtocol: 'tcp',
          FromPort: port,
          ToPort: port,
          UserIdGroupPairs: [{ GroupId: net.securityGroupId }],
        },
      ],
    }),
  );
  return sg.GroupId!;
}

export interface FileSystemSpec {
  /** Subnets that get a mount target. */
  subnets: string[];
  securityGroups: string[];
  /** A file system policy document. */
  policy?: unknown;
  /** Create an access point (root /data, POSIX user 1000:1000). */
  accessPoint?: boolean;
}

/** An EFS file system with mount targets in the given subnets; its id and access point. */
export async function createFileSystem(
  a: MotoAccount,
  spec: FileSystemSpec,
): Promise<{ fileSystemId: string; accessPointId?: string }> {
  const { efs } = clients(a);
  const fs = await efs.send(
    new CreateFileSystemCommand({ CreationToken: `fs-${Date.now()}-${Math.random()}`, Encrypted: true }),
  );
  const fileSystemId = fs.FileSystemId!;
  for (const SubnetId of spec.subnets)
    await efs.send(
      new CreateMountTargetCommand({
        FileSystemId: fileSystemId,
        SubnetId,
        SecurityGroups: spec.securityGroups,
      }),
    );
  if (spec.policy)
    await efs.send(
      new PutFileSystemPolicyCommand({ FileSystemId: fileSystemId, Policy: JSON.stringify(spec.policy) }),
    );
  if (!spec.accessPoint) return { fileSystemId };
  const ap = await efs.send(
    new CreateAccessPointCommand({
      FileSystemId: fileSystemId,
      ClientToken: `ap-${Date.now()}`,
      PosixUser: { Uid: 1000, Gid: 1000 },
      RootDirectory: { Path: '/data', CreationInfo: { OwnerUid: 1000, OwnerGid: 1000, Permissions: '750' } },
    }),
  );
  return { fileSystemId, accessPointId: ap.AccessPointId! };
}

/** The task definition's EFS volume `data` (transit encryption on; IAM authorization and access point as given). */
export function efsVolume(
  fileSystemId: string,
  opts: { accessPointId?: string; iam?: boolean } = {},
): Volume {
  return {
    name: 'data',
    efsVolumeConfiguration: {
      fileSystemId,
      transitEncryption: 'ENABLED',
      ...(opts.accessPointId || opts.iam
        ? {
            authorizationConfig: {
              ...(opts.accessPointId ? { accessPointId: opts.accessPointId } : {}),
              iam: opts.iam ? 'ENABLED' : 'DISABLED',
            },
          }
        : {}),
    },
  };
}

/** Mount points of the `data` volume for a container. */
export const dataMount = [{ sourceVolume: 'data', containerPath: '/data', readOnly: false }];
