/**
 * IAM policy evaluation, for the questions ecs-pull asks of policy documents it has read (an execution role's
 * policies when iam:SimulatePrincipalPolicy is unavailable, VPC endpoint policies, repository policies).
 * Evaluation is done by @cloud-copilot/iam-simulate, which implements AWS's evaluation logic (explicit deny,
 * identity/resource/endpoint policies, every condition operator) rather than string matching.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';

export type Decision = 'allowed' | 'implicit-deny' | 'explicit-deny' | 'invalid';

export interface NamedPolicy {
  name: string;
  /** The policy document, parsed (a JSON object). */
  document: unknown;
}

export interface PolicyQuestion {
  /** ARN of the principal making the request (an execution role). */
  principal: string;
  /** service:Action */
  action: string;
  /** ARN of the resource, or `*` for actions without resource types (ecr:GetAuthorizationToken). */
  resource: string;
  /** Account that owns the resource. */
  resourceAccount: string;
  /** Request context (aws:SourceVpce, aws:PrincipalAccount …). */
  context?: Record<string, string | string[]>;
  identityPolicies?: NamedPolicy[];
  resourcePolicy?: unknown;
  endpointPolicies?: NamedPolicy[];
  permissionBoundary?: NamedPolicy;
}

export interface PolicyAnswer {
  decision: Decision;
  /** Names of the policies whose statements decided (allowing ones for allowed, denying ones for denies). */
  deciding: string[];
  /** Validation messages when the question or a document was not valid. */
  errors: string[];
}

type Analysis = {
  allowStatements?: Array<{ policyId?: string }>;
  denyStatements?: Array<{ policyId?: string }>;
};

function names(a: Analysis | undefined, key: 'allowStatements' | 'denyStatements'): string[] {
  return (a?.[key] ?? []).map((s) => s.policyId).filter((n): n is string => !!n);
}

/** Answers whether the policies allow the request. Never throws: an invalid input is `invalid`. */
export async function evaluatePolicy(q: PolicyQuestion): Promise<PolicyAnswer> {
  try {
    const result = (await runSimulation(
      {
        request: {
          principal: q.principal,
          action: q.action,
          resource: { resource: q.resource, accountId: q.resourceAccount },
          contextVariables: q.context ?? {},
        },
        identityPolicies: (q.identityPolicies ?? []).map((p) => ({ name: p.name, policy: p.document })),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(q.resourcePolicy ? { resourcePolicy: q.resourcePolicy } : {}),
        ...(q.endpointPolicies?.length
          ? { vpcEndpointPolicies: q.endpointPolicies.map((p) => ({ name: p.name, policy: p.document })) }
          : {}),
        ...(q.permissionBoundary
          ? {
              permissionBoundaryPolicies: [
                { name: q.permissionBoundary.name, policy: q.permissionBoundary.document },
              ],
            }
          : {}),
      },
      {},
    )) as unknown as {
      resultType: string;
      overallResult?: string;
      errors?: unknown;
      result?: {
        analysis?: {
          identityAnalysis?: Analysis;
          resourceAnalysis?: Analysis;
          endpointAnalysis?: Analysis;
          permissionBoundaryAnalysis?: Analysis;
        };
      };
    };
    if (result.resultType === 'error' || !result.overallResult) {
      return {
        decision: 'invalid',
        deciding: [],
        errors: [JSON.stringify(result.errors ?? result).slice(0, 500)],
      };
    }
    const a = result.result?.analysis;
    const parts = [
      a?.identityAnalysis,
      a?.resourceAnalysis,
      a?.endpointAnalysis,
      a?.permissionBoundaryAnalysis,
    ];
    if (result.overallResult === 'Allowed') {
      return {
        decision: 'allowed',
        deciding: [...new Set(parts.flatMap((p) => names(p, 'allowStatements')))],
        errors: [],
      };
    }
    if (result.overallResult === 'ExplicitlyDenied') {
      return {
        decision: 'explicit-deny',
        deciding: [...new Set(parts.flatMap((p) => names(p, 'denyStatements')))],
        errors: [],
      };
    }
    return { decision: 'implicit-deny', deciding: [], errors: [] };
  } catch (err) {
    return {
      decision: 'invalid',
      deciding: [],
      errors: [String((err as Error)?.message ?? err).slice(0, 500)],
    };
  }
}
