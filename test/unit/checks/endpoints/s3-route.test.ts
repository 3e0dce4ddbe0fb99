import { describe, expect, it } from 'vitest';
import { s3RouteCheck } from '../../../../src/diagnosis/checks/endpoints/s3-route.js';
import { english, evidenceText, loadFacts, runCheck, setFact, value } from '../../../helpers/checks.js';

const ep = () => loadFacts('network/endpoint-path.json');
const nat = () => loadFacts('network/nat-path.json');

/** Detaches the S3 gateway endpoint from the task subnet's route table (association and prefix-list route). */
function detach(s: ReturnType<typeof ep>) {
  value(s, 'ec2.vpcEndpoints').find((e) => e.type === 'Gateway')!.routeTableIds = ['rtb-0public0000000001'];
  const table = value(s, 'ec2.routeTables')[1]!;
  table.routes = table.routes.filter((r) => !r.destinationPrefixListId);
}

describe('endpoints.s3-route: the S3 gateway endpoint is attached to the route table of each task subnet', () => {
  it('passes when attached, naming endpoint and table', async () => {
    const r = await runCheck(s3RouteCheck, ep());
    expect(r.status).toBe('pass');
    expect(r.message.key).toBe('endpoints:s3-route.pass.attached');
    expect(english(r.message)).toContain('vpce-0s3gateway0000001');
    expect(english(r.message)).toContain('rtb-0private000000001');
    expect(r.links.map((l) => l.kind)).toEqual(['route-table', 'vpc-endpoint']);
  });

  it('fails when a more specific route takes one of S3’s ranges away from the endpoint', async () => {
    const s = ep();
    value(s, 'ec2.routeTables')[1]!.routes.push({
      destinationCidrBlock: '3.5.246.0/24',
      transitGatewayId: 'tgw-0inspect',
      state: 'active',
    });
    const r = await runCheck(s3RouteCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('endpoints:s3-route.fail.overridden');
    expect(english(r.message)).toContain('3.5.244.0/22 to tgw-0inspect (route 3.5.246.0/24');
    expect(english(r.remediation!)).toContain('3.5.246.0/24 → tgw-0inspect in rtb-0private000000001');
  });

  it('lets a broader route be: the prefix list is more specific and wins', async () => {
    const s = ep();
    value(s, 'ec2.routeTables')[1]!.routes.push({
      destinationCidrBlock: '3.5.0.0/16',
      transitGatewayId: 'tgw-0inspect',
      state: 'active',
    });
    expect((await runCheck(s3RouteCheck, s)).status).toBe('pass');
  });

  it('only warns about such a route when a NAT gateway still carries those downloads', async () => {
    const s = ep();
    value(s, 'ec2.routeTables')[1]!.routes.push(
      { destinationCidrBlock: '0.0.0.0/0', natGatewayId: 'nat-0123abcd4567ef890', state: 'active' },
      { destinationCidrBlock: '52.95.128.0/24', natGatewayId: 'nat-0123abcd4567ef890', state: 'active' },
    );
    const r = await runCheck(s3RouteCheck, s);
    expect(r.status).toBe('warn');
    expect(r.message.key).toBe('endpoints:s3-route.warn.overridden');
  });

  it('fails when not attached and there is no internet path', async () => {
    const s = ep();
    detach(s);
    const r = await runCheck(s3RouteCheck, s);
    expect(r.status).toBe('fail');
    expect(english(r.message)).toContain('subnet-0a1b2c3d4e5f67890');
    expect(english(r.remediation!)).toContain('rtb-0private000000001');
    expect(evidenceText(r)).toContain('route tables rtb-0public0000000001');
  });

  it('passes when not attached but S3 is reached over the internet path', async () => {
    const s = nat();
    setFact(
      s,
      'ec2.vpcEndpoints',
      value(ep(), 'ec2.vpcEndpoints').filter((e) => e.type === 'Gateway'),
    );
    value(s, 'ec2.vpcEndpoints')[0]!.routeTableIds = ['rtb-0public0000000001'];
    const r = await runCheck(s3RouteCheck, s);
    expect(r.status).toBe('pass');
    expect(r.message.key).toBe('endpoints:s3-route.pass.via-internet');
  });

  it('passes with an S3 interface endpoint with private DNS instead of a gateway', async () => {
    const s = ep();
    detach(s);
    const gw = value(s, 'ec2.vpcEndpoints').find((e) => e.type === 'Gateway')!;
    Object.assign(gw, { type: 'Interface', privateDnsEnabled: true, routeTableIds: [] });
    const r = await runCheck(s3RouteCheck, s);
    expect(r.status).toBe('pass');
    expect(r.message.key).toBe('endpoints:s3-route.pass.interface');
  });

  it('does not apply without an S3 gateway endpoint', async () => {
    const r = await runCheck(s3RouteCheck, nat());
    expect(r.status).toBe('skip');
    expect(r.message.key).toBe('endpoints:s3-route.skip.no-gateway');
  });

  it('is unknown when no route table governs the subnet', async () => {
    const s = ep();
    setFact(
      s,
      'ec2.routeTables',
      value(s, 'ec2.routeTables').filter((t) => t.routeTableId === 'rtb-0public0000000001'),
    );
    const r = await runCheck(s3RouteCheck, s);
    expect(r.status).toBe('unknown');
    expect(r.message.key).toBe('endpoints:s3-route.unknown.no-table');
  });
});
