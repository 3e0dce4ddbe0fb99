/**
 * What the secret checks share (registry credentials and the task's secrets): the KMS key a secret is encrypted
 * with, and whether the execution role may read and decrypt it.
 */
import type { FactError } from '../../../aws/errors.js';
import type { KmsKeyRecord, SecretRecord } from '../../facts/secrets-kms.js';
import type { PermissionQuestion } from '../../task-refs.js';
import type { FactReader } from '../types.js';
import { type PermissionAnswer, rolePermission } from './permissions.js';

/** A secret's customer managed KMS key, as far as it is known: the secret's own words, completed by kms.keys. */
export interface SecretKey {
  /** The key as the secret names it. */
  id: string;
  arn?: string;
  state?: string;
  /** kms:DescribeKey could not look at it (its error), or no role reaches its account. */
  error?: FactError;
  unreachable?: boolean;
  /** Its account may not be read by this request. */
  notAllowed?: string;
}

/** The secret's customer managed key, or undefined when it uses the AWS managed one (nothing to grant). */
export function secretKey(
  secret: SecretRecord,
  keys: readonly KmsKeyRecord[] | undefined,
): SecretKey | undefined {
  if (!secret.kmsKeyId) return undefined;
  const k = keys?.find((x) => x.keyId === secret.kmsKeyId);
  if (k?.manager === 'AWS') return undefined;
  const arn = k?.arn ?? secret.kmsKeyArn;
  return {
    id: secret.kmsKeyId,
    ...(arn ? { arn } : {}),
    ...(k?.state ? { state: k.state } : {}),
    ...(k?.error ? { error: k.error } : {}),
    ...(k?.unreachable ? { unreachable: true } : {}),
    ...(k?.notAllowed ? { notAllowed: keyAccount(secret, k) } : {}),
  };
}

/** The account of a secret's key: the key ARN's, else the secret's. */
function keyAccount(secret: SecretRecord, k: KmsKeyRecord): string {
  return (k.arn ?? (k.keyId.startsWith('arn:') ? k.keyId : '')).split(':')[4] || secret.account;
}

/**
 * What stops the execution role from using a secret, in the order the agent meets it: reading it
 * (secretsmanager:GetSecretValue or ssm:GetParameters), then — for a customer managed key — decrypting it. `ok`
 * when neither does; an unanswered question (`unknown`) ends the walk like a refusal.
 */
export type SecretAccess =
  | { step: 'ok' }
  | { step: 'read'; answer: Exclude<PermissionAnswer, { decision: 'allowed' }> }
  | { step: 'key-unresolved'; key: SecretKey; error: FactError }
  | { step: 'decrypt'; keyArn: string; answer: Exclude<PermissionAnswer, { decision: 'allowed' }> };

/** Walks the role's access to a secret: read, then decrypt with its customer managed key (if any). */
export async function secretAccess(
  facts: FactReader,
  roleArn: string,
  roleAccount: string,
  read: PermissionQuestion,
  key: SecretKey | undefined,
): Promise<SecretAccess> {
  const r = await rolePermission(facts, roleArn, roleAccount, read);
  if (r.decision !== 'allowed') return { step: 'read', answer: r };
  if (!key) return { step: 'ok' };
  // An alias the key lookup could not resolve leaves nothing to ask kms:Decrypt about.
  if (!key.arn) {
    const keys = facts.raw('kms.keys');
    const error: FactError = key.error ??
      (keys && !keys.ok ? keys.error : undefined) ?? {
        kind: 'error',
        code: 'Unresolved',
        message: `${key.id} was not resolved`,
        action: 'kms:DescribeKey',
      };
    return { step: 'key-unresolved', key, error };
  }
  const d = await rolePermission(facts, roleArn, roleAccount, {
    action: 'kms:Decrypt',
    resource: key.arn,
    account: key.arn.split(':')[4] ?? read.account,
  });
  return d.decision === 'allowed' ? { step: 'ok' } : { step: 'decrypt', keyArn: key.arn, answer: d };
}
