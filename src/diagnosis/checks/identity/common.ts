/** Helpers shared by the identity and image checks: one result per container image, folded into one. */
import type { FactError } from '../../../aws/errors.js';
import type { ImageRef } from '../../../aws/image-ref.js';
import type { ProbeResult } from '../../../registry/probe.js';
import type { TaskContext } from '../../context.js';
import type { KmsKeyRecord, SecretRecord } from '../../facts/identity.js';
import { worstOf } from '../network/common.js';
import type { CheckResult } from '../types.js';

/**
 * How much a container matters for the verdict: the one ECS reported a reason for first (the one that failed),
 * then essential ones. Every container's image must be pulled before the task starts, so a non-essential
 * container's image stops it too: this orders equals, it never lowers a status.
 */
function weight(ctx: TaskContext, containers: readonly string[]): number {
  const mine = ctx.containers.filter((c) => containers.includes(c.name));
  if (mine.some((c) => c.reason)) return 0;
  if (mine.some((c) => c.essential)) return 1;
  return 2;
}

/** The worst result, preferring among equals the container that failed, then essential ones; evidence of all kept. */
export function foldByContainer(
  ctx: TaskContext,
  items: ReadonlyArray<{ result: CheckResult; containers: readonly string[] }>,
): CheckResult {
  const ordered = [...items].sort((a, b) => weight(ctx, a.containers) - weight(ctx, b.containers));
  return worstOf(ordered.map((i) => i.result));
}

/** Container names for a message: `web, worker`. */
export function containerList(containers: readonly string[]): string {
  return containers.join(', ') || '?';
}

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

/** The registry probe's answer for one of the task's images (by image; saved facts before `image` by reference). */
export function probeFor(
  probes: readonly ProbeResult[],
  image: string,
  ref: ImageRef | null,
): ProbeResult | undefined {
  return (
    probes.find((p) => p.image === image) ??
    probes.find(
      (p) =>
        !p.image &&
        ref !== null &&
        p.repository === ref.repository &&
        p.reference === (ref.digest ?? ref.tag ?? 'latest'),
    )
  );
}
