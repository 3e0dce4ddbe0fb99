/** What the endpoint checks share: which interface endpoints matter for this task and whether the internet path is there. */
import type { TaskContext } from '../../context.js';
import type { RouteTableRecord, VpcEndpointRecord } from '../../facts/network.js';
import { internetUsable } from '../network/common.js';
import {
  type EndpointService,
  endpointsFor,
  type RequiredEndpoint,
  requiredEndpoints,
} from '../network/path.js';

/** True when some task subnet can reach the internet (then endpoints are an optimisation, not the path). */
export function hasInternet(ctx: TaskContext, tables: readonly RouteTableRecord[]): boolean {
  return ctx.network.subnetIds.some((s) => internetUsable(ctx, s, tables));
}

/** The relevant endpoints that exist: those serving a requirement of this task, with the requirement. */
export function relevantEndpoints(
  ctx: TaskContext,
  endpoints: readonly VpcEndpointRecord[],
  type?: 'Interface' | 'Gateway',
): Array<{ req: RequiredEndpoint; endpoint: VpcEndpointRecord }> {
  const out: Array<{ req: RequiredEndpoint; endpoint: VpcEndpointRecord }> = [];
  for (const req of requiredEndpoints(ctx, true)) {
    for (const endpoint of endpointsFor(endpoints, ctx.region, req.service as EndpointService)) {
      if (type && endpoint.type.toLowerCase() !== type.toLowerCase()) continue;
      out.push({ req, endpoint });
    }
  }
  return out;
}
