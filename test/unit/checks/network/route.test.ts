import { describe, expect, it } from 'vitest';
import { routeCheck } from '../../../../src/diagnosis/checks/network/route.js';
import { i18n } from '../../../../src/i18n.js';
import {
  denyFact,
  english,
  evidenceText,
  loadFacts,
  runCheck,
  setFact,
  value,
} from '../../../helpers/checks.js';

const nat = () => loadFacts('network/nat-path.json');
const ep = () => loadFacts('network/endpoint-path.json');

describe('network.route: each task subnet routes internet traffic (most specific route) to an active NAT or internet gateway, or the endpoints carry the pull', () => {
  it('passes through an active NAT gateway, naming subnet, table and target', async () => {
    const r = await runCheck(routeCheck, nat());
    expect(r.status).toBe('pass');
    expect(english(r.message)).toContain('nat-0123abcd4567ef890');
    expect(evidenceText(r)).toContain('rtb-0private000000001 (explicit association)');
    expect(evidenceText(r)).toContain(
      'rtb-0private000000001: 0.0.0.0/0 → nat-0123abcd4567ef890 (active), the most specific route for internet addresses',
    );
    expect(r.links.map((l) => l.kind)).toEqual(['subnet', 'route-table', 'nat-gateway']);
  });

  it('follows the most specific route: a split default to a transit gateway overrides 0.0.0.0/0', async () => {
    const s = nat();
    value(s, 'ec2.routeTables')[1]!.routes.push(
      { destinationCidrBlock: '0.0.0.0/1', transitGatewayId: 'tgw-0split', state: 'active' },
      { destinationCidrBlock: '128.0.0.0/1', transitGatewayId: 'tgw-0split', state: 'active' },
    );
    const r = await runCheck(routeCheck, s);
    expect(r.status).toBe('warn');
    expect(r.message.key).toBe('network:route.warn.custom');
    expect(english(r.message)).toContain('tgw-0split');
  });

  it('a blackhole more specific than an active default still drops the traffic', async () => {
    const s = nat();
    value(s, 'ec2.routeTables')[1]!.routes.push(
      { destinationCidrBlock: '0.0.0.0/1', natGatewayId: 'nat-0gone', state: 'blackhole' },
      { destinationCidrBlock: '128.0.0.0/1', natGatewayId: 'nat-0gone', state: 'blackhole' },
    );
    const r = await runCheck(routeCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('network:route.fail.blackhole');
    expect(english(r.remediation!)).toContain('0.0.0.0/1');
  });

  it('a narrow route elsewhere does not replace the default route, and shows in the evidence', async () => {
    const s = nat();
    value(s, 'ec2.routeTables')[1]!.routes.push({
      destinationCidrBlock: '52.0.0.0/8',
      vpcPeeringConnectionId: 'pcx-0abc',
      state: 'active',
    });
    const r = await runCheck(routeCheck, s);
    expect(r.status).toBe('pass');
    expect(evidenceText(r)).toContain('52.0.0.0/8 → pcx-0abc (active), more specific');
  });

  it('does not take the S3 gateway endpoint’s prefix-list route for an internet route', async () => {
    const s = ep();
    setFact(
      s,
      'ec2.vpcEndpoints',
      value(s, 'ec2.vpcEndpoints').filter((e) => e.type === 'Gateway'),
    );
    value(s, 'ecs.task').task.containers![0]!.image = 'ghcr.io/acme/checkout:2.14.0';
    const r = await runCheck(routeCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('network:route.fail.none-external');
    expect(evidenceText(r)).toContain('pl-0e3f4a5b → vpce-0s3gateway0000001 (covers only the addresses');
    expect(evidenceText(r)).toContain('no route for internet addresses');
  });

  it('uses the main route table when the subnet has no explicit association', async () => {
    const s = nat();
    const tables = value(s, 'ec2.routeTables');
    tables[1]!.subnetIds = [];
    const r = await runCheck(routeCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('network:route.fail.none');
    expect(evidenceText(r)).toContain("rtb-0main000000000001 (the VPC's main table");
    expect(english(r.remediation!)).toContain('rtb-0main000000000001');
  });

  it('fails on a blackhole default route', async () => {
    const s = nat();
    value(s, 'ec2.routeTables')[1]!.routes[1]!.state = 'blackhole';
    const r = await runCheck(routeCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('network:route.fail.blackhole');
    expect(english(r.message)).toContain('nat-0123abcd4567ef890');
  });

  it('warns on a blackhole when the endpoints still carry the pull', async () => {
    const s = ep();
    value(s, 'ec2.routeTables')[1]!.routes.push({
      destinationCidrBlock: '0.0.0.0/0',
      natGatewayId: 'nat-0dead',
      state: 'blackhole',
    });
    const r = await runCheck(routeCheck, s);
    expect(r.status).toBe('warn');
    expect(r.message.key).toBe('network:route.warn.blackhole-endpoints');
  });

  it('warns on a custom target such as a transit gateway', async () => {
    const s = nat();
    value(s, 'ec2.routeTables')[1]!.routes[1] = {
      destinationCidrBlock: '0.0.0.0/0',
      transitGatewayId: 'tgw-0abc',
      state: 'active',
    };
    const r = await runCheck(routeCheck, s);
    expect(r.status).toBe('warn');
    expect(english(r.message)).toContain('tgw-0abc, a transit gateway: a custom path');
    const it_ = i18n().getFixedT('it')(r.message.key, r.message.params as Record<string, unknown>) as string;
    expect(it_).toContain('tgw-0abc, un gateway di transito: un percorso personalizzato');
  });

  it('passes a private subnet with no internet route when the endpoint path is complete', async () => {
    const r = await runCheck(routeCheck, ep());
    expect(r.status).toBe('pass');
    expect(r.message.key).toBe('network:route.pass.endpoints-only');
  });

  it('defers to the endpoint checks when a private subnet relies on incomplete endpoints', async () => {
    const s = ep();
    setFact(
      s,
      'ec2.vpcEndpoints',
      value(s, 'ec2.vpcEndpoints').filter((e) => !e.serviceName.endsWith('ecr.api')),
    );
    const r = await runCheck(routeCheck, s);
    expect(r.status).toBe('skip');
    expect(r.message.key).toBe('network:route.skip.endpoint-path');
    expect(english(r.message)).toContain('endpoint checks');
  });

  it('passes a custom target when the VPC endpoints carry the pull anyway', async () => {
    const s = ep();
    value(s, 'ec2.routeTables')[1]!.routes.push({
      destinationCidrBlock: '0.0.0.0/0',
      transitGatewayId: 'tgw-0abc',
      state: 'active',
    });
    const r = await runCheck(routeCheck, s);
    expect(r.status).toBe('pass');
    expect(r.message.key).toBe('network:route.pass.endpoints-custom');
  });

  it('is unknown when no route table governs the subnet in the data read', async () => {
    const s = nat();
    setFact(
      s,
      'ec2.routeTables',
      value(s, 'ec2.routeTables').filter((t) => !t.main && !t.subnetIds.includes('subnet-0a1b2c3d4e5f67890')),
    );
    const r = await runCheck(routeCheck, s);
    expect(r.status).toBe('unknown');
    expect(r.message.key).toBe('network:route.unknown.no-table');
  });

  it('fails a private subnet with neither a route nor endpoints', async () => {
    const s = ep();
    setFact(s, 'ec2.vpcEndpoints', []);
    const r = await runCheck(routeCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('network:route.fail.none');
  });

  it('says endpoints cannot help an image outside ECR', async () => {
    const s = ep();
    const td = value(s, 'ecs.taskDefinition');
    td.containerDefinitions![0]!.image = 'nginx:1.27';
    value(s, 'ecs.task').task.containers![0]!.image = 'nginx:1.27';
    const r = await runCheck(routeCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('network:route.fail.none-external');
    expect(english(r.message)).toContain('nginx:1.27');
  });

  it('is unknown naming the action when route tables could not be read', async () => {
    const s = nat();
    denyFact(s, 'ec2.routeTables', 'ec2:DescribeRouteTables');
    const r = await runCheck(routeCheck, s);
    expect(r.status).toBe('unknown');
    expect(r.missing?.error.action).toBe('ec2:DescribeRouteTables');
    expect(english(r.message)).toContain('ec2:DescribeRouteTables');
  });

  it('is unknown when the task subnets are not known', async () => {
    const s = nat();
    value(s, 'ecs.task').task.attachments = [];
    s.facts['ecs.service'] = {
      ok: false,
      round: 2,
      error: { kind: 'not-applicable', code: 'NotApplicable', message: 'x' },
    };
    const r = await runCheck(routeCheck, s);
    expect(r.status).toBe('unknown');
    expect(r.message.key).toBe('network:route.unknown.no-subnets');
  });
});
