/**
 * The causes a user is told about: stable ids, the families the stop message can only narrow down to, the two
 * orders that break ties, and the sentence variants each cause has in locales/<lang>/causes.json. Which check
 * speaks to which cause is the check's own declaration (Check.cause). A variant is picked by the parameters at hand, so that a sentence names the actual
 * subnet, role or image whenever the evidence knows it and never prints an empty placeholder.
 */
import { parseImageRef } from '../aws/image-ref.js';
import type { CheckResult, Message, Params } from './checks/types.js';

export const CAUSE_IDS = [
  'network-no-route',
  'network-no-public-ip',
  'network-security-group',
  'vpc-endpoint',
  'dns',
  'execution-role',
  'image-not-found',
  'image-reference',
  'registry-auth',
  'rate-limit',
  'platform-mismatch',
  'disk-space',
  'repository-policy',
  'kms',
  'secrets',
  'log-configuration',
  'efs-mount',
  'not-a-pull-failure',
  'unknown',
] as const;

export type CauseId = (typeof CAUSE_IDS)[number];

export function isCauseId(v: string): v is CauseId {
  return (CAUSE_IDS as readonly string[]).includes(v);
}

/** Causes a timeout cannot tell apart: the network checks decide among them. */
export const NETWORK_FAMILY: readonly CauseId[] = [
  'network-no-route',
  'network-no-public-ip',
  'network-security-group',
  'vpc-endpoint',
  'dns',
];

/** Causes behind "pull access denied" and its relatives: the image checks decide among them. */
export const IMAGE_FAMILY: readonly CauseId[] = ['image-not-found', 'image-reference', 'registry-auth'];

/** Causes behind a failed secret retrieval. */
export const SECRETS_FAMILY: readonly CauseId[] = ['secrets', 'kms'];

/** The family a cause belongs to, for causes the stop message can only narrow down that far. */
export function familyOf(id: CauseId): readonly CauseId[] | undefined {
  if (NETWORK_FAMILY.includes(id)) return NETWORK_FAMILY;
  if (IMAGE_FAMILY.includes(id)) return IMAGE_FAMILY;
  if (SECRETS_FAMILY.includes(id)) return SECRETS_FAMILY;
  return undefined;
}

/**
 * Among causes a stop message supports equally, which to list first: the more common in practice (a missing
 * route before a missing endpoint, the network before the image). Causes not listed come after, in any order.
 */
export const MESSAGE_TIE_ORDER: readonly CauseId[] = [
  'network-no-route',
  'network-no-public-ip',
  'vpc-endpoint',
  'network-security-group',
  'dns',
  'execution-role',
  'image-not-found',
  'registry-auth',
  'image-reference',
  'repository-policy',
];

/**
 * The order in which a pull meets each cause: credentials and the network path first, the image last. When two
 * checks fail and nothing else ranks them, the one the pull trips on first is what the task actually hit.
 */
export const PULL_ORDER: readonly CauseId[] = [
  // Not a failure of the pull at all: when it is the answer it is the only one.
  'not-a-pull-failure',
  'secrets',
  'kms',
  // The task's volumes are set up with its other resources, before its containers are created.
  'efs-mount',
  'dns',
  'network-no-route',
  'network-no-public-ip',
  'network-security-group',
  'vpc-endpoint',
  'execution-role',
  'registry-auth',
  'repository-policy',
  'image-reference',
  'image-not-found',
  'rate-limit',
  'platform-mismatch',
  'disk-space',
  // The logging driver starts with the container, once every image is there.
  'log-configuration',
  'unknown',
];

/** A wording of a cause's sentence, the parameters it needs, and what else must hold for it to be true. */
interface Variant {
  name: string;
  needs: readonly string[];
  when?: (p: Params) => boolean;
}

const v = (name: string, ...needs: string[]): Variant => ({ name, needs });
const when = (x: Variant, cond: (p: Params) => boolean): Variant => ({ ...x, when: cond });

/**
 * The image names no registry, so it goes to Docker Hub: only then does "a name without a registry" apply.
 * containerd writes such a name out in full (docker.io/library/NAME), so that counts as one too.
 */
function bareImage(p: Params): boolean {
  const ref = typeof p.image === 'string' ? parseImageRef(p.image) : null;
  return (
    !!ref && (ref.implicitRegistry || (ref.kind === 'docker-hub' && ref.repository.startsWith('library/')))
  );
}
/** The stop message shows the address the task dialled: the name had resolved. */
const dialled = (p: Params) => p.dialled === 'public' || p.dialled === 'private';
/** The stop message says ECS failed while reading the registry credentials (repositoryCredentials), or may have. */
const credentialsStep = (p: Params) =>
  p.step === 'registry-credentials' || p.step === 'secrets-or-credentials';
/** The stop message says ECS failed while reading secrets or registry credentials, not pulling from ECR. */
const readingStep = (p: Params) =>
  p.step === 'registry-credentials' || p.step === 'secrets' || p.step === 'secrets-or-credentials';

