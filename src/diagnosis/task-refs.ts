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

/** The actions the execution role needs for the task: ECR pulls, secrets, registry credentials. */
export function executionRoleQuestions(
  images: ImageUse[],
  secrets: SecretRef[],
  partition: string,
  taskAccount: string,
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
  return out;
}

/** A stable key for a question (action + resource). */
export function questionKey(q: { action: string; resource: string }): string {
  return `${q.action} ${q.resource}`;
}
