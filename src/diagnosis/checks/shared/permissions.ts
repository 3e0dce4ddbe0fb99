/**
 * "May the execution role do X on Y?" — answered from iam:SimulatePrincipalPolicy when it ran, else by evaluating
 * the role's own policies (inline, attached, permissions boundary) with the IAM policy evaluator. The answer says
 * which method decided.
 */

import type { FactError } from '../../../aws/errors.js';
import { evaluatePolicy, evaluatorMissingError } from '../../../aws/policy-eval.js';
import type { PermissionQuestion } from '../../task-refs.js';
import type { FactReader } from '../types.js';

export type PermissionAnswer =
  | {
      /**
       * conditional: no statement allows it as asked, but one would if request context ecs-pull cannot know held
       * (tags, source IP, time …): named in `conditions`. Neither a pass nor a failure.
       */
      decision: 'allowed' | 'implicit-deny' | 'explicit-deny' | 'conditional';
      method: 'simulation' | 'local';
      deciding: string[];
      /** The condition keys a conditional answer depends on. */
      conditions?: string[];
      /** The same-account resource policy decided (it allowed what the role's own policies did not, or denied). */
      byResourcePolicy?: boolean;
    }
  | {
      decision: 'unknown';
      error: FactError;
      /** The local evaluation's own failure, when it could not stand in for a failed simulation either. */
      fallbackError?: FactError;
      /**
       * The optional policy evaluator is not installed and was needed: for the role's own policies (simulation
       * failed), or for a same-account resource policy that could change the answer.
       */
      evaluatorMissing?: 'role-policies' | 'resource-policy';
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
  if (res.decision === 'unavailable') {
    // Without the evaluator, what needs none: a policy with no Deny cannot take an allow away, one with no Allow
    // cannot grant what the role's policies do not.
    const effects = statementEffects(resourcePolicy);
    if (answer.decision === 'allowed' ? !effects.has('Deny') : !effects.has('Allow')) return answer;
    return { decision: 'unknown', error: evaluatorMissingError(), evaluatorMissing: 'resource-policy' };
  }
  if (res.decision === 'explicit-deny')
    return { ...answer, decision: 'explicit-deny', byResourcePolicy: true };
  if (
    res.decision === 'allowed' &&
    (answer.decision === 'implicit-deny' || answer.decision === 'conditional')
  ) {
    const { conditions: _, ...rest } = answer;
    return { ...rest, decision: 'allowed', byResourcePolicy: true };
  }
  return answer;
}

/** The facts that answer questions about one role: its simulation, and its policies for local evaluation. */
export interface RoleFacts {
  simulation: 'iam.executionRoleSimulation' | 'iam.taskRoleSimulation';
  policies: 'iam.executionRolePolicies' | 'iam.taskRolePolicies';
}

export const EXECUTION_ROLE_FACTS: RoleFacts = {
  simulation: 'iam.executionRoleSimulation',
  policies: 'iam.executionRolePolicies',
};

/** The task role's (asked when an EFS volume is mounted with IAM authorization). */
export const TASK_ROLE_FACTS: RoleFacts = {
  simulation: 'iam.taskRoleSimulation',
  policies: 'iam.taskRolePolicies',
};

