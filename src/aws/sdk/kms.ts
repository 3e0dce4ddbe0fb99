/** KMS commands, loaded with their package on first use (see ../sdk.ts). */
import type * as Sdk from '@aws-sdk/client-kms';
import { type LazyClient, lazyCommand, SERVICES } from '../sdk.js';

export const DescribeKeyCommand = lazyCommand<typeof Sdk.DescribeKeyCommand>(
  SERVICES.kms,
  'DescribeKeyCommand',
);
export type KMSClient = LazyClient;
