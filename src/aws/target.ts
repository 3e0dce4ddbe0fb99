/**
 * Turns what people paste (an ECS task ARN, possibly wrapped by Slack or followed by punctuation, the task's ECS
 * console URL or an Identity Center shortcut to it, `task/CLUSTER/ID`, or a bare task id with a cluster) into a
 * TaskTarget, or a UserError saying what is wrong with it.
 */
import { UserError } from '../errors.js';
import { type Partition, partitionOfRegion, partitions, regionPattern } from './partition.js';
import { consoleTaskLink, shortTaskRefs } from './task-links.js';

export interface TaskTarget {
  partition: Partition;
  region: string;
  /**
   * Undefined when the reference names no account (a bare task id, `task/CLUSTER/ID`, a console URL) and none was
   * given: the account of the credentials in use.
   */
  account: string | undefined;
  cluster: string;
  taskId: string;
  /** The canonical ARN (new format) when the account is known. */
  taskArn: string | undefined;
}

export interface TargetOptions {
  cluster?: string | undefined;
  region?: string | undefined;
  account?: string | undefined;
  /**
   * The region for a reference that names none when `region` is not given either: on the command line, the AWS
   * SDK's own (AWS_REGION, the profile's region).
   */
  defaultRegion?: string | undefined;
}

