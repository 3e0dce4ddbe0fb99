/**
 * Building blocks of the checks' fix commands (see src/diagnosis/commands.ts): the AWS CLI commands for the
 * changes the remediations name, with the ids the facts hold, and where each resource usually lives in code.
 */

import type { Partition } from '../../../aws/partition.js';
import {
  aws,
  type FixCommand,
  type IacHint,
  type Invocation,
  shellVar,
  structures,
  type Word,
} from '../../commands.js';
import type { TaskContext } from '../../context.js';
import type {
  NatGatewayRecord,
  RouteRecord,
  RouteTableRecord,
  SubnetRecord,
  VpcEndpointRecord,
} from '../../facts/ec2.js';
import type { Message } from '../types.js';
import {
  type EndpointService,
  effectiveRouteTable,
  endpointServiceName,
  internetPath,
  relevantEndpoints,
  routeTarget,
} from './path.js';

/** Where the resources the commands change are usually written in code (CloudFormation, Terraform). */
export const IAC = {
  route: { cloudFormation: 'AWS::EC2::Route', terraform: 'aws_route' },
  natGateway: { cloudFormation: 'AWS::EC2::NatGateway', terraform: 'aws_nat_gateway' },
  serviceNetwork: {
    cloudFormation: 'AWS::ECS::Service NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp',
    terraform: 'aws_ecs_service.network_configuration.assign_public_ip',
  },
  servicePlatform: {
    cloudFormation: 'AWS::ECS::Service PlatformVersion',
    terraform: 'aws_ecs_service.platform_version',
  },
  egress: {
    cloudFormation: 'AWS::EC2::SecurityGroupEgress',
    terraform: 'aws_vpc_security_group_egress_rule',
  },
  ingress: {
    cloudFormation: 'AWS::EC2::SecurityGroupIngress',
    terraform: 'aws_vpc_security_group_ingress_rule',
  },
  securityGroup: { cloudFormation: 'AWS::EC2::SecurityGroup', terraform: 'aws_security_group' },
  naclEntry: { cloudFormation: 'AWS::EC2::NetworkAclEntry', terraform: 'aws_network_acl_rule' },
  endpoint: { cloudFormation: 'AWS::EC2::VPCEndpoint', terraform: 'aws_vpc_endpoint' },
  endpointSubnets: {
    cloudFormation: 'AWS::EC2::VPCEndpoint SubnetIds',
    terraform: 'aws_vpc_endpoint.subnet_ids',
  },
  endpointRouteTables: {
    cloudFormation: 'AWS::EC2::VPCEndpoint RouteTableIds',
    terraform: 'aws_vpc_endpoint_route_table_association',
  },
  endpointPolicy: {
    cloudFormation: 'AWS::EC2::VPCEndpoint PolicyDocument',
    terraform: 'aws_vpc_endpoint.policy',
  },
  endpointPrivateDns: {
    cloudFormation: 'AWS::EC2::VPCEndpoint PrivateDnsEnabled',
    terraform: 'aws_vpc_endpoint.private_dns_enabled',
  },
  vpcDnsSupport: {
    cloudFormation: 'AWS::EC2::VPC EnableDnsSupport',
    terraform: 'aws_vpc.enable_dns_support',
  },
  vpcDnsHostnames: {
    cloudFormation: 'AWS::EC2::VPC EnableDnsHostnames',
    terraform: 'aws_vpc.enable_dns_hostnames',
  },
  dhcpOptions: {
    cloudFormation: 'AWS::EC2::DHCPOptions DomainNameServers',
    terraform: 'aws_vpc_dhcp_options.domain_name_servers',
  },
  dhcpAssociation: {
    cloudFormation: 'AWS::EC2::VPCDHCPOptionsAssociation',
    terraform: 'aws_vpc_dhcp_options_association',
  },
  role: { cloudFormation: 'AWS::IAM::Role', terraform: 'aws_iam_role' },
  roleTrust: {
    cloudFormation: 'AWS::IAM::Role AssumeRolePolicyDocument',
    terraform: 'aws_iam_role.assume_role_policy',
  },
  roleManagedPolicy: {
    cloudFormation: 'AWS::IAM::Role ManagedPolicyArns',
    terraform: 'aws_iam_role_policy_attachment',
  },
  roleInlinePolicy: { cloudFormation: 'AWS::IAM::Role Policies', terraform: 'aws_iam_role_policy' },
  executionRoleArn: {
    cloudFormation: 'AWS::ECS::TaskDefinition ExecutionRoleArn',
    terraform: 'aws_ecs_task_definition.execution_role_arn',
  },
  taskRoleArn: {
    cloudFormation: 'AWS::ECS::TaskDefinition TaskRoleArn',
    terraform: 'aws_ecs_task_definition.task_role_arn',
  },
  image: {
    cloudFormation: 'AWS::ECS::TaskDefinition ContainerDefinitions.Image',
    terraform: 'aws_ecs_task_definition.container_definitions (image)',
  },
  repositoryCredentials: {
    cloudFormation: 'AWS::ECS::TaskDefinition ContainerDefinitions.RepositoryCredentials',
    terraform: 'aws_ecs_task_definition.container_definitions (repositoryCredentials)',
  },
  logOptions: {
    cloudFormation: 'AWS::ECS::TaskDefinition ContainerDefinitions.LogConfiguration.Options',
    terraform: 'aws_ecs_task_definition.container_definitions (logConfiguration)',
  },
  ephemeralStorage: {
    cloudFormation: 'AWS::ECS::TaskDefinition EphemeralStorage.SizeInGiB',
    terraform: 'aws_ecs_task_definition.ephemeral_storage.size_in_gib',
  },
  runtimePlatform: {
    cloudFormation: 'AWS::ECS::TaskDefinition RuntimePlatform.CpuArchitecture',
    terraform: 'aws_ecs_task_definition.runtime_platform.cpu_architecture',
  },
  repository: { cloudFormation: 'AWS::ECR::Repository', terraform: 'aws_ecr_repository' },
  repositoryPolicy: {
    cloudFormation: 'AWS::ECR::Repository RepositoryPolicyText',
    terraform: 'aws_ecr_repository_policy',
  },
  kmsKey: { cloudFormation: 'AWS::KMS::Key Enabled', terraform: 'aws_kms_key.is_enabled' },
  secret: { cloudFormation: 'AWS::SecretsManager::Secret', terraform: 'aws_secretsmanager_secret' },
  parameter: { cloudFormation: 'AWS::SSM::Parameter', terraform: 'aws_ssm_parameter' },
  logGroup: { cloudFormation: 'AWS::Logs::LogGroup', terraform: 'aws_cloudwatch_log_group' },
  mountTarget: { cloudFormation: 'AWS::EFS::MountTarget', terraform: 'aws_efs_mount_target' },
  fileSystemPolicy: {
    cloudFormation: 'AWS::EFS::FileSystem FileSystemPolicy',
    terraform: 'aws_efs_file_system_policy',
  },
} as const satisfies Record<string, IacHint>;

