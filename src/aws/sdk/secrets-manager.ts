/** Secrets Manager commands, loaded with their package on first use (see ../sdk.ts). */
import type * as Sdk from '@aws-sdk/client-secrets-manager';
import { type LazyClient, lazyCommand, SERVICES } from '../sdk.js';

export const DescribeSecretCommand = lazyCommand<typeof Sdk.DescribeSecretCommand>(
  SERVICES.secretsManager,
  'DescribeSecretCommand',
);
export type SecretsManagerClient = LazyClient;
