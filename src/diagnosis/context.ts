/**
 * The task context every check reads, derived (purely) from the context facts: what the task was, where its
 * network interface sat, and where each piece of that came from.
 */
import type { FactError } from '../aws/errors.js';
import type { Partition } from '../aws/partition.js';
import type { TaskTarget } from '../aws/target.js';
import type { EniRecord } from './facts/ec2.js';
import type {
  ContainerDefinitionRecord,
  ServiceRecord,
  TaskDefinitionRecord,
  TaskFact,
  TaskSource,
} from './facts/ecs.js';
import type { Fact } from './facts/types.js';
import { eniDetails, serviceOfGroup, taskSubnetIds } from './task-record.js';

export type Origin =
  | 'describe-tasks'
  | 'event'
  | 'service'
  | 'eni'
  | 'task-definition'
  | 'default'
  /** Given with a pre-flight request (--subnets, --security-groups, --assign-public-ip). */
  | 'request'
  | 'unknown';

export interface ContainerContext {
  name: string;
  image: string | undefined;
  reason: string | undefined;
  lastStatus: string | undefined;
  exitCode: number | undefined;
  essential: boolean;
  definition: ContainerDefinitionRecord | undefined;
}

export interface TaskContext {
  taskArn: string;
  taskId: string;
  cluster: string;
  account: string;
  region: string;
  partition: Partition;
  source: TaskSource;
  /** Why DescribeTasks was not used (MISSING, AccessDeniedException …) when source is not describe-tasks. */
  fallbackReason: string | undefined;
  lastStatus: string | undefined;
  stopCode: string | undefined;
  stoppedReason: string | undefined;
  stoppedAt: string | undefined;
  group: string | undefined;
  serviceName: string | undefined;
  launchType: string | undefined;
  /** As reported (may be LATEST or missing). */
  platformVersion: string | undefined;
  /** What actually ran: LATEST and unset mean 1.4.0 on Fargate Linux, 1.0.0 on Windows. */
  effectivePlatformVersion: string;
  platformFamily: 'linux' | 'windows';
  availabilityZone: string | undefined;
  containers: ContainerContext[];
  taskDefinitionArn: string | undefined;
  taskDefinition: TaskDefinitionRecord | undefined;
  /** The task definition could not be read: why. */
  taskDefinitionError: FactError | undefined;
  network: {
    subnetIds: string[];
    eniId: string | undefined;
    privateIp: string | undefined;
    vpcId: string | undefined;
    securityGroupIds: string[] | undefined;
    assignPublicIp: 'ENABLED' | 'DISABLED' | undefined;
    publicIp: string | undefined;
  };
  /** Where each part of the context came from. */
  origins: {
    task: TaskSource;
    subnets: Origin;
    securityGroups: Origin;
    publicIp: Origin;
    taskDefinition: Origin;
  };
  /** ENI state: present, gone (deleted after the task stopped), or unreadable. */
  eni: 'present' | 'gone' | 'none' | 'error';
  /** runtimePlatform of the task definition, with Fargate's defaults. */
  runtimePlatform: { os: string; arch: string };
  /** Ephemeral storage available to the task in GiB and whether that is the platform's default. */
  ephemeralStorage: { sizeGiB: number; isDefault: boolean };
}

function iso(v: string | number | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return new Date(v * (v < 1e12 ? 1000 : 1)).toISOString();
  return v;
}

