/** CloudWatch Logs commands, loaded with their package on first use (see ../sdk.ts). */
import type * as Sdk from '@aws-sdk/client-cloudwatch-logs';
import { type LazyClient, lazyCommand, SERVICES } from '../sdk.js';

export const DescribeLogGroupsCommand = lazyCommand<typeof Sdk.DescribeLogGroupsCommand>(
  SERVICES.logs,
  'DescribeLogGroupsCommand',
);
export type { DescribeLogGroupsCommandOutput } from '@aws-sdk/client-cloudwatch-logs';
export type CloudWatchLogsClient = LazyClient;
