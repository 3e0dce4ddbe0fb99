import { aws, shorthand } from '../../commands.js';
import type { TaskContext } from '../../context.js';
import type {
  NatGatewayRecord,
  NetworkAclRecord,
  PrefixListRecord,
  RouteTableRecord,
  SubnetRecord,
  VpcEndpointRecord,
  VpcRecord,
} from '../../facts/ec2.js';
import { cidrContains } from '../shared/cidr.js';
import { fixOf, IAC, one, param } from '../shared/commands.js';
import { okValue, subnetIdsOf, worstOf } from '../shared/fold.js';
import {
  effectiveRouteTable,
  endpointCoverage,
  endpointPathComplete,
  internetPath,
  naclOf,
  naclVerdict,
  s3GatewayOf,
  s3PrefixListId,
} from '../shared/path.js';
import { type CheckInput, type CheckResult, defineCheck, type Message, results } from '../types.js';

const r = results('network.nacl');

const HTTPS = { from: 443, to: 443 };
/** Where replies come back: the client's ephemeral ports (AWS's guidance for network ACLs: 1024-65535). */
const RETURN = { from: 1024, to: 65535 };

/** The role of a subnet on the path: the task's own, the NAT gateway's, or an interface endpoint's. */
type Role = 'task' | 'nat' | 'endpoint';
/** A flow as the subnet's ACL sees it: out-443 (request leaving), in-return, in-443 (request arriving), out-return. */
type Flow = 'out-443' | 'in-return' | 'in-443' | 'out-return';

interface Hop {
  role: Role;
  subnetId: string;
  acl: NetworkAclRecord;
  /** `fixPeer`: the range to suggest in the fix when `peer` is the task's own address (its subnet's range). */
  flows: Array<{ flow: Flow; peer: string; fixPeer?: string | undefined }>;
}

/** Each network ACL on the pull's path (the task subnet's, the NAT gateway subnet's, the endpoints' subnets') lets TCP 443 through and the replies on 1024-65535 back, rules evaluated in number order with the final deny. */
export const naclCheck = defineCheck(r, {
  cause: 'network-security-group',
  failedTask: 'refines',
  needs: [
    'ec2.subnets',
    'ec2.routeTables',
    'ec2.networkAcls',
    'ec2.vpcEndpoints',
    'ec2.vpc',
    'ec2.vpcDns',
    'ec2.prefixLists',
    'ec2.natGateways',
    'ec2.vpcSubnets',
  ],
  commands(result, { context: ctx, facts }) {
    const flow = /^allow-(out|in)-(443|return)$/.exec(fixOf(result) ?? '');
    const aclId = param(result.remediation, 'aclId');
    const peer = param(result.remediation, 'peer');
    const denying = param(result.message, 'rule');
    if (!flow || !aclId || !peer || !denying) return [];
    const egress = flow[1] === 'out';
    const ports = flow[2] === '443' ? HTTPS : RETURN;
    const acl = facts.get('ec2.networkAcls').find((a) => a.networkAclId === aclId);
    if (!acl) return [];
    const number = freeRuleNumber(
      acl.entries.filter((e) => e.egress === egress).map((e) => e.ruleNumber),
      denying === '*' ? 32767 : Number(denying),
    );
    if (!number) return [];
    return [
      one(
        aws(
          'ec2',
          'create-network-acl-entry',
          {
            'network-acl-id': aclId,
            ...(egress ? { egress: true } : { ingress: true }),
            'rule-number': String(number),
            protocol: '6',
            'port-range': shorthand({ From: ports.from, To: ports.to }),
            [peer.includes(':') ? 'ipv6-cidr-block' : 'cidr-block']: peer,
            'rule-action': 'allow',
          },
          ctx.region,
        ),
        { iac: IAC.naclEntry },
      ),
    ];
  },
  run(input) {
    const { context: ctx, facts, links } = input;
    const subnets = subnetIdsOf(ctx);
    if (!subnets) return r.unknown('unknown.no-subnets');
    const acls = facts.get('ec2.networkAcls');
    const tables = facts.get('ec2.routeTables');
    const endpoints = facts.get('ec2.vpcEndpoints');
    const vpc = okValue(facts.raw('ec2.vpc'));
    const dns = okValue(facts.raw('ec2.vpcDns'));
    const taskSubnets = facts.optional('ec2.subnets') ?? [];
    // These only add hops or narrow S3's ranges: without them the check still runs on what it has.
    const nats = okValue(facts.raw('ec2.natGateways')) ?? [];
    const vpcSubnets = okValue(facts.raw('ec2.vpcSubnets'));
    const prefixLists = okValue(facts.raw('ec2.prefixLists'));
    return worstOf(
      subnets.map((subnetId): CheckResult => {
        const acl = naclOf(subnetId, acls);
        if (!acl) return r.unknown('unknown.no-acl', { subnetId }, { links: [links.subnet(subnetId)] });
        const task = taskAddress(
          ctx,
          taskSubnets.find((s) => s.subnetId === subnetId),
        );
        const hops = endpointPathComplete(ctx, subnetId, tables, endpoints, dns)
          ? endpointHops(ctx, subnetId, acl, task, { tables, endpoints, vpc, vpcSubnets, acls, prefixLists })
          : internetHops(subnetId, acl, task, { tables, nats, acls });
        return evaluate(hops, links);
      }),
    );
  },
});

