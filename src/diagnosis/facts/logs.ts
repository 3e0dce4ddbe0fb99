/**
 * CloudWatch Logs facts: each log group the task's awslogs driver writes to (logs:DescribeLogGroups in the group's
 * own region, by name prefix, matching the exact name), whether it exists, and the KMS key it is encrypted with
 * (kms:DescribeKey: its state). Never a log event.
 */

import { classifyAwsError, type FactError, NotApplicable } from '../../aws/errors.js';
import { DescribeKeyCommand } from '../../aws/sdk/kms.js';
import { DescribeLogGroupsCommand, type DescribeLogGroupsCommandOutput } from '../../aws/sdk/logs.js';
import { type LogGroupRef, logGroupRefsOf } from '../task-refs.js';
import { taskAccount } from './ecs.js';
import { defineFact, type FactProvider } from './session.js';
import type { CallScope, ProviderHandle } from './types.js';

/** The KMS key a log group is encrypted with, as kms:DescribeKey describes it. */
export interface LogKeyRecord {
  arn: string;
  /** Enabled, Disabled, PendingDeletion, PendingImport, Unavailable … */
  state?: string;
  /** CUSTOMER or AWS */
  manager?: string;
  /** Its account may not be read by this request: kms:DescribeKey was not asked. */
  notAllowed?: boolean;
  /** No role is configured for its account. */
  unreachable?: boolean;
  error?: FactError;
}

export interface LogGroupRecord extends LogGroupRef {
  /** Undefined when logs:DescribeLogGroups failed (see error). */
  exists?: boolean;
  /** The KMS key ARN CloudWatch Logs encrypts the group with, when not its own key. */
  kmsKeyId?: string;
  /** STANDARD | INFREQUENT_ACCESS | DELIVERY */
  logGroupClass?: string;
  retentionInDays?: number;
  /** That key's state, when the group has one. */
  key?: LogKeyRecord;
  /** logs:DescribeLogGroups failed. */
  error?: FactError;
}

declare module './types.js' {
  interface FactMap {
    'logs.groups': LogGroupRecord[];
  }
}

/** The scope of a call in `region` of the task's account: undefined for the task's own region. */
function regionScope(h: ProviderHandle, region: string): CallScope | undefined {
  return region === h.inputs.target.region ? undefined : { region };
}

/** One log group: asked by name prefix (one page holds the exact name first), then its key. */
async function logGroup(h: ProviderHandle, ref: LogGroupRef): Promise<LogGroupRecord> {
  const params = { logGroupNamePrefix: ref.group, limit: 50 };
  let found: DescribeLogGroupsCommandOutput['logGroups'];
  try {
    const out = await h.call(
      'logs:DescribeLogGroups',
      params,
      ({ clients, signal }) =>
        clients.logs.send(new DescribeLogGroupsCommand(params), { abortSignal: signal }),
      regionScope(h, ref.region),
    );
    found = out.logGroups;
  } catch (err) {
    return { ...ref, error: classifyAwsError(err, 'logs:DescribeLogGroups') };
  }
  const g = (found ?? []).find((x) => x.logGroupName === ref.group);
  if (!g) return { ...ref, exists: false };
  const rec: LogGroupRecord = {
    ...ref,
    exists: true,
    ...(g.kmsKeyId ? { kmsKeyId: g.kmsKeyId } : {}),
    ...(g.logGroupClass ? { logGroupClass: g.logGroupClass } : {}),
    ...(g.retentionInDays !== undefined ? { retentionInDays: g.retentionInDays } : {}),
  };
  if (g.kmsKeyId) rec.key = await logKey(h, g.kmsKeyId, ref);
  return rec;
}

/** The state of the group's KMS key (a key ARN: CloudWatch Logs accepts nothing else), in the key's account. */
async function logKey(h: ProviderHandle, arn: string, ref: LogGroupRef): Promise<LogKeyRecord> {
  const parts = arn.split(':');
  const account = parts[4] || ref.account;
  const region = parts[3] || ref.region;
  const t = h.inputs.target;
  if (account !== t.account && !h.inputs.settings.mayRead(account)) return { arn, notAllowed: true };
  if (account !== t.account && !h.inputs.settings.canReachAccount(account)) return { arn, unreachable: true };
  const scope: CallScope | undefined =
    account !== t.account || region !== t.region ? { account, region } : undefined;
  try {
    const out = await h.call(
      'kms:DescribeKey',
      { KeyId: arn },
      ({ clients, signal }) =>
        clients.kms.send(new DescribeKeyCommand({ KeyId: arn }), { abortSignal: signal }),
      scope,
    );
    return {
      arn: out.KeyMetadata?.Arn ?? arn,
      ...(out.KeyMetadata?.KeyState ? { state: out.KeyMetadata.KeyState } : {}),
      ...(out.KeyMetadata?.KeyManager ? { manager: out.KeyMetadata.KeyManager } : {}),
    };
  } catch (err) {
    return { arn, error: classifyAwsError(err, 'kms:DescribeKey') };
  }
}

/** Each log group the task's awslogs containers write to: exists, its KMS key and that key's state. */
export const logGroupsFact = defineFact({
  name: 'logs.groups',
  actions: ['logs:DescribeLogGroups', 'kms:DescribeKey'],
  async get(h) {
    const [task, td] = await Promise.all([h.need('ecs.task'), h.need('ecs.taskDefinition')]);
    const t = h.inputs.target;
    const refs = logGroupRefsOf(
      td.containerDefinitions ?? [],
      t.partition,
      t.region,
      taskAccount(h, task.task),
      t.taskId,
    );
    if (!refs.length) throw new NotApplicable('no container logs to CloudWatch Logs (awslogs)');
    return Promise.all(refs.map((ref) => logGroup(h, ref)));
  },
});

export const logsFacts: FactProvider[] = [logGroupsFact] as FactProvider[];
