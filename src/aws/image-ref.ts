/**
 * Container image references as ECS resolves them: registry host, repository, tag, digest, and which kind of
 * registry that is (private ECR, ECR Public, Docker Hub, another registry). `nginx` means
 * docker.io/library/nginx:latest; `myapp:1.0` means Docker Hub too, which is often not what was meant.
 * A private ECR repository may be a pull-through cache of another registry (`docker-hub/library/nginx`): which
 * prefix is one is the registry's configuration, so `pullThroughRuleFor` resolves it against the rules.
 */
export type RegistryKind = 'ecr' | 'ecr-public' | 'docker-hub' | 'other';

export interface ImageRef {
  /** The reference as written. */
  raw: string;
  /** Registry host as written or implied (docker.io for Docker Hub). */
  registry: string;
  /** Repository path inside the registry (library/nginx, team/app). */
  repository: string;
  tag: string | undefined;
  digest: string | undefined;
  kind: RegistryKind;
  /** True when the reference names no registry (a bare name resolves to Docker Hub). */
  implicitRegistry: boolean;
  /** For ECR: the registry's account and region. */
  ecr?: { account: string; region: string; fips: boolean; dualStack: boolean };
}

const region = '([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\\d)';
/** ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn], and the dual-stack ACCOUNT.dkr-ecr[-fips].REGION.on.aws. */
const ecrHost = new RegExp(
  `^(\\d{12})\\.(?:dkr\\.ecr(?:-fips)?\\.${region}\\.amazonaws\\.com(?:\\.cn)?|dkr-ecr(?:-fips)?\\.${region}\\.on\\.aws)$`,
);
const dockerHubHosts = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
]);

/** Parses an image reference; returns null when it is not a valid reference. */
export function parseImageRef(raw: string): ImageRef | null {
  const s = raw.trim();
  if (!s || s.length > 1024 || /\s/.test(s)) return null;
  let rest = s;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/.test(digest)) return null;
  }
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  // The first component is a registry host when it looks like one (a dot, a port, or localhost).
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? first.toLowerCase() : 'docker.io';
  let path = hasRegistry ? rest.slice(slash + 1) : rest;
  let tag: string | undefined;
  const lastSlash = path.lastIndexOf('/');
  const colon = path.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
    if (!/^[\w][\w.-]{0,127}$/.test(tag)) return null;
  }
  if (
    !path ||
    !/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(path)
  ) {
    return null;
  }
  let kind: RegistryKind = 'other';
  let ecr: ImageRef['ecr'];
  const m = ecrHost.exec(registry);
  if (m) {
    kind = 'ecr';
    ecr = {
      account: m[1]!,
      region: (m[2] ?? m[3])!,
      fips: registry.includes('-fips'),
      dualStack: registry.endsWith('.on.aws'),
    };
  } else if (registry === 'public.ecr.aws') kind = 'ecr-public';
  else if (dockerHubHosts.has(registry)) {
    kind = 'docker-hub';
    if (!path.includes('/')) path = `library/${path}`;
  }
  if (!tag && !digest) tag = 'latest';
  return {
    raw: s,
    registry,
    repository: path,
    tag,
    digest,
    kind,
    implicitRegistry: !hasRegistry,
    ...(ecr ? { ecr } : {}),
  };
}

/** The ARN of an ECR repository. */
export function ecrRepositoryArn(
  partition: string,
  region: string,
  account: string,
  repository: string,
): string {
  return `arn:${partition}:ecr:${region}:${account}:repository/${repository}`;
}

/** An ECR pull-through cache rule, as DescribePullThroughCacheRules lists it. */
export interface PullThroughRule {
  /** Repository name prefix the rule serves (`docker-hub`), or `ROOT` for every repository of the registry. */
  ecrRepositoryPrefix: string;
  /** The upstream registry's host (`registry-1.docker.io`, `public.ecr.aws`, `ACCOUNT.dkr.ecr.REGION.amazonaws.com`). */
  upstreamRegistryUrl: string;
  upstreamRegistry?: string | undefined;
  /** Secrets Manager secret with the upstream credentials. */
  credentialArn?: string | undefined;
  /** ECR-to-ECR rules: the upstream repository prefix that replaces ecrRepositoryPrefix. */
  upstreamRepositoryPrefix?: string | undefined;
}

/** The pull-through cache rule serving an ECR repository name: the longest matching prefix, else a ROOT rule. */
export function pullThroughRuleFor<R extends PullThroughRule>(
  repository: string,
  rules: readonly R[],
): R | undefined {
  const byPrefix = rules
    .filter((r) => r.ecrRepositoryPrefix !== 'ROOT' && repository.startsWith(`${r.ecrRepositoryPrefix}/`))
    .sort((a, b) => b.ecrRepositoryPrefix.length - a.ecrRepositoryPrefix.length);
  return byPrefix[0] ?? rules.find((r) => r.ecrRepositoryPrefix === 'ROOT');
}

export interface UpstreamImage {
  /** The upstream reference ECR fetches: registry host, repository path and tag or digest. */
  image: string;
  registry: string;
  repository: string;
  /**
   * Docker Hub official images live under `library/` on the registry API; a pull-through repository that omits it
   * (`docker-hub/nginx`) asks Docker Hub for a repository that does not exist.
   */
  dockerHubLibraryMissing: boolean;
}

/** What a pull-through cache repository fetches upstream, following the rule that serves it. */
export function upstreamOf(ref: ImageRef, rule: PullThroughRule): UpstreamImage {
  let path =
    rule.ecrRepositoryPrefix === 'ROOT'
      ? ref.repository
      : ref.repository.slice(rule.ecrRepositoryPrefix.length + 1);
  if (rule.upstreamRepositoryPrefix && rule.upstreamRepositoryPrefix !== 'ROOT')
    path = `${rule.upstreamRepositoryPrefix}/${path}`;
  const registry = rule.upstreamRegistryUrl.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  const dockerHub = dockerHubHosts.has(registry) || rule.upstreamRegistry === 'docker-hub';
  const reference = ref.digest ? `@${ref.digest}` : `:${ref.tag ?? 'latest'}`;
  return {
    image: `${registry}/${path}${reference}`,
    registry,
    repository: path,
    dockerHubLibraryMissing: dockerHub && !path.includes('/'),
  };
}
