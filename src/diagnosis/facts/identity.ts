/**
 * Identity, image and storage facts: the ECR images (existence, manifest, size, lifecycle and repository
 * policies, near names), ECR repositories a bare image name may have meant, the execution role (trust,
 * attached and inline policies, simulation), the secrets the task reads, and — opt-in — public registries.
 * Image URIs are known from the task itself, so ECR calls start right after DescribeTasks.
 */
import {
  BatchGetImageCommand,
  DescribeImagesCommand,
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
import type { ImageRef } from '../../aws/image-ref.js';
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

export interface ManifestRecord {
  mediaType?: string;
  /** For an index / manifest list: the platforms it offers. */
  platforms?: Array<{ os?: string; architecture?: string; variant?: string; digest?: string }>;
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
  countType?: string;
  countUnit?: string;
  countNumber?: number;
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
  };
  manifest?: ManifestRecord;
  /** Newest tags of the repository (pushed last first), when the tag was not found. */
  newestTags?: Array<{ tag: string; pushedAt?: string }>;
  lifecycleRules?: LifecycleRule[];
  /** Repository policy (cross-account images), as JSON text; null when the repository has none. */
  repositoryPolicy?: string | null;
  /** Repositories with similar names, when the repository was not found. */
  nearNames?: string[];
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
}

export interface RolePoliciesRecord {
  /** Why local evaluation was needed (simulation's error code), or null when simulation answered. */
  reason: string | null;
  policies: Array<{ name: string; kind: 'inline' | 'managed' | 'boundary'; document: unknown }>;
}

export interface SecretRecord extends SecretRef {
  exists: boolean;
  /** Customer managed KMS key of the secret, if any. */
  kmsKeyId?: string;
  kmsKeyArn?: string;
  kmsKeyState?: string;
  deleted?: boolean;
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

/** The task's images (needs only the task). */
async function taskImages(h: ProviderHandle): Promise<ImageUse[]> {
  const { task } = await h.need('ecs.task');
  return imagesOf(task);
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

/** Every private ECR image of the task: found or not, manifest and size, lifecycle, near names. */
export const ecrImagesFact = defineFact({
  name: 'ecr.images',
  actions: [
    'ecr:DescribeImages',
    'ecr:BatchGetImage',
    'ecr:GetLifecyclePolicy',
    'ecr:GetRepositoryPolicy',
    'ecr:DescribeRepositories',
  ],
  async get(h) {
    const images = (await taskImages(h)).filter((i) => i.ref?.kind === 'ecr' && i.ref.ecr);
    if (!images.length) throw new NotApplicable('the task pulls no image from private ECR');
    const platform = taskPlatform(h);
    return Promise.all(images.map((use) => ecrImage(h, use, platform)));
  },
});

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
    crossAccount
      ? ecr('ecr:GetRepositoryPolicy', { registryId, repositoryName }, (c, signal) =>
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
          })
      : Promise.resolve(undefined),
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
      return;
    }
    rec.manifest = { mediaType, platforms: entries.map((e) => ({ ...e.platform, digest: e.digest })) };
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

  if ('err' in described) {
    const err = described.err;
    if (isCode(err, 'RepositoryNotFoundException')) {
      rec.repositoryExists = false;
      rec.imageFound = false;
      const list = await capture('repositories', rec.errors, () =>
        ecr('ecr:DescribeRepositories', { registryId, maxResults: 1000 }, (c, signal) =>
          c.send(new DescribeRepositoriesCommand({ registryId, maxResults: 1000 }), { abortSignal: signal }),
        ),
      );
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
      // The tag is gone: which tags are there now, and could a lifecycle rule have expired it?
      const listParams = {
        registryId,
        repositoryName,
        filter: { tagStatus: 'TAGGED' as const },
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
      ]);
      if (list) {
        rec.newestTags = (list.imageDetails ?? [])
          .filter((d) => d.imageTags?.length)
          .sort((a, b) => (b.imagePushedAt?.getTime() ?? 0) - (a.imagePushedAt?.getTime() ?? 0))
          .slice(0, 5)
          .map((d) => ({ tag: d.imageTags![0]!, pushedAt: d.imagePushedAt?.toISOString() }));
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
    };
  }
  return rec;
}

