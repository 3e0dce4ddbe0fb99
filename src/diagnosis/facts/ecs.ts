/**
 * ECS facts about the failed task: the task (DescribeTasks, or the event / service it is rebuilt from when ECS no
 * longer shows it; tasks stay visible about an hour after they stop), its task definition and its service. The
 * task's ENI is an EC2 fact (ec2.ts).
 */

import { classifyAwsError, NotApplicable } from '../../aws/errors.js';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
} from '../../aws/sdk/ecs.js';
import { describeTasksId } from '../../aws/target.js';
import { serviceOfGroup } from '../task-record.js';
import { containersOf, type ImageUse, imagesOf } from '../task-refs.js';
import { defineFact } from './session.js';
import type { PreflightPlan, ProviderHandle, TaskRecord } from './types.js';

export type TaskSource = 'describe-tasks' | 'event' | 'service' | 'preflight';

export interface TaskFact {
  source: TaskSource;
  task: TaskRecord;
  /** Why the primary source was not used (MISSING, AccessDeniedException …). */
  fallbackReason?: string;
  /**
   * A pre-flight's planned task: the security groups and public IP setting it would get, and where the network
   * came from (the service's awsvpcConfiguration, or the request). Its subnets are the task's ENI attachment.
   */
  plan?: PlannedTask;
}

export interface PlannedTask {
  securityGroupIds: string[];
  assignPublicIp: 'ENABLED' | 'DISABLED';
  networkFrom: 'service' | 'request';
}

export interface ContainerDefinitionRecord {
  name?: string;
  image?: string;
  essential?: boolean;
  memory?: number;
  memoryReservation?: number;
  repositoryCredentials?: { credentialsParameter?: string };
  secrets?: Array<{ name?: string; valueFrom?: string }>;
  environmentFiles?: Array<{ value?: string; type?: string }>;
  logConfiguration?: {
    logDriver?: string;
    options?: Record<string, string>;
    secretOptions?: Array<{ name?: string; valueFrom?: string }>;
  };
  mountPoints?: Array<{ sourceVolume?: string; containerPath?: string; readOnly?: boolean }>;
}

/** A task definition volume; only EFS volumes are read. */
export interface VolumeRecord {
  name?: string;
  efsVolumeConfiguration?: {
    fileSystemId?: string;
    rootDirectory?: string;
    transitEncryption?: string;
    transitEncryptionPort?: number;
    authorizationConfig?: { accessPointId?: string; iam?: string };
  };
}

export interface TaskDefinitionRecord {
  taskDefinitionArn?: string;
  family?: string;
  revision?: number;
  executionRoleArn?: string;
  taskRoleArn?: string;
  networkMode?: string;
  cpu?: string;
  memory?: string;
  requiresCompatibilities?: string[];
  runtimePlatform?: { cpuArchitecture?: string; operatingSystemFamily?: string };
  ephemeralStorage?: { sizeInGiB?: number };
  containerDefinitions?: ContainerDefinitionRecord[];
  /** EFS volumes (others are left out). */
  volumes?: VolumeRecord[];
}

export interface ServiceRecord {
  serviceArn?: string;
  serviceName?: string;
  status?: string;
  taskDefinition?: string;
  launchType?: string;
  platformVersion?: string;
  networkConfiguration?: {
    awsvpcConfiguration?: { subnets?: string[]; securityGroups?: string[]; assignPublicIp?: string };
  };
  /** The newest service events (messages only), newest first. */
  events?: Array<{ createdAt?: string; message?: string }>;
}

declare module './types.js' {
  interface FactMap {
    'ecs.task': TaskFact;
    'ecs.taskDefinition': TaskDefinitionRecord;
    'ecs.service': ServiceRecord;
  }
}

async function describeService(
  h: ProviderHandle,
  cluster: string,
  name: string,
): Promise<ServiceRecord | null> {
  const out = await h.call('ecs:DescribeServices', { cluster, services: [name] }, ({ clients, signal }) =>
    clients.ecs.send(new DescribeServicesCommand({ cluster, services: [name] }), { abortSignal: signal }),
  );
  const s = out.services?.[0];
  if (!s) return null;
  return {
    serviceArn: s.serviceArn,
    serviceName: s.serviceName,
    status: s.status,
    taskDefinition: s.taskDefinition,
    launchType: s.launchType,
    platformVersion: s.platformVersion,
    networkConfiguration: s.networkConfiguration,
    events: (s.events ?? [])
      .slice(0, 20)
      .map((e) => ({ createdAt: e.createdAt?.toISOString(), message: e.message })),
  } as ServiceRecord;
}