/** A message of the fix namespace (locales/<lang>/fix.json). */
export function fixMessage(key: string, params: Message['params'] = {}): Message {
  return { key: `fix:${key}`, params };
}

/** A one-invocation command. */
export function one(invocation: Invocation, extra: Omit<FixCommand, 'pipeline'> = {}): FixCommand {
  return { pipeline: [invocation], ...extra };
}

/** The region an ARN names, else the fallback. */
export function regionOf(arn: string, fallback: string): string {
  return arn.startsWith('arn:') ? arn.split(':')[3] || fallback : fallback;
}

/** The account an ARN names, else undefined. */
export function accountOf(arn: string): string | undefined {
  return arn.startsWith('arn:') ? arn.split(':')[4] || undefined : undefined;
}

/** The name and the path of a role ARN (`arn:aws:iam::1:role/service-role/x` → x, /service-role/). */
export function roleParts(arnOrName: string): { name: string; path: string } {
  const resource = arnOrName.startsWith('arn:')
    ? arnOrName.split(':').slice(5).join(':')
    : `role/${arnOrName}`;
  const parts = resource.split('/').slice(1);
  const name = parts.pop() ?? arnOrName;
  return { name, path: parts.length ? `/${parts.join('/')}/` : '/' };
}

// ---------------------------------------------------------------------------------------------------------------
// Network

/**
 * A NAT gateway of the VPC that works: available, public, in a subnet whose route reaches an internet gateway;
 * one in the task subnet's availability zone first.
 */
