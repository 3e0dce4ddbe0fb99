import { describe, expect, it } from 'vitest';
import { endpointPolicyCheck } from '../../../../src/diagnosis/checks/endpoints/policy.js';
import { english, evidenceText, loadFacts, runCheck, value } from '../../../helpers/checks.js';

const ep = () => loadFacts('network/endpoint-path.json');
const nat = () => loadFacts('network/nat-path.json');
const endpoint = (s: ReturnType<typeof ep>, suffix: string) =>
  value(s, 'ec2.vpcEndpoints').find((e) => e.serviceName.endsWith(suffix))!;
const policy = (...Statement: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const REPO = 'arn:aws:ecr:eu-south-1:210987654321:repository/checkout';
const ROLE = 'arn:aws:iam::210987654321:role/ecsTaskExecutionRole';

describe('endpoints.policy: the endpoint policies allow the pull (evaluated as policies, not grepped)', () => {
  it('passes the full-access ECR policies and the documented S3 layer-bucket policy', async () => {
    const r = await runCheck(endpointPolicyCheck, ep());
    expect(r.status).toBe('pass');
    expect(evidenceText(r)).toContain(
      'ecr.dkr vpce-0ecrdkr00000000001: the policy allows the pull’s requests (ecr:BatchGetImage, ecr:GetDownloadUrlForLayer)'.replace(
        '’',
        "'",
      ),
    );
    expect(r.links.every((l) => l.kind === 'vpc-endpoint')).toBe(true);
  });

  it('passes AWS’s documented minimal ECR policy limited to the execution role', async () => {
    const s = ep();
    const doc = policy({
      Effect: 'Allow',
      Principal: { AWS: ROLE },
      Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:GetAuthorizationToken'],
      Resource: '*',
    });
    endpoint(s, 'ecr.api').policyDocument = doc;
    endpoint(s, 'ecr.dkr').policyDocument = doc;
    expect((await runCheck(endpointPolicyCheck, s)).status).toBe('pass');
  });

  it('fails an ECR policy that only admits another role', async () => {
    const s = ep();
    endpoint(s, 'ecr.dkr').policyDocument = policy({
      Effect: 'Allow',
      Principal: { AWS: ['arn:aws:iam::210987654321:role/ci-deployer'] },
      Action: 'ecr:*',
      Resource: '*',
    });
    const r = await runCheck(endpointPolicyCheck, s);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toContain(`no statement allows ecr:BatchGetImage on ${REPO}`);
  });

  it('fails an S3 policy that allows only the team bucket', async () => {
    const s = ep();
    endpoint(s, '.s3').policyDocument = policy({
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:*',
      Resource: ['arn:aws:s3:::acme-artifacts', 'arn:aws:s3:::acme-artifacts/*'],
    });
    const r = await runCheck(endpointPolicyCheck, s);
    expect(r.status).toBe('fail');
    expect(english(r.message)).toContain('arn:aws:s3:::prod-eu-south-1-starport-layer-bucket/*');
    expect(english(r.remediation!)).toContain('"Principal": "*"');
  });

  it('fails an S3 policy that only admits the account’s own principals (ECR signs the layer URLs)', async () => {
    const s = ep();
    endpoint(s, '.s3').policyDocument = policy({
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: '*',
      Condition: { StringEquals: { 'aws:PrincipalAccount': '210987654321' } },
    });
    const r = await runCheck(endpointPolicyCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.params?.endpointId).toBe('vpce-0s3gateway0000001');
  });

  it('fails an ECR policy that denies BatchGetImage on the repository explicitly', async () => {
    const s = ep();
    endpoint(s, 'ecr.dkr').policyDocument = policy(
      { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' },
      { Effect: 'Deny', Principal: '*', Action: 'ecr:BatchGetImage', Resource: REPO },
    );
    const r = await runCheck(endpointPolicyCheck, s);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toContain(`ecr:BatchGetImage on ${REPO} is explicitly denied`);
    expect(english(r.remediation!)).toContain(ROLE);
  });

  it('evaluates wildcards: a repository-scoped ecr.dkr policy matching the repository passes', async () => {
    const s = ep();
    endpoint(s, 'ecr.dkr').policyDocument = policy({
      Effect: 'Allow',
      Principal: '*',
      Action: ['ecr:Batch*', 'ecr:Get*'],
      Resource: 'arn:aws:ecr:eu-south-1:210987654321:repository/check*',
    });
    expect((await runCheck(endpointPolicyCheck, s)).status).toBe('pass');
  });

  it('fails a repository-scoped ecr.api policy: GetAuthorizationToken needs Resource "*"', async () => {
    const s = ep();
    endpoint(s, 'ecr.api').policyDocument = policy({
      Effect: 'Allow',
      Principal: '*',
      Action: 'ecr:*',
      Resource: 'arn:aws:ecr:eu-south-1:210987654321:repository/*',
    });
    const r = await runCheck(endpointPolicyCheck, s);
    expect(r.status).toBe('fail');
    expect(english(r.message)).toContain('ecr:GetAuthorizationToken');
    expect(evidenceText(r)).toContain('no statement allows ecr:GetAuthorizationToken on *');
  });

  it('asks about the repository of another account without mistaking it for a cross-account denial', async () => {
    const s = ep();
    const image = '555566667777.dkr.ecr.eu-south-1.amazonaws.com/shared/base:3';
    value(s, 'ecs.task').task.containers![0]!.image = image;
    value(s, 'ecs.taskDefinition').containerDefinitions![0]!.image = image;
    const r = await runCheck(endpointPolicyCheck, s);
    expect(r.status).toBe('pass');
    endpoint(s, 'ecr.dkr').policyDocument = policy({
      Effect: 'Allow',
      Principal: '*',
      Action: 'ecr:*',
      Resource: 'arn:aws:ecr:eu-south-1:210987654321:repository/*',
    });
    const denied = await runCheck(endpointPolicyCheck, s);
    expect(denied.status).toBe('fail');
    expect(english(denied.message)).toContain('arn:aws:ecr:eu-south-1:555566667777:repository/shared/base');
  });

  it('is unknown when a policy document cannot be evaluated', async () => {
    const s = ep();
    endpoint(s, 'ecr.api').policyDocument = '{not json';
    const r = await runCheck(endpointPolicyCheck, s);
    expect(r.status).toBe('unknown');
    expect(english(r.message)).toContain('vpce-0ecrapi00000000001');
  });

  it('does not apply without ECR or S3 endpoints', async () => {
    expect((await runCheck(endpointPolicyCheck, nat())).status).toBe('skip');
  });
});
