/** Systems Manager commands, loaded with their package on first use (see ../sdk.ts). */
import type * as Sdk from '@aws-sdk/client-ssm';
import { type LazyClient, lazyCommand, SERVICES } from '../sdk.js';

export const DescribeParametersCommand = lazyCommand<typeof Sdk.DescribeParametersCommand>(
  SERVICES.ssm,
  'DescribeParametersCommand',
);
export type SSMClient = LazyClient;
