/** What the secret checks share (registry credentials and the task's secrets): the KMS key a secret is encrypted with. */
import type { FactError } from '../../../aws/errors.js';
import type { KmsKeyRecord, SecretRecord } from '../../facts/secrets-kms.js';

/** A secret's customer managed KMS key, as far as it is known: the secret's own words, completed by kms.keys. */
export interface SecretKey {
  /** The key as the secret names it. */
  id: string;
  arn?: string;
  state?: string;
  /** kms:DescribeKey could not look at it (its error), or no role reaches its account. */
  error?: FactError;
  unreachable?: boolean;
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
  };
}
