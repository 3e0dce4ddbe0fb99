/**
 * What a watch of a service follows (data only, no AWS: the Slack reply decides from it whether to offer Watch): the
 * lead failed group's failing checks and the stopped tasks already seen; and when a service counts as steady.
 */
import type { ServiceTarget } from '../aws/service-target.js';
import type { ServiceState } from './facts/service-tasks.js';
import type { ServiceReport } from './service-report.js';

/** What a service watch follows. */
export interface ServiceWatchPlan {
  target: ServiceTarget;
  /** The lead failed group's task and its failing checks (none when no group failed or it was not diagnosed). */
  lead?: { taskArn: string; checks: string[] } | undefined;
  /** Stopped tasks already seen: the report's. Each look adds the new ones. */
  known: string[];
}

/** The deployment ECS is rolling out or runs: the PRIMARY one. */
export function primaryOf(s: Pick<ServiceState, 'deployments'>) {
  return s.deployments.find((d) => d.status === 'PRIMARY') ?? s.deployments[0];
}

/** The service runs what it should: its desired count, nothing pending, no deployment rolling out or failed. */
export function serviceSteady(
  s: Pick<ServiceState, 'desiredCount' | 'runningCount' | 'pendingCount' | 'deployments'>,
): boolean {
  const rollout = primaryOf(s)?.rolloutState;
  return (
    (s.runningCount ?? 0) >= (s.desiredCount ?? 0) &&
    (s.pendingCount ?? 0) === 0 &&
    rollout !== 'IN_PROGRESS' &&
    rollout !== 'FAILED'
  );
}

/** The plan of a watch of this report; undefined when there is nothing to watch (steady, no failed group). */
export function serviceWatchPlan(report: ServiceReport): ServiceWatchPlan | undefined {
  const lead = report.groups.find((g) => g.failed && g.report);
  const checks = lead?.report ? lead.report.checks.filter((c) => c.status === 'fail').map((c) => c.id) : [];
  const failedGroup = report.groups.some((g) => g.failed);
  if (!checks.length && !failedGroup && serviceSteady(report.service)) return undefined;
  return {
    target: report.target,
    ...(lead?.report && checks.length ? { lead: { taskArn: lead.taskArns[0]!, checks } } : {}),
    known: report.groups.flatMap((g) => g.taskArns),
  };
}
