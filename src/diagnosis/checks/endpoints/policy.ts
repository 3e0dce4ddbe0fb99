import { ecrRepositoryArn } from '../../../aws/image-ref.js';
import { evaluatePolicy, evaluatorMissingError, POLICY_EVALUATOR_PACKAGE } from '../../../aws/policy-eval.js';
import { aws } from '../../commands.js';
import type { TaskContext } from '../../context.js';
import type { VpcEndpointRecord } from '../../facts/ec2.js';
import { imagesOf } from '../../task-refs.js';
import { fixMessage, IAC, one, param } from '../shared/commands.js';
import { relevantEndpoints } from '../shared/path.js';
import { defineCheck, type Message, results } from '../types.js';

const r = results('endpoints.policy');

/** Only the endpoint policy is in question: the identity side is taken as allowing everything. */
const allowAll = {
  name: 'identity-allow-all',
  document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
};

/**
 * Who signs the layer downloads: GetDownloadUrlForLayer answers with a pre-signed S3 URL signed by ECR itself,
 * so the S3 endpoint sees a principal outside the task's account. A stand-in account id represents it (a
 * policy that only admits the customer's own principals or organization denies it, as AWS does).
 */
const ECR_LAYER_SIGNER_ACCOUNT = '000000000000';

interface Question {
  action: string;
  resource: string;
  principal: string;
}

/**
 * The requests of a pull each endpoint carries: ecr.api the authorization token (platform 1.4.0 and later),
 * ecr.dkr the registry API (BatchGetImage for manifests, GetDownloadUrlForLayer for layers) on each repository
 * of the task's images, and the S3 endpoint s3:GetObject on the region's layer bucket.
 */
function questionsFor(service: string, ctx: TaskContext, principal: string): Question[] {
  if (service === 'ecr.api') return [{ action: 'ecr:GetAuthorizationToken', resource: '*', principal }];
  if (service === 'ecr.dkr') {
    const repos = [
      ...new Set(
        imagesOf(ctx.containers)
          .filter((i) => i.ref?.kind === 'ecr' && i.ref.ecr?.region === ctx.region)
          .map((i) => ecrRepositoryArn(ctx.partition, ctx.region, i.ref!.ecr!.account, i.ref!.repository)),
      ),
    ];
    return repos.flatMap((resource) =>
      ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'].map((action) => ({ action, resource, principal })),
    );
  }
  if (service === 's3') {
    return [
      {
        action: 's3:GetObject',
        resource: `arn:${ctx.partition}:s3:::prod-${ctx.region}-starport-layer-bucket/*`,
        principal: `arn:${ctx.partition}:iam::${ECR_LAYER_SIGNER_ACCOUNT}:root`,
      },
    ];
  }
  return [];
}

/** The endpoint policies of the ECR endpoints and the S3 endpoint allow the pull: ECR actions on the repository, s3:GetObject on the layer bucket. */
export const endpointPolicyCheck = defineCheck(r, {
  cause: 'vpc-endpoint',
  needs: ['ec2.vpcEndpoints', 'ec2.subnets'],
  commands(result, { context: ctx }) {
    const endpointId = param(result.remediation, 'endpointId');
    if (!endpointId) return [];
    return [
      one(
        aws(
          'ec2',
          'modify-vpc-endpoint',
          { 'vpc-endpoint-id': endpointId, 'reset-policy': true },
          ctx.region,
        ),
        {
          iac: IAC.endpointPolicy,
          note: fixMessage('note.reset-policy', { endpointId }),
        },
      ),
    ];
  },
  async run({ context: ctx, facts, links }) {
    const relevant = relevantEndpoints(ctx, facts.get('ec2.vpcEndpoints')).filter(({ req }) =>
      ['ecr.api', 'ecr.dkr', 's3'].includes(req.service),
    );
    if (!relevant.length) return r.skip('skip.none');
    const vpcId = facts.optional('ec2.subnets')?.[0]?.vpcId;
    const role = ctx.taskDefinition?.executionRoleArn;
    const principal = role ?? `arn:${ctx.partition}:iam::${ctx.account}:root`;
    const evidence: Message[] = [];
    const denied: Array<{ endpointId: string; action: string; resource: string }> = [];
    let invalid: string | undefined;
    /** The first endpoint whose policy needs the optional evaluator, which is not installed. */
    let unevaluated: string | undefined;
    for (const { req, endpoint } of relevant) {
      const questions = questionsFor(req.service, ctx, principal);
      if (!endpoint.policyDocument) {
        evidence.push(r.ev('policy-none', { endpointId: endpoint.vpcEndpointId, service: req.service }));
        continue;
      }
      const outcome = await ask(endpoint, questions, vpcId);
      if (outcome === 'invalid') {
        invalid ??= endpoint.vpcEndpointId;
        continue;
      }
      if (outcome === 'unavailable') {
        unevaluated ??= endpoint.vpcEndpointId;
        continue;
      }
      for (const d of outcome) {
        denied.push({ endpointId: endpoint.vpcEndpointId, action: d.action, resource: d.resource });
        evidence.push(
          r.ev(d.explicit ? 'policy-denies.explicit' : 'policy-denies.implicit', {
            endpointId: endpoint.vpcEndpointId,
            action: d.action,
            resource: d.resource,
          }),
        );
      }
      if (!outcome.length) {
        evidence.push(
          r.ev('policy-allows', {
            endpointId: endpoint.vpcEndpointId,
            service: req.service,
            requests: questions.map((q) => q.action).join(', ') || '—',
          }),
        );
      }
    }
    const epLinks = relevant.map(({ endpoint }) => links.endpoint(endpoint.vpcEndpointId));
    if (denied.length) {
      const first = denied[0]!;
      return r.fail(
        'fail.denied',
        {
          endpointId: first.endpointId,
          action: first.action,
          resource: first.resource,
          count: denied.length,
        },
        {
          evidence,
          links: epLinks,
          remediation: r.fix(first.action === 's3:GetObject' ? 'allow-s3' : 'allow-ecr', {
            endpointId: first.endpointId,
            action: first.action,
            resource: first.resource,
            role: role ?? principal,
          }),
        },
      );
    }
    if (invalid) return r.unknown('unknown.invalid', { endpointId: invalid }, { evidence, links: epLinks });
    if (unevaluated)
      return {
        ...r.unknown(
          'unknown.evaluator',
          { endpointId: unevaluated, package: POLICY_EVALUATOR_PACKAGE },
          { evidence, links: epLinks },
        ),
        missing: { fact: 'ec2.vpcEndpoints', error: evaluatorMissingError() },
      };
    return r.pass('pass', { count: relevant.length }, { evidence, links: epLinks });
  },
});

