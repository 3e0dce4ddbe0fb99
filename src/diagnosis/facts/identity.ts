/**
 * Identity, image and storage facts: the ECR images (existence, manifest, size, lifecycle and repository
 * policies, near names), ECR repositories a bare image name may have meant, the execution role (trust,
 * attached and inline policies, simulation), the secrets the task reads, and — opt-in — public registries.
 * Image URIs are known from the task itself, so ECR calls start right after DescribeTasks.
 */
import {
  BatchGetImageCommand,
  DescribeImagesCommand,
  DescribePullThroughCacheRulesCommand,
  DescribeRepositoriesCommand,
  type ECRClient,
  GetLifecyclePolicyCommand,
  GetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { DescribeParametersCommand } from '@aws-sdk/client-ssm';
import { classifyAwsError, type FactError, NotApplicable } from '../../aws/errors.js';
import { type ImageRef, parseImageRef, pullThroughRuleFor, upstreamOf } from '../../aws/image-ref.js';
import { type ProbeResult, probeRegistry } from '../../registry/probe.js';
import {
  executionRoleQuestions,
  type ImageUse,
  imagesOf,
  type PermissionQuestion,
  questionKey,
  type SecretRef,
  secretRefsOf,
} from '../identity-refs.js';
import { defineFact, type FactProvider } from './session.js';
import type { CallScope, ProviderHandle } from './types.js';

export const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

export interface PlatformRecord {
  os?: string;
  architecture?: string;
  variant?: string;
}

export interface ManifestRecord {
  mediaType?: string;
  /** For an index / manifest list: the platforms it offers. */
  platforms?: Array<PlatformRecord & { digest?: string }>;
  /**
   * For a single-platform manifest: its platform, as ECR's Docker schema 1 conversion of the manifest states it
   * (schema 1 carries the architecture and OS of the image configuration).
   */
  platform?: PlatformRecord;
  /**
   * How the platform is known: `index` (the manifest list names each platform), `schema1` (ECR's conversion), or
   * why it is not: `digest` (pulled by digest: ECR converts only by tag), `oci` (ECR does not convert OCI
   * manifests), `unconverted` (ECR returned no schema 1 manifest).
   */
  platformSource?: 'index' | 'schema1' | 'digest' | 'oci' | 'unconverted';
  /** Compressed bytes of the platform's image (config + layers), when the manifest says. */
  sizeInBytes?: number;
  /** The digest of the platform manifest that sizeInBytes describes. */
  platformDigest?: string;
}

export interface LifecycleRule {
  rulePriority: number;
  description?: string;
  tagStatus?: string;
  tagPrefixList?: string[];
  tagPatternList?: string[];
  /** standard | archive: which images the rule looks at (absent: standard). */
  storageClass?: string;
  countType?: string;
  countUnit?: string;
  countNumber?: number;
  /** expire (deletes) | transition (moves to the archive, where images cannot be pulled). */
  action?: string;
}

/** A tagged image of the repository (for the newest tags and for evaluating lifecycle rules). */
export interface TaggedImage {
  tags: string[];
  pushedAt?: string;
  /** ACTIVE | ARCHIVED | ACTIVATING */
  status?: string;
}

export interface PullThroughRecord {
  prefix: string;
  upstreamRegistryUrl: string;
  upstreamRegistry?: string;
  credentialArn?: string;
  /** What ECR fetches upstream for this image. */
  upstreamImage: string;
  /** A Docker Hub official image cached without library/ (docker-hub/nginx instead of docker-hub/library/nginx). */
  dockerHubLibraryMissing: boolean;
}

export interface EcrImageRecord {
  image: string;
  containers: string[];
  registryAccount: string;
  region: string;
  repository: string;
  tag?: string;
  digest?: string;
  /** No role is configured for the registry's account: nothing could be looked at. */
  unreachable?: boolean;
  repositoryExists?: boolean;
  imageFound?: boolean;
  detail?: {
    digest?: string;
    tags: string[];
    sizeInBytes?: number;
    pushedAt?: string;
    manifestMediaType?: string;
    /** ACTIVE, or ARCHIVED / ACTIVATING (an archived image cannot be pulled). */
    status?: string;
    archivedAt?: string;
  };
  manifest?: ManifestRecord;
  /** The repository's tagged images, pushed last first (one DescribeImages page), when the tag was not found. */
  taggedImages?: TaggedImage[];
  lifecycleRules?: LifecycleRule[];
  /** Repository policy, as JSON text; null when the repository has none. */
  repositoryPolicy?: string | null;
  /** Repositories with similar names, when the repository was not found. */
  nearNames?: string[];
  /** The pull-through cache rule serving the repository, read when the image is not in ECR yet. */
  pullThrough?: PullThroughRecord;
  /** Sub-calls that failed: which part could not be read and why. */
  errors: Array<{ part: string; error: FactError }>;
}

export interface BareNameRecord {
  image: string;
  /** The ECR repository name the bare reference could have meant. */
  repositoryName: string;
  exists: boolean;
  repositoryUri?: string;
}

export interface ExecutionRoleRecord {
  arn: string;
  name: string;
  exists: boolean;
  /** Trust policy document, parsed. */
  trustPolicy?: unknown;
  permissionsBoundaryArn?: string;
  attached: Array<{ name: string; arn: string }>;
  inlineNames: string[];
}

export interface SimulationRecord {
  action: string;
  resource: string;
  decision: 'allowed' | 'explicitDeny' | 'implicitDeny';
  /** Context keys the policies test that the simulation had no value for (the decision may depend on them). */
  missingContext?: string[];
}

export interface RolePoliciesRecord {
  /** Why local evaluation was needed (simulation's error code), or null when simulation answered. */
  reason: string | null;
  policies: Array<{ name: string; kind: 'inline' | 'managed' | 'boundary'; document: unknown }>;
}

export interface SecretRecord extends SecretRef {
  exists: boolean;
  /** The KMS key of the secret or SecureString parameter as the service names it, when not the AWS managed one. */
  kmsKeyId?: string;
  /** That key's ARN, when the name is a key id or ARN (an alias needs kms:DescribeKey: see kms.keys). */
  kmsKeyArn?: string;
  deleted?: boolean;
  unreachable?: boolean;
  error?: FactError;
}

/** A KMS key the task's secrets are encrypted with, as kms:DescribeKey describes it. */
export interface KmsKeyRecord {
  /** The key as the secret names it (id, ARN, alias or alias ARN). */
  keyId: string;
  arn?: string;
  /** Enabled, Disabled, PendingDeletion, PendingImport, Unavailable … */
  state?: string;
  /** CUSTOMER or AWS */
  manager?: string;
  unreachable?: boolean;
  error?: FactError;
}

declare module './types.js' {
  interface FactMap {
    'ecr.images': EcrImageRecord[];
    'ecr.bareNames': BareNameRecord[];
    'iam.executionRole': ExecutionRoleRecord;
    'iam.executionRoleSimulation': SimulationRecord[];
    'iam.executionRolePolicies': RolePoliciesRecord;
    'secrets.references': SecretRecord[];
    'kms.keys': KmsKeyRecord[];
    'registry.probe': ProbeResult[];
  }
}

async function capture<T>(
  part: string,
  errors: EcrImageRecord['errors'],
  fn: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    errors.push({ part, error: classifyAwsError(err, (err as { $action?: string }).$action) });
    return undefined;
  }
}

