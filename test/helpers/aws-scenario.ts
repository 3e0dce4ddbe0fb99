/**
 * Builds realistic ECS-on-Fargate setups in moto for end-to-end tests: a VPC with subnets, a cluster, a
 * Fargate task definition and a task stopped with a CannotPullContainerError, in any account id.
 * Building blocks are small so that each scenario composes only what it needs.
 */
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
  ModifyVpcAttributeCommand,
} from '@aws-sdk/client-ec2';
import { ECRClient } from '@aws-sdk/client-ecr';
import {
  type ContainerDefinition,
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  RunTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';

/** moto's default account: what the static test credentials see. */
export const MOTO_DEFAULT_ACCOUNT = '123456789012';
export const BASE_CREDENTIALS: AwsCredentialIdentity = { accessKeyId: 'testing', secretAccessKey: 'testing' };

export interface MotoAccount {
  url: string;
  account: string;
  region: string;
  credentials: AwsCredentialIdentity;
  ec2: EC2Client;
  ecs: ECSClient;
  ecr: ECRClient;
  iam: IAMClient;
  sts: STSClient;
}

/** Clients that act inside `account` in moto (through AssumeRole for any account but the default). */
export async function motoAccount(url: string, account: string, region = 'eu-west-1'): Promise<MotoAccount> {
  const base = { region, endpoint: url, credentials: BASE_CREDENTIALS, maxAttempts: 1 };
  let credentials = BASE_CREDENTIALS;
  if (account !== MOTO_DEFAULT_ACCOUNT) {
    const sts = new STSClient(base);
    const r = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${account}:role/scenario-builder`,
        RoleSessionName: 'scenario',
      }),
    );
    credentials = {
      accessKeyId: r.Credentials!.AccessKeyId!,
      secretAccessKey: r.Credentials!.SecretAccessKey!,
      sessionToken: r.Credentials!.SessionToken!,
    };
  }
  const cfg = { ...base, credentials };
  return {
    url,
    account,
    region,
    credentials,
    ec2: new EC2Client(cfg),
    ecs: new ECSClient(cfg),
    ecr: new ECRClient(cfg),
    iam: new IAMClient({ ...cfg, region: 'us-east-1' }),
    sts: new STSClient(cfg),
  };
}

export interface Network {
  vpcId: string;
  subnetId: string;
  securityGroupId: string;
}

/** A VPC (DNS hostnames on, as RunTask in moto requires) with one subnet and one security group. */
export async function createNetwork(
  a: MotoAccount,
  opts: { cidr?: string; subnetCidr?: string; az?: string } = {},
): Promise<Network> {
  const vpc = await a.ec2.send(new CreateVpcCommand({ CidrBlock: opts.cidr ?? '10.0.0.0/16' }));
  const vpcId = vpc.Vpc!.VpcId!;
  await a.ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));
  await a.ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsSupport: { Value: true } }));
  const subnet = await a.ec2.send(
    new CreateSubnetCommand({
      VpcId: vpcId,
      CidrBlock: opts.subnetCidr ?? '10.0.1.0/24',
      AvailabilityZone: opts.az ?? `${a.region}a`,
    }),
  );
  const sg = await a.ec2.send(
    new CreateSecurityGroupCommand({ GroupName: `task-${Date.now()}`, Description: 'task', VpcId: vpcId }),
  );
  return { vpcId, subnetId: subnet.Subnet!.SubnetId!, securityGroupId: sg.GroupId! };
}

/** An execution role trusted by ecs-tasks.amazonaws.com. */
export async function createExecutionRole(a: MotoAccount, name = 'ecsTaskExecutionRole'): Promise<string> {
  const r = await a.iam.send(
    new CreateRoleCommand({
      RoleName: name,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      }),
    }),
  );
  return r.Role!.Arn!;
}

export interface TaskSpec {
  cluster?: string;
  family?: string;
  image?: string;
  executionRoleArn?: string;
  containers?: ContainerDefinition[];
  taskDefinition?: Partial<RegisterTaskDefinitionCommandInput>;
  platformVersion?: string;
  assignPublicIp?: 'ENABLED' | 'DISABLED';
  /** Register a service of this name and start the task as part of it (group service:NAME). */
  service?: string;
  stoppedReason?: string;
}

export interface StoppedTask {
  taskArn: string;
  taskId: string;
  cluster: string;
  taskDefinitionArn: string;
}

/** Registers a Fargate task definition, runs one task in the network and stops it with a pull error. */
export async function runStoppedTask(
  a: MotoAccount,
  net: Network,
  spec: TaskSpec = {},
): Promise<StoppedTask> {
  const cluster = spec.cluster ?? 'prod';
  await a.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const image = spec.image ?? `${a.account}.dkr.ecr.${a.region}.amazonaws.com/web:1.4.2`;
  const td = await a.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: spec.family ?? 'web',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      ...(spec.executionRoleArn ? { executionRoleArn: spec.executionRoleArn } : {}),
      containerDefinitions: spec.containers ?? [{ name: 'app', image, memory: 512, essential: true }],
      ...spec.taskDefinition,
    }),
  );
  const taskDefinitionArn = td.taskDefinition!.taskDefinitionArn!;
  const awsvpcConfiguration = {
    subnets: [net.subnetId],
    securityGroups: [net.securityGroupId],
    assignPublicIp: spec.assignPublicIp ?? 'DISABLED',
  };
  if (spec.service) {
    await a.ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: spec.service,
        taskDefinition: taskDefinitionArn,
        desiredCount: 0,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration },
      }),
    );
  }
  const run = await a.ecs.send(
    new RunTaskCommand({
      cluster,
      taskDefinition: taskDefinitionArn,
      launchType: 'FARGATE',
      platformVersion: spec.platformVersion ?? '1.4.0',
      networkConfiguration: { awsvpcConfiguration },
      ...(spec.service ? { group: `service:${spec.service}` } : {}),
    }),
  );
  const taskArn = run.tasks![0]!.taskArn!;
  await a.ecs.send(
    new StopTaskCommand({
      cluster,
      task: taskArn,
      reason:
        spec.stoppedReason ??
        `CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref ${image}: failed to do request: Head "https://${image.split('/')[0]}/v2/web/manifests/1.4.2": dial tcp 52.95.0.1:443: i/o timeout`,
    }),
  );
  return { taskArn, taskId: taskArn.split('/').pop()!, cluster, taskDefinitionArn };
}
