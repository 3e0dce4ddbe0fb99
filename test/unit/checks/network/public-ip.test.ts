import { describe, expect, it } from 'vitest';
import { publicIpCheck } from '../../../../src/diagnosis/checks/network/public-ip.js';
import { english, loadFacts, runCheck, setFact, value } from '../../../helpers/checks.js';

/** The NAT fixture with the task moved to the public subnet (0.0.0.0/0 → igw). */
function publicSubnet(assignPublicIp: 'ENABLED' | 'DISABLED' | undefined) {
  const s = loadFacts('network/nat-path.json');
  const tables = value(s, 'ec2.routeTables');
  tables[1]!.subnetIds = [];
  tables[2]!.subnetIds.push('subnet-0a1b2c3d4e5f67890');
  const svc = value(s, 'ecs.service');
  if (assignPublicIp) svc.networkConfiguration!.awsvpcConfiguration!.assignPublicIp = assignPublicIp;
  else delete svc.networkConfiguration!.awsvpcConfiguration!.assignPublicIp;
  return s;
}

describe('network.public-ip: a task behind an internet gateway route has a public IP', () => {
  it('fails when the service starts tasks without a public IP', async () => {
    const r = await runCheck(publicIpCheck, publicSubnet('DISABLED'));
    expect(r.status).toBe('fail');
    expect(english(r.message)).toContain('igw-0fedcba9876543210');
    expect(english(r.remediation!)).toContain('service checkout');
    expect(r.links.some((l) => l.kind === 'ecs-service')).toBe(true);
  });

  it('passes when the service assigns one', async () => {
    expect((await runCheck(publicIpCheck, publicSubnet('ENABLED'))).status).toBe('pass');
  });

  it('passes with the address when the ENI still shows it', async () => {
    const s = publicSubnet(undefined);
    setFact(s, 'ec2.taskEni', {
      networkInterfaceId: 'eni-1',
      subnetId: 'subnet-0a1b2c3d4e5f67890',
      association: { publicIp: '15.161.1.2' },
      groups: [{ groupId: 'sg-0c1d2e3f4a5b6c7d8' }],
    });
    const r = await runCheck(publicIpCheck, s);
    expect(r.status).toBe('pass');
    expect(english(r.message)).toContain('15.161.1.2');
  });

  it('is unknown when nothing says whether there was one', async () => {
    const s = publicSubnet(undefined);
    expect((await runCheck(publicIpCheck, s)).status).toBe('unknown');
  });

  it('does not apply behind a NAT gateway', async () => {
    const r = await runCheck(publicIpCheck, loadFacts('network/nat-path.json'));
    expect(r.status).toBe('skip');
    expect(r.message.key).toBe('network:public-ip.skip.not-igw');
  });

  it('does not apply when the endpoints carry the pull', async () => {
    const s = loadFacts('network/endpoint-path.json');
    value(s, 'ec2.routeTables')[1]!.routes.push({
      destinationCidrBlock: '0.0.0.0/0',
      gatewayId: 'igw-1',
      state: 'active',
    });
    const r = await runCheck(publicIpCheck, s);
    expect(r.status).toBe('skip');
    expect(r.message.key).toBe('network:public-ip.skip.endpoints');
  });
});
