import { aws } from '../../commands.js';
import { endpointIds, IAC, one, param } from '../shared/commands.js';
import { worstOf } from '../shared/fold.js';
import { relevantEndpoints } from '../shared/path.js';
import { type CheckResult, defineCheck, type Message, results } from '../types.js';

const r = results('endpoints.availability-zones');

/**
 * Each interface endpoint the task uses has a subnet (an ENI) in the task's availability zone; when the zone is not
 * known (a task rebuilt from its service, a pre-flight), in the zone of each of the task's subnets, any of which it
 * may land in.
 */
export const endpointAzCheck = defineCheck(r, {
  cause: 'vpc-endpoint',
  failedTask: 'refines',
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
    const taskSubnets = (facts.optional('ec2.subnets') ?? []).filter(
      (s) => !ctx.network.subnetIds.length || ctx.network.subnetIds.includes(s.subnetId),
    );
    const zones = ctx.availabilityZone
      ? [ctx.availabilityZone]
      : [...new Set(taskSubnets.map((s) => s.availabilityZone).filter((z): z is string => !!z))];
    if (!zones.length) return r.unknown('unknown.no-az');
    const epLinks = relevant.map(({ endpoint }) => links.endpoint(endpoint.vpcEndpointId));
    const endpointZones = relevant.map(({ req, endpoint }) => ({
      req,
      endpoint,
      zones: endpoint.subnetIds
        .map((s) => subnets.find((x) => x.subnetId === s)?.availabilityZone)
        .filter((z): z is string => !!z),
    }));
    const evidence: Message[] = [
      ...zones.map((az) => r.ev('task-az', { az })),
      ...endpointZones.map(({ req, endpoint, zones: z }) =>
        r.ev('endpoint-azs', {
          service: req.service,
          endpointId: endpoint.vpcEndpointId,
          azs: z.join(', ') || '—',
        }),
      ),
    ];
    const perZone = zones.map((az): CheckResult => {
      const gaps = endpointZones
        .filter(({ zones: z }) => !z.includes(az))
        .map(({ req, endpoint }) => `${req.service} (${endpoint.vpcEndpointId})`);
      if (!gaps.length) return r.pass('pass', { az }, { evidence, links: epLinks });
      const subnetId = taskSubnets.find((s) => s.availabilityZone === az)?.subnetId;
      return r.warn(
        'warn.missing-az',
        { az, endpoints: gaps.join(', ') },
        { evidence, links: epLinks, remediation: r.fix('add-subnet', { az, subnetId: subnetId ?? '?' }) },
      );
    });
    const worst = worstOf(perZone);
    return worst.status === 'pass'
      ? r.pass('pass', { az: zones.join(', ') }, { evidence, links: epLinks })
      : worst;
  },
});
