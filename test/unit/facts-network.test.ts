/**
 * The network facts over EC2's XML wire format (nock): which calls, with which parameters, in which sequential
 * round, each once; facts that are only read when they matter; and a denied call making only the checks that
 * need it `unknown`, naming the action. Every interceptor must be used (useNock), and an unexpected call finds
 * no interceptor, so the call lists are exact.
 */
import { describe, expect, it } from 'vitest';
import { networkPathChecks as networkChecks } from '../../src/diagnosis/checks/index.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import { ec2Facts } from '../../src/diagnosis/facts/ec2.js';
import { assumeRoleXml, ec2Error, fixture, jsonCall, queryCall } from '../helpers/aws-wire.js';
import { english } from '../helpers/checks.js';
import { CHECKOUT_TARGET, unitPool, useNock } from '../helpers/unit.js';

useNock();
const R = 'eu-south-1';
const VPC_ID = 'vpc-0123456789abcdef0';
const byVpc = (p: URLSearchParams) =>
  p.get('Filter.1.Name') === 'vpc-id' && p.get('Filter.1.Value.1') === VPC_ID;
const denied = (action: string) =>
  ec2Error('UnauthorizedOperation', `You are not authorized to perform: ${action}`);

type Path = 'nat' | 'endpoints';
interface Arrange {
  path?: Path;
  natState?: string;
  routeState?: string;
  /** Answer this EC2 action with UnauthorizedOperation. */
  deny?: string;
  /** The pool already holds the role session (no sts:AssumeRole). */
  warm?: boolean;
}

/** One EC2 call, or its denial. */
function ec2(action: string, xml: string, match: ((p: URLSearchParams) => boolean) | undefined, o: Arrange) {
  if (o.deny === action) queryCall('ec2', R, action, 403, denied(`ec2:${action}`), match);
  else queryCall('ec2', R, action, 200, xml, match);
}

function assumeRole() {
  queryCall(
    'sts',
    R,
    'AssumeRole',
    200,
    assumeRoleXml('arn:aws:iam::210987654321:role/ecs-pull-diagnostics', 'ecs-pull-cli-alice'),
  );
}

/** A pool whose role session for the task's account is already open (a warm bot). */
async function warmPool() {
  const p = unitPool();
  assumeRole();
  await p.warmUp('210987654321', R, 'aws', 'cli-alice');
  return p;
}

/** The calls a diagnosis of the checkout task makes, for a NAT path or an endpoint-only path. */
function arrange(o: Arrange = {}) {
  const path = o.path ?? 'nat';
  if (!o.warm) assumeRole();
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
  ec2(
    'DescribeSubnets',
    fixture('aws/ec2-describe-subnets.xml'),
    (p) => p.get('SubnetId.1') === 'subnet-0a1b2c3d4e5f67890' && !p.has('Filter.1.Name'),
    o,
  );
  ec2('DescribeVpcs', fixture('aws/ec2-describe-vpcs.xml'), (p) => p.get('VpcId.1') === VPC_ID, o);
  for (const attr of ['enableDnsSupport', 'enableDnsHostnames']) {
    ec2(
      'DescribeVpcAttribute',
      fixture('aws/ec2-describe-vpc-attribute.xml', { ATTRIBUTE: attr, VALUE: 'true' }),
      (p) => p.get('VpcId') === VPC_ID && p.get('Attribute') === attr,
      o,
    );
  }
  ec2(
    'DescribeRouteTables',
    path === 'nat'
      ? fixture('aws/ec2-describe-route-tables.xml', { NAT_ROUTE_STATE: o.routeState ?? 'active' })
      : fixture('network/ec2-describe-route-tables-endpoints.xml'),
    byVpc,
    o,
  );
  ec2(
    'DescribeNatGateways',
    fixture('aws/ec2-describe-nat-gateways.xml', { NAT_STATE: o.natState ?? 'available' }),
    byVpc,
    o,
  );
  ec2(
    'DescribeSecurityGroups',
    path === 'nat'
      ? fixture('aws/ec2-describe-security-groups.xml')
      : fixture('network/ec2-describe-security-groups-endpoints.xml'),
    byVpc,
    o,
  );
  ec2('DescribeNetworkAcls', fixture('aws/ec2-describe-network-acls.xml'), byVpc, o);
  ec2(
    'DescribeVpcEndpoints',
    path === 'nat'
      ? fixture('aws/ec2-describe-vpc-endpoints-empty.xml')
      : fixture('network/ec2-describe-vpc-endpoints.xml'),
    byVpc,
    o,
  );
  ec2(
    'DescribeDhcpOptions',
    fixture('aws/ec2-describe-dhcp-options.xml'),
    (p) => p.get('DhcpOptionsId.1') === 'dopt-0aa11bb22cc33dd44',
    o,
  );
  if (path === 'endpoints') {
    // Only with interface endpoints: where their subnets are. Only with an S3 gateway endpoint: S3's ranges.
    ec2('DescribeSubnets', fixture('network/ec2-describe-vpc-subnets.xml'), byVpc, o);
    ec2(
      'DescribePrefixLists',
      fixture('network/ec2-describe-prefix-lists-s3.xml'),
      (p) =>
        p.get('Filter.1.Name') === 'prefix-list-name' &&
        p.get('Filter.1.Value.1') === `com.amazonaws.${R}.s3`,
      o,
    );
  }
}

