/**
 * Stop message → ranked candidate causes. Reads what the ECS agent wrote in every era (Docker daemon errors on
 * platform 1.3.0, containerd's on 1.4.0, the 2024 "The task can’t pull the image. Check …" prefixes, the
 * ResourceInitializationError family, and Fargate's plain words since 2024: "The task cannot pull … There is a
 * connection issue between the task and Amazon ECR / the registry / AWS Secrets Manager / AWS Systems Manager /
 * Amazon CloudWatch", "The task execution role doesn’t have the permissions to call …"), through the wrappers that
 * alerts and the console add, in any case and cut short, mid-word included. When the text cannot decide (a
 * timeout, "pull access denied", a 403) it returns several candidates, using the host it names (ECR, the S3 layer
 * bucket, Docker Hub, another registry, Secrets Manager/SSM) and the address it dialled to rank them; the checks
 * settle it. Pure and total: any input, never a throw.
 */
import { parseImageRef } from '../aws/image-ref.js';
import { type CauseId, MESSAGE_TIE_ORDER, NETWORK_FAMILY } from './causes.js';

export interface Candidate {
  id: CauseId;
  /** 0..1; the candidates of one classification sum to at most 1. */
  confidence: number;
  /** The pieces of the message that point at it, as written there. */
  fragments: string[];
  /** The same pieces, each with what it is (words, a host, the image, the step that failed, ECS's hint). */
  clues?: Clue[];
}

/** Which request failed, when the message says: reading registry credentials or secrets, the ECR token. */
export type Step = 'registry-credentials' | 'secrets' | 'ecr-token' | 'secrets-or-credentials';

/** A piece of the stop message and what it is, so that a surface can say it in words. */
export interface Clue {
  /** As written in the message. */
  text: string;
  /** `said`: words of the error; `host`: a host it names; `image`: the image it names; `step`: what ECS was
   * doing when it failed; `hint`: ECS's own "The task can't pull the image. Check …". */
  kind: 'said' | 'host' | 'image' | 'step' | 'hint';
  /** For a host, which kind (ecr, s3-layer, docker-hub …); for a step, which step. */
  what?: HostKind | Step;
}

export interface Classification {
  /** Best first. Nothing recognised → a single `unknown`. */
  causes: Candidate[];
  /** The image the message names, when it names one. */
  image: string | undefined;
  /** The platform the message says was asked for (linux/arm64), when it says. */
  platform: string | undefined;
  /** Whether anything in the message was recognised. */
  informative: boolean;
  /** The kind of address the failing connection dialled, when the message shows one (the name had resolved). */
  dialled?: 'private' | 'public';
  /** What ECS was doing when it failed, when the message says (a ResourceInitializationError). */
  step?: Step;
}

type Dist = Partial<Record<CauseId, number>>;

/** A clue as a decision holds it: `only` restricts it to the causes it points at (else every cause there). */
interface Frag extends Clue {
  only?: readonly CauseId[];
}

interface Decision {
  dist: Dist;
  fragments: Frag[];
}

export type HostKind =
  | 'ecr'
  | 'ecr-api'
  | 's3-layer'
  | 'docker-hub'
  | 'ecr-public'
  | 'secrets'
  | 'ssm'
  | 'logs'
  | 'aws'
  | 'other';

interface Clues {
  text: string;
  hosts: Array<{ host: string; kind: HostKind }>;
  /** The kind of host the failing request went to (the last one the text names). */
  target: HostKind | undefined;
  /** The address dialled, when the message shows one. */
  dialled: 'private' | 'public' | undefined;
  image: string | undefined;
  /** The image named no registry (or docker.io/library/…): the bare-name trap. */
  bareImage: boolean;
  /** The request that failed was a layer download (containerd's copy): from ECR, that is the S3 layer bucket. */
  layerFetch: boolean;
}

// ── text ───────────────────────────────────────────────────────────────────────────────────────────────────

