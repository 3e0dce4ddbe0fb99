import {
  type Decision,
  evaluatePolicy,
  evaluatorMissingError,
  POLICY_EVALUATOR_PACKAGE,
} from '../../../aws/policy-eval.js';
import { aws, shellVar } from '../../commands.js';
import type { EfsVolumeRecord } from '../../facts/efs.js';
import { efsMountActions } from '../../task-refs.js';
import {
  fixMessage,
  fixOf,
  IAC,
  inlinePolicyName,
  one,
  param,
  putRolePolicy,
  taskDefinitionChange,
} from '../shared/commands.js';
import { efsRecords, partError, taskEfsVolumes } from '../shared/efs.js';
import { okValue, worstOf } from '../shared/fold.js';
import { notAsked, rolePermission, TASK_ROLE_FACTS } from '../shared/permissions.js';
import { type CheckInput, type CheckResult, defineCheck, type Message, results } from '../types.js';

const r = results('efs.authorization');

/** Who an NFS client is without IAM authorization: nobody EFS knows, allowed only by a `Principal: *` statement. */
const ANONYMOUS = 'anonymous';

/** The access point exists on the file system; the file system policy (or, with IAM authorization, the task role's own policies) lets the task mount (elasticfilesystem:ClientMount) and write (ClientWrite) unless it mounts read-only. */
export const efsAuthorizationCheck = defineCheck(r, {
  cause: 'efs-mount',
  cannotTell: ['skip.not-gathered', 'skip.no-file-system'],
  needs: ['efs.volumes', 'iam.taskRole', 'iam.taskRoleSimulation', 'iam.taskRolePolicies'],
  commands(result, { context: ctx, facts }) {
    const fix = fixOf(result);
    const fileSystemId = param(result.remediation, 'fileSystemId');
    if (fix === 'task-role') {
      const change = taskDefinitionChange(
        ctx,
        '.taskRoleArn = $role',
        { role: shellVar('TASK_ROLE_ARN') },
        IAC.taskRoleArn,
      );
      if (change.length)
        change[0] = {
          ...change[0]!,
          fill: [
            {
              name: 'TASK_ROLE_ARN',
              what: fixMessage('fill.task-role', { fileSystemId: fileSystemId ?? '?' }),
            },
          ],
        };
      return change;
    }
    // A statement of the file system policy that denies is not undone by allowing elsewhere.
    if (result.message.key.endsWith('.explicit-deny')) return [];
    const v = (okValue(facts.raw('efs.volumes')) ?? []).find((x) => x.fileSystemId === fileSystemId);
    const actions = (param(result.remediation, 'efsActions') ?? '').split(', ').filter(Boolean);
    if (!v || !actions.length) return [];
    if (fix === 'allow') {
      const role = ctx.taskDefinition?.taskRoleArn;
      if (!role) return [];
      const inline = okValue(facts.raw('iam.taskRole'))?.inlineNames;
      return [putRolePolicy(ctx.region, role, inlinePolicyName('mount-efs', inline), actions, [v.arn])];
    }
    if (fix !== 'allow-anonymous') return [];
    // put-file-system-policy replaces the policy: its statements are kept, one for clients through a mount target added.
    let current: { Version?: string; Statement?: unknown } = {};
    try {
      current = v.policy ? JSON.parse(v.policy) : {};
    } catch {
      return [];
    }
    const doc = {
      Version: current.Version ?? '2012-10-17',
      Statement: [
        ...([] as unknown[]).concat(current.Statement ?? []),
        {
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: actions,
          Resource: v.arn,
          Condition: { Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' } },
        },
      ],
    };
    return [
      one(
        aws(
          'efs',
          'put-file-system-policy',
          { 'file-system-id': v.fileSystemId, policy: JSON.stringify(doc) },
          ctx.region,
        ),
        { iac: IAC.fileSystemPolicy },
      ),
    ];
  },
  async run(input) {
    if (!taskEfsVolumes(input.context).length) return r.skip('skip.none');
    const records = efsRecords(input.facts);
    if (records === 'not-gathered') return r.skip('skip.not-gathered');
    if (!records.length) return r.skip('skip.none');
    const out: CheckResult[] = [];
    for (const v of records) out.push(await oneVolume(input, v));
    return worstOf(out);
  },
});

async function oneVolume(
  { context: ctx, facts, links }: CheckInput,
  v: EfsVolumeRecord,
): Promise<CheckResult> {
  const params = { fileSystemId: v.fileSystemId, volume: v.volume };
  const fsLink = links.efsFileSystem(v.fileSystemId);
  // A file system known to be missing is efs.mount-target's finding; one that could not be described is still judged.
  if (v.fileSystem?.exists === false) return r.skip('skip.no-file-system', params);
  const evidence: Message[] = [
    r.ev('mount', {
      volume: v.volume,
      iam: v.iam,
      transit: v.transitEncryption,
      accessPoint: v.accessPointId ?? '—',
      mode: v.readOnly ? 'ro' : 'rw',
    }),
  ];
  // The access point: it must exist, belong to this file system and be available.
  if (v.accessPointId) {
    const apLink = links.efsAccessPoint(v.accessPointId);
    const apError = partError(v, 'access-point');
    if (apError)
      return {
        ...r.unknown('unknown.error', { ...params, action: apError.action ?? '?' }, { links: [apLink] }),
        missing: { fact: 'efs.volumes', error: apError },
      };
    const ap = v.accessPoint;
    const apParams = { ...params, accessPoint: v.accessPointId };
    if (!ap?.exists)
      return r.fail('fail.access-point-missing', apParams, {
        evidence,
        links: [fsLink],
        remediation: r.fix('access-point', apParams),
      });
    if (ap.fileSystemId && ap.fileSystemId !== v.fileSystemId)
      return r.fail(
        'fail.access-point-other',
        { ...apParams, other: ap.fileSystemId },
        { evidence, links: [apLink, fsLink], remediation: r.fix('access-point', apParams) },
      );
    if (ap.lifeCycleState && ap.lifeCycleState !== 'available')
      return r.fail(
        'fail.access-point-state',
        { ...apParams, state: ap.lifeCycleState },
        { evidence, links: [apLink] },
      );
    evidence.push(
      r.ev('access-point', {
        accessPoint: v.accessPointId,
        path: ap.rootDirectory ?? '/',
        uid: ap.posixUser?.uid ?? '—',
        gid: ap.posixUser?.gid ?? '—',
      }),
    );
  }
  const roleArn = ctx.taskDefinition?.taskRoleArn;
  if (v.iam === 'ENABLED' && !roleArn)
    return r.fail('fail.no-task-role', params, { evidence, remediation: r.fix('task-role', params) });
  const policyError = partError(v, 'policy');
  if (policyError)
    return {
      ...r.unknown('unknown.error', { ...params, action: policyError.action ?? '?' }, { links: [fsLink] }),
      missing: { fact: 'efs.volumes', error: policyError },
    };
  const actions = efsMountActions(v);
  const principal = v.iam === 'ENABLED' ? roleArn! : ANONYMOUS;
  const principalName = v.iam === 'ENABLED' ? (roleArn!.split('/').pop() ?? roleArn!) : ANONYMOUS;
  if (v.policy === null || v.policy === undefined) {
    // No file system policy: EFS lets every client that reaches a mount target mount, write and be root.
    evidence.push(r.ev('policy-none', { fileSystemId: v.fileSystemId }));
    return r.pass(
      'pass.no-policy',
      { ...params, actions: actions.join(', ') },
      { evidence, links: [fsLink] },
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(v.policy);
  } catch {
    return r.unknown('unknown.invalid', params, { evidence, links: [fsLink] });
  }
  const denied: string[] = [];
  const explicit: string[] = [];
  for (const action of actions) {
    const byPolicy = await filePolicy(ctx.partition, ctx.account, v, document, action, principal);
    if (byPolicy === 'explicit-deny') {
      explicit.push(action);
      evidence.push(r.ev('policy-denies', { action, principal: principalName }));
      continue;
    }
    if (byPolicy === 'allowed') {
      evidence.push(r.ev('policy-allows', { action, principal: principalName }));
      continue;
    }
    if (byPolicy === 'invalid') return r.unknown('unknown.invalid', params, { evidence, links: [fsLink] });
    if (byPolicy === 'unavailable')
      // The optional policy evaluator is not installed (README, "Licences"): a policy it cannot read decides nothing.
      return {
        ...r.unknown(
          'unknown.evaluator',
          { ...params, package: POLICY_EVALUATOR_PACKAGE },
          { evidence, links: [fsLink] },
        ),
        missing: { fact: 'efs.volumes', error: evaluatorMissingError() },
      };
    if (v.iam !== 'ENABLED') {
      evidence.push(r.ev('policy-anonymous', { action }));
      denied.push(action);
      continue;
    }
    // Same account: the task role's own policies may allow what the file system policy does not mention.
    const a = await rolePermission(
      facts,
      roleArn!,
      roleArn!.split(':')[4] ?? ctx.account,
      { action, resource: v.arn, account: ctx.account },
      TASK_ROLE_FACTS,
    );
    if (notAsked(a)) return r.skip('skip.not-gathered');
    if (a.decision === 'unknown')
      return {
        ...r.unknown('unknown.permissions', {
          ...params,
          role: principalName,
          action: a.error.action ?? '?',
        }),
        missing: { fact: 'iam.taskRolePolicies', error: a.fallbackError ?? a.error },
      };
    evidence.push(r.ev(`role.${a.decision}`, { action, role: principalName, method: a.method }));
    if (a.decision === 'conditional')
      return r.warn(
        'warn.conditional',
        { ...params, role: principalName, action, keys: (a.conditions ?? []).join(', ') },
        { evidence, links: [links.role(principalName), fsLink] },
      );
    if (a.decision !== 'allowed') denied.push(action);
  }
  const refused = [...explicit, ...denied];
  if (refused.length) {
    const failParams = { ...params, efsActions: refused.join(', '), efsPrincipal: principalName };
    const key = explicit.length
      ? 'fail.explicit-deny'
      : v.iam === 'ENABLED'
        ? 'fail.denied'
        : 'fail.anonymous';
    return r.fail(key, failParams, {
      evidence,
      links: [fsLink, ...(v.iam === 'ENABLED' ? [links.role(principalName)] : [])],
      remediation: r.fix(v.iam === 'ENABLED' ? 'allow' : 'allow-anonymous', failParams),
    });
  }
  return r.pass(
    'pass.allowed',
    { ...params, actions: actions.join(', '), principal: principalName },
    { evidence, links: [fsLink] },
  );
}

/**
 * What the file system policy alone says of the request: the task role (IAM authorization) or an anonymous NFS
 * client, mounting through a mount target, over TLS when transit encryption is on, through the access point.
 */
async function filePolicy(
  partition: string,
  account: string,
  v: EfsVolumeRecord,
  document: unknown,
  action: string,
  principal: string,
): Promise<Decision> {
  const context: Record<string, string> = {
    'aws:SecureTransport': v.transitEncryption === 'ENABLED' ? 'true' : 'false',
    'elasticfilesystem:AccessedViaMountTarget': 'true',
    ...(v.accessPointArn ? { 'elasticfilesystem:AccessPointArn': v.accessPointArn } : {}),
  };
  if (principal !== ANONYMOUS) {
    const res = await evaluatePolicy({
      principal,
      action,
      resource: v.arn,
      resourceAccount: account,
      context: { ...context, 'aws:PrincipalArn': principal, 'aws:PrincipalAccount': account },
      identityPolicies: [],
      resourcePolicy: document,
    });
    return res.decision;
  }
  // An anonymous client: a principal no statement can name, whose own side allows everything, so that only a
  // statement for Principal "*" can let it in.
  const res = await evaluatePolicy({
    principal: `arn:${partition}:iam::000000000000:root`,
    action,
    resource: v.arn,
    resourceAccount: account,
    context,
    identityPolicies: [
      {
        name: 'anonymous',
        document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
      },
    ],
    resourcePolicy: document,
  });
  return res.decision;
}