export function workingNat(
  nats: readonly NatGatewayRecord[] | undefined,
  tables: readonly RouteTableRecord[],
  zone: string | undefined,
  vpcSubnets: readonly SubnetRecord[] | undefined,
  except?: string,
): NatGatewayRecord | undefined {
  const ok = (nats ?? []).filter(
    (n) =>
      n.natGatewayId !== except &&
      (n.state ?? '').toLowerCase() === 'available' &&
      n.connectivityType !== 'private' &&
      !!n.subnetId &&
      internetPath(n.subnetId, tables).kind === 'igw',
  );
  const zoneOf = (n: NatGatewayRecord) =>
    vpcSubnets?.find((s) => s.subnetId === n.subnetId)?.availabilityZone;
  return ok.find((n) => zone && zoneOf(n) === zone) ?? ok[0];
}

/** An internet gateway the VPC's route tables already route to (the VPC's one). */
export function knownInternetGateway(tables: readonly RouteTableRecord[]): string | undefined {
  for (const t of tables)
    for (const r of t.routes) {
      const target = routeTarget(r);
      if (target.kind === 'igw' && (!r.state || r.state.toLowerCase() === 'active')) return target.id;
    }
  return undefined;
}

/** The destination parameter of a route: IPv4 CIDR, IPv6 CIDR or prefix list. */
export function routeDestinationParam(r: RouteRecord): Record<string, string> {
  if (r.destinationCidrBlock) return { 'destination-cidr-block': r.destinationCidrBlock };
  if (r.destinationIpv6CidrBlock) return { 'destination-ipv6-cidr-block': r.destinationIpv6CidrBlock };
  if (r.destinationPrefixListId) return { 'destination-prefix-list-id': r.destinationPrefixListId };
  return { 'destination-cidr-block': '0.0.0.0/0' };
}

/** The NAT gateway to route through: a working one of the VPC, else a variable the reader fills in. */
export function natWord(
  nat: NatGatewayRecord | undefined,
  vpcId: string | undefined,
): { word: Word; fill?: FixCommand['fill'] } {
  if (nat) return { word: nat.natGatewayId };
  return {
    word: shellVar('NAT_GATEWAY_ID'),
    fill: [{ name: 'NAT_GATEWAY_ID', what: fixMessage('fill.nat-gateway', { vpcId: vpcId ?? '?' }) }],
  };
}

/** An IP permission for one TCP port (or range) to or from a CIDR, a security group or a prefix list. */
export function tcpPermission(
  from: number,
  to: number,
  peer: { cidr: string } | { groupId: string } | { prefixListId: string },
): string {
  const base = { IpProtocol: 'tcp', FromPort: from, ToPort: to };
  const perm = (p: Record<string, unknown>) => structures([{ ...base, ...p }])[0]!;
  if ('groupId' in peer) return perm({ UserIdGroupPairs: [{ GroupId: peer.groupId }] });
  if ('prefixListId' in peer) return perm({ PrefixListIds: [{ PrefixListId: peer.prefixListId }] });
  return peer.cidr.includes(':')
    ? perm({ Ipv6Ranges: [{ CidrIpv6: peer.cidr }] })
    : perm({ IpRanges: [{ CidrIp: peer.cidr }] });
}

/** `aws ec2 authorize-security-group-egress|ingress` for one TCP port to or from a peer. */
export function authorize(
  direction: 'egress' | 'ingress',
  groupId: string,
  port: number,
  peer: Parameters<typeof tcpPermission>[2],
  region: string,
): FixCommand {
  return one(
    aws(
      'ec2',
      `authorize-security-group-${direction}`,
      { 'group-id': groupId, 'ip-permissions': tcpPermission(port, port, peer) },
      region,
    ),
    { iac: direction === 'egress' ? IAC.egress : IAC.ingress },
  );
}

/** One subnet per availability zone (an interface endpoint takes at most one in each). */
export function onePerZone(
  subnetIds: readonly string[],
  subnets: readonly SubnetRecord[] | undefined,
): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const id of subnetIds) {
    const zone = subnets?.find((s) => s.subnetId === id)?.availabilityZone ?? id;
    if (seen.has(zone)) continue;
    seen.add(zone);
    out.push(id);
  }
  return out;
}

