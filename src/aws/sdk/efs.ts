/** EFS commands, loaded with their package on first use (see ../sdk.ts). */
import type * as Sdk from '@aws-sdk/client-efs';
import { type LazyClient, lazyCommand, SERVICES } from '../sdk.js';

const s = SERVICES.efs;
export const DescribeAccessPointsCommand = lazyCommand<typeof Sdk.DescribeAccessPointsCommand>(
  s,
  'DescribeAccessPointsCommand',
);
export const DescribeFileSystemPolicyCommand = lazyCommand<typeof Sdk.DescribeFileSystemPolicyCommand>(
  s,
  'DescribeFileSystemPolicyCommand',
);
export const DescribeFileSystemsCommand = lazyCommand<typeof Sdk.DescribeFileSystemsCommand>(
  s,
  'DescribeFileSystemsCommand',
);
export const DescribeMountTargetSecurityGroupsCommand = lazyCommand<
  typeof Sdk.DescribeMountTargetSecurityGroupsCommand
>(s, 'DescribeMountTargetSecurityGroupsCommand');
export const DescribeMountTargetsCommand = lazyCommand<typeof Sdk.DescribeMountTargetsCommand>(
  s,
  'DescribeMountTargetsCommand',
);
export type EFSClient = LazyClient;
