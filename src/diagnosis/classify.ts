/**
 * Reads a stop message (and the containers' reasons) and ranks the causes it points at. Real messages come from
 * several eras of the ECS agent (Docker daemon, containerd, the 2024 "The task can’t pull the image. Check …"
 * hints), wrapped by services and consoles, in any case, sometimes cut short. Ambiguous text yields several
 * candidates; the host named in the message often tells them apart. The checks settle it afterwards.
 */
import { type CauseId, networkFamily } from './causes.js';

export interface Candidate {
  id: CauseId;
  /** 0..1, candidates sum to at most 1. */
  confidence: number;
}

export interface Classification {
  causes: Candidate[];
  /** The fragments that matched, for the evidence ("i/o timeout", "manifest unknown"). */
  fragments: string[];
  /** Hosts the message names, by kind. */
  hosts: Array<{ host: string; kind: HostKind }>;
}

export type HostKind =
  | 'ecr'
  | 'ecr-api'
  | 's3-layers'
  | 'docker-hub'
  | 'ecr-public'
  | 'secrets'
  | 'private-registry'
  | 'aws-other';

type Weights = Partial<Record<CauseId, number>>;

interface Rule {
  name: string;
  pattern: RegExp;
  weights: Weights;
}

const timeoutSpread: Weights = {
  'network-no-route': 0.32,
  'network-no-public-ip': 0.18,
  'network-security-group': 0.2,
  'vpc-endpoint': 0.18,
  dns: 0.08,
};

