import { describe, expect, it } from 'vitest';
import { natGatewayCheck } from '../../../../src/diagnosis/checks/network/nat-gateway.js';
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

describe('network.nat-gateway: the NAT gateway is available, public, and its subnet reaches an internet gateway', () => {
  it('passes for an available NAT in a public subnet', async () => {
    const r = await runCheck(natGatewayCheck, nat());
    expect(r.status).toBe('pass');
    expect(english(r.message)).toContain('igw-0fedcba9876543210');
  });

  it('fails for a deleted NAT gateway', async () => {
    const s = nat();
    Object.assign(value(s, 'ec2.natGateways')[0]!, { state: 'deleted' });
    const r = await runCheck(natGatewayCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('network:nat-gateway.fail.state');
    expect(english(r.message)).toContain('deleted');
  });

  it('only warns about a failed NAT gateway when the VPC endpoints carry the pull', async () => {
    const s = loadFacts('network/endpoint-path.json');
    value(s, 'ec2.routeTables')[1]!.routes.push({
      destinationCidrBlock: '0.0.0.0/0',
      natGatewayId: 'nat-0123abcd4567ef890',
      state: 'active',
    });
    setFact(s, 'ec2.natGateways', value(nat(), 'ec2.natGateways'));
    Object.assign(value(s, 'ec2.natGateways')[0]!, { state: 'failed', failureCode: 'Gateway.NotAttached' });
    const r = await runCheck(natGatewayCheck, s);
    expect(r.status).toBe('warn');
    expect(english(r.message)).toContain('failed (Gateway.NotAttached)');
    expect(evidenceText(r)).toContain('The VPC endpoints carry the pull');
  });

  it('fails for a NAT gateway that no longer exists at all', async () => {
    const s = nat();
    setFact(s, 'ec2.natGateways', []);
    expect((await runCheck(natGatewayCheck, s)).message.key).toBe('network:nat-gateway.fail.missing');
  });

  it('fails for a private NAT gateway', async () => {
    const s = nat();
    value(s, 'ec2.natGateways')[0]!.connectivityType = 'private';
    expect((await runCheck(natGatewayCheck, s)).message.key).toBe('network:nat-gateway.fail.private');
  });

  it('fails when the NAT sits in a subnet without an internet gateway route', async () => {
    const s = nat();
    value(s, 'ec2.natGateways')[0]!.subnetId = 'subnet-0b2c3d4e5f6a78901';
    value(s, 'ec2.routeTables')[1]!.subnetIds = ['subnet-0a1b2c3d4e5f67890'];
    const r = await runCheck(natGatewayCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('network:nat-gateway.fail.no-igw');
    expect(english(r.message)).toContain('subnet-0b2c3d4e5f6a78901');
  });

  it('does not apply without a NAT in the path', async () => {
    expect((await runCheck(natGatewayCheck, loadFacts('network/endpoint-path.json'))).status).toBe('skip');
  });

  it('is unknown naming the action when the NAT gateways could not be read', async () => {
    const s = nat();
    denyFact(s, 'ec2.natGateways', 'ec2:DescribeNatGateways');
    const r = await runCheck(natGatewayCheck, s);
    expect(r.status).toBe('unknown');
    expect(english(r.message)).toContain('ec2:DescribeNatGateways');
  });
});
