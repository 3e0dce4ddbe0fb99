import type { LinkRef } from '../../../aws/console-links.js';
import { ecrRepositoryArn } from '../../../aws/image-ref.js';
import { POLICY_EVALUATOR_PACKAGE } from '../../../aws/policy-eval.js';
import { aws } from '../../commands.js';
import type { TaskContext } from '../../context.js';
import type { EcrImageRecord } from '../../facts/ecr.js';
import { ECR_PULL_ACTIONS, type ImageUse, imagesOf, type PermissionQuestion } from '../../task-refs.js';
import {
  addExecutionRole,
  attachExecutionPolicy,
  createExecutionRole,
  ECS_TASKS_TRUST,
  executionPolicyArn,
  fixMessage,
  fixOf,
  IAC,
  one,
  putRolePolicy,
  roleParts,
} from '../shared/commands.js';
import { okValue } from '../shared/fold.js';
import { taskSecretRefs } from '../shared/path.js';
import { rolePermission, trustsEcsTasks, withResourcePolicy } from '../shared/permissions.js';
import { type CheckResult, defineCheck, type FactReader, type Message, results } from '../types.js';

const r = results('iam.execution-role');

/** A repository policy's text, parsed; undefined when there is none or it is not JSON. */
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
  commands(result, { context: ctx, facts }) {
    const roleArn = ctx.taskDefinition?.executionRoleArn;
    switch (fixOf(result)) {
      case 'add-role':
        return addExecutionRole(ctx);
      case 'create-role':
        return roleArn ? createExecutionRole(ctx, roleArn) : [];
      case 'trust': {
        const role = okValue(facts.raw('iam.executionRole'));
        if (!role) return [];
        // The role's trust policy with a statement for ECS tasks added: whoever else may assume it still can.
        const current = role.trustPolicy as { Version?: string; Statement?: unknown } | undefined;
        const statements = ([] as unknown[]).concat(current?.Statement ?? []);
        const doc = {
          Version: current?.Version ?? '2012-10-17',
          Statement: [...statements, ...ECS_TASKS_TRUST.Statement],
        };
        return [
          one(
            aws(
              'iam',
              'update-assume-role-policy',
              { 'role-name': role.name, 'policy-document': JSON.stringify(doc) },
              ctx.region,
            ),
            { iac: IAC.roleTrust },
          ),
        ];
      }
      case 'attach-policy': {
        const role = okValue(facts.raw('iam.executionRole'));
        // Already attached: what denies is elsewhere (a boundary, a deny statement), no command undoes it.
        if (!roleArn || role?.attached.some((p) => p.arn === executionPolicyArn(ctx.partition))) return [];
        return [attachExecutionPolicy(ctx, roleArn)];
      }
      case 'pull-through': {
        const repositories = (okValue(facts.raw('ecr.images')) ?? [])
          .filter((i) => i.pullThrough && i.imageFound === false)
          .map((i) => ecrRepositoryArn(ctx.partition, i.region, i.registryAccount, i.repository));
        if (!roleArn || !repositories.length) return [];
        return [
          {
            ...putRolePolicy(
              ctx.region,
              roleArn,
              'ecr-pull-through-cache',
              ['ecr:BatchImportUpstreamImage', 'ecr:CreateRepository'],
              [...new Set(repositories)],
            ),
            note: fixMessage('note.inline-policy', { role: roleParts(roleArn).name }),
          },
        ];
      }
      default:
        return [];
    }
  },
  async run({ context: ctx, facts, links }) {
    const td = facts.get('ecs.taskDefinition');
    const ecrImages = imagesOf(ctx.containers).filter((i) => i.ref?.kind === 'ecr');
    const reasons = roleNeededFor(ctx, ecrImages.length > 0);
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
    const { questions, pullThrough } = pullQuestions(
      ctx,
      ecrImages,
      images?.ok ? images.value : [],
      roleAccount,
    );
    const tally = await askAll(facts, role.arn, roleAccount, questions);
    const ptcDenied = await askPullThrough(facts, role.arn, roleAccount, pullThrough, tally.evidence);
    const policies = facts.raw('iam.executionRolePolicies');
    if (tally.method === 'simulation') tally.evidence.unshift(r.ev('method.simulation', {}));
    else if (tally.method === 'local') {
      tally.evidence.unshift(
        r.ev('method.local', {
          reason: policies?.ok ? (policies.value.reason ?? '?') : '?',
          policies: policies?.ok ? policies.value.policies.map((p) => p.name).join(', ') || '—' : '—',
        }),
      );
      if (
        tally.denied.some((d) => d.startsWith('ecr:GetAuthorizationToken')) &&
        policies?.ok &&
        mentionsSourceVpc(policies.value.policies)
      ) {
        tally.evidence.push(r.ev('source-vpc-condition', {}));
      }
    }
    return outcome(role.name, tally, ptcDenied, roleLink);
  },
});

