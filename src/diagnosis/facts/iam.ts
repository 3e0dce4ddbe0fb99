/**
 * IAM facts about the task's execution role: the role (existence, trust policy, permissions boundary, attached
 * and inline policy names), iam:SimulatePrincipalPolicy for every permission the task needs of it, and — only when
 * simulation cannot answer — its policy documents for local evaluation. The same three for the task role, when an
 * EFS volume is mounted with IAM authorization (the mount is made as the task role).
 */

import { hasErrorCode, NotApplicable } from '../../aws/errors.js';
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  SimulatePrincipalPolicyCommand,
} from '../../aws/sdk/iam.js';
import {
  containersOf,
  type EfsVolumeRef,
  efsMountActions,
  efsVolumesOf,
  executionRoleQuestions,
  imagesOf,
  logGroupRefsOf,
  type PermissionQuestion,
  questionKey,
  secretRefsOf,
} from '../task-refs.js';
import { taskAccount } from './ecs.js';
import { defineFact, type FactProvider } from './session.js';
import type { ProviderHandle } from './types.js';

export interface ExecutionRoleRecord {
  arn: string;
  name: string;
  exists: boolean;
  /** Trust policy document, parsed. */
  trustPolicy?: unknown;
  permissionsBoundaryArn?: string;
  attached: Array<{ name: string; arn: string }>;
  inlineNames: string[];
}

export interface SimulationRecord {
  action: string;
  resource: string;
  decision: 'allowed' | 'explicitDeny' | 'implicitDeny';
  /** Context keys the policies test that the simulation had no value for (the decision may depend on them). */
  missingContext?: string[];
}

export interface RolePoliciesRecord {
  /** Why local evaluation was needed (simulation's error code), or null when simulation answered. */
  reason: string | null;
  policies: Array<{ name: string; kind: 'inline' | 'managed' | 'boundary'; document: unknown }>;
}

declare module './types.js' {
  interface FactMap {
    'iam.executionRole': ExecutionRoleRecord;
    'iam.executionRoleSimulation': SimulationRecord[];
    'iam.executionRolePolicies': RolePoliciesRecord;
    'iam.taskRole': ExecutionRoleRecord;
    'iam.taskRoleSimulation': SimulationRecord[];
    'iam.taskRolePolicies': RolePoliciesRecord;
  }
}

/** The role's name: the last part of its ARN (a path may precede it). */
function roleName(arn: string): string {
  return arn.split('/').pop() ?? arn;
}

/** A policy document as IAM returns it (URL-encoded JSON), parsed. */
function decodeDocument(doc: string | undefined): unknown {
  if (!doc) return undefined;
  try {
    return JSON.parse(decodeURIComponent(doc));
  } catch {
    try {
      return JSON.parse(doc);
    } catch {
      return undefined;
    }
  }
}

function listAttached(h: ProviderHandle, name: string) {
  return h.call('iam:ListAttachedRolePolicies', { RoleName: name }, ({ clients, signal }) =>
    clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }), { abortSignal: signal }),
  );
}

function listInline(h: ProviderHandle, name: string) {
  return h.call('iam:ListRolePolicies', { RoleName: name }, ({ clients, signal }) =>
    clients.iam.send(new ListRolePoliciesCommand({ RoleName: name }), { abortSignal: signal }),
  );
}

/** The execution role: existence, trust policy, permissions boundary, attached and inline policy names. */
export const executionRoleFact = defineFact({
  name: 'iam.executionRole',
  actions: ['iam:GetRole', 'iam:ListAttachedRolePolicies', 'iam:ListRolePolicies'],
  async get(h) {
    const td = await h.need('ecs.taskDefinition');
    const arn = td.executionRoleArn;
    if (!arn) throw new NotApplicable('the task definition has no execution role');
    return describeRole(h, arn);
  },
});

