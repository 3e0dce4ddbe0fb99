/**
 * EC2 facts: the task's ENI (while it exists), the task's subnets, and the VPC-level facts of their VPC (route tables, NAT gateways,
 * security groups, network ACLs, VPC endpoints: one call each, filtered by VPC; the VPC and its two DNS
 * attributes). Warm rounds: the task (1) → its subnets, which name the VPC (2) → every VPC-level fact at once (3)
 * → what depends on those: the DHCP options set named by the VPC, and only when they matter the VPC's other
 * subnets (interface endpoints exist) and the S3 prefix list's ranges (an S3 gateway endpoint exists) (4).
 */

import { NotApplicable } from '../../aws/errors.js';
import {
  DescribeDhcpOptionsCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribePrefixListsCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  type IpPermission,
  type Subnet,
} from '../../aws/sdk/ec2.js';
import { eniDetails, taskSubnetIds } from '../task-record.js';
import { defineFact, type FactProvider } from './session.js';
import type { ProviderHandle } from './types.js';

export interface EniRecord {
  networkInterfaceId?: string;
  subnetId?: string;
  vpcId?: string;
  availabilityZone?: string;
  privateIpAddress?: string;
  status?: string;
  groups?: Array<{ groupId?: string; groupName?: string }>;
  association?: { publicIp?: string; ipOwnerId?: string };
}

export interface SubnetRecord {
  subnetId: string;
  vpcId: string;
  cidrBlock?: string;
  ipv6CidrBlocks: string[];
  availabilityZone?: string;
  availabilityZoneId?: string;
  mapPublicIpOnLaunch?: boolean;
}

export interface VpcRecord {
  vpcId: string;
  cidrBlocks: string[];
  dhcpOptionsId?: string;
  isDefault?: boolean;
}

/** The VPC's DNS attributes (DescribeVpcAttribute): whether the Amazon resolver answers, and private names. */
export interface VpcDnsRecord {
  vpcId: string;
  enableDnsSupport?: boolean;
  enableDnsHostnames?: boolean;
}

export interface RouteRecord {
  destinationCidrBlock?: string;
  destinationIpv6CidrBlock?: string;
  destinationPrefixListId?: string;
  gatewayId?: string;
  natGatewayId?: string;
  transitGatewayId?: string;
  vpcPeeringConnectionId?: string;
  networkInterfaceId?: string;
  instanceId?: string;
  egressOnlyInternetGatewayId?: string;
  carrierGatewayId?: string;
  localGatewayId?: string;
  coreNetworkArn?: string;
  /** active | blackhole */
  state?: string;
  origin?: string;
}

export interface RouteTableRecord {
  routeTableId: string;
  vpcId?: string;
  main: boolean;
  subnetIds: string[];
  routes: RouteRecord[];
}

export interface NatGatewayRecord {
  natGatewayId: string;
  subnetId?: string;
  vpcId?: string;
  state?: string;
  connectivityType?: string;
  failureCode?: string;
  failureMessage?: string;
  publicIps: string[];
}

export interface SgRule {
  /** -1 (all), tcp, udp, icmp, or a protocol number as a string. */
  protocol: string;
  fromPort?: number;
  toPort?: number;
  cidrs: string[];
  ipv6Cidrs: string[];
  prefixListIds: string[];
  groupIds: string[];
}

export interface SecurityGroupRecord {
  groupId: string;
  groupName?: string;
  vpcId?: string;
  ingress: SgRule[];
  egress: SgRule[];
}

export interface NaclEntryRecord {
  ruleNumber: number;
  egress: boolean;
  /** -1 (all), 6 (tcp), 17 (udp) … as a string. */
  protocol: string;
  ruleAction: 'allow' | 'deny';
  cidrBlock?: string;
  ipv6CidrBlock?: string;
  portRange?: { from: number; to: number };
}

