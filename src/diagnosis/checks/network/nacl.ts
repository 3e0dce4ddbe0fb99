import { type Check, type CheckResult, type Message, results } from '../types.js';
import { endpointsServe, subnetIdsOf, worstOf } from './common.js';
import { naclOf, naclVerdict } from './path.js';

const r = results('network.nacl');

/** The subnet's network ACL lets TCP 443 out and the return traffic (1024–65535) back in, rules evaluated in order with the final deny. */
export const naclCheck: Check = {
  id: 'network.nacl',
  needs: [
    'ec2.subnets',
    'ec2.routeTables',
    'ec2.networkAcls',
    'ec2.vpcEndpoints',
    'ec2.vpc',
    'ec2.prefixLists',
  ],
  run({ context: ctx, facts, links }) {
    const subnets = subnetIdsOf(ctx);
    if (!subnets) return r.unknown('unknown.no-subnets');
    const acls = facts.get('ec2.networkAcls');
    const tables = facts.get('ec2.routeTables');
    const endpoints = facts.get('ec2.vpcEndpoints');
    const vpc = facts.optional('ec2.vpc');
    const s3 = facts
      .optional('ec2.prefixLists')
      ?.find((p) => p.prefixListName.endsWith(`${ctx.region}.s3`))?.cidrs;
    return worstOf(
      subnets.map((subnetId): CheckResult => {
        const acl = naclOf(subnetId, acls);
        if (!acl) return r.unknown('unknown.no-acl', { subnetId }, { links: [links.subnet(subnetId)] });
        const aclLinks = [links.networkAcl(acl.networkAclId), links.subnet(subnetId)];
        // Where the pull's packets go: the whole internet, or the VPC's endpoints plus S3's public ranges.
        const peers = endpointsServe(ctx, subnetId, tables, endpoints, vpc)
          ? [...(vpc?.cidrBlocks ?? []), ...(s3?.length ? s3 : ['0.0.0.0/0'])]
          : ['0.0.0.0/0'];
        const evidence: Message[] = [r.ev('acl', { aclId: acl.networkAclId, subnetId })];
        let worst: CheckResult | undefined;
        for (const peer of peers) {
          const out = naclVerdict(acl, true, { from: 443, to: 443 }, peer);
          const back = naclVerdict(acl, false, { from: 1024, to: 65535 }, peer);
          evidence.push(r.ev(`flow-out.${out.decision}`, { peer, rule: ruleName(out.ruleNumber) }));
          evidence.push(r.ev(`flow-in.${back.decision}`, { peer, rule: ruleName(back.ruleNumber) }));
          const params = { aclId: acl.networkAclId, peer };
          if (out.decision === 'deny') {
            worst = r.fail(
              'fail.egress',
              { ...params, rule: ruleName(out.ruleNumber) },
              {
                remediation: r.fix('allow-egress', { aclId: acl.networkAclId }),
              },
            );
            break;
          }
          if (back.decision === 'deny') {
            worst = r.fail(
              'fail.ingress',
              { ...params, rule: ruleName(back.ruleNumber) },
              {
                remediation: r.fix('allow-ingress', { aclId: acl.networkAclId }),
              },
            );
            break;
          }
          if (!worst && (out.decision === 'partial' || back.decision === 'partial')) {
            const rule = out.decision === 'partial' ? out.ruleNumber : back.ruleNumber;
            worst = r.warn(
              'warn.partial',
              { ...params, rule: ruleName(rule) },
              {
                remediation: r.fix('review', { aclId: acl.networkAclId }),
              },
            );
          }
        }
        const result = worst ?? r.pass('pass', { aclId: acl.networkAclId });
        return { ...result, evidence, links: aclLinks };
      }),
    );
  },
};

function ruleName(n: number): string {
  return n === 32767 ? '*' : String(n);
}