function isCode(err: unknown, code: string): boolean {
  return (err as { name?: string })?.name === code;
}

/**
 * The task's images: from the task alone when it lists its containers (so ECR calls need not wait for the task
 * definition), else from its task definition (a task rebuilt from its service carries no containers).
 */
async function taskImages(h: ProviderHandle): Promise<ImageUse[]> {
  const { task } = await h.need('ecs.task');
  const own = imagesOf(task);
  if (own.length) return own;
  return imagesOf(task, await h.need('ecs.taskDefinition'));
}

function scopeOf(h: ProviderHandle, ref: ImageRef): CallScope | undefined {
  const t = h.inputs.target;
  const account = ref.ecr!.account;
  const region = ref.ecr!.region;
  if (account === t.account && region === t.region) return undefined;
  return { account, region };
}

function parseManifest(text: string | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function imageSize(m: Record<string, unknown> | undefined): number | undefined {
  const layers = m?.layers as Array<{ size?: number }> | undefined;
  if (!layers) return undefined;
  const config = (m?.config as { size?: number } | undefined)?.size ?? 0;
  return layers.reduce((s, l) => s + (l.size ?? 0), config);
}

/** The task's CPU architecture as OCI spells it. */
async function taskPlatform(h: ProviderHandle): Promise<{ os: string; architecture: string }> {
  const td = await h.get('ecs.taskDefinition');
  const rp = td.ok ? td.value.runtimePlatform : undefined;
  const arch = (rp?.cpuArchitecture ?? 'X86_64').toUpperCase() === 'ARM64' ? 'arm64' : 'amd64';
  const os = (rp?.operatingSystemFamily ?? 'LINUX').toUpperCase().startsWith('WINDOWS') ? 'windows' : 'linux';
  return { os, architecture: arch };
}

/** Every private ECR image of the task: found or not, manifest, platform and size, lifecycle, near names. */
export const ecrImagesFact = defineFact({
  name: 'ecr.images',
  actions: [
    'ecr:DescribeImages',
    'ecr:BatchGetImage',
    'ecr:GetLifecyclePolicy',
    'ecr:GetRepositoryPolicy',
    'ecr:DescribeRepositories',
    'ecr:DescribePullThroughCacheRules',
  ],
  async get(h) {
    const images = (await taskImages(h)).filter((i) => i.ref?.kind === 'ecr' && i.ref.ecr);
    if (!images.length) throw new NotApplicable('the task pulls no image from private ECR');
    const platform = taskPlatform(h);
    return Promise.all(images.map((use) => ecrImage(h, use, platform)));
  },
});

/** Docker's schema 1 manifest: ECR converts a schema 2 manifest to it on request, by tag only. */
const SCHEMA1 = 'application/vnd.docker.distribution.manifest.v1+json';
const DOCKER_SCHEMA2 = 'application/vnd.docker.distribution.manifest.v2+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

async function ecrImage(
  h: ProviderHandle,
  use: ImageUse,
  platform: Promise<{ os: string; architecture: string }>,
): Promise<EcrImageRecord> {
  const ref = use.ref!;
  const registryId = ref.ecr!.account;
  const repositoryName = ref.repository;
  const rec: EcrImageRecord = {
    image: use.image,
    containers: use.containers,
    registryAccount: registryId,
    region: ref.ecr!.region,
    repository: repositoryName,
    ...(ref.tag ? { tag: ref.tag } : {}),
    ...(ref.digest ? { digest: ref.digest } : {}),
    errors: [],
  };
  const crossAccount = registryId !== h.inputs.target.account;
  if (crossAccount && !h.inputs.settings.canReachAccount(registryId)) {
    rec.unreachable = true;
    return rec;
  }
  const scope = scopeOf(h, ref);
  const ecr = <T>(api: string, params: unknown, send: (c: ECRClient, signal: AbortSignal) => Promise<T>) =>
    h.call(api, params, ({ clients, signal }) => send(clients.ecr, signal), scope);
  const imageId = ref.digest ? { imageDigest: ref.digest } : { imageTag: ref.tag ?? 'latest' };
  const describe = { registryId, repositoryName, imageIds: [imageId] };
  const get = { ...describe, acceptedMediaTypes: MANIFEST_TYPES };

  // Three independent questions at once; the manifest chain (index → platform manifest) does not wait for the others.
  const [described, , policy] = await Promise.all([
    ecr('ecr:DescribeImages', describe, (c, signal) =>
      c.send(new DescribeImagesCommand(describe), { abortSignal: signal }),
    )
      .then((out) => ({ out }))
      .catch((err: unknown) => ({ err })),
    capture('manifest', rec.errors, () =>
      ecr('ecr:BatchGetImage', get, (c, signal) =>
        c.send(new BatchGetImageCommand(get), { abortSignal: signal }),
      ),
    ).then((out) => readManifest(out?.images?.[0])),
    // Cross-account, the repository policy must allow the pull; in the same account it may grant what the
    // execution role's own policies do not (either side suffices there).
    ecr('ecr:GetRepositoryPolicy', { registryId, repositoryName }, (c, signal) =>
      c.send(new GetRepositoryPolicyCommand({ registryId, repositoryName }), { abortSignal: signal }),
    )
      .then((out) => out.policyText ?? null)
      .catch((err: unknown) => {
        if (isCode(err, 'RepositoryPolicyNotFoundException')) return null;
        if (!isCode(err, 'RepositoryNotFoundException')) {
          rec.errors.push({
            part: 'repository-policy',
            error: classifyAwsError(err, 'ecr:GetRepositoryPolicy'),
          });
        }
        return undefined;
      }),
  ]);
  if (policy !== undefined) rec.repositoryPolicy = policy;

  async function readManifest(
    m: { imageManifest?: string; imageManifestMediaType?: string } | undefined,
  ): Promise<void> {
    if (!m) return;
    const parsed = parseManifest(m.imageManifest);
    const mediaType = m.imageManifestMediaType ?? (parsed?.mediaType as string | undefined);
    const entries = parsed?.manifests as
      | Array<{ digest?: string; platform?: { os?: string; architecture?: string; variant?: string } }>
      | undefined;
    if (!entries) {
      const size = imageSize(parsed);
      rec.manifest = { mediaType, ...(size !== undefined ? { sizeInBytes: size } : {}) };
      await singlePlatform(mediaType);
      return;
    }
    rec.manifest = {
      mediaType,
      platformSource: 'index',
      platforms: entries.map((e) => ({ ...e.platform, digest: e.digest })),
    };
    // The size that matters is the task platform's image: read that child manifest.
    const want = await platform;
    const child = entries.find(
      (e) => e.platform?.os === want.os && e.platform?.architecture === want.architecture,
    );
    if (!child?.digest) return;
    const childGet = {
      registryId,
      repositoryName,
      imageIds: [{ imageDigest: child.digest }],
      acceptedMediaTypes: MANIFEST_TYPES,
    };
    const out = await capture('platform-manifest', rec.errors, () =>
      ecr('ecr:BatchGetImage', childGet, (c, signal) =>
        c.send(new BatchGetImageCommand(childGet), { abortSignal: signal }),
      ),
    );
    const size = imageSize(parseManifest(out?.images?.[0]?.imageManifest));
    if (size !== undefined) {
      rec.manifest.sizeInBytes = size;
      rec.manifest.platformDigest = child.digest;
    }
  }

  /**
   * A single manifest names no platform: that is in the image configuration, a blob that only a layer download
   * reads. ECR's schema 1 conversion carries it, and ECR converts Docker schema 2 manifests asked for by tag.
   */
  async function singlePlatform(mediaType: string | undefined): Promise<void> {
    const manifest = rec.manifest!;
    if (ref.digest) {
      manifest.platformSource = 'digest';
      return;
    }
    if (mediaType === OCI_MANIFEST) {
      manifest.platformSource = 'oci';
      return;
    }
    if (mediaType !== DOCKER_SCHEMA2) return;
    const v1 = { ...describe, acceptedMediaTypes: [SCHEMA1] };
    const out = await capture('schema1', rec.errors, () =>
      ecr('ecr:BatchGetImage', v1, (c, signal) =>
        c.send(new BatchGetImageCommand(v1), { abortSignal: signal }),
      ),
    );
    const p = schema1Platform(out?.images?.[0]?.imageManifest);
    if (p) {
      manifest.platform = p;
      manifest.platformSource = 'schema1';
    } else manifest.platformSource = 'unconverted';
  }

  if ('err' in described) {
    const err = described.err;
    if (isCode(err, 'RepositoryNotFoundException')) {
      rec.repositoryExists = false;
      rec.imageFound = false;
      const [list] = await Promise.all([
        capture('repositories', rec.errors, () =>
          ecr('ecr:DescribeRepositories', { registryId, maxResults: 1000 }, (c, signal) =>
            c.send(new DescribeRepositoriesCommand({ registryId, maxResults: 1000 }), {
              abortSignal: signal,
            }),
          ),
        ),
        pullThroughRule(),
      ]);
      if (list)
        rec.nearNames = nearNames(
          repositoryName,
          (list.repositories ?? []).map((r) => r.repositoryName ?? ''),
        );
      return rec;
    }
    if (isCode(err, 'ImageNotFoundException')) {
      rec.repositoryExists = true;
      rec.imageFound = false;
      // The tag is gone: which tags are there now (archived ones too), could a lifecycle rule have expired or
      // archived it, and is the repository a pull-through cache that would fetch it on the first pull?
      const listParams = {
        registryId,
        repositoryName,
        filter: { tagStatus: 'TAGGED' as const, imageStatus: 'ANY' as const },
        maxResults: 1000,
      };
      const [list, lifecycle] = await Promise.all([
        capture('tags', rec.errors, () =>
          ecr('ecr:DescribeImages', listParams, (c, signal) =>
            c.send(new DescribeImagesCommand(listParams), { abortSignal: signal }),
          ),
        ),
        ecr('ecr:GetLifecyclePolicy', { registryId, repositoryName }, (c, signal) =>
          c.send(new GetLifecyclePolicyCommand({ registryId, repositoryName }), { abortSignal: signal }),
        )
          .then((out) => out.lifecyclePolicyText)
          .catch((e: unknown) => {
            if (!isCode(e, 'LifecyclePolicyNotFoundException')) {
              rec.errors.push({ part: 'lifecycle', error: classifyAwsError(e, 'ecr:GetLifecyclePolicy') });
            }
            return undefined;
          }),
        pullThroughRule(),
      ]);
      if (list) {
        rec.taggedImages = (list.imageDetails ?? [])
          .filter((d) => d.imageTags?.length)
          .sort((a, b) => (b.imagePushedAt?.getTime() ?? 0) - (a.imagePushedAt?.getTime() ?? 0))
          .map((d) => ({
            tags: d.imageTags!,
            ...(d.imagePushedAt ? { pushedAt: d.imagePushedAt.toISOString() } : {}),
            ...(d.imageStatus ? { status: d.imageStatus } : {}),
          }));
      }
      rec.lifecycleRules = lifecycle !== undefined ? lifecycleRules(lifecycle) : undefined;
      return rec;
    }
    // Denied or failing DescribeImages: the manifest, if it came back, still proves the image exists.
    rec.errors.push({ part: 'image', error: classifyAwsError(err, 'ecr:DescribeImages') });
    if (rec.manifest) {
      rec.repositoryExists = true;
      rec.imageFound = true;
    }
    return rec;
  }
  rec.repositoryExists = true;
  const d = described.out.imageDetails?.[0];
  rec.imageFound = !!d;
  if (d) {
    rec.detail = {
      digest: d.imageDigest,
      tags: d.imageTags ?? [],
      sizeInBytes: d.imageSizeInBytes,
      pushedAt: d.imagePushedAt?.toISOString(),
      manifestMediaType: d.imageManifestMediaType,
      ...(d.imageStatus ? { status: d.imageStatus } : {}),
      ...(d.lastArchivedAt ? { archivedAt: d.lastArchivedAt.toISOString() } : {}),
    };
  }
  return rec;

  /** The registry's pull-through cache rules (one call per registry), and the one serving this repository. */
  async function pullThroughRule(): Promise<void> {
    const params = { registryId, maxResults: 1000 };
    const out = await capture('pull-through', rec.errors, () =>
      ecr('ecr:DescribePullThroughCacheRules', params, (c, signal) =>
        c.send(new DescribePullThroughCacheRulesCommand(params), { abortSignal: signal }),
      ),
    );
    const rules = (out?.pullThroughCacheRules ?? [])
      .filter((r) => r.ecrRepositoryPrefix && r.upstreamRegistryUrl)
      .map((r) => ({
        ecrRepositoryPrefix: r.ecrRepositoryPrefix!,
        upstreamRegistryUrl: r.upstreamRegistryUrl!,
        upstreamRegistry: r.upstreamRegistry,
        credentialArn: r.credentialArn,
        upstreamRepositoryPrefix: r.upstreamRepositoryPrefix,
      }));
    const rule = pullThroughRuleFor(repositoryName, rules);
    if (!rule) return;
    const upstream = upstreamOf(ref, rule);
    rec.pullThrough = {
      prefix: rule.ecrRepositoryPrefix,
      upstreamRegistryUrl: rule.upstreamRegistryUrl,
      ...(rule.upstreamRegistry ? { upstreamRegistry: rule.upstreamRegistry } : {}),
      ...(rule.credentialArn ? { credentialArn: rule.credentialArn } : {}),
      upstreamImage: upstream.image,
      dockerHubLibraryMissing: upstream.dockerHubLibraryMissing,
    };
  }
}

/** The platform a Docker schema 1 manifest states (top-level architecture; OS in the first v1Compatibility). */
export function schema1Platform(text: string | undefined): PlatformRecord | undefined {
  const m = parseManifest(text);
  if (m?.schemaVersion !== 1 || typeof m.architecture !== 'string') return undefined;
  let os = 'linux';
  const history = m.history as Array<{ v1Compatibility?: string }> | undefined;
  try {
    const v1 = JSON.parse(history?.[0]?.v1Compatibility ?? '{}') as { os?: string };
    if (v1.os) os = v1.os;
  } catch {
    // An unreadable history keeps the schema's default OS.
  }
  return { os, architecture: m.architecture };
}

function lifecycleRules(text: string | undefined): LifecycleRule[] {
  const parsed = parseManifest(text) as { rules?: Array<Record<string, unknown>> } | undefined;
  return (parsed?.rules ?? []).map((r) => {
    const sel = (r.selection ?? {}) as Record<string, unknown>;
    const action = (r.action ?? {}) as Record<string, unknown>;
    return {
      rulePriority: Number(r.rulePriority ?? 0),
      ...(r.description ? { description: String(r.description) } : {}),
      ...(sel.tagStatus ? { tagStatus: String(sel.tagStatus) } : {}),
      ...(Array.isArray(sel.tagPrefixList) ? { tagPrefixList: sel.tagPrefixList.map(String) } : {}),
      ...(Array.isArray(sel.tagPatternList) ? { tagPatternList: sel.tagPatternList.map(String) } : {}),
      ...(sel.storageClass ? { storageClass: String(sel.storageClass) } : {}),
      ...(sel.countType ? { countType: String(sel.countType) } : {}),
      ...(sel.countUnit ? { countUnit: String(sel.countUnit) } : {}),
      ...(sel.countNumber !== undefined ? { countNumber: Number(sel.countNumber) } : {}),
      ...(action.type ? { action: String(action.type) } : {}),
    };
  });
}

/** Repository names within edit distance (or containment) of the missing one, closest first. */
export function nearNames(wanted: string, names: string[]): string[] {
  const scored = names
    .filter((n) => n && n !== wanted)
    .map((n) => ({ n, d: distance(wanted.toLowerCase(), n.toLowerCase()) }))
    .filter(
      ({ n, d }) =>
        d <= Math.max(2, Math.floor(wanted.length / 3)) || n.includes(wanted) || wanted.includes(n),
    )
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n));
  return scored.slice(0, 3).map((s) => s.n);
}