/** Summary and fix variants of each cause, most specific first; the last one needs nothing. */
const variants: Record<CauseId, { summary: Variant[]; fix: Variant[]; hints: number }> = {
  'network-no-route': {
    summary: [v('nat', 'natId'), v('route', 'subnetId', 'routeTableId'), v('plain')],
    fix: [v('route', 'routeTableId'), v('plain')],
    hints: 2,
  },
  'network-no-public-ip': {
    summary: [v('subnet', 'subnetId'), v('plain')],
    fix: [v('service', 'service'), v('plain')],
    hints: 1,
  },
  'network-security-group': {
    summary: [v('acl', 'aclId'), v('groups', 'groups'), v('plain')],
    fix: [v('acl', 'aclId'), v('groups', 'groups'), v('plain')],
    hints: 2,
  },
  'vpc-endpoint': {
    summary: [
      v('start', 'vpcId', 'startMissing'),
      v('missing', 'vpcId', 'missing'),
      v('endpoint', 'endpointId'),
      v('vpc', 'vpcId'),
      v('plain'),
    ],
    fix: [
      v('start', 'vpcId', 'startMissing'),
      v('missing', 'vpcId', 'missing'),
      v('endpoint', 'endpointId'),
      v('region', 'region'),
      v('plain'),
    ],
    hints: 2,
  },
  dns: {
    summary: [when(v('vpc', 'vpcId'), (p) => !dialled(p)), when(v('resolved'), dialled), v('plain')],
    fix: [v('vpc', 'vpcId'), v('plain')],
    hints: 1,
  },
  'execution-role': {
    summary: [v('none', 'noRole'), v('role', 'role'), when(v('reads'), readingStep), v('plain')],
    fix: [v('none', 'noRole'), v('role', 'role'), v('plain')],
    hints: 2,
  },
  'image-not-found': {
    summary: [v('image', 'image'), v('plain')],
    fix: [v('image', 'image'), v('plain')],
    hints: 2,
  },
  'image-reference': {
    summary: [
      v('meant', 'image', 'uri'),
      when(v('image', 'image'), bareImage),
      v('named', 'image'),
      v('plain'),
    ],
    fix: [v('meant', 'uri'), when(v('image', 'image'), bareImage), v('named', 'image'), v('plain')],
    hints: 1,
  },
  'registry-auth': {
    summary: [v('secret', 'secret'), when(v('stored'), credentialsStep), v('image', 'image'), v('plain')],
    fix: [v('secret', 'secret'), when(v('stored'), credentialsStep), v('image', 'image'), v('plain')],
    hints: 1,
  },
  'rate-limit': {
    summary: [v('image', 'image'), v('plain')],
    fix: [v('plain')],
    hints: 1,
  },
  'platform-mismatch': {
    summary: [v('image', 'image', 'want'), v('plain')],
    fix: [v('image', 'image', 'want'), v('plain')],
    hints: 1,
  },
  'disk-space': {
    summary: [v('size', 'size'), v('plain')],
    fix: [v('recommend', 'recommend'), v('plain')],
    hints: 1,
  },
  'repository-policy': {
    summary: [v('repository', 'repository', 'registry'), v('plain')],
    fix: [v('repository', 'repository', 'registry', 'account'), v('plain')],
    hints: 1,
  },
  kms: {
    summary: [v('key', 'key'), v('plain')],
    fix: [v('key', 'key'), v('plain')],
    hints: 1,
  },
  secrets: {
    summary: [v('secret', 'secret'), v('plain')],
    fix: [v('secret', 'secret'), v('plain')],
    hints: 1,
  },
  'log-configuration': {
    summary: [
      v('missing', 'missingGroup'),
      v('denied', 'logRole', 'logGroup', 'logActions'),
      v('key', 'logGroup', 'logKey'),
      v('options', 'logContainer', 'logOptions'),
      v('group', 'logGroup'),
      v('plain'),
    ],
    fix: [
      v('missing', 'missingGroup', 'logRegion'),
      v('denied', 'logRole', 'logGroup', 'logActions'),
      v('key', 'logKey'),
      v('options', 'logContainer', 'logOptions'),
      v('group', 'logGroup'),
      v('plain'),
    ],
    hints: 2,
  },
  'efs-mount': {
    summary: [
      v('zone', 'fileSystemId', 'zone'),
      v('port', 'fileSystemId', 'mountTarget'),
      v('denied', 'fileSystemId', 'efsActions'),
      v('file-system', 'fileSystemId'),
      v('plain'),
    ],
    fix: [
      v('zone', 'fileSystemId', 'zone', 'subnetId'),
      v('port', 'mountTargetGroups', 'source'),
      v('denied', 'fileSystemId', 'efsActions', 'efsPrincipal'),
      v('file-system', 'fileSystemId'),
      v('plain'),
    ],
    hints: 2,
  },
  // Worded per kind (notAPullMessages): what ECS says the task stopped for. No hint: the verdict's note says
  // that no pull check ran.
  'not-a-pull-failure': {
    summary: [v('plain')],
    fix: [v('plain')],
    hints: 0,
  },
  unknown: {
    summary: [v('plain')],
    fix: [v('plain')],
    hints: 2,
  },
};

