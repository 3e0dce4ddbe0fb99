/** ECR repositories, images (single manifests and indexes), lifecycle policies and IAM roles in moto. */
import {
  CreateRepositoryCommand,
  PutImageCommand,
  PutLifecyclePolicyCommand,
  SetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';
import { AttachRolePolicyCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { createExecutionRole, type MotoAccount } from './aws-scenario.js';

const MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';

function digestOf(n: number): string {
  return `sha256:${n.toString(16).padStart(64, '0')}`;
}

/** A single-platform image manifest whose layers add up to `bytes`. */
export function manifestOfSize(bytes: number, seed = 1): string {
  const layer = Math.floor(bytes / 3);
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: MANIFEST,
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      size: 7023,
      digest: digestOf(seed * 1000),
    },
    layers: [0, 1, 2].map((i) => ({
      mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
      size: i === 2 ? bytes - 2 * layer - 7023 : layer,
      digest: digestOf(seed * 1000 + i + 1),
    })),
  });
}

export async function createRepository(a: MotoAccount, name: string): Promise<string> {
  const r = await a.ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
  return r.repository!.repositoryUri!;
}

/** Pushes a single-platform image with a tag; returns its digest. */
export async function pushImage(
  a: MotoAccount,
  repositoryName: string,
  tag: string,
  bytes = 150 * 1024 ** 2,
  seed = 1,
): Promise<string> {
  const r = await a.ecr.send(
    new PutImageCommand({
      repositoryName,
      imageTag: tag,
      imageManifest: manifestOfSize(bytes, seed),
      imageManifestMediaType: MANIFEST,
    }),
  );
  return r.image!.imageId!.imageDigest!;
}

/** Pushes an image index offering the given architectures (each a real child manifest), under `tag`. */
export async function pushIndex(
  a: MotoAccount,
  repositoryName: string,
  tag: string,
  architectures: string[],
): Promise<void> {
  const children = [];
  for (const [i, architecture] of architectures.entries()) {
    const digest = await pushImage(a, repositoryName, `${tag}-${architecture}`, 120 * 1024 ** 2, 10 + i);
    children.push({ mediaType: MANIFEST, size: 1000, digest, platform: { architecture, os: 'linux' } });
  }
  await a.ecr.send(
    new PutImageCommand({
      repositoryName,
      imageTag: tag,
      imageManifest: JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: children }),
      imageManifestMediaType: INDEX,
    }),
  );
}

export async function keepLastReleases(a: MotoAccount, repositoryName: string, count: number): Promise<void> {
  await a.ecr.send(
    new PutLifecyclePolicyCommand({
      repositoryName,
      lifecyclePolicyText: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            description: `keep the last ${count} releases`,
            selection: {
              tagStatus: 'tagged',
              tagPrefixList: ['v'],
              countType: 'imageCountMoreThan',
              countNumber: count,
            },
            action: { type: 'expire' },
          },
        ],
      }),
    }),
  );
}

/** An execution role with AmazonECSTaskExecutionRolePolicy (the healthy case). */
export async function pullingRole(a: MotoAccount, name = 'ecsTaskExecutionRole'): Promise<string> {
  const arn = await createExecutionRole(a, name);
  await a.iam.send(
    new AttachRolePolicyCommand({
      RoleName: name,
      PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy',
    }),
  );
  return arn;
}

/** An execution role that may only write logs (no ECR). */
export async function logsOnlyRole(a: MotoAccount, name = 'logsOnlyExecutionRole'): Promise<string> {
  const arn = await createExecutionRole(a, name);
  await a.iam.send(
    new PutRolePolicyCommand({
      RoleName: name,
      PolicyName: 'logs',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' },
        ],
      }),
    }),
  );
  return arn;
}

/** An execution role that may get an ECR token and write logs, and nothing on any repository. */
export async function tokenOnlyRole(a: MotoAccount, name = 'tokenOnlyExecutionRole'): Promise<string> {
  const arn = await createExecutionRole(a, name);
  await a.iam.send(
    new PutRolePolicyCommand({
      RoleName: name,
      PolicyName: 'token',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['ecr:GetAuthorizationToken', 'logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: '*',
          },
        ],
      }),
    }),
  );
  return arn;
}

/** A repository policy letting one principal pull. */
export async function allowPull(a: MotoAccount, repositoryName: string, principal: string): Promise<void> {
  await a.ecr.send(
    new SetRepositoryPolicyCommand({
      repositoryName,
      policyText: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'pull',
            Effect: 'Allow',
            Principal: { AWS: principal },
            Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
          },
        ],
      }),
    }),
  );
}
