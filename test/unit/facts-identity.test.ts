/**
 * The identity facts over the wire (ECR and Secrets Manager JSON 1.1, IAM XML): what is called in which round,
 * the simulation path and the local-evaluation fallback, the missing-image paths (tags, lifecycle, pull-through
 * rules, near names), single-manifest platforms, and a denial making only the affected checks unknown.
 */
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { executionRoleCheck } from '../../src/diagnosis/checks/iam/execution-role.js';
import { imageExistsCheck } from '../../src/diagnosis/checks/image/exists.js';
import { imagePlatformCheck } from '../../src/diagnosis/checks/image/platform.js';
import { rateLimitCheck } from '../../src/diagnosis/checks/image/rate-limit.js';
import { imageReferenceCheck } from '../../src/diagnosis/checks/image/reference.js';
import { registryCredentialsCheck } from '../../src/diagnosis/checks/image/registry-credentials.js';
import { ephemeralStorageCheck } from '../../src/diagnosis/checks/storage/ephemeral.js';
import type { Check } from '../../src/diagnosis/checks/types.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import type { Report } from '../../src/diagnosis/report.js';
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
const ACCOUNT = '210987654321';
const REGISTRY = `${ACCOUNT}.dkr.ecr.${R}.amazonaws.com`;
const REPO = `arn:aws:ecr:${R}:${ACCOUNT}:repository/checkout`;
const SECRET = `arn:aws:secretsmanager:${R}:${ACCOUNT}:secret:checkout/db-AbCdEf`;
const checks = [executionRoleCheck, imageExistsCheck, imagePlatformCheck, ephemeralStorageCheck];
const request = { target: CHECKOUT_TARGET, requester: 'cli-alice' };
const notFound = (type: string, message: string) => jsonError(type, message);

function simResult(action: string, resource: string, decision = 'allowed') {
  return `<member><EvalActionName>${action}</EvalActionName><EvalResourceName>${resource}</EvalResourceName><EvalDecision>${decision}</EvalDecision><MatchedStatements/><MissingContextValues/></member>`;
}

const PULL = ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'];
/** The awslogs stream of the checkout container, where the execution role creates its stream and writes. */
const STREAM = `arn:aws:logs:${R}:${ACCOUNT}:log-group:/ecs/checkout:log-stream:ecs/checkout/${CHECKOUT_TARGET.taskId}`;
const LOG_WRITE = ['logs:CreateLogStream', 'logs:PutLogEvents'];
const PULL_THROUGH = ['ecr:BatchImportUpstreamImage', 'ecr:CreateRepository'];

/** The task and its definition, with another image or definition fields. */
function task(
  opts: { image?: string; td?: Record<string, unknown>; container?: Record<string, unknown> } = {},
) {
  const tasks = JSON.parse(fixture('aws/ecs-describe-tasks-stopped.json'));
  const td = JSON.parse(fixture('aws/ecs-describe-task-definition.json'));
  const c = td.taskDefinition.containerDefinitions[0];
  if (opts.image) {
    tasks.tasks[0].containers[0].image = opts.image;
    c.image = opts.image;
  }
  Object.assign(c, opts.container ?? {});
  Object.assign(td.taskDefinition, opts.td ?? {});
  jsonCall('ecs', R, 'DescribeTasks', 200, tasks);
  jsonCall('ecs', R, 'DescribeTaskDefinition', 200, td);
  jsonCall('ecs', R, 'DescribeServices', 200, fixture('aws/ecs-describe-services.json'));
  queryCall(
    'sts',
    R,
    'AssumeRole',
    200,
    assumeRoleXml(`arn:aws:iam::${ACCOUNT}:role/ecs-pull-diagnostics`, 'ecs-pull-cli-alice'),
  );
  queryCall(
    'ec2',
    R,
    'DescribeNetworkInterfaces',
    400,
    ec2Error('InvalidNetworkInterfaceID.NotFound', 'gone'),
  );
}

