import { aws } from '../../commands.js';
import { enableVpcDns, endpointIds, fixOf, IAC, one, param } from '../shared/commands.js';
import { okValue } from '../shared/fold.js';
import { relevantEndpoints, taskHasInternetPath } from '../shared/path.js';
import { defineCheck, type Message, results } from '../types.js';

const r = results('endpoints.private-dns');

/** Interface endpoints resolve privately: private DNS enabled on each, and the VPC's enableDnsSupport and enableDnsHostnames on. */
export const privateDnsCheck = defineCheck(r, {
  cause: 'dns',
  needs: ['ec2.vpcEndpoints', 'ec2.vpcDns', 'ec2.routeTables'],
  commands(result, { context: ctx, facts }) {
    const vpcId = param(result.remediation, 'vpcId');
    if (fixOf(result) === 'vpc-attributes' && vpcId)
      return enableVpcDns(ctx.region, vpcId, okValue(facts.raw('ec2.vpcDns')));
    return endpointIds(param(result.remediation, 'endpoints')).map((id) =>
      one(
        aws('ec2', 'modify-vpc-endpoint', { 'vpc-endpoint-id': id, 'private-dns-enabled': true }, ctx.region),
        {
          iac: IAC.endpointPrivateDns,
        },
      ),
    );
  },
  run({ context: ctx, facts, links }) {
    const relevant = relevantEndpoints(ctx, facts.get('ec2.vpcEndpoints'), 'Interface');
    if (!relevant.length) return r.skip('skip.none');
    const vpc = facts.get('ec2.vpcDns');
    const internet = taskHasInternetPath(ctx, facts.get('ec2.routeTables'));
    const evidence: Message[] = [
      r.ev('vpc-dns', {
        vpcId: vpc.vpcId,
        support: String(vpc.enableDnsSupport ?? '?'),
        hostnames: String(vpc.enableDnsHostnames ?? '?'),
      }),
    ];
    const off = relevant.filter(({ endpoint }) => !endpoint.privateDnsEnabled);
    for (const { req, endpoint } of relevant) {
      evidence.push(
        r.ev('endpoint', {
          service: req.service,
          endpointId: endpoint.vpcEndpointId,
          privateDns: String(!!endpoint.privateDnsEnabled),
        }),
      );
    }
    const epLinks = [
      ...off.map(({ endpoint }) => links.endpoint(endpoint.vpcEndpointId)),
      links.vpcDetails(vpc.vpcId),
    ];
    const vpcOff = vpc.enableDnsSupport === false || vpc.enableDnsHostnames === false;
    if (!off.length && !vpcOff)
      return r.pass('pass', { count: relevant.length }, { evidence, links: epLinks });
    const key = vpcOff ? 'vpc-attributes' : 'endpoint';
    const params = {
      vpcId: vpc.vpcId,
      endpoints:
        off.map(({ req, endpoint }) => `${req.service} (${endpoint.vpcEndpointId})`).join(', ') || '—',
    };
    const remediation = vpcOff ? r.fix('vpc-attributes', { vpcId: vpc.vpcId }) : r.fix('enable', params);
    // With an internet path the names still resolve (to public addresses) and the pull works: a warning.
    if (internet) return r.warn(`warn.${key}`, params, { evidence, links: epLinks, remediation });
    return r.fail(`fail.${key}`, params, { evidence, links: epLinks, remediation });
  },
});
