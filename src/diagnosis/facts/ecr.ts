/**
 * ECR facts: every private ECR image of the task (found or not, its manifest, platform and size, the tags and
 * lifecycle rules of a repository that lacks the tag, near names of a repository that is missing, its repository
 * policy and pull-through cache rule), and the ECR repositories a bare image name may have meant. Image URIs are
 * known from the task itself, so these calls start right after DescribeTasks.
 */

import { classifyAwsError, type FactError, hasErrorCode, NotApplicable } from '../../aws/errors.js';
import { type ImageRef, pullThroughRuleFor, upstreamOf } from '../../aws/image-ref.js';
import {
  BatchGetImageCommand,
  DescribeImagesCommand,
  type DescribeImagesCommandOutput,
  DescribePullThroughCacheRulesCommand,
  DescribeRepositoriesCommand,
  type ECRClient,
  GetLifecyclePolicyCommand,
  GetRepositoryPolicyCommand,
  type ImageDetail,
  type ImageIdentifier,
} from '../../aws/sdk/ecr.js';
import { nearNames } from '../../near-names.js';
import type { ImageUse } from '../task-refs.js';
import { taskImages, taskPlatform } from './ecs.js';
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
  /** The registry's account may not be read by this request (a Slack channel's rules): nothing was asked. */
  notAllowed?: boolean;
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

declare module './types.js' {
  interface FactMap {
    'ecr.images': EcrImageRecord[];
    'ecr.bareNames': BareNameRecord[];
  }
}

/** Runs a call, recording its error as a part of the record that could not be read instead of throwing. */
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

