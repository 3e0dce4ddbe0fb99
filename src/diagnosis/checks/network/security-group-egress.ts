import type { SecurityGroupRecord } from '../../facts/ec2.js';
import { authorize, fixOf, param } from '../shared/commands.js';
import { okValue, subnetIdsOf, worstOf } from '../shared/fold.js';
import {
  effectiveRouteTable,
  endpointCoverage,
  endpointPathComplete,
  hasInternetPath,
  s3GatewayOf,
  s3PrefixListId,
  sgAllows,
  sgAllowsAll,
  sgPartialCidrs,
} from '../shared/path.js';
import { type CheckResult, defineCheck, type Message, results } from '../types.js';

const r = results('network.security-group-egress');

/** The task's security groups let TCP 443 out to where the pull goes: the internet, or the VPC endpoints and the S3 prefix list. */
export const securityGroupEgressCheck = defineCheck(r, {
  cause: 'network-security-group',
  needs: [
    'ec2.subnets',
    'ec2.routeTables',
    'ec2.securityGroups',
    'ec2.vpcEndpoints',
    'ec2.prefixLists',
    'ec2.vpc',
    'ec2.vpcDns',
    'ec2.vpcSubnets',
  ],
  commands(result, { context: ctx, facts }) {
    const groupId = param(result.remediation, 'groupId');
    const fix = fixOf(result);
    if (!groupId) return [];
    if (fix === 'allow-443') return [authorize('egress', groupId, 443, { cidr: '0.0.0.0/0' }, ctx.region)];
    // The interface endpoints sit in the VPC: its ranges reach every one of them.
    const cidrs = okValue(facts.raw('ec2.vpc'))?.cidrBlocks ?? [];
    const out = cidrs.map((cidr) => authorize('egress', groupId, 443, { cidr }, ctx.region));
    const prefixListId = param(result.remediation, 'prefixList');
    if (fix === 'allow-endpoints' && prefixListId?.startsWith('pl-') && prefixListId !== 'pl-…')
      out.push(authorize('egress', groupId, 443, { prefixListId }, ctx.region));
    return out;
  },
  run({ context: ctx, facts, links }) {
    const subnets = subnetIdsOf(ctx);
    if (!subnets) return r.unknown('unknown.no-subnets');
    const ids = ctx.network.securityGroupIds;
    if (!ids?.length) return r.unknown('unknown.no-groups');
    const all = facts.get('ec2.securityGroups');
    const groups = all.filter((g) => ids.includes(g.groupId));
    const sgLinks = ids.map((id) => links.securityGroup(id));
    if (!groups.length) return r.unknown('unknown.groups-gone', { groups: ids }, { links: sgLinks });
    const tables = facts.get('ec2.routeTables');
    const endpoints = facts.get('ec2.vpcEndpoints');
    const vpc = okValue(facts.raw('ec2.vpc'));
    const dns = okValue(facts.raw('ec2.vpcDns'));
    const prefixLists = okValue(facts.raw('ec2.prefixLists'));
    const vpcSubnets = okValue(facts.raw('ec2.vpcSubnets'));
    const base = [r.ev('task-groups', { groups: ids.join(', ') })];

    return worstOf(
      subnets.map((subnetId): CheckResult => {
        if (endpointPathComplete(ctx, subnetId, tables, endpoints, dns)) {
          return endpointPath(groups, ids, subnetId);
        }
        const allowed = sgAllows(groups, 'egress', { cidr: '0.0.0.0/0' }, 443);
        if (allowed) {
          return r.pass(
            'pass.internet',
            { groupId: allowed.groupId, to: allowed.value },
            {
              evidence: [...base, r.ev('rule', { groupId: allowed.groupId, to: allowed.value })],
              links: sgLinks,
            },
          );
        }
        const partial = sgPartialCidrs(groups, 'egress', 443);
        const usable = hasInternetPath(ctx, subnetId, tables);
        if (partial.length) {
          return r.warn(
            'warn.partial',
            { cidrs: partial.join(', ') },
            {
              evidence: base,
              links: sgLinks,
              remediation: r.fix('allow-443', { groupId: ids[0]! }),
            },
          );
        }
        return r.fail(
          usable ? 'fail.internet' : 'fail.no-egress',
          { groups: ids.join(', ') },
          {
            evidence: base,
            links: sgLinks,
            remediation: r.fix('allow-443', { groupId: ids[0]! }),
          },
        );
      }),
    );

    function endpointPath(mine: SecurityGroupRecord[], taskIds: string[], subnetId: string): CheckResult {
      const cov = endpointCoverage(ctx, endpoints, false);
      const blocked: string[] = [];
      const evidence: Message[] = [...base];
      for (const { req, endpoints: eps } of cov.present) {
        for (const ep of eps) {
          if (ep.type.toLowerCase() !== 'interface') continue;
          // The endpoint's network interfaces sit in its subnets: a rule must reach all of them (private DNS
          // answers with every one), or reference the endpoint's security groups.
          const cidrs = ep.subnetIds.map((id) => vpcSubnets?.find((x) => x.subnetId === id)?.cidrBlock);
          const known = cidrs.every((c): c is string => !!c) && cidrs.length > 0;
          const ok =
            sgAllows(mine, 'egress', { groupIds: ep.securityGroupIds }, 443) ??
            sgAllowsAll(mine, 'egress', known ? (cidrs as string[]) : (vpc?.cidrBlocks ?? []), 443)?.[0];
          if (ok)
            evidence.push(
              r.ev('rule-endpoint', { endpointId: ep.vpcEndpointId, groupId: ok.groupId, to: ok.value }),
            );
          else blocked.push(`${req.service} (${ep.vpcEndpointId})`);
        }
      }
      if (gatewayForS3(subnetId)) {
        const pl = s3PrefixListId(ctx.region, prefixLists, tables);
        const s3Cidrs = prefixLists?.find((p) => p.prefixListId === pl)?.cidrs ?? [];
        // The prefix list (or everything), else S3's ranges one by one when the rules name CIDRs.
        const byRanges = sgAllowsAll(mine, 'egress', s3Cidrs, 443);
        const s3 =
          sgAllows(mine, 'egress', { prefixListId: pl, cidr: '0.0.0.0/0' }, 443) ??
          (byRanges
            ? { groupId: byRanges[0]!.groupId, value: [...new Set(byRanges.map((m) => m.value))].join(', ') }
            : undefined);
        if (s3) evidence.push(r.ev('rule-s3', { groupId: s3.groupId, to: s3.value }));
        else blocked.push(`S3 ${pl ?? '(prefix list)'}`);
        if (blocked.length) {
          return r.fail(
            'fail.endpoints',
            { targets: blocked.join(', '), subnetId },
            {
              evidence,
              links: sgLinks,
              remediation: r.fix('allow-endpoints', { groupId: taskIds[0]!, prefixList: pl ?? 'pl-…' }),
            },
          );
        }
      } else if (blocked.length) {
        return r.fail(
          'fail.endpoints',
          { targets: blocked.join(', '), subnetId },
          { evidence, links: sgLinks, remediation: r.fix('allow-interfaces', { groupId: taskIds[0]! }) },
        );
      }
      return r.pass('pass.endpoints', {}, { evidence, links: sgLinks });
    }

    function gatewayForS3(subnetId: string) {
      return s3GatewayOf(effectiveRouteTable(subnetId, tables)?.table, endpoints, ctx.region);
    }
  },
});