const taskIdPattern = /^(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const clusterPattern = /^[A-Za-z0-9_-]{1,255}$/;
const accountPattern = /^\d{12}$/;

/** What may follow a reference: whitespace, closing quotes and brackets, sentence punctuation. */
const trailing = /[\s"'`“”‘’)\]}.,;:!?…]/u;

/**
 * `s` without its trailing run of `trailing` characters, scanning back from the end: what
 * `s.replace(/[…]+$/u, '')` did, which went quadratic on a long run of them followed by anything else (the regex
 * tried the run from each of its characters, 30 s for 40,000).
 */
function trimTrailing(s: string): string {
  let end = s.length;
  while (end > 0 && trailing.test(s[end - 1]!)) end--;
  return s.slice(0, end);
}

/**
 * An ARN's fields (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, the resource keeping its own colons), as the AWS
 * SDK's parser (@aws-sdk/util-arn-parser) splits it: that package loads @aws-sdk/core's CommonJS build, 18 ms of a
 * start-up that refuses bad input in 150.
 */
export function splitArn(
  arn: string,
): { partition: string; service: string; region: string; accountId: string; resource: string } | undefined {
  const segments = arn.split(':');
  if (segments.length < 6 || segments[0] !== 'arn') return undefined;
  const [, partition = '', service = '', region = '', accountId = '', ...resource] = segments;
  return { partition, service, region, accountId, resource: resource.join(':') };
}

/** Strips what chat and terminals add around a reference: whitespace, quotes, Slack's <…|label>, punctuation. */
export function cleanReference(input: string): string {
  let s = input.normalize('NFKC').trim();
  for (let i = 0; i < 4; i++) {
    const before = s;
    s = trimTrailing(s.replace(/^[\s"'`“”‘’([{]+/u, ''));
    const slack = /^<([^<>|]+)(?:\|[^<>]*)?>$/.exec(s);
    if (slack) s = slack[1]!;
    if (s === before) break;
  }
  return s;
}

/** Parses a task reference; throws UserError('errors.target.*') when it is not one. */
export function parseTaskTarget(input: string, opts: TargetOptions = {}): TaskTarget {
  const ref = cleanReference(input ?? '');
  if (!ref) throw new UserError('errors.target.empty');
  if (ref.length > 2048) throw new UserError('errors.target.too-long');

  if (opts.account !== undefined && !accountPattern.test(opts.account)) {
    throw new UserError('errors.target.bad-account', { value: opts.account });
  }
  if (opts.region !== undefined && !regionPattern.test(opts.region)) {
    throw new UserError('errors.target.bad-region', { value: opts.region });
  }
  if (opts.cluster !== undefined && !clusterPattern.test(opts.cluster)) {
    throw new UserError('errors.target.bad-cluster', { value: opts.cluster });
  }

  if (/^https?:\/\//i.test(ref)) {
    // Slack escapes & in the text it hands over.
    const link = consoleTaskLink(ref.replaceAll('&amp;', '&'));
    if (!link) throw new UserError('errors.target.not-task-url', { value: shorten(ref) });
    return named(link.cluster, link.id, link.region, link.account ?? opts.account, opts);
  }
  if (ref.startsWith('task/')) {
    const [short] = shortTaskRefs(ref);
    if (short && `task/${short.cluster}/${short.id}` === ref)
      return named(short.cluster, short.id, undefined, opts.account, opts);
    throw new UserError('errors.target.not-arn', { value: shorten(ref) });
  }
  if (!ref.startsWith('arn:')) {
    if (taskIdPattern.test(ref.toLowerCase())) {
      if (!opts.cluster) throw new UserError('errors.target.needs-cluster', { id: ref });
      return named(opts.cluster, ref, undefined, opts.account, opts);
    }
    throw new UserError('errors.target.not-arn', { value: shorten(ref) });
  }

  const arn = splitArn(ref);
  if (!arn) throw new UserError('errors.target.not-arn', { value: shorten(ref) });
  if (!partitions.includes(arn.partition as Partition)) {
    throw new UserError('errors.target.bad-partition', { value: arn.partition });
  }
  const partition = arn.partition as Partition;
  if (arn.service !== 'ecs') throw new UserError('errors.target.not-ecs', { service: arn.service });
  if (!regionPattern.test(arn.region)) throw new UserError('errors.target.bad-region', { value: arn.region });
  if (partitionOfRegion(arn.region) !== partition) {
    throw new UserError('errors.target.partition-region', { partition, region: arn.region });
  }
  if (!accountPattern.test(arn.accountId)) {
    throw new UserError('errors.target.bad-account', { value: arn.accountId });
  }
  const parts = arn.resource.split('/');
  const kind = parts[0] ?? '';
  if (kind !== 'task') {
    throw new UserError('errors.target.not-task', { kind: kind || '?' });
  }
  let cluster: string | undefined;
  let taskId: string;
  // …:task, …:task/ or …:task/CLUSTER/ cut short: the id is missing, whatever the format.
  if (parts.length === 1 || (parts.length <= 3 && !parts[parts.length - 1]))
    throw new UserError('errors.target.no-task-id', {});
  if (parts.length === 3) {
    cluster = parts[1]!;
    taskId = parts[2]!;
    if (!clusterPattern.test(cluster)) throw new UserError('errors.target.bad-cluster', { value: cluster });
  } else if (parts.length === 2) {
    taskId = parts[1]!;
    cluster = opts.cluster;
    if (!cluster) throw new UserError('errors.target.old-format-needs-cluster', { id: taskId });
  } else {
    throw new UserError('errors.target.not-task', { kind: arn.resource.slice(0, 40) });
  }
  if (!taskIdPattern.test(taskId.toLowerCase()))
    throw new UserError('errors.target.bad-task-id', { value: taskId });
  const target = build(partition, arn.region, arn.accountId, cluster, taskId.toLowerCase());
  // An old-format ARN (task/ID) is kept as the user gave it: DescribeTasks matches it in accounts that never
  // opted in to the long ARN format.
  if (parts.length === 2)
    target.taskArn = `arn:${partition}:ecs:${arn.region}:${arn.accountId}:task/${target.taskId}`;
  return target;
}

/**
 * A task named by cluster and id (a console URL, `task/CLUSTER/ID`, a bare id): the region the reference names, else
 * --region, else the default one; the account the reference names, else --account, else none (the credentials').
 */
function named(
  cluster: string,
  id: string,
  region: string | undefined,
  account: string | undefined,
  opts: TargetOptions,
): TaskTarget {
  const r = region ?? opts.region ?? opts.defaultRegion;
  if (!r) throw new UserError('errors.target.needs-region', { id: id.toLowerCase() });
  if (!regionPattern.test(r)) throw new UserError('errors.target.bad-region', { value: r });
  if (!clusterPattern.test(cluster)) throw new UserError('errors.target.bad-cluster', { value: cluster });
  return build(partitionOfRegion(r), r, account, cluster, id.toLowerCase());
}

function build(
  partition: Partition,
  region: string,
  account: string | undefined,
  cluster: string,
  taskId: string,
): TaskTarget {
  return {
    partition,
    region,
    account,
    cluster,
    taskId,
    taskArn: account ? `arn:${partition}:ecs:${region}:${account}:task/${cluster}/${taskId}` : undefined,
  };
}

function shorten(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}

/** The ARN to give DescribeTasks: the canonical one, or the bare id when the account is unknown. */
export function describeTasksId(t: TaskTarget): string {
  return t.taskArn ?? t.taskId;
}
