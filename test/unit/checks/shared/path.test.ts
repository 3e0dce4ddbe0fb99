/** The pure network-path helpers other areas reuse (route selection, internet path, endpoint reach, rule matching). */
import { describe, expect, it } from 'vitest';
import {
  effectiveRouteTable,
  hasInternetPath,
  internetPath,
  naclVerdict,
  routeFor,
  serviceReach,
  sgAllows,
  sgAllowsAll,
} from '../../../../src/diagnosis/checks/shared/path.js';
import type {
  NetworkAclRecord,
  RouteTableRecord,
  SecurityGroupRecord,
  VpcEndpointRecord,
} from '../../../../src/diagnosis/facts/ec2.js';

const local = { destinationCidrBlock: '10.0.0.0/16', gatewayId: 'local', state: 'active' };
const table = (id: string, routes: RouteTableRecord['routes'], extra: Partial<RouteTableRecord> = {}) => ({
  routeTableId: id,
  main: false,
  subnetIds: [],
  routes: [local, ...routes],
  ...extra,
});
const ctx = (assignPublicIp?: 'ENABLED' | 'DISABLED') => ({
  region: 'eu-west-1',
  network: {
    subnetIds: ['subnet-a'],
    eniId: undefined,
    privateIp: '10.0.1.5',
    vpcId: 'vpc-1',
    securityGroupIds: ['sg-task'],
    assignPublicIp,
    publicIp: undefined,
  },
});

describe('path: effective route table and the most specific route', () => {
  it('uses the explicit association, else the main table', () => {
    const main = table('rtb-main', [], { main: true });
    const own = table('rtb-own', [], { subnetIds: ['subnet-a'] });
    expect(effectiveRouteTable('subnet-a', [main, own])).toMatchObject({
      table: { routeTableId: 'rtb-own' },
      explicit: true,
    });
    expect(effectiveRouteTable('subnet-b', [main, own])).toMatchObject({
      table: { routeTableId: 'rtb-main' },
      explicit: false,
    });
  });

  it('picks the longest prefix, a prefix-list route only for its own ranges, CIDR over prefix list on a tie', () => {
    const t = table('rtb-1', [
      { destinationCidrBlock: '0.0.0.0/0', natGatewayId: 'nat-1', state: 'active' },
      { destinationPrefixListId: 'pl-s3', gatewayId: 'vpce-s3', state: 'active' },
      { destinationCidrBlock: '52.95.0.0/16', transitGatewayId: 'tgw-1', state: 'active' },
    ]);
    const lists = { 'pl-s3': ['52.95.128.0/21', '3.5.244.0/22'] };
    expect(routeFor(t, '3.5.245.9', lists)?.gatewayId).toBe('vpce-s3');
    expect(routeFor(t, '52.95.130.1', lists)?.gatewayId).toBe('vpce-s3');
    expect(routeFor(t, '52.95.1.1', lists)?.transitGatewayId).toBe('tgw-1');
    expect(routeFor(t, '8.8.8.8', lists)?.natGatewayId).toBe('nat-1');
    expect(routeFor(t, '10.0.3.3', lists)?.gatewayId).toBe('local');
    // Without the list's ranges the prefix-list route matches nothing.
    expect(routeFor(t, '3.5.245.9')?.natGatewayId).toBe('nat-1');
  });

  it('prefers a static route over a propagated one of the same prefix', () => {
    const t = table('rtb-1', [
      {
        destinationCidrBlock: '0.0.0.0/0',
        gatewayId: 'vgw-1',
        state: 'active',
        origin: 'EnableVgwRoutePropagation',
      },
      { destinationCidrBlock: '0.0.0.0/0', natGatewayId: 'nat-1', state: 'active', origin: 'CreateRoute' },
    ]);
    expect(routeFor(t, '8.8.8.8')?.natGatewayId).toBe('nat-1');
  });

  it('treats the S3 gateway route as S3 only: no internet path without a default route', () => {
    const t = table('rtb-1', [{ destinationPrefixListId: 'pl-s3', gatewayId: 'vpce-s3', state: 'active' }], {
      subnetIds: ['subnet-a'],
    });
    expect(internetPath('subnet-a', [t]).kind).toBe('none');
  });

  it('reports a blackhole default route as a blackhole, not as a NAT path', () => {
    const t = table(
      'rtb-1',
      [{ destinationCidrBlock: '0.0.0.0/0', natGatewayId: 'nat-gone', state: 'blackhole' }],
      {
        subnetIds: ['subnet-a'],
      },
    );
    expect(internetPath('subnet-a', [t])).toMatchObject({ kind: 'blackhole', target: { id: 'nat-gone' } });
    expect(hasInternetPath(ctx(), 'subnet-a', [t])).toBe(false);
  });

  it('needs a public IP behind an internet gateway, not behind a NAT gateway', () => {
    const igw = table('rtb-1', [{ destinationCidrBlock: '0.0.0.0/0', gatewayId: 'igw-1', state: 'active' }], {
      subnetIds: ['subnet-a'],
    });
    expect(hasInternetPath(ctx('DISABLED'), 'subnet-a', [igw])).toBe(false);
    expect(hasInternetPath(ctx('ENABLED'), 'subnet-a', [igw])).toBe(true);
    const nat = table(
      'rtb-1',
      [{ destinationCidrBlock: '0.0.0.0/0', natGatewayId: 'nat-1', state: 'active' }],
      {
        subnetIds: ['subnet-a'],
      },
    );
    expect(hasInternetPath(ctx('DISABLED'), 'subnet-a', [nat])).toBe(true);
  });
});

