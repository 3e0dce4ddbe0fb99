/**
 * "May the execution role do X on Y?" — answered from iam:SimulatePrincipalPolicy when it ran, else by evaluating
 * the role's own policies (inline, attached, permissions boundary) with the IAM policy evaluator. The answer says
 * which method decided.
 */

import type { FactError } from '../../../aws/errors.js';
import { evaluatePolicy } from '../../../aws/policy-eval.js';
import type { PermissionQuestion } from '../../identity-refs.js';
import type { FactReader } from '../types.js';

export type PermissionAnswer =
  | {
      decision: 'allowed' | 'implicit-deny' | 'explicit-deny';
      method: 'simulation' | 'local';
      deciding: string[];
      /** The same-account resource policy decided (it allowed what the role's own policies did not, or denied). */
      byResourcePolicy?: boolean;
    }
  | {
      decision: 'unknown';
      error: FactError;
      /** The local evaluation's own failure, when it could not stand in for a failed simulation either. */
      fallbackError?: FactError;
    };

/**
 * Adds a same-account resource policy (an ECR repository policy) to the role's own answer: in one account either
 * side may allow, and an explicit deny on either side wins. GetAuthorizationToken has no resource and is never
 * granted this way.
 */
export async function withResourcePolicy(
  answer: PermissionAnswer,
  roleArn: string,
  roleAccount: string,
  q: PermissionQuestion,
  resourcePolicy: unknown,
): Promise<PermissionAnswer> {
  if (answer.decision === 'unknown' || answer.decision === 'explicit-deny' || !resourcePolicy) return answer;
  if (q.resource === '*' || q.account !== roleAccount) return answer;
  const res = await evaluatePolicy({
    principal: roleArn,
    action: q.action,
    resource: q.resource,
    resourceAccount: q.account,
    identityPolicies: [],
    resourcePolicy,
  });
  if (res.decision === 'explicit-deny')
    return { ...answer, decision: 'explicit-deny', byResourcePolicy: true };
  if (res.decision === 'allowed' && answer.decision === 'implicit-deny')
    return { ...answer, decision: 'allowed', byResourcePolicy: true };
  return answer;
}

/** Decides one question; reads facts iam.executionRoleSimulation / iam.executionRolePolicies. */
export async function rolePermission(
  facts: FactReader,
  roleArn: string,
  roleAccount: string,
  q: PermissionQuestion,
): Promise<PermissionAnswer> {
  const sim = facts.raw('iam.executionRoleSimulation');
  if (sim?.ok) {
    const hit = sim.value.find(
      (s) =>
        s.action === q.action && (s.resource === q.resource || (q.resource === '*' && s.resource === '*')),
    );
    if (hit) {
      const decision =
        hit.decision === 'allowed'
          ? 'allowed'
          : hit.decision === 'explicitDeny'
            ? 'explicit-deny'
            : 'implicit-deny';
      return { decision, method: 'simulation', deciding: [] };
    }
  }
  const policies = facts.raw('iam.executionRolePolicies');
  if (!policies?.ok || policies.value.reason === null) {
    if (sim && !sim.ok) {
      const fallback =
        policies && !policies.ok && policies.error.kind !== 'not-applicable' ? policies.error : undefined;
      return { decision: 'unknown', error: sim.error, ...(fallback ? { fallbackError: fallback } : {}) };
    }
    if (policies && !policies.ok) return { decision: 'unknown', error: policies.error };
    return {
      decision: 'unknown',
      error: { kind: 'error', code: 'NotAsked', message: `${q.action} was not simulated` },
    };
  }
  const identity = policies.value.policies
    .filter((p) => p.kind !== 'boundary')
    .map((p) => ({ name: p.name, document: p.document }));
  const boundary = policies.value.policies.find((p) => p.kind === 'boundary');
  const answer = await evaluatePolicy({
    principal: roleArn,
    action: q.action,
    resource: q.resource,
    // The role's own side only: a cross-account resource's policy is another check's business.
    resourceAccount: roleAccount,
    identityPolicies: identity,
    ...(boundary ? { permissionBoundary: { name: boundary.name, document: boundary.document } } : {}),
  });
  if (answer.decision === 'invalid') {
    return {
      decision: 'unknown',
      error: { kind: 'error', code: 'PolicyInvalid', message: answer.errors.join('; ') },
    };
  }
  return { decision: answer.decision, method: 'local', deciding: answer.deciding };
}

/** True when a trust policy lets ecs-tasks.amazonaws.com assume the role. */
export function trustsEcsTasks(trust: unknown): boolean {
  const statements = (trust as { Statement?: unknown })?.Statement;
  const list = Array.isArray(statements) ? statements : statements ? [statements] : [];
  return list.some((s: Record<string, unknown>) => {
    if (s.Effect !== 'Allow') return false;
    const actions = ([] as unknown[]).concat(s.Action ?? []);
    if (!actions.some((a) => a === 'sts:AssumeRole' || a === 'sts:*' || a === '*')) return false;
    const principal = s.Principal as { Service?: string | string[] } | string | undefined;
    if (principal === '*') return true;
    const services = ([] as unknown[]).concat((principal as { Service?: unknown })?.Service ?? []);
    return services.includes('ecs-tasks.amazonaws.com');
  });
}