/** The task's address as ACL rules see it: its private IP when it lies in the subnet, else the subnet's range. */
function taskAddress(
  ctx: TaskContext,
  subnet: SubnetRecord | undefined,
): { peer: string; fixPeer: string } | undefined {
  const ip = ctx.network.privateIp;
  if (!subnet?.cidrBlock) return undefined;
  const peer = ip && cidrContains(subnet.cidrBlock, ip) ? ip : subnet.cidrBlock;
  // Rules are written for the subnet (the next task gets another address): the fix names the subnet's range.
  return { peer, fixPeer: subnet.cidrBlock };
}

/** Internet path: the task subnet to and from anywhere; through a NAT gateway, its subnet too. */
function internetHops(
  subnetId: string,
  acl: NetworkAclRecord,
  task: { peer: string; fixPeer: string } | undefined,
  f: {
    tables: readonly RouteTableRecord[];
    nats: readonly NatGatewayRecord[];
    acls: readonly NetworkAclRecord[];
  },
): Hop[] {
  const hops: Hop[] = [
    {
      role: 'task',
      subnetId,
      acl,
      flows: [
        { flow: 'out-443', peer: '0.0.0.0/0' },
        { flow: 'in-return', peer: '0.0.0.0/0' },
      ],
    },
  ];
  const path = internetPath(subnetId, f.tables);
  const natSubnet =
    path.kind === 'nat' ? f.nats.find((n) => n.natGatewayId === path.target!.id)?.subnetId : undefined;
  const natAcl = natSubnet ? naclOf(natSubnet, f.acls) : undefined;
  if (natSubnet && natAcl) {
    hops.push({
      role: 'nat',
      subnetId: natSubnet,
      acl: natAcl,
      flows: [
        ...(task
          ? [
              { flow: 'in-443' as const, ...task },
              { flow: 'out-return' as const, ...task },
            ]
          : []),
        { flow: 'out-443', peer: '0.0.0.0/0' },
        { flow: 'in-return', peer: '0.0.0.0/0' },
      ],
    });
  }
  return hops;
}

