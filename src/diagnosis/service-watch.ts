/**
 * Watch a service until it is fixed: the failing checks of the group that matters are run again (only the facts they
 * need, as for a task), and the service is read again (DescribeServices, its stopped tasks listed, only the ones not
 * seen before described). Fixed when those checks pass, the service runs its desired count with nothing pending and
 * no deployment rolling out, and no new task failed to start since the look before.
 */
import { parseTaskTarget } from '../aws/target.js';
import { isUserError } from '../errors.js';
import type { DiagnoseDeps } from './diagnose.js';
import { MemoryCallCache } from './facts/call-cache.js';
import { readService } from './facts/service-tasks.js';
import { notAPullFailure } from './not-a-pull.js';
import { primaryOf, type ServiceWatchPlan, serviceSteady } from './service-watch-plan.js';
import { normalizeStopReason } from './stop-reason.js';
import { recheck, type ServiceLook, type WatchTick } from './watch.js';

export { type ServiceWatchPlan, serviceSteady, serviceWatchPlan } from './service-watch-plan.js';

/**
 * One look at the service and its watched checks. The plan's `known` grows with the tasks seen, so that a task that
 * failed once counts once. A lead task ECS no longer shows (it keeps stopped tasks about an hour) leaves the service's
 * own state to decide.
 */
export async function recheckService(
  req: { requester: string },
  plan: ServiceWatchPlan,
  deps: DiagnoseDeps,
): Promise<WatchTick> {
  const { target } = plan;
  const known = new Set(plan.known);
  const signal = deps.signal
    ? AbortSignal.any([deps.signal, AbortSignal.timeout(deps.deadlineMs)])
    : AbortSignal.timeout(deps.deadlineMs);
  const checks = plan.lead
    ? recheck(
        { target: parseTaskTarget(plan.lead.taskArn, { cluster: target.cluster }), requester: req.requester },
        plan.lead.checks,
        deps,
      ).catch((err: unknown) => {
        if (isUserError(err)) return undefined;
        throw err;
      })
    : Promise.resolve(undefined);
  const [tick, read] = await Promise.all([
    checks,
    readService({
      pool: deps.pool,
      target,
      requester: req.requester,
      mayRead: deps.settings?.mayRead ?? (() => true),
      // Read afresh: a watch looks at what AWS says now.
      cache: new MemoryCallCache(),
      signal,
      skip: known,
    }),
  ]);
  const fresh = read.tasks.filter((t) => !known.has(t.taskArn));
  for (const t of fresh) plan.known.push(t.taskArn);
  const failures = fresh.filter((t) => notAPullFailure(t) === undefined);
  const reasons = [
    ...new Map(
      failures.map((t) => [normalizeStopReason(t.stoppedReason ?? ''), t.stoppedReason ?? '']),
    ).values(),
  ];
  const s = read.service;
  const steady = serviceSteady(s);
  const rollout = primaryOf(s)?.rolloutState;
  const service: ServiceLook = {
    name: s.serviceName,
    running: s.runningCount ?? 0,
    desired: s.desiredCount ?? 0,
    pending: s.pendingCount ?? 0,
    ...(rollout ? { rollout } : {}),
    newFailures: failures.length,
    newFailureReasons: reasons.filter(Boolean).slice(0, 3),
    steady,
    ...(read.tasksError ? { tasksUnreadable: read.tasksError.action ?? 'ecs:ListTasks' } : {}),
  };
  const failing = tick?.failing ?? [];
  const unknown = tick?.unknown ?? [];
  const checksOk = failing.length === 0 && unknown.length === 0;
  return {
    at: new Date().toISOString(),
    results: tick?.results ?? [],
    failing,
    unknown,
    fixed: checksOk && steady && failures.length === 0 && !read.tasksError,
    calls: (tick?.calls ?? 0) + read.calls.length,
    rounds: Math.max(tick?.rounds ?? 0, read.rounds),
    service,
  };
}