const request = { target: CHECKOUT_TARGET, requester: 'cli-alice' };

async function run(o: Arrange = {}) {
  arrange(o);
  return diagnose(request, { pool: unitPool(), deadlineMs: 5000, checks: networkChecks });
}

function roundsByApi(calls: Array<{ api: string; round: number }>): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const c of calls) out[c.api] = [...(out[c.api] ?? []), c.round];
  for (const v of Object.values(out)) v.sort();
  return out;
}

const statuses = (checks: Array<{ id: string; status: string }>) =>
  Object.fromEntries(checks.map((c) => [c.id, c.status]));

describe('network facts over the wire', () => {
  it('NAT path: the whole picture in three rounds after the task, each call once, nothing it does not need', async () => {
    const pool = unitPool();
    arrange();
    const { report, saved } = await diagnose(request, { pool, deadlineMs: 5000, checks: networkChecks });
    expect(roundsByApi(report.aws.calls)).toEqual({
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
    // No interface endpoint, no S3 gateway endpoint: the VPC's other subnets and S3's ranges are not read.
    expect(saved.facts['ec2.vpcSubnets']).toMatchObject({ ok: false, error: { kind: 'not-applicable' } });
    expect(saved.facts['ec2.prefixLists']).toMatchObject({ ok: false, error: { kind: 'not-applicable' } });
    expect(statuses(report.checks)).toMatchObject({
      'network.route': 'pass',
      'network.public-ip': 'skip',
      'network.nat-gateway': 'pass',
      'network.security-group-egress': 'pass',
      'network.nacl': 'pass',
      'endpoints.required': 'skip',
      'dns.dhcp-options': 'pass',
    });

    // Warm role session: one round fewer, and every network fact's round is one less.
    arrange({ warm: true });
    const warm = await diagnose(request, { pool, deadlineMs: 5000, checks: networkChecks });
    expect(warm.report.aws.rounds).toBe(4);
    const factRounds = Object.fromEntries(
      ec2Facts.map((p) => [p.name, warm.saved.facts[p.name]?.round]).filter(([, r]) => r !== undefined),
    );
    expect(factRounds).toEqual({
      'ec2.taskEni': 1,
      'ec2.subnets': 2,
      'ec2.vpc': 3,
      'ec2.vpcDns': 3,
      'ec2.routeTables': 3,
      'ec2.natGateways': 3,
      'ec2.securityGroups': 3,
      'ec2.networkAcls': 3,
      'ec2.vpcEndpoints': 3,
      'ec2.vpcSubnets': 3,
      'ec2.prefixLists': 3,
      'ec2.dhcpOptions': 4,
    });
  });

  it('endpoint path (warm): the VPC subnets and the S3 prefix list join the last round, four in all', async () => {
    const pool = await warmPool();
    arrange({ path: 'endpoints', warm: true });
    // A warning here would be looked up in CloudTrail in a round of its own (test/unit/facts-cloudtrail.test.ts).
    const { report, saved } = await diagnose(request, {
      pool,
      deadlineMs: 5000,
      checks: networkChecks,
      settings: { changes: { lookbackHours: 24, afterMinutes: 5, maxLookups: 0 } },
    });
    const rounds = roundsByApi(report.aws.calls);
    expect(rounds['ec2:DescribeSubnets']).toEqual([2, 4]);
    expect(rounds['ec2:DescribePrefixLists']).toEqual([4]);
    expect(rounds['ec2:DescribeDhcpOptions']).toEqual([4]);
    expect(report.aws.rounds).toBe(4);
    expect(report.aws.calls.filter((c) => c.api === 'ec2:DescribeVpcEndpoints')).toHaveLength(1);
    expect(saved.facts['ec2.prefixLists']).toMatchObject({
      ok: true,
      value: [{ prefixListId: 'pl-0e3f4a5b', cidrs: ['52.95.128.0/21', '3.5.244.0/22'] }],
    });
    // The wire format carried every field the checks read.
    expect(saved.facts['ec2.vpcEndpoints']).toMatchObject({
      ok: true,
      value: [
        {
          vpcEndpointId: 'vpce-0ecrapi00000000001',
          type: 'Interface',
          subnetIds: ['subnet-0a1b2c3d4e5f67890', 'subnet-0b2c3d4e5f6a78901'],
          securityGroupIds: ['sg-0endpoint000000001'],
          privateDnsEnabled: true,
        },
        { vpcEndpointId: 'vpce-0ecrdkr00000000001' },
        {
          vpcEndpointId: 'vpce-0s3gateway0000001',
          type: 'Gateway',
          routeTableIds: ['rtb-0private000000001'],
        },
      ],
    });
    const s = statuses(report.checks);
    expect(s).toEqual({
      'network.route': 'pass',
      'network.public-ip': 'skip',
      'network.nat-gateway': 'skip',
      'network.security-group-egress': 'pass',
      'network.nacl': 'pass',
      'endpoints.required': 'fail',
      'endpoints.availability-zones': 'pass',
      'endpoints.security-groups': 'pass',
      'endpoints.policy': 'pass',
      'endpoints.s3-route': 'pass',
      'endpoints.private-dns': 'pass',
      'dns.dhcp-options': 'pass',
    });
    // The task sends logs to CloudWatch and reads a secret, with no internet path: those endpoints are missing.
    const required = report.checks.find((c) => c.id === 'endpoints.required')!;
    expect(english(required.message)).toContain('com.amazonaws.eu-south-1.logs (Interface)');
    expect(english(required.message)).toContain('com.amazonaws.eu-south-1.secretsmanager (Interface)');
    expect(english(required.message)).not.toContain('ecr.');
  });

  it('turns a deleted NAT gateway into a blackhole route and a failed NAT check', async () => {
    const { report } = await run({ natState: 'deleted', routeState: 'blackhole' });
    const route = report.checks.find((c) => c.id === 'network.route')!;
    expect(route.status).toBe('fail');
    expect(english(route.message)).toContain('nat-0123abcd4567ef890');
    const nat = report.checks.find((c) => c.id === 'network.nat-gateway')!;
    expect(nat.status).toBe('fail');
    expect(english(nat.message)).toContain('deleted');
  });

  it('DescribeNetworkAcls denied: only network.nacl is unknown, naming the action', async () => {
    const { report } = await run({ deny: 'DescribeNetworkAcls' });
    const unknown = report.checks.filter((c) => c.status === 'unknown');
    expect(unknown.map((c) => c.id)).toEqual(['network.nacl']);
    expect(unknown[0]!.missing?.error).toMatchObject({ kind: 'denied', action: 'ec2:DescribeNetworkAcls' });
    expect(english(unknown[0]!.message)).toContain('ec2:DescribeNetworkAcls');
  });

  it('DescribeVpcAttribute denied: only endpoints.private-dns is unknown (the DHCP options still decide)', async () => {
    const { report } = await run({ path: 'endpoints', deny: 'DescribeVpcAttribute' });
    const unknown = report.checks.filter((c) => c.status === 'unknown');
    expect(unknown.map((c) => c.id)).toEqual(['endpoints.private-dns']);
    expect(unknown[0]!.missing?.error).toMatchObject({ kind: 'denied', action: 'ec2:DescribeVpcAttribute' });
    expect(report.checks.find((c) => c.id === 'dns.dhcp-options')?.status).toBe('pass');
  });

  it('DescribeDhcpOptions denied: only dns.dhcp-options is unknown', async () => {
    const { report } = await run({ deny: 'DescribeDhcpOptions' });
    const unknown = report.checks.filter((c) => c.status === 'unknown');
    expect(unknown.map((c) => c.id)).toEqual(['dns.dhcp-options']);
    expect(english(unknown[0]!.message)).toContain('ec2:DescribeDhcpOptions');
  });

  it('declares exactly the IAM actions the providers call', () => {
    expect([...new Set(ec2Facts.flatMap((p) => p.actions))].sort()).toEqual([
      'ec2:DescribeDhcpOptions',
      'ec2:DescribeNatGateways',
      'ec2:DescribeNetworkAcls',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribePrefixLists',
      'ec2:DescribeRouteTables',
      'ec2:DescribeSecurityGroups',
      'ec2:DescribeSubnets',
      'ec2:DescribeVpcAttribute',
      'ec2:DescribeVpcEndpoints',
      'ec2:DescribeVpcs',
    ]);
  });
});