export interface NetworkAclRecord {
  networkAclId: string;
  vpcId?: string;
  isDefault?: boolean;
  subnetIds: string[];
  entries: NaclEntryRecord[];
}

export interface VpcEndpointRecord {
  vpcEndpointId: string;
  serviceName: string;
  /** Interface | Gateway | GatewayLoadBalancer … */
  type: string;
  state?: string;
  subnetIds: string[];
  securityGroupIds: string[];
  routeTableIds: string[];
  privateDnsEnabled?: boolean;
  /** The endpoint policy document (JSON text), when the endpoint type has one. */
  policyDocument?: string;
}

export interface DhcpOptionsRecord {
  dhcpOptionsId: string;
  domainNameServers: string[];
  domainName?: string;
}

export interface PrefixListRecord {
  prefixListId: string;
  prefixListName: string;
  cidrs: string[];
}

declare module './types.js' {
  interface FactMap {
    'ec2.taskEni': EniRecord;
    'ec2.subnets': SubnetRecord[];
    'ec2.vpcSubnets': SubnetRecord[];
    'ec2.vpc': VpcRecord;
    'ec2.vpcDns': VpcDnsRecord;
    'ec2.routeTables': RouteTableRecord[];
    'ec2.natGateways': NatGatewayRecord[];
    'ec2.securityGroups': SecurityGroupRecord[];
    'ec2.networkAcls': NetworkAclRecord[];
    'ec2.vpcEndpoints': VpcEndpointRecord[];
    'ec2.dhcpOptions': DhcpOptionsRecord;
    'ec2.prefixLists': PrefixListRecord[];
  }
}

/** The VPC of the task's subnets (all of a task's subnets are in one VPC). */
async function vpcId(h: ProviderHandle): Promise<string> {
  const subnets = await h.need('ec2.subnets');
  const id = subnets[0]?.vpcId;
  if (!id) throw new NotApplicable('the task subnets were not found');
  return id;
}

function vpcFilter(id: string) {
  return [{ Name: 'vpc-id', Values: [id] }];
}

/** Pages through an EC2 Describe call (NextToken) and concatenates the items. */
async function allPages<T>(
  fetch: (token: string | undefined) => Promise<{ items: T[]; next?: string }>,
): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  for (let i = 0; i < 20; i++) {
    const page = await fetch(token);
    out.push(...page.items);
    if (!page.next) break;
    token = page.next;
  }
  return out;
}

function rules(perms: IpPermission[] | undefined): SgRule[] {
  return (perms ?? []).map((p) => ({
    protocol: String(p.IpProtocol ?? '-1'),
    ...(p.FromPort !== undefined ? { fromPort: p.FromPort } : {}),
    ...(p.ToPort !== undefined ? { toPort: p.ToPort } : {}),
    cidrs: (p.IpRanges ?? []).map((r) => r.CidrIp).filter((c): c is string => !!c),
    ipv6Cidrs: (p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6).filter((c): c is string => !!c),
    prefixListIds: (p.PrefixListIds ?? []).map((r) => r.PrefixListId).filter((c): c is string => !!c),
    groupIds: (p.UserIdGroupPairs ?? []).map((r) => r.GroupId).filter((c): c is string => !!c),
  }));
}

/** The task's elastic network interface, while it still exists (deleted soon after the task stops). */
export const taskEniFact = defineFact({
  name: 'ec2.taskEni',
  actions: ['ec2:DescribeNetworkInterfaces'],
  async get(h) {
    const { task } = await h.need('ecs.task');
    const eniId = eniDetails(task).networkInterfaceId;
    if (!eniId) throw new NotApplicable('the task has no ENI id');
    const out = await h.call(
      'ec2:DescribeNetworkInterfaces',
      { NetworkInterfaceIds: [eniId] },
      ({ clients, signal }) =>
        clients.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }), {
          abortSignal: signal,
        }),
    );
    const eni = out.NetworkInterfaces?.[0];
    if (!eni) {
      const err = new Error(`ENI ${eniId} no longer exists`);
      err.name = 'InvalidNetworkInterfaceID.NotFound';
      throw err;
    }
    return {
      networkInterfaceId: eni.NetworkInterfaceId,
      subnetId: eni.SubnetId,
      vpcId: eni.VpcId,
      availabilityZone: eni.AvailabilityZone,
      privateIpAddress: eni.PrivateIpAddress,
      status: eni.Status,
      groups: eni.Groups?.map((g) => ({ groupId: g.GroupId, groupName: g.GroupName })),
      association: eni.Association
        ? { publicIp: eni.Association.PublicIp, ipOwnerId: eni.Association.IpOwnerId }
        : undefined,
    } as EniRecord;
  },
});

