/** IAM commands, loaded with their package on first use (see ../sdk.ts). */
import type * as Sdk from '@aws-sdk/client-iam';
import { type LazyClient, lazyCommand, SERVICES } from '../sdk.js';

const s = SERVICES.iam;
export const GetPolicyCommand = lazyCommand<typeof Sdk.GetPolicyCommand>(s, 'GetPolicyCommand');
export const GetPolicyVersionCommand = lazyCommand<typeof Sdk.GetPolicyVersionCommand>(
  s,
  'GetPolicyVersionCommand',
);
export const GetRoleCommand = lazyCommand<typeof Sdk.GetRoleCommand>(s, 'GetRoleCommand');
export const GetRolePolicyCommand = lazyCommand<typeof Sdk.GetRolePolicyCommand>(s, 'GetRolePolicyCommand');
export const ListAttachedRolePoliciesCommand = lazyCommand<typeof Sdk.ListAttachedRolePoliciesCommand>(
  s,
  'ListAttachedRolePoliciesCommand',
);
export const ListRolePoliciesCommand = lazyCommand<typeof Sdk.ListRolePoliciesCommand>(
  s,
  'ListRolePoliciesCommand',
);
export const SimulatePrincipalPolicyCommand = lazyCommand<typeof Sdk.SimulatePrincipalPolicyCommand>(
  s,
  'SimulatePrincipalPolicyCommand',
);
export type IAMClient = LazyClient;