/** Rules in no particular order: every match adds its weights. */
const rules: Rule[] = [
  { name: 'i/o timeout', pattern: /i\/o timeout/, weights: timeoutSpread },
  { name: 'context deadline exceeded', pattern: /context deadline exceeded/, weights: timeoutSpread },
  { name: 'context canceled', pattern: /context cancel+ed/, weights: timeoutSpread },
  {
    name: 'request canceled while waiting for connection',
    pattern: /request cancel+ed while waiting for connection|client\.timeout exceeded/,
    weights: timeoutSpread,
  },
  {
    name: 'DockerTimeoutError',
    pattern:
      /dockertimeouterror|timed? ?out while|connection timed out|tls handshake timeout|operation timed out/,
    weights: timeoutSpread,
  },
  {
    name: 'dial tcp :443',
    pattern: /dial tcp [^ ]*:443/,
    weights: { 'network-no-route': 0.1, 'network-security-group': 0.08, 'vpc-endpoint': 0.06 },
  },
  {
    name: 'connection refused/reset',
    pattern: /connection refused|connection reset by peer|no route to host|network is unreachable/,
    weights: { 'network-security-group': 0.3, 'network-no-route': 0.25, 'vpc-endpoint': 0.2 },
  },
  {
    name: 'no such host',
    pattern: /no such host|temporary failure in name resolution|server misbehaving|name or service not known/,
    weights: { dns: 0.75, 'vpc-endpoint': 0.15, 'network-no-route': 0.05 },
  },
  { name: 'lookup … on …', pattern: /lookup [^\s]+ on [^\s]+/, weights: { dns: 0.5, 'vpc-endpoint': 0.1 } },
  {
    name: 'not authorized to perform ecr',
    pattern: /not authorized to perform:? ecr:/,
    weights: { 'execution-role': 0.9 },
  },
  {
    name: 'AccessDeniedException',
    pattern: /accessdeniedexception|access denied/,
    weights: { 'execution-role': 0.45 },
  },
  {
    name: 'requires an execution role',
    pattern:
      /requires? (task definition to have )?(an )?execution role|execution role.{0,40}(missing|required|not (be )?found)/,
    weights: { 'execution-role': 0.95 },
  },
  {
    name: 'no basic auth credentials',
    pattern: /no basic auth credentials|getauthorizationtoken/,
    weights: { 'execution-role': 0.45 },
  },
  {
    name: 'unable to retrieve ecr registry auth',
    pattern: /unable to retrieve ecr registry auth/,
    weights: { 'execution-role': 0.1 },
  },
  {
    name: '403 Forbidden',
    pattern: /\b403\b|forbidden/,
    weights: { 'execution-role': 0.25, 'vpc-endpoint': 0.15, 'repository-policy': 0.15 },
  },
  {
    name: 'httpReadSeeker failed open',
    pattern: /httpreadseeker/,
    weights: { 'vpc-endpoint': 0.2, 'repository-policy': 0.1 },
  },
  {
    name: 'manifest unknown',
    pattern: /manifest unknown|manifest for [^\s]+ not found|requested image not found|name unknown/,
    weights: { 'image-not-found': 0.9 },
  },
  {
    name: 'not found',
    pattern: /(?:^|[^a-z])not found(?![a-z])|does not exist|notfound/,
    weights: { 'image-not-found': 0.45 },
  },
  { name: 'failed to resolve ref', pattern: /failed to resolve ref/, weights: { 'image-not-found': 0.1 } },
  {
    name: 'repository does not exist or may require docker login',
    pattern: /repository does not exist or may require|does not exist or no pull access/,
    weights: { 'image-not-found': 0.35, 'registry-auth': 0.25, 'image-reference': 0.1 },
  },
  {
    name: 'pull access denied',
    pattern: /pull access denied/,
    weights: { 'registry-auth': 0.35, 'image-not-found': 0.3, 'image-reference': 0.1 },
  },
  {
    name: 'unauthorized',
    pattern:
      /\bunauthori[sz]ed\b|authentication required|insufficient_scope|incorrect username or password|requested access to the resource is denied/,
    weights: { 'registry-auth': 0.55, 'image-not-found': 0.15 },
  },
  {
    name: 'toomanyrequests',
    pattern: /toomanyrequests|pull rate limit|rate limit|too many requests|\b429\b/,
    weights: { 'rate-limit': 0.95 },
  },
  {
    name: 'descriptor matching platform',
    pattern:
      /does not contain (a )?descriptor matching platform|no matching manifest for|platform .{0,40} (does not match|mismatch)|exec format error/,
    weights: { 'platform-mismatch': 0.95 },
  },
  {
    name: 'no space left on device',
    pattern: /no space left on device|disk quota exceeded|not enough space/,
    weights: { 'disk-space': 0.95 },
  },
  {
    name: 'failed to extract/register layer',
    pattern: /failed to (extract|register) layer|failed to write|write \/var\/lib/,
    weights: { 'disk-space': 0.6 },
  },
  {
    name: 'KMS',
    pattern: /\bkms\b|kmsinvalidstate|kms:decrypt|key is disabled|pending deletion/,
    weights: { kms: 0.8, secrets: 0.1 },
  },
  {
    name: 'unable to pull secrets or registry auth',
    pattern: /unable to pull secrets or registry auth/,
    weights: { secrets: 0.12 },
  },
  {
    name: 'secret from asm',
    pattern: /retrieve secret from asm|secrets? ?manager|secretsmanager|fetch secret/,
    weights: { secrets: 0.45 },
  },
  {
    name: 'secrets from ssm',
    pattern: /secrets? from ssm|ssm parameter|parameter store|invalidparameters|retrieve secrets from ssm/,
    weights: { secrets: 0.5 },
  },
  {
    name: 'execution resource retrieval failed',
    pattern: /execution resource retrieval failed/,
    weights: { secrets: 0.15 },
  },
  {
    name: 'secret not found',
    pattern:
      /can'?t find the specified secret|resourcenotfoundexception|parameternotfound|invalid parameters?:/,
    weights: { secrets: 0.8 },
  },
  // The 2024 agent messages say where to look first.
  {
    name: 'hint: permissions',
    pattern:
      /the task can'?t pull the image\. check (that )?(the |your )?(task execution )?role|check the permissions|role has the permissions/,
    weights: { 'execution-role': 0.7 },
  },
  {
    name: 'hint: image exists',
    pattern: /check whether the image exists|check that the image exists|image (and tag )?exists?/,
    weights: { 'image-not-found': 0.7 },
  },
  {
    name: 'hint: network',
    pattern: /check (your |the )?network configuration|check the network/,
    weights: timeoutSpread,
  },
];