function distance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

/** For bare image names (Docker Hub by default): does an ECR repository of that name exist in the task's account? */
export const bareNamesFact = defineFact({
  name: 'ecr.bareNames',
  actions: ['ecr:DescribeRepositories'],
  async get(h) {
    const bare = (await taskImages(h)).filter((i) => i.ref?.kind === 'docker-hub' && i.ref.implicitRegistry);
    if (!bare.length) throw new NotApplicable('no bare image names');
    const names = [...new Set(bare.map((i) => i.ref!.repository.replace(/^library\//, '')))];
    const found = new Map<string, string | undefined>();
    // One call for all names; a missing one fails the whole call, so fall back to one call per name.
    try {
      const out = await h.call(
        'ecr:DescribeRepositories',
        { repositoryNames: names },
        ({ clients, signal }) =>
          clients.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: names }), {
            abortSignal: signal,
          }),
      );
      for (const r of out.repositories ?? []) found.set(r.repositoryName!, r.repositoryUri);
    } catch (err) {
      if (!isCode(err, 'RepositoryNotFoundException')) throw err;
      if (names.length > 1) {
        await Promise.all(
          names.map(async (n) => {
            try {
              const out = await h.call(
                'ecr:DescribeRepositories',
                { repositoryNames: [n] },
                ({ clients, signal }) =>
                  clients.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [n] }), {
                    abortSignal: signal,
                  }),
              );
              found.set(n, out.repositories?.[0]?.repositoryUri);
            } catch (e) {
              if (!isCode(e, 'RepositoryNotFoundException')) throw e;
            }
          }),
        );
      }
    }
    return bare.map((i) => {
      const name = i.ref!.repository.replace(/^library\//, '');
      return {
        image: i.image,
        repositoryName: name,
        exists: found.has(name),
        repositoryUri: found.get(name),
      };
    });
  },
});

