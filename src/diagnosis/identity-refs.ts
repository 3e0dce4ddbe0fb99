/**
 * What the identity facts and checks derive from the task (pure, no SDK): the ECR images it pulls, the
 * secrets it reads, and the permission questions to ask about its execution role.
 */
import { ecrRepositoryArn, type ImageRef, parseImageRef } from '../aws/image-ref.js';
import type { TaskDefinitionRecord } from './facts/context.js';
import type { TaskRecord } from './facts/types.js';

export interface ImageUse {
  image: string;
  ref: ImageRef | null;
  containers: string[];
}

/** Distinct images of the task (containers as ECS ran them, else the task definition). */
export function imagesOf(task: TaskRecord, td?: TaskDefinitionRecord): ImageUse[] {
  const byImage = new Map<string, ImageUse>();
  const sources = task.containers?.length ? task.containers : (td?.containerDefinitions ?? []);
  for (const c of sources) {
    const image = c.image ?? td?.containerDefinitions?.find((d) => d.name === c.name)?.image;
    if (!image) continue;
    const use = byImage.get(image) ?? { image, ref: parseImageRef(image), containers: [] };
    use.containers.push(c.name ?? '?');
    byImage.set(image, use);
  }
  return [...byImage.values()];
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
 * Secrets Manager references may carry a JSON key and version (`arn…:secret:name-AbCdEf:key::`) and SSM ones may
 * be a bare name or path: normalize both to an ARN and a lookup name.
 */
export function secretRefsOf(
  td: TaskDefinitionRecord | undefined,
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
    if (/^arn:[^:]+:secretsmanager:/.test(valueFrom)) {
      const parts = valueFrom.split(':');
      const arn = parts.slice(0, 7).join(':');
      out.set(valueFrom, {
        valueFrom,
        store: 'secretsmanager',
        containers: [container],
        purpose,
        arn,
        lookup: arn,
        account: parts[4] ?? account,
        region: parts[3] ?? region,
      });
    } else if (/^arn:[^:]+:ssm:/.test(valueFrom)) {
      const parts = valueFrom.split(':');
      const name = valueFrom.replace(/^arn:[^:]+:ssm:[^:]+:\d+:parameter/, '');
      out.set(valueFrom, {
        valueFrom,
        store: 'ssm',
        containers: [container],
        purpose,
        arn: valueFrom,
        lookup: name,
        account: parts[4] ?? account,
        region: parts[3] ?? region,
      });
    } else {
      const name = valueFrom.startsWith('/') ? valueFrom : `/${valueFrom}`;
      out.set(valueFrom, {
        valueFrom,
        store: 'ssm',
        containers: [container],
        purpose,
        arn: `arn:${partition}:ssm:${region}:${account}:parameter${name}`,
        lookup: valueFrom,
        account,
        region,
      });
    }
  };
  for (const c of td?.containerDefinitions ?? []) {
    const name = c.name ?? '?';
    for (const s of c.secrets ?? []) add(s.valueFrom, name, 'secret');
    for (const s of c.logConfiguration?.secretOptions ?? []) add(s.valueFrom, name, 'log-secret');
    add(c.repositoryCredentials?.credentialsParameter, name, 'registry-credentials');
  }
  return [...out.values()];
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