const hostPatterns: Array<{ kind: HostKind; pattern: RegExp }> = [
  {
    kind: 'ecr',
    pattern:
      /\b\d{12}\.dkr(?:-ecr|\.ecr)(?:-fips)?\.[a-z0-9-]+\.(?:amazonaws\.com(?:\.cn)?|on\.aws|api\.aws)\b/g,
  },
  { kind: 'ecr-api', pattern: /\bapi\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\b/g },
  { kind: 's3-layers', pattern: /\bprod-[a-z0-9-]+-starport-layer-bucket\b/g },
  {
    kind: 'docker-hub',
    pattern:
      /\b(?:registry-1\.docker\.io|index\.docker\.io|auth\.docker\.io|registry\.hub\.docker\.com|docker\.io)\b/g,
  },
  { kind: 'ecr-public', pattern: /\bpublic\.ecr\.aws\b/g },
  { kind: 'secrets', pattern: /\b(?:secretsmanager|ssm)\.[a-z0-9-]+\.amazonaws\.com\b/g },
];

/** Removes the wrappers services and consoles put around the agent's message, and evens out the text. */
export function normalizeMessage(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\(service [^)]*\) was unable to place a task\.? reason:?/gi, ' ')
    .replace(/\bstopped \(/gi, ' (')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** Hosts named in the message, classified. */
export function hostsIn(text: string): Array<{ host: string; kind: HostKind }> {
  const out: Array<{ host: string; kind: HostKind }> = [];
  const seen = new Set<string>();
  for (const { kind, pattern } of hostPatterns) {
    for (const m of text.matchAll(pattern)) {
      if (!seen.has(m[0])) {
        seen.add(m[0]);
        out.push({ host: m[0], kind });
      }
    }
  }
  // Any other registry-looking host in a URL or image reference is a private registry.
  for (const m of text.matchAll(
    /(?:https?:\/\/|for |ref |image )([a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?)\//g,
  )) {
    const host = m[1]!;
    if (seen.has(host) || /amazonaws\.com|docker\.io|ecr\.aws|on\.aws|api\.aws/.test(host)) continue;
    seen.add(host);
    out.push({ host, kind: 'private-registry' });
  }
  return out;
}

function add(scores: Map<CauseId, number>, w: Weights, factor = 1): void {
  for (const [id, v] of Object.entries(w) as Array<[CauseId, number]>)
    scores.set(id, (scores.get(id) ?? 0) + v * factor);
}

/** Ranks causes for a stop message; never throws. */
export function classify(
  message: string | undefined | null,
  containerReasons: Array<string | undefined> = [],
): Classification {
  const raw = [message ?? '', ...containerReasons.filter((r): r is string => !!r)].join(' \n ');
  const text = normalizeMessage(raw.slice(0, 20_000));
  const scores = new Map<CauseId, number>();
  const fragments: string[] = [];
  for (const rule of rules) {
    if (rule.pattern.test(text)) {
      fragments.push(rule.name);
      add(scores, rule.weights);
    }
  }
  const hosts = hostsIn(text);
  const kinds = new Set(hosts.map((h) => h.kind));
  const has = (f: string) => fragments.includes(f);
  const timeout = [
    'i/o timeout',
    'context deadline exceeded',
    'context canceled',
    'request canceled while waiting for connection',
    'DockerTimeoutError',
    'hint: network',
  ].some(has);
  const denied = ['403 Forbidden', 'AccessDeniedException', 'unauthorized'].some(has);

  // The host disambiguates: what failed, against whom.
  if (kinds.has('s3-layers') || (has('httpReadSeeker failed open') && has('403 Forbidden'))) {
    if (denied) add(scores, { 'vpc-endpoint': 0.55, 'repository-policy': 0.1 });
    if (timeout) add(scores, { 'vpc-endpoint': 0.25, 'network-no-route': 0.05 });
  }
  if (kinds.has('ecr') || kinds.has('ecr-api')) {
    if (denied && !kinds.has('s3-layers') && !has('httpReadSeeker failed open'))
      add(scores, { 'execution-role': 0.45, 'repository-policy': 0.1 });
    if (has('unauthorized') || has('pull access denied')) {
      // ECR never asks for registry credentials: an ECR "unauthorized" is the execution role (or the repo policy).
      const regAuth = scores.get('registry-auth') ?? 0;
      scores.set('registry-auth', regAuth * 0.2);
      add(scores, { 'execution-role': 0.3, 'repository-policy': 0.1 });
    }
    if (timeout && kinds.has('ecr-api')) add(scores, { 'vpc-endpoint': 0.15 });
  }
  // A private address in "dial tcp 10.x.x.x:443" means the name resolved to an interface endpoint.
  if (timeout && /dial tcp (?:10\.|172\.(?:1[6-9]|2\d|3[01])\.|192\.168\.)/.test(text)) {
    add(scores, { 'vpc-endpoint': 0.3, 'network-security-group': 0.2 });
    scores.set('network-no-route', (scores.get('network-no-route') ?? 0) * 0.3);
    scores.set('network-no-public-ip', (scores.get('network-no-public-ip') ?? 0) * 0.2);
  }
  if (kinds.has('private-registry') && (has('unauthorized') || has('pull access denied')))
    add(scores, { 'registry-auth': 0.3 });
  if (
    (kinds.has('docker-hub') ||
      /docker\.io\/library\/|pull access denied for [a-z0-9._-]+(?:[,:\s]|$)/.test(text)) &&
    (has('pull access denied') ||
      has('not found') ||
      has('repository does not exist or may require docker login'))
  ) {
    add(scores, { 'image-reference': 0.25 });
  }
  if (kinds.has('secrets') && timeout) add(scores, { 'vpc-endpoint': 0.3 });
  // "unable to pull secrets or registry auth" followed by an ECR auth timeout is the network, not the secrets.
  if (
    has('unable to pull secrets or registry auth') &&
    timeout &&
    !has('secret from asm') &&
    !has('secrets from ssm')
  ) {
    scores.set('secrets', (scores.get('secrets') ?? 0) * 0.3);
  }
  if (
    (has('secret from asm') || has('secrets from ssm')) &&
    (has('AccessDeniedException') || /not authorized to perform:? (secretsmanager|ssm):/.test(text))
  ) {
    add(scores, { secrets: 0.35, 'execution-role': 0.15 });
  }
  if (has('KMS')) {
    // A KMS error is the most specific thing a secrets failure can say.
    scores.set('execution-role', (scores.get('execution-role') ?? 0) * 0.5);
    scores.set('secrets', (scores.get('secrets') ?? 0) * 0.4);
  }
  if (has('toomanyrequests')) {
    for (const id of ['registry-auth', 'image-not-found'] as CauseId[])
      scores.set(id, (scores.get(id) ?? 0) * 0.2);
  }
  if (has('descriptor matching platform'))
    scores.set('image-not-found', (scores.get('image-not-found') ?? 0) * 0.2);

  let list = [...scores.entries()].filter(([, v]) => v > 0.001);
  if (!list.length) {
    // Nothing recognisable: a bare CannotPullContainerError, a cut message, or text that is not a stop reason.
    return {
      causes: /cannotpullcontainer|pull image|pulling image|resourceinitializationerror/.test(text)
        ? [
            { id: 'unknown', confidence: 0.5 },
            ...networkFamily.slice(0, 2).map((id) => ({ id, confidence: 0.1 })),
          ]
        : [{ id: 'unknown', confidence: 1 }],
      fragments,
      hosts,
    };
  }
  list = list.sort((a, b) => b[1] - a[1]);
  // A message that says this little ("… pull command failed: signal: killed") is not evidence of anything.
  if (list[0]![1] < 0.25) list.unshift(['unknown', 0.5]);
  const total = list.reduce((s, [, v]) => s + v, 0);
  const scale = Math.max(total, 1);
  const causes = list
    .map(([id, v]) => ({ id, confidence: Math.round((v / scale) * 1000) / 1000 }))
    .filter((c) => c.confidence >= 0.03);
  return { causes, fragments, hosts };
}
