import { ecrRepositoryArn } from '../../../aws/image-ref.js';
import type { EcrImageRecord } from '../../facts/ecr.js';
import { ECR_PULL_ACTIONS, imagesOf, type PermissionQuestion } from '../../task-refs.js';
import { taskSecretRefs } from '../shared/path.js';
import { rolePermission, trustsEcsTasks, withResourcePolicy } from '../shared/permissions.js';
import { type CheckResult, defineCheck, type Message, results } from '../types.js';

const r = results('iam.execution-role');

function parsePolicy(text: string | null | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The task definition has an execution role where one is needed; it exists, trusts ecs-tasks.amazonaws.com, and may pull from ECR (its own policies, or a same-account repository policy), including through a pull-through cache. */
export const executionRoleCheck = defineCheck(r, {
  cause: 'execution-role',
  needs: [
    'ecs.taskDefinition',
    'iam.executionRole',
    'iam.executionRoleSimulation',
    'iam.executionRolePolicies',
    'ecr.images',
  ],
  async run({ context: ctx, facts, links }) {
    const td = facts.get('ecs.taskDefinition');
    const ecrImages = imagesOf(ctx.containers).filter((i) => i.ref?.kind === 'ecr');
    const reasons: string[] = [];
    if (ecrImages.length) reasons.push('ecr');
    if (ctx.containers.some((c) => c.definition?.repositoryCredentials)) reasons.push('registry-credentials');
    if (taskSecretRefs(ctx).some((s) => s.purpose !== 'registry-credentials')) reasons.push('secrets');
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
          // The verdict's wording for a task with no execution role at all.
          remediation: r.fix('add-role', { noRole: true }),
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
    const images = facts.raw('ecr.images');
    const records: EcrImageRecord[] = images?.ok ? images.value : [];
    const recordOf = (repository: string, account: string) =>
      records.find((x) => x.repository === repository && x.registryAccount === account);

    const questions: Array<PermissionQuestion & { policy?: unknown }> = [
      { action: 'ecr:GetAuthorizationToken', resource: '*', account: roleAccount },
    ];
    // Pulling through a pull-through cache rule imports the image (and creates the repository on the first pull).
    const pullThrough: PermissionQuestion[] = [];
    const seen = new Set<string>();
    for (const i of ecrImages) {
      const { account, region } = i.ref!.ecr!;
      const arn = ecrRepositoryArn(ctx.partition, region, account, i.ref!.repository);
      if (seen.has(arn)) continue;
      seen.add(arn);
      const rec = recordOf(i.ref!.repository, account);
      const policy = parsePolicy(rec?.repositoryPolicy);
      for (const action of ECR_PULL_ACTIONS) questions.push({ action, resource: arn, account, policy });
      if (rec?.pullThrough && rec.imageFound === false && !rec.pullThrough.dockerHubLibraryMissing) {
        pullThrough.push({ action: 'ecr:BatchImportUpstreamImage', resource: arn, account });
        if (rec.repositoryExists === false)
          pullThrough.push({ action: 'ecr:CreateRepository', resource: arn, account });
      }
    }

    const evidence: Message[] = [];
    const denied: string[] = [];
    const conditional: string[] = [];
    const conditionKeys = new Set<string>();
    let method: 'simulation' | 'local' | undefined;
    let unknown: CheckResult | undefined;
    const short = (q: PermissionQuestion) =>
      q.resource === '*' ? q.action : `${q.action} (${q.resource.split('/').slice(1).join('/')})`;
    for (const q of questions) {
      const own = await rolePermission(facts, role.arn, roleAccount, q);
      const a = await withResourcePolicy(own, role.arn, roleAccount, q, q.policy);
      if (a.decision === 'unknown') {
        const action = a.error.action ?? 'iam:SimulatePrincipalPolicy';
        unknown ??= {
          ...(a.fallbackError
            ? r.unknown('unknown.permissions-both', {
                action,
                code: a.error.code,
                fallback: a.fallbackError.action ?? '?',
                fallbackCode: a.fallbackError.code,
              })
            : r.unknown('unknown.permissions', { action, code: a.error.code })),
          missing: { fact: 'iam.executionRolePolicies', error: a.fallbackError ?? a.error },
        };
        continue;
      }
      method = a.method;
      if (a.decision === 'conditional') {
        for (const k of a.conditions ?? []) conditionKeys.add(k);
        evidence.push(
          r.ev('decision.conditional', {
            action: q.action,
            resource: q.resource,
            keys: (a.conditions ?? []).join(', '),
          }),
        );
        conditional.push(short(q));
        continue;
      }
      const key = a.byResourcePolicy ? `decision.${a.decision}-repository` : `decision.${a.decision}`;
      evidence.push(r.ev(key, { action: q.action, resource: q.resource }));
      if (a.decision !== 'allowed') denied.push(short(q));
    }
    const ptcDenied: string[] = [];
    for (const q of pullThrough) {
      const a = await rolePermission(facts, role.arn, roleAccount, q);
      if (a.decision === 'unknown' || a.decision === 'conditional') continue;
      evidence.push(r.ev(`decision.${a.decision}`, { action: q.action, resource: q.resource }));
      if (a.decision !== 'allowed') ptcDenied.push(short(q));
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
    if (conditional.length) {
      return r.warn(
        'warn.conditional',
        { role: role.name, actions: conditional.join(', '), keys: [...conditionKeys].sort().join(', ') },
        { evidence, links: roleLink, remediation: r.fix('conditional', { role: role.name }) },
      );
    }
    if (ptcDenied.length) {
      // The registry's permissions policy may grant these too (ecs-pull does not read it): a warning, not a failure.
      return r.warn(
        'warn.pull-through',
        { role: role.name, actions: ptcDenied.join(', ') },
        { evidence, links: roleLink, remediation: r.fix('pull-through', { role: role.name }) },
      );
    }
    return r.pass('pass.ok', { role: role.name }, { evidence, links: roleLink });
  },
});

function mentionsSourceVpc(policies: Array<{ document: unknown }>): boolean {
  return policies.some((p) => /aws:SourceVpce?"/i.test(JSON.stringify(p.document ?? {})));
}
