/**
 * Secrets Manager, SSM and KMS facts: each secret and parameter the task reads (that it exists — never its value —
 * and the KMS key it is encrypted with), and those customer managed keys (ARN, state, who manages them).
 */

import { classifyAwsError, type FactError, hasErrorCode, NotApplicable } from '../../aws/errors.js';
import { DescribeKeyCommand } from '../../aws/sdk/kms.js';
import { DescribeSecretCommand } from '../../aws/sdk/secrets-manager.js';
import { DescribeParametersCommand } from '../../aws/sdk/ssm.js';
import { type SecretRef, secretRefsOf } from '../task-refs.js';
import { taskAccount } from './ecs.js';
import { defineFact, type FactProvider } from './session.js';

export interface SecretRecord extends SecretRef {
  exists: boolean;
  /** The KMS key of the secret or SecureString parameter as the service names it, when not the AWS managed one. */
  kmsKeyId?: string;
  /** That key's ARN, when the name is a key id or ARN (an alias needs kms:DescribeKey: see kms.keys). */
  kmsKeyArn?: string;
  deleted?: boolean;
  unreachable?: boolean;
  /** Its account may not be read by this request (a Slack channel's rules): nothing was asked. */
  notAllowed?: boolean;
  error?: FactError;
}

/** A KMS key the task's secrets are encrypted with, as kms:DescribeKey describes it. */
export interface KmsKeyRecord {
  /** The key as the secret names it (id, ARN, alias or alias ARN). */
  keyId: string;
  arn?: string;
  /** Enabled, Disabled, PendingDeletion, PendingImport, Unavailable … */
  state?: string;
  /** CUSTOMER or AWS */
  manager?: string;
  unreachable?: boolean;
  /** Its account may not be read by this request: kms:DescribeKey was not asked. */
  notAllowed?: boolean;
  error?: FactError;
}

declare module './types.js' {
  interface FactMap {
    'secrets.references': SecretRecord[];
    'kms.keys': KmsKeyRecord[];
  }
}

/**
 * The ARN of a KMS key named by id or ARN, in the secret's account and region; undefined for an alias, which only
 * kms:DescribeKey resolves.
 */
export function kmsKeyArnOf(
  keyId: string,
  partition: string,
  region: string,
  account: string,
): string | undefined {
  if (/^arn:[^:]+:kms:[^:]+:\d{12}:key\//.test(keyId)) return keyId;
  if (/^(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.test(keyId))
    return `arn:${partition}:kms:${region}:${account}:key/${keyId}`;
  return undefined;
}

/** The AWS managed default keys: nothing for the execution role to be granted. */
const AWS_MANAGED_DEFAULT = /(^|:)alias\/aws\/(secretsmanager|ssm)$/;

/** Each secret and parameter the task reads: exists (never its value) and the KMS key it is encrypted with. */
export const secretsFact = defineFact({
  name: 'secrets.references',
  actions: ['secretsmanager:DescribeSecret', 'ssm:DescribeParameters'],
  async get(h) {
    const [task, td] = await Promise.all([h.need('ecs.task'), h.need('ecs.taskDefinition')]);
    const t = h.inputs.target;
    const account = taskAccount(h, task.task);
    const refs = secretRefsOf(td.containerDefinitions ?? [], t.partition, t.region, account);
    if (!refs.length) throw new NotApplicable('the task reads no secret');
    return Promise.all(
      refs.map(async (ref): Promise<SecretRecord> => {
        const scope =
          ref.account !== account || ref.region !== t.region
            ? { account: ref.account, region: ref.region }
            : undefined;
        if (ref.account !== account && !h.inputs.settings.mayRead(ref.account)) {
          return { ...ref, exists: false, notAllowed: true };
        }
        if (ref.account !== account && !h.inputs.settings.canReachAccount(ref.account)) {
          return { ...ref, exists: false, unreachable: true };
        }
        const withKey = (rec: SecretRecord, keyId: string | undefined): SecretRecord => {
          if (!keyId || AWS_MANAGED_DEFAULT.test(keyId)) return rec;
          const arn = kmsKeyArnOf(keyId, t.partition, ref.region, ref.account);
          return { ...rec, kmsKeyId: keyId, ...(arn ? { kmsKeyArn: arn } : {}) };
        };
        try {
          if (ref.store === 'secretsmanager') {
            const out = await h.call(
              'secretsmanager:DescribeSecret',
              { SecretId: ref.lookup },
              ({ clients, signal }) =>
                clients.secretsManager.send(new DescribeSecretCommand({ SecretId: ref.lookup }), {
                  abortSignal: signal,
                }),
              scope,
            );
            // KmsKeyId is omitted when the secret uses the AWS managed key aws/secretsmanager.
            return withKey(
              { ...ref, exists: true, arn: out.ARN ?? ref.arn, deleted: !!out.DeletedDate },
              out.KmsKeyId,
            );
          }
          const params = { ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [ref.lookup] }] };
          const out = await h.call(
            'ssm:DescribeParameters',
            params,
            ({ clients, signal }) =>
              clients.ssm.send(new DescribeParametersCommand(params), { abortSignal: signal }),
            scope,
          );
          const p = out.Parameters?.[0];
          return withKey({ ...ref, exists: !!p }, p?.Type === 'SecureString' ? p.KeyId : undefined);
        } catch (err) {
          if (hasErrorCode(err, 'ResourceNotFoundException', 'ParameterNotFound'))
            return { ...ref, exists: false };
          return {
            ...ref,
            exists: false,
            error: classifyAwsError(
              err,
              ref.store === 'secretsmanager' ? 'secretsmanager:DescribeSecret' : 'ssm:DescribeParameters',
            ),
          };
        }
      }),
    );
  },
});

