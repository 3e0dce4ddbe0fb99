/**
 * Container image references as ECS resolves them: registry host, repository, tag, digest, and which kind of
 * registry that is (private ECR, ECR Public, Docker Hub, another registry). `nginx` means
 * docker.io/library/nginx:latest; `myapp:1.0` means Docker Hub too, which is often not what was meant.
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
  `^(\\d{12})\\.(?:dkr\\.ecr(?:-fips)?\\.${region}\\.(?:amazonaws\\.com(?:\\.cn)?|api\\.aws)|dkr-ecr(?:-fips)?\\.${region}\\.on\\.aws)$`,
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
      dualStack: registry.endsWith('.api.aws') || registry.endsWith('.on.aws'),
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