/** Decides one question; reads the role's simulation and policies facts (the execution role's by default). */
export async function rolePermission(
  facts: FactReader,
  roleArn: string,
  roleAccount: string,
  q: PermissionQuestion,
  role: RoleFacts = EXECUTION_ROLE_FACTS,
): Promise<PermissionAnswer> {
  const sim = facts.raw(role.simulation);
  if (sim?.ok) {
    const hit = sim.value.find(
      (s) =>
        s.action === q.action && (s.resource === q.resource || (q.resource === '*' && s.resource === '*')),
    );
    if (hit) {
      if (hit.decision === 'allowed') return { decision: 'allowed', method: 'simulation', deciding: [] };
      if (hit.decision === 'explicitDeny')
        return { decision: 'explicit-deny', method: 'simulation', deciding: [] };
      const conditions = (hit.missingContext ?? []).filter((k) => !neverPresent(q.action, k));
      return conditions.length
        ? { decision: 'conditional', method: 'simulation', deciding: [], conditions }
        : { decision: 'implicit-deny', method: 'simulation', deciding: [] };
    }
  }
  const policies = facts.raw(role.policies);
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
  const ask = (docs: typeof identity, bound: typeof boundary) =>
    evaluatePolicy({
      principal: roleArn,
      action: q.action,
      resource: q.resource,
      // The role's own side only: a cross-account resource's policy is another check's business.
      resourceAccount: roleAccount,
      // What is known of a task's request: who makes it.
      context: {
        'aws:PrincipalArn': roleArn,
        'aws:PrincipalAccount': roleAccount,
        'aws:PrincipalType': 'AssumedRole',
        'aws:SecureTransport': 'true',
      },
      identityPolicies: docs,
      ...(q.action.startsWith('kms:')
        ? { resourcePolicy: keyPolicyDelegatingToIam(roleArn, roleAccount) }
        : {}),
      ...(bound ? { permissionBoundary: { name: bound.name, document: bound.document } } : {}),
    });
  const answer = await ask(identity, boundary);
  if (answer.decision === 'unavailable') {
    const missing = evaluatorMissingError();
    return sim && !sim.ok
      ? { decision: 'unknown', error: sim.error, fallbackError: missing, evaluatorMissing: 'role-policies' }
      : { decision: 'unknown', error: missing, evaluatorMissing: 'role-policies' };
  }
  if (answer.decision === 'invalid') {
    return {
      decision: 'unknown',
      error: { kind: 'error', code: 'PolicyInvalid', message: answer.errors.join('; ') },
    };
  }
  if (answer.decision !== 'implicit-deny')
    return { decision: answer.decision, method: 'local', deciding: answer.deciding };
  // Would an allow statement apply if its conditions held? Then the answer depends on context ecs-pull cannot see
  // (keys that never reach this action stay, so they still deny).
  const conditions = new Set<string>();
  const loosen = (doc: unknown) => withoutConditions(doc, q.action, conditions);
  const loose = await ask(
    identity.map((p) => ({ ...p, document: loosen(p.document) })),
    boundary ? { ...boundary, document: loosen(boundary.document) } : undefined,
  );
  if (loose.decision === 'allowed' && conditions.size)
    return {
      decision: 'conditional',
      method: 'local',
      deciding: loose.deciding,
      conditions: [...conditions].sort(),
    };
  return { decision: 'implicit-deny', method: 'local', deciding: [] };
}

/**
 * A KMS key is usable only when its key policy allows it; the evaluator models that, and with no key policy every
 * kms: question would be denied. ecs-pull does not read key policies (the report says to check them), so the role's
 * side is asked under the default key policy, which lets the account's IAM policies decide.
 */
function keyPolicyDelegatingToIam(roleArn: string, account: string): unknown {
  const partition = roleArn.split(':')[1] || 'aws';
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:${partition}:iam::${account}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  };
}

/** Condition keys the request of `action` never carries: ECR's token is asked for outside any VPC endpoint. */
function neverPresent(action: string, key: string): boolean {
  return action === 'ecr:GetAuthorizationToken' && /^aws:(SourceVpce?|VpcSourceIp)$/i.test(key);
}

/** A copy of a policy whose Allow statements lose their conditions (except keys the action never carries). */
function withoutConditions(doc: unknown, action: string, removed: Set<string>): unknown {
  const d = doc as { Statement?: unknown } | undefined;
  if (!d?.Statement) return doc;
  const statements = ([] as Array<Record<string, unknown>>).concat(d.Statement as Record<string, unknown>);
  return {
    ...d,
    Statement: statements.map((st) => {
      if (st.Effect !== 'Allow' || !st.Condition) return st;
      const kept: Record<string, Record<string, unknown>> = {};
      for (const [operator, entries] of Object.entries(
        st.Condition as Record<string, Record<string, unknown>>,
      )) {
        for (const [key, value] of Object.entries(entries ?? {})) {
          if (neverPresent(action, key)) {
            kept[operator] = { ...(kept[operator] ?? {}), [key]: value };
          } else removed.add(key);
        }
      }
      const { Condition: _, ...rest } = st;
      return Object.keys(kept).length ? { ...rest, Condition: kept } : rest;
    }),
  };
}

/** The effects (Allow, Deny) of a policy's statements. */
function statementEffects(policy: unknown): Set<string> {
  const statements = (policy as { Statement?: unknown } | undefined)?.Statement;
  const list = Array.isArray(statements) ? statements : statements ? [statements] : [];
  return new Set(list.map((st: { Effect?: unknown }) => String(st?.Effect)));
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

/**
 * True when the question was never put to the role: simulation answered other questions and no policy was read, as
 * in a diagnosis saved before ecs-pull asked it. Neither a pass nor a failure: the check cannot tell.
 */
export function notAsked(a: PermissionAnswer): boolean {
  return a.decision === 'unknown' && a.error.code === 'NotAsked';
}
