/**
 * Opt-in questions to public registries over the OCI distribution (v2) API: does the manifest exist, and is an
 * anonymous pull rate-limited? Anonymous token flow (WWW-Authenticate: Bearer realm=…), HEAD on the manifest,
 * Docker Hub's ratelimit-* headers. Off by default: it needs egress from the bot.
 *
 * An image reference is written by whoever may register a task definition, so the probe never lets it point the
 * bot anywhere else (issue 13, finding 3):
 * - only registries on the allow-list (registries.allow), over HTTPS; any other is not even resolved;
 * - every address a name resolves to must be public (see address.ts), and the connection goes to exactly the
 *   addresses that were checked: the check is the resolver of the connection itself, so a name cannot resolve to a
 *   public address for the check and to an internal one for the connection;
 * - a redirect is followed only to the same host over HTTPS (at most 3);
 * - a token realm is asked only over HTTPS on the registry's own host or its known token service (authHosts), with
 *   no credentials; the token goes back only to the registry host it was asked for.
 * A refusal is an outcome ('refused', with the rule that refused), never an exception.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, type RequestOptions, request } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { ImageRef } from '../aws/image-ref.js';
import { type AddressClass, classifyAddress } from './address.js';
import {
  allowEntryFor,
  DEFAULT_REGISTRY_ALLOW,
  HOST_RE,
  type RegistryAllowEntry,
  realmHostAllowed,
} from './allow-list.js';

/** Why the probe did not ask (or stopped asking) a registry. */
export type ProbeRefusal =
  /** The registry is not on the allow-list: nothing was resolved or sent. */
  | { rule: 'not-allowed'; host: string }
  /** `host` resolves to (or is) an address that is not public: no connection was made. */
  | { rule: 'address'; host: string; address: string; range: AddressClass }
  /** The registry answered with a redirect to another host, or to plain HTTP: not followed. */
  | { rule: 'redirect'; host: string; location: string }
  /** The registry asked for a token from a realm that is not HTTPS on its own host or its token service. */
  | { rule: 'realm'; host: string; realm: string };

export interface ProbeResult {
  /** The task's image this answers for (for a pull-through cache repository: the ECR image, not the upstream). */
  image?: string;
  registry: string;
  repository: string;
  reference: string;
  /**
   * exists | missing | unauthorized (private, or missing: registries do not say which) | rate-limited | error |
   * refused (a rule kept ecs-pull from asking: `refusal` says which)
   */
  outcome: 'exists' | 'missing' | 'unauthorized' | 'rate-limited' | 'error' | 'refused';
  status?: number;
  /** Docker Hub: pulls left in the window for this address, and the limit. */
  rateLimit?: { remaining: number; limit: number; windowSeconds: number };
  refusal?: ProbeRefusal;
  detail?: string;
}

/** Resolves a host name to every address it has (node:dns `lookup` with `all`, by default). */
export type Resolver = (host: string) => Promise<Array<{ address: string; family: number }>>;

export interface ProbeOptions {
  /** The whole probe of one image (token included). */
  timeoutMs: number;
  /** Registries the probe may ask; the built-in list when not given. */
  allow?: readonly RegistryAllowEntry[];
  /** Name resolution; every address it returns is checked, and connections go only to those addresses. */
  resolve?: Resolver;
}

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

const MAX_REDIRECTS = 3;
/** A token answer is a few kB; anything larger is not read. */
const MAX_BODY_BYTES = 64 * 1024;

/** The v2 API host of a registry (Docker Hub's API lives on registry-1.docker.io). */
export function registryApiHost(ref: ImageRef): string {
  return ref.kind === 'docker-hub' ? 'registry-1.docker.io' : ref.registry;
}

/** A rule stopped the probe; turned into the 'refused' outcome. */
class ProbeRefused extends Error {
  constructor(readonly refusal: ProbeRefusal) {
    super(describeRefusal(refusal));
    this.name = 'ProbeRefused';
  }
}

/** One line for logs and the JSON report (the checks' messages are localized from `refusal`). */
export function describeRefusal(r: ProbeRefusal): string {
  switch (r.rule) {
    case 'not-allowed':
      return `${r.host} is not on registries.allow`;
    case 'address':
      return `${r.host} resolves to ${r.address} (${r.range}): not connected`;
    case 'redirect':
      return `redirect from ${r.host} to ${r.location} not followed`;
    case 'realm':
      return `token realm ${r.realm} of ${r.host} not asked`;
  }
}

