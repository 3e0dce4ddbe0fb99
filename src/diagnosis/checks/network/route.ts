import type { LinkRef } from '../../../aws/console-links.js';
import { aws } from '../../commands.js';
import { imagesOf } from '../../task-refs.js';
import { fixOf, IAC, natWord, one, param, routeDestinationParam, workingNat } from '../shared/commands.js';
import { okValue, subnetIdsOf, worstOf } from '../shared/fold.js';
import {
  endpointCoverage,
  endpointPathComplete,
  type InternetPath,
  imagesServedByEndpoints,
  internetPath,
  routeDestination,
  routeTarget,
} from '../shared/path.js';
import { type CheckInput, type CheckResult, defineCheck, type Message, results } from '../types.js';

const r = results('network.route');

/** Each task subnet's effective route table sends internet traffic to an active NAT or internet gateway, unless VPC endpoints carry the whole pull. */
export const routeCheck = defineCheck(r, {
  cause: 'network-no-route',
  // The NAT gateways and the VPC's subnets only name the gateway the fix routes through.
  needs: [
    'ec2.subnets',
    'ec2.routeTables',
    'ec2.vpcEndpoints',
    'ec2.vpcDns',
    'ec2.natGateways',
    'ec2.vpcSubnets',
  ],
  commands(result, { context: ctx, facts }) {
    const fix = fixOf(result);
    const routeTableId = param(result.remediation, 'routeTableId');
    if (!routeTableId || (fix !== 'add-route' && fix !== 'add-route-external' && fix !== 'replace-route'))
      return [];
    const tables = facts.get('ec2.routeTables');
    const subnet = param(result.message, 'subnetId');
    const vpcSubnets = okValue(facts.raw('ec2.vpcSubnets'));
    const zone = vpcSubnets?.find((s) => s.subnetId === subnet)?.availabilityZone;
    const vpcId = tables.find((t) => t.routeTableId === routeTableId)?.vpcId ?? ctx.network.vpcId;
    const nat = natWord(workingNat(okValue(facts.raw('ec2.natGateways')), tables, zone, vpcSubnets), vpcId);
    if (fix === 'replace-route') {
      const destination = param(result.remediation, 'destination');
      const route = tables
        .find((t) => t.routeTableId === routeTableId)
        ?.routes.find((x) => routeDestination(x) === destination);
      if (!route) return [];
      return [
        one(
          aws(
            'ec2',
            'replace-route',
            { 'route-table-id': routeTableId, ...routeDestinationParam(route), 'nat-gateway-id': nat.word },
            ctx.region,
          ),
          { iac: IAC.route, fill: nat.fill },
        ),
      ];
    }
    return [
      one(
        aws(
          'ec2',
          'create-route',
          {
            'route-table-id': routeTableId,
            'destination-cidr-block': '0.0.0.0/0',
            'nat-gateway-id': nat.word,
          },
          ctx.region,
        ),
        { iac: IAC.route, fill: nat.fill },
      ),
    ];
  },
  run({ context: ctx, facts, links }) {
    const subnets = subnetIdsOf(ctx);
    if (!subnets) return r.unknown('unknown.no-subnets');
    const tables = facts.get('ec2.routeTables');
    const endpoints = facts.get('ec2.vpcEndpoints');
    // Without the DNS attributes the endpoints are taken to resolve; endpoints.private-dns says it is unknown.
    const dns = okValue(facts.raw('ec2.vpcDns'));
    const external = imagesOf(ctx.containers).find(
      (i) => i.ref?.kind !== 'ecr' || i.ref.ecr?.region !== ctx.region,
    );
    return worstOf(
      subnets.map((subnetId): CheckResult => {
        const path = internetPath(subnetId, tables);
        if (path.kind === 'no-table' || !path.table) {
          return r.unknown('unknown.no-table', { subnetId }, { links: [links.subnet(subnetId)] });
        }
        const rt = path.table.routeTableId;
        const extras = { evidence: evidenceOf(path), links: linksOf(path, links) };
        const viaEndpoints = endpointPathComplete(ctx, subnetId, tables, endpoints, dns);
        const target = path.target?.id ?? '?';
        switch (path.kind) {
          case 'nat':
          case 'igw':
            return r.pass('pass.internet', { subnetId, routeTableId: rt, target }, extras);
          case 'blackhole': {
            const remediation = r.fix('replace-route', {
              routeTableId: rt,
              target,
              destination: routeDestination(path.route!),
            });
            if (viaEndpoints) {
              return r.warn(
                'warn.blackhole-endpoints',
                { subnetId, routeTableId: rt, target },
                { ...extras, remediation },
              );
            }
            return r.fail(
              'fail.blackhole',
              { subnetId, routeTableId: rt, target },
              { ...extras, remediation },
            );
          }
          case 'custom':
            if (viaEndpoints) {
              return r.pass('pass.endpoints-custom', { subnetId, routeTableId: rt, target }, extras);
            }
            return r.warn(
              'warn.custom',
              { subnetId, routeTableId: rt, target, kind: path.target!.kind },
              { ...extras, remediation: r.fix('verify-custom', { target }) },
            );
          default:
            if (viaEndpoints) return r.pass('pass.endpoints-only', { subnetId, routeTableId: rt }, extras);
            // No internet route, ECR images, and some ECR/S3 endpoints: the subnet was built for the endpoint
            // path, and the endpoint checks name what it lacks (adding a NAT is not the fix being asked for).
            if (imagesServedByEndpoints(ctx) && endpointCoverage(ctx, endpoints, false).present.length) {
              return r.skip('skip.endpoint-path', { subnetId, routeTableId: rt }, extras);
            }
            if (external) {
              return r.fail(
                'fail.none-external',
                { subnetId, routeTableId: rt, image: external.image },
                { ...extras, remediation: r.fix('add-route-external', { routeTableId: rt }) },
              );
            }
            return r.fail(
              'fail.none',
              { subnetId, routeTableId: rt },
              { ...extras, remediation: r.fix('add-route', { routeTableId: rt }) },
            );
        }
      }),
    );
  },
});

