import { describe, expect, it } from 'vitest';
import { endpointSecurityGroupsCheck } from '../../../../src/diagnosis/checks/endpoints/security-groups.js';
import type { SgRule } from '../../../../src/diagnosis/facts/ec2.js';
import { english, evidenceText, loadFacts, runCheck, value } from '../../../helpers/checks.js';

const ep = () => loadFacts('network/endpoint-path.json');
const nat = () => loadFacts('network/nat-path.json');
const rule = (r: Partial<SgRule>): SgRule => ({
  protocol: 'tcp',
  fromPort: 443,
  toPort: 443,
  cidrs: [],
  ipv6Cidrs: [],
  prefixListIds: [],
  groupIds: [],
  ...r,
});

describe('endpoints.security-groups: each interface endpoint’s security groups let TCP 443 in from the task', () => {
  it('passes when the endpoint group allows the VPC range, naming the rule', async () => {
    const r = await runCheck(endpointSecurityGroupsCheck, ep());
    expect(r.status).toBe('pass');
    expect(evidenceText(r)).toContain('sg-0endpoint000000001 allows TCP 443 from 10.40.0.0/16');
    expect(evidenceText(r)).toContain('Task: 10.40.12.77, security groups sg-0c1d2e3f4a5b6c7d8');
  });

  it('fails when the endpoint group does not allow 443 from the task', async () => {
    const s = ep();
    value(s, 'ec2.securityGroups')[1]!.ingress = [rule({ cidrs: ['192.168.0.0/16'] })];
    const r = await runCheck(endpointSecurityGroupsCheck, s);
    expect(r.status).toBe('fail');
    expect(english(r.message)).toContain('vpce-0ecrdkr00000000001');
    expect(english(r.remediation!)).toContain('sg-0endpoint000000001');
    expect(english(r.remediation!)).toContain('sg-0c1d2e3f4a5b6c7d8');
    expect(r.links[0]).toMatchObject({ kind: 'security-group', id: 'sg-0endpoint000000001' });
  });

  it('without the task’s address (a pre-flight), lets 443 in from the range of every subnet it may land in', async () => {
    const s = ep();
    const task = value(s, 'ecs.task').task;
    task.attachments = [
      {
        type: 'ElasticNetworkInterface',
        details: [
          { name: 'subnetId', value: 'subnet-0a1b2c3d4e5f67890' },
          { name: 'subnetId', value: 'subnet-0b2c3d4e5f6a78901' },
        ],
      },
    ];
    const [b] = value(s, 'ec2.vpcSubnets').filter((x) => x.subnetId === 'subnet-0b2c3d4e5f6a78901');
    value(s, 'ec2.subnets').push(b!);
    const both = await runCheck(endpointSecurityGroupsCheck, s);
    expect(both.status).toBe('pass');
    expect(evidenceText(both)).toContain('10.40.12.0/24, 10.40.13.0/24');
    // Only the first subnet's range: a task landing in the second is refused by the endpoints.
    value(s, 'ec2.securityGroups')[1]!.ingress = [rule({ cidrs: ['10.40.12.0/24'] })];
    const r = await runCheck(endpointSecurityGroupsCheck, s);
    expect(r.status).toBe('fail');
  });

  it('accepts a rule referencing the task security group', async () => {
    const s = ep();
    value(s, 'ec2.securityGroups')[1]!.ingress = [rule({ groupIds: ['sg-0c1d2e3f4a5b6c7d8'] })];
    expect((await runCheck(endpointSecurityGroupsCheck, s)).status).toBe('pass');
  });

  it('accepts all traffic (protocol -1) from a CIDR holding the task', async () => {
    const s = ep();
    value(s, 'ec2.securityGroups')[1]!.ingress = [
      rule({ protocol: '-1', fromPort: undefined, toPort: undefined, cidrs: ['10.40.12.0/24'] }),
    ];
    expect((await runCheck(endpointSecurityGroupsCheck, s)).status).toBe('pass');
  });

  it('does not take a port range that misses 443', async () => {
    const s = ep();
    value(s, 'ec2.securityGroups')[1]!.ingress = [
      rule({ fromPort: 8443, toPort: 8443, cidrs: ['0.0.0.0/0'] }),
    ];
    expect((await runCheck(endpointSecurityGroupsCheck, s)).status).toBe('fail');
  });

  it('does not apply without interface endpoints', async () => {
    expect((await runCheck(endpointSecurityGroupsCheck, nat())).status).toBe('skip');
  });

  it('is unknown when neither the task’s groups nor its subnet are known', async () => {
    const s = ep();
    delete value(s, 'ecs.service').networkConfiguration!.awsvpcConfiguration!.securityGroups;
    value(s, 'ec2.subnets')[0]!.cidrBlock = undefined as unknown as string;
    const r = await runCheck(endpointSecurityGroupsCheck, s);
    expect(r.status).toBe('unknown');
    expect(r.message.key).toBe('endpoints:security-groups.unknown.no-source');
  });
});
