import { okValue, subnetIdsOf, worstOf } from '../shared/fold.js';
import { endpointPathComplete, internetPath } from '../shared/path.js';
import { type CheckResult, defineCheck, results } from '../types.js';

const r = results('network.public-ip');

/** A task in a subnet routed to an internet gateway has a public IP (assignPublicIp ENABLED); else it cannot reach the registry. */
export const publicIpCheck = defineCheck(r, {
  cause: 'network-no-public-ip',
  failedTask: 'refines',
  needs: ['ec2.subnets', 'ec2.routeTables', 'ec2.vpcEndpoints', 'ec2.vpcDns'],
  run({ context: ctx, facts, links }) {
    const subnets = subnetIdsOf(ctx);
    if (!subnets) return r.unknown('unknown.no-subnets');
    const tables = facts.get('ec2.routeTables');
    const endpoints = facts.get('ec2.vpcEndpoints');
    // Without the DNS attributes the endpoints are taken to resolve; endpoints.private-dns says it is unknown.
    const dns = okValue(facts.raw('ec2.vpcDns'));
    const origin = ctx.origins.publicIp;
    return worstOf(
      subnets.map((subnetId): CheckResult => {
        const path = internetPath(subnetId, tables);
        if (path.kind !== 'igw') return r.skip('skip.not-igw', { subnetId });
        const igw = path.target!.id;
        const base = [
          r.ev('igw-route', { subnetId, routeTableId: path.table!.routeTableId, igw }),
          r.ev(`assign-public-ip.${origin === 'eni' || origin === 'service' ? origin : 'unknown'}`, {
            value: ctx.network.assignPublicIp ?? '?',
          }),
        ];
        const ownLinks = [
          links.subnet(subnetId),
          links.routeTable(path.table!.routeTableId),
          links.internetGateway(igw),
        ];
        if (ctx.serviceName) ownLinks.push(links.service(ctx.cluster, ctx.serviceName));
        if (endpointPathComplete(ctx, subnetId, tables, endpoints, dns)) {
          return r.skip('skip.endpoints', { subnetId }, { evidence: base });
        }
        if (ctx.network.publicIp) {
          return r.pass(
            'pass.assigned',
            { subnetId, ip: ctx.network.publicIp },
            { evidence: base, links: ownLinks },
          );
        }
        if (ctx.network.assignPublicIp === 'ENABLED') {
          return r.pass('pass.enabled', { subnetId }, { evidence: base, links: ownLinks });
        }
        if (ctx.network.assignPublicIp === 'DISABLED') {
          return r.fail(
            'fail.disabled',
            { subnetId, igw },
            {
              evidence: base,
              links: ownLinks,
              remediation: ctx.serviceName
                ? r.fix('enable-service', { service: ctx.serviceName })
                : r.fix('enable-task', {}),
            },
          );
        }
        return r.unknown('unknown.no-evidence', { subnetId }, { evidence: base, links: ownLinks });
      }),
    );
  },
});
