/**
 * What facts and checks derive from the task (pure, no SDK), in one place: the images it pulls, the secrets and
 * parameters it reads, and the permission questions to ask about its execution role.
 */
import { ecrRepositoryArn, type ImageRef, parseImageRef } from '../aws/image-ref.js';
import type { ContainerDefinitionRecord, TaskDefinitionRecord } from './facts/ecs.js';
import type { TaskRecord } from './facts/types.js';

/** One image of the task and the containers that run it. */
export interface ImageUse {
  image: string;
  /** null: the reference does not parse. */
  ref: ImageRef | null;
  containers: string[];
}

/** A container as the task or its task definition names it. */
export interface NamedImage {
  name?: string | undefined;
  image?: string | undefined;
}

/** Distinct images of the given containers, in the order they first appear. */
export function imagesOf(containers: readonly NamedImage[]): ImageUse[] {
  const byImage = new Map<string, ImageUse>();
  for (const c of containers) {
    if (!c.image) continue;
    const use = byImage.get(c.image) ?? { image: c.image, ref: parseImageRef(c.image), containers: [] };
    use.containers.push(c.name ?? '?');
    byImage.set(c.image, use);
  }
  return [...byImage.values()];
}

/**
 * The task's containers with their images: as ECS ran them (an image missing from a container is taken from its
 * definition), else the task definition's (a task rebuilt from its service carries no containers).
 */
export function containersOf(task: TaskRecord, td?: TaskDefinitionRecord): NamedImage[] {
  const defs = td?.containerDefinitions ?? [];
  if (!task.containers?.length) return defs;
  return task.containers.map((c) => ({
    name: c.name,
    image: c.image ?? defs.find((d) => d.name === c.name)?.image,
  }));
}

export const ECR_PULL_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchGetImage',
] as const;

/**
 * What pulling through a pull-through cache rule adds: importing the upstream image, and creating the repository
 * on the first pull. Asked together with the pull actions (same simulation call), since which repository is a
 * pull-through cache is known only later.
 */
export const PULL_THROUGH_ACTIONS = ['ecr:BatchImportUpstreamImage', 'ecr:CreateRepository'] as const;

export interface SecretRef {
  valueFrom: string;
  store: 'secretsmanager' | 'ssm';
  containers: string[];
  /** registry credentials rather than an environment secret */
  purpose: 'secret' | 'log-secret' | 'registry-credentials';
  /** The ARN of the secret/parameter, as far as it can be built. */
  arn: string;
  /** Name or id to look it up by. */
  lookup: string;
  account: string;
  region: string;
}

/**
 * The secrets and parameters the containers read at start (container secrets, log secrets, registry credentials),
 * once each. Secrets Manager references may carry a JSON key and version (`arn…:secret:name-AbCdEf:key::`) and SSM
 * ones may be a bare name or path: both are normalized to an ARN and a lookup name.
 */
export function secretRefsOf(
  definitions: readonly ContainerDefinitionRecord[],
  partition: string,
  region: string,
  account: string,
): SecretRef[] {
  const out = new Map<string, SecretRef>();
  const add = (valueFrom: string | undefined, container: string, purpose: SecretRef['purpose']) => {
    if (!valueFrom) return;
    const existing = out.get(valueFrom);
    if (existing) {
      if (!existing.containers.includes(container)) existing.containers.push(container);
      return;
    }
    out.set(valueFrom, {
      ...secretLocation(valueFrom, partition, region, account),
      containers: [container],
      purpose,
    });
  };
  for (const c of definitions) {
    const name = c.name ?? '?';
    for (const s of c.secrets ?? []) add(s.valueFrom, name, 'secret');
    for (const s of c.logConfiguration?.secretOptions ?? []) add(s.valueFrom, name, 'log-secret');
    add(c.repositoryCredentials?.credentialsParameter, name, 'registry-credentials');
  }
  return [...out.values()];
}

/** Where a secret reference points: its store, ARN, lookup name, account and region. */
function secretLocation(
  valueFrom: string,
  partition: string,
  region: string,
  account: string,
): Omit<SecretRef, 'containers' | 'purpose'> {
  if (/^arn:[^:]+:secretsmanager:/.test(valueFrom)) {
    const parts = valueFrom.split(':');
    const arn = parts.slice(0, 7).join(':');
    return {
      valueFrom,
      store: 'secretsmanager',
      arn,
      lookup: arn,
      account: parts[4] ?? account,
      region: parts[3] ?? region,
    };
  }
  if (/^arn:[^:]+:ssm:/.test(valueFrom)) {
    const parts = valueFrom.split(':');
    return {
      valueFrom,
      store: 'ssm',
      arn: valueFrom,
      lookup: valueFrom.replace(/^arn:[^:]+:ssm:[^:]+:\d+:parameter/, ''),
      account: parts[4] ?? account,
      region: parts[3] ?? region,
    };
  }
  const name = valueFrom.startsWith('/') ? valueFrom : `/${valueFrom}`;
  return {
    valueFrom,
    store: 'ssm',
    arn: `arn:${partition}:ssm:${region}:${account}:parameter${name}`,
    lookup: valueFrom,
    account,
    region,
  };
}

