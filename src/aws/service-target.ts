/**
 * What a pasted service reference names (a service ARN in the new `service/CLUSTER/NAME` or the old `service/NAME`
 * format, the service's ECS console URL in either layout or an IAM Identity Center shortcut to it, `CLUSTER/SERVICE`,
 * or a bare name with a cluster), what a task definition reference names (FAMILY, FAMILY:REVISION or its ARN), and
 * the awsvpc ids a pre-flight is given. Each either parses or is a UserError saying what is wrong with it. The alert
 * reader (slack/service-alert.ts) finds service ARNs in a whole message with serviceArnRefs, in linear time.
 */
import { UserError } from '../errors.js';
import { isConsoleUrl, isPortalUrl } from './console-links.js';
import { type Partition, partitionOfRegion, partitions, regionPattern } from './partition.js';
import { cleanReference, splitArn } from './target.js';

export interface ServiceTarget {
  partition: Partition;
  region: string;
  /** Undefined when the reference names no account and none was given: the credentials' own. */
  account: string | undefined;
  cluster: string;
  service: string;
}

export interface ServiceOptions {
  cluster?: string | undefined;
  region?: string | undefined;
  account?: string | undefined;
  /** The region when neither the reference nor `region` names one (the AWS SDK's own, on the command line). */
  defaultRegion?: string | undefined;
}

/** ECS names: clusters, services and task definition families. */
const namePattern = /^[A-Za-z0-9_-]{1,255}$/;
const accountPattern = /^\d{12}$/;

function shorten(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}

/** Partition, region and account of an ECS ARN, validated; `resource` is what follows the account. */
function ecsArn(
  ref: string,
  notArnKey: string,
): { partition: Partition; region: string; account: string; resource: string } {
  const arn = splitArn(ref);
  if (!arn) throw new UserError(notArnKey, { value: shorten(ref) });
  if (!partitions.includes(arn.partition as Partition))
    throw new UserError('errors.target.bad-partition', { value: arn.partition });
  if (arn.service !== 'ecs') throw new UserError('errors.target.not-ecs', { service: arn.service });
  if (!regionPattern.test(arn.region)) throw new UserError('errors.target.bad-region', { value: arn.region });
  if (partitionOfRegion(arn.region) !== arn.partition)
    throw new UserError('errors.target.partition-region', { partition: arn.partition, region: arn.region });
  if (!accountPattern.test(arn.accountId))
    throw new UserError('errors.target.bad-account', { value: arn.accountId });
  return {
    partition: arn.partition as Partition,
    region: arn.region,
    account: arn.accountId,
    resource: arn.resource,
  };
}

/** ECS cluster and service names: letters, digits, hyphens and underscores, up to 255. */
export const serviceNameSource = '[A-Za-z0-9_-]{1,255}';

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

/** The canonical ARN of a service (new format); undefined when the account is not known. */
export function serviceArnOf(
  t: Pick<ServiceTarget, 'partition' | 'region' | 'account' | 'cluster' | 'service'>,
): string | undefined {
  return t.account
    ? `arn:${t.partition}:ecs:${t.region}:${t.account}:service/${t.cluster}/${t.service}`
    : undefined;
}

/** A service named by its parts (an alert's ARN, labels or dimensions), validated. */
export function serviceTarget(
  cluster: string,
  service: string,
  region: string,
  account: string,
): ServiceTarget {
  if (!namePattern.test(cluster))
    throw new UserError('errors.target.bad-cluster', { value: shorten(cluster) });
  if (!namePattern.test(service)) throw new UserError('errors.service.bad-name', { value: shorten(service) });
  if (!regionPattern.test(region)) throw new UserError('errors.target.bad-region', { value: region });
  if (!accountPattern.test(account)) throw new UserError('errors.target.bad-account', { value: account });
  return { partition: partitionOfRegion(region), region, account, cluster, service };
}