/** Typographic quotes and apostrophes to ASCII, escapes and control characters out, one line. */
function normalise(s: string): string {
  return s
    .replace(/[\u2018\u2019\u201a\u201b\u2032\u00b4`]/g, "'")
    .replace(/[\u201c\u201d\u201e\u201f\u00ab\u00bb]/g, '"')
    .replace(/[\u200b-\u200d\u2060\ufeff]/g, '')
    .replace(/\\"/g, '"')
    .replace(/\\n/g, ' ')
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Splits what may hold several containers' reasons (one per line, or joined by " | "). */
function segments(input: readonly string[]): string[] {
  const parts = input
    .flatMap((p) => p.split(/\r?\n|\s\|\s/))
    .map(normalise)
    .filter((p) => p.length > 0);
  return [...new Set(parts)];
}

// ── clues: hosts, addresses, image ─────────────────────────────────────────────────────────────────────────

const ecrDkr = /\b\d{12}\.dkr[.-]ecr(?:-fips)?\.[a-z0-9-]+\.(?:amazonaws\.com(?:\.cn)?|on\.aws|api\.aws)\b/i;

function hostKind(host: string): HostKind {
  const h = host.toLowerCase().replace(/:\d+$/, '');
  if (ecrDkr.test(h)) return 'ecr';
  // The same host with its account id masked (XXXXXXXXXXXX.dkr.ecr.…), as people paste it.
  if (
    /^[a-z0-9*]{1,12}\.dkr[.-]ecr(?:-fips)?\.[a-z0-9-]{1,30}\.(?:amazonaws\.com(?:\.cn)?|on\.aws|api\.aws)$/.test(
      h,
    )
  )
    return 'ecr';
  // Cut short (Fargate truncates long reasons), the layer bucket's name still starts `prod-REGION-starport`.
  if (/^prod-[a-z0-9-]{1,36}-starport\b/.test(h)) return 's3-layer';
  if (/^api\.ecr(?:-fips)?\.|^ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com/.test(h)) return 'ecr-api';
  if (/^(?:registry-1\.|index\.|auth\.|registry\.hub\.|production\.cloudflare\.)?docker\.(?:io|com)$/.test(h))
    return 'docker-hub';
  if (h === 'public.ecr.aws') return 'ecr-public';
  if (/^secretsmanager(?:-fips)?\./.test(h)) return 'secrets';
  if (/^ssm(?:-fips)?\./.test(h)) return 'ssm';
  if (/^logs(?:-fips)?\./.test(h)) return 'logs';
  if (/\.amazonaws\.com(?:\.cn)?$|\.on\.aws$|\.api\.aws$/.test(h)) return 'aws';
  return 'other';
}

const isAws = (k: HostKind | undefined) =>
  k === 'ecr' ||
  k === 'ecr-api' ||
  k === 's3-layer' ||
  k === 'secrets' ||
  k === 'ssm' ||
  k === 'logs' ||
  k === 'aws';

function privateV4(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number) as [number, number];
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || a === 127;
}

/** An image reference in the text: after "ref", "pull access denied for", "manifest for", "repository". */
function imageIn(text: string): string | undefined {
  const patterns = [
    /failed to resolve (?:ref(?:erence)?|image)\s+"?([^\s"]+?)"?(?::\s|\s|$)/i,
    /pull access denied for\s+"?([^\s",]+?)"?[,\s]/i,
    /manifest for\s+"?([^\s"]+)"?\s+not found/i,
    /(?:repository|image)\s+"?([a-z0-9][^\s",]*?)"?\s+not found/i,
    /cannot pull\s+'([^']+)'/i,
    // "The task cannot pull REF from the registry REF." (2024+), the reference unquoted.
    /cannot pull\s+([a-z0-9][^\s']{0,300}?)\s+from the (?:registry|amazon ecr repository)\b/i,
  ];
  for (const re of patterns) {
    const m = re.exec(text);
    if (!m?.[1]) continue;
    const raw = m[1].replace(/[.,;:]+$/, '');
    if (parseImageRef(raw)) return raw;
    // Upper-cased by whoever relayed it: references are lower case.
    if (parseImageRef(raw.toLowerCase())) return raw.toLowerCase();
  }
  return undefined;
}

function cluesOf(text: string): Clues {
  const hosts: Clues['hosts'] = [];
  const add = (host: string) => {
    const h = host.toLowerCase().replace(/\.$/, '');
    if (h.includes('.') && !hosts.some((x) => x.host === h)) hosts.push({ host: h, kind: hostKind(h) });
  };
  // By position: the last request the text names is the one that failed.
  const found: Array<{ at: number; host: string }> = [];
  for (const m of text.matchAll(/https?:\/\/([a-z0-9.-]+(?::\d+)?)/gi))
    found.push({ at: m.index, host: m[1]! });
  for (const m of text.matchAll(/\blookup\s+([a-z0-9.-]+\.[a-z]{2,})\b/gi))
    found.push({ at: m.index, host: m[1]! });
  for (const m of text.matchAll(new RegExp(ecrDkr.source, 'gi'))) found.push({ at: m.index, host: m[0] });
  // {1,36}: a bucket name has at most 63 characters; unbounded, each `prod-` of a long run was scanned to its end.
  for (const m of text.matchAll(/\bprod-[a-z0-9-]{1,36}-starport-layer-bucket(?:\.[a-z0-9.-]+)?/gi))
    found.push({ at: m.index, host: m[0] });
  for (const m of text.matchAll(/\b(?:registry-1|index|auth)\.docker\.io\b/gi))
    found.push({ at: m.index, host: m[0] });
  found.sort((a, b) => a.at - b.at);
  for (const f of found) add(f.host);

  const image = imageIn(text);
  const ref = image ? parseImageRef(image) : null;
  if (ref && !hosts.some((h) => h.host === ref.registry)) {
    hosts.push({
      host: ref.registry,
      kind: ref.kind === 'docker-hub' ? 'docker-hub' : hostKind(ref.registry),
    });
  }
  const last = found.at(-1);
  let target: HostKind | undefined = last ? hostKind(last.host) : hosts[0]?.kind;
  if (!target && /secrets ?manager|\bfrom asm\b/i.test(text)) target = 'secrets';
  else if (!target && /\bfrom ssm\b|parameter store|systems manager/i.test(text)) target = 'ssm';
  else if (!target && /ecr registry auth|getauthorizationtoken|registry auth from amazon ecr/i.test(text))
    target = 'ecr-api';
  else if (!target && /between the task and amazon cloudwatch/i.test(text)) target = 'logs';
  // ECS's own words name ECR: they outweigh a host guessed from a placeholder ('image-name' reads as Docker Hub).
  if (!isAws(target) && /between the task and amazon ecr|from the amazon ecr repository/i.test(text))
    target = 'ecr';

  let dialled: Clues['dialled'];
  const dial = [...text.matchAll(/dial tcp\s+(\d{1,3}(?:\.\d{1,3}){3}):\d+/gi)].at(-1);
  if (dial) dialled = privateV4(dial[1]!) ? 'private' : 'public';
  else if (/dial tcp\s+\[[0-9a-f:]+\]:\d+/i.test(text)) dialled = 'public';

  const bareImage = !!ref && ref.kind === 'docker-hub' && ref.repository.startsWith('library/');
  const layerFetch = /failed to copy: httpreadseeker|httpreadseeker: failed open/i.test(text);
  return { text, hosts, target, dialled, image, bareImage, layerFetch };
}

// ── what each kind of evidence implies ─────────────────────────────────────────────────────────────────────

function scaled(x: Dist, k: number): Dist {
  const out: Dist = {};
  for (const [id, p] of Object.entries(x) as Array<[CauseId, number]>) out[id] = p * k;
  return out;
}

function plus(...ds: Dist[]): Dist {
  const out: Dist = {};
  for (const x of ds)
    for (const [id, p] of Object.entries(x) as Array<[CauseId, number]>) out[id] = (out[id] ?? 0) + p;
  return out;
}

function withoutDns(x: Dist): Dist {
  const { dns: _dns, ...rest } = x;
  return rest;
}

/** A timeout or a refused connection: spread over the network family by where the request went. */
function networkDist(given: Clues, scale = 1): Dist {
  // A layer download from ECR goes to the S3 layer bucket, whatever host the message shows for it (since 2024
  // Fargate writes the image reference where the presigned S3 URL was).
  const c: Clues = given.target === 'ecr' && given.layerFetch ? { ...given, target: 's3-layer' } : given;
  let x: Dist;
  if (c.dialled === 'private' && (c.target === undefined || isAws(c.target))) {
    // A private address for an AWS name: DNS sent the task to an interface endpoint, which did not answer.
    x = { 'vpc-endpoint': 0.45, 'network-security-group': 0.3, 'network-no-route': 0.05, dns: 0.05 };
  } else if (c.target === 's3-layer') {
    // The manifest came through and the layers did not: the S3 gateway endpoint or the S3 prefix list.
    x = {
      'vpc-endpoint': 0.35,
      'network-security-group': 0.25,
      'network-no-route': 0.15,
      'network-no-public-ip': 0.1,
      dns: 0.05,
    };
  } else if (isAws(c.target)) {
    x = {
      'network-no-route': 0.3,
      'network-no-public-ip': 0.2,
      'vpc-endpoint': 0.2,
      'network-security-group': 0.15,
      dns: 0.05,
    };
  } else if (c.target) {
    // Docker Hub and other registries live on the internet: no VPC endpoint can carry them.
    x = { 'network-no-route': 0.4, 'network-no-public-ip': 0.3, 'network-security-group': 0.15, dns: 0.05 };
  } else {
    x = {
      'network-no-route': 0.3,
      'network-no-public-ip': 0.2,
      'network-security-group': 0.15,
      'vpc-endpoint': 0.15,
      dns: 0.1,
    };
  }
  return scaled(x, scale);
}

const P = {
  platform:
    /does not contain (?:a |any )?descriptor matching(?: platform(?: '[^']*')?)?|no matching manifest for [\w/]+ in the manifest list|no match for platform in manifest/i,
  noSpace: /no space left on device|disk quota exceeded/i,
  layer: /failed to (?:extract|register|unpack|apply) layer|error processing tar file/i,
  rate: /toomanyrequests|too many requests|pull rate limit|reached your (?:unauthenticated )?pull rate|(?<![\d.])429(?![\d.])|rate exceeded|throttlingexception/i,
  kms: /\bkms\b|kms[a-z]*exception|customer master key|kms:decrypt|\bciphertext\b/i,
  secretsCtx:
    /unable to retrieve secrets? from (?:asm|ssm)|secrets? from (?:asm|ssm)|cannot pull secrets from aws (?:secrets manager|systems manager)|retrieve the secret\b|fetch secret|getsecretvalue|ssm:getparameters?|\bparameternotfound\b|invalidparameters|secrets ?manager|retrieve secrets?\b/i,
  registryAuthCtx:
    /registry auth from asm|get registry auth|private registry auth|repositorycredentials|credentialsparameter/i,
  ecrAuthCtx: /ecr registry auth|registry auth from amazon ecr|getauthorizationtoken|retrieve ecr/i,
  pullSecrets: /unable to pull secrets or registry auth|execution resource retrieval failed/i,
  hint: /the task (?:can't|cannot|can not) pull the image\.?\s*(check[^.…]*)?/i,
  dns: /no such host|\blookup\s+\S+\s+on\s+\S+|server misbehaving|temporary failure in name resolution|name resolution failed|could not resolve host/i,
  network:
    /i\/o timeout|context deadline exceeded|context canceled|request canceled|client\.timeout|dockertimeouterror|dial tcp|connection (?:refused|reset|timed out)|tls handshake timeout|network is unreachable|no route to host|send request failed|request send failed|statuscode: 0(?![\d.])|requesterror|requestcanceled|timed out|timeout exceeded|awaiting headers|unexpected EOF|:\s*EOF\s*$/i,
  /**
   * ECS's plain words (2024+) for a connection that did not happen: "There is a connection issue between the task
   * and Amazon ECR / the registry / AWS Secrets Manager / AWS Systems Manager Parameter Store / Amazon CloudWatch",
   * "Check your task network configuration", also when cut mid-word.
   */
  connection:
    /there is a connection\b|connection issue between the task\b|check your (?:task |host )?network (?:configuration|connection)/i,
  /** The words worth quoting from it: the service it names, when it does. */
  connectionQuote:
    /connection issue between the task(?: and (?:the registry|(?:amazon |aws )?[a-z]{1,20}(?: [a-z]{1,20}){0,3}))?/i,
  /** ECS's plain words for a permission the execution role lacks ("… doesn’t have the permissions to call …"). */
  noPermission:
    /(?:does not|doesn't|do not|don't) have (?:the )?permissions? to call [a-z0-9-]{1,30}:[a-z]{1,60}|(?:does not|doesn't|do not|don't) have (?:the )?permi/i,
  /**
   * "The task cannot pull REF from the Amazon ECR repository REPO." / "… from the registry REF.": ECS writes it only
   * before "There is a connection issue …", so cut right after it, it still points at the network.
   */
  plainPull: /the task cannot pull \S{1,400} from the (?:amazon ecr repository|registry)\b/i,
  /** The phrases worth quoting from a network failure, before the generic "dial tcp". */
  networkQuote:
    /i\/o timeout|context deadline exceeded|context canceled|request canceled while waiting for connection|client\.timeout exceeded[^)]*|connection (?:refused|reset(?: by peer)?|timed out)|tls handshake timeout|network is unreachable|no route to host|dockertimeouterror|timed out/i,
  requestFailed: /failed to do request/i,
  execRole:
    /requires? (?:the )?task definition to have (?:an )?execution role|execution ?role arn|unable to assume (?:the )?role|ecs was unable to assume|no basic auth credentials|authorization token has expired/i,
  deniedEcr: /not authorized to perform:?\s*"?ecr:[a-z]+/i,
  deniedVpce: /vpc endpoint policy/i,
  deniedResource: /resource-based policy|repository policy/i,
  deniedIdentity: /identity-based policy|permissions boundary|session policy/i,
  accessDenied: /accessdeniedexception|access ?denied|not authorized to perform/i,
  pullDenied:
    /pull access denied|repository does not exist or may require|may require '?docker login'?|may require authorization|insufficient_scope|requested access to the resource is denied/i,
  noPullAccess: /does not exist or no pull access/i,
  notFound:
    /manifest unknown|manifest unkn|manifest for \S+ not found|requested image not found|name unknown|repositorynotfoundexception|imagenotfoundexception|failed to resolve (?:ref|reference|image) \S+ \S+: not found|(?:^|[:\s])not found(?::|\s*$)|(?:tag|image|repository|manifest)\s+\S+\s+(?:was )?not found|repository \S+ does not exist/i,
  /** The words worth quoting from a "not found" that names its image (quoted apart), without the reference again. */
  notFoundQuote:
    /manifest unknown|requested image not found|name unknown|repositorynotfoundexception|imagenotfoundexception|does not exist|\bnot found\b/i,
  forbidden: /(?<![\d.])403(?![\d.])|\bforbidden\b|<code>accessdenied<\/code>|\baccessdenied\b(?!exception)/i,
  unauthorized:
    /(?<![\d.])401(?![\d.])|\bunauthorized\b|incorrect username or password|authentication required|invalid username\/password/i,
  /** The awslogs driver could not start (ResourceInitializationError, and the docker-era daemon's words). */
  logger:
    /failed to validate logger args|failed to initiali[sz]e logging driver|unable to get awslogs driver arguments|cannot find the amazon cloudwatch log group|failed to create cloudwatch log (?:stream|group)/i,
  /** What the agent adds after the logger's words that says the options themselves are wrong. */
  loggerOptions:
    /awslogs-[a-z-]{1,40} is required|unknown log opt|invalid (?:log|awslogs)|must be (?:true|false|specified)/i,
  logGroupMissing:
    /log group does not exist|specified log group does not exist|cannot find the amazon cloudwatch log group|resourcenotfoundexception/i,
  /** The EFS mount helper (amazon-efs-utils) or mount.nfs4 failed while ECS set up the task's volumes. */
  efs: /failed to invoke efs utils commands|set up efs volumes|efs utils command|\bmount\.nfs4?:|\bfs-[0-9a-f]{8,17}\.efs\./i,
  efsResolve:
    /failed to resolve "?[a-z0-9.-]{0,80}efs|could not resolve|name or service not known|no such host/i,
  efsDenied: /access denied by server|permission denied|operation not permitted|not authorized|accessdenied/i,
  efsNetwork:
    /connection timed out|timed out|timeout after|connection reset by peer|connection refused|no route to host|network is unreachable|mount system call failed/i,
  efsNoPath: /no such file or directory/i,
  notPull:
    /executable file not found|essential container in task exited|outofmemory|cannotstartcontainererror|cannotinspectcontainererror|cannotcreatecontainererror|log group does not exist/i,
};

function frag(re: RegExp, text: string, preferred?: RegExp, kind: Frag['kind'] = 'said'): Frag[] {
  const m = preferred?.exec(text) ?? re.exec(text);
  if (!m) return [];
  const s = m[0].replace(/^[\s:,.]+|[\s:,.]+$/g, '');
  if (!s) return [];
  return [{ text: s.length > 90 ? `${s.slice(0, 89)}…` : s, kind }];
}

/** The most telling host the message names, as a fragment. */
function hostFrag(c: Clues): Frag[] {
  const pick = c.hosts.find((h) => h.kind === 's3-layer') ?? c.hosts.find((h) => h.kind === c.target);
  return pick ? [{ text: pick.host, kind: 'host', what: pick.kind }] : [];
}

/** ECS's plain words for a connection that did not happen, naming the service when they do. */
const connectionFrag = (t: string): Frag[] => frag(P.connection, t, P.connectionQuote);

/** The image the message names, as a fragment. */
const imageFrag = (c: Clues): Frag[] => (c.image ? [{ text: c.image, kind: 'image' }] : []);

/** Restricts fragments to the causes they point at (within what they already pointed at). */
const only = (ids: readonly CauseId[], frags: Frag[]): Frag[] =>
  frags.map((f) => ({ ...f, only: f.only ? f.only.filter((id) => ids.includes(id)) : ids }));

const causesOf = (x: Dist) => Object.keys(x) as CauseId[];

const decision = (dist: Dist, ...fragments: Frag[][]): Decision => {
  const byText = new Map<string, Frag>();
  for (const f of fragments.flat()) {
    const seen = byText.get(f.text);
    if (!seen) byText.set(f.text, f);
    // The same words met twice point at the union of what each pointed at.
    else if (seen.only) seen.only = f.only ? [...new Set([...seen.only, ...f.only])] : undefined;
  }
  return { dist, fragments: [...byText.values()] };
};

/** Access denied by an AWS API: the policy that denied it decides. */
function deniedDist(c: Clues): Dist {
  const t = c.text;
  if (P.deniedVpce.test(t)) return { 'vpc-endpoint': 0.8, 'execution-role': 0.1 };
  if (P.deniedResource.test(t)) return { 'repository-policy': 0.75, 'execution-role': 0.15 };
  // The caller's account differs from the repository's: a cross-account pull the repository policy must allow.
  const caller = /arn:aws[a-z-]*:(?:sts|iam)::(\d{12}):/i.exec(t)?.[1];
  const repo = /arn:aws[a-z-]*:ecr:[a-z0-9-]+:(\d{12}):repository/i.exec(t)?.[1];
  if (caller && repo && caller !== repo) return { 'repository-policy': 0.55, 'execution-role': 0.35 };
  if (P.deniedIdentity.test(t)) return { 'execution-role': 0.85, 'vpc-endpoint': 0.05 };
  return { 'execution-role': 0.75, 'repository-policy': 0.1, 'vpc-endpoint': 0.08 };
}

/** "pull access denied" and friends: a missing image, missing credentials, or a bare name meant for ECR. */
function pullDeniedDist(c: Clues): Dist {
  const kind = c.target ?? c.hosts[0]?.kind;
  if (kind === 'ecr') return { 'image-not-found': 0.5, 'execution-role': 0.2, 'repository-policy': 0.2 };
  if (c.bareImage) return { 'image-not-found': 0.4, 'image-reference': 0.3, 'registry-auth': 0.2 };
  if (kind === 'docker-hub' || kind === undefined)
    return { 'registry-auth': 0.45, 'image-not-found': 0.4, 'image-reference': 0.05 };
  return { 'registry-auth': 0.55, 'image-not-found': 0.35 };
}

/** A 403 Forbidden: what it means depends on who answered. */
function forbiddenDist(c: Clues): Dist {
  // S3 answers in XML; image configurations and layers are blobs, which ECR serves from the S3 layer bucket.
  const blob = /<code>accessdenied<\/code>|error pulling image configuration|httpreadseeker/i.test(c.text);
  const kind =
    c.hosts.some((h) => h.kind === 's3-layer') || (blob && (!c.target || c.target === 'ecr'))
      ? 's3-layer'
      : c.target;
  switch (kind) {
    case 's3-layer':
      // The layer bucket refuses: the S3 gateway endpoint's policy, or the repository's policy upstream.
      return { 'vpc-endpoint': 0.6, 'repository-policy': 0.25, 'execution-role': 0.05 };
    case 'ecr':
      return { 'execution-role': 0.5, 'repository-policy': 0.25, 'vpc-endpoint': 0.15 };
    case 'ecr-api':
      return { 'execution-role': 0.6, 'vpc-endpoint': 0.25, 'repository-policy': 0.05 };
    case 'docker-hub':
      return { 'registry-auth': 0.5, 'image-not-found': 0.2, 'rate-limit': 0.15 };
    case 'ecr-public':
      return { 'image-not-found': 0.45, 'registry-auth': 0.3, 'rate-limit': 0.1 };
    case 'other':
      return { 'registry-auth': 0.75, 'image-not-found': 0.1 };
    default:
      return {
        'execution-role': 0.35,
        'vpc-endpoint': 0.25,
        'repository-policy': 0.15,
        'registry-auth': 0.15,
      };
  }
}

function unauthorizedDist(c: Clues): Dist {
  if (c.target === 'ecr' || c.target === 'ecr-api') return { 'execution-role': 0.75, 'vpc-endpoint': 0.1 };
  if (c.target === undefined) return { 'registry-auth': 0.65, 'execution-role': 0.2 };
  return { 'registry-auth': 0.8, 'image-not-found': 0.1 };
}

/** What a ResourceInitializationError says ECS was doing: reading registry credentials, secrets, the ECR token. */
function stepOf(t: string): Step | undefined {
  if (P.registryAuthCtx.test(t)) return 'registry-credentials';
  if (P.secretsCtx.test(t)) return 'secrets';
  if (P.ecrAuthCtx.test(t)) return 'ecr-token';
  if (P.pullSecrets.test(t)) return 'secrets-or-credentials';
  return undefined;
}

const STEP_RE: Record<Step, RegExp> = {
  'registry-credentials': P.registryAuthCtx,
  secrets: P.secretsCtx,
  'ecr-token': P.ecrAuthCtx,
  'secrets-or-credentials': P.pullSecrets,
};

/** The ResourceInitializationError family: secrets, registry credentials, the ECR token. */
function resourceInit(c: Clues): Decision | undefined {
  const t = c.text;
  const step = stepOf(t);
  if (!step) return undefined;
  const registry = step === 'registry-credentials';
  const secrets = step === 'secrets';
  const ecrAuth = step === 'ecr-token';
  const ctx = frag(STEP_RE[step], t, undefined, 'step').map((f) => ({ ...f, what: step }));
  const reader: CauseId = registry ? 'registry-auth' : secrets ? 'secrets' : 'execution-role';
  if (P.kms.test(t))
    return decision(
      { kms: 0.85, [registry ? 'registry-auth' : 'secrets']: 0.1 },
      only(['kms'], frag(P.kms, t)),
      ctx,
    );
  if (P.dns.test(t))
    return decision(
      plus({ dns: 0.55 }, scaled(withoutDns(networkDist(c)), 0.4)),
      frag(P.dns, t),
      ctx,
      hostFrag(c),
    );
  if (P.network.test(t) || P.requestFailed.test(t) || P.connection.test(t)) {
    // The timeout (or ECS's "connection issue") and the host it went to point at the network: Secrets Manager,
    // SSM or ECR was not reached, so no permission was asked; what ECS was reading, at the reader too.
    return decision(
      plus(networkDist(c, 0.85), { [reader]: 0.1 }),
      only(
        NETWORK_FAMILY,
        connectionFrag(t).concat(frag(P.network, t, P.networkQuote), frag(P.requestFailed, t)),
      ),
      ctx,
      only(NETWORK_FAMILY, hostFrag(c)),
    );
  }
  const missing =
    /resourcenotfoundexception|can't find the specified secret|can't retrieve the secret with arn|check whether the secret exists|parameternotfound|invalidparameters|does not exist|not found/i;
  const denied = P.accessDenied.test(t) || P.noPermission.test(t);
  const deniedFrag = () => frag(P.accessDenied, t).concat(frag(P.noPermission, t));
  if (registry) {
    if (denied || missing.test(t))
      return decision(
        { 'registry-auth': 0.85, 'execution-role': 0.05 },
        deniedFrag(),
        only(['registry-auth'], frag(missing, t)),
        ctx,
      );
    return decision({ 'registry-auth': 0.7, 'vpc-endpoint': 0.1, 'network-no-route': 0.1 }, ctx);
  }
  if (secrets) {
    if (denied)
      return decision({ secrets: 0.8, 'execution-role': 0.1, 'vpc-endpoint': 0.05 }, deniedFrag(), ctx);
    if (missing.test(t)) return decision({ secrets: 0.9 }, frag(missing, t), ctx);
    return decision(
      { secrets: 0.65, 'vpc-endpoint': 0.1, 'network-no-route': 0.1, 'execution-role': 0.05 },
      ctx,
    );
  }
  if (ecrAuth) {
    // GetAuthorizationToken is allowed on "*" or not at all: the role's policies (or an endpoint policy) decide,
    // never the repository's.
    if (denied)
      return decision(
        P.deniedVpce.test(t) ? deniedDist(c) : { 'execution-role': 0.85, 'vpc-endpoint': 0.08 },
        deniedFrag(),
        ctx,
      );
    return decision(plus(networkDist({ ...c, target: 'ecr-api' }, 0.6), { 'execution-role': 0.3 }), ctx);
  }
  // Cut before it says which: secrets, the registry token, or the network to either.
  if (denied) return decision({ 'execution-role': 0.5, secrets: 0.35 }, deniedFrag(), ctx);
  return decision(
    plus(networkDist({ ...c, target: c.target ?? 'aws' }, 0.5), {
      secrets: 0.2,
      'execution-role': 0.15,
      'registry-auth': 0.05,
    }),
    ctx,
  );
}

/**
 * The awslogs driver could not start: ECS validates its options and creates the container's log stream before the
 * container starts. A connection that did not happen is the network path to CloudWatch Logs (the same family as a
 * pull's); a missing group, a denied write, a KMS key or wrong options are the log configuration.
 */
function loggerArgs(c: Clues): Decision | undefined {
  const t = c.text;
  if (!P.logger.test(t)) return undefined;
  const ctx = frag(P.logger, t);
  const logs: Clues = { ...c, target: c.target ?? 'logs' };
  if (P.dns.test(t))
    return decision(
      plus({ dns: 0.5 }, scaled(withoutDns(networkDist(logs)), 0.35), { 'log-configuration': 0.1 }),
      frag(P.dns, t),
      ctx,
      hostFrag(logs),
    );
  if (P.network.test(t) || P.requestFailed.test(t) || P.connection.test(t)) {
    return decision(
      plus(networkDist(logs, 0.85), { 'log-configuration': 0.1 }),
      frag(P.network, t, P.networkQuote).concat(connectionFrag(t)),
      ctx,
      hostFrag(logs),
    );
  }
  if (P.kms.test(t)) return decision({ 'log-configuration': 0.75, kms: 0.15 }, frag(P.kms, t), ctx);
  if (P.accessDenied.test(t))
    return decision(
      { 'log-configuration': 0.8, 'execution-role': 0.1 },
      frag(/not authorized to perform:?\s*"?logs:[a-z]+/i, t, undefined).concat(frag(P.accessDenied, t)),
      ctx,
    );
  // ECS's "The task cannot find the Amazon CloudWatch log group …" leads in to "There is a connection issue …" as
  // well: cut before that sentence, a missing group and no way to CloudWatch Logs are both possible.
  const leadIn = /cannot find the amazon cloudwatch log group/i;
  if (leadIn.test(t) && !/log group does not exist|resourcenotfoundexception/i.test(t))
    return decision(
      plus({ 'log-configuration': 0.55 }, scaled(networkDist(logs), 0.35)),
      frag(leadIn, t),
      ctx,
    );
  if (P.logGroupMissing.test(t))
    return decision(
      { 'log-configuration': 0.9 },
      frag(P.logGroupMissing, t, /(?:the specified )?log group does not exist/i),
      ctx,
    );
  if (P.loggerOptions.test(t)) return decision({ 'log-configuration': 0.9 }, frag(P.loggerOptions, t), ctx);
  if (P.rate.test(t)) return decision({ 'log-configuration': 0.6 }, frag(P.rate, t), ctx);
  // Cut before it says why: the group, the role or the way to CloudWatch Logs.
  return decision(
    plus({ 'log-configuration': 0.55 }, scaled(networkDist(logs), 0.3), { 'execution-role': 0.05 }),
    ctx,
  );
}

/**
 * ECS could not mount an EFS volume: the mount target is missing in the task's zone (its name does not resolve), a
 * security group or the task's egress stops NFS (TCP 2049: the mount times out), or the file system policy, the
 * access point or IAM authorization refuses the task (access denied by server).
 */
function efsMount(c: Clues): Decision | undefined {
  const t = c.text;
  if (!P.efs.test(t)) return undefined;
  const ctx = frag(P.efs, t);
  if (P.efsResolve.test(t))
    return decision(
      { 'efs-mount': 0.75, dns: 0.15 },
      frag(P.efsResolve, t, /failed to resolve "?[a-z0-9.-]{1,120}\.amazonaws\.com(?:\.cn)?"?/i),
      ctx,
    );
  if (P.efsDenied.test(t)) return decision({ 'efs-mount': 0.9 }, frag(P.efsDenied, t), ctx);
  if (P.efsNetwork.test(t))
    return decision({ 'efs-mount': 0.85, 'network-security-group': 0.05 }, frag(P.efsNetwork, t), ctx);
  if (P.efsNoPath.test(t)) return decision({ 'efs-mount': 0.9 }, frag(P.efsNoPath, t), ctx);
  return decision({ 'efs-mount': 0.85 }, ctx);
}

const topOf = (x: Dist) =>
  (Object.entries(x) as Array<[CauseId, number]>).sort((a, b) => b[1] - a[1])[0]?.[0];

/** The 2024 "The task can’t pull the image. Check …" prefix: its hint, reconciled with the detail after it. */
function hinted(c: Clues): Decision | undefined {
  const m = P.hint.exec(c.text);
  if (!m) return undefined;
  const check = (m[1] ?? '').toLowerCase();
  let hint: Dist | undefined;
  if (/permission|role|authori[sz]/.test(check))
    hint = { 'execution-role': 0.65, 'repository-policy': 0.15, 'registry-auth': 0.1 };
  else if (/exist|image name|tag\b|repository/.test(check))
    hint = { 'image-not-found': 0.7, 'image-reference': 0.15, 'registry-auth': 0.05 };
  else if (/network|connectivity|subnet|route|internet|vpc/.test(check)) hint = networkDist(c, 0.95);
  else if (/space|storage|disk/.test(check)) hint = { 'disk-space': 0.85 };
  else if (/platform|architecture/.test(check)) hint = { 'platform-mismatch': 0.85 };
  const rest = `${c.text.slice(0, m.index)} ${c.text.slice(m.index + m[0].length)}`.trim();
  const inner = decideText(cluesOf(rest), false);
  const hintFrag: Frag[] = [{ text: m[0].trim().replace(/\.$/, ''), kind: 'hint' }];
  if (!hint) return inner;
  if (!inner) return decision(hint, hintFrag);
  // The hint and the detail agree on a family: keep the detail's finer ranking.
  const ti = topOf(inner.dist);
  const th = topOf(hint);
  if (ti && th && (ti === th || (NETWORK_FAMILY.includes(ti) && NETWORK_FAMILY.includes(th))))
    return decision(inner.dist, hintFrag, inner.fragments);
  // They disagree: each points at its own causes.
  return decision(
    plus(scaled(inner.dist, 0.5), scaled(hint, 0.5)),
    only(causesOf(hint), hintFrag),
    only(causesOf(inner.dist), inner.fragments),
  );
}

/** One message (one container's reason): its most specific evidence decides. */
function decideText(c: Clues, allowHint = true): Decision | undefined {
  const t = c.text;
  if (!t) return undefined;
  if (allowHint) {
    const h = hinted(c);
    if (h) return h;
  }
  // Start failures that are not the pull: the logging driver and EFS volumes, whatever else their words say.
  const start = loggerArgs(c) ?? efsMount(c);
  if (start) return start;
  if (P.platform.test(t)) return decision({ 'platform-mismatch': 0.95 }, frag(P.platform, t));
  if (P.noSpace.test(t)) return decision({ 'disk-space': 0.95 }, frag(P.noSpace, t));
  if (P.rate.test(t)) {
    const hub = c.hosts.some((h) => h.kind === 'docker-hub');
    return decision(
      hub ? { 'rate-limit': 0.92 } : { 'rate-limit': 0.85, 'registry-auth': 0.05 },
      frag(P.rate, t),
    );
  }
  const ri = resourceInit(c);
  if (ri) return ri;
  if (P.kms.test(t)) return decision({ kms: 0.8, secrets: 0.1 }, frag(P.kms, t));
  if (P.dns.test(t))
    return decision(
      plus({ dns: 0.6 }, scaled(withoutDns(networkDist(c)), 0.35)),
      frag(P.dns, t),
      hostFrag(c),
    );
  // A timeout, or ECS's plain "There is a connection issue between the task and …" (ECR, the registry).
  if (P.network.test(t) || P.connection.test(t))
    return decision(networkDist(c), connectionFrag(t), frag(P.network, t, P.networkQuote), hostFrag(c));
  if (P.execRole.test(t))
    return decision({ 'execution-role': 0.85, 'vpc-endpoint': 0.05 }, frag(P.execRole, t));
  if (P.deniedEcr.test(t)) return decision(deniedDist(c), frag(P.deniedEcr, t));
  if (P.pullDenied.test(t)) return decision(pullDeniedDist(c), frag(P.pullDenied, t), imageFrag(c));
  if (P.noPullAccess.test(t))
    return decision(
      c.bareImage
        ? { 'image-not-found': 0.5, 'image-reference': 0.3, 'registry-auth': 0.15 }
        : { 'image-not-found': 0.6, 'registry-auth': 0.3 },
      frag(P.noPullAccess, t),
    );
  if (P.notFound.test(t) && !P.notPull.test(t))
    return decision(
      c.bareImage
        ? { 'image-not-found': 0.6, 'image-reference': 0.3 }
        : { 'image-not-found': 0.85, 'image-reference': 0.05 },
      frag(P.notFound, t, c.image ? P.notFoundQuote : undefined),
      imageFrag(c),
    );
  if (P.forbidden.test(t)) return decision(forbiddenDist(c), frag(P.forbidden, t), hostFrag(c));
  if (P.unauthorized.test(t)) return decision(unauthorizedDist(c), frag(P.unauthorized, t), hostFrag(c));
  if (P.accessDenied.test(t)) return decision(deniedDist(c), frag(P.accessDenied, t));
  if (P.requestFailed.test(t)) return decision(networkDist(c, 0.8), frag(P.requestFailed, t), hostFrag(c));
  if (P.layer.test(t)) return decision({ 'disk-space': 0.7 }, frag(P.layer, t));
  if (P.plainPull.test(t))
    return decision(
      networkDist(c, 0.7),
      frag(P.plainPull, t, /from the (?:amazon ecr repository|registry)/i),
      hostFrag(c),
    );
  // Last: ECS's words for a task that started (or was stopped on purpose), when nothing above matched.
  for (const re of Object.values(NOT_A_PULL)) {
    if (re.test(t)) return decision({ 'not-a-pull-failure': 0.95 }, frag(re, t));
  }
  return undefined;
}

/**
 * ECS's words for tasks that did not fail to pull: the task started and its essential container exited or ran out
 * of memory, failed its health checks, or was stopped on purpose (scale-in, a deployment, a person, Spot).
 */
export const NOT_A_PULL = {
  outOfMemory: /OutOfMemoryError|OOMKilled|out of memory/i,
  spot: /spot interruption|spot capacity|capacity (?:was )?reclaimed/i,
  health: /failed (?:elb |container )?health ?checks?|health ?checks? failed|unhealthy/i,
  scaledIn:
    /scaling activity initiated by|scale-?in|deployment ecs-svc\/|service is being (?:deleted|updated)/i,
  byUser: /(?:task )?stopped by user|user initiated|\bStopTask\b/i,
  exited: /essential container in task exited/i,
} as const;

const order = (id: CauseId) => {
  const i = MESSAGE_TIE_ORDER.indexOf(id);
  return i < 0 ? MESSAGE_TIE_ORDER.length : i;
};

/** Rounds down, so that rounded confidences still sum to at most 1. */
const floor2 = (x: number) => Math.floor(x * 100 + 1e-9) / 100;

/** Longest text looked at per message: real stop reasons are a few hundred characters. */
const MAX_LENGTH = 4000;

/**
 * Classifies a stop message, or several (the task's stoppedReason and each container's reason). Never throws;
 * anything unrecognised yields `unknown`.
 */
export function classify(
  input: string | readonly (string | undefined | null)[] | undefined | null,
): Classification {
  const list = typeof input === 'string' ? [input] : Array.isArray(input) ? input : [];
  const segs = segments(list.filter((x): x is string => typeof x === 'string' && x.length > 0));
  const decisions: Decision[] = [];
  let image: string | undefined;
  let platform: string | undefined;
  let dialled: Classification['dialled'];
  let step: Step | undefined;
  for (const s of segs.slice(0, 20)) {
    const c = cluesOf(s.length > MAX_LENGTH ? s.slice(0, MAX_LENGTH) : s);
    image ??= c.image;
    dialled ??= c.dialled;
    step ??= stepOf(c.text);
    platform ??=
      /matching platform '?((?:linux|windows)\/[a-z0-9_]+)|no matching manifest for ((?:linux|windows)\/[a-z0-9_]+)/i
        .exec(c.text)
        ?.slice(1)
        .find(Boolean)
        ?.toLowerCase();
    const dec = decideText(c);
    if (dec && Object.keys(dec.dist).length) decisions.push(dec);
  }
  // A container that failed to pull explains the task, whatever the stop reason says of the others.
  const pull = decisions.filter((x) => Object.keys(x.dist).some((id) => id !== 'not-a-pull-failure'));
  if (pull.length) decisions.splice(0, decisions.length, ...pull);
  if (!decisions.length) {
    return {
      causes: [{ id: 'unknown', confidence: 1, fragments: [] }],
      image,
      platform,
      informative: false,
    };
  }
  // Several containers that failed differently: each reason weighs the same.
  const total = scaled(plus(...decisions.map((x) => x.dist)), 1 / decisions.length);
  const sum = Object.values(total).reduce((a, b) => a + (b ?? 0), 0);
  const norm = sum > 1 ? 1 / sum : 1;
  // Each cause gets the words that point at it: a timeout is not evidence for the execution role.
  const cluesFor = (id: CauseId): Clue[] => {
    const byText = new Map<string, Clue>();
    for (const d of decisions) {
      if (!((d.dist[id] ?? 0) > 0)) continue;
      for (const { only: o, ...clue } of d.fragments) {
        if ((!o || o.includes(id)) && !byText.has(clue.text)) byText.set(clue.text, clue);
      }
    }
    return [...byText.values()];
  };
  const causes = (Object.entries(total) as Array<[CauseId, number]>)
    .map(([id, p]) => {
      const clues = cluesFor(id);
      return { id, confidence: floor2(p * norm), fragments: clues.map((c) => c.text), clues };
    })
    .filter((x) => x.confidence > 0)
    .sort((a, b) => b.confidence - a.confidence || order(a.id) - order(b.id));
  return {
    causes,
    image,
    platform,
    informative: true,
    ...(dialled ? { dialled } : {}),
    ...(step ? { step } : {}),
  };
}
