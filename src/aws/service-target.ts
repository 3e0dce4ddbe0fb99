/**
 * What names an ECS service: its ARN (`…:service/CLUSTER/NAME`, or the old `…:service/NAME` with a cluster), its
 * ECS console page (either layout, any tab, or an IAM Identity Center shortcut to one), `CLUSTER/NAME`, or the name
 * alone with a cluster. The command line, the `/ecs-pull service` command and mentions read one pasted reference
 * with parseServiceTarget; the alert reader (slack/service-alert.ts) finds service ARNs in a whole message with
 * serviceArnRefs, in linear time.
 */
import { parse as parseArn } from '@aws-sdk/util-arn-parser';
import { UserError } from '../errors.js';
import { isConsoleUrl, isPortalUrl } from './console-links.js';
import { type Partition, partitionOfRegion, partitions, regionPattern } from './partition.js';
import { cleanReference } from './target.js';

export interface ServiceTarget {
  partition: Partition;
  region: string;
  /** Undefined when the reference names no account and none was given: the credentials' own (command line). */
  account: string | undefined;
  cluster: string;
  service: string;
  /** The canonical ARN (new format) when the account is known. */
  serviceArn: string | undefined;
}

export interface ServiceTargetOptions {
  cluster?: string | undefined;
  region?: string | undefined;
  account?: string | undefined;
  /** The region for a reference that names none, when `region` is not given either (the SDK's own). */
  defaultRegion?: string | undefined;
}

/** ECS cluster and service names: letters, digits, hyphens and underscores, up to 255. */
export const serviceNameSource = '[A-Za-z0-9_-]{1,255}';
const namePattern = new RegExp(`^${serviceNameSource}$`);
const accountPattern = /^\d{12}$/;

/** A service ARN anywhere in a text: partition, region, account, and `CLUSTER/NAME` or `NAME`. */
const serviceArnPattern = new RegExp(
  `arn:(aws|aws-cn|aws-us-gov):ecs:([a-z0-9-]+):(\\d{12}):service/(${serviceNameSource})(?:/(${serviceNameSource}))?(?![A-Za-z0-9_/-])`,
  'g',
);

/** Every service ARN of a text, in order: `cluster` is undefined for the old format (`service/NAME`). */
export function serviceArnRefs(text: string): Array<{
  partition: Partition;
  region: string;
  account: string;
  cluster: string | undefined;
  service: string;
}> {
  const out = [];
  for (const m of text.matchAll(serviceArnPattern)) {
    const [, partition, region, account, first, second] = m as unknown as string[];
    if (!regionPattern.test(region!) || partitionOfRegion(region!) !== partition) continue;
    out.push({
      partition: partition as Partition,
      region: region!,
      account: account!,
      cluster: second ? first : undefined,
      service: (second ?? first)!,
    });
  }
  return out;
}

/** A service a console URL opens: its region when the URL names one, its account when a portal shortcut does. */
export interface ConsoleServiceLink {
  cluster: string;
  service: string;
  region: string | undefined;
  account: string | undefined;
}

const consoleServicePath = new RegExp(
  `clusters/(${serviceNameSource})/services/(${serviceNameSource})(?:[/?#]|$)`,
);
const hostRegion = /^([a-z0-9-]+)\.console\./;

/**
 * The service one URL opens: an ECS console service page (…/ecs/v2/clusters/C/services/S/TAB?region=R, or the older
 * …/ecs/home?region=R#/clusters/C/services/S/details) or an IAM Identity Center shortcut whose destination is one.
 */
export function consoleServiceLink(url: string): ConsoleServiceLink | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (isPortalUrl(url)) {
    const q = u.hash.indexOf('?');
    const params = new URLSearchParams(q < 0 ? '' : u.hash.slice(q + 1));
    const destination = params.get('destination');
    const inner = destination && isConsoleUrl(destination) ? consoleServiceLink(destination) : undefined;
    if (!inner) return undefined;
    const account = params.get('account_id') ?? '';
    return accountPattern.test(account) ? { ...inner, account } : inner;
  }
  if (!isConsoleUrl(url) || !/\/ecs\//.test(u.pathname)) return undefined;
  // The old layout keeps its query in the fragment (#/clusters/C/services/S/details?region=R on some pages).
  const hashQuery = u.hash.includes('?')
    ? new URLSearchParams(u.hash.slice(u.hash.indexOf('?') + 1))
    : undefined;
  const m = consoleServicePath.exec(`${u.pathname}${u.hash.split('?')[0]}`);
  if (!m) return undefined;
  const named = u.searchParams.get('region') ?? hashQuery?.get('region') ?? hostRegion.exec(u.hostname)?.[1];
  return {
    cluster: m[1]!,
    service: m[2]!,
    region: named && regionPattern.test(named) ? named : undefined,
    account: undefined,
  };
}

