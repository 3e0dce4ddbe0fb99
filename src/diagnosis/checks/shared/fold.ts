/** Folding per-subnet, per-image or per-secret results of one check into the one result it shows. */
import type { TaskContext } from '../../context.js';
import type { Fact } from '../../facts/types.js';
import { byWorstStatus, type CheckResult, uniqueMessages } from '../types.js';

/**
 * Folds results into one: the worst status decides the message and fix (the first of equals); evidence and
 * links of every result are kept, each once.
 */
export function worstOf(results: CheckResult[]): CheckResult {
  const top = [...results].sort(byWorstStatus)[0]!;
  if (results.length === 1) return top;
  const evidence = uniqueMessages(results.flatMap((r) => r.evidence));
  const links = results
    .flatMap((r) => r.links)
    .filter((l, i, all) => all.findIndex((x) => x.url === l.url) === i);
  return { ...top, evidence, links };
}

/**
 * How much a container matters for the verdict: the one ECS reported a reason for first (the one that failed),
 * then essential ones. Every container's image must be pulled before the task starts, so a non-essential
 * container's image stops it too: this orders equals, it never lowers a status.
 */
function weight(ctx: TaskContext, containers: readonly string[]): number {
  const mine = ctx.containers.filter((c) => containers.includes(c.name));
  if (mine.some((c) => c.reason)) return 0;
  if (mine.some((c) => c.essential)) return 1;
  return 2;
}

/** The worst result, preferring among equals the container that failed, then essential ones; evidence of all kept. */
export function foldByContainer(
  ctx: TaskContext,
  items: ReadonlyArray<{ result: CheckResult; containers: readonly string[] }>,
): CheckResult {
  const ordered = [...items].sort((a, b) => weight(ctx, a.containers) - weight(ctx, b.containers));
  return worstOf(ordered.map((i) => i.result));
}

/** Container names for a message: `web, worker`. */
export function containerList(containers: readonly string[]): string {
  return containers.join(', ') || '?';
}

/** The task's subnet ids, or undefined when the context does not know them. */
export function subnetIdsOf(ctx: TaskContext): string[] | undefined {
  return ctx.network.subnetIds.length ? ctx.network.subnetIds : undefined;
}

/**
 * A fact's value when it was gathered, else undefined: for facts that only refine a check (the S3 prefix list's
 * ranges, the other subnets' CIDRs), whose absence must not turn the whole check `unknown`.
 */
export function okValue<T>(fact: Fact<T> | undefined): T | undefined {
  return fact?.ok ? fact.value : undefined;
}