function roleName(arn: string): string {
  return arn.split('/').pop() ?? arn;
}

function decodeDocument(doc: string | undefined): unknown {
  if (!doc) return undefined;
  try {
    return JSON.parse(decodeURIComponent(doc));
  } catch {
    try {
      return JSON.parse(doc);
    } catch {
      return undefined;
    }
  }
}

function listAttached(h: ProviderHandle, name: string) {
  return h.call('iam:ListAttachedRolePolicies', { RoleName: name }, ({ clients, signal }) =>
    clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }), { abortSignal: signal }),
  );
}

function listInline(h: ProviderHandle, name: string) {
  return h.call('iam:ListRolePolicies', { RoleName: name }, ({ clients, signal }) =>
    clients.iam.send(new ListRolePoliciesCommand({ RoleName: name }), { abortSignal: signal }),
  );
}

/** The execution role: existence, trust policy, permissions boundary, attached and inline policy names. */
export const executionRoleFact = defineFact({
  name: 'iam.executionRole',
  actions: ['iam:GetRole', 'iam:ListAttachedRolePolicies', 'iam:ListRolePolicies'],
  async get(h) {
    const td = await h.need('ecs.taskDefinition');
    const arn = td.executionRoleArn;
    if (!arn) throw new NotApplicable('the task definition has no execution role');
    const name = roleName(arn);
    const [role, attached, inline] = await Promise.all([
      h
        .call('iam:GetRole', { RoleName: name }, ({ clients, signal }) =>
          clients.iam.send(new GetRoleCommand({ RoleName: name }), { abortSignal: signal }),
        )
        .catch((err: unknown) => {
          if (isCode(err, 'NoSuchEntity') || isCode(err, 'NoSuchEntityException')) return null;
          throw err;
        }),
      // Listed now, with the simulation, though only local evaluation reads them: the fallback starts a round earlier.
      listAttached(h, name).catch(() => undefined),
      listInline(h, name).catch(() => undefined),
    ]);
    if (!role?.Role) return { arn, name, exists: false, attached: [], inlineNames: [] };
    return {
      arn: role.Role.Arn ?? arn,
      name,
      exists: true,
      trustPolicy: decodeDocument(role.Role.AssumeRolePolicyDocument),
      ...(role.Role.PermissionsBoundary?.PermissionsBoundaryArn
        ? { permissionsBoundaryArn: role.Role.PermissionsBoundary.PermissionsBoundaryArn }
        : {}),
      attached: (attached?.AttachedPolicies ?? []).map((p) => ({
        name: p.PolicyName ?? '?',
        arn: p.PolicyArn ?? '',
      })),
      inlineNames: inline?.PolicyNames ?? [],
    };
  },
});

