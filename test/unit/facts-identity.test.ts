/**
 * The identity facts over the wire (ECR and Secrets Manager JSON 1.1, IAM XML): what is called in which round,
 * the simulation path and the local-evaluation fallback, and a denial making only the affected checks unknown.
 */
import { describe, expect, it } from 'vitest';
import { executionRoleCheck } from '../../src/diagnosis/checks/identity/execution-role.js';
import { imageExistsCheck } from '../../src/diagnosis/checks/identity/image-exists.js';
import { imagePlatformCheck } from '../../src/diagnosis/checks/identity/image-platform.js';
import { secretsRetrievalCheck } from '../../src/diagnosis/checks/identity/secrets-retrieval.js';
import { ephemeralStorageCheck } from '../../src/diagnosis/checks/identity/storage-ephemeral.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import {
  assumeRoleXml,
  ec2Error,
  fixture,
  jsonCall,
  jsonError,
  queryCall,
  queryError,
} from '../helpers/aws-wire.js';
import { english, evidenceText } from '../helpers/checks.js';
import { CHECKOUT_TARGET, unitPool, useNock } from '../helpers/unit.js';

useNock();
const R = 'eu-south-1';
const REPO = 'arn:aws:ecr:eu-south-1:210987654321:repository/checkout';
const SECRET = 'arn:aws:secretsmanager:eu-south-1:210987654321:secret:checkout/db-AbCdEf';
const checks = [executionRoleCheck, imageExistsCheck, imagePlatformCheck, ephemeralStorageCheck];

function simResult(action: string, resource: string, decision = 'allowed') {
  return `<member><EvalActionName>${action}</EvalActionName><EvalResourceName>${resource}</EvalResourceName><EvalDecision>${decision}</EvalDecision><MatchedStatements/><MissingContextValues/></member>`;
}

function arrange(opts: {
  simulate: 'ok' | 'denied';
  layerSize?: number;
  describeImages?: 'ok' | 'denied';
  batchGetImage?: 'ok' | 'denied';
}) {
  queryCall(
    'sts',
    R,
    'AssumeRole',
    200,
    assumeRoleXml('arn:aws:iam::210987654321:role/ecs-pull-diagnostics', 'ecs-pull-cli-alice'),
  );
  jsonCall('ecs', R, 'DescribeTasks', 200, fixture('aws/ecs-describe-tasks-stopped.json'));
  jsonCall('ecs', R, 'DescribeTaskDefinition', 200, fixture('aws/ecs-describe-task-definition.json'));
  jsonCall('ecs', R, 'DescribeServices', 200, fixture('aws/ecs-describe-services.json'));
  queryCall(
    'ec2',
    R,
    'DescribeNetworkInterfaces',
    400,
    ec2Error('InvalidNetworkInterfaceID.NotFound', 'gone'),
  );
  if (opts.describeImages === 'denied') {
    jsonCall(
      'ecr',
      R,
      'DescribeImages',
      400,
      jsonError(
        'AccessDeniedException',
        'User: arn:aws:sts::210987654321:assumed-role/ecs-pull-diagnostics/x is not authorized to perform: ecr:DescribeImages',
      ),
    );
  } else {
    jsonCall(
      'ecr',
      R,
      'DescribeImages',
      200,
      fixture('aws/ecr-describe-images.json'),
      (b) => b.repositoryName === 'checkout',
    );
  }
  if (opts.batchGetImage === 'denied') {
    jsonCall(
      'ecr',
      R,
      'BatchGetImage',
      400,
      jsonError('AccessDeniedException', 'not authorized to perform: ecr:BatchGetImage'),
    );
  } else {
    jsonCall(
      'ecr',
      R,
      'BatchGetImage',
      200,
      fixture('aws/ecr-batch-get-image-index.json'),
      (b) => (b.imageIds as Array<{ imageTag?: string }>)[0]?.imageTag === '2.14.0',
    );
    jsonCall(
      'ecr',
      R,
      'BatchGetImage',
      200,
      fixture('aws/ecr-batch-get-image-manifest.json', { LAYER_SIZE: String(opts.layerSize ?? 158110000) }),
      (b) =>
        (b.imageIds as Array<{ imageDigest?: string }>)[0]?.imageDigest?.startsWith('sha256:1111') === true,
    );
  }
  queryCall('iam', R, 'GetRole', 200, fixture('aws/iam-get-role.xml'));
  queryCall('iam', R, 'ListAttachedRolePolicies', 200, fixture('aws/iam-list-attached-role-policies.xml'));
  queryCall('iam', R, 'ListRolePolicies', 200, fixture('aws/iam-list-role-policies.xml'));
  jsonCall(
    'secretsmanager',
    R,
    'DescribeSecret',
    200,
    fixture('aws/secretsmanager-describe-secret.json'),
    (b) => b.SecretId === SECRET,
  );
  if (opts.simulate === 'ok') {
    queryCall(
      'iam',
      R,
      'SimulatePrincipalPolicy',
      200,
      fixture('aws/iam-simulate-principal-policy.xml', {
        RESULTS: simResult('ecr:GetAuthorizationToken', '*'),
      }),
      (p) => p.get('ResourceArns.member.1') === '*',
    );
    queryCall(
      'iam',
      R,
      'SimulatePrincipalPolicy',
      200,
      fixture('aws/iam-simulate-principal-policy.xml', {
        RESULTS: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage']
          .map((a) => simResult(a, REPO))
          .join(''),
      }),
      (p) => p.get('ResourceArns.member.1') === REPO,
    );
    queryCall(
      'iam',
      R,
      'SimulatePrincipalPolicy',
      200,
      fixture('aws/iam-simulate-principal-policy.xml', {
        RESULTS: simResult('secretsmanager:GetSecretValue', SECRET),
      }),
      (p) => p.get('ResourceArns.member.1') === SECRET,
    );
  } else {
    for (let i = 0; i < 3; i++) {
      queryCall(
        'iam',
        R,
        'SimulatePrincipalPolicy',
        403,
        queryError(
          'iam',
          'AccessDenied',
          'User: arn:aws:sts::210987654321:assumed-role/ecs-pull-diagnostics/x is not authorized to perform: iam:SimulatePrincipalPolicy',
        ),
      );
    }
    queryCall('iam', R, 'GetRolePolicy', 200, fixture('aws/iam-get-role-policy.xml'));
    queryCall('iam', R, 'GetPolicy', 200, fixture('aws/iam-get-policy.xml'));
    queryCall('iam', R, 'GetPolicyVersion', 200, fixture('aws/iam-get-policy-version.xml'));
  }
}

