/**
 * The network facts over EC2's XML wire format (nock): which calls, in which round, each once; and a denied
 * call making only the checks that need it `unknown`, naming the action.
 */
import { describe, expect, it } from 'vitest';
import { networkChecks } from '../../src/diagnosis/checks/network/index.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import { assumeRoleXml, ec2Error, fixture, jsonCall, queryCall } from '../helpers/aws-wire.js';
import { english } from '../helpers/checks.js';
import { CHECKOUT_TARGET, unitPool, useNock } from '../helpers/unit.js';

useNock();
const R = 'eu-south-1';
const VPC = (p: URLSearchParams) =>
  p.get('Filter.1.Name') === 'vpc-id' && p.get('Filter.1.Value.1') === 'vpc-0123456789abcdef0';

function arrange(opts: { natState?: string; routeState?: string; denyAcls?: boolean } = {}) {
  jsonCall('ecs', R, 'DescribeTasks', 200, fixture('aws/ecs-describe-tasks-stopped.json'));
  jsonCall('ecs', R, 'DescribeTaskDefinition', 200, fixture('aws/ecs-describe-task-definition.json'));
  jsonCall('ecs', R, 'DescribeServices', 200, fixture('aws/ecs-describe-services.json'));
  queryCall(
    'ec2',
    R,
    'DescribeNetworkInterfaces',
    400,
    ec2Error('InvalidNetworkInterfaceID.NotFound', 'gone'),
  );
  queryCall(
    'ec2',
    R,
    'DescribeSubnets',
    200,
    fixture('aws/ec2-describe-subnets.xml'),
    (p) => p.get('SubnetId.1') === 'subnet-0a1b2c3d4e5f67890',
  );
  queryCall(
    'ec2',
    R,
    'DescribeVpcs',
    200,
    fixture('aws/ec2-describe-vpcs.xml'),
    (p) => p.get('VpcId.1') === 'vpc-0123456789abcdef0',
  );
  for (const attr of ['enableDnsSupport', 'enableDnsHostnames']) {
    queryCall(
      'ec2',
      R,
      'DescribeVpcAttribute',
      200,
      fixture('aws/ec2-describe-vpc-attribute.xml', { ATTRIBUTE: attr, VALUE: 'true' }),
      (p) => p.get('Attribute') === attr,
    );
  }
  queryCall(
    'ec2',
    R,
    'DescribeRouteTables',
    200,
    fixture('aws/ec2-describe-route-tables.xml', { NAT_ROUTE_STATE: opts.routeState ?? 'active' }),
    VPC,
  );
  queryCall(
    'ec2',
    R,
    'DescribeNatGateways',
    200,
    fixture('aws/ec2-describe-nat-gateways.xml', { NAT_STATE: opts.natState ?? 'available' }),
    VPC,
  );
  queryCall('ec2', R, 'DescribeSecurityGroups', 200, fixture('aws/ec2-describe-security-groups.xml'), VPC);
  if (opts.denyAcls) {
    queryCall(
      'ec2',
      R,
      'DescribeNetworkAcls',
      403,
      ec2Error('UnauthorizedOperation', 'You are not authorized to perform: ec2:DescribeNetworkAcls'),
      VPC,
    );
  } else {
    queryCall('ec2', R, 'DescribeNetworkAcls', 200, fixture('aws/ec2-describe-network-acls.xml'), VPC);
  }
  queryCall('ec2', R, 'DescribeVpcEndpoints', 200, fixture('aws/ec2-describe-vpc-endpoints-empty.xml'), VPC);
  queryCall(
    'ec2',
    R,
    'DescribeDhcpOptions',
    200,
    fixture('aws/ec2-describe-dhcp-options.xml'),
    (p) => p.get('DhcpOptionsId.1') === 'dopt-0aa11bb22cc33dd44',
  );
}

const request = { target: CHECKOUT_TARGET, requester: 'cli-alice' };

describe('network facts over the wire', () => {
  it('reads the whole network picture in three rounds after the task, each call once', async () => {
    queryCall(
      'sts',
      R,
      'AssumeRole',
      200,
      assumeRoleXml('arn:aws:iam::210987654321:role/ecs-pull-diagnostics', 'ecs-pull-cli-alice'),
    );
    arrange();
    const pool = unitPool();
    const { report } = await diagnose(request, { pool, deadlineMs: 5000, checks: networkChecks });
    const byApi = new Map<string, number[]>();
    for (const c of report.aws.calls) byApi.set(c.api, [...(byApi.get(c.api) ?? []), c.round]);
    expect(Object.fromEntries(byApi)).toEqual({
      'sts:AssumeRole': [1],
      'ecs:DescribeTasks': [2],
      'ecs:DescribeTaskDefinition': [3],
      'ecs:DescribeServices': [3],
      'ec2:DescribeNetworkInterfaces': [3],
      'ec2:DescribeSubnets': [3],
      'ec2:DescribeVpcs': [4],
      'ec2:DescribeVpcAttribute': [4, 4],
      'ec2:DescribeRouteTables': [4],
      'ec2:DescribeNatGateways': [4],
      'ec2:DescribeSecurityGroups': [4],
      'ec2:DescribeNetworkAcls': [4],
      'ec2:DescribeVpcEndpoints': [4],
      'ec2:DescribeDhcpOptions': [5],
    });
    expect(report.aws.rounds).toBe(5);
    const statuses = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
    expect(statuses['network.route']).toBe('pass');
    expect(statuses['network.nat-gateway']).toBe('pass');
    expect(statuses['network.security-group-egress']).toBe('pass');
    expect(statuses['network.nacl']).toBe('pass');
    expect(statuses['dns.dhcp-options']).toBe('pass');

    // Warm role session: one round fewer.
    arrange();
    const warm = await diagnose(request, { pool, deadlineMs: 5000, checks: networkChecks });
    expect(warm.report.aws.rounds).toBe(4);
  });

  it('turns a deleted NAT gateway into a blackhole route and a failed NAT check', async () => {
    queryCall(
      'sts',
      R,
      'AssumeRole',
      200,
      assumeRoleXml('arn:aws:iam::210987654321:role/ecs-pull-diagnostics', 'ecs-pull-cli-alice'),
    );
    arrange({ natState: 'deleted', routeState: 'blackhole' });
    const { report } = await diagnose(request, { pool: unitPool(), deadlineMs: 5000, checks: networkChecks });
    const route = report.checks.find((c) => c.id === 'network.route')!;
    expect(route.status).toBe('fail');
    expect(english(route.message)).toContain('nat-0123abcd4567ef890');
    const nat = report.checks.find((c) => c.id === 'network.nat-gateway')!;
    expect(nat.status).toBe('fail');
    expect(english(nat.message)).toContain('deleted');
  });

  it('makes only the network ACL check unknown when DescribeNetworkAcls is denied', async () => {
    queryCall(
      'sts',
      R,
      'AssumeRole',
      200,
      assumeRoleXml('arn:aws:iam::210987654321:role/ecs-pull-diagnostics', 'ecs-pull-cli-alice'),
    );
    arrange({ denyAcls: true });
    const { report } = await diagnose(request, { pool: unitPool(), deadlineMs: 5000, checks: networkChecks });
    const unknown = report.checks.filter((c) => c.status === 'unknown');
    expect(unknown.map((c) => c.id)).toEqual(['network.nacl']);
    expect(unknown[0]!.missing?.error).toMatchObject({ kind: 'denied', action: 'ec2:DescribeNetworkAcls' });
    expect(english(unknown[0]!.message)).toContain('ec2:DescribeNetworkAcls');
  });
});
