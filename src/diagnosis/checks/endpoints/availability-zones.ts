import { aws } from '../../commands.js';
import { endpointIds, IAC, one, param } from '../shared/commands.js';
import { relevantEndpoints } from '../shared/path.js';
import { defineCheck, type Message, results } from '../types.js';

const r = results('endpoints.availability-zones');

/** Each interface endpoint the task uses has a subnet (an ENI) in the task's availability zone. */
export const endpointAzCheck = defineCheck(r, {
  cause: 'vpc-endpoint',
  needs: ['ec2.subnets', 'ec2.vpcSubnets', 'ec2.vpcEndpoints'],
  commands(result, { context: ctx }) {
    const subnetId = param(result.remediation, 'subnetId');
    if (!subnetId) return [];
    return endpointIds(param(result.message, 'endpoints')).map((id) =>
      one(
        aws('ec2', 'modify-vpc-endpoint', { 'vpc-endpoint-id': id, 'add-subnet-ids': subnetId }, ctx.region),
        {
          iac: IAC.endpointSubnets,
        },
      ),
    );
  },
  run({ context: ctx, facts, links }) {
    const relevant = relevantEndpoints(ctx, facts.get('ec2.vpcEndpoints'), 'Interface');
    if (!relevant.length) return r.skip('skip.none');
    const subnets = facts.optional('ec2.vpcSubnets') ?? [];
    const taskSubnet = facts.optional('ec2.subnets')?.[0];
    const az = ctx.availabilityZone ?? taskSubnet?.availabilityZone;
    if (!az) return r.unknown('unknown.no-az');
    const evidence: Message[] = [r.ev('task-az', { az })];
    const gaps: string[] = [];
    for (const { req, endpoint } of relevant) {
      const zones = endpoint.subnetIds
        .map((s) => subnets.find((x) => x.subnetId === s)?.availabilityZone)
        .filter((z): z is string => !!z);
      evidence.push(
        r.ev('endpoint-azs', {
          service: req.service,
          endpointId: endpoint.vpcEndpointId,
          azs: zones.join(', ') || '—',
        }),
      );
      if (!zones.includes(az)) gaps.push(`${req.service} (${endpoint.vpcEndpointId})`);
    }
    const epLinks = relevant.map(({ endpoint }) => links.endpoint(endpoint.vpcEndpointId));
    if (gaps.length) {
      return r.warn(
        'warn.missing-az',
        { az, endpoints: gaps.join(', ') },
        {
          evidence,
          links: epLinks,
          remediation: r.fix('add-subnet', { az, subnetId: taskSubnet?.subnetId ?? '?' }),
        },
      );
    }
    return r.pass('pass', { az }, { evidence, links: epLinks });
  },
});