/** The manifest text parsed, or undefined when it is not JSON. */
function parseJson(text: string | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Compressed bytes of a single-platform manifest's image: its config and layers. */
export function imageSize(m: Record<string, unknown> | undefined): number | undefined {
  const layers = m?.layers as Array<{ size?: number }> | undefined;
  if (!layers) return undefined;
  const config = (m?.config as { size?: number } | undefined)?.size ?? 0;
  return layers.reduce((s, l) => s + (l.size ?? 0), config);
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

/** One image's repository, and how to ask ECR about it: in the registry's own account and region. */
interface Repo {
  h: ProviderHandle;
  ref: ImageRef;
  registryId: string;
  repositoryName: string;
  imageId: ImageIdentifier;
  scope: CallScope | undefined;
  /** Where the parts that could not be read are recorded (the record's own list). */
  errors: EcrImageRecord['errors'];
}

/** One ECR call about the repository, through the fact session (once per diagnosis, counted, cached). */
function ecrCall<T>(
  repo: Repo,
  api: string,
  params: unknown,
  send: (c: ECRClient, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  return repo.h.call(api, params, ({ clients, signal }) => send(clients.ecr, signal), repo.scope);
}

/** The call scope of an image's registry: undefined for the task's own account and region. */
function scopeOf(h: ProviderHandle, ref: ImageRef): CallScope | undefined {
  const t = h.inputs.target;
  const { account, region } = ref.ecr!;
  if (account === t.account && region === t.region) return undefined;
  return { account, region };
}

/**
 * One image: three independent questions at once (DescribeImages, the manifest chain, the repository policy);
 * then, when the image or repository is missing, what is there instead.
 */
async function ecrImage(
  h: ProviderHandle,
  use: ImageUse,
  platform: Promise<{ os: string; architecture: string }>,
): Promise<EcrImageRecord> {
  const ref = use.ref!;
  const registryId = ref.ecr!.account;
  const rec: EcrImageRecord = {
    image: use.image,
    containers: use.containers,
    registryAccount: registryId,
    region: ref.ecr!.region,
    repository: ref.repository,
    ...(ref.tag ? { tag: ref.tag } : {}),
    ...(ref.digest ? { digest: ref.digest } : {}),
    errors: [],
  };
  if (registryId !== h.inputs.target.account && !h.inputs.settings.mayRead(registryId)) {
    rec.notAllowed = true;
    return rec;
  }
  if (registryId !== h.inputs.target.account && !h.inputs.settings.canReachAccount(registryId)) {
    rec.unreachable = true;
    return rec;
  }
  const repo: Repo = {
    h,
    ref,
    registryId,
    repositoryName: ref.repository,
    imageId: ref.digest ? { imageDigest: ref.digest } : { imageTag: ref.tag ?? 'latest' },
    scope: scopeOf(h, ref),
    errors: rec.errors,
  };
  const [described, manifest, policy] = await Promise.all([
    describeImage(repo),
    readManifest(repo, platform),
    repositoryPolicy(repo),
  ]);
  if (manifest) rec.manifest = manifest;
  if (policy !== undefined) rec.repositoryPolicy = policy;

  if ('out' in described) {
    rec.repositoryExists = true;
    const d = described.out.imageDetails?.[0];
    rec.imageFound = !!d;
    if (d) rec.detail = imageDetailOf(d);
    return rec;
  }
  if (hasErrorCode(described.err, 'RepositoryNotFoundException')) {
    rec.repositoryExists = false;
    rec.imageFound = false;
    const [names, pullThrough] = await Promise.all([repositoryNames(repo), pullThroughRule(repo)]);
    if (pullThrough) rec.pullThrough = pullThrough;
    if (names) rec.nearNames = nearNames(repo.repositoryName, names);
    return rec;
  }
  if (hasErrorCode(described.err, 'ImageNotFoundException')) {
    rec.repositoryExists = true;
    rec.imageFound = false;
    // The tag is gone: which tags are there now (archived ones too), could a lifecycle rule have expired or
    // archived it, and is the repository a pull-through cache that would fetch it on the first pull?
    const [tagged, lifecycle, pullThrough] = await Promise.all([
      taggedImages(repo),
      lifecyclePolicy(repo),
      pullThroughRule(repo),
    ]);
    if (pullThrough) rec.pullThrough = pullThrough;
    if (tagged) rec.taggedImages = tagged;
    rec.lifecycleRules = lifecycle !== undefined ? lifecycleRules(lifecycle) : undefined;
    return rec;
  }
  // Denied or failing DescribeImages: the manifest, if it came back, still proves the image exists.
  rec.errors.push({ part: 'image', error: classifyAwsError(described.err, 'ecr:DescribeImages') });
  if (rec.manifest) {
    rec.repositoryExists = true;
    rec.imageFound = true;
  }
  return rec;
}

/** DescribeImages for the image's tag or digest: the answer, or the error (which says what is missing). */
function describeImage(repo: Repo): Promise<{ out: DescribeImagesCommandOutput } | { err: unknown }> {
  const params = {
    registryId: repo.registryId,
    repositoryName: repo.repositoryName,
    imageIds: [repo.imageId],
  };
  return ecrCall(repo, 'ecr:DescribeImages', params, (c, signal) =>
    c.send(new DescribeImagesCommand(params), { abortSignal: signal }),
  )
    .then((out) => ({ out }))
    .catch((err: unknown) => ({ err }));
}

/** What a found image's DescribeImages entry says. */
export function imageDetailOf(d: ImageDetail): NonNullable<EcrImageRecord['detail']> {
  return {
    digest: d.imageDigest,
    tags: d.imageTags ?? [],
    sizeInBytes: d.imageSizeInBytes,
    pushedAt: d.imagePushedAt?.toISOString(),
    manifestMediaType: d.imageManifestMediaType,
    ...(d.imageStatus ? { status: d.imageStatus } : {}),
    ...(d.lastArchivedAt ? { archivedAt: d.lastArchivedAt.toISOString() } : {}),
  };
}

/**
 * The repository policy as JSON text, null when the repository has none, undefined when it could not be read.
 * Cross-account, it must allow the pull; in the same account it may grant what the execution role's own policies
 * do not (either side suffices there).
 */
function repositoryPolicy(repo: Repo): Promise<string | null | undefined> {
  const params = { registryId: repo.registryId, repositoryName: repo.repositoryName };
  return ecrCall(repo, 'ecr:GetRepositoryPolicy', params, (c, signal) =>
    c.send(new GetRepositoryPolicyCommand(params), { abortSignal: signal }),
  )
    .then((out) => out.policyText ?? null)
    .catch((err: unknown) => {
      if (hasErrorCode(err, 'RepositoryPolicyNotFoundException')) return null;
      if (!hasErrorCode(err, 'RepositoryNotFoundException')) {
        repo.errors.push({
          part: 'repository-policy',
          error: classifyAwsError(err, 'ecr:GetRepositoryPolicy'),
        });
      }
      return undefined;
    });
}

/** BatchGetImage of one image id with every manifest type accepted; a failure is recorded as `part`. */
async function getManifest(
  repo: Repo,
  part: string,
  imageId: ImageIdentifier,
  acceptedMediaTypes: string[],
): Promise<{ imageManifest?: string; imageManifestMediaType?: string } | undefined> {
  const params = {
    registryId: repo.registryId,
    repositoryName: repo.repositoryName,
    imageIds: [imageId],
    acceptedMediaTypes,
  };
  const out = await capture(part, repo.errors, () =>
    ecrCall(repo, 'ecr:BatchGetImage', params, (c, signal) =>
      c.send(new BatchGetImageCommand(params), { abortSignal: signal }),
    ),
  );
  return out?.images?.[0];
}

/**
 * The image's manifest: for an index, the platforms it offers and the size of the task platform's image (its
 * child manifest); for a single manifest, its size and platform as far as ECR can tell.
 */
async function readManifest(
  repo: Repo,
  platform: Promise<{ os: string; architecture: string }>,
): Promise<ManifestRecord | undefined> {
  const m = await getManifest(repo, 'manifest', repo.imageId, MANIFEST_TYPES);
  if (!m) return undefined;
  const parsed = parseJson(m.imageManifest);
  const mediaType = m.imageManifestMediaType ?? (parsed?.mediaType as string | undefined);
  const entries = parsed?.manifests as IndexEntry[] | undefined;
  if (!entries) {
    const size = imageSize(parsed);
    const manifest: ManifestRecord = { mediaType, ...(size !== undefined ? { sizeInBytes: size } : {}) };
    Object.assign(manifest, await singlePlatform(repo, mediaType));
    return manifest;
  }
  const manifest: ManifestRecord = {
    mediaType,
    platformSource: 'index',
    platforms: entries.map((e) => ({ ...e.platform, digest: e.digest })),
  };
  // The size that matters is the task platform's image: read that child manifest.
  const child = childFor(entries, await platform);
  if (!child?.digest) return manifest;
  const out = await getManifest(repo, 'platform-manifest', { imageDigest: child.digest }, MANIFEST_TYPES);
  const size = imageSize(parseJson(out?.imageManifest));
  if (size !== undefined) {
    manifest.sizeInBytes = size;
    manifest.platformDigest = child.digest;
  }
  return manifest;
}

/** An entry of an image index (manifest list). */
interface IndexEntry {
  digest?: string;
  platform?: { os?: string; architecture?: string; variant?: string };
}

/** The index entry for the task's platform. */
export function childFor(
  entries: readonly IndexEntry[],
  want: { os: string; architecture: string },
): IndexEntry | undefined {
  return entries.find((e) => e.platform?.os === want.os && e.platform?.architecture === want.architecture);
}

/**
 * A single manifest names no platform: that is in the image configuration, a blob that only a layer download
 * reads. ECR's schema 1 conversion carries it, and ECR converts Docker schema 2 manifests asked for by tag.
 */
async function singlePlatform(
  repo: Repo,
  mediaType: string | undefined,
): Promise<Pick<ManifestRecord, 'platform' | 'platformSource'>> {
  if (repo.ref.digest) return { platformSource: 'digest' };
  if (mediaType === OCI_MANIFEST) return { platformSource: 'oci' };
  if (mediaType !== DOCKER_SCHEMA2) return {};
  const v1 = await getManifest(repo, 'schema1', repo.imageId, [SCHEMA1]);
  const p = schema1Platform(v1?.imageManifest);
  return p ? { platform: p, platformSource: 'schema1' } : { platformSource: 'unconverted' };
}

/** The registry's repository names (for near names of a missing one), or undefined when they could not be listed. */
async function repositoryNames(repo: Repo): Promise<string[] | undefined> {
  const params = { registryId: repo.registryId, maxResults: 1000 };
  const list = await capture('repositories', repo.errors, () =>
    ecrCall(repo, 'ecr:DescribeRepositories', params, (c, signal) =>
      c.send(new DescribeRepositoriesCommand(params), { abortSignal: signal }),
    ),
  );
  return list ? (list.repositories ?? []).map((r) => r.repositoryName ?? '') : undefined;
}

/** The repository's tagged images (archived ones too), pushed last first; undefined when they could not be listed. */
async function taggedImages(repo: Repo): Promise<TaggedImage[] | undefined> {
  const params = {
    registryId: repo.registryId,
    repositoryName: repo.repositoryName,
    filter: { tagStatus: 'TAGGED' as const, imageStatus: 'ANY' as const },
    maxResults: 1000,
  };
  const list = await capture('tags', repo.errors, () =>
    ecrCall(repo, 'ecr:DescribeImages', params, (c, signal) =>
      c.send(new DescribeImagesCommand(params), { abortSignal: signal }),
    ),
  );
  return list ? taggedImagesOf(list.imageDetails ?? []) : undefined;
}

/** Tagged images, pushed last first. */
export function taggedImagesOf(details: readonly ImageDetail[]): TaggedImage[] {
  return details
    .filter((d) => d.imageTags?.length)
    .sort((a, b) => (b.imagePushedAt?.getTime() ?? 0) - (a.imagePushedAt?.getTime() ?? 0))
    .map((d) => ({
      tags: d.imageTags!,
      ...(d.imagePushedAt ? { pushedAt: d.imagePushedAt.toISOString() } : {}),
      ...(d.imageStatus ? { status: d.imageStatus } : {}),
    }));
}

/** The lifecycle policy text; undefined when the repository has none or it could not be read (recorded). */
function lifecyclePolicy(repo: Repo): Promise<string | undefined> {
  const params = { registryId: repo.registryId, repositoryName: repo.repositoryName };
  return ecrCall(repo, 'ecr:GetLifecyclePolicy', params, (c, signal) =>
    c.send(new GetLifecyclePolicyCommand(params), { abortSignal: signal }),
  )
    .then((out) => out.lifecyclePolicyText)
    .catch((e: unknown) => {
      if (!hasErrorCode(e, 'LifecyclePolicyNotFoundException')) {
        repo.errors.push({ part: 'lifecycle', error: classifyAwsError(e, 'ecr:GetLifecyclePolicy') });
      }
      return undefined;
    });
}

/** The registry's pull-through cache rules (one call per registry), and what the one serving this repository fetches. */
async function pullThroughRule(repo: Repo): Promise<PullThroughRecord | undefined> {
  const params = { registryId: repo.registryId, maxResults: 1000 };
  const out = await capture('pull-through', repo.errors, () =>
    ecrCall(repo, 'ecr:DescribePullThroughCacheRules', params, (c, signal) =>
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
  const rule = pullThroughRuleFor(repo.repositoryName, rules);
  if (!rule) return undefined;
  const upstream = upstreamOf(repo.ref, rule);
  return {
    prefix: rule.ecrRepositoryPrefix,
    upstreamRegistryUrl: rule.upstreamRegistryUrl,
    ...(rule.upstreamRegistry ? { upstreamRegistry: rule.upstreamRegistry } : {}),
    ...(rule.credentialArn ? { credentialArn: rule.credentialArn } : {}),
    upstreamImage: upstream.image,
    dockerHubLibraryMissing: upstream.dockerHubLibraryMissing,
  };
}

/** The platform a Docker schema 1 manifest states (top-level architecture; OS in the first v1Compatibility). */
export function schema1Platform(text: string | undefined): PlatformRecord | undefined {
  const m = parseJson(text);
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

/** A lifecycle policy's rules, as the evaluator reads them. */
export function lifecycleRules(text: string | undefined): LifecycleRule[] {
  const parsed = parseJson(text) as { rules?: Array<Record<string, unknown>> } | undefined;
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
export { nearNames };

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
      if (!hasErrorCode(err, 'RepositoryNotFoundException')) throw err;
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
              if (!hasErrorCode(e, 'RepositoryNotFoundException')) throw e;
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

export const ecrFacts: FactProvider[] = [ecrImagesFact, bareNamesFact] as FactProvider[];