function missing(keys: string[] | undefined): { missingContext?: string[] } {
  return keys?.length ? { missingContext: keys } : {};
}

async function questions(h: ProviderHandle): Promise<PermissionQuestion[]> {
  const [task, td] = await Promise.all([h.need('ecs.task'), h.need('ecs.taskDefinition')]);
  const t = h.inputs.target;
  const account = t.account ?? task.task.taskArn.split(':')[4] ?? '';
  return executionRoleQuestions(
    imagesOf(task.task, td),
    secretRefsOf(td, t.partition, t.region, account),
    t.partition,
    account,
  );
}

/** iam:SimulatePrincipalPolicy for every permission the execution role needs (one call per resource set). */
export const simulationFact = defineFact({
  name: 'iam.executionRoleSimulation',
  actions: ['iam:SimulatePrincipalPolicy'],
  async get(h) {
    const td = await h.need('ecs.taskDefinition');
    const arn = td.executionRoleArn;
    if (!arn) throw new NotApplicable('the task definition has no execution role');
    const qs = await questions(h);
    if (!qs.length) throw new NotApplicable('nothing for the execution role to do');
    // Group by resource: SimulatePrincipalPolicy evaluates every action against every resource given.
    const byResource = new Map<string, string[]>();
    for (const q of qs) byResource.set(q.resource, [...(byResource.get(q.resource) ?? []), q.action]);
    const out: SimulationRecord[] = [];
    // kms:Decrypt on the secrets' customer managed keys: known once the secrets are described. A key named by id
    // or ARN is asked about right away; only an alias waits for kms:DescribeKey to resolve it.
    const kms = h.get('secrets.references').then(async (f) => {
      if (!f.ok) return [];
      const direct = f.value.map((s) => s.kmsKeyArn).filter((k): k is string => !!k);
      const aliases = f.value.filter((s) => s.kmsKeyId && !s.kmsKeyArn);
      const resolved = aliases.length ? await h.get('kms.keys') : undefined;
      const viaAlias = resolved?.ok
        ? resolved.value
            .filter((k) => k.manager !== 'AWS' && aliases.some((s) => s.kmsKeyId === k.keyId))
            .map((k) => k.arn)
            .filter((k): k is string => !!k)
        : [];
      return [...new Set([...direct, ...viaAlias])];
    });
    await Promise.all([
      ...[...byResource.entries()].map(async ([resource, actions]) => {
        const params = { PolicySourceArn: arn, ActionNames: actions, ResourceArns: [resource] };
        const res = await h.call('iam:SimulatePrincipalPolicy', params, ({ clients, signal }) =>
          clients.iam.send(new SimulatePrincipalPolicyCommand(params), { abortSignal: signal }),
        );
        for (const r of res.EvaluationResults ?? []) {
          const specific = r.ResourceSpecificResults ?? [];
          if (specific.length) {
            for (const s of specific) {
              out.push({
                action: r.EvalActionName ?? '?',
                resource: s.EvalResourceName ?? resource,
                decision: s.EvalResourceDecision as SimulationRecord['decision'],
                ...missing(s.MissingContextValues),
              });
            }
          } else {
            out.push({
              action: r.EvalActionName ?? '?',
              resource: r.EvalResourceName ?? resource,
              decision: r.EvalDecision as SimulationRecord['decision'],
              ...missing(r.MissingContextValues),
            });
          }
        }
      }),
      kms.then((keys) =>
        Promise.all(
          keys.map(async (key) => {
            const params = { PolicySourceArn: arn, ActionNames: ['kms:Decrypt'], ResourceArns: [key] };
            const res = await h.call('iam:SimulatePrincipalPolicy', params, ({ clients, signal }) =>
              clients.iam.send(new SimulatePrincipalPolicyCommand(params), { abortSignal: signal }),
            );
            for (const e of res.EvaluationResults ?? []) {
              out.push({
                action: 'kms:Decrypt',
                resource: key,
                decision: e.EvalDecision as SimulationRecord['decision'],
                ...missing(e.MissingContextValues),
              });
            }
          }),
        ),
      ),
    ]);
    return out.sort((a, b) => questionKey(a).localeCompare(questionKey(b)));
  },
});

