import { aws, type FixCommand, shellVar } from '../../commands.js';
import {
  fixMessage,
  fixOf,
  IAC,
  knownInternetGateway,
  natWord,
  one,
  param,
  routeDestinationParam,
  workingNat,
} from '../shared/commands.js';
import { okValue, subnetIdsOf, worstOf } from '../shared/fold.js';
import { endpointPathComplete, internetPath } from '../shared/path.js';
import { type CheckResult, defineCheck, results } from '../types.js';

const r = results('network.nat-gateway');

/** The NAT gateway in the task's route is available, public, and sits in a subnet whose own route reaches an internet gateway. */
export const natGatewayCheck = defineCheck(r, {
  cause: 'network-no-route',
  needs: [
    'ec2.subnets',
    'ec2.routeTables',
    'ec2.natGateways',
    'ec2.vpcEndpoints',
    'ec2.vpcDns',
    'ec2.vpcSubnets',
  ],
  commands(result, { context: ctx, facts }) {
    const tables = facts.get('ec2.routeTables');
    const fix = fixOf(result);
    const natId = param(result.message, 'natId');
    if (fix === 'nat-subnet-igw') {
      const routeTableId = param(result.remediation, 'routeTableId');
      if (!routeTableId) return [];
      const igw = knownInternetGateway(tables);
      const table = tables.find((t) => t.routeTableId === routeTableId);
      const current = table?.routes.find((x) => x.destinationCidrBlock === '0.0.0.0/0');
      return [
        one(
          aws(
            'ec2',
            current ? 'replace-route' : 'create-route',
            {
              'route-table-id': routeTableId,
              'destination-cidr-block': '0.0.0.0/0',
              'gateway-id': igw ?? shellVar('INTERNET_GATEWAY_ID'),
            },
            ctx.region,
          ),
          {
            iac: IAC.route,
            fill: igw
              ? undefined
              : [
                  {
                    name: 'INTERNET_GATEWAY_ID',
                    what: fixMessage('fill.internet-gateway', {
                      vpcId: table?.vpcId ?? ctx.network.vpcId ?? '?',
                    }),
                  },
                ],
          },
        ),
      ];
    }
    if ((fix !== 'recreate' && fix !== 'public-nat') || !natId) return [];
    const vpcSubnets = okValue(facts.raw('ec2.vpcSubnets'));
    const out: FixCommand[] = [];
    const seen = new Set<string>();
    for (const subnetId of ctx.network.subnetIds) {
      const path = internetPath(subnetId, tables);
      if (path.target?.id !== natId || !path.table || !path.route || seen.has(path.table.routeTableId))
        continue;
      seen.add(path.table.routeTableId);
      const zone = vpcSubnets?.find((s) => s.subnetId === subnetId)?.availabilityZone;
      const nat = natWord(
        workingNat(okValue(facts.raw('ec2.natGateways')), tables, zone, vpcSubnets, natId),
        path.table.vpcId ?? ctx.network.vpcId,
      );
      out.push(
        one(
          aws(
            'ec2',
            'replace-route',
            {
              'route-table-id': path.table.routeTableId,
              ...routeDestinationParam(path.route),
              'nat-gateway-id': nat.word,
            },
            ctx.region,
          ),
          { iac: IAC.route, fill: nat.fill },
        ),
      );
    }
    return out;
  },
  run({ context: ctx, facts, links }) {
    const subnets = subnetIdsOf(ctx);
    if (!subnets) return r.unknown('unknown.no-subnets');
    const tables = facts.get('ec2.routeTables');
    const nats = facts.get('ec2.natGateways');
    const endpoints = facts.get('ec2.vpcEndpoints');
    // Without the DNS attributes the endpoints are taken to resolve; endpoints.private-dns says it is unknown.
    const dns = okValue(facts.raw('ec2.vpcDns'));
    return worstOf(
      subnets.map((subnetId): CheckResult => {
        const path = internetPath(subnetId, tables);
        if (path.target?.kind !== 'nat') return r.skip('skip.no-nat', { subnetId });
        // A broken NAT gateway does not stop a pull the VPC endpoints carry: it is then a warning.
        if (endpointPathComplete(ctx, subnetId, tables, endpoints, dns)) return demote(check(path));
        return check(path);
      }),
    );

    function check(path: ReturnType<typeof internetPath>): CheckResult {
      const natId = path.target!.id;
      const nat = nats.find((n) => n.natGatewayId === natId);
      const natLink = links.natGateway(natId);
      if (!nat) {
        return r.fail(
          'fail.missing',
          { natId, routeTableId: path.table!.routeTableId },
          {
            evidence: [r.ev('nat-route', { routeTableId: path.table!.routeTableId, natId })],
            links: [links.routeTable(path.table!.routeTableId)],
            remediation: r.fix('recreate', { routeTableId: path.table!.routeTableId }),
          },
        );
      }
      const evidence = [
        r.ev('nat-route', { routeTableId: path.table!.routeTableId, natId }),
        r.ev('nat-state', {
          natId,
          state: nat.state ?? '?',
          type: nat.connectivityType ?? 'public',
          subnetId: nat.subnetId ?? '?',
        }),
      ];
      if ((nat.state ?? '').toLowerCase() !== 'available') {
        return r.fail(
          'fail.state',
          { natId, state: nat.state ?? '?', failure: nat.failureMessage ?? nat.failureCode ?? '—' },
          {
            evidence,
            links: [natLink, links.routeTable(path.table!.routeTableId)],
            remediation: r.fix('recreate', { routeTableId: path.table!.routeTableId }),
          },
        );
      }
      if (nat.connectivityType === 'private') {
        return r.fail(
          'fail.private',
          { natId },
          {
            evidence,
            links: [natLink],
            remediation: r.fix('public-nat', { natId }),
          },
        );
      }
      const natSubnet = nat.subnetId ?? '';
      const upstream = internetPath(natSubnet, tables);
      if (upstream.table) {
        evidence.push(
          r.ev('nat-subnet-route', {
            subnetId: natSubnet,
            routeTableId: upstream.table.routeTableId,
            target: upstream.target?.id ?? '—',
          }),
        );
      }
      if (upstream.kind !== 'igw') {
        return r.fail(
          'fail.no-igw',
          { natId, subnetId: natSubnet, routeTableId: upstream.table?.routeTableId ?? '?' },
          {
            evidence,
            links: [
              natLink,
              links.subnet(natSubnet),
              ...(upstream.table ? [links.routeTable(upstream.table.routeTableId)] : []),
            ],
            remediation: r.fix('nat-subnet-igw', {
              subnetId: natSubnet,
              routeTableId: upstream.table?.routeTableId ?? '?',
            }),
          },
        );
      }
      return r.pass(
        'pass',
        { natId, subnetId: natSubnet, igw: upstream.target!.id },
        { evidence, links: [natLink] },
      );
    }
  },
});

/** The same finding as a warning: the pull goes through the VPC endpoints, only other internet traffic breaks. */
function demote(res: CheckResult): CheckResult {
  if (res.status !== 'fail') return res;
  return {
    ...res,
    status: 'warn',
    evidence: [...res.evidence, r.ev('endpoints-carry', {})],
  };
}