function lifecycleRules(text: string | undefined): LifecycleRule[] {
  const parsed = parseManifest(text) as { rules?: Array<Record<string, unknown>> } | undefined;
  return (parsed?.rules ?? []).map((r) => {
    const sel = (r.selection ?? {}) as Record<string, unknown>;
    return {
      rulePriority: Number(r.rulePriority ?? 0),
      ...(r.description ? { description: String(r.description) } : {}),
      ...(sel.tagStatus ? { tagStatus: String(sel.tagStatus) } : {}),
      ...(Array.isArray(sel.tagPrefixList) ? { tagPrefixList: sel.tagPrefixList.map(String) } : {}),
      ...(Array.isArray(sel.tagPatternList) ? { tagPatternList: sel.tagPatternList.map(String) } : {}),
      ...(sel.countType ? { countType: String(sel.countType) } : {}),
      ...(sel.countUnit ? { countUnit: String(sel.countUnit) } : {}),
      ...(sel.countNumber !== undefined ? { countNumber: Number(sel.countNumber) } : {}),
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
      h
        .call('iam:ListAttachedRolePolicies', { RoleName: name }, ({ clients, signal }) =>
          clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }), { abortSignal: signal }),
        )
        .catch(() => undefined),
      h
        .call('iam:ListRolePolicies', { RoleName: name }, ({ clients, signal }) =>
          clients.iam.send(new ListRolePoliciesCommand({ RoleName: name }), { abortSignal: signal }),
        )
        .catch(() => undefined),
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
    // kms:Decrypt on customer managed keys of the secrets: known only once the secrets are described.
    const kms = h
      .get('secrets.references')
      .then((f) =>
        f.ok ? [...new Set(f.value.map((s) => s.kmsKeyArn).filter((k): k is string => !!k))] : [],
      );
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
              });
            }
          } else {
            out.push({
              action: r.EvalActionName ?? '?',
              resource: r.EvalResourceName ?? resource,
              decision: r.EvalDecision as SimulationRecord['decision'],
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
  actions: ['iam:GetRolePolicy', 'iam:GetPolicy', 'iam:GetPolicyVersion'],
  async get(h) {
    const sim = await h.get('iam.executionRoleSimulation');
    if (sim.ok) return { reason: null, policies: [] };
    if (sim.error.kind === 'not-applicable') throw new NotApplicable(sim.error.message);
    const role = await h.need('iam.executionRole');
    if (!role.exists) throw new NotApplicable('the execution role does not exist');
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
      ...role.inlineNames.map(async (name) => {
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
      ...role.attached.map((p) => managed(p.arn, 'managed')),
      ...(role.permissionsBoundaryArn ? [managed(role.permissionsBoundaryArn, 'boundary')] : []),
    ]);
    return { reason: sim.error.code, policies };
  },
});

/** Each secret and parameter the task reads: exists (never its value), its KMS key and that key's state. */
export const secretsFact = defineFact({
  name: 'secrets.references',
  actions: ['secretsmanager:DescribeSecret', 'ssm:DescribeParameters', 'kms:DescribeKey'],
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
            const rec: SecretRecord = {
              ...ref,
              exists: true,
              arn: out.ARN ?? ref.arn,
              deleted: !!out.DeletedDate,
            };
            if (out.KmsKeyId && !/alias\/aws\/secretsmanager$/.test(out.KmsKeyId)) {
              rec.kmsKeyId = out.KmsKeyId;
              try {
                const key = await h.call(
                  'kms:DescribeKey',
                  { KeyId: out.KmsKeyId },
                  ({ clients, signal }) =>
                    clients.kms.send(new DescribeKeyCommand({ KeyId: out.KmsKeyId }), {
                      abortSignal: signal,
                    }),
                  scope,
                );
                rec.kmsKeyArn = key.KeyMetadata?.Arn;
                rec.kmsKeyState = key.KeyMetadata?.KeyState;
                if (key.KeyMetadata?.KeyManager === 'AWS') delete rec.kmsKeyId;
              } catch (err) {
                rec.error = classifyAwsError(err, 'kms:DescribeKey');
              }
            }
            return rec;
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
          return {
            ...ref,
            exists: !!p,
            ...(p?.KeyId && !/alias\/aws\/ssm$/.test(p.KeyId) ? { kmsKeyId: p.KeyId } : {}),
          };
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

/** Opt-in: public registries asked over HTTPS whether the manifest exists and whether pulls are rate-limited. */
export const registryProbeFact = defineFact({
  name: 'registry.probe',
  actions: [],
  async get(h) {
    if (!h.inputs.settings.probePublicRegistries)
      throw new NotApplicable('registry probing is off (registries.probePublic)');
    const images = (await taskImages(h)).filter((i) => i.ref && i.ref.kind !== 'ecr');
    if (!images.length) throw new NotApplicable('no image outside private ECR');
    return Promise.all(images.map((i) => probeRegistry(i.ref!, h.inputs.settings.probeTimeoutMs)));
  },
});

export const identityFacts: FactProvider[] = [
  ecrImagesFact,
  bareNamesFact,
  executionRoleFact,
  simulationFact,
  rolePoliciesFact,
  secretsFact,
  registryProbeFact,
] as FactProvider[];