export interface PermissionQuestion {
  action: string;
  resource: string;
  /** Account owning the resource. */
  account: string;
}

/** The actions the execution role needs for the task: ECR pulls, secrets, registry credentials, awslogs. */
export function executionRoleQuestions(
  images: ImageUse[],
  secrets: SecretRef[],
  partition: string,
  taskAccount: string,
  logGroups: readonly LogGroupRef[] = [],
): PermissionQuestion[] {
  const out: PermissionQuestion[] = [];
  const ecr = images.filter((i) => i.ref?.kind === 'ecr' && i.ref.ecr);
  if (ecr.length) out.push({ action: 'ecr:GetAuthorizationToken', resource: '*', account: taskAccount });
  for (const i of ecr) {
    const arn = ecrRepositoryArn(partition, i.ref!.ecr!.region, i.ref!.ecr!.account, i.ref!.repository);
    for (const action of [...ECR_PULL_ACTIONS, ...PULL_THROUGH_ACTIONS])
      out.push({ action, resource: arn, account: i.ref!.ecr!.account });
  }
  for (const s of secrets) {
    out.push(
      s.store === 'secretsmanager'
        ? { action: 'secretsmanager:GetSecretValue', resource: s.arn, account: s.account }
        : { action: 'ssm:GetParameters', resource: s.arn, account: s.account },
    );
  }
  for (const g of logGroups) out.push(...logGroupQuestions(g));
  return out;
}

/** A stable key for a question (action + resource). */
export function questionKey(q: { action: string; resource: string }): string {
  return `${q.action} ${q.resource}`;
}

// ── awslogs ────────────────────────────────────────────────────────────────────────────────────────────────

/** What the execution role does for the awslogs driver: create the container's stream and write to it. */
export const LOG_WRITE_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'] as const;

/** A CloudWatch Logs log group the task's awslogs driver writes to, and the containers that write there. */
export interface LogGroupRef {
  /** awslogs-group */
  group: string;
  /** awslogs-region, else the task's region (awslogs requires it; logs.log-group says when it is missing). */
  region: string;
  account: string;
  containers: string[];
  /** awslogs-create-group is true: the driver creates the group (logs:CreateLogGroup) when it is missing. */
  createGroup: boolean;
  streamPrefix?: string | undefined;
  /** arn:…:log-group:NAME, the group's own ARN. */
  arn: string;
  /**
   * The stream the first container writes to (arn:…:log-group:NAME:log-stream:PREFIX/CONTAINER/TASK): what
   * CloudWatch Logs authorizes logs:CreateLogStream and logs:PutLogEvents on.
   */
  streamArn: string;
}

/** The awslogs options of one container, as the task definition gives them (for options that are missing). */
export interface AwslogsOptions {
  container: string;
  group: string | undefined;
  region: string | undefined;
  createGroup: boolean;
  streamPrefix: string | undefined;
}

/** The awslogs configuration of each container that logs with the awslogs driver. */
export function awslogsOptionsOf(definitions: readonly ContainerDefinitionRecord[]): AwslogsOptions[] {
  return definitions
    .filter((c) => c.logConfiguration?.logDriver === 'awslogs')
    .map((c) => {
      const o = c.logConfiguration?.options ?? {};
      return {
        container: c.name ?? '?',
        group: o['awslogs-group'] || undefined,
        region: o['awslogs-region'] || undefined,
        createGroup: String(o['awslogs-create-group'] ?? '').toLowerCase() === 'true',
        streamPrefix: o['awslogs-stream-prefix'] || undefined,
      };
    });
}

/**
 * The log groups the task's awslogs containers write to, once each (by region and name). A container without an
 * awslogs-group names no group and is left to logs.log-group to report.
 */
