import { describe, expect, it } from 'vitest';
import { privateDnsCheck } from '../../../../src/diagnosis/checks/endpoints/private-dns.js';
import { english, evidenceText, loadFacts, runCheck, value } from '../../../helpers/checks.js';

const ep = () => loadFacts('network/endpoint-path.json');
const nat = () => loadFacts('network/nat-path.json');
const withNat = (s: ReturnType<typeof ep>) =>
  value(s, 'ec2.routeTables')[1]!.routes.push({
    destinationCidrBlock: '0.0.0.0/0',
    natGatewayId: 'nat-0123abcd4567ef890',
    state: 'active',
  });

describe('endpoints.private-dns: interface endpoints resolve privately (private DNS on, VPC DNS attributes on)', () => {
  it('passes with private DNS and the VPC DNS attributes on', async () => {
    const r = await runCheck(privateDnsCheck, ep());
    expect(r.status).toBe('pass');
    expect(evidenceText(r)).toContain('enableDnsSupport true, enableDnsHostnames true');
  });

  it('fails without private DNS on an endpoint-only path', async () => {
    const s = ep();
    value(s, 'ec2.vpcEndpoints')[1]!.privateDnsEnabled = false;
    const r = await runCheck(privateDnsCheck, s);
    expect(r.status).toBe('fail');
    expect(english(r.message)).toContain('ecr.dkr (vpce-0ecrdkr00000000001)');
    expect(r.links.map((l) => l.id)).toContain('vpce-0ecrdkr00000000001');
  });

  it('fails when the VPC has DNS hostnames off', async () => {
    const s = ep();
    value(s, 'ec2.vpcDns').enableDnsHostnames = false;
    const r = await runCheck(privateDnsCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('endpoints:private-dns.fail.vpc-attributes');
    expect(english(r.remediation!)).toContain('vpc-0123456789abcdef0');
  });

  it('only warns when an internet path exists (the pull goes around the endpoints)', async () => {
    const s = ep();
    value(s, 'ec2.vpcEndpoints')[1]!.privateDnsEnabled = false;
    withNat(s);
    const r = await runCheck(privateDnsCheck, s);
    expect(r.status).toBe('warn');
    expect(r.message.key).toBe('endpoints:private-dns.warn.endpoint');
  });

  it('warns about the VPC attributes when an internet path exists', async () => {
    const s = ep();
    value(s, 'ec2.vpcDns').enableDnsSupport = false;
    withNat(s);
    expect((await runCheck(privateDnsCheck, s)).message.key).toBe(
      'endpoints:private-dns.warn.vpc-attributes',
    );
  });

  it('does not apply without interface endpoints', async () => {
    expect((await runCheck(privateDnsCheck, nat())).status).toBe('skip');
  });

  it('is unknown naming the action when the VPC attributes could not be read', async () => {
    const s = ep();
    s.facts['ec2.vpcDns'] = {
      ok: false,
      round: 3,
      error: {
        kind: 'denied',
        code: 'UnauthorizedOperation',
        message: 'x',
        action: 'ec2:DescribeVpcAttribute',
      },
    };
    const r = await runCheck(privateDnsCheck, s);
    expect(r.status).toBe('unknown');
    expect(english(r.message)).toContain('ec2:DescribeVpcAttribute');
  });
});