/** The task's subnets (DescribeSubnets): VPC, CIDR, availability zone. */
export const subnetsFact = defineFact({
  name: 'ec2.subnets',
  actions: ['ec2:DescribeSubnets'],
  async get(h) {
    const { task } = await h.need('ecs.task');
    let ids = taskSubnetIds(task);
    if (!ids.length) {
      const service = await h.get('ecs.service');
      ids = service.ok ? (service.value.networkConfiguration?.awsvpcConfiguration?.subnets ?? []) : [];
    }
    if (!ids.length) throw new NotApplicable('the task names no subnet');
    const out = await h.call('ec2:DescribeSubnets', { SubnetIds: ids }, ({ clients, signal }) =>
      clients.ec2.send(new DescribeSubnetsCommand({ SubnetIds: ids }), { abortSignal: signal }),
    );
    return (out.Subnets ?? []).map(subnetRecord);
  },
});

function subnetRecord(s: Subnet): SubnetRecord {
  return {
    subnetId: s.SubnetId!,
    vpcId: s.VpcId!,
    cidrBlock: s.CidrBlock,
    ipv6CidrBlocks: (s.Ipv6CidrBlockAssociationSet ?? [])
      .map((a) => a.Ipv6CidrBlock)
      .filter((c): c is string => !!c),
    availabilityZone: s.AvailabilityZone,
    availabilityZoneId: s.AvailabilityZoneId,
    mapPublicIpOnLaunch: s.MapPublicIpOnLaunch,
  };
}

/** Every subnet of the VPC, when it has interface endpoints: the availability zones of the endpoints' subnets. */
export const vpcSubnetsFact = defineFact({
  name: 'ec2.vpcSubnets',
  actions: ['ec2:DescribeSubnets'],
  async get(h) {
    // Only the endpoint checks need the other subnets (where the endpoints' ENIs sit): skip the call otherwise.
    const endpoints = await h.need('ec2.vpcEndpoints');
    if (!endpoints.some((e) => e.type.toLowerCase() === 'interface'))
      throw new NotApplicable('no interface endpoint');
    const id = await vpcId(h);
    return allPages(async (NextToken) => {
      const out = await h.call(
        'ec2:DescribeSubnets',
        { Filters: vpcFilter(id), NextToken },
        ({ clients, signal }) =>
          clients.ec2.send(new DescribeSubnetsCommand({ Filters: vpcFilter(id), NextToken }), {
            abortSignal: signal,
          }),
      );
      return { next: out.NextToken, items: (out.Subnets ?? []).map(subnetRecord) };
    });
  },
});

/** The VPC: CIDRs and DHCP options set (DescribeVpcs). */
export const vpcFact = defineFact({
  name: 'ec2.vpc',
  actions: ['ec2:DescribeVpcs'],
  async get(h) {
    const id = await vpcId(h);
    const vpcs = await h.call('ec2:DescribeVpcs', { VpcIds: [id] }, ({ clients, signal }) =>
      clients.ec2.send(new DescribeVpcsCommand({ VpcIds: [id] }), { abortSignal: signal }),
    );
    const v = vpcs.Vpcs?.[0];
    return {
      vpcId: id,
      cidrBlocks: (v?.CidrBlockAssociationSet ?? [])
        .filter((a) => !a.CidrBlockState?.State || a.CidrBlockState.State === 'associated')
        .map((a) => a.CidrBlock)
        .filter((c): c is string => !!c)
        .concat(v?.CidrBlockAssociationSet?.length ? [] : v?.CidrBlock ? [v.CidrBlock] : []),
      dhcpOptionsId: v?.DhcpOptionsId,
      isDefault: v?.IsDefault,
    };
  },
});