/** An error a provider throws with the name the pre-flight turns into its user error. */
function named(name: string, message: string): Error {
  const err = new Error(message);
  err.name = name;
  return err;
}

/**
 * A pre-flight's task: the one ECS would start, planned from the service (DescribeServices: its network, its
 * platform, its current task definition) or from the request alone (no call). It has no ARN, no containers (the
 * task definition lists them) and no stop message.
 */
async function plannedTask(h: ProviderHandle, plan: PreflightPlan): Promise<TaskFact> {
  const { target } = h.inputs;
  const s = plan.service ? await describeService(h, target.cluster, plan.service) : undefined;
  if (plan.service && (!s || s.status === 'INACTIVE'))
    throw named('ServiceNotFoundException', `service ${plan.service} not found in cluster ${target.cluster}`);
  const vpc = s?.networkConfiguration?.awsvpcConfiguration;
  const network = plan.network ?? (vpc?.subnets?.length ? vpc : undefined);
  if (!network) throw named('NoAwsvpcNetwork', `service ${plan.service} has no awsvpc network configuration`);
  const taskDefinition = plan.taskDefinition ?? s?.taskDefinition;
  if (!taskDefinition) throw named('NoTaskDefinition', 'no task definition to check');
  const subnetIds = 'subnetIds' in network ? network.subnetIds : (network.subnets ?? []);
  const securityGroupIds =
    'securityGroupIds' in network ? network.securityGroupIds : (network.securityGroups ?? []);
  const task: TaskRecord = {
    taskArn: '',
    taskDefinitionArn: taskDefinition,
    ...(s ? { group: `service:${s.serviceName ?? plan.service}` } : {}),
    launchType: s?.launchType ?? 'FARGATE',
    ...(s?.platformVersion ? { platformVersion: s.platformVersion } : {}),
    attachments: [
      {
        type: 'ElasticNetworkInterface',
        details: subnetIds.map((v) => ({ name: 'subnetId', value: v })),
      },
    ],
  };
  return {
    source: 'preflight',
    task,
    plan: {
      securityGroupIds,
      assignPublicIp: network.assignPublicIp === 'ENABLED' ? 'ENABLED' : 'DISABLED',
      networkFrom: plan.network ? 'request' : 'service',
    },
  };
}

/**
 * The failed task: DescribeTasks, else the given EventBridge event, else rebuilt from the given service; in a
 * pre-flight, the task ECS would start.
 */
export const taskFact = defineFact({
  name: 'ecs.task',
  actions: ['ecs:DescribeTasks', 'ecs:DescribeServices'],
  async get(h) {
    const { target, event, service, preflight } = h.inputs;
    if (preflight) return plannedTask(h, preflight);
    let fallbackReason: string;
    try {
      const out = await h.call(
        'ecs:DescribeTasks',
        { cluster: target.cluster, tasks: [describeTasksId(target)] },
        ({ clients, signal }) =>
          clients.ecs.send(
            new DescribeTasksCommand({ cluster: target.cluster, tasks: [describeTasksId(target)] }),
            {
              abortSignal: signal,
            },
          ),
      );
      const task = out.tasks?.[0];
      if (task) return { source: 'describe-tasks', task: task as unknown as TaskRecord };
      fallbackReason = out.failures?.[0]?.reason ?? 'MISSING';
    } catch (err) {
      const e = classifyAwsError(err, 'ecs:DescribeTasks');
      // A cluster that does not exist is the same as a task that does not: nothing to read here.
      if (!event && !service) throw err;
      fallbackReason = e.code;
    }
    if (event) return { source: 'event', task: event.task, fallbackReason };
    if (service) {
      const s = await describeService(h, target.cluster, service);
      if (!s) {
        const err = new Error(`service ${service} not found in cluster ${target.cluster}`);
        err.name = 'ServiceNotFoundException';
        throw err;
      }
      const net = s.networkConfiguration?.awsvpcConfiguration;
      const mention = s.events?.find((e) => e.message?.includes(target.taskId))?.message;
      const task: TaskRecord = {
        taskArn: target.taskArn ?? target.taskId,
        taskDefinitionArn: s.taskDefinition,
        group: `service:${s.serviceName ?? service}`,
        launchType: s.launchType,
        platformVersion: s.platformVersion,
        lastStatus: 'STOPPED',
        ...(mention ? { stoppedReason: mention } : {}),
        attachments: net?.subnets?.length
          ? [
              {
                type: 'ElasticNetworkInterface',
                details: net.subnets.map((v) => ({ name: 'subnetId', value: v })),
              },
            ]
          : [],
      };
      return { source: 'service', task, fallbackReason };
    }
    const err = new Error(`task ${target.taskId} is not visible in cluster ${target.cluster}`);
    err.name = 'TaskMissing';
    throw err;
  },
});