/** Endpoint path: the task subnet to the interface endpoints' subnets and to S3's ranges, and the endpoints' subnets back. */
function endpointHops(
  ctx: TaskContext,
  subnetId: string,
  acl: NetworkAclRecord,
  task: { peer: string; fixPeer: string } | undefined,
  f: {
    tables: readonly RouteTableRecord[];
    endpoints: readonly VpcEndpointRecord[];
    vpc: VpcRecord | undefined;
    vpcSubnets: readonly SubnetRecord[] | undefined;
    acls: readonly NetworkAclRecord[];
    prefixLists: readonly PrefixListRecord[] | undefined;
  },
): Hop[] {
  const interfaces = endpointCoverage(ctx, f.endpoints, false)
    .present.flatMap((p) => p.endpoints)
    .filter((e) => e.type.toLowerCase() === 'interface');
  // Traffic between two addresses of one subnet never crosses its network ACL: only other subnets count.
  const endpointSubnets = [...new Set(interfaces.flatMap((e) => e.subnetIds))].filter(
    (id) => id !== subnetId,
  );
  const cidrOf = (id: string) => f.vpcSubnets?.find((s) => s.subnetId === id)?.cidrBlock;
  const known = endpointSubnets.every((id) => cidrOf(id));
  // Without the endpoints' subnet ranges, the VPC's ranges stand for them (stricter, never looser).
  const endpointPeers = known ? endpointSubnets.map((id) => cidrOf(id)!) : (f.vpc?.cidrBlocks ?? []);
  const peers = [...new Set(endpointSubnets.length ? endpointPeers : [])];
  if (s3GatewayOf(effectiveRouteTable(subnetId, f.tables)?.table, f.endpoints, ctx.region)) {
    const pl = s3PrefixListId(ctx.region, f.prefixLists, f.tables);
    const s3 = f.prefixLists?.find((p) => p.prefixListId === pl)?.cidrs ?? [];
    // S3's ranges unknown: the whole internet stands for them (an ACL open to all passes either way).
    peers.push(...(s3.length ? s3 : ['0.0.0.0/0']));
  }
  const hops: Hop[] = [
    {
      role: 'task',
      subnetId,
      acl,
      flows: peers.flatMap((peer) => [
        { flow: 'out-443' as const, peer },
        { flow: 'in-return' as const, peer },
      ]),
    },
  ];
  if (task) {
    for (const id of endpointSubnets) {
      const epAcl = naclOf(id, f.acls);
      if (!epAcl) continue;
      hops.push({
        role: 'endpoint',
        subnetId: id,
        acl: epAcl,
        flows: [
          { flow: 'in-443', ...task },
          { flow: 'out-return', ...task },
        ],
      });
    }
  }
  return hops;
}

/**
 * A rule number for the new rule: free, and before the rule that denies (the first that matched the flow, so no
 * rule before it matches). Below an explicit rule, the highest free multiple of ten under it; for the final deny,
 * the next hundred after the existing rules.
 */
export function freeRuleNumber(used: readonly number[], denying: number): number | undefined {
  const taken = new Set(used);
  const real = used.filter((n) => n < 32767);
  if (denying >= 32767) {
    const next = (Math.floor(Math.max(0, ...real) / 100) + 1) * 100;
    if (next <= 32766 && !taken.has(next)) return next;
  }
  const below = Math.min(denying, 32767) - 1;
  for (let n = below - (below % 10); n >= 10; n -= 10) if (!taken.has(n)) return n;
  for (let n = below; n >= 1; n--) if (!taken.has(n)) return n;
  return undefined;
}

function ruleName(n: number): string {
  return n === 32767 ? '*' : String(n);
}

/** Evaluates every flow of every hop; the first denied flow fails, a partly denied one warns. */
function evaluate(hops: Hop[], links: CheckInput['links']): CheckResult {
  const evidence: Message[] = [];
  const seen = new Set<string>();
  let failed: CheckResult | undefined;
  let warned: CheckResult | undefined;
  const aclLinks = new Map<string, ReturnType<typeof links.subnet>>();
  for (const hop of hops) {
    const aclId = hop.acl.networkAclId;
    evidence.push(r.ev(`acl.${hop.role}`, { aclId, subnetId: hop.subnetId }));
    aclLinks.set(aclId, links.networkAcl(aclId));
    for (const { flow, peer, fixPeer } of hop.flows) {
      const key = `${aclId}|${flow}|${peer}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const egress = flow.startsWith('out');
      const ports = flow.endsWith('443') ? HTTPS : RETURN;
      const v = naclVerdict(hop.acl, egress, ports, peer);
      const params = { aclId, subnetId: hop.subnetId, peer, rule: ruleName(v.ruleNumber) };
      evidence.push(r.ev(`flow.${flow}.${v.decision}`, params));
      if (v.decision === 'deny' && !failed) {
        failed = r.fail(`fail.${hop.role}-${flow}`, params, {
          remediation: r.fix(`allow-${flow}`, { aclId, peer: fixPeer ?? peer }),
        });
      } else if (v.decision === 'partial' && !warned) {
        warned = r.warn(`warn.partial-${egress ? 'out' : 'in'}`, params, {
          remediation: r.fix('review', { aclId }),
        });
      }
    }
  }
  const first = hops[0]!;
  const own = [
    ...aclLinks.values(),
    ...[...new Set(hops.map((h) => h.subnetId))].map((id) => links.subnet(id)),
  ];
  const result = failed ?? warned ?? r.pass('pass', { aclId: first.acl.networkAclId, count: aclLinks.size });
  return { ...result, evidence, links: own };
}
