/**
 * The pre-flight: would a task started now be able to pull its images and start? No task has to fail first. The
 * task ECS would start is planned from a service (its awsvpc network, and its current task definition unless
 * another is given) or from a task definition and a network, read in the target account; then every check runs
 * on it through the same FactSession as a diagnosis (the same deadline, account rules and shared answers), and
 * the verdict says "would pull" or "would fail" (check-report.ts).
 */
import type { FactError } from '../aws/errors.js';
import type { Partition } from '../aws/partition.js';
import type { TaskTarget } from '../aws/target.js';
import { UserError } from '../errors.js';
import { type CheckReport, type CheckTarget, evaluatePreflight } from './check-report.js';
import { allChecks, factsNeeded } from './checks/index.js';
import { type DiagnoseDeps, openSession } from './diagnose.js';
import { contextFactNames } from './facts/index.js';
import type { FactSession } from './facts/session.js';
import type { PlannedNetwork, PreflightPlan } from './facts/types.js';
import { REPORT_SCHEMA, type SavedFacts } from './report.js';

export interface PreflightRequest {
  /** The account to read (the service's, the task definition's); undefined: the credentials' own (CLI only). */
  account?: string | undefined;
  region: string;
  partition: Partition;
  /** The service's cluster (`default` when none is named). */
  cluster?: string | undefined;
  /** A service: its network, and its current task definition unless taskDefinition is given. */
  service?: string | undefined;
  /** Family, family:revision or ARN. Needed when no service is given. */
  taskDefinition?: string | undefined;
  /** The network when no service gives it: every subnet is one the task may land in. */
  network?: PlannedNetwork | undefined;
  /** Who asked (CLI user, Slack user): goes into the role session name. */
  requester: string;
}

/** The task id a planned task's log streams are named with (no task exists yet to give its own). */
export const PREFLIGHT_TASK_ID = 'preflight';

/** The TaskTarget the fact providers read: the account, region and cluster; no task exists yet. */
export function preflightTarget(req: PreflightRequest): TaskTarget {
  return {
    partition: req.partition,
    region: req.region,
    account: req.account,
    cluster: req.cluster ?? 'default',
    taskId: PREFLIGHT_TASK_ID,
    taskArn: undefined,
  };
}

/** What the request plans, as the providers read it. */
function planOf(req: PreflightRequest): PreflightPlan {
  if (!req.service && !req.taskDefinition) throw new UserError('errors.check.nothing');
  if (!req.service && !req.network) throw new UserError('errors.check.no-network');
  return {
    ...(req.service ? { service: req.service } : {}),
    ...(req.taskDefinition ? { taskDefinition: req.taskDefinition } : {}),
    ...(req.network ? { network: req.network } : {}),
  };
}

/** Maps a failure to plan the task (the service, its network) into the error the user sees. */
function planError(error: FactError, target: CheckTarget): UserError {
  const where = {
    service: target.service ?? '—',
    cluster: target.cluster,
    region: target.region,
    account: target.account ?? '—',
  };
  if (error.code === 'ServiceNotFoundException')
    return new UserError('errors.check.service-missing', where, 3);
  if (error.code === 'ClusterNotFoundException') return new UserError('errors.check.no-cluster', where, 3);
  if (error.code === 'NoAwsvpcNetwork') return new UserError('errors.check.service-no-network', where, 2);
  if (error.kind === 'denied') {
    return new UserError(
      'errors.check.denied',
      { ...where, action: error.action ?? 'ecs:DescribeServices' },
      3,
    );
  }
  return new UserError('errors.check.unreadable', { ...where, code: error.code }, 3);
}

/** Maps a failure to read the task definition into the error the user sees. */
function taskDefinitionError(error: FactError, name: string, target: CheckTarget): UserError {
  const where = { taskDefinition: name, region: target.region, account: target.account ?? '—' };
  if (error.kind === 'denied') {
    return new UserError(
      'errors.check.denied-task-definition',
      { ...where, action: error.action ?? 'ecs:DescribeTaskDefinition' },
      3,
    );
  }
  // ECS answers a task definition that does not exist with ClientException "Unable to describe task definition".
  if (error.code === 'ClientException' || error.kind === 'not-found' || error.kind === 'not-applicable')
    return new UserError('errors.check.task-definition-missing', where, 3);
  return new UserError('errors.check.unreadable-task-definition', { ...where, code: error.code }, 3);
}

