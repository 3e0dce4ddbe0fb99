import { cidrContains } from '../shared/cidr.js';
import { authorize, param } from '../shared/commands.js';
import { relevantEndpoints, sgAllows } from '../shared/path.js';
import { defineCheck, type Message, results } from '../types.js';

const r = results('endpoints.security-groups');

/** Each interface endpoint's security groups let TCP 443 in from the task (its security groups, or a CIDR holding its address; without one, a CIDR holding each of its subnets). */
export const endpointSecurityGroupsCheck = defineCheck(r, {
  cause: 'vpc-endpoint',
  failedTask: 'refines',
  needs: ['ec2.subnets', 'ec2.securityGroups', 'ec2.vpcEndpoints'],
  commands(result, { context: ctx }) {
    const source = param(result.remediation, 'source');
    const groups = (param(result.remediation, 'groups') ?? '').split(', ').filter((g) => g.startsWith('sg-'));
    if (!source) return [];
    const peer = source.startsWith('sg-') ? { groupId: source } : { cidr: source };
    return groups.map((g) => authorize('ingress', g, 443, peer, ctx.region));
  },
  run({ context: ctx, facts, links }) {
    const relevant = relevantEndpoints(ctx, facts.get('ec2.vpcEndpoints'), 'Interface');
    if (!relevant.length) return r.skip('skip.none');
    const groups = facts.get('ec2.securityGroups');
    const taskSubnets = (facts.optional('ec2.subnets') ?? []).filter(
      (s) => !ctx.network.subnetIds.length || ctx.network.subnetIds.includes(s.subnetId),
    );
    const ip = ctx.network.privateIp;
    const own = ip ? taskSubnets.find((s) => s.cidrBlock && cidrContains(s.cidrBlock, ip)) : undefined;
    // The task's own address when it lies in its subnet; else (no ENI: a pre-flight, a task rebuilt from its
    // service) the range of each subnet it may land in stands for the address it would get there.
    const sources = own && ip ? [ip] : taskSubnets.map((s) => s.cidrBlock).filter((c): c is string => !!c);
    const source = sources[0];
    const taskGroups = ctx.network.securityGroupIds ?? [];
    const evidence: Message[] = [
      r.ev('source', { cidr: sources.join(', ') || '?', groups: taskGroups.join(', ') || '?' }),
    ];
    const blocked: string[] = [];
    const blockedGroups = new Set<string>();
    for (const { req, endpoint } of relevant) {
      const epGroups = groups.filter((g) => endpoint.securityGroupIds.includes(g.groupId));
      const each = (sources.length ? sources : [undefined]).map((cidr) =>
        sgAllows(epGroups, 'ingress', { cidr, groupIds: taskGroups }, 443),
      );
      const ok = each.every(Boolean) ? each[0] : undefined;
      if (ok) {
        evidence.push(
          r.ev('sg-allowed', {
            service: req.service,
            endpointId: endpoint.vpcEndpointId,
            groupId: ok.groupId,
            from: ok.value,
          }),
        );
      } else {
        blocked.push(`${req.service} (${endpoint.vpcEndpointId})`);
        for (const g of endpoint.securityGroupIds) blockedGroups.add(g);
        evidence.push(
          r.ev('sg-blocked', {
            service: req.service,
            endpointId: endpoint.vpcEndpointId,
            groups: endpoint.securityGroupIds.join(', ') || '—',
          }),
        );
      }
    }
    const epLinks = [
      ...[...blockedGroups].map((g) => links.securityGroup(g)),
      ...relevant.map(({ endpoint }) => links.endpoint(endpoint.vpcEndpointId)),
    ];
    if (!taskGroups.length && !source)
      return r.unknown('unknown.no-source', {}, { evidence, links: epLinks });
    if (blocked.length) {
      return r.fail(
        'fail',
        { endpoints: blocked.join(', ') },
        {
          evidence,
          links: epLinks,
          remediation: r.fix('allow-443', {
            groups: [...blockedGroups].join(', ') || '?',
            source: taskGroups[0] ?? source ?? '?',
          }),
        },
      );
    }
    return r.pass('pass', { count: relevant.length }, { evidence, links: epLinks });
  },
});