/**
 * A security group for interface endpoints that lets TCP 443 in from the task's security groups (or its
 * subnet's range): created in the VPC and kept in ENDPOINT_SG for the commands after it.
 */
export function endpointSecurityGroup(
  ctx: TaskContext,
  vpcId: string,
  source: { groupId: string } | { cidr: string },
): { word: Word; commands: FixCommand[] } {
  const create = one(
    aws(
      'ec2',
      'create-security-group',
      {
        'group-name': `${ctx.cluster}-vpc-endpoints`.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 255),
        description: 'HTTPS from ECS tasks to VPC interface endpoints',
        'vpc-id': vpcId,
        query: 'GroupId',
        output: 'text',
      },
      ctx.region,
    ),
    { assign: 'ENDPOINT_SG', iac: IAC.securityGroup },
  );
  const permission = tcpPermission(443, 443, source);
  const allow = one(
    aws(
      'ec2',
      'authorize-security-group-ingress',
      { 'group-id': shellVar('ENDPOINT_SG'), 'ip-permissions': permission },
      ctx.region,
    ),
    { iac: IAC.ingress },
  );
  return { word: shellVar('ENDPOINT_SG'), commands: [create, allow] };
}

/**
 * Create the VPC endpoints a task lacks: interface endpoints in the task's subnets (one per zone) with private
 * DNS, behind the security group the task's other interface endpoints use (else a new one that lets the task
 * in), and the S3 gateway endpoint on the task subnets' route tables.
 */
