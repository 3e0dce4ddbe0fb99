/**
 * The pre-flight's report and verdict (pure: no AWS SDK imports, so replay runs it on saved facts). A pre-flight
 * asks "would a task started now be able to pull?": the same checks as a diagnosis, run on the task ECS would
 * start (planned from a service or a task definition and a network), and a verdict that is a yes or a no rather
 * than a ranked cause: any failing check blocks, warnings and checks that could not run do not.
 */

import { ConsoleLinks, type IdentityCenterLink } from '../aws/console-links.js';
import type { Partition } from '../aws/partition.js';
import { allChecks, runChecks } from './checks/index.js';
import type { Check, CheckResult } from './checks/types.js';
import { deriveContext, type TaskContext } from './context.js';
import type { ServiceRecord, TaskDefinitionRecord, TaskFact } from './facts/ecs.js';
import type { Fact, PlannedNetwork } from './facts/types.js';
import { type AwsStats, callStats, REPORT_SCHEMA, type SavedFacts } from './report.js';

/** What a pre-flight was asked about. */
export interface CheckTarget {
  partition: Partition;
  region: string;
  /** Undefined: the account of the credentials in use (the command line). */
  account: string | undefined;
  /** The cluster of the service (`default` when none was named). */
  cluster: string;
  service?: string | undefined;
  /** The task definition as given (family, family:revision or ARN); else the service's current one. */
  taskDefinition?: string | undefined;
  /** The network as given; else the service's awsvpcConfiguration. */
  network?: PlannedNetwork | undefined;
}

/** The answer: would a task started now pull and start? */
export interface CheckVerdict {
  outcome: 'would-pull' | 'would-fail';
  /** A check failed: the task would not start (the deploy gate's exit code 4). */
  blocking: boolean;
  /** The failing checks, in display order (the network path, then identity and image, then logs and EFS). */
  failing: string[];
  /** The checks that warn: worth fixing, not blocking. */
  warnings: string[];
  /** The checks that could not run (a denied permission, an error, the deadline): the verdict does not cover them. */
  unverified: string[];
}

export interface CheckReport {
  schema: typeof REPORT_SCHEMA;
  kind: 'ecs-pull-check-report';
  generatedAt: string;
  target: CheckTarget;
  /** The planned task (source `preflight`): its task definition, platform, network and where each came from. */
  context: TaskContext;
  /** The same results as `why --json` prints. */
  checks: CheckResult[];
  verdict: CheckVerdict;
  aws: AwsStats;
  /** Set when computed from saved facts (`ecs-pull replay`, the demo). */
  replayedFrom?: string;
}

/** The verdict of a pre-flight's check results: any failure blocks. */
export function checkVerdict(checks: readonly CheckResult[]): CheckVerdict {
  const ids = (status: CheckResult['status']) => checks.filter((c) => c.status === status).map((c) => c.id);
  const failing = ids('fail');
  return {
    outcome: failing.length ? 'would-fail' : 'would-pull',
    blocking: failing.length > 0,
    failing,
    warnings: ids('warn'),
    unverified: ids('unknown'),
  };
}

/** The target a pre-flight's saved facts were gathered for (saved with them, as `inputs.preflight`). */
export function checkTargetOf(saved: SavedFacts): CheckTarget {
  const plan = saved.inputs.preflight ?? {};
  return {
    partition: saved.target.partition,
    region: saved.target.region,
    account: saved.target.account,
    cluster: saved.target.cluster,
    ...(plan.service ? { service: plan.service } : {}),
    ...(plan.taskDefinition ? { taskDefinition: plan.taskDefinition } : {}),
    ...(plan.network ? { network: plan.network } : {}),
  };
}

/** Computes a pre-flight's report from gathered facts: no I/O. */
export async function evaluatePreflight(
  saved: SavedFacts,
  opts: {
    checks?: readonly Check[];
    replayedFrom?: string;
    onCheckError?: (id: string, err: unknown) => void;
    identityCenter?: (account: string) => IdentityCenterLink | undefined;
  } = {},
): Promise<CheckReport> {
  const f = saved.facts;
  const context = deriveContext(saved.target, {
    task: f['ecs.task'] as Fact<TaskFact>,
    taskDefinition: f['ecs.taskDefinition'] as Fact<TaskDefinitionRecord> | undefined,
    service: f['ecs.service'] as Fact<ServiceRecord> | undefined,
  });
  const links = new ConsoleLinks(context.partition, context.region, context.account, opts.identityCenter);
  const checks = await runChecks(opts.checks ?? allChecks, context, f, links, opts.onCheckError);
  const report: CheckReport = {
    schema: REPORT_SCHEMA,
    kind: 'ecs-pull-check-report',
    generatedAt: new Date().toISOString(),
    target: checkTargetOf(saved),
    context,
    checks,
    verdict: checkVerdict(checks),
    aws: callStats(saved.calls, saved.wallMs, saved.deadlineExceeded),
  };
  if (opts.replayedFrom) report.replayedFrom = opts.replayedFrom;
  return report;
}

/** True for saved facts of a pre-flight (replay evaluates them as one). */
export function isPreflightFacts(saved: SavedFacts): boolean {
  return !!saved.inputs.preflight;
}
