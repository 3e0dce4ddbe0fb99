import { ecrRepositoryArn } from '../../../aws/image-ref.js';
import { evaluatePolicy, evaluatorMissingError, POLICY_EVALUATOR_PACKAGE } from '../../../aws/policy-eval.js';
import { aws } from '../../commands.js';
import { ECR_PULL_ACTIONS } from '../../task-refs.js';
import { fixOf, IAC, one, param } from '../shared/commands.js';
import { okValue, worstOf } from '../shared/fold.js';
import { type CheckResult, defineCheck, results } from '../types.js';

const r = results('image.repository-policy');
const allowAll = {
  name: 'identity',
  document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
};

/** A repository in another account has a repository policy that lets the task's account or execution role pull. */
export const repositoryPolicyCheck = defineCheck(r, {
  cause: 'repository-policy',
  needs: ['ecr.images'],
  commands(result, { context: ctx, facts }) {
    const repository = param(result.remediation, 'repository');
    const registry = param(result.remediation, 'registry');
    const principal = param(result.remediation, 'principal');
    if (fixOf(result) !== 'add-policy' || !repository || !registry || !principal) return [];
    const img = (okValue(facts.raw('ecr.images')) ?? []).find(
      (i) => i.repository === repository && i.registryAccount === registry,
    );
    if (!img) return [];
    // set-repository-policy replaces the policy: the statements it has are kept, one that lets the task pull added.
    let current: { Version?: string; Statement?: unknown } = {};
    try {
      current = img.repositoryPolicy ? JSON.parse(img.repositoryPolicy) : {};
    } catch {
      return [];
    }
    const statements = ([] as Array<{ Sid?: unknown }>).concat((current.Statement as never) ?? []);
    let sid = `AllowPullFrom${ctx.account}`;
    for (let i = 2; statements.some((s) => s?.Sid === sid); i++) sid = `AllowPullFrom${ctx.account}n${i}`;
    const doc = {
      Version: current.Version ?? '2012-10-17',
      Statement: [
        ...statements,
        { Sid: sid, Effect: 'Allow', Principal: { AWS: principal }, Action: [...ECR_PULL_ACTIONS] },
      ],
    };
    return [
      one(
        aws(
          'ecr',
          'set-repository-policy',
          { 'registry-id': registry, 'repository-name': repository, 'policy-text': JSON.stringify(doc) },
          img.region,
        ),
        { iac: IAC.repositoryPolicy, account: registry },
      ),
    ];
  },
  async run({ context: ctx, facts, links }) {
    const cross = (facts.optional('ecr.images') ?? []).filter((i) => i.registryAccount !== ctx.account);
    if (!cross.length) return r.skip('skip.same-account');
    const principal = ctx.taskDefinition?.executionRoleArn ?? `arn:${ctx.partition}:iam::${ctx.account}:root`;
    const out: CheckResult[] = [];
    for (const img of cross) {
      const link = links.ecrRepository(img.repository, img.registryAccount, img.region);
      const params = { repository: img.repository, registry: img.registryAccount, account: ctx.account };
      if (img.notAllowed) {
        out.push(r.unknown('unknown.not-allowed', { ...params }));
        continue;
      }
      if (img.unreachable) {
        out.push(r.unknown('unknown.unreachable', { ...params }, { links: [link] }));
        continue;
      }
      if (img.repositoryExists === false) {
        out.push(r.skip('skip.no-repository', params));
        continue;
      }
      const err = img.errors.find((e) => e.part === 'repository-policy');
      if (err) {
        out.push({
          ...r.unknown('unknown.error', { ...params, action: err.error.action ?? 'ecr:GetRepositoryPolicy' }),
          missing: { fact: 'ecr.images', error: err.error },
        });
        continue;
      }
      if (img.repositoryPolicy === null || img.repositoryPolicy === undefined) {
        out.push(
          r.fail('fail.none', params, {
            links: [link],
            remediation: r.fix('add-policy', { ...params, principal }),
          }),
        );
        continue;
      }
      let document: unknown;
      try {
        document = JSON.parse(img.repositoryPolicy);
      } catch {
        out.push(r.unknown('unknown.invalid', params, { links: [link] }));
        continue;
      }
      const resource = ecrRepositoryArn(ctx.partition, img.region, img.registryAccount, img.repository);
      // What ECR knows about the caller; the organization is not known here, so it is assumed only as a second try.
      const known = { 'aws:PrincipalAccount': ctx.account, 'aws:PrincipalArn': principal };
      /** The pull actions the policy does not allow; undefined when the optional evaluator is not installed. */
      const deniedWith = async (context: Record<string, string>) => {
        const denied: string[] = [];
        for (const action of ECR_PULL_ACTIONS) {
          const a = await evaluatePolicy({
            principal,
            action,
            resource,
            resourceAccount: img.registryAccount,
            context,
            identityPolicies: [allowAll],
            resourcePolicy: document,
          });
          if (a.decision === 'unavailable') return undefined;
          if (a.decision !== 'allowed') denied.push(action);
        }
        return denied;
      };
      const denied = await deniedWith(known);
      if (!denied) {
        out.push({
          ...r.unknown(
            'unknown.evaluator',
            { ...params, package: POLICY_EVALUATOR_PACKAGE },
            { links: [link] },
          ),
          missing: { fact: 'ecr.images', error: evaluatorMissingError() },
        });
        continue;
      }
      const evidence = [r.ev('principal', { principal, repository: resource })];
      const orgs = orgIdsIn(document);
      if (denied.length && orgs.length) {
        const org = orgs[0]!;
        if (!(await deniedWith({ ...known, 'aws:PrincipalOrgID': org }))?.length) {
          out.push(
            r.warn(
              'warn.organization',
              { ...params, org },
              { evidence, links: [link], remediation: r.fix('check-organization', { ...params, org }) },
            ),
          );
          continue;
        }
      }
      if (denied.length) {
        out.push(
          r.fail(
            'fail.denied',
            { ...params, actions: denied.join(', '), principal },
            {
              evidence,
              links: [link],
              remediation: r.fix('add-policy', { ...params, principal }),
            },
          ),
        );
      } else out.push(r.pass('pass', params, { evidence, links: [link] }));
    }
    return worstOf(out);
  },
});

/** Organization ids a policy's conditions compare aws:PrincipalOrgID with. */
function orgIdsIn(document: unknown): string[] {
  const out = new Set<string>();
  const statements = ([] as unknown[]).concat((document as { Statement?: unknown })?.Statement ?? []);
  for (const st of statements as Array<{ Condition?: Record<string, Record<string, unknown>> }>) {
    for (const operator of Object.values(st.Condition ?? {})) {
      for (const [key, value] of Object.entries(operator ?? {})) {
        if (key.toLowerCase() !== 'aws:principalorgid') continue;
        for (const v of ([] as unknown[]).concat(value))
          if (typeof v === 'string' && !v.includes('*')) out.add(v);
      }
    }
  }
  return [...out];
}