/**
 * What of the planned network does not exist: a subnet EC2 does not know, a security group that is not in the
 * subnets' VPC. Given on the command line that is bad input (exit 2); from the service, a service that cannot
 * start tasks where it says (exit 3).
 */
async function networkError(session: FactSession, target: CheckTarget): Promise<UserError | undefined> {
  const code = target.network ? 2 : 3;
  const where = { region: target.region, account: target.account ?? '—', service: target.service ?? '—' };
  const subnets = await session.fact('ec2.subnets');
  if (!subnets.ok) {
    if (
      subnets.error.code === 'InvalidSubnetID.NotFound' ||
      subnets.error.code === 'InvalidSubnetID.Malformed'
    )
      return new UserError('errors.check.subnet-missing', { ...where, message: subnets.error.message }, code);
    return undefined;
  }
  const vpcs = [...new Set(subnets.value.map((s) => s.vpcId))];
  if (vpcs.length > 1)
    return new UserError('errors.check.subnets-vpcs', { ...where, vpcs: vpcs.join(', ') }, code);
  const wanted = target.network?.securityGroupIds;
  if (!wanted?.length) return undefined;
  const groups = await session.fact('ec2.securityGroups');
  if (!groups.ok) return undefined;
  const missing = wanted.filter((id) => !groups.value.some((g) => g.groupId === id));
  if (missing.length)
    return new UserError(
      'errors.check.groups-missing',
      { ...where, groups: missing.join(', '), vpc: vpcs[0] ?? '?' },
      code,
    );
  return undefined;
}

/**
 * Runs a pre-flight. Throws UserError when the task cannot be planned: the service or the task definition
 * cannot be read, the service has no awsvpc network, a subnet or security group given does not exist.
 */
export async function preflight(
  req: PreflightRequest,
  deps: DiagnoseDeps,
): Promise<{ report: CheckReport; saved: SavedFacts }> {
  const checks = deps.checks ?? allChecks;
  const plan = planOf(req);
  const target = preflightTarget(req);
  const checkTarget: CheckTarget = {
    partition: target.partition,
    region: target.region,
    account: target.account,
    cluster: target.cluster,
    ...plan,
  };
  // No account named (the command line with the own credentials): learn it first, as every check compares the
  // accounts of registries, secrets and log groups with the task's.
  const session = await openSession({ target, preflight: plan, requester: req.requester }, deps, {
    learnAccount: true,
  });
  checkTarget.account = session.inputs.target.account;
  // Everything at once: each fact waits for what it depends on, so this is the fewest rounds (a task definition
  // given is read in the service's round).
  const all = session.gatherAll([...contextFactNames, ...factsNeeded(checks)]);
  const task = await session.fact('ecs.task');
  if (!task.ok) {
    await all;
    throw planError(task.error, checkTarget);
  }
  const td = await session.fact('ecs.taskDefinition');
  if (!td.ok) {
    await all;
    throw taskDefinitionError(td.error, task.value.task.taskDefinitionArn ?? '—', checkTarget);
  }
  await all;
  const bad = await networkError(session, checkTarget);
  if (bad) throw bad;
  const saved: SavedFacts = {
    kind: 'ecs-pull-facts',
    schema: REPORT_SCHEMA,
    savedAt: new Date().toISOString(),
    target: session.inputs.target,
    inputs: { preflight: plan },
    facts: session.snapshot(),
    calls: [...session.calls].sort((a, b) => a.round - b.round || a.startMs - b.startMs),
    wallMs: session.elapsedMs(),
    deadlineExceeded: session.signal.aborted && !deps.signal?.aborted,
  };
  const identityCenter = (account: string) => deps.pool.identityCenterFor(account);
  return {
    report: await evaluatePreflight(saved, { checks, onCheckError: deps.onCheckError, identityCenter }),
    saved,
  };
}