function cmp(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Compares Fargate platform versions ("1.3.0" < "1.4.0"); non-numeric versions compare as 1.4.0. */
export function comparePlatformVersion(a: string, b: string): number {
  const norm = (v: string) => (/^\d+(\.\d+)*$/.test(v) ? v : '1.4.0');
  return cmp(norm(a), norm(b));
}

/** Builds the task context from the context facts; throws nothing, needs only ecs.task to be present. */
export function deriveContext(
  target: TaskTarget,
  facts: {
    task: Fact<TaskFact>;
    taskDefinition?: Fact<TaskDefinitionRecord> | undefined;
    eni?: Fact<EniRecord> | undefined;
    service?: Fact<ServiceRecord> | undefined;
  },
): TaskContext {
  if (!facts.task.ok) throw new Error('deriveContext needs the task fact');
  const { task, source, fallbackReason, plan } = facts.task.value;
  const arnParts = task.taskArn.split(':');
  const account = target.account ?? arnParts[4] ?? 'unknown';
  const td = facts.taskDefinition?.ok ? facts.taskDefinition.value : undefined;
  const eni = facts.eni?.ok ? facts.eni.value : undefined;
  const service = facts.service?.ok ? facts.service.value : undefined;
  const details = eniDetails(task);
  const svcNet = service?.networkConfiguration?.awsvpcConfiguration;

  const platformFamily = /windows/i.test(
    task.platformFamily ?? td?.runtimePlatform?.operatingSystemFamily ?? '',
  )
    ? 'windows'
    : 'linux';
  const pv = task.platformVersion;
  const effectivePlatformVersion =
    !pv || pv === 'LATEST' ? (platformFamily === 'windows' ? '1.0.0' : '1.4.0') : pv.replace(/^v/, '');

  const named = taskSubnetIds(task);
  const subnetIds = named.length ? named : eni?.subnetId ? [eni.subnetId] : (svcNet?.subnets ?? []);
  const subnetOrigin: Origin = plan
    ? plan.networkFrom
    : details.subnetId
      ? source === 'preflight'
        ? 'unknown'
        : source
      : eni?.subnetId
        ? 'eni'
        : svcNet?.subnets?.length
          ? 'service'
          : 'unknown';

  let securityGroupIds: string[] | undefined;
  let sgOrigin: Origin = 'unknown';
  const eniGroups = eni?.groups?.map((g) => g.groupId).filter((g): g is string => !!g);
  if (plan) {
    // A pre-flight: the network the task would get (no ENI yet).
    securityGroupIds = plan.securityGroupIds.length ? plan.securityGroupIds : undefined;
    sgOrigin = plan.networkFrom;
  } else if (eniGroups?.length) {
    securityGroupIds = eniGroups;
    sgOrigin = 'eni';
  } else if (svcNet?.securityGroups?.length) {
    securityGroupIds = svcNet.securityGroups;
    sgOrigin = 'service';
  }

  let assignPublicIp: 'ENABLED' | 'DISABLED' | undefined;
  let publicIp: string | undefined;
  let ipOrigin: Origin = 'unknown';
  if (plan) {
    assignPublicIp = plan.assignPublicIp;
    ipOrigin = plan.networkFrom;
  } else if (eni?.association?.publicIp) {
    publicIp = eni.association.publicIp;
    assignPublicIp = 'ENABLED';
    ipOrigin = 'eni';
  } else if (svcNet?.assignPublicIp === 'ENABLED' || svcNet?.assignPublicIp === 'DISABLED') {
    assignPublicIp = svcNet.assignPublicIp;
    ipOrigin = 'service';
  } else if (eni) {
    // An ENI that still exists and has no association had no public IP.
    assignPublicIp = 'DISABLED';
    ipOrigin = 'eni';
  }

  const defs = td?.containerDefinitions ?? [];
  const containers: ContainerContext[] = (task.containers?.length ? task.containers : defs).map((c) => {
    const def = defs.find((d) => d.name === c.name);
    const live = c as { reason?: string; lastStatus?: string; exitCode?: number };
    return {
      name: c.name ?? '?',
      image: c.image ?? def?.image,
      reason: live.reason,
      lastStatus: live.lastStatus,
      exitCode: live.exitCode,
      essential: def?.essential ?? true,
      definition: def,
    };
  });

  const defaultStorage = comparePlatformVersion(effectivePlatformVersion, '1.4.0') >= 0 ? 20 : 10;
  const storageSize = task.ephemeralStorage?.sizeInGiB ?? td?.ephemeralStorage?.sizeInGiB;

  const eniState: TaskContext['eni'] = eni
    ? 'present'
    : !facts.eni || (!facts.eni.ok && facts.eni.error.kind === 'not-applicable')
      ? 'none'
      : !facts.eni.ok && facts.eni.error.kind === 'not-found'
        ? 'gone'
        : 'error';

  const cluster = task.clusterArn?.split('/').pop() ?? target.cluster;
  return {
    taskArn: task.taskArn.startsWith('arn:') ? task.taskArn : (target.taskArn ?? task.taskArn),
    taskId: target.taskId,
    cluster,
    account,
    region: target.region,
    partition: target.partition,
    source,
    fallbackReason,
    lastStatus: task.lastStatus,
    stopCode: task.stopCode,
    stoppedReason: task.stoppedReason,
    stoppedAt: iso(task.stoppedAt),
    group: task.group,
    serviceName: serviceOfGroup(task.group) ?? service?.serviceName,
    launchType: task.launchType,
    platformVersion: pv,
    effectivePlatformVersion,
    platformFamily,
    availabilityZone: task.availabilityZone ?? eni?.availabilityZone,
    containers,
    taskDefinitionArn: task.taskDefinitionArn,
    taskDefinition: td,
    taskDefinitionError:
      facts.taskDefinition && !facts.taskDefinition.ok ? facts.taskDefinition.error : undefined,
    network: {
      subnetIds,
      eniId: details.networkInterfaceId,
      privateIp: details.privateIPv4Address ?? eni?.privateIpAddress,
      vpcId: eni?.vpcId,
      securityGroupIds,
      assignPublicIp,
      publicIp,
    },
    origins: {
      task: source,
      subnets: subnetOrigin,
      securityGroups: sgOrigin,
      publicIp: ipOrigin,
      taskDefinition: td ? 'task-definition' : 'unknown',
    },
    eni: eniState,
    runtimePlatform: {
      os: (td?.runtimePlatform?.operatingSystemFamily ?? 'LINUX').toUpperCase(),
      arch: (td?.runtimePlatform?.cpuArchitecture ?? 'X86_64').toUpperCase(),
    },
    ephemeralStorage: { sizeGiB: storageSize ?? defaultStorage, isDefault: storageSize === undefined },
  };
}