/** The execution role: GetRole and its policy lists, the secret, and simulation answering `allowed` per resource. */
function role(opts: { simulate: 'ok' | 'denied'; repository?: string } = { simulate: 'ok' }) {
  const repo = opts.repository ? `arn:aws:ecr:${R}:${ACCOUNT}:repository/${opts.repository}` : REPO;
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
  if (opts.simulate === 'denied') {
    for (let i = 0; i < 4; i++) {
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
    return;
  }
  const sim = (resource: string, actions: string[]) =>
    queryCall(
      'iam',
      R,
      'SimulatePrincipalPolicy',
      200,
      fixture('aws/iam-simulate-principal-policy.xml', {
        RESULTS: actions.map((a) => simResult(a, resource)).join(''),
      }),
      (p) =>
        p.get('ResourceArns.member.1') === resource &&
        // Every question about one resource goes in one call.
        actions.every((a, i) => p.get(`ActionNames.member.${i + 1}`) === a),
    );
  sim('*', ['ecr:GetAuthorizationToken']);
  sim(repo, [...PULL, ...PULL_THROUGH]);
  sim(SECRET, ['secretsmanager:GetSecretValue']);
  logSimulation();
}

/** The simulation of the execution role's awslogs permissions on the checkout stream: allowed. */
function logSimulation() {
  queryCall(
    'iam',
    R,
    'SimulatePrincipalPolicy',
    200,
    fixture('aws/iam-simulate-principal-policy.xml', {
      RESULTS: LOG_WRITE.map((a) => simResult(a, STREAM)).join(''),
    }),
    (p) =>
      p.get('ResourceArns.member.1') === STREAM &&
      LOG_WRITE.every((a, i) => p.get(`ActionNames.member.${i + 1}`) === a),
  );
}

/** ECR answers for the checkout:2.14.0 index and its amd64 manifest; no repository policy. */
function checkoutImage(
  opts: { layerSize?: number; describeImages?: 'ok' | 'denied'; batchGetImage?: 'ok' | 'denied' } = {},
) {
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
  noRepositoryPolicy('checkout');
}

function noRepositoryPolicy(repository: string) {
  jsonCall(
    'ecr',
    R,
    'GetRepositoryPolicy',
    400,
    notFound(
      'RepositoryPolicyNotFoundException',
      `Repository policy does not exist for the repository with name '${repository}'`,
    ),
    (b) => b.repositoryName === repository,
  );
}

function rounds(report: Report): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const c of report.aws.calls) out.set(c.api, [...(out.get(c.api) ?? []), c.round].sort());
  return out;
}

const run = (list: readonly Check[] = checks, probe = false) =>
  diagnose(request, {
    pool: unitPool(),
    deadlineMs: 5000,
    checks: list,
    ...(probe ? { settings: { probePublicRegistries: true, probeTimeoutMs: 2000 } } : {}),
  }).then((d) => d.report);

/** Docker Hub's v2 API for one repository: anonymous token, then the manifest answer. */
function dockerHub(
  repository: string,
  reference: string,
  status: number,
  headers: Record<string, string> = {},
) {
  const scope = `repository:${repository}:pull`;
  nock('https://registry-1.docker.io')
    .head(`/v2/${repository}/manifests/${reference}`)
    .reply(401, '', {
      'www-authenticate': `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="${scope}"`,
    });
  nock('https://auth.docker.io')
    .get('/token')
    .query({ service: 'registry.docker.io', scope })
    .reply(200, { token: 'anon', expires_in: 300 });
  nock('https://registry-1.docker.io', { reqheaders: { authorization: 'Bearer anon' } })
    .head(`/v2/${repository}/manifests/${reference}`)
    .reply(status, '', headers);
}
const check = (report: Report, id: string) => report.checks.find((c) => c.id === id)!;