/**
 * The execution role's policy documents, for local evaluation — read only when simulation could not answer
 * (denied to the diagnostics role, or unavailable), naming why.
 */
export const rolePoliciesFact = defineFact({
  name: 'iam.executionRolePolicies',
  actions: [
    'iam:ListAttachedRolePolicies',
    'iam:ListRolePolicies',
    'iam:GetRolePolicy',
    'iam:GetPolicy',
    'iam:GetPolicyVersion',
  ],
  async get(h) {
    const sim = await h.get('iam.executionRoleSimulation');
    if (sim.ok) return { reason: null, policies: [] };
    if (sim.error.kind === 'not-applicable') throw new NotApplicable(sim.error.message);
    const role = await h.need('iam.executionRole');
    if (!role.exists) throw new NotApplicable('the execution role does not exist');
    // The same (memoized) list calls as iam.executionRole: a denied list fails this fact, naming the action, rather
    // than leaving out policies and wrongly concluding that nothing is allowed.
    const [attached, inline] = await Promise.all([listAttached(h, role.name), listInline(h, role.name)]);
    const managed = async (arn: string, kind: 'managed' | 'boundary') => {
      const p = await h.call('iam:GetPolicy', { PolicyArn: arn }, ({ clients, signal }) =>
        clients.iam.send(new GetPolicyCommand({ PolicyArn: arn }), { abortSignal: signal }),
      );
      const versionId = p.Policy?.DefaultVersionId ?? 'v1';
      const v = await h.call(
        'iam:GetPolicyVersion',
        { PolicyArn: arn, VersionId: versionId },
        ({ clients, signal }) =>
          clients.iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId }), {
            abortSignal: signal,
          }),
      );
      return { name: p.Policy?.PolicyName ?? arn, kind, document: decodeDocument(v.PolicyVersion?.Document) };
    };
    const policies = await Promise.all([
      ...(inline.PolicyNames ?? []).map(async (name) => {
        const out = await h.call(
          'iam:GetRolePolicy',
          { RoleName: role.name, PolicyName: name },
          ({ clients, signal }) =>
            clients.iam.send(new GetRolePolicyCommand({ RoleName: role.name, PolicyName: name }), {
              abortSignal: signal,
            }),
        );
        return { name, kind: 'inline' as const, document: decodeDocument(out.PolicyDocument) };
      }),
      ...(attached.AttachedPolicies ?? []).map((p) => managed(p.PolicyArn ?? '', 'managed')),
      ...(role.permissionsBoundaryArn ? [managed(role.permissionsBoundaryArn, 'boundary')] : []),
    ]);
    return { reason: sim.error.code, policies };
  },
});