/** The kinds of task that did not fail to pull (not-a-pull.ts decides which). */
export const NOT_A_PULL_KINDS = [
  'not-stopped',
  'exited',
  'out-of-memory',
  'health-check',
  'scaled-in',
  'user',
  'spot',
  'other',
] as const;

/** What each kind's sentences name; a kind whose facts are missing is worded as `other`, else plainly. */
const NOT_A_PULL_NEEDS: Record<(typeof NOT_A_PULL_KINDS)[number], readonly string[]> = {
  'not-stopped': ['status'],
  exited: ['container', 'exitCode'],
  'out-of-memory': ['container'],
  'health-check': ['reason'],
  'scaled-in': ['reason'],
  user: ['reason'],
  spot: [],
  other: ['reason'],
};

/** The summary and fix of `not-a-pull-failure` for a kind, in the most specific wording what ECS said allows. */
export function notAPullMessages(
  kind: (typeof NOT_A_PULL_KINDS)[number],
  params: Params,
): { summary: Message; fix: Message } {
  const name =
    ([kind, 'other'] as const).find((k) => NOT_A_PULL_NEEDS[k].every((p) => present(params, p))) ?? 'plain';
  return {
    summary: { key: `causes:not-a-pull-failure.summary.${name}`, params },
    fix: { key: `causes:not-a-pull-failure.fix.${name}`, params },
  };
}

const present = (p: Params, k: string) => {
  const x = p[k];
  return Array.isArray(x) ? x.length > 0 : x !== undefined && x !== '' && x !== false;
};

function pick(id: CauseId, kind: 'summary' | 'fix', params: Params): Message {
  const chosen = variants[id][kind].find(
    (x) => x.needs.every((k) => present(params, k)) && (!x.when || x.when(params)),
  )!;
  const used: Params = {};
  for (const k of chosen.needs) used[k] = params[k];
  return { key: `causes:${id}.${kind}.${chosen.name}`, params: used };
}

/** The one-sentence summary of a cause, in the most specific wording the parameters allow. */
export function causeSummary(id: CauseId, params: Params = {}): Message {
  return pick(id, 'summary', params);
}

/** The fix of a cause, in the most specific wording the parameters allow. */
export function causeFix(id: CauseId, params: Params = {}): Message {
  return pick(id, 'fix', params);
}

/** The cause's short name (a few words), for lists and the conflict sentence. */
export function causeName(id: CauseId): Message {
  return { key: `causes:${id}.name` };
}

/**
 * Hints a check answers: when every check named ran and said something (pass, warn or fail), its result is in
 * the report and the hint would say it a second time. `unverified`: the hint is about checks that could not run,
 * so it is shown only when one could not.
 */
const HINT_ANSWERED_BY: Partial<Record<CauseId, Record<number, readonly string[] | 'unverified'>>> = {
  'network-no-route': { 2: ['endpoints.required'] },
  'network-security-group': { 1: ['network.nacl'], 2: ['network.security-group-egress'] },
  'vpc-endpoint': {
    1: ['endpoints.policy'],
    2: ['endpoints.availability-zones', 'endpoints.security-groups'],
  },
  'rate-limit': { 1: ['image.rate-limit'] },
  'disk-space': { 1: ['storage.ephemeral'] },
  'log-configuration': { 1: ['endpoints.required'], 2: ['logs.log-group'] },
  'efs-mount': { 1: ['efs.mount-target'], 2: ['efs.authorization'] },
  unknown: { 2: 'unverified' },
};

/**
 * "Also check" hints that come with a cause: things worth a look when this cause is the answer. Given the
 * check results, the hints they already answer are left out.
 */
export function causeHints(id: CauseId, checks?: readonly CheckResult[]): Message[] {
  const ran = (checkId: string) =>
    checks?.some((r) => r.id === checkId && r.status !== 'skip' && r.status !== 'unknown') ?? false;
  const shown = (n: number) => {
    const by = HINT_ANSWERED_BY[id]?.[n];
    if (!by || !checks) return true;
    if (by === 'unverified') return checks.some((r) => r.status === 'unknown');
    return !by.every(ran);
  };
  return Array.from({ length: variants[id].hints }, (_, i) => i + 1)
    .filter(shown)
    .map((n) => ({ key: `causes:${id}.hint.${n}` }));
}

/** Every message key the catalogue can produce (tests check both locales define them). */
export function allCauseKeys(): string[] {
  return CAUSE_IDS.flatMap((id) => [
    `causes:${id}.name`,
    ...variants[id].summary.map((x) => `causes:${id}.summary.${x.name}`),
    ...variants[id].fix.map((x) => `causes:${id}.fix.${x.name}`),
    ...causeHints(id).map((m) => m.key),
    ...(id === 'not-a-pull-failure'
      ? NOT_A_PULL_KINDS.flatMap((k) => [`causes:${id}.summary.${k}`, `causes:${id}.fix.${k}`])
      : []),
  ]);
}