describe('identity facts over the wire', () => {
  it('answers from iam:SimulatePrincipalPolicy, with ECR calls right after the task', async () => {
    task();
    role();
    checkoutImage();
    const report = await run();
    const r = rounds(report);
    // Cold role session: AssumeRole is round 1, DescribeTasks 2; warm, subtract one from every round.
    expect(r.get('sts:AssumeRole')).toEqual([1]);
    expect(r.get('ecr:DescribeImages')).toEqual([3]);
    expect(r.get('ecr:GetRepositoryPolicy')).toEqual([3]);
    expect(r.get('ecr:BatchGetImage')).toEqual([3, 4]);
    expect(r.get('iam:GetRole')).toEqual([4]);
    expect(r.get('iam:SimulatePrincipalPolicy')).toEqual([4, 4, 4, 4]);
    expect(r.has('iam:GetPolicyVersion')).toBe(false);
    expect(r.has('ecr:GetLifecyclePolicy')).toBe(false);
    expect(report.aws.rounds).toBe(4);
    expect(
      report.aws.calls
        .filter((c) => !c.ok)
        .map((c) => `${c.api} ${c.errorCode}`)
        .sort(),
    ).toEqual([
      'ec2:DescribeNetworkInterfaces InvalidNetworkInterfaceID.NotFound',
      'ecr:GetRepositoryPolicy RepositoryPolicyNotFoundException',
    ]);
    const execution = check(report, 'iam.execution-role');
    expect(execution.status).toBe('pass');
    expect(evidenceText(execution)).toContain('Decided by iam:SimulatePrincipalPolicy');
    expect(check(report, 'image.exists').status).toBe('pass');
    expect(check(report, 'image.platform').status).toBe('pass');
    const storage = check(report, 'storage.ephemeral');
    expect(storage.status).toBe('pass');
    expect(evidenceText(storage)).toContain('0.2 GiB compressed');
  });

  it('falls back to evaluating the role policies when simulation is denied, and says so', async () => {
    task();
    role({ simulate: 'denied' });
    checkoutImage();
    const report = await run();
    const execution = check(report, 'iam.execution-role');
    expect(execution.status).toBe('pass');
    expect(evidenceText(execution)).toContain(
      "evaluating the role's policies here (read-checkout-secrets, AmazonECSTaskExecutionRolePolicy)",
    );
    expect(evidenceText(execution)).toContain('AccessDenied');
    const r = rounds(report);
    // The lists start with the simulation (round 4 cold, 3 warm); the documents follow: 2 more rounds.
    expect(r.get('iam:ListAttachedRolePolicies')).toEqual([4]);
    expect(r.get('iam:GetRolePolicy')).toEqual([5]);
    expect(r.get('iam:GetPolicy')).toEqual([5]);
    expect(r.get('iam:GetPolicyVersion')).toEqual([6]);
    expect(report.aws.rounds).toBe(6);
  });

  it('is unknown, naming the list action, when simulation and listing the role policies are both denied', async () => {
    task();
    checkoutImage();
    queryCall('iam', R, 'GetRole', 200, fixture('aws/iam-get-role.xml'));
    queryCall(
      'iam',
      R,
      'ListAttachedRolePolicies',
      403,
      queryError('iam', 'AccessDenied', 'not authorized to perform: iam:ListAttachedRolePolicies'),
    );
    queryCall('iam', R, 'ListRolePolicies', 200, fixture('aws/iam-list-role-policies.xml'));
    jsonCall('secretsmanager', R, 'DescribeSecret', 200, fixture('aws/secretsmanager-describe-secret.json'));
    for (let i = 0; i < 4; i++)
      queryCall(
        'iam',
        R,
        'SimulatePrincipalPolicy',
        403,
        queryError('iam', 'AccessDenied', 'not authorized to perform: iam:SimulatePrincipalPolicy'),
      );
    const report = await run();
    const execution = check(report, 'iam.execution-role');
    // Not a failure: without the attached policies nothing can be concluded.
    expect(execution.status).toBe('unknown');
    expect(english(execution.message)).toContain('iam:SimulatePrincipalPolicy failed (AccessDenied)');
    expect(english(execution.message)).toContain('iam:ListAttachedRolePolicies: AccessDenied');
    expect(execution.missing?.error).toMatchObject({
      kind: 'denied',
      action: 'iam:ListAttachedRolePolicies',
    });
    expect(check(report, 'image.exists').status).toBe('pass');
  });

  it('measures the platform image from its manifest: a 12 GB layer does not fit 20 GiB', async () => {
    task();
    role();
    checkoutImage({ layerSize: 12 * 1024 ** 3 });
    const report = await run();
    const storage = check(report, 'storage.ephemeral');
    expect(storage.status).toBe('fail');
    expect(english(storage.remediation!)).toContain('ephemeralStorage.sizeInGiB to 51');
  });

  it('still finds the image through its manifest when ecr:DescribeImages is denied', async () => {
    task();
    role();
    checkoutImage({ describeImages: 'denied' });
    const report = await run();
    expect(check(report, 'image.exists').status).toBe('pass');
    expect(check(report, 'image.platform').status).toBe('pass');
  });

  it('makes only the image checks unknown when ecr:DescribeImages and ecr:BatchGetImage are denied', async () => {
    task();
    role();
    checkoutImage({ describeImages: 'denied', batchGetImage: 'denied' });
    const report = await run();
    const exists = check(report, 'image.exists');
    expect(exists.status).toBe('unknown');
    expect(exists.missing?.error).toMatchObject({ kind: 'denied', action: 'ecr:DescribeImages' });
    const platform = check(report, 'image.platform');
    expect(platform.status).toBe('unknown');
    expect(platform.missing?.error).toMatchObject({ kind: 'denied', action: 'ecr:BatchGetImage' });
    expect(check(report, 'iam.execution-role').status).toBe('pass');
  });

  it('a missing tag: lists the tags (archived too), reads the lifecycle policy and the pull-through rules in one more round', async () => {
    task();
    role();
    jsonCall(
      'ecr',
      R,
      'DescribeImages',
      400,
      notFound(
        'ImageNotFoundException',
        "The image with imageId {imageDigest:'null', imageTag:'2.14.0'} does not exist within the repository with name 'checkout' in the registry with id '210987654321'",
      ),
      (b) => Array.isArray(b.imageIds),
    );
    jsonCall('ecr', R, 'BatchGetImage', 200, {
      images: [],
      failures: [
        {
          imageId: { imageTag: '2.14.0' },
          failureCode: 'ImageTagDoesNotMatchDigest',
          failureReason: 'Requested image not found',
        },
      ],
    });
    noRepositoryPolicy('checkout');
    jsonCall(
      'ecr',
      R,
      'DescribeImages',
      200,
      {
        imageDetails: [2, 1, 0].map((n) => ({
          registryId: ACCOUNT,
          repositoryName: 'checkout',
          imageDigest: `sha256:${String(n).repeat(64)}`,
          imageTags: [`2.15.${n}`],
          imageSizeInBytes: 190000000,
          imagePushedAt: 1795795331 + n * 3600,
          imageStatus: 'ACTIVE',
        })),
      },
      (b) => (b.filter as { tagStatus?: string; imageStatus?: string })?.imageStatus === 'ANY',
    );
    jsonCall('ecr', R, 'GetLifecyclePolicy', 200, {
      registryId: ACCOUNT,
      repositoryName: 'checkout',
      lifecyclePolicyText: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            description: 'keep three releases',
            selection: {
              tagStatus: 'tagged',
              tagPrefixList: ['2.'],
              countType: 'imageCountMoreThan',
              countNumber: 3,
            },
            action: { type: 'expire' },
          },
        ],
      }),
    });
    jsonCall('ecr', R, 'DescribePullThroughCacheRules', 200, { pullThroughCacheRules: [] });
    const report = await run();
    const r = rounds(report);
    expect(r.get('ecr:DescribeImages')).toEqual([3, 4]);
    expect(r.get('ecr:GetLifecyclePolicy')).toEqual([4]);
    expect(r.get('ecr:DescribePullThroughCacheRules')).toEqual([4]);
    const exists = check(report, 'image.exists');
    expect(exists.message.key).toBe('image:exists.fail.no-tag-lifecycle');
    expect(evidenceText(exists)).toContain('Recent image: 2.15.2');
    expect(evidenceText(exists)).toContain('keeps the 3 newest images it selects and 3 are there now');
    expect(check(report, 'image.platform').status).toBe('skip');
  });

  it('a missing repository: near names from the registry, and says the pull-through rules could not be read', async () => {
    const image = `${REGISTRY}/chekout:2.14.0`;
    task({ image });
    role({ simulate: 'ok', repository: 'chekout' });
    const missing = notFound(
      'RepositoryNotFoundException',
      "The repository with name 'chekout' does not exist in the registry with id '210987654321'",
    );
    jsonCall('ecr', R, 'DescribeImages', 400, missing);
    jsonCall('ecr', R, 'BatchGetImage', 400, missing);
    jsonCall('ecr', R, 'GetRepositoryPolicy', 400, missing);
    jsonCall('ecr', R, 'DescribeRepositories', 200, {
      repositories: ['checkout', 'payments', 'checkout-worker'].map((n) => ({
        repositoryName: n,
        registryId: ACCOUNT,
      })),
    });
    jsonCall(
      'ecr',
      R,
      'DescribePullThroughCacheRules',
      400,
      jsonError('AccessDeniedException', 'not authorized to perform: ecr:DescribePullThroughCacheRules'),
    );
    const report = await run();
    const exists = check(report, 'image.exists');
    expect(exists.message.key).toBe('image:exists.fail.no-repository');
    expect(english(exists.remediation!)).toContain('Did you mean checkout?');
    expect(evidenceText(exists)).toContain('ecr:DescribePullThroughCacheRules failed');
    expect(rounds(report).get('ecr:DescribeRepositories')).toEqual([4]);
  });

  it('a pull-through cache repository not created yet: warns and asks the role about importing upstream', async () => {
    const repository = 'docker-hub/library/nginx';
    task({ image: `${REGISTRY}/${repository}:1.27` });
    role({ simulate: 'ok', repository });
    const missing = notFound(
      'RepositoryNotFoundException',
      `The repository with name '${repository}' does not exist`,
    );
    jsonCall('ecr', R, 'DescribeImages', 400, missing);
    jsonCall('ecr', R, 'BatchGetImage', 400, missing);
    jsonCall('ecr', R, 'GetRepositoryPolicy', 400, missing);
    jsonCall('ecr', R, 'DescribeRepositories', 200, { repositories: [] });
    jsonCall('ecr', R, 'DescribePullThroughCacheRules', 200, {
      pullThroughCacheRules: [
        {
          ecrRepositoryPrefix: 'docker-hub',
          upstreamRegistryUrl: 'registry-1.docker.io',
          upstreamRegistry: 'docker-hub',
          credentialArn: `arn:aws:secretsmanager:${R}:${ACCOUNT}:secret:ecr-pullthroughcache/docker-hub-AbCdEf`,
          registryId: ACCOUNT,
        },
      ],
    });
    const report = await run();
    const exists = check(report, 'image.exists');
    expect(exists.status).toBe('warn');
    expect(exists.message.key).toBe('image:exists.warn.pull-through-new');
    expect(evidenceText(exists)).toContain('fetches registry-1.docker.io/library/nginx:1.27');
    const execution = check(report, 'iam.execution-role');
    expect(execution.status).toBe('pass');
    expect(evidenceText(execution)).toContain(
      'ecr:BatchImportUpstreamImage on arn:aws:ecr:eu-south-1:210987654321:repository/docker-hub/library/nginx: allowed',
    );
  });

  it('a task rebuilt from its service (no containers): images come from the task definition', async () => {
    queryCall(
      'sts',
      R,
      'AssumeRole',
      200,
      assumeRoleXml(`arn:aws:iam::${ACCOUNT}:role/ecs-pull-diagnostics`, 'ecs-pull-cli-alice'),
    );
    jsonCall('ecs', R, 'DescribeTasks', 200, {
      tasks: [],
      failures: [{ arn: CHECKOUT_TARGET.taskArn, reason: 'MISSING' }],
    });
    jsonCall('ecs', R, 'DescribeServices', 200, fixture('aws/ecs-describe-services.json'));
    jsonCall('ecs', R, 'DescribeTaskDefinition', 200, fixture('aws/ecs-describe-task-definition.json'));
    role();
    checkoutImage();
    const { report } = await diagnose(
      { ...request, service: 'checkout' },
      { pool: unitPool(), deadlineMs: 5000, checks },
    );
    expect(report.context.source).toBe('service');
    expect(check(report, 'image.exists').status).toBe('pass');
    expect(check(report, 'image.platform').status).toBe('pass');
    // DescribeTasks (2) → DescribeServices (3) → DescribeTaskDefinition (4) → ECR (5), cold.
    expect(rounds(report).get('ecr:DescribeImages')).toEqual([5]);
  });

  it('opt-in probing: asks Docker Hub about an anonymous image and reads its rate limit (no AWS call for it)', async () => {
    task({
      image: 'redis:7',
      td: { executionRoleArn: undefined },
      container: { secrets: [], logConfiguration: undefined },
    });
    jsonCall(
      'ecr',
      R,
      'DescribeRepositories',
      400,
      notFound('RepositoryNotFoundException', "The repository with name 'redis' does not exist"),
      (b) => JSON.stringify(b.repositoryNames) === '["redis"]',
    );
    dockerHub('library/redis', '7', 429, {
      'ratelimit-limit': '100;w=21600',
      'ratelimit-remaining': '0;w=21600',
    });
    const report = await run([imageReferenceCheck, rateLimitCheck], true);
    const limit = check(report, 'image.rate-limit');
    expect(limit.status).toBe('fail');
    expect(evidenceText(limit)).toContain('0 of 100 anonymous pulls left in the 6-hour window');
    expect(check(report, 'image.reference').message.key).toBe('image:reference.pass.docker-hub');
    expect(report.aws.calls.map((c) => c.api).filter((a) => a.startsWith('ecr:'))).toEqual([
      'ecr:DescribeRepositories',
    ]);
  });

  it('opt-in probing: a pull-through cache repository whose upstream image does not exist fails', async () => {
    const repository = 'docker-hub/library/nginx';
    task({ image: `${REGISTRY}/${repository}:1.99` });
    role({ simulate: 'ok', repository });
    jsonCall(
      'ecr',
      R,
      'DescribeImages',
      400,
      notFound('ImageNotFoundException', 'The image with imageId {imageTag:1.99} does not exist'),
      (b) => Array.isArray(b.imageIds),
    );
    jsonCall('ecr', R, 'BatchGetImage', 200, {
      images: [],
      failures: [
        {
          imageId: { imageTag: '1.99' },
          failureCode: 'ImageNotFound',
          failureReason: 'Requested image not found',
        },
      ],
    });
    noRepositoryPolicy(repository);
    jsonCall('ecr', R, 'DescribeImages', 200, { imageDetails: [] }, (b) => !b.imageIds);
    jsonCall(
      'ecr',
      R,
      'GetLifecyclePolicy',
      400,
      notFound('LifecyclePolicyNotFoundException', 'Lifecycle policy does not exist'),
    );
    jsonCall('ecr', R, 'DescribePullThroughCacheRules', 200, {
      pullThroughCacheRules: [
        {
          ecrRepositoryPrefix: 'docker-hub',
          upstreamRegistryUrl: 'registry-1.docker.io',
          registryId: ACCOUNT,
        },
      ],
    });
    dockerHub('library/nginx', '1.99', 404);
    const report = await run(checks, true);
    const exists = check(report, 'image.exists');
    expect(exists.message.key).toBe('image:exists.fail.pull-through-upstream');
    expect(english(exists.message)).toContain('registry-1.docker.io/library/nginx:1.99 does not exist');
  });

  it('a single manifest: its platform from ECR schema 1 conversion, one round after the manifest', async () => {
    const image = `${REGISTRY}/checkout:2.14.0`;
    task({ image, td: { runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' } } });
    role();
    jsonCall('ecr', R, 'DescribeImages', 200, fixture('aws/ecr-describe-images.json'));
    const manifest = {
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: {
        mediaType: 'application/vnd.docker.container.image.v1+json',
        size: 7023,
        digest: `sha256:${'4'.repeat(64)}`,
      },
      layers: [
        {
          mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
          size: 52000000,
          digest: `sha256:${'5'.repeat(64)}`,
        },
      ],
    };
    jsonCall(
      'ecr',
      R,
      'BatchGetImage',
      200,
      {
        images: [
          {
            registryId: ACCOUNT,
            repositoryName: 'checkout',
            imageId: { imageTag: '2.14.0' },
            imageManifest: JSON.stringify(manifest),
            imageManifestMediaType: manifest.mediaType,
          },
        ],
        failures: [],
      },
      (b) => (b.acceptedMediaTypes as string[]).length === 4,
    );
    const schema1 = {
      schemaVersion: 1,
      name: 'checkout',
      tag: '2.14.0',
      architecture: 'amd64',
      fsLayers: [{ blobSum: `sha256:${'5'.repeat(64)}` }],
      history: [{ v1Compatibility: JSON.stringify({ architecture: 'amd64', os: 'linux', id: 'abc' }) }],
    };
    jsonCall(
      'ecr',
      R,
      'BatchGetImage',
      200,
      {
        images: [
          {
            registryId: ACCOUNT,
            repositoryName: 'checkout',
            imageId: { imageTag: '2.14.0' },
            imageManifest: JSON.stringify(schema1),
            imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v1+json',
          },
        ],
        failures: [],
      },
      (b) =>
        JSON.stringify(b.acceptedMediaTypes) ===
        JSON.stringify(['application/vnd.docker.distribution.manifest.v1+json']),
    );
    noRepositoryPolicy('checkout');
    const report = await run();
    const platform = check(report, 'image.platform');
    expect(platform.status).toBe('fail');
    expect(platform.message.key).toBe('image:platform.fail.single');
    expect(english(platform.message)).toContain('built for linux/amd64 only and the task runs linux/arm64');
    expect(evidenceText(platform)).toContain("ECR's schema 1 conversion");
    expect(rounds(report).get('ecr:BatchGetImage')).toEqual([3, 4]);
  });

  it.each([
    ['an alias, resolved by kms:DescribeKey first', 'alias/registry-creds', [4, 4, 6]],
    [
      'a key ARN, asked about right away',
      'arn:aws:kms:eu-south-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      [4, 4, 5],
    ],
  ])(
    'registry credentials encrypted with %s: described (never read), key looked up, decrypt simulated',
    async (_, keyId, simRounds) => {
      const secret = `arn:aws:secretsmanager:${R}:${ACCOUNT}:secret:ghcr-creds-XyZ123`;
      const key = `arn:aws:kms:${R}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
      task({
        image: 'ghcr.io/acme/checkout:2',
        container: { repositoryCredentials: { credentialsParameter: secret }, secrets: [] },
      });
      jsonCall(
        'secretsmanager',
        R,
        'DescribeSecret',
        200,
        { ARN: secret, Name: 'ghcr-creds', KmsKeyId: keyId },
        (b) => b.SecretId === secret,
      );
      jsonCall(
        'kms',
        R,
        'DescribeKey',
        200,
        {
          KeyMetadata: {
            KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
            Arn: key,
            KeyState: 'Enabled',
            KeyManager: 'CUSTOMER',
          },
        },
        (b) => b.KeyId === keyId,
      );
      queryCall(
        'iam',
        R,
        'SimulatePrincipalPolicy',
        200,
        fixture('aws/iam-simulate-principal-policy.xml', {
          RESULTS: simResult('secretsmanager:GetSecretValue', secret),
        }),
        (p) => p.get('ResourceArns.member.1') === secret,
      );
      queryCall(
        'iam',
        R,
        'SimulatePrincipalPolicy',
        200,
        fixture('aws/iam-simulate-principal-policy.xml', {
          RESULTS: simResult('kms:Decrypt', key, 'implicitDeny'),
        }),
        (p) => p.get('ResourceArns.member.1') === key,
      );
      logSimulation();
      const report = await run([registryCredentialsCheck]);
      const creds = check(report, 'image.registry-credentials');
      expect(creds.status).toBe('fail');
      expect(creds.message.key).toBe('image:registry-credentials.fail.kms');
      expect(english(creds.message)).toContain(key);
      const r = rounds(report);
      expect(r.get('secretsmanager:DescribeSecret')).toEqual([4]);
      expect(r.get('kms:DescribeKey')).toEqual([5]);
      expect(r.get('iam:SimulatePrincipalPolicy')).toEqual(simRounds);
      expect(report.aws.calls.some((c) => /GetSecretValue|GetParameter/.test(c.api))).toBe(false);
    },
  );
});