/**
 * The ARN of a KMS key named by id or ARN, in the secret's account and region; undefined for an alias, which only
 * kms:DescribeKey resolves.
 */
export function kmsKeyArnOf(
  keyId: string,
  partition: string,
  region: string,
  account: string,
): string | undefined {
  if (/^arn:[^:]+:kms:[^:]+:\d{12}:key\//.test(keyId)) return keyId;
  if (/^(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.test(keyId))
    return `arn:${partition}:kms:${region}:${account}:key/${keyId}`;
  return undefined;
}

/** The AWS managed default keys: nothing for the execution role to be granted. */
const AWS_MANAGED_DEFAULT = /(^|:)alias\/aws\/(secretsmanager|ssm)$/;

/** Each secret and parameter the task reads: exists (never its value) and the KMS key it is encrypted with. */
export const secretsFact = defineFact({
  name: 'secrets.references',
  actions: ['secretsmanager:DescribeSecret', 'ssm:DescribeParameters'],
  async get(h) {
    const [task, td] = await Promise.all([h.need('ecs.task'), h.need('ecs.taskDefinition')]);
    const t = h.inputs.target;
    const account = t.account ?? task.task.taskArn.split(':')[4] ?? '';
    const refs = secretRefsOf(td, t.partition, t.region, account);
    if (!refs.length) throw new NotApplicable('the task reads no secret');
    return Promise.all(
      refs.map(async (ref): Promise<SecretRecord> => {
        const scope =
          ref.account !== account || ref.region !== t.region
            ? { account: ref.account, region: ref.region }
            : undefined;
        if (ref.account !== account && !h.inputs.settings.canReachAccount(ref.account)) {
          return { ...ref, exists: false, unreachable: true };
        }
        const withKey = (rec: SecretRecord, keyId: string | undefined): SecretRecord => {
          if (!keyId || AWS_MANAGED_DEFAULT.test(keyId)) return rec;
          const arn = kmsKeyArnOf(keyId, t.partition, ref.region, ref.account);
          return { ...rec, kmsKeyId: keyId, ...(arn ? { kmsKeyArn: arn } : {}) };
        };
        try {
          if (ref.store === 'secretsmanager') {
            const out = await h.call(
              'secretsmanager:DescribeSecret',
              { SecretId: ref.lookup },
              ({ clients, signal }) =>
                clients.secretsManager.send(new DescribeSecretCommand({ SecretId: ref.lookup }), {
                  abortSignal: signal,
                }),
              scope,
            );
            // KmsKeyId is omitted when the secret uses the AWS managed key aws/secretsmanager.
            return withKey(
              { ...ref, exists: true, arn: out.ARN ?? ref.arn, deleted: !!out.DeletedDate },
              out.KmsKeyId,
            );
          }
          const params = { ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [ref.lookup] }] };
          const out = await h.call(
            'ssm:DescribeParameters',
            params,
            ({ clients, signal }) =>
              clients.ssm.send(new DescribeParametersCommand(params), { abortSignal: signal }),
            scope,
          );
          const p = out.Parameters?.[0];
          return withKey({ ...ref, exists: !!p }, p?.Type === 'SecureString' ? p.KeyId : undefined);
        } catch (err) {
          if (isCode(err, 'ResourceNotFoundException') || isCode(err, 'ParameterNotFound'))
            return { ...ref, exists: false };
          return {
            ...ref,
            exists: false,
            error: classifyAwsError(
              err,
              ref.store === 'secretsmanager' ? 'secretsmanager:DescribeSecret' : 'ssm:DescribeParameters',
            ),
          };
        }
      }),
    );
  },
});