/** True when a policy Principal value names the requester: `*`, its ARN, its account id or the account root. */
function principalMatches(value: unknown, principal: string): boolean {
  const account = principal.split(':')[4];
  const root = `arn:${principal.split(':')[1]}:iam::${account}:root`;
  const values = (v: unknown): string[] =>
    Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)];
  if (value === '*') return true;
  if (!value || typeof value !== 'object') return false;
  return values((value as { AWS?: unknown }).AWS).some(
    (x) => x === '*' || x === principal || x === account || x === root,
  );
}

/**
 * The policy as it applies to one requester: statements whose Principal (or NotPrincipal) names it are kept
 * with Principal "*", the others dropped. AWS accepts principals in endpoint policies; the simulator only takes
 * "*", so principal matching is done here and everything else (actions, resources, conditions) by the simulator.
 */
export function bindPrincipal(document: unknown, principal: string): unknown {
  if (!document || typeof document !== 'object') return document;
  const doc = document as { Statement?: unknown };
  const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  const bound = statements.flatMap((st: Record<string, unknown>) => {
    if ('NotPrincipal' in st) {
      const { NotPrincipal, ...rest } = st;
      return principalMatches(NotPrincipal, principal) ? [] : [{ ...rest, Principal: '*' }];
    }
    if (!('Principal' in st)) return [st];
    return principalMatches(st.Principal, principal) ? [{ ...st, Principal: '*' }] : [];
  });
  return { ...doc, Statement: bound };
}

/** Evaluates the questions against one endpoint's policy: the denied requests, `invalid`, or `unavailable` (no evaluator). */
async function ask(
  endpoint: VpcEndpointRecord,
  questions: Question[],
  vpcId: string | undefined,
): Promise<Array<Question & { explicit: boolean }> | 'invalid' | 'unavailable'> {
  let document: unknown;
  try {
    document = JSON.parse(endpoint.policyDocument!);
  } catch {
    return 'invalid';
  }
  const out: Array<Question & { explicit: boolean }> = [];
  for (const q of questions) {
    const account = q.principal.split(':')[4] ?? '';
    const answer = await evaluatePolicy({
      principal: q.principal,
      action: q.action,
      // One object of the layer bucket stands for `bucket/*`.
      resource: q.resource.endsWith('/*') ? `${q.resource.slice(0, -2)}/sha256-layer` : q.resource,
      // Evaluated as a same-account request: cross-account rules belong to the repository policy check, and
      // here only what the endpoint policy itself allows is asked.
      resourceAccount: account,
      context: {
        'aws:SourceVpce': endpoint.vpcEndpointId,
        ...(vpcId ? { 'aws:SourceVpc': vpcId } : {}),
        'aws:PrincipalAccount': account,
      },
      identityPolicies: [allowAll],
      endpointPolicies: [{ name: endpoint.vpcEndpointId, document: bindPrincipal(document, q.principal) }],
    });
    if (answer.decision === 'invalid' || answer.decision === 'unavailable') return answer.decision;
    if (answer.decision !== 'allowed') out.push({ ...q, explicit: answer.decision === 'explicit-deny' });
  }
  return out;
}
