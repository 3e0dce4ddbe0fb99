/** EC2 commands, loaded with their package on first use (see ../sdk.ts): the largest of the SDK's clients. */
import type * as Sdk from '@aws-sdk/client-ec2';
import { type LazyClient, lazyCommand, SERVICES } from '../sdk.js';

const s = SERVICES.ec2;
export const DescribeDhcpOptionsCommand = lazyCommand<typeof Sdk.DescribeDhcpOptionsCommand>(
  s,
  'DescribeDhcpOptionsCommand',
);
export const DescribeNatGatewaysCommand = lazyCommand<typeof Sdk.DescribeNatGatewaysCommand>(
  s,
  'DescribeNatGatewaysCommand',
);
export const DescribeNetworkAclsCommand = lazyCommand<typeof Sdk.DescribeNetworkAclsCommand>(
  s,
  'DescribeNetworkAclsCommand',
);
export const DescribeNetworkInterfacesCommand = lazyCommand<typeof Sdk.DescribeNetworkInterfacesCommand>(
  s,
  'DescribeNetworkInterfacesCommand',
);
export const DescribePrefixListsCommand = lazyCommand<typeof Sdk.DescribePrefixListsCommand>(
  s,
  'DescribePrefixListsCommand',
);
export const DescribeRouteTablesCommand = lazyCommand<typeof Sdk.DescribeRouteTablesCommand>(
  s,
  'DescribeRouteTablesCommand',
);
export const DescribeSecurityGroupsCommand = lazyCommand<typeof Sdk.DescribeSecurityGroupsCommand>(
  s,
  'DescribeSecurityGroupsCommand',
);
export const DescribeSubnetsCommand = lazyCommand<typeof Sdk.DescribeSubnetsCommand>(
  s,
  'DescribeSubnetsCommand',
);
export const DescribeVpcAttributeCommand = lazyCommand<typeof Sdk.DescribeVpcAttributeCommand>(
  s,
  'DescribeVpcAttributeCommand',
);
export const DescribeVpcEndpointsCommand = lazyCommand<typeof Sdk.DescribeVpcEndpointsCommand>(
  s,
  'DescribeVpcEndpointsCommand',
);
export const DescribeVpcsCommand = lazyCommand<typeof Sdk.DescribeVpcsCommand>(s, 'DescribeVpcsCommand');
export type { IpPermission, Subnet } from '@aws-sdk/client-ec2';
export type EC2Client = LazyClient;