/** What the task needs an execution role for: private ECR, registry credentials, secrets, awslogs. */
function roleNeededFor(ctx: TaskContext, pullsFromEcr: boolean): string[] {
  const reasons: string[] = [];
  if (pullsFromEcr) reasons.push('ecr');
  if (ctx.containers.some((c) => c.definition?.repositoryCredentials)) reasons.push('registry-credentials');
  if (taskSecretRefs(ctx).some((s) => s.purpose !== 'registry-credentials')) reasons.push('secrets');
  if (ctx.containers.some((c) => c.definition?.logConfiguration?.logDriver === 'awslogs'))
    reasons.push('awslogs');
  return reasons;
}

type PullQuestion = PermissionQuestion & { policy?: unknown };

/**
 * The permissions a pull needs of the role: the ECR token, the pull actions on each repository (its repository
 * policy may grant them too), and for a pull-through cache repository not yet holding the image, importing it
 * (and creating the repository on the first pull).
 */
function pullQuestions(
  ctx: TaskContext,
  ecrImages: readonly ImageUse[],
  records: readonly EcrImageRecord[],
  roleAccount: string,
): { questions: PullQuestion[]; pullThrough: PermissionQuestion[] } {
  const questions: PullQuestion[] = [
    { action: 'ecr:GetAuthorizationToken', resource: '*', account: roleAccount },
  ];
  const pullThrough: PermissionQuestion[] = [];
  const seen = new Set<string>();
  for (const i of ecrImages) {
    const { account, region } = i.ref!.ecr!;
    const arn = ecrRepositoryArn(ctx.partition, region, account, i.ref!.repository);
    if (seen.has(arn)) continue;
    seen.add(arn);
    const rec = records.find((x) => x.repository === i.ref!.repository && x.registryAccount === account);
    const policy = parsePolicy(rec?.repositoryPolicy);
    for (const action of ECR_PULL_ACTIONS) questions.push({ action, resource: arn, account, policy });
    if (rec?.pullThrough && rec.imageFound === false && !rec.pullThrough.dockerHubLibraryMissing) {
      pullThrough.push({ action: 'ecr:BatchImportUpstreamImage', resource: arn, account });
      if (rec.repositoryExists === false)
        pullThrough.push({ action: 'ecr:CreateRepository', resource: arn, account });
    }
  }
  return { questions, pullThrough };
}

/** The answers to the pull questions, gathered: evidence lines, what was denied or conditional, and how it was decided. */
interface Tally {
  evidence: Message[];
  denied: string[];
  conditional: string[];
  conditionKeys: Set<string>;
  method: 'simulation' | 'local' | undefined;
  /** The first question neither simulation nor local evaluation could answer. */
  unknown: CheckResult | undefined;
}

/** A question in a few words: the action, and the repository it is about. */
function short(q: PermissionQuestion): string {
  return q.resource === '*' ? q.action : `${q.action} (${q.resource.split('/').slice(1).join('/')})`;
}