/** Parses a service reference; throws UserError('errors.service.*' or 'errors.target.*'). */
export function parseServiceTarget(input: string, opts: ServiceOptions = {}): ServiceTarget {
  const ref = cleanReference(input ?? '');
  if (!ref) throw new UserError('errors.service.empty');
  if (ref.length > 2048) throw new UserError('errors.service.too-long');
  if (opts.account !== undefined && !accountPattern.test(opts.account))
    throw new UserError('errors.target.bad-account', { value: opts.account });
  if (opts.region !== undefined && !regionPattern.test(opts.region))
    throw new UserError('errors.target.bad-region', { value: opts.region });
  if (opts.cluster !== undefined && !namePattern.test(opts.cluster))
    throw new UserError('errors.target.bad-cluster', { value: opts.cluster });

  const named = (
    cluster: string,
    service: string,
    region: string | undefined,
    account: string | undefined,
  ) => {
    if (!namePattern.test(cluster))
      throw new UserError('errors.target.bad-cluster', { value: shorten(cluster) });
    if (!namePattern.test(service))
      throw new UserError('errors.service.bad-name', { value: shorten(service) });
    const r = region ?? opts.region ?? opts.defaultRegion;
    if (!r) throw new UserError('errors.service.needs-region', { service });
    if (!regionPattern.test(r)) throw new UserError('errors.target.bad-region', { value: r });
    return { partition: partitionOfRegion(r), region: r, account, cluster, service };
  };

  if (/^https?:\/\//i.test(ref)) {
    const link = consoleServiceLink(ref.replaceAll('&amp;', '&'));
    if (!link) throw new UserError('errors.service.not-url', { value: shorten(ref) });
    return named(link.cluster, link.service, link.region, link.account ?? opts.account);
  }
  if (ref.startsWith('arn:')) {
    const arn = ecsArn(ref, 'errors.service.not-arn');
    const parts = arn.resource.split('/');
    if (parts[0] !== 'service') throw new UserError('errors.service.not-service', { kind: parts[0] || '?' });
    if (opts.account !== undefined && opts.account !== arn.account)
      throw new UserError('errors.service.other-account', { account: arn.account, given: opts.account });
    let cluster: string;
    let service: string;
    if (parts.length === 3 && parts[2]) [cluster, service] = [parts[1]!, parts[2]];
    else if (parts.length === 2 && parts[1]) {
      if (!opts.cluster)
        throw new UserError('errors.service.old-format-needs-cluster', { service: parts[1] });
      [cluster, service] = [opts.cluster, parts[1]];
    } else throw new UserError('errors.service.not-arn', { value: shorten(ref) });
    const t = named(cluster, service, arn.region, arn.account);
    return { ...t, partition: arn.partition };
  }
  const parts = ref.split('/');
  if (parts.length === 2) {
    if (opts.cluster !== undefined && opts.cluster !== parts[0])
      throw new UserError('errors.service.two-clusters', { cluster: parts[0]!, given: opts.cluster });
    return named(parts[0]!, parts[1]!, undefined, opts.account);
  }
  if (parts.length === 1) return named(opts.cluster ?? 'default', ref, undefined, opts.account);
  throw new UserError('errors.service.not-service-ref', { value: shorten(ref) });
}

/** A task definition as named: `FAMILY`, `FAMILY:REVISION` or its ARN (whose region and account must match). */
export interface TaskDefinitionRef {
  /** What DescribeTaskDefinition is given. */
  name: string;
  region?: string | undefined;
  account?: string | undefined;
  partition?: Partition | undefined;
}

/** Parses a task definition reference; throws UserError('errors.task-definition.*'). */
export function parseTaskDefinitionRef(input: string): TaskDefinitionRef {
  const ref = cleanReference(input ?? '');
  if (!ref) throw new UserError('errors.task-definition.empty');
  if (ref.startsWith('arn:')) {
    const arn = ecsArn(ref, 'errors.task-definition.bad');
    const m = /^task-definition\/([A-Za-z0-9_-]{1,255}):(\d{1,9})$/.exec(arn.resource);
    if (!m) throw new UserError('errors.task-definition.bad', { value: shorten(ref) });
    return { name: ref, region: arn.region, account: arn.account, partition: arn.partition };
  }
  if (!/^[A-Za-z0-9_-]{1,255}(?::[1-9]\d{0,8})?$/.test(ref))
    throw new UserError('errors.task-definition.bad', { value: shorten(ref) });
  return { name: ref };
}

/** ECS's own limits on an awsvpcConfiguration. */
export const MAX_SUBNETS = 16;
export const MAX_SECURITY_GROUPS = 5;

/** Ids separated by commas (or spaces), each matching `pattern`; throws UserError(key) naming the first bad one. */
function idList(value: string, pattern: RegExp, key: string, max: number, tooMany: string): string[] {
  const ids = [...new Set(value.split(/[\s,]+/).filter(Boolean))];
  if (!ids.length) throw new UserError(key, { value: value.slice(0, 80) || '—' });
  const bad = ids.find((id) => !pattern.test(id));
  if (bad) throw new UserError(key, { value: shorten(bad) });
  if (ids.length > max) throw new UserError(tooMany, { given: ids.length, max });
  return ids;
}

/** `subnet-0a1b2c3d`, `subnet-0a1b2c3d4e5f67890`, separated by commas. */
export function parseSubnetIds(value: string): string[] {
  return idList(
    value,
    /^subnet-[0-9a-f]{8}(?:[0-9a-f]{9})?$/,
    'errors.network.bad-subnet',
    MAX_SUBNETS,
    'errors.network.too-many-subnets',
  );
}

/** `sg-0a1b2c3d`, `sg-0a1b2c3d4e5f67890`, separated by commas. */
export function parseSecurityGroupIds(value: string): string[] {
  return idList(
    value,
    /^sg-[0-9a-f]{8}(?:[0-9a-f]{9})?$/,
    'errors.network.bad-security-group',
    MAX_SECURITY_GROUPS,
    'errors.network.too-many-security-groups',
  );
}
