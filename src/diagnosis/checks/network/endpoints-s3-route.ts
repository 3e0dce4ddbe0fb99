import { type Check, type CheckResult, results } from '../types.js';
import { hasInternet, worstOf } from './common.js';
import { effectiveRouteTable, endpointsFor, s3GatewayOf } from './path.js';

const r = results('endpoints.s3-route');

/** The S3 gateway endpoint is attached to the route table of each task subnet (else layer downloads take another path or none). */
export const s3RouteCheck: Check = {
  id: 'endpoints.s3-route',
  needs: ['ec2.subnets', 'ec2.routeTables', 'ec2.vpcEndpoints'],
  run({ context: ctx, facts, links }) {
    if (!ctx.network.subnetIds.length) return r.unknown('unknown.no-subnets');
    const endpoints = facts.get('ec2.vpcEndpoints');
    const tables = facts.get('ec2.routeTables');
    const gateways = endpointsFor(endpoints, ctx.region, 's3', 'Gateway');
    if (!gateways.length) {
      const iface = endpointsFor(endpoints, ctx.region, 's3', 'Interface').find((e) => e.privateDnsEnabled);
      if (iface)
        return r.pass(
          'pass.interface',
          { endpointId: iface.vpcEndpointId },
          { links: [links.endpoint(iface.vpcEndpointId)] },
        );
      return r.skip('skip.no-gateway');
    }
    const internet = hasInternet(ctx, tables);
    return worstOf(
      ctx.network.subnetIds.map((subnetId): CheckResult => {
        const eff = effectiveRouteTable(subnetId, tables);
        if (!eff) return r.unknown('unknown.no-table', { subnetId });
        const rt = eff.table.routeTableId;
        const attached = s3GatewayOf(eff.table, endpoints, ctx.region);
        const evidence = gateways.map((g) =>
          r.ev('gateway', { endpointId: g.vpcEndpointId, routeTables: g.routeTableIds.join(', ') || '—' }),
        );
        evidence.unshift(r.ev('subnet-table', { subnetId, routeTableId: rt }));
        const ownLinks = [links.routeTable(rt), ...gateways.map((g) => links.endpoint(g.vpcEndpointId))];
        if (attached)
          return r.pass(
            'pass.attached',
            { endpointId: attached.vpcEndpointId, routeTableId: rt },
            { evidence, links: ownLinks },
          );
        if (internet) {
          return r.pass(
            'pass.via-internet',
            { routeTableId: rt, endpointId: gateways[0]!.vpcEndpointId },
            { evidence, links: ownLinks },
          );
        }
        return r.fail(
          'fail.not-attached',
          { endpointId: gateways[0]!.vpcEndpointId, routeTableId: rt, subnetId },
          {
            evidence,
            links: ownLinks,
            remediation: r.fix('attach', { endpointId: gateways[0]!.vpcEndpointId, routeTableId: rt }),
          },
        );
      }),
    );
  },
};