/**
 * The VPC's two DNS attributes (DescribeVpcAttribute answers one attribute per call), as their own fact so that
 * a denial only leaves the checks that read them unknown.
 */
export const vpcDnsFact = defineFact({
  name: 'ec2.vpcDns',
  actions: ['ec2:DescribeVpcAttribute'],
  async get(h) {
    const id = await vpcId(h);
    const attribute = (Attribute: 'enableDnsSupport' | 'enableDnsHostnames') =>
      h.call('ec2:DescribeVpcAttribute', { VpcId: id, Attribute }, ({ clients, signal }) =>
        clients.ec2.send(new DescribeVpcAttributeCommand({ VpcId: id, Attribute }), { abortSignal: signal }),
      );
    const [support, hostnames] = await Promise.all([
      attribute('enableDnsSupport'),
      attribute('enableDnsHostnames'),
    ]);
    return {
      vpcId: id,
      enableDnsSupport: support.EnableDnsSupport?.Value,
      enableDnsHostnames: hostnames.EnableDnsHostnames?.Value,
    };
  },
});

/** Every route table of the VPC, with associations (the main one included) and routes. */
export const routeTablesFact = defineFact({
  name: 'ec2.routeTables',
  actions: ['ec2:DescribeRouteTables'],
  async get(h) {
    const id = await vpcId(h);
    return allPages(async (NextToken) => {
      const out = await h.call(
        'ec2:DescribeRouteTables',
        { Filters: vpcFilter(id), NextToken },
        ({ clients, signal }) =>
          clients.ec2.send(new DescribeRouteTablesCommand({ Filters: vpcFilter(id), NextToken }), {
            abortSignal: signal,
          }),
      );
      return {
        next: out.NextToken,
        items: (out.RouteTables ?? []).map((rt) => ({
          routeTableId: rt.RouteTableId!,
          vpcId: rt.VpcId,
          main: (rt.Associations ?? []).some((a) => a.Main),
          subnetIds: (rt.Associations ?? [])
            .filter(
              (a) => a.SubnetId && (!a.AssociationState?.State || a.AssociationState.State === 'associated'),
            )
            .map((a) => a.SubnetId!),
          routes: (rt.Routes ?? []).map((r) => ({
            destinationCidrBlock: r.DestinationCidrBlock,
            destinationIpv6CidrBlock: r.DestinationIpv6CidrBlock,
            destinationPrefixListId: r.DestinationPrefixListId,
            gatewayId: r.GatewayId,
            natGatewayId: r.NatGatewayId,
            transitGatewayId: r.TransitGatewayId,
            vpcPeeringConnectionId: r.VpcPeeringConnectionId,
            networkInterfaceId: r.NetworkInterfaceId,
            instanceId: r.InstanceId,
            egressOnlyInternetGatewayId: r.EgressOnlyInternetGatewayId,
            carrierGatewayId: r.CarrierGatewayId,
            localGatewayId: r.LocalGatewayId,
            coreNetworkArn: r.CoreNetworkArn,
            state: r.State,
            origin: r.Origin,
          })),
        })),
      };
    });
  },
});