const systemResolver: Resolver = (host) => dnsLookup(host, { all: true, order: 'verbatim' });

/**
 * A `lookup` for the connection that resolves the name once, refuses it when any of its addresses is not public,
 * and hands the socket exactly the addresses it checked.
 */
export function vettedLookup(resolve: Resolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (all) => {
        const bad = all.find((a) => classifyAddress(a.address) !== 'public');
        if (bad) {
          const range = classifyAddress(bad.address);
          callback(new ProbeRefused({ rule: 'address', host: hostname, address: bad.address, range }), '', 0);
          return;
        }
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
        const usable = family ? all.filter((a) => a.family === family) : all;
        if (!usable.length) {
          const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
          callback(err, '', 0);
          return;
        }
        if (options.all) (callback as unknown as (e: null, a: typeof usable) => void)(null, usable);
        else callback(null, usable[0]!.address, usable[0]!.family);
      },
      (err: Error) => callback(err as NodeJS.ErrnoException, '', 0),
    );
  };
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Transport {
  agent: Agent;
  signal: AbortSignal;
}

/** One HTTPS request, without redirects; an IP-address host is checked here (no lookup is made for one). */
function send(
  t: Transport,
  url: URL,
  method: 'HEAD' | 'GET',
  headers: Record<string, string>,
): Promise<Answer> {
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(literal)) {
    const range = classifyAddress(literal);
    if (range !== 'public')
      return Promise.reject(new ProbeRefused({ rule: 'address', host: url.host, address: literal, range }));
  }
  return new Promise((resolve, reject) => {
    const options: RequestOptions = { method, headers, agent: t.agent, signal: t.signal };
    const req = request(url, options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY_BYTES) {
          res.destroy(new Error(`answer larger than ${MAX_BODY_BYTES} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** A request that follows a redirect only to the same host over HTTPS; anything else is refused. */
async function fetchSameHost(
  t: Transport,
  url: URL,
  method: 'HEAD' | 'GET',
  headers: Record<string, string>,
): Promise<Answer> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const answer = await send(t, current, method, headers);
    if (![301, 302, 303, 307, 308].includes(answer.status)) return answer;
    const location = header(answer.headers, 'location');
    if (!location) return answer;
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      return answer;
    }
    if (next.protocol !== 'https:' || next.host !== url.host || next.username || next.password)
      throw new ProbeRefused({ rule: 'redirect', host: url.host, location: shortUrl(next) });
    if (hop >= MAX_REDIRECTS) return answer;
    current = next;
  }
}

/** Scheme, host and path of a URL we did not follow, for messages (no query: it may be long or carry anything). */
function shortUrl(u: URL): string {
  return `${u.protocol}//${u.host}${u.pathname}`.slice(0, 200);
}

function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

function parseChallenge(
  value: string | undefined,
): { realm: string; service?: string; scope?: string } | undefined {
  if (!value || !/^bearer\s/i.test(value)) return undefined;
  const params = Object.fromEntries(
    [...value.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!.toLowerCase(), m[2]!]),
  ) as Record<string, string>;
  if (!params.realm) return undefined;
  return { realm: params.realm, service: params.service, scope: params.scope };
}

/** The realm's URL when the probe may ask it for a token for `registry`, else a refusal. */
function tokenUrl(realm: string, registry: URL, entry: RegistryAllowEntry): URL {
  let u: URL;
  try {
    u = new URL(realm);
  } catch {
    throw new ProbeRefused({ rule: 'realm', host: registry.host, realm: realm.slice(0, 200) });
  }
  if (u.protocol !== 'https:' || u.username || u.password || !realmHostAllowed(u.host, registry.host, entry))
    throw new ProbeRefused({ rule: 'realm', host: registry.host, realm: shortUrl(u) });
  return u;
}

function rateLimit(h: IncomingHttpHeaders): ProbeResult['rateLimit'] {
  const remaining = header(h, 'ratelimit-remaining');
  const limit = header(h, 'ratelimit-limit');
  if (!remaining || !limit) return undefined;
  const [r, w] = remaining.split(';w=');
  const [l] = limit.split(';');
  return { remaining: Number(r), limit: Number(l), windowSeconds: Number(w ?? 0) };
}

/** The manifest URL when the registry may be asked at all, else the refusal (decided without any network). */
export function manifestUrl(
  ref: ImageRef,
  allow: readonly RegistryAllowEntry[],
): { url: URL; entry: RegistryAllowEntry } | { refusal: ProbeRefusal } {
  const host = registryApiHost(ref);
  const refused = { refusal: { rule: 'not-allowed', host } as const };
  if (!HOST_RE.test(host)) return refused;
  const reference = ref.digest ?? ref.tag ?? 'latest';
  let url: URL;
  try {
    url = new URL(`https://${host}/v2/${ref.repository}/manifests/${reference}`);
  } catch {
    return refused;
  }
  const entry = url.username || url.password ? undefined : allowEntryFor(url.host, allow);
  return entry ? { url, entry } : refused;
}

/** Asks the registry about one image; never throws. */
export async function probeRegistry(ref: ImageRef, options: ProbeOptions): Promise<ProbeResult> {
  const host = registryApiHost(ref);
  const reference = ref.digest ?? ref.tag ?? 'latest';
  const base: ProbeResult = { registry: host, repository: ref.repository, reference, outcome: 'error' };
  const target = manifestUrl(ref, options.allow ?? DEFAULT_REGISTRY_ALLOW);
  if ('refusal' in target) return refusedResult(base, target.refusal);
  const { url, entry } = target;
  // One agent per probe: its connections are made only through the vetted lookup, and closed at the end.
  const agent = new Agent({
    keepAlive: true,
    maxSockets: 2,
    lookup: vettedLookup(options.resolve ?? systemResolver),
  });
  const t: Transport = { agent, signal: AbortSignal.timeout(options.timeoutMs) };
  try {
    let res = await fetchSameHost(t, url, 'HEAD', { Accept: ACCEPT });
    if (res.status === 401) {
      const challenge = parseChallenge(header(res.headers, 'www-authenticate'));
      if (challenge) {
        const tokenAt = tokenUrl(challenge.realm, url, entry);
        if (challenge.service) tokenAt.searchParams.set('service', challenge.service);
        tokenAt.searchParams.set('scope', challenge.scope ?? `repository:${ref.repository}:pull`);
        const tokenRes = await fetchSameHost(t, tokenAt, 'GET', { Accept: 'application/json' });
        const token = tokenRes.status >= 200 && tokenRes.status < 300 ? tokenOf(tokenRes.body) : undefined;
        // The token goes back only to the registry host it was asked for (fetchSameHost keeps it there).
        if (token)
          res = await fetchSameHost(t, url, 'HEAD', { Accept: ACCEPT, Authorization: `Bearer ${token}` });
      }
    }
    const limits = rateLimit(res.headers);
    const withLimits = limits
      ? { ...base, rateLimit: limits, status: res.status }
      : { ...base, status: res.status };
    if (res.status === 429 || (limits && limits.remaining <= 0))
      return { ...withLimits, outcome: 'rate-limited' };
    if (res.status >= 200 && res.status < 300) return { ...withLimits, outcome: 'exists' };
    if (res.status === 404) return { ...withLimits, outcome: 'missing' };
    if (res.status === 401 || res.status === 403) return { ...withLimits, outcome: 'unauthorized' };
    return { ...withLimits, outcome: 'error', detail: `HTTP ${res.status}` };
  } catch (err) {
    if (err instanceof ProbeRefused) return refusedResult(base, err.refusal);
    return { ...base, outcome: 'error', detail: errorDetail(err).slice(0, 200) };
  } finally {
    agent.destroy();
  }
}

function refusedResult(base: ProbeResult, refusal: ProbeRefusal): ProbeResult {
  return { ...base, outcome: 'refused', refusal, detail: describeRefusal(refusal) };
}

function tokenOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { token?: unknown; access_token?: unknown };
    const token = parsed.token ?? parsed.access_token;
    // A bearer token is one header value: nothing that could end the header or start another.
    return typeof token === 'string' && /^[\x21-\x7e]{1,8192}$/.test(token) ? token : undefined;
  } catch {
    return undefined;
  }
}

/** A request fails with the reason (ECONNREFUSED, a TLS error, a timeout) in its message or its cause. */
function errorDetail(err: unknown): string {
  const message = String((err as Error)?.message ?? err);
  const cause = (err as { cause?: { message?: string; code?: string } })?.cause;
  const why = cause?.message ?? cause?.code;
  return why && !message.includes(why) ? `${message}: ${why}` : message;
}