/** A role: GetRole (existence, trust, boundary) with its attached and inline policy names, in one round. */
async function describeRole(h: ProviderHandle, arn: string): Promise<ExecutionRoleRecord> {
  const name = roleName(arn);
  const [role, attached, inline] = await Promise.all([
    h
      .call('iam:GetRole', { RoleName: name }, ({ clients, signal }) =>
        clients.iam.send(new GetRoleCommand({ RoleName: name }), { abortSignal: signal }),
      )
      .catch((err: unknown) => {
        if (hasErrorCode(err, 'NoSuchEntity', 'NoSuchEntityException')) return null;
        throw err;
      }),
    // Listed now, with the simulation, though only local evaluation reads them: the fallback starts a round earlier.
    listAttached(h, name).catch(() => undefined),
    listInline(h, name).catch(() => undefined),
  ]);
  if (!role?.Role) return { arn, name, exists: false, attached: [], inlineNames: [] };
  return {
    arn: role.Role.Arn ?? arn,
    name,
    exists: true,
    trustPolicy: decodeDocument(role.Role.AssumeRolePolicyDocument),
    ...(role.Role.PermissionsBoundary?.PermissionsBoundaryArn
      ? { permissionsBoundaryArn: role.Role.PermissionsBoundary.PermissionsBoundaryArn }
      : {}),
    attached: (attached?.AttachedPolicies ?? []).map((p) => ({
      name: p.PolicyName ?? '?',
      arn: p.PolicyArn ?? '',
    })),
    inlineNames: inline?.PolicyNames ?? [],
  };
}

/** The context keys a simulation lacked, when any. */
function missing(keys: string[] | undefined): { missingContext?: string[] } {
  return keys?.length ? { missingContext: keys } : {};
}

/** What the execution role must be allowed, for this task. */
async function questions(h: ProviderHandle): Promise<PermissionQuestion[]> {
  const [task, td] = await Promise.all([h.need('ecs.task'), h.need('ecs.taskDefinition')]);
  const t = h.inputs.target;
  const account = taskAccount(h, task.task);
  return executionRoleQuestions(
    imagesOf(containersOf(task.task, td)),
    secretRefsOf(td.containerDefinitions ?? [], t.partition, t.region, account),
    t.partition,
    account,
    logGroupRefsOf(td.containerDefinitions ?? [], t.partition, t.region, account, t.taskId),
  );
}

/** iam:SimulatePrincipalPolicy for every permission the execution role needs (one call per resource set). */
export const simulationFact = defineFact({
  name: 'iam.executionRoleSimulation',
  actions: ['iam:SimulatePrincipalPolicy'],
  async get(h) {
    const td = await h.need('ecs.taskDefinition');
    const arn = td.executionRoleArn;
    if (!arn) throw new NotApplicable('the task definition has no execution role');
    const qs = await questions(h);
    if (!qs.length) throw new NotApplicable('nothing for the execution role to do');
    // Group by resource: SimulatePrincipalPolicy evaluates every action against every resource given.
    const byResource = new Map<string, string[]>();
    for (const q of qs) byResource.set(q.resource, [...(byResource.get(q.resource) ?? []), q.action]);
    const out: SimulationRecord[] = [];
    // kms:Decrypt on the secrets' customer managed keys: known once the secrets are described. A key named by id
    // or ARN is asked about right away; only an alias waits for kms:DescribeKey to resolve it.
    const kms = h.get('secrets.references').then(async (f) => {
      if (!f.ok) return [];
      const direct = f.value.map((s) => s.kmsKeyArn).filter((k): k is string => !!k);
      const aliases = f.value.filter((s) => s.kmsKeyId && !s.kmsKeyArn);
      const resolved = aliases.length ? await h.get('kms.keys') : undefined;
      const viaAlias = resolved?.ok
        ? resolved.value
            .filter((k) => k.manager !== 'AWS' && aliases.some((s) => s.kmsKeyId === k.keyId))
            .map((k) => k.arn)
            .filter((k): k is string => !!k)
        : [];
      return [...new Set([...direct, ...viaAlias])];
    });
    await Promise.all([
      ...[...byResource.entries()].map(async ([resource, actions]) => {
        const params = { PolicySourceArn: arn, ActionNames: actions, ResourceArns: [resource] };
        const res = await h.call('iam:SimulatePrincipalPolicy', params, ({ clients, signal }) =>
          clients.iam.send(new SimulatePrincipalPolicyCommand(params), { abortSignal: signal }),
        );
        for (const r of res.EvaluationResults ?? []) {
          const specific = r.ResourceSpecificResults ?? [];
          if (specific.length) {
            for (const s of specific) {
              out.push({
                action: r.EvalActionName ?? '?',
                resource: s.EvalResourceName ?? resource,
                decision: s.EvalResourceDecision as SimulationRecord['decision'],
                ...missing(s.MissingContextValues),
              });
            }
          } else {
            out.push({
              action: r.EvalActionName ?? '?',
              resource: r.EvalResourceName ?? resource,
              decision: r.EvalDecision as SimulationRecord['decision'],
              ...missing(r.MissingContextValues),
            });
          }
        }
      }),
      kms.then((keys) =>
        Promise.all(
          keys.map(async (key) => {
            const params = { PolicySourceArn: arn, ActionNames: ['kms:Decrypt'], ResourceArns: [key] };
            const res = await h.call('iam:SimulatePrincipalPolicy', params, ({ clients, signal }) =>
              clients.iam.send(new SimulatePrincipalPolicyCommand(params), { abortSignal: signal }),
            );
            for (const e of res.EvaluationResults ?? []) {
              out.push({
                action: 'kms:Decrypt',
                resource: key,
                decision: e.EvalDecision as SimulationRecord['decision'],
                ...missing(e.MissingContextValues),
              });
            }
          }),
        ),
      ),
    ]);
    return out.sort((a, b) => questionKey(a).localeCompare(questionKey(b)));
  },
});

