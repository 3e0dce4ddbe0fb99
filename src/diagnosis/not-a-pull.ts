/**
 * Tasks that did not fail to pull: still running (or not yet stopped), or stopped for a reason ECS states outright
 * (the essential container exited, ran out of memory, failed its health checks, was stopped by a person or the
 * service scheduler, Spot took the capacity back). Such a task gets the cause `not-a-pull-failure`, saying what it
 * stopped for, and no claim about its network or images: the pull checks do not even run. A stop message the
 * classifier recognises (a pull or start failure) always wins: an "Essential container in task exited" task whose
 * container says CannotPullContainerError is a pull failure.
 */
import type { NOT_A_PULL_KINDS } from './causes.js';
import { type Classification, classify, NOT_A_PULL } from './classify.js';

/** Why the task is not a pull failure. */
export type NotAPullKind = (typeof NOT_A_PULL_KINDS)[number];

export interface NotAPull {
  kind: NotAPullKind;
  /** The task's last status (for not-stopped). */
  status?: string | undefined;
  /** ECS's own words: the stop reason. */
  reason?: string | undefined;
  stopCode?: string | undefined;
  /** Each container that stopped with an exit code or a reason. */
  containers: Array<{ name: string; exitCode?: number | undefined; reason?: string | undefined }>;
}

/** What the decision reads of a task (a TaskRecord or a TaskContext). */
export interface StopFacts {
  lastStatus?: string | undefined;
  stopCode?: string | undefined;
  stoppedReason?: string | undefined;
  containers?: ReadonlyArray<{
    name?: string | undefined;
    reason?: string | undefined;
    exitCode?: number | undefined;
  }>;
}

/** The stop message: the stop reason and each container's reason. */
export function stopTexts(t: StopFacts): string[] {
  return [t.stoppedReason, ...(t.containers ?? []).map((c) => c.reason)].filter(
    (s): s is string => typeof s === 'string' && s.trim().length > 0,
  );
}

/**
 * The reason a task is not a pull failure, or undefined when it is one (or may be: a start failure ECS words in a
 * way the classifier does not know stays with the checks).
 */
export function notAPullFailure(
  t: StopFacts,
  cls: Classification = classify(stopTexts(t)),
): NotAPull | undefined {
  if (cls.informative && cls.causes[0]?.id !== 'not-a-pull-failure') return undefined;
  const reason = t.stoppedReason?.trim() || undefined;
  const containers = (t.containers ?? [])
    .filter((c) => c.exitCode !== undefined || c.reason)
    .map((c) => ({ name: c.name ?? '?', exitCode: c.exitCode, reason: c.reason?.trim() || undefined }));
  const base = { reason, stopCode: t.stopCode, containers };
  const status = t.lastStatus?.toUpperCase();
  // A task failing to start is a start failure even while it is still stopping.
  if (t.stopCode === 'TaskFailedToStart') return undefined;
  if (status && status !== 'STOPPED') return { kind: 'not-stopped', status, ...base };
  const texts = stopTexts(t).join('\n');
  if (NOT_A_PULL.outOfMemory.test(texts)) return { kind: 'out-of-memory', ...base };
  if (t.stopCode === 'SpotInterruption' || t.stopCode === 'TerminationNotice' || NOT_A_PULL.spot.test(texts))
    return { kind: 'spot', ...base };
  if (NOT_A_PULL.health.test(texts)) return { kind: 'health-check', ...base };
  if (NOT_A_PULL.scaledIn.test(texts)) return { kind: 'scaled-in', ...base };
  if (t.stopCode === 'UserInitiated' || NOT_A_PULL.byUser.test(texts)) return { kind: 'user', ...base };
  if (
    t.stopCode === 'EssentialContainerExited' ||
    NOT_A_PULL.exited.test(texts) ||
    containers.some((c) => c.exitCode !== undefined)
  )
    return { kind: 'exited', ...base };
  if (t.stopCode === 'ServiceSchedulerInitiated') return { kind: 'scaled-in', ...base };
  if (t.stopCode) return { kind: 'other', ...base };
  return undefined;
}
