/**
 * IAM policy evaluation, for the questions ecs-pull asks of policy documents it has read (an execution role's
 * policies when iam:SimulatePrincipalPolicy is unavailable, VPC endpoint policies, repository policies).
 * Evaluation is done by @cloud-copilot/iam-simulate, which implements AWS's evaluation logic (explicit deny,
 * identity/resource/endpoint policies, every condition operator) rather than string matching.
 *
 * That package is licensed AGPL-3.0-or-later, so it is optional: a development dependency, left out of the default
 * install and of the image (README, "Licences"), loaded here with a dynamic import when it is installed. Without
 * it a question is `unavailable` (never a guess), and every check that asks says `unknown`, naming the package and
 * how to install it; `doctor` shows whether it is there. Against AWS the diagnostics role answers the execution
 * role's questions with iam:SimulatePrincipalPolicy, so only the endpoint and repository policies and the fallback
 * need it. A question whose policies all grant everything unconditionally (a VPC endpoint's default policy) is
 * answered without it: nothing could deny it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FactError } from './errors.js';

/** The optional evaluator's package. */
export const POLICY_EVALUATOR_PACKAGE = '@cloud-copilot/iam-simulate';
/** The code of the FactError a check carries when the evaluator is not installed. */
export const EVALUATOR_MISSING = 'PolicyEvaluatorMissing';

export type Decision = 'allowed' | 'implicit-deny' | 'explicit-deny' | 'invalid' | 'unavailable';

type Simulator = { runSimulation: (...args: never[]) => Promise<unknown> };
type Loader = () => Promise<unknown>;

const defaultLoader: Loader = () => import('@cloud-copilot/iam-simulate');
let loader: Loader = defaultLoader;
let loaded: Promise<Simulator | Error> | undefined;

/** Replaces how the evaluator is imported (tests simulate its absence); undefined restores the real import. */
export function setPolicyEvaluatorLoader(next: Loader | undefined): void {
  loader = next ?? defaultLoader;
  loaded = undefined;
}

function load(): Promise<Simulator | Error> {
  loaded ??= loader().then(
    (m) => m as Simulator,
    (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
  );
  return loaded;
}

/** A missing package, as Node says it (ERR_MODULE_NOT_FOUND naming it), as opposed to one that failed to load. */
function notInstalled(err: Error): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    err.message.includes(POLICY_EVALUATOR_PACKAGE)
  );
}

/** The installed package's version, from its package.json (found upwards from its entry point). */
function installedVersion(): string | undefined {
  try {
    let dir = dirname(fileURLToPath(import.meta.resolve(POLICY_EVALUATOR_PACKAGE)));
    for (let i = 0; i < 5; i++) {
      const file = join(dir, 'package.json');
      if (existsSync(file)) {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === POLICY_EVALUATOR_PACKAGE) return pkg.version;
      }
      dir = dirname(dir);
    }
  } catch {
    // Resolved by a loader that is not Node's (tests): no version to tell.
  }
  return undefined;
}

export type EvaluatorStatus =
  | { installed: true; version: string | undefined }
  | { installed: false; reason: 'not-installed' | 'failed'; detail: string };

/** Whether the evaluator can be used (it is imported by this call if it was not yet). */
export async function policyEvaluator(): Promise<EvaluatorStatus> {
  const m = await load();
  if (!(m instanceof Error)) return { installed: true, version: installedVersion() };
  return {
    installed: false,
    reason: notInstalled(m) ? 'not-installed' : 'failed',
    detail: m.message.split('\n')[0]!.slice(0, 200),
  };
}

/** The fact error a check reports when it needed the evaluator and it is not there. */
export function evaluatorMissingError(): FactError {
  return {
    kind: 'error',
    code: EVALUATOR_MISSING,
    message: `${POLICY_EVALUATOR_PACKAGE} is not installed: policies are not evaluated here`,
  };
}

/** A statement that grants every action on every resource to anyone, with no condition. */
function grantsEverything(statement: unknown): boolean {
  const st = statement as Record<string, unknown>;
  const all = (v: unknown) => v === '*' || (Array.isArray(v) && v.includes('*'));
  if (st.Effect !== 'Allow' || 'Condition' in st || 'NotAction' in st || 'NotResource' in st) return false;
  if ('NotPrincipal' in st) return false;
  const principal = st.Principal;
  const anyone =
    principal === undefined ||
    principal === '*' ||
    (typeof principal === 'object' && principal !== null && all((principal as { AWS?: unknown }).AWS));
  return anyone && all(st.Action) && (st.Resource === undefined || all(st.Resource));
}

/** A policy whose statements all grant everything unconditionally (and there is at least one). */
function allowsEverything(document: unknown): boolean {
  const statements = (document as { Statement?: unknown } | undefined)?.Statement;
  const list = Array.isArray(statements) ? statements : statements ? [statements] : [];
  return list.length > 0 && list.every(grantsEverything);
}

/** Without the evaluator: allowed when every policy asked about grants everything, else unavailable. */
function withoutEvaluator(q: PolicyQuestion): PolicyAnswer {
  const documents = [
    ...(q.identityPolicies ?? []).map((p) => p.document),
    ...(q.resourcePolicy ? [q.resourcePolicy] : []),
    ...(q.endpointPolicies ?? []).map((p) => p.document),
    ...(q.permissionBoundary ? [q.permissionBoundary.document] : []),
  ];
  // A request to another account needs that account's resource policy to allow it.
  const principalAccount = q.principal.split(':')[4];
  const crossAccount = principalAccount !== undefined && principalAccount !== q.resourceAccount;
  const decided =
    (q.identityPolicies ?? []).length > 0 &&
    (!crossAccount || q.resourcePolicy !== undefined) &&
    documents.every(allowsEverything);
  if (decided)
    return { decision: 'allowed', deciding: (q.identityPolicies ?? []).map((p) => p.name), errors: [] };
  return { decision: 'unavailable', deciding: [], errors: [`${POLICY_EVALUATOR_PACKAGE} is not installed`] };
}

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

/**
 * Answers whether the policies allow the request. Never throws: an invalid input is `invalid`; without the
 * evaluator, `unavailable` (unless every policy grants everything).
 */
export async function evaluatePolicy(q: PolicyQuestion): Promise<PolicyAnswer> {
  const simulator = await load();
  if (simulator instanceof Error) return withoutEvaluator(q);
  const runSimulation = simulator.runSimulation as (...args: unknown[]) => Promise<unknown>;
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