/**
 * The execution role's policy documents, for local evaluation — read only when simulation could not answer
 * (denied to the diagnostics role, or unavailable), naming why.
 */
export const rolePoliciesFact = defineFact({
  name: 'iam.executionRolePolicies',
  actions: [
    'iam:ListAttachedRolePolicies',
    'iam:ListRolePolicies',
    'iam:GetRolePolicy',
    'iam:GetPolicy',
    'iam:GetPolicyVersion',
  ],
  get: (h) => rolePolicies(h, 'iam.executionRoleSimulation', 'iam.executionRole'),
});

/** A role's policy documents, read only when its simulation could not answer (naming why). */
async function rolePolicies(
  h: ProviderHandle,
  simulation: 'iam.executionRoleSimulation' | 'iam.taskRoleSimulation',
  described: 'iam.executionRole' | 'iam.taskRole',
): Promise<RolePoliciesRecord> {
  const sim = await h.get(simulation);
  if (sim.ok) return { reason: null, policies: [] };
  if (sim.error.kind === 'not-applicable') throw new NotApplicable(sim.error.message);
  const role = await h.need(described);
  if (!role.exists) throw new NotApplicable(`the role ${role.name} does not exist`);
  // The same (memoized) list calls as iam.executionRole: a denied list fails this fact, naming the action, rather
  // than leaving out policies and wrongly concluding that nothing is allowed.
  const [attached, inline] = await Promise.all([listAttached(h, role.name), listInline(h, role.name)]);
  const managed = async (arn: string, kind: 'managed' | 'boundary') => {
    const p = await h.call('iam:GetPolicy', { PolicyArn: arn }, ({ clients, signal }) =>
      clients.iam.send(new GetPolicyCommand({ PolicyArn: arn }), { abortSignal: signal }),
    );
    const versionId = p.Policy?.DefaultVersionId ?? 'v1';
    const v = await h.call(
      'iam:GetPolicyVersion',
      { PolicyArn: arn, VersionId: versionId },
      ({ clients, signal }) =>
        clients.iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId }), {
          abortSignal: signal,
        }),
    );
    return { name: p.Policy?.PolicyName ?? arn, kind, document: decodeDocument(v.PolicyVersion?.Document) };
  };
  const policies = await Promise.all([
    ...(inline.PolicyNames ?? []).map(async (name) => {
      const out = await h.call(
        'iam:GetRolePolicy',
        { RoleName: role.name, PolicyName: name },
        ({ clients, signal }) =>
          clients.iam.send(new GetRolePolicyCommand({ RoleName: role.name, PolicyName: name }), {
            abortSignal: signal,
          }),
      );
      return { name, kind: 'inline' as const, document: decodeDocument(out.PolicyDocument) };
    }),
    ...(attached.AttachedPolicies ?? []).map((p) => managed(p.PolicyArn ?? '', 'managed')),
    ...(role.permissionsBoundaryArn ? [managed(role.permissionsBoundaryArn, 'boundary')] : []),
  ]);
  return { reason: sim.error.code, policies };
}

