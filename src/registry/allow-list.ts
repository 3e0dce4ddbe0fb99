/**
 * The registries the probe may ask (registries.allow), and the token services each may send it to. A host is
 * `name` (port 443) or `name:port`; `*.example.com` stands for any name under example.com, never example.com
 * itself. A registry's token realm is accepted only on the registry's own host or one of its `authHosts`.
 */

export interface RegistryAllowEntry {
  /** The registry's v2 API host: `ghcr.io`, `registry.example.com:5000`, `*.pkg.dev`. */
  host: string;
  /** Hosts of its token service when that is not the registry itself (Docker Hub: auth.docker.io). */
  authHosts: string[];
}

/** Public registries with an anonymous pull API; Docker Hub's API is registry-1.docker.io. */
export const DEFAULT_REGISTRY_ALLOW: readonly RegistryAllowEntry[] = Object.freeze([
  { host: 'registry-1.docker.io', authHosts: ['auth.docker.io'] },
  { host: 'ghcr.io', authHosts: [] },
  { host: 'quay.io', authHosts: [] },
  { host: 'public.ecr.aws', authHosts: [] },
  { host: 'gcr.io', authHosts: [] },
  { host: '*.gcr.io', authHosts: [] },
  { host: '*.pkg.dev', authHosts: [] },
  { host: 'mcr.microsoft.com', authHosts: [] },
]);

const label = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const port = '(?::(?:[1-9]\\d{0,4}))?';
/** A host name (or an IPv4 address) with an optional port, lower case. */
export const HOST_RE = new RegExp(`^${label}(?:\\.${label})*${port}$`);
/** An allow-list pattern: a host, or `*.` and at least two labels. */
export const HOST_PATTERN_RE = new RegExp(`^(?:\\*\\.${label}\\.)?${label}(?:\\.${label})*${port}$`);

function splitPort(host: string): { name: string; port: string } {
  const i = host.lastIndexOf(':');
  if (i < 0) return { name: host, port: '443' };
  return { name: host.slice(0, i), port: host.slice(i + 1) };
}

/** Whether a host (`name` or `name:port`, as a URL's `host` spells it) matches an allow-list pattern. */
export function hostMatches(pattern: string, host: string): boolean {
  const p = splitPort(pattern.toLowerCase());
  const h = splitPort(host.toLowerCase());
  if (p.port !== h.port || !HOST_RE.test(host.toLowerCase())) return false;
  if (!p.name.startsWith('*.')) return p.name === h.name;
  const suffix = p.name.slice(1);
  return h.name.length > suffix.length && h.name.endsWith(suffix);
}

/** The entry that lets the probe ask this registry host, if any. */
export function allowEntryFor(
  host: string,
  allow: readonly RegistryAllowEntry[],
): RegistryAllowEntry | undefined {
  return allow.find((e) => hostMatches(e.host, host));
}

/** Whether a token realm's host may be asked for a token for `registryHost`: that host itself or a known one. */
export function realmHostAllowed(
  realmHost: string,
  registryHost: string,
  entry: RegistryAllowEntry,
): boolean {
  const h = realmHost.toLowerCase();
  return h === registryHost.toLowerCase() || entry.authHosts.some((a) => hostMatches(a, h));
}
