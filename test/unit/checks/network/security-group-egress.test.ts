import { describe, expect, it } from 'vitest';
import { securityGroupEgressCheck } from '../../../../src/diagnosis/checks/network/security-group-egress.js';
import { english, evidenceText, loadFacts, runCheck, setFact, value } from '../../../helpers/checks.js';

describe('network.security-group-egress: the task’s security groups let TCP 443 out where the pull goes (internet, or endpoints and S3)', () => {
  it('passes with an allow-all egress rule on the internet path', async () => {
    const r = await runCheck(securityGroupEgressCheck, loadFacts('network/nat-path.json'));
    expect(r.status).toBe('pass');
    expect(english(r.message)).toContain('sg-0c1d2e3f4a5b6c7d8');
  });

  it('fails when the task security group has no egress at all', async () => {
    const s = loadFacts('network/nat-path.json');
    value(s, 'ec2.securityGroups')[0]!.egress = [];
    const r = await runCheck(securityGroupEgressCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('network:security-group-egress.fail.internet');
    expect(english(r.remediation!)).toContain('TCP 443 to 0.0.0.0/0');
    expect(r.links[0]?.kind).toBe('security-group');
  });

  it('says "no egress at all" when the subnet has no way out either', async () => {
    const s = loadFacts('network/endpoint-path.json');
    setFact(s, 'ec2.vpcEndpoints', []);
    value(s, 'ec2.securityGroups')[0]!.egress = [];
    const r = await runCheck(securityGroupEgressCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('network:security-group-egress.fail.no-egress');
  });

  it('ignores rules for other ports and protocols', async () => {
    const s = loadFacts('network/nat-path.json');
    value(s, 'ec2.securityGroups')[0]!.egress = [
      {
        protocol: 'tcp',
        fromPort: 80,
        toPort: 80,
        cidrs: ['0.0.0.0/0'],
        ipv6Cidrs: [],
        prefixListIds: [],
        groupIds: [],
      },
      {
        protocol: 'udp',
        fromPort: 443,
        toPort: 443,
        cidrs: ['0.0.0.0/0'],
        ipv6Cidrs: [],
        prefixListIds: [],
        groupIds: [],
      },
    ];
    expect((await runCheck(securityGroupEgressCheck, s)).status).toBe('fail');
  });

  it('warns when 443 is allowed only to some ranges', async () => {
    const s = loadFacts('network/nat-path.json');
    value(s, 'ec2.securityGroups')[0]!.egress = [
      {
        protocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        cidrs: ['10.0.0.0/8'],
        ipv6Cidrs: [],
        prefixListIds: [],
        groupIds: [],
      },
    ];
    const r = await runCheck(securityGroupEgressCheck, s);
    expect(r.status).toBe('warn');
    expect(english(r.message)).toContain('10.0.0.0/8');
  });

  it('passes on the endpoint path with 443 to the VPC and to the S3 prefix list', async () => {
    const r = await runCheck(securityGroupEgressCheck, loadFacts('network/endpoint-path.json'));
    expect(r.status).toBe('pass');
    expect(evidenceText(r)).toContain('pl-0e3f4a5b (S3)');
  });

  it('fails on the endpoint path without egress to the S3 prefix list (the case the runbook missed)', async () => {
    const s = loadFacts('network/endpoint-path.json');
    value(s, 'ec2.securityGroups')[0]!.egress.pop();
    const r = await runCheck(securityGroupEgressCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('network:security-group-egress.fail.endpoints');
    expect(english(r.message)).toContain('S3 pl-0e3f4a5b');
  });

  it('accepts a rule that references the endpoint security group', async () => {
    const s = loadFacts('network/endpoint-path.json');
    value(s, 'ec2.securityGroups')[0]!.egress[0] = {
      protocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      cidrs: [],
      ipv6Cidrs: [],
      prefixListIds: [],
      groupIds: ['sg-0endpoint000000001'],
    };
    expect((await runCheck(securityGroupEgressCheck, s)).status).toBe('pass');
  });

  it('on the endpoint path, needs 443 to every subnet of each endpoint, not only the task’s own', async () => {
    const s = loadFacts('network/endpoint-path.json');
    value(s, 'ec2.securityGroups')[0]!.egress[0]!.cidrs = ['10.40.12.0/24'];
    const r = await runCheck(securityGroupEgressCheck, s);
    expect(r.status).toBe('fail');
    expect(english(r.message)).toContain('ecr.api (vpce-0ecrapi00000000001)');
    expect(english(r.message)).not.toContain('S3');
  });

  it('accepts S3 by its ranges when no rule names the prefix list', async () => {
    const s = loadFacts('network/endpoint-path.json');
    const egress = value(s, 'ec2.securityGroups')[0]!.egress;
    egress[1] = { ...egress[1]!, prefixListIds: [], cidrs: ['52.95.128.0/21', '3.5.244.0/22'] };
    const r = await runCheck(securityGroupEgressCheck, s);
    expect(r.status).toBe('pass');
    expect(evidenceText(r)).toContain('3.5.244.0/22 (S3)');
    egress[1] = { ...egress[1]!, cidrs: ['52.95.128.0/21'] };
    expect((await runCheck(securityGroupEgressCheck, s)).status).toBe('fail');
  });

  it('with S3 through an interface endpoint, needs no prefix-list rule', async () => {
    const s = loadFacts('network/endpoint-path.json');
    const gw = value(s, 'ec2.vpcEndpoints').find((e) => e.type === 'Gateway')!;
    Object.assign(gw, {
      type: 'Interface',
      privateDnsEnabled: true,
      routeTableIds: [],
      subnetIds: ['subnet-0a1b2c3d4e5f67890', 'subnet-0b2c3d4e5f6a78901'],
      securityGroupIds: ['sg-0endpoint000000001'],
    });
    const table = value(s, 'ec2.routeTables')[1]!;
    table.routes = table.routes.filter((r) => !r.destinationPrefixListId);
    value(s, 'ec2.securityGroups')[0]!.egress.pop();
    const r = await runCheck(securityGroupEgressCheck, s);
    expect(r.status).toBe('pass');
    value(s, 'ec2.securityGroups')[0]!.egress = [];
    const blocked = await runCheck(securityGroupEgressCheck, s);
    expect(blocked.status).toBe('fail');
    expect(english(blocked.remediation!)).toContain('subnets where the endpoints sit');
  });

  it('is unknown when the task security groups no longer exist', async () => {
    const s = loadFacts('network/nat-path.json');
    value(s, 'ec2.securityGroups').shift();
    const r = await runCheck(securityGroupEgressCheck, s);
    expect(r.status).toBe('unknown');
    expect(r.message.key).toBe('network:security-group-egress.unknown.groups-gone');
  });

  it('is unknown when the task security groups are not known', async () => {
    const s = loadFacts('network/nat-path.json');
    delete value(s, 'ecs.service').networkConfiguration!.awsvpcConfiguration!.securityGroups;
    const r = await runCheck(securityGroupEgressCheck, s);
    expect(r.status).toBe('unknown');
    expect(r.message.key).toBe('network:security-group-egress.unknown.no-groups');
  });
});
