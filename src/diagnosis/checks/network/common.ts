/** Helpers shared by the network checks: per-subnet evaluation folded into one result. */
import type { TaskContext } from '../../context.js';
import type { RouteTableRecord, VpcDnsRecord, VpcEndpointRecord } from '../../facts/network.js';
import type { Fact } from '../../facts/types.js';
import type { CheckResult, CheckStatus } from '../types.js';
import { endpointPathComplete, hasInternetPath, taskHasInternetPath } from './path.js';

const severity: Record<CheckStatus, number> = { fail: 4, warn: 3, unknown: 2, pass: 1, skip: 0 };

/**
 * Folds per-subnet results into one: the worst status decides the message and fix; evidence and links of
 * every subnet are kept (deduplicated).
 */
export function worstOf(results: CheckResult[]): CheckResult {
  const sorted = [...results].sort((a, b) => severity[b.status] - severity[a.status]);
  const top = sorted[0]!;
  if (results.length === 1) return top;
  const seen = new Set<string>();
  const evidence = results
    .flatMap((r) => r.evidence)
    .filter((e) => {
      const k = JSON.stringify(e);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  const links = results
    .flatMap((r) => r.links)
    .filter((l, i, all) => all.findIndex((x) => x.url === l.url) === i);
  return { ...top, evidence, links };
}

/** The task's subnet ids, or undefined when the context does not know them. */
export function subnetIdsOf(ctx: TaskContext): string[] | undefined {
  return ctx.network.subnetIds.length ? ctx.network.subnetIds : undefined;
}

/** Whether the subnet has a usable internet path for this task (NAT, custom, or IGW with a public IP). */
export const internetUsable = hasInternetPath;

/** True when some task subnet can reach the internet (then endpoints are a shortcut, not the only path). */
export const hasInternet = taskHasInternetPath;

/** Convenience: the endpoint path is complete for the subnet. */
export function endpointsServe(
  ctx: TaskContext,
  subnetId: string,
  tables: readonly RouteTableRecord[],
  endpoints: readonly VpcEndpointRecord[],
  dns: VpcDnsRecord | undefined,
): boolean {
  return endpointPathComplete(ctx, subnetId, tables, endpoints, dns);
}

/**
 * A fact's value when it was gathered, else undefined: for facts that only refine a check (the S3 prefix list's
 * ranges, the other subnets' CIDRs), whose absence must not turn the whole check `unknown`.
 */
export function okValue<T>(fact: Fact<T> | undefined): T | undefined {
  return fact?.ok ? fact.value : undefined;
}