/** Asks each pull question of the role's policies and the repository policy. */
async function askAll(
  facts: FactReader,
  roleArn: string,
  roleAccount: string,
  questions: readonly PullQuestion[],
): Promise<Tally> {
  const t: Tally = {
    evidence: [],
    denied: [],
    conditional: [],
    conditionKeys: new Set(),
    method: undefined,
    unknown: undefined,
  };
  for (const q of questions) {
    const own = await rolePermission(facts, roleArn, roleAccount, q);
    const a = await withResourcePolicy(own, roleArn, roleAccount, q, q.policy);
    if (a.decision === 'unknown') {
      const action = a.error.action ?? 'iam:SimulatePrincipalPolicy';
      // The optional policy evaluator was needed and is not installed: say so, and how to get it.
      if (a.evaluatorMissing) {
        t.unknown ??= {
          ...(a.evaluatorMissing === 'resource-policy'
            ? r.unknown('unknown.evaluator-repository', {
                repository: q.resource.split('/').slice(1).join('/'),
                package: POLICY_EVALUATOR_PACKAGE,
              })
            : r.unknown('unknown.evaluator', {
                action,
                code: a.error.code,
                package: POLICY_EVALUATOR_PACKAGE,
              })),
          missing: { fact: 'iam.executionRolePolicies', error: a.fallbackError ?? a.error },
        };
        continue;
      }
      t.unknown ??= {
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
    t.method = a.method;
    if (a.decision === 'conditional') {
      for (const k of a.conditions ?? []) t.conditionKeys.add(k);
      t.evidence.push(
        r.ev('decision.conditional', {
          action: q.action,
          resource: q.resource,
          keys: (a.conditions ?? []).join(', '),
        }),
      );
      t.conditional.push(short(q));
      continue;
    }
    const key = a.byResourcePolicy ? `decision.${a.decision}-repository` : `decision.${a.decision}`;
    t.evidence.push(r.ev(key, { action: q.action, resource: q.resource }));
    if (a.decision !== 'allowed') t.denied.push(short(q));
  }
  return t;
}

/** The pull-through questions (the role's own policies only); their decisions join the evidence. Returns the denied ones. */
async function askPullThrough(
  facts: FactReader,
  roleArn: string,
  roleAccount: string,
  questions: readonly PermissionQuestion[],
  evidence: Message[],
): Promise<string[]> {
  const denied: string[] = [];
  for (const q of questions) {
    const a = await rolePermission(facts, roleArn, roleAccount, q);
    if (a.decision === 'unknown' || a.decision === 'conditional') continue;
    evidence.push(r.ev(`decision.${a.decision}`, { action: q.action, resource: q.resource }));
    if (a.decision !== 'allowed') denied.push(short(q));
  }
  return denied;
}

/** The check's result from the answers: a denial fails, then unanswered, conditional, pull-through, else a pass. */
function outcome(role: string, t: Tally, ptcDenied: string[], links: LinkRef[]): CheckResult {
  const { evidence } = t;
  if (t.denied.length) {
    return r.fail(
      'fail.denied',
      { role, actions: t.denied.join(', ') },
      { evidence, links, remediation: r.fix('attach-policy', { role }) },
    );
  }
  if (t.unknown) return { ...t.unknown, evidence, links };
  if (t.conditional.length) {
    return r.warn(
      'warn.conditional',
      { role, actions: t.conditional.join(', '), keys: [...t.conditionKeys].sort().join(', ') },
      { evidence, links, remediation: r.fix('conditional', { role }) },
    );
  }
  if (ptcDenied.length) {
    // The registry's permissions policy may grant these too (ecs-pull does not read it): a warning, not a failure.
    return r.warn(
      'warn.pull-through',
      { role, actions: ptcDenied.join(', ') },
      { evidence, links, remediation: r.fix('pull-through', { role }) },
    );
  }
  return r.pass('pass.ok', { role }, { evidence, links });
}

/** Whether a policy tests aws:SourceVpc or aws:SourceVpce, which can never match ecr:GetAuthorizationToken. */
function mentionsSourceVpc(policies: Array<{ document: unknown }>): boolean {
  return policies.some((p) => /aws:SourceVpce?"/i.test(JSON.stringify(p.document ?? {})));
}