export function logGroupRefsOf(
  definitions: readonly ContainerDefinitionRecord[],
  partition: string,
  region: string,
  account: string,
  taskId: string,
): LogGroupRef[] {
  const out = new Map<string, LogGroupRef>();
  for (const o of awslogsOptionsOf(definitions)) {
    if (!o.group) continue;
    const where = o.region ?? region;
    const key = `${where}|${o.group}`;
    const existing = out.get(key);
    if (existing) {
      if (!existing.containers.includes(o.container)) existing.containers.push(o.container);
      existing.createGroup ||= o.createGroup;
      continue;
    }
    const arn = `arn:${partition}:logs:${where}:${account}:log-group:${o.group}`;
    const stream = o.streamPrefix ? `${o.streamPrefix}/${o.container}/${taskId}` : taskId;
    out.set(key, {
      group: o.group,
      region: where,
      account,
      containers: [o.container],
      createGroup: o.createGroup,
      streamPrefix: o.streamPrefix,
      arn,
      streamArn: `${arn}:log-stream:${stream}`,
    });
  }
  return [...out.values()];
}

/**
 * What the execution role must be allowed for one log group: CreateLogStream and PutLogEvents on its stream, and
 * CreateLogGroup when awslogs-create-group is set (on `log-group:NAME:*`, the form IAM policies grant it on).
 */
export function logGroupQuestions(g: LogGroupRef): PermissionQuestion[] {
  const out: PermissionQuestion[] = LOG_WRITE_ACTIONS.map((action) => ({
    action,
    resource: g.streamArn,
    account: g.account,
  }));
  if (g.createGroup) out.push({ action: 'logs:CreateLogGroup', resource: `${g.arn}:*`, account: g.account });
  return out;
}

// ── EFS volumes ────────────────────────────────────────────────────────────────────────────────────────────

/** An EFS volume of the task definition and the containers that mount it. */
export interface EfsVolumeRef {
  volume: string;
  fileSystemId: string;
  rootDirectory?: string | undefined;
  transitEncryption: 'ENABLED' | 'DISABLED';
  accessPointId?: string | undefined;
  /** IAM authorization: the mount is made as the task role. */
  iam: 'ENABLED' | 'DISABLED';
  containers: string[];
  /** Every mount point of the volume is read-only (no elasticfilesystem:ClientWrite needed). */
  readOnly: boolean;
  /** arn:…:elasticfilesystem:REGION:ACCOUNT:file-system/ID */
  arn: string;
  /** The access point's ARN, when the volume mounts through one. */
  accessPointArn?: string | undefined;
}

/** The task definition's EFS volumes, with the containers that mount each. */
export function efsVolumesOf(
  td: Pick<TaskDefinitionRecord, 'volumes' | 'containerDefinitions'>,
  partition: string,
  region: string,
  account: string,
): EfsVolumeRef[] {
  return (td.volumes ?? []).flatMap((v) => {
    const efs = v.efsVolumeConfiguration;
    if (!efs?.fileSystemId) return [];
    const name = v.name ?? efs.fileSystemId;
    const mounts = (td.containerDefinitions ?? []).flatMap((c) =>
      (c.mountPoints ?? []).filter((m) => m.sourceVolume === name).map((m) => ({ c: c.name ?? '?', m })),
    );
    const ap = efs.authorizationConfig?.accessPointId || undefined;
    const base = `arn:${partition}:elasticfilesystem:${region}:${account}`;
    return [
      {
        volume: name,
        fileSystemId: efs.fileSystemId,
        rootDirectory: efs.rootDirectory,
        transitEncryption: efs.transitEncryption === 'ENABLED' ? 'ENABLED' : 'DISABLED',
        accessPointId: ap,
        iam: efs.authorizationConfig?.iam === 'ENABLED' ? 'ENABLED' : 'DISABLED',
        containers: [...new Set(mounts.map((x) => x.c))],
        readOnly: mounts.length > 0 && mounts.every((x) => x.m.readOnly === true),
        arn: `${base}:file-system/${efs.fileSystemId}`,
        ...(ap ? { accessPointArn: `${base}:access-point/${ap}` } : {}),
      },
    ];
  });
}

/** The EFS client actions a mount through IAM authorization needs of the task role. */
export function efsMountActions(v: Pick<EfsVolumeRef, 'readOnly'>): string[] {
  return v.readOnly
    ? ['elasticfilesystem:ClientMount']
    : ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'];
}

/** What the task role must be allowed for the volumes mounted with IAM authorization. */
export function taskRoleQuestions(volumes: readonly EfsVolumeRef[], account: string): PermissionQuestion[] {
  return volumes
    .filter((v) => v.iam === 'ENABLED')
    .flatMap((v) => efsMountActions(v).map((action) => ({ action, resource: v.arn, account })));
}