describe('path: how the task reaches an AWS service', () => {
  const noRoute = [table('rtb-1', [], { subnetIds: ['subnet-a'] })];
  const secrets = (over: Partial<VpcEndpointRecord> = {}): VpcEndpointRecord => ({
    vpcEndpointId: 'vpce-sm',
    serviceName: 'com.amazonaws.eu-west-1.secretsmanager',
    type: 'Interface',
    state: 'available',
    subnetIds: ['subnet-a'],
    securityGroupIds: [],
    routeTableIds: [],
    privateDnsEnabled: true,
    ...over,
  });

  it('goes through an interface endpoint with private DNS', () => {
    expect(serviceReach(ctx(), 'subnet-a', noRoute, [secrets()], 'secretsmanager')).toMatchObject({
      via: 'endpoint',
      endpoint: { vpcEndpointId: 'vpce-sm' },
    });
  });

  it('not through one without private DNS, nor when the VPC resolves no private names', () => {
    expect(
      serviceReach(ctx(), 'subnet-a', noRoute, [secrets({ privateDnsEnabled: false })], 'secretsmanager').via,
    ).toBe('none');
    expect(
      serviceReach(ctx(), 'subnet-a', noRoute, [secrets()], 'secretsmanager', { enableDnsHostnames: false })
        .via,
    ).toBe('none');
  });

  it('falls back to the internet path', () => {
    const nat = [
      table('rtb-1', [{ destinationCidrBlock: '0.0.0.0/0', natGatewayId: 'nat-1', state: 'active' }], {
        subnetIds: ['subnet-a'],
      }),
    ];
    expect(serviceReach(ctx(), 'subnet-a', nat, [], 'ssm').via).toBe('internet');
  });
});

describe('path: security group and network ACL rule matching', () => {
  const sg = (egress: SecurityGroupRecord['egress']): SecurityGroupRecord[] => [
    { groupId: 'sg-task', ingress: [], egress },
  ];
  const rule = (r: Partial<SecurityGroupRecord['egress'][number]>) => ({
    protocol: 'tcp',
    fromPort: 443,
    toPort: 443,
    cidrs: [],
    ipv6Cidrs: [],
    prefixListIds: [],
    groupIds: [],
    ...r,
  });

  it('matches CIDRs (v4 and v6), referenced groups and prefix lists; protocol -1 is every port', () => {
    expect(sgAllows(sg([rule({ cidrs: ['0.0.0.0/0'] })]), 'egress', { cidr: '52.1.2.3' }, 443)?.via).toBe(
      'cidr',
    );
    expect(sgAllows(sg([rule({ ipv6Cidrs: ['::/0'] })]), 'egress', { cidr: '2600:1f18::1' }, 443)?.via).toBe(
      'cidr',
    );
    expect(
      sgAllows(sg([rule({ ipv6Cidrs: ['::/0'] })]), 'egress', { cidr: '52.1.2.3' }, 443),
    ).toBeUndefined();
    expect(sgAllows(sg([rule({ groupIds: ['sg-ep'] })]), 'egress', { groupIds: ['sg-ep'] }, 443)?.via).toBe(
      'group',
    );
    expect(
      sgAllows(sg([rule({ prefixListIds: ['pl-s3'] })]), 'egress', { prefixListId: 'pl-s3' }, 443)?.via,
    ).toBe('prefix-list');
    expect(
      sgAllows(
        sg([rule({ protocol: '-1', fromPort: undefined, toPort: undefined, cidrs: ['10.0.0.0/8'] })]),
        'egress',
        { cidr: '10.1.0.0/16' },
        443,
      ),
    ).toBeDefined();
    expect(
      sgAllows(sg([rule({ protocol: 'udp', cidrs: ['0.0.0.0/0'] })]), 'egress', { cidr: '1.2.3.4' }, 443),
    ).toBeUndefined();
  });

  it('requires every range to be covered, possibly by different rules', () => {
    const groups = sg([rule({ cidrs: ['52.95.128.0/21'] }), rule({ cidrs: ['3.5.0.0/16'] })]);
    expect(sgAllowsAll(groups, 'egress', ['52.95.128.0/21', '3.5.244.0/22'], 443)).toHaveLength(2);
    expect(sgAllowsAll(groups, 'egress', ['52.95.128.0/21', '16.12.0.0/18'], 443)).toBeUndefined();
  });

  it('evaluates network ACL entries in rule-number order, whatever their order in the list', () => {
    const acl: NetworkAclRecord = {
      networkAclId: 'acl-1',
      subnetIds: ['subnet-a'],
      entries: [
        { ruleNumber: 200, egress: true, protocol: '-1', ruleAction: 'allow', cidrBlock: '0.0.0.0/0' },
        { ruleNumber: 32767, egress: true, protocol: '-1', ruleAction: 'deny', cidrBlock: '0.0.0.0/0' },
        {
          ruleNumber: 100,
          egress: true,
          protocol: '6',
          ruleAction: 'deny',
          cidrBlock: '0.0.0.0/0',
          portRange: { from: 443, to: 443 },
        },
      ],
    };
    expect(naclVerdict(acl, true, { from: 443, to: 443 }, '0.0.0.0/0')).toEqual({
      decision: 'deny',
      ruleNumber: 100,
    });
    expect(naclVerdict(acl, true, { from: 80, to: 80 }, '0.0.0.0/0')).toEqual({
      decision: 'allow',
      ruleNumber: 200,
    });
    // No inbound entry at all: the final deny.
    expect(naclVerdict(acl, false, { from: 1024, to: 65535 }, '0.0.0.0/0').decision).toBe('deny');
  });
});
