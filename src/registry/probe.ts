/**
 * Opt-in questions to public registries over the OCI distribution (v2) API: does the manifest exist, and is an
 * anonymous pull rate-limited? Anonymous token flow (WWW-Authenticate: Bearer realm=…), HEAD on the manifest,
 * Docker Hub's ratelimit-* headers. Off by default: it needs egress from the bot.
 */
import type { ImageRef } from '../aws/image-ref.js';

export interface ProbeResult {
  /** The task's image this answers for (for a pull-through cache repository: the ECR image, not the upstream). */
  image?: string;
  registry: string;
  repository: string;
  reference: string;
  /** exists | missing | unauthorized (private, or missing: registries do not say which) | rate-limited | error */
  outcome: 'exists' | 'missing' | 'unauthorized' | 'rate-limited' | 'error';
  status?: number;
  /** Docker Hub: pulls left in the window for this address, and the limit. */
  rateLimit?: { remaining: number; limit: number; windowSeconds: number };
  detail?: string;
}

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** The v2 API host of a registry (Docker Hub's API lives on registry-1.docker.io). */
export function registryApiHost(ref: ImageRef): string {
  return ref.kind === 'docker-hub' ? 'registry-1.docker.io' : ref.registry;
}

function parseChallenge(
  header: string | null,
): { realm: string; service?: string; scope?: string } | undefined {
  if (!header || !/^bearer\s/i.test(header)) return undefined;
  const params = Object.fromEntries(
    [...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!.toLowerCase(), m[2]!]),
  ) as Record<string, string>;
  if (!params.realm) return undefined;
  return { realm: params.realm, service: params.service, scope: params.scope };
}

function rateLimit(h: Headers): ProbeResult['rateLimit'] {
  const remaining = h.get('ratelimit-remaining');
  const limit = h.get('ratelimit-limit');
  if (!remaining || !limit) return undefined;
  const [r, w] = remaining.split(';w=');
  const [l] = limit.split(';');
  return { remaining: Number(r), limit: Number(l), windowSeconds: Number(w ?? 0) };
}

/** Asks the registry about one image; never throws. */
export async function probeRegistry(
  ref: ImageRef,
  timeoutMs: number,
  fetchImpl: typeof fetch = fetch,
): Promise<ProbeResult> {
  const host = registryApiHost(ref);
  const reference = ref.digest ?? ref.tag ?? 'latest';
  const base: ProbeResult = { registry: host, repository: ref.repository, reference, outcome: 'error' };
  const url = `https://${host}/v2/${ref.repository}/manifests/${reference}`;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    let res = await fetchImpl(url, { method: 'HEAD', headers: { Accept: ACCEPT }, signal });
    if (res.status === 401) {
      const challenge = parseChallenge(res.headers.get('www-authenticate'));
      if (challenge) {
        const tokenUrl = new URL(challenge.realm);
        if (challenge.service) tokenUrl.searchParams.set('service', challenge.service);
        tokenUrl.searchParams.set('scope', challenge.scope ?? `repository:${ref.repository}:pull`);
        const tokenRes = await fetchImpl(tokenUrl, { signal });
        if (tokenRes.ok) {
          const body = (await tokenRes.json()) as { token?: string; access_token?: string };
          const token = body.token ?? body.access_token;
          if (token) {
            res = await fetchImpl(url, {
              method: 'HEAD',
              headers: { Accept: ACCEPT, Authorization: `Bearer ${token}` },
              signal,
            });
          }
        }
      }
    }
    const limits = rateLimit(res.headers);
    const withLimits = limits
      ? { ...base, rateLimit: limits, status: res.status }
      : { ...base, status: res.status };
    if (res.status === 429 || (limits && limits.remaining <= 0))
      return { ...withLimits, outcome: 'rate-limited' };
    if (res.ok) return { ...withLimits, outcome: 'exists' };
    if (res.status === 404) return { ...withLimits, outcome: 'missing' };
    if (res.status === 401 || res.status === 403) return { ...withLimits, outcome: 'unauthorized' };
    return { ...withLimits, outcome: 'error', detail: `HTTP ${res.status}` };
  } catch (err) {
    return { ...base, outcome: 'error', detail: errorDetail(err).slice(0, 200) };
  }
}

/** fetch rejects with "fetch failed" and the reason (ECONNREFUSED, a TLS error, a timeout) in its cause. */
function errorDetail(err: unknown): string {
  const message = String((err as Error)?.message ?? err);
  const cause = (err as { cause?: { message?: string; code?: string } })?.cause;
  const why = cause?.message ?? cause?.code;
  return why && !message.includes(why) ? `${message}: ${why}` : message;
}