/** The customer managed KMS keys of the task's secrets: ARN (aliases resolved), state, and who manages them. */
export const kmsKeysFact = defineFact({
  name: 'kms.keys',
  actions: ['kms:DescribeKey'],
  async get(h) {
    const secrets = await h.need('secrets.references');
    const t = h.inputs.target;
    const keys = new Map<string, SecretRecord>();
    for (const s of secrets) if (s.kmsKeyId && !keys.has(s.kmsKeyId)) keys.set(s.kmsKeyId, s);
    if (!keys.size) throw new NotApplicable('no secret uses a customer managed KMS key');
    return Promise.all(
      [...keys.entries()].map(async ([keyId, secret]): Promise<KmsKeyRecord> => {
        // A key named by ARN lives in the ARN's account; otherwise in the secret's.
        const arnParts = keyId.startsWith('arn:') ? keyId.split(':') : undefined;
        const account = arnParts?.[4] ?? secret.account;
        const region = arnParts?.[3] ?? secret.region;
        if (account !== t.account && !h.inputs.settings.mayRead(account))
          return { keyId, ...(secret.kmsKeyArn ? { arn: secret.kmsKeyArn } : {}), notAllowed: true };
        if (account !== t.account && !h.inputs.settings.canReachAccount(account))
          return { keyId, ...(secret.kmsKeyArn ? { arn: secret.kmsKeyArn } : {}), unreachable: true };
        const scope = account !== t.account || region !== t.region ? { account, region } : undefined;
        try {
          const out = await h.call(
            'kms:DescribeKey',
            { KeyId: keyId },
            ({ clients, signal }) =>
              clients.kms.send(new DescribeKeyCommand({ KeyId: keyId }), { abortSignal: signal }),
            scope,
          );
          return {
            keyId,
            arn: out.KeyMetadata?.Arn ?? secret.kmsKeyArn,
            state: out.KeyMetadata?.KeyState,
            manager: out.KeyMetadata?.KeyManager,
          };
        } catch (err) {
          return {
            keyId,
            ...(secret.kmsKeyArn ? { arn: secret.kmsKeyArn } : {}),
            error: classifyAwsError(err, 'kms:DescribeKey'),
          };
        }
      }),
    );
  },
});

export const secretsKmsFacts: FactProvider[] = [secretsFact, kmsKeysFact] as FactProvider[];