/** The route table association, the route internet traffic takes, and the routes that only cover part of it. */
function evidenceOf(path: InternetPath): Message[] {
  const table = path.table!;
  const rt = table.routeTableId;
  const out: Message[] = [
    r.ev(path.explicit ? 'route-table.explicit' : 'route-table.main', {
      subnetId: path.subnetId,
      routeTableId: rt,
    }),
  ];
  if (path.route) {
    out.push(
      r.ev('internet-route', {
        routeTableId: rt,
        destination: routeDestination(path.route),
        target: path.target?.id ?? '?',
        state: path.route.state ?? 'active',
      }),
    );
  } else {
    out.push(r.ev('no-default-route', { routeTableId: rt }));
  }
  for (const other of path.others ?? []) {
    out.push(
      r.ev('other-route', {
        routeTableId: rt,
        destination: routeDestination(other),
        target: routeTarget(other).id,
        state: other.state ?? 'active',
      }),
    );
  }
  // A prefix-list route (the S3 gateway endpoint's) only covers that service, never the internet.
  for (const route of table.routes.filter((x) => x.destinationPrefixListId)) {
    out.push(
      r.ev('prefix-list-route', {
        routeTableId: rt,
        prefixListId: route.destinationPrefixListId!,
        target: routeTarget(route).id,
      }),
    );
  }
  return out;
}

function linksOf(path: InternetPath, links: CheckInput['links']): LinkRef[] {
  const out = [links.subnet(path.subnetId), links.routeTable(path.table!.routeTableId)];
  if (path.target?.kind === 'nat') out.push(links.natGateway(path.target.id));
  if (path.target?.kind === 'igw') out.push(links.internetGateway(path.target.id));
  return out;
}
