/** ECS commands, loaded with their package on first use (see ../sdk.ts). */
import type * as Sdk from '@aws-sdk/client-ecs';
import { type LazyClient, lazyCommand, SERVICES } from '../sdk.js';

const s = SERVICES.ecs;
export const DescribeServicesCommand = lazyCommand<typeof Sdk.DescribeServicesCommand>(
  s,
  'DescribeServicesCommand',
);
export const DescribeTaskDefinitionCommand = lazyCommand<typeof Sdk.DescribeTaskDefinitionCommand>(
  s,
  'DescribeTaskDefinitionCommand',
);
export const DescribeTasksCommand = lazyCommand<typeof Sdk.DescribeTasksCommand>(s, 'DescribeTasksCommand');
export const ListTasksCommand = lazyCommand<typeof Sdk.ListTasksCommand>(s, 'ListTasksCommand');
export type {
  DescribeServicesCommandOutput,
  DescribeTasksCommandOutput,
  ListTasksCommandOutput,
} from '@aws-sdk/client-ecs';
export type ECSClient = LazyClient;
