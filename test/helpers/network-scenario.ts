/**
 * Network layouts in moto for the end-to-end scenarios: a private subnet behind a NAT gateway, a public subnet
 * behind an internet gateway, VPC endpoints, network ACLs, DHCP options. Each returns the Network the task
 * runs in (see runStoppedTask).
 */
import {
  AllocateAddressCommand,
  AssociateDhcpOptionsCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateDhcpOptionsCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateNetworkAclCommand,
  CreateNetworkAclEntryCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcEndpointCommand,
  DeleteNatGatewayCommand,
  DescribeNetworkAclsCommand,
  ReplaceNetworkAclAssociationCommand,
  RevokeSecurityGroupEgressCommand,
} from '@aws-sdk/client-ec2';
import { createNetwork, type MotoAccount, type Network } from './aws-scenario.js';

export interface Layout extends Network {
  publicSubnetId?: string;
  routeTableId?: string;
  natGatewayId?: string;
  igwId?: string;
  endpointSgId?: string;
  endpointIds: Record<string, string>;
}

async function routeTable(a: MotoAccount, vpcId: string, subnetId: string): Promise<string> {
  const rt = (await a.ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
  await a.ec2.send(new AssociateRouteTableCommand({ RouteTableId: rt, SubnetId: subnetId }));
  return rt;
}

async function igw(a: MotoAccount, vpcId: string): Promise<string> {
  const id = (await a.ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
  await a.ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: id, VpcId: vpcId }));
  return id;
}

/** A private subnet with no route out at all (only the VPC's main table). */
export async function privateOnly(a: MotoAccount): Promise<Layout> {
  return { ...(await createNetwork(a)), endpointIds: {} };
}

/** A public subnet (own route table, 0.0.0.0/0 → internet gateway): the task runs in it. */
export async function publicSubnet(a: MotoAccount): Promise<Layout> {
  const net = await createNetwork(a);
  const igwId = await igw(a, net.vpcId);
  const rt = await routeTable(a, net.vpcId, net.subnetId);
  await a.ec2.send(
    new CreateRouteCommand({ RouteTableId: rt, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igwId }),
  );
  return { ...net, igwId, routeTableId: rt, endpointIds: {} };
}

/** A private subnet routed to a NAT gateway that sits in a public subnet routed to an internet gateway. */
export async function natPath(a: MotoAccount): Promise<Layout> {
  const net = await createNetwork(a);
  const igwId = await igw(a, net.vpcId);
  const pub = (
    await a.ec2.send(
      new CreateSubnetCommand({
        VpcId: net.vpcId,
        CidrBlock: '10.0.0.0/24',
        AvailabilityZone: `${a.region}a`,
      }),
    )
  ).Subnet!.SubnetId!;
  const pubRt = await routeTable(a, net.vpcId, pub);
  await a.ec2.send(
    new CreateRouteCommand({ RouteTableId: pubRt, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igwId }),
  );
  const alloc = (await a.ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }))).AllocationId!;
  const nat = (await a.ec2.send(new CreateNatGatewayCommand({ SubnetId: pub, AllocationId: alloc })))
    .NatGateway!.NatGatewayId!;
  const rt = await routeTable(a, net.vpcId, net.subnetId);
  await a.ec2.send(
    new CreateRouteCommand({ RouteTableId: rt, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: nat }),
  );
  return { ...net, igwId, publicSubnetId: pub, routeTableId: rt, natGatewayId: nat, endpointIds: {} };
}

export interface EndpointOptions {
  /** Interface endpoint services (ecr.api, ecr.dkr, logs …). */
  interfaces: string[];
  s3Gateway: boolean;
  /** Inbound 443 on the endpoints' security group from the VPC range (default true). */
  endpointIngress?: boolean;
  privateDns?: boolean;
}