const request = { target: CHECKOUT_TARGET, requester: 'cli-alice' };

describe('identity facts over the wire', () => {
  it('answers from iam:SimulatePrincipalPolicy, with ECR calls right after the task', async () => {
    arrange({ simulate: 'ok' });
    const { report } = await diagnose(request, {
      pool: unitPool(),
      deadlineMs: 5000,
      checks: [...checks, secretsRetrievalCheck].filter((c) => c.id !== 'secrets.retrieval'),
    });
    const rounds = new Map<string, number[]>();
    for (const c of report.aws.calls) rounds.set(c.api, [...(rounds.get(c.api) ?? []), c.round].sort());
    expect(rounds.get('ecr:DescribeImages')).toEqual([3]);
    expect(rounds.get('ecr:BatchGetImage')).toEqual([3, 4]);
    expect(rounds.get('iam:GetRole')).toEqual([4]);
    expect(rounds.get('iam:SimulatePrincipalPolicy')).toEqual([4, 4, 4]);
    expect(rounds.has('iam:GetPolicyVersion')).toBe(false);
    const role = report.checks.find((c) => c.id === 'iam.execution-role')!;
    expect(role.status).toBe('pass');
    expect(evidenceText(role)).toContain('Decided by iam:SimulatePrincipalPolicy');
    expect(report.checks.find((c) => c.id === 'image.exists')?.status).toBe('pass');
    expect(report.checks.find((c) => c.id === 'image.platform')?.status).toBe('pass');
    const storage = report.checks.find((c) => c.id === 'storage.ephemeral')!;
    expect(storage.status).toBe('pass');
    expect(evidenceText(storage)).toContain('0.2 GB compressed');
  });

  it('falls back to evaluating the role policies when simulation is denied, and says so', async () => {
    arrange({ simulate: 'denied' });
    const { report } = await diagnose(request, { pool: unitPool(), deadlineMs: 5000, checks });
    const role = report.checks.find((c) => c.id === 'iam.execution-role')!;
    expect(role.status).toBe('pass');
    expect(evidenceText(role)).toContain(
      "evaluating the role's policies here (read-checkout-secrets, AmazonECSTaskExecutionRolePolicy)",
    );
    expect(evidenceText(role)).toContain('AccessDenied');
    const rounds = Object.fromEntries(report.aws.calls.map((c) => [c.api, c.round]));
    expect(rounds['iam:GetPolicy']).toBe(5);
    expect(rounds['iam:GetPolicyVersion']).toBe(6);
  });

  it('measures the platform image from its manifest: a 12 GB layer does not fit 20 GiB', async () => {
    arrange({ simulate: 'ok', layerSize: 12 * 1024 ** 3 });
    const { report } = await diagnose(request, { pool: unitPool(), deadlineMs: 5000, checks: [...checks] });
    const storage = report.checks.find((c) => c.id === 'storage.ephemeral')!;
    expect(storage.status).toBe('fail');
    expect(english(storage.remediation!)).toContain('ephemeralStorage.sizeInGiB to 51');
  });

  it('still finds the image through its manifest when ecr:DescribeImages is denied', async () => {
    arrange({ simulate: 'ok', describeImages: 'denied' });
    const { report } = await diagnose(request, { pool: unitPool(), deadlineMs: 5000, checks });
    expect(report.checks.find((c) => c.id === 'image.exists')?.status).toBe('pass');
    expect(report.checks.find((c) => c.id === 'image.platform')?.status).toBe('pass');
  });

  it('makes only the image checks unknown when ecr:DescribeImages and ecr:BatchGetImage are denied', async () => {
    arrange({ simulate: 'ok', describeImages: 'denied', batchGetImage: 'denied' });
    const { report } = await diagnose(request, { pool: unitPool(), deadlineMs: 5000, checks });
    const exists = report.checks.find((c) => c.id === 'image.exists')!;
    expect(exists.status).toBe('unknown');
    expect(exists.missing?.error).toMatchObject({ kind: 'denied', action: 'ecr:DescribeImages' });
    expect(report.checks.find((c) => c.id === 'iam.execution-role')?.status).toBe('pass');
  });
});