/** The task definition's EFS volumes mounted with IAM authorization (as the task role). */
async function iamEfsVolumes(h: ProviderHandle): Promise<{ roleArn: string; volumes: EfsVolumeRef[] }> {
  const [task, td] = await Promise.all([h.need('ecs.task'), h.need('ecs.taskDefinition')]);
  const t = h.inputs.target;
  const volumes = efsVolumesOf(td, t.partition, t.region, taskAccount(h, task.task)).filter(
    (v) => v.iam === 'ENABLED',
  );
  if (!volumes.length) throw new NotApplicable('no EFS volume is mounted with IAM authorization');
  if (!td.taskRoleArn) throw new NotApplicable('the task definition has no task role');
  return { roleArn: td.taskRoleArn, volumes };
}

/** The task role, when an EFS volume is mounted with IAM authorization (the mount is made as that role). */
export const taskRoleFact = defineFact({
  name: 'iam.taskRole',
  actions: ['iam:GetRole', 'iam:ListAttachedRolePolicies', 'iam:ListRolePolicies'],
  async get(h) {
    const { roleArn } = await iamEfsVolumes(h);
    return describeRole(h, roleArn);
  },
});

/**
 * iam:SimulatePrincipalPolicy for the task role's EFS client actions (ClientMount, and ClientWrite for a volume
 * mounted read-write) on each file system mounted with IAM authorization, in the context the mount is made in: through
 * a mount target, over TLS when transit encryption is on, through the access point when there is one.
 */
export const taskRoleSimulationFact = defineFact({
  name: 'iam.taskRoleSimulation',
  actions: ['iam:SimulatePrincipalPolicy'],
  async get(h) {
    const { roleArn, volumes } = await iamEfsVolumes(h);
    const out: SimulationRecord[] = [];
    await Promise.all(
      volumes.map(async (v) => {
        const params = {
          PolicySourceArn: roleArn,
          ActionNames: efsMountActions(v),
          ResourceArns: [v.arn],
          ContextEntries: [
            {
              ContextKeyName: 'elasticfilesystem:AccessedViaMountTarget',
              ContextKeyValues: ['true'],
              ContextKeyType: 'boolean' as const,
            },
            {
              ContextKeyName: 'aws:SecureTransport',
              ContextKeyValues: [v.transitEncryption === 'ENABLED' ? 'true' : 'false'],
              ContextKeyType: 'boolean' as const,
            },
            ...(v.accessPointArn
              ? [
                  {
                    ContextKeyName: 'elasticfilesystem:AccessPointArn',
                    ContextKeyValues: [v.accessPointArn],
                    ContextKeyType: 'string' as const,
                  },
                ]
              : []),
          ],
        };
        const res = await h.call('iam:SimulatePrincipalPolicy', params, ({ clients, signal }) =>
          clients.iam.send(new SimulatePrincipalPolicyCommand(params), { abortSignal: signal }),
        );
        for (const r of res.EvaluationResults ?? []) {
          out.push({
            action: r.EvalActionName ?? '?',
            resource: r.EvalResourceName ?? v.arn,
            decision: r.EvalDecision as SimulationRecord['decision'],
            ...missing(r.MissingContextValues),
          });
        }
      }),
    );
    return out.sort((a, b) => questionKey(a).localeCompare(questionKey(b)));
  },
});

/** The task role's policy documents, for local evaluation when its simulation could not answer. */
export const taskRolePoliciesFact = defineFact({
  name: 'iam.taskRolePolicies',
  actions: [
    'iam:ListAttachedRolePolicies',
    'iam:ListRolePolicies',
    'iam:GetRolePolicy',
    'iam:GetPolicy',
    'iam:GetPolicyVersion',
  ],
  get: (h) => rolePolicies(h, 'iam.taskRoleSimulation', 'iam.taskRole'),
});

export const iamFacts: FactProvider[] = [
  executionRoleFact,
  simulationFact,
  rolePoliciesFact,
  taskRoleFact,
  taskRoleSimulationFact,
  taskRolePoliciesFact,
] as FactProvider[];