/** A private subnet (own route table, no default route) with the given VPC endpoints. */
export async function endpointPath(a: MotoAccount, opts: EndpointOptions): Promise<Layout> {
  const net = await createNetwork(a);
  const rt = await routeTable(a, net.vpcId, net.subnetId);
  const sg = (
    await a.ec2.send(
      new CreateSecurityGroupCommand({
        VpcId: net.vpcId,
        GroupName: 'vpc-endpoints',
        Description: 'endpoints',
      }),
    )
  ).GroupId!;
  if (opts.endpointIngress !== false) {
    await a.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: sg,
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/16' }] },
        ],
      }),
    );
  } else {
    await a.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: sg,
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/16' }] },
        ],
      }),
    );
  }
  const endpointIds: Record<string, string> = {};
  for (const svc of opts.interfaces) {
    const e = await a.ec2.send(
      new CreateVpcEndpointCommand({
        VpcId: net.vpcId,
        ServiceName: `com.amazonaws.${a.region}.${svc}`,
        VpcEndpointType: 'Interface',
        SubnetIds: [net.subnetId],
        SecurityGroupIds: [sg],
        PrivateDnsEnabled: opts.privateDns ?? true,
      }),
    );
    endpointIds[svc] = e.VpcEndpoint!.VpcEndpointId!;
  }
  if (opts.s3Gateway) {
    const e = await a.ec2.send(
      new CreateVpcEndpointCommand({
        VpcId: net.vpcId,
        ServiceName: `com.amazonaws.${a.region}.s3`,
        VpcEndpointType: 'Gateway',
        RouteTableIds: [rt],
      }),
    );
    endpointIds.s3 = e.VpcEndpoint!.VpcEndpointId!;
  }
  return { ...net, routeTableId: rt, endpointSgId: sg, endpointIds };
}

/** Deletes the NAT gateway (the route to it stays, as a blackhole in AWS; moto keeps showing it active). */
export async function deleteNat(a: MotoAccount, natGatewayId: string): Promise<void> {
  await a.ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: natGatewayId }));
}

/** Removes every outbound rule of the task's security group. */
export async function revokeEgress(a: MotoAccount, groupId: string): Promise<void> {
  await a.ec2.send(
    new RevokeSecurityGroupEgressCommand({
      GroupId: groupId,
      IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    }),
  );
}

/** Puts the subnet behind a new network ACL that denies TCP 443 out before allowing everything. */
export async function denyHttpsAcl(a: MotoAccount, net: Network): Promise<string> {
  const acl = (await a.ec2.send(new CreateNetworkAclCommand({ VpcId: net.vpcId }))).NetworkAcl!.NetworkAclId!;
  const entry = (
    RuleNumber: number,
    Egress: boolean,
    RuleAction: 'allow' | 'deny',
    Protocol: string,
    port?: number,
  ) =>
    a.ec2.send(
      new CreateNetworkAclEntryCommand({
        NetworkAclId: acl,
        RuleNumber,
        Egress,
        RuleAction,
        Protocol,
        CidrBlock: '0.0.0.0/0',
        ...(port ? { PortRange: { From: port, To: port } } : {}),
      }),
    );
  await entry(90, true, 'deny', '6', 443);
  await entry(100, true, 'allow', '-1');
  await entry(100, false, 'allow', '-1');
  const current = await a.ec2.send(
    new DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: [net.subnetId] }] }),
  );
  const assoc = current.NetworkAcls?.[0]?.Associations?.find(
    (x) => x.SubnetId === net.subnetId,
  )?.NetworkAclAssociationId;
  await a.ec2.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: assoc!, NetworkAclId: acl }));
  return acl;
}

/** Gives the VPC a DHCP options set with custom DNS servers. */
export async function customDns(a: MotoAccount, vpcId: string, servers: string[]): Promise<string> {
  const id = (
    await a.ec2.send(
      new CreateDhcpOptionsCommand({ DhcpConfigurations: [{ Key: 'domain-name-servers', Values: servers }] }),
    )
  ).DhcpOptions!.DhcpOptionsId!;
  await a.ec2.send(new AssociateDhcpOptionsCommand({ VpcId: vpcId, DhcpOptionsId: id }));
  return id;
}
