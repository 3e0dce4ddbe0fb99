import { aws } from '../../commands.js';
import type { RouteRecord } from '../../facts/ec2.js';
import { cidrOverlaps } from '../shared/cidr.js';
import { fixMessage, fixOf, IAC, one, param } from '../shared/commands.js';
import { okValue, worstOf } from '../shared/fold.js';
import {
  effectiveRouteTable,
  endpointsFor,
  routeDestination,
  routeTarget,
  s3GatewayOf,
  s3PrefixListId,
  taskHasInternetPath,
} from '../shared/path.js';
import { type CheckResult, defineCheck, results } from '../types.js';

const r = results('endpoints.s3-route');

/** The S3 gateway endpoint is attached to the route table of each task subnet, and no more specific route takes S3's ranges elsewhere. */
export const s3RouteCheck = defineCheck(r, {
  cause: 'vpc-endpoint',
  needs: ['ec2.subnets', 'ec2.routeTables', 'ec2.vpcEndpoints', 'ec2.prefixLists'],
  commands(result, { context: ctx }) {
    const routeTableId = param(result.remediation, 'routeTableId');
    const endpointId = param(result.remediation, 'endpointId');
    if (!routeTableId || !endpointId) return [];
    if (fixOf(result) === 'attach')
      return [
        one(
          aws(
            'ec2',
            'modify-vpc-endpoint',
            { 'vpc-endpoint-id': endpointId, 'add-route-table-ids': routeTableId },
            ctx.region,
          ),
          { iac: IAC.endpointRouteTables },
        ),
      ];
    const destination = param(result.remediation, 'destination');
    if (fixOf(result) !== 'remove-override' || !destination) return [];
    return [
      one(
        aws(
          'ec2',
          'delete-route',
          {
            'route-table-id': routeTableId,
            [destination.includes(':') ? 'destination-ipv6-cidr-block' : 'destination-cidr-block']:
              destination,
          },
          ctx.region,
        ),
        { iac: IAC.route, note: fixMessage('note.delete-route', { destination, routeTableId }) },
      ),
    ];
  },
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
    const internet = taskHasInternetPath(ctx, tables);
    // S3's ranges (read when the VPC has an S3 gateway endpoint) say whether a more specific route steals them.
    const lists = okValue(facts.raw('ec2.prefixLists'));
    const pl = s3PrefixListId(ctx.region, lists, tables);
    const s3Cidrs = lists?.find((p) => p.prefixListId === pl)?.cidrs ?? [];
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
        if (attached) {
          for (const cidr of s3Cidrs) {
            const route = overriding(eff.table.routes, cidr);
            if (!route) continue;
            const params = {
              endpointId: attached.vpcEndpointId,
              routeTableId: rt,
              cidr,
              destination: routeDestination(route),
              target: routeTarget(route).id,
            };
            const extras = {
              evidence,
              links: ownLinks,
              remediation: r.fix('remove-override', params),
            };
            // Through a NAT gateway the layers still arrive (outside the endpoint and its policy); else they do not.
            return internet
              ? r.warn('warn.overridden', params, extras)
              : r.fail('fail.overridden', params, extras);
          }
          return r.pass(
            'pass.attached',
            { endpointId: attached.vpcEndpointId, routeTableId: rt },
            { evidence, links: ownLinks },
          );
        }
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
});

/**
 * A CIDR route that takes (part of) an S3 range away from the prefix-list route: it overlaps the range and is
 * more specific, or as specific and static (static routes win ties over prefix-list routes).
 */
function overriding(routes: readonly RouteRecord[], cidr: string): RouteRecord | undefined {
  const len = Number(cidr.split('/')[1] ?? 32);
  return routes.find((route) => {
    const dest = route.destinationCidrBlock;
    if (!dest || !cidrOverlaps(dest, cidr)) return false;
    const l = Number(dest.split('/')[1] ?? 32);
    return l > len || (l === len && route.origin !== 'EnableVgwRoutePropagation');
  });
}
