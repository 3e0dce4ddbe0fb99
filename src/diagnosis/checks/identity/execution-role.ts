import { ecrRepositoryArn } from '../../../aws/image-ref.js';
import { ECR_PULL_ACTIONS, type PermissionQuestion } from '../../identity-refs.js';
import { secretReferences, taskImages } from '../network/path.js';
import { type Check, type CheckResult, type Message, results } from '../types.js';
import { rolePermission, trustsEcsTasks } from './permissions.js';

const r = results('iam.execution-role');

/** The task definition has an execution role where one is needed; it exists, trusts ecs-tasks.amazonaws.com, and may pull from ECR. */
export const executionRoleCheck: Check = {
  id: 'iam.execution-role',
  needs: [
    'ecs.taskDefinition',
    'iam.executionRole',
    'iam.executionRoleSimulation',
    'iam.executionRolePolicies',
  ],
  async run({ context: ctx, facts, links }) {
    const td = facts.get('ecs.taskDefinition');
    const ecrImages = taskImages(ctx).filter((i) => i.ref?.kind === 'ecr');
    const reasons: string[] = [];
    if (ecrImages.length) reasons.push('ecr');
    if (ctx.containers.some((c) => c.definition?.repositoryCredentials)) reasons.push('registry-credentials');
    if (secretReferences(ctx).some((s) => !s.valueFrom.includes('repositoryCredentials')))
      reasons.push('secrets');
    if (ctx.containers.some((c) => c.definition?.logConfiguration?.logDriver === 'awslogs'))
      reasons.push('awslogs');
    const tdLinks = td.family ? [links.taskDefinition(td.family, td.revision ?? 1)] : [];
    if (!td.executionRoleArn) {
      if (!reasons.length) return r.skip('skip.not-needed');
      return r.fail(
        'fail.none',
        { needs: reasons.join(', ') },
        {
          evidence: [r.ev('needs', { needs: reasons.join(', ') })],
          links: tdLinks,
          remediation: r.fix('add-role', {}),
        },
      );
    }
    const role = facts.get('iam.executionRole');
    const roleLink = [links.role(role.name), ...tdLinks];
    if (!role.exists) {
      return r.fail(
        'fail.missing',
        { role: role.arn },
        { links: tdLinks, remediation: r.fix('create-role', { role: role.name }) },
      );
    }
    if (!trustsEcsTasks(role.trustPolicy)) {
      return r.fail(
        'fail.trust',
        { role: role.name },
        {
          evidence: [r.ev('trust', { role: role.name })],
          links: roleLink,
          remediation: r.fix('trust', { role: role.name }),
        },
      );
    }
    if (!ecrImages.length) return r.pass('pass.no-ecr', { role: role.name }, { links: roleLink });
    const roleAccount = role.arn.split(':')[4] ?? ctx.account;
    const questions: PermissionQuestion[] = [
      { action: 'ecr:GetAuthorizationToken', resource: '*', account: roleAccount },
    ];
    for (const i of ecrImages) {
      const arn = ecrRepositoryArn(ctx.partition, i.ref!.ecr!.region, i.ref!.ecr!.account, i.ref!.repository);
      for (const action of ECR_PULL_ACTIONS)
        questions.push({ action, resource: arn, account: i.ref!.ecr!.account });
    }
    const evidence: Message[] = [];
    const denied: string[] = [];
    let method: 'simulation' | 'local' | undefined;
    let unknown: CheckResult | undefined;
    for (const q of questions) {
      const a = await rolePermission(facts, role.arn, roleAccount, q);
      if (a.decision === 'unknown') {
        unknown ??= {
          ...r.unknown('unknown.permissions', {
            action: a.error.action ?? 'iam:SimulatePrincipalPolicy',
            code: a.error.code,
          }),
          missing: { fact: 'iam.executionRolePolicies', error: a.error },
        };
        continue;
      }
      method = a.method;
      evidence.push(r.ev(`decision.${a.decision}`, { action: q.action, resource: q.resource }));
      if (a.decision !== 'allowed')
        denied.push(
          q.resource === '*' ? q.action : `${q.action} (${q.resource.split('/').slice(1).join('/')})`,
        );
    }
    const policies = facts.raw('iam.executionRolePolicies');
    if (method === 'simulation') evidence.unshift(r.ev('method.simulation', {}));
    else if (method === 'local') {
      evidence.unshift(
        r.ev('method.local', {
          reason: policies?.ok ? (policies.value.reason ?? '?') : '?',
          policies: policies?.ok ? policies.value.policies.map((p) => p.name).join(', ') || '—' : '—',
        }),
      );
      if (
        denied.some((d) => d.startsWith('ecr:GetAuthorizationToken')) &&
        policies?.ok &&
        mentionsSourceVpc(policies.value.policies)
      ) {
        evidence.push(r.ev('source-vpc-condition', {}));
      }
    }
    if (denied.length) {
      return r.fail(
        'fail.denied',
        { role: role.name, actions: denied.join(', ') },
        {
          evidence,
          links: roleLink,
          remediation: r.fix('attach-policy', { role: role.name }),
        },
      );
    }
    if (unknown) return { ...unknown, evidence, links: roleLink };
    return r.pass('pass.ok', { role: role.name }, { evidence, links: roleLink });
  },
};

function mentionsSourceVpc(policies: Array<{ document: unknown }>): boolean {
  return policies.some((p) => /aws:SourceVpce?"/i.test(JSON.stringify(p.document ?? {})));
}
