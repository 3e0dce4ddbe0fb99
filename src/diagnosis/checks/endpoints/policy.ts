import { ecrRepositoryArn, parseImageRef } from '../../../aws/image-ref.js';
import { evaluatePolicy } from '../../../aws/policy-eval.js';
import { taskImages } from '../network/path.js';
import { type Check, type Message, results } from '../types.js';
import { relevantEndpoints } from './common.js';

const r = results('endpoints.policy');

const allowAll = {
  name: 'identity-allow-all',
  document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
};

/** The endpoint policies of the ECR endpoints and the S3 gateway allow the pull: ECR actions on the repository, s3:GetObject on the layer bucket. */
export const endpointPolicyCheck: Check = {
  id: 'endpoints.policy',
  needs: ['ec2.vpcEndpoints'],
  async run({ context: ctx, facts, links }) {
    const relevant = relevantEndpoints(ctx, facts.get('ec2.vpcEndpoints')).filter(({ req }) =>
      ['ecr.api', 'ecr.dkr', 's3'].includes(req.service),
    );
    if (!relevant.length) return r.skip('skip.none');
    const principal = ctx.taskDefinition?.executionRoleArn ?? `arn:${ctx.partition}:iam::${ctx.account}:root`;
    const repos = taskImages(ctx)
      .map((i) => i.ref ?? parseImageRef(i.image))
      .filter((ref) => ref?.kind === 'ecr' && ref.ecr?.region === ctx.region)
      .map((ref) => ({
        arn: ecrRepositoryArn(ctx.partition, ctx.region, ref!.ecr!.account, ref!.repository),
        account: ref!.ecr!.account,
      }));
    const bucket = `arn:${ctx.partition}:s3:::prod-${ctx.region}-starport-layer-bucket/*`;
    const evidence: Message[] = [];
    const denied: Array<{ endpointId: string; action: string; resource: string }> = [];
    let invalid: string | undefined;
    for (const { req, endpoint } of relevant) {
      if (!endpoint.policyDocument) {
        evidence.push(r.ev('policy-none', { endpointId: endpoint.vpcEndpointId, service: req.service }));
        continue;
      }
      let document: unknown;
      try {
        document = JSON.parse(endpoint.policyDocument);
      } catch {
        invalid = endpoint.vpcEndpointId;
        continue;
      }
      const questions =
        req.service === 's3'
          ? [{ action: 's3:GetObject', resource: bucket, account: ctx.account }]
          : [
              { action: 'ecr:GetAuthorizationToken', resource: '*', account: ctx.account },
              ...repos.flatMap((repo) =>
                ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'].map(
                  (action) => ({
                    action,
                    resource: repo.arn,
                    account: repo.account,
                  }),
                ),
              ),
            ];
      let allowedAll = true;
      for (const q of questions) {
        const answer = await evaluatePolicy({
          principal,
          action: q.action,
          // An object of the layer bucket stands for `bucket/*`; the bucket is AWS's, but only the endpoint
          // policy is in question here, so the request is evaluated as if in the task's account.
          resource: q.resource.endsWith('/*') ? `${q.resource.slice(0, -2)}/layer` : q.resource,
          resourceAccount: q.account,
          identityPolicies: [allowAll],
          endpointPolicies: [{ name: endpoint.vpcEndpointId, document }],
        });
        if (answer.decision === 'invalid') {
          invalid = endpoint.vpcEndpointId;
          allowedAll = false;
          break;
        }
        if (answer.decision !== 'allowed') {
          allowedAll = false;
          denied.push({ endpointId: endpoint.vpcEndpointId, action: q.action, resource: q.resource });
          evidence.push(
            r.ev(answer.decision === 'explicit-deny' ? 'policy-denies.explicit' : 'policy-denies.implicit', {
              endpointId: endpoint.vpcEndpointId,
              action: q.action,
              resource: q.resource,
            }),
          );
        }
      }
      if (allowedAll)
        evidence.push(
          r.ev('policy-allows', {
            endpointId: endpoint.vpcEndpointId,
            service: req.service,
            count: questions.length,
          }),
        );
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
          remediation: r.fix('allow', {
            endpointId: first.endpointId,
            action: first.action,
            resource: first.resource,
          }),
        },
      );
    }
    if (invalid) return r.unknown('unknown.invalid', { endpointId: invalid }, { evidence, links: epLinks });
    return r.pass('pass', { count: relevant.length }, { evidence, links: epLinks });
  },
};