/** The customer managed KMS keys of the task's secrets: ARN (aliases resolved), state, and who manages them. */
export const kmsKeysFact = defineFact({
  name: 'kms.keys',
  actions: ['kms:DescribeKey'],
  async get(h) {
    const secrets = await h.need('secrets.references');
    const t = h.inputs.target;
    const keys = new Map<string, SecretRecord>();
    for (const s of secrets) if (s.kmsKeyId && !keys.has(s.kmsKeyId)) keys.set(s.kmsKeyId, s);
    if (!keys.size) throw new NotApplicable('no secret uses a customer managed KMS key');
    return Promise.all(
      [...keys.entries()].map(async ([keyId, secret]): Promise<KmsKeyRecord> => {
        // A key named by ARN lives in the ARN's account; otherwise in the secret's.
        const arnParts = keyId.startsWith('arn:') ? keyId.split(':') : undefined;
        const account = arnParts?.[4] ?? secret.account;
        const region = arnParts?.[3] ?? secret.region;
        if (account !== t.account && !h.inputs.settings.canReachAccount(account))
          return { keyId, ...(secret.kmsKeyArn ? { arn: secret.kmsKeyArn } : {}), unreachable: true };
        const scope = account !== t.account || region !== t.region ? { account, region } : undefined;
        try {
          const out = await h.call(
            'kms:DescribeKey',
            { KeyId: keyId },
            ({ clients, signal }) =>
              clients.kms.send(new DescribeKeyCommand({ KeyId: keyId }), { abortSignal: signal }),
            scope,
          );
          return {
            keyId,
            arn: out.KeyMetadata?.Arn ?? secret.kmsKeyArn,
            state: out.KeyMetadata?.KeyState,
            manager: out.KeyMetadata?.KeyManager,
          };
        } catch (err) {
          return {
            keyId,
            ...(secret.kmsKeyArn ? { arn: secret.kmsKeyArn } : {}),
            error: classifyAwsError(err, 'kms:DescribeKey'),
          };
        }
      }),
    );
  },
});

/**
 * Opt-in: registries outside ECR asked over HTTPS whether the manifest exists and whether anonymous pulls are
 * rate-limited; also the upstream image of a pull-through cache repository that has not cached it yet.
 */
export const registryProbeFact = defineFact({
  name: 'registry.probe',
  actions: [],
  async get(h) {
    if (!h.inputs.settings.probePublicRegistries)
      throw new NotApplicable('registry probing is off (registries.probePublic)');
    const timeout = h.inputs.settings.probeTimeoutMs;
    const probe = (image: string, ref: ImageRef) =>
      probeRegistry(ref, timeout).then((p) => ({ ...p, image }));
    const [direct, upstream] = await Promise.all([
      taskImages(h).then((images) =>
        Promise.all(images.filter((i) => i.ref && i.ref.kind !== 'ecr').map((i) => probe(i.image, i.ref!))),
      ),
      // Pull-through cache repositories are known once ECR has answered; only uncached images need the upstream.
      h.get('ecr.images').then((f) =>
        Promise.all(
          (f.ok ? f.value : [])
            .filter((r) => r.pullThrough && r.imageFound === false && !r.pullThrough.dockerHubLibraryMissing)
            .map((r) => ({ image: r.image, ref: parseImageRef(r.pullThrough!.upstreamImage) }))
            .filter((x): x is { image: string; ref: ImageRef } => !!x.ref && x.ref.kind !== 'ecr')
            .map((x) => probe(x.image, x.ref)),
        ),
      ),
    ]);
    if (!direct.length && !upstream.length) throw new NotApplicable('no image outside private ECR');
    return [...direct, ...upstream];
  },
});

export const identityFacts: FactProvider[] = [
  ecrImagesFact,
  bareNamesFact,
  executionRoleFact,
  simulationFact,
  rolePoliciesFact,
  secretsFact,
  kmsKeysFact,
  registryProbeFact,
] as FactProvider[];