/** NAT gateways of the VPC (any state: a deleted or failed one explains a broken route). */
export const natGatewaysFact = defineFact({
  name: 'ec2.natGateways',
  actions: ['ec2:DescribeNatGateways'],
  async get(h) {
    const id = await vpcId(h);
    const Filter = vpcFilter(id);
    return allPages(async (NextToken) => {
      const out = await h.call('ec2:DescribeNatGateways', { Filter, NextToken }, ({ clients, signal }) =>
        clients.ec2.send(new DescribeNatGatewaysCommand({ Filter, NextToken }), { abortSignal: signal }),
      );
      return {
        next: out.NextToken,
        items: (out.NatGateways ?? []).map((n) => ({
          natGatewayId: n.NatGatewayId!,
          subnetId: n.SubnetId,
          vpcId: n.VpcId,
          state: n.State,
          connectivityType: n.ConnectivityType ?? 'public',
          failureCode: n.FailureCode,
          failureMessage: n.FailureMessage,
          publicIps: (n.NatGatewayAddresses ?? []).map((a) => a.PublicIp).filter((p): p is string => !!p),
        })),
      };
    });
  },
});

/** Every security group of the VPC: the task's, the endpoints', and any they reference. */
export const securityGroupsFact = defineFact({
  name: 'ec2.securityGroups',
  actions: ['ec2:DescribeSecurityGroups'],
  async get(h) {
    const id = await vpcId(h);
    return allPages(async (NextToken) => {
      const out = await h.call(
        'ec2:DescribeSecurityGroups',
        { Filters: vpcFilter(id), NextToken },
        ({ clients, signal }) =>
          clients.ec2.send(new DescribeSecurityGroupsCommand({ Filters: vpcFilter(id), NextToken }), {
            abortSignal: signal,
          }),
      );
      return {
        next: out.NextToken,
        items: (out.SecurityGroups ?? []).map((g) => ({
          groupId: g.GroupId!,
          groupName: g.GroupName,
          vpcId: g.VpcId,
          ingress: rules(g.IpPermissions),
          egress: rules(g.IpPermissionsEgress),
        })),
      };
    });
  },
});

/** Network ACLs of the VPC with their entries and subnet associations. */
export const networkAclsFact = defineFact({
  name: 'ec2.networkAcls',
  actions: ['ec2:DescribeNetworkAcls'],
  async get(h) {
    const id = await vpcId(h);
    return allPages(async (NextToken) => {
      const out = await h.call(
        'ec2:DescribeNetworkAcls',
        { Filters: vpcFilter(id), NextToken },
        ({ clients, signal }) =>
          clients.ec2.send(new DescribeNetworkAclsCommand({ Filters: vpcFilter(id), NextToken }), {
            abortSignal: signal,
          }),
      );
      return {
        next: out.NextToken,
        items: (out.NetworkAcls ?? []).map((a) => ({
          networkAclId: a.NetworkAclId!,
          vpcId: a.VpcId,
          isDefault: a.IsDefault,
          subnetIds: (a.Associations ?? []).map((x) => x.SubnetId).filter((s): s is string => !!s),
          entries: (a.Entries ?? []).map((e) => ({
            ruleNumber: e.RuleNumber ?? 32767,
            egress: !!e.Egress,
            protocol: String(e.Protocol ?? '-1'),
            ruleAction: e.RuleAction === 'deny' ? ('deny' as const) : ('allow' as const),
            ...(e.CidrBlock ? { cidrBlock: e.CidrBlock } : {}),
            ...(e.Ipv6CidrBlock ? { ipv6CidrBlock: e.Ipv6CidrBlock } : {}),
            ...(e.PortRange
              ? { portRange: { from: e.PortRange.From ?? 0, to: e.PortRange.To ?? 65535 } }
              : {}),
          })),
        })),
      };
    });
  },
});