function shorten(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}

/** The canonical ARN of a service (new format). */
export function serviceArnOf(
  t: Pick<ServiceTarget, 'partition' | 'region' | 'account' | 'cluster' | 'service'>,
): string | undefined {
  return t.account
    ? `arn:${t.partition}:ecs:${t.region}:${t.account}:service/${t.cluster}/${t.service}`
    : undefined;
}

/** Builds a target, validating names, region and account. */
export function serviceTarget(
  cluster: string,
  service: string,
  region: string | undefined,
  account: string | undefined,
  opts: ServiceTargetOptions = {},
): ServiceTarget {
  const r = region ?? opts.region ?? opts.defaultRegion;
  if (!r) throw new UserError('service:errors.target.needs-region', { service });
  if (!regionPattern.test(r)) throw new UserError('errors.target.bad-region', { value: r });
  if (!namePattern.test(cluster)) throw new UserError('errors.target.bad-cluster', { value: cluster });
  if (!namePattern.test(service))
    throw new UserError('service:errors.target.bad-service', { value: shorten(service) });
  if (account !== undefined && !accountPattern.test(account))
    throw new UserError('errors.target.bad-account', { value: account });
  const t = { partition: partitionOfRegion(r), region: r, account, cluster, service };
  return { ...t, serviceArn: serviceArnOf(t) };
}

/** Parses a service reference; throws UserError when it is not one. */
export function parseServiceTarget(input: string, opts: ServiceTargetOptions = {}): ServiceTarget {
  const ref = cleanReference(input ?? '');
  if (!ref) throw new UserError('service:errors.target.empty');
  if (ref.length > 2048) throw new UserError('service:errors.target.too-long');
  if (opts.account !== undefined && !accountPattern.test(opts.account))
    throw new UserError('errors.target.bad-account', { value: opts.account });
  if (opts.region !== undefined && !regionPattern.test(opts.region))
    throw new UserError('errors.target.bad-region', { value: opts.region });
  if (opts.cluster !== undefined && !namePattern.test(opts.cluster))
    throw new UserError('errors.target.bad-cluster', { value: opts.cluster });

  if (/^https?:\/\//i.test(ref)) {
    const link = consoleServiceLink(ref.replaceAll('&amp;', '&'));
    if (!link) throw new UserError('service:errors.target.not-service-url', { value: shorten(ref) });
    return serviceTarget(link.cluster, link.service, link.region, link.account ?? opts.account, opts);
  }
  if (ref.startsWith('arn:')) {
    let arn: ReturnType<typeof parseArn>;
    try {
      arn = parseArn(ref);
    } catch {
      throw new UserError('service:errors.target.not-service', { value: shorten(ref) });
    }
    if (!partitions.includes(arn.partition as Partition))
      throw new UserError('errors.target.bad-partition', { value: arn.partition });
    if (arn.service !== 'ecs') throw new UserError('service:errors.target.not-ecs', { service: arn.service });
    if (!regionPattern.test(arn.region))
      throw new UserError('errors.target.bad-region', { value: arn.region });
    if (partitionOfRegion(arn.region) !== arn.partition)
      throw new UserError('errors.target.partition-region', { partition: arn.partition, region: arn.region });
    if (!accountPattern.test(arn.accountId))
      throw new UserError('errors.target.bad-account', { value: arn.accountId });
    const parts = arn.resource.split('/');
    if (parts[0] === 'task') throw new UserError('service:errors.target.is-task', { value: shorten(ref) });
    if (parts[0] !== 'service' || parts.length < 2 || parts.length > 3 || parts.some((p) => !p))
      throw new UserError('service:errors.target.not-service', { value: shorten(ref) });
    const [cluster, service] = parts.length === 3 ? [parts[1]!, parts[2]!] : [opts.cluster, parts[1]!];
    if (!cluster) throw new UserError('service:errors.target.old-format-needs-cluster', { service });
    return serviceTarget(cluster, service, arn.region, arn.accountId, opts);
  }
  const parts = ref.split('/');
  if (parts.length === 2 && namePattern.test(parts[0]!) && namePattern.test(parts[1]!))
    return serviceTarget(parts[0]!, parts[1]!, undefined, opts.account, opts);
  if (parts.length === 1 && namePattern.test(ref)) {
    if (!opts.cluster) throw new UserError('service:errors.target.needs-cluster', { service: ref });
    return serviceTarget(opts.cluster, ref, undefined, opts.account, opts);
  }
  throw new UserError('service:errors.target.not-service', { value: shorten(ref) });
}
