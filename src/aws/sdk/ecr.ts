/** ECR commands, loaded with their package on first use (see ../sdk.ts). */
import type * as Sdk from '@aws-sdk/client-ecr';
import { type LazyClient, lazyCommand, SERVICES } from '../sdk.js';

const s = SERVICES.ecr;
export const BatchGetImageCommand = lazyCommand<typeof Sdk.BatchGetImageCommand>(s, 'BatchGetImageCommand');
export const DescribeImagesCommand = lazyCommand<typeof Sdk.DescribeImagesCommand>(
  s,
  'DescribeImagesCommand',
);
export const DescribePullThroughCacheRulesCommand = lazyCommand<
  typeof Sdk.DescribePullThroughCacheRulesCommand
>(s, 'DescribePullThroughCacheRulesCommand');
export const DescribeRepositoriesCommand = lazyCommand<typeof Sdk.DescribeRepositoriesCommand>(
  s,
  'DescribeRepositoriesCommand',
);
export const GetLifecyclePolicyCommand = lazyCommand<typeof Sdk.GetLifecyclePolicyCommand>(
  s,
  'GetLifecyclePolicyCommand',
);
export const GetRepositoryPolicyCommand = lazyCommand<typeof Sdk.GetRepositoryPolicyCommand>(
  s,
  'GetRepositoryPolicyCommand',
);
export type { DescribeImagesCommandOutput, ImageDetail, ImageIdentifier } from '@aws-sdk/client-ecr';
export type ECRClient = LazyClient;