/** VPC endpoints of the VPC: service, type, state, subnets, security groups, route tables, DNS, policy. */
export const vpcEndpointsFact = defineFact({
  name: 'ec2.vpcEndpoints',
  actions: ['ec2:DescribeVpcEndpoints'],
  async get(h) {
    const id = await vpcId(h);
    return allPages(async (NextToken) => {
      const out = await h.call(
        'ec2:DescribeVpcEndpoints',
        { Filters: vpcFilter(id), NextToken },
        ({ clients, signal }) =>
          clients.ec2.send(new DescribeVpcEndpointsCommand({ Filters: vpcFilter(id), NextToken }), {
            abortSignal: signal,
          }),
      );
      return {
        next: out.NextToken,
        items: (out.VpcEndpoints ?? []).map((e) => ({
          vpcEndpointId: e.VpcEndpointId!,
          serviceName: e.ServiceName ?? '',
          type: String(e.VpcEndpointType ?? 'Gateway'),
          state: e.State,
          subnetIds: e.SubnetIds ?? [],
          securityGroupIds: (e.Groups ?? []).map((g) => g.GroupId).filter((g): g is string => !!g),
          routeTableIds: e.RouteTableIds ?? [],
          privateDnsEnabled: e.PrivateDnsEnabled,
          policyDocument: e.PolicyDocument,
        })),
      };
    });
  },
});

/** The VPC's DHCP options set (which DNS servers the task was given). */
export const dhcpOptionsFact = defineFact({
  name: 'ec2.dhcpOptions',
  actions: ['ec2:DescribeDhcpOptions'],
  async get(h) {
    const vpc = await h.need('ec2.vpc');
    const id = vpc.dhcpOptionsId;
    // "default" means no DHCP options set: the VPC uses the Amazon-provided DNS.
    if (!id || id === 'default')
      return { dhcpOptionsId: 'default', domainNameServers: ['AmazonProvidedDNS'] };
    const out = await h.call('ec2:DescribeDhcpOptions', { DhcpOptionsIds: [id] }, ({ clients, signal }) =>
      clients.ec2.send(new DescribeDhcpOptionsCommand({ DhcpOptionsIds: [id] }), { abortSignal: signal }),
    );
    const set = out.DhcpOptions?.[0];
    const values = (key: string) =>
      (set?.DhcpConfigurations ?? [])
        .filter((c) => c.Key === key)
        .flatMap((c) => (c.Values ?? []).map((v) => v.Value).filter((v): v is string => !!v));
    return {
      dhcpOptionsId: id,
      domainNameServers: values('domain-name-servers'),
      domainName: values('domain-name')[0],
    };
  },
});

/**
 * The region's S3 prefix list (its pl- id and CIDRs), read only when the VPC has an S3 gateway endpoint: that is
 * when security groups and network ACLs must let the layer downloads reach S3 by those ranges.
 */
export const prefixListsFact = defineFact({
  name: 'ec2.prefixLists',
  actions: ['ec2:DescribePrefixLists'],
  async get(h) {
    const endpoints = await h.need('ec2.vpcEndpoints');
    const region = h.inputs.target.region;
    const s3 = endpoints.find(
      (e) => e.type.toLowerCase() === 'gateway' && e.serviceName.endsWith(`${region}.s3`),
    );
    if (!s3) throw new NotApplicable('the VPC has no S3 gateway endpoint');
    const params = { Filters: [{ Name: 'prefix-list-name', Values: [s3.serviceName] }] };
    const out = await h.call('ec2:DescribePrefixLists', params, ({ clients, signal }) =>
      clients.ec2.send(new DescribePrefixListsCommand(params), { abortSignal: signal }),
    );
    return (out.PrefixLists ?? []).map((p) => ({
      prefixListId: p.PrefixListId!,
      prefixListName: p.PrefixListName ?? '',
      cidrs: p.Cidrs ?? [],
    }));
  },
});

/** Every EC2 fact provider (registered in facts/index.ts). */
export const ec2Facts: FactProvider[] = [
  taskEniFact,
  subnetsFact,
  vpcSubnetsFact,
  vpcFact,
  vpcDnsFact,
  routeTablesFact,
  natGatewaysFact,
  securityGroupsFact,
  networkAclsFact,
  vpcEndpointsFact,
  dhcpOptionsFact,
  prefixListsFact,
] as FactProvider[];
