import { cidrContains } from '../shared/cidr.js';
import { authorize, param } from '../shared/commands.js';
import { relevantEndpoints, sgAllows } from '../shared/path.js';
import { defineCheck, type Message, results } from '../types.js';

const r = results('endpoints.security-groups');

/** Each interface endpoint's security groups let TCP 443 in from the task (its security groups, or a CIDR holding its address). */
export const endpointSecurityGroupsCheck = defineCheck(r, {
  cause: 'vpc-endpoint',
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
    const subnet = facts.optional('ec2.subnets')?.[0];
    const ip = ctx.network.privateIp;
    // The task's own address when it lies in its subnet, else the subnet's range stands for it.
    const source = ip && subnet?.cidrBlock && cidrContains(subnet.cidrBlock, ip) ? ip : subnet?.cidrBlock;
    const taskGroups = ctx.network.securityGroupIds ?? [];
    const evidence: Message[] = [
      r.ev('source', { cidr: source ?? '?', groups: taskGroups.join(', ') || '?' }),
    ];
    const blocked: string[] = [];
    const blockedGroups = new Set<string>();
    for (const { req, endpoint } of relevant) {
      const epGroups = groups.filter((g) => endpoint.securityGroupIds.includes(g.groupId));
      const ok = sgAllows(epGroups, 'ingress', { cidr: source, groupIds: taskGroups }, 443);
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