export function createEndpoints(
  ctx: TaskContext,
  missing: ReadonlyArray<{ service: EndpointService; type: 'Interface' | 'Gateway' }>,
  f: {
    vpcId: string;
    tables: readonly RouteTableRecord[];
    endpoints: readonly VpcEndpointRecord[];
    subnets: readonly SubnetRecord[] | undefined;
  },
): FixCommand[] {
  const out: FixCommand[] = [];
  let group: Word | undefined;
  for (const m of missing) {
    const serviceName = endpointServiceName(ctx.region, m.service);
    if (m.type === 'Gateway') {
      const tables = [
        ...new Set(
          ctx.network.subnetIds.flatMap((s) => effectiveRouteTable(s, f.tables)?.table.routeTableId ?? []),
        ),
      ];
      if (!tables.length) continue;
      out.push(
        one(
          aws(
            'ec2',
            'create-vpc-endpoint',
            {
              'vpc-id': f.vpcId,
              'service-name': serviceName,
              'vpc-endpoint-type': 'Gateway',
              'route-table-ids': tables,
            },
            ctx.region,
          ),
          { iac: IAC.endpoint },
        ),
      );
      continue;
    }
    if (!group) {
      const existing = relevantEndpoints(ctx, f.endpoints, 'Interface').find(
        (x) => x.endpoint.securityGroupIds.length,
      );
      if (existing) group = existing.endpoint.securityGroupIds[0]!;
      else {
        const taskGroup = ctx.network.securityGroupIds?.[0];
        const cidr = f.subnets?.find((s) => ctx.network.subnetIds.includes(s.subnetId))?.cidrBlock;
        if (!taskGroup && !cidr) continue;
        const sg = endpointSecurityGroup(ctx, f.vpcId, taskGroup ? { groupId: taskGroup } : { cidr: cidr! });
        out.push(...sg.commands);
        group = sg.word;
      }
    }
    out.push(
      one(
        aws(
          'ec2',
          'create-vpc-endpoint',
          {
            'vpc-id': f.vpcId,
            'service-name': serviceName,
            'vpc-endpoint-type': 'Interface',
            'subnet-ids': onePerZone(ctx.network.subnetIds, f.subnets),
            'security-group-ids': group,
            'private-dns-enabled': true,
          },
          ctx.region,
        ),
        { iac: IAC.endpoint },
      ),
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// IAM

/** The trust policy that lets ECS tasks assume a role. */
export const ECS_TASKS_TRUST = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
};

/** AWS's managed policy for task execution roles, in the task's partition. */
export function executionPolicyArn(partition: Partition | string): string {
  return `arn:${partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy`;
}

/** A policy document as one line of JSON. */
export function policyJson(statements: Array<Record<string, unknown>>): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** `aws iam put-role-policy`: an inline policy on the role allowing the actions on the resources. */
export function putRolePolicy(
  region: string,
  role: string,
  policyName: string,
  actions: readonly string[],
  resources: readonly string[],
): FixCommand {
  const doc = policyJson([
    {
      Effect: 'Allow',
      Action: actions.length === 1 ? actions[0] : [...actions],
      Resource: resources.length === 1 ? resources[0] : [...resources],
    },
  ]);
  return one(
    aws(
      'iam',
      'put-role-policy',
      { 'role-name': roleParts(role).name, 'policy-name': policyName, 'policy-document': doc },
      region,
    ),
    { iac: IAC.roleInlinePolicy },
  );
}

/** `aws iam attach-role-policy` with AmazonECSTaskExecutionRolePolicy. */
export function attachExecutionPolicy(ctx: TaskContext, role: string): FixCommand {
  return one(
    aws(
      'iam',
      'attach-role-policy',
      { 'role-name': roleParts(role).name, 'policy-arn': executionPolicyArn(ctx.partition) },
      ctx.region,
    ),
    { iac: IAC.roleManagedPolicy },
  );
}

/** Create an execution role (trusting ECS tasks) with AWS's managed execution policy. */
export function createExecutionRole(ctx: TaskContext, role: string): FixCommand[] {
  const { name, path } = roleParts(role);
  return [
    one(
      aws(
        'iam',
        'create-role',
        {
          'role-name': name,
          path: path === '/' ? undefined : path,
          'assume-role-policy-document': JSON.stringify(ECS_TASKS_TRUST),
        },
        ctx.region,
      ),
      { iac: IAC.role },
    ),
    attachExecutionPolicy(ctx, name),
  ];
}

/** The ARN of a role of the task's account, by name. */
export function roleArnOf(ctx: TaskContext, name: string): string {
  return `arn:${ctx.partition}:iam::${ctx.account}:role/${name}`;
}

/** What the task definition should get when it has no execution role: the usual ecsTaskExecutionRole. */
export const DEFAULT_EXECUTION_ROLE = 'ecsTaskExecutionRole';

/** A task with no execution role: create the usual one and point a new revision of the task definition at it. */
export function addExecutionRole(ctx: TaskContext): FixCommand[] {
  const change = taskDefinitionChange(
    ctx,
    '.executionRoleArn = $role',
    { role: roleArnOf(ctx, DEFAULT_EXECUTION_ROLE) },
    IAC.executionRoleArn,
  );
  if (!change.length) return [];
  return [
    ...createExecutionRole(ctx, DEFAULT_EXECUTION_ROLE).map((c, i) =>
      i === 0 ? { ...c, note: fixMessage('note.role-may-exist', { role: DEFAULT_EXECUTION_ROLE }) } : c,
    ),
    ...change,
  ];
}

/** A name for a new inline policy of the role that none of its inline policies has (put-role-policy replaces one). */
export function inlinePolicyName(base: string, existing: readonly string[] | undefined): string {
  const taken = new Set(existing ?? []);
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  return name;
}

/** Give a container registry credentials: a new revision whose container reads them from a secret the reader names. */
export function addRepositoryCredentials(ctx: TaskContext, container: string): FixCommand[] {
  const change = taskDefinitionChange(
    ctx,
    containerEdit('.repositoryCredentials = {credentialsParameter: $secret}'),
    { container, secret: shellVar('CREDENTIALS_SECRET_ARN') },
    IAC.repositoryCredentials,
  );
  if (!change.length) return [];
  change[0] = {
    ...change[0]!,
    fill: [{ name: 'CREDENTIALS_SECRET_ARN', what: fixMessage('fill.credentials-secret', { container }) }],
  };
  return change;
}

// ---------------------------------------------------------------------------------------------------------------
// KMS

/** Make a KMS key usable again: cancel a scheduled deletion, then enable it. Nothing for other states. */
export function enableKey(key: string, state: string | undefined, region: string): FixCommand[] {
  const keyRegion = regionOf(key, region);
  const enable = one(aws('kms', 'enable-key', { 'key-id': key }, keyRegion), {
    iac: IAC.kmsKey,
    account: accountOf(key),
  });
  if (state === 'PendingDeletion')
    return [
      one(aws('kms', 'cancel-key-deletion', { 'key-id': key }, keyRegion), { account: accountOf(key) }),
      enable,
    ];
  if (state === 'Disabled') return [enable];
  return [];
}

// ---------------------------------------------------------------------------------------------------------------
// Task definitions

/** What DescribeTaskDefinition returns that RegisterTaskDefinition does not take. */
export const DESCRIBED_ONLY = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequestedAt',
] as const;

/** The file the task definition is edited in. */
export const TASK_DEFINITION_FILE = 'task-definition.json';

/**
 * A change to the task definition, as a new revision: its current JSON (describe-task-definition) edited by a jq
 * filter (values passed with --arg / --argjson, never written into the filter), registered, then the service
 * moved to it (or, for a task outside a service, a note to start it again with the new revision).
 */
export function taskDefinitionChange(
  ctx: TaskContext,
  filter: string,
  args: Record<string, string | number | Word>,
  iac: IacHint,
  service: { platformVersion?: string } = {},
): FixCommand[] {
  const td = ctx.taskDefinition;
  const ref =
    td?.family && td.revision
      ? `${td.family}:${td.revision}`
      : (ctx.taskDefinitionArn ?? td?.taskDefinitionArn);
  if (!ref) return [];
  const family = td?.family ?? ref.split('/').pop()?.split(':')[0] ?? ref;
  const jqArgs: Word[] = [];
  for (const [name, value] of Object.entries(args)) {
    if (typeof value === 'number') jqArgs.push('--argjson', name, String(value));
    else jqArgs.push('--arg', name, value);
  }
  const edit: Invocation = {
    program: 'jq',
    args: [...jqArgs, `${filter} | del(${DESCRIBED_ONLY.map((k) => `.${k}`).join(', ')})`],
  };
  const out: FixCommand[] = [
    {
      pipeline: [
        aws(
          'ecs',
          'describe-task-definition',
          { 'task-definition': ref, query: 'taskDefinition', output: 'json' },
          ctx.region,
        ),
        edit,
      ],
      output: TASK_DEFINITION_FILE,
      iac,
    },
    one(
      aws(
        'ecs',
        'register-task-definition',
        { 'cli-input-json': `file://${TASK_DEFINITION_FILE}` },
        ctx.region,
      ),
    ),
  ];
  if (ctx.serviceName)
    out.push(
      one(
        aws(
          'ecs',
          'update-service',
          {
            cluster: ctx.cluster,
            service: ctx.serviceName,
            'task-definition': family,
            'platform-version': service.platformVersion,
          },
          ctx.region,
        ),
        service.platformVersion ? { iac: IAC.servicePlatform } : {},
      ),
    );
  else
    out[1] = {
      ...out[1]!,
      note: fixMessage(service.platformVersion ? 'note.run-again-platform' : 'note.run-again', {
        family,
        version: service.platformVersion ?? '',
      }),
    };
  return out;
}

/** A new revision whose containers that use image `from` use `to` instead. */
export function replaceImage(ctx: TaskContext, from: string, to: string): FixCommand[] {
  return taskDefinitionChange(
    ctx,
    '.containerDefinitions |= map(if .image == $from then .image = $to else . end)',
    { from, to },
    IAC.image,
  );
}

/** The jq filter that changes one container's field (`.image`, `.repositoryCredentials` …), the container named by $container. */
export function containerEdit(assignment: string): string {
  return `.containerDefinitions |= map(if .name == $container then ${assignment} else . end)`;
}

// ---------------------------------------------------------------------------------------------------------------
// ECR

/** The ECR registry host of an account and region (the partition's DNS suffix). */
export function ecrHost(account: string, region: string): string {
  return `${account}.dkr.ecr.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`;
}

/**
 * Give an image that exists another tag, without pulling it: its manifest read with batch-get-image and put back
 * under the tag with put-image (AWS's documented way to retag in ECR).
 */
export function retag(
  rec: { repository: string; registryAccount: string; region: string },
  existing: string,
  tag: string,
): FixCommand[] {
  return [
    one(
      aws(
        'ecr',
        'batch-get-image',
        {
          'registry-id': rec.registryAccount,
          'repository-name': rec.repository,
          'image-ids': `imageTag=${existing}`,
          query: 'images[0].imageManifest',
          output: 'text',
        },
        rec.region,
      ),
      { assign: 'MANIFEST', account: rec.registryAccount, note: fixMessage('note.retag', { existing, tag }) },
    ),
    one(
      aws(
        'ecr',
        'put-image',
        {
          'registry-id': rec.registryAccount,
          'repository-name': rec.repository,
          'image-tag': tag,
          'image-manifest': shellVar('MANIFEST'),
        },
        rec.region,
      ),
      { account: rec.registryAccount },
    ),
  ];
}

/** Log Docker in to an ECR registry, then push the image (from a machine that has it built). */
export function dockerPush(image: string, registry?: { account: string; region: string }): FixCommand[] {
  // A digest names what was pushed: nothing can be pushed to it.
  if (image.includes('@')) return [];
  const out: FixCommand[] = [];
  if (registry)
    out.push({
      pipeline: [
        aws('ecr', 'get-login-password', {}, registry.region),
        {
          program: 'docker',
          args: [
            'login',
            '--username',
            'AWS',
            '--password-stdin',
            ecrHost(registry.account, registry.region),
          ],
        },
      ],
      account: registry.account,
    });
  out.push({
    pipeline: [{ program: 'docker', args: ['push', image] }],
    note: fixMessage('note.docker-push', { image }),
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading a result

/** The remediation a result names, relative to its check (`network:route.fix.add-route` → `add-route`). */
export function fixOf(result: { remediation?: Message | undefined }): string | undefined {
  const key = result.remediation?.key;
  const i = key?.indexOf('.fix.') ?? -1;
  return key && i >= 0 ? key.slice(i + 5) : undefined;
}

/** The VPC endpoint ids a sentence's parameter lists (`ecr.dkr (vpce-0a1), s3 (vpce-0b2)`). */
export function endpointIds(text: string | undefined): string[] {
  return [...new Set(text?.match(/\bvpce-[0-9a-z]+\b/g) ?? [])];
}

/** Turn on a VPC's DNS attributes that are off (one attribute per call, as EC2 takes them). */
export function enableVpcDns(
  region: string,
  vpcId: string,
  dns: { enableDnsSupport?: boolean | undefined; enableDnsHostnames?: boolean | undefined } | undefined,
  which: { support: boolean; hostnames: boolean } = { support: true, hostnames: true },
): FixCommand[] {
  const out: FixCommand[] = [];
  if (which.support && dns?.enableDnsSupport !== true)
    out.push(
      one(
        aws('ec2', 'modify-vpc-attribute', { 'vpc-id': vpcId, 'enable-dns-support': 'Value=true' }, region),
        {
          iac: IAC.vpcDnsSupport,
        },
      ),
    );
  if (which.hostnames && dns?.enableDnsHostnames !== true)
    out.push(
      one(
        aws('ec2', 'modify-vpc-attribute', { 'vpc-id': vpcId, 'enable-dns-hostnames': 'Value=true' }, region),
        {
          iac: IAC.vpcDnsHostnames,
        },
      ),
    );
  return out;
}

/** A string parameter of a message (the result's by default), or undefined when absent or a placeholder ("?"). */
export function param(m: Message | undefined, name: string): string | undefined {
  const v = m?.params?.[name];
  if (typeof v === 'string' && v && v !== '?' && v !== '—') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

/**
 * The fixes the checks that read a secret with the execution role share (image.registry-credentials,
 * secrets.retrieval): make the secret's KMS key usable again, give the task an execution role, let the role decrypt
 * with the key (an inline policy named after `decryptPolicy`). Undefined for any other fix.
 */
export function secretKeyCommands(
  result: { message: Message; remediation?: Message | undefined },
  ctx: TaskContext,
  o: { role: string | undefined; inline: readonly string[] | undefined; decryptPolicy: string },
): FixCommand[] | undefined {
  switch (fixOf(result)) {
    case 'enable-key': {
      const key = param(result.remediation, 'key');
      return key ? enableKey(key, param(result.message, 'state'), ctx.region) : [];
    }
    case 'add-role':
      return addExecutionRole(ctx);
    case 'grant-kms': {
      const key = param(result.remediation, 'key');
      if (!o.role || !key) return [];
      return [
        putRolePolicy(
          ctx.region,
          o.role,
          inlinePolicyName(o.decryptPolicy, o.inline),
          ['kms:Decrypt'],
          [key],
        ),
      ];
    }
    default:
      return undefined;
  }
}