/**
 * The task definition the task ran (DescribeTaskDefinition); in a pre-flight given one, read at once (in the round
 * of the service's DescribeServices, not after it).
 */
export const taskDefinitionFact = defineFact({
  name: 'ecs.taskDefinition',
  actions: ['ecs:DescribeTaskDefinition'],
  async get(h) {
    const arn = h.inputs.preflight?.taskDefinition ?? (await h.need('ecs.task')).task.taskDefinitionArn;
    if (!arn) throw new NotApplicable('the task names no task definition');
    const out = await h.call('ecs:DescribeTaskDefinition', { taskDefinition: arn }, ({ clients, signal }) =>
      clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }), { abortSignal: signal }),
    );
    const td = out.taskDefinition;
    if (!td) throw new NotApplicable('DescribeTaskDefinition returned nothing');
    return {
      taskDefinitionArn: td.taskDefinitionArn,
      family: td.family,
      revision: td.revision,
      executionRoleArn: td.executionRoleArn,
      taskRoleArn: td.taskRoleArn,
      networkMode: td.networkMode,
      cpu: td.cpu,
      memory: td.memory,
      requiresCompatibilities: td.requiresCompatibilities,
      runtimePlatform: td.runtimePlatform,
      ephemeralStorage: td.ephemeralStorage,
      containerDefinitions: (td.containerDefinitions ?? []).map((c) => ({
        name: c.name,
        image: c.image,
        essential: c.essential,
        memory: c.memory,
        memoryReservation: c.memoryReservation,
        repositoryCredentials: c.repositoryCredentials,
        secrets: c.secrets,
        environmentFiles: c.environmentFiles,
        logConfiguration: c.logConfiguration,
        ...(c.mountPoints?.length ? { mountPoints: c.mountPoints } : {}),
      })),
      ...(efsVolumes(td.volumes).length ? { volumes: efsVolumes(td.volumes) } : {}),
    } as TaskDefinitionRecord;
  },
});

/** The task definition's EFS volumes, as the EFS facts and checks read them. */
function efsVolumes(volumes: Array<{ name?: string; efsVolumeConfiguration?: unknown }> | undefined) {
  return (volumes ?? [])
    .filter((v) => v.efsVolumeConfiguration)
    .map((v) => ({ name: v.name, efsVolumeConfiguration: v.efsVolumeConfiguration }) as VolumeRecord);
}

/** The service that started the task (group `service:NAME`, or --service): security groups, public IP. */
export const serviceFact = defineFact({
  name: 'ecs.service',
  actions: ['ecs:DescribeServices'],
  async get(h) {
    const { task } = await h.need('ecs.task');
    const name = serviceOfGroup(task.group) ?? h.inputs.service;
    if (!name) throw new NotApplicable('the task was not started by a service');
    const s = await describeService(h, h.inputs.target.cluster, name);
    if (!s) {
      const err = new Error(`service ${name} not found`);
      err.name = 'ServiceNotFoundException';
      throw err;
    }
    return s;
  },
});

export const ecsFacts = [taskFact, taskDefinitionFact, serviceFact];

/**
 * The task's images: from the task alone when it lists its containers (so ECR calls need not wait for the task
 * definition), else from its task definition (a task rebuilt from its service carries no containers).
 */
export async function taskImages(h: ProviderHandle): Promise<ImageUse[]> {
  const { task } = await h.need('ecs.task');
  const own = imagesOf(containersOf(task));
  if (own.length) return own;
  return imagesOf(containersOf(task, await h.need('ecs.taskDefinition')));
}

/** The task's OS and CPU architecture as OCI spells them (Fargate's default: linux/amd64). */
export async function taskPlatform(h: ProviderHandle): Promise<{ os: string; architecture: string }> {
  const td = await h.get('ecs.taskDefinition');
  const rp = td.ok ? td.value.runtimePlatform : undefined;
  const arch = (rp?.cpuArchitecture ?? 'X86_64').toUpperCase() === 'ARM64' ? 'arm64' : 'amd64';
  const os = (rp?.operatingSystemFamily ?? 'LINUX').toUpperCase().startsWith('WINDOWS') ? 'windows' : 'linux';
  return { os, architecture: arch };
}

/** The account the task runs in: the target's, else the task ARN's. */
export function taskAccount(h: ProviderHandle, task: TaskRecord): string {
  return h.inputs.target.account ?? task.taskArn.split(':')[4] ?? '';
}
