/** CloudTrail commands, loaded with their package on first use (see ../sdk.ts). */
import type * as Sdk from '@aws-sdk/client-cloudtrail';
import { type LazyClient, lazyCommand, SERVICES } from '../sdk.js';

export const LookupEventsCommand = lazyCommand<typeof Sdk.LookupEventsCommand>(
  SERVICES.cloudtrail,
  'LookupEventsCommand',
);
export type { LookupEventsCommandOutput } from '@aws-sdk/client-cloudtrail';
export type CloudTrailClient = LazyClient;
