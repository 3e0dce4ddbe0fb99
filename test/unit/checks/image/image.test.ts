import { describe, expect, it } from 'vitest';
import { imageExistsCheck } from '../../../../src/diagnosis/checks/image/exists.js';
import { imagePlatformCheck } from '../../../../src/diagnosis/checks/image/platform.js';
import { rateLimitCheck } from '../../../../src/diagnosis/checks/image/rate-limit.js';
import { imageReferenceCheck } from '../../../../src/diagnosis/checks/image/reference.js';
import { registryCredentialsCheck } from '../../../../src/diagnosis/checks/image/registry-credentials.js';
import { repositoryPolicyCheck } from '../../../../src/diagnosis/checks/image/repository-policy.js';
import { english, evidenceText, loadFacts, runCheck, setFact, value } from '../../../helpers/checks.js';

const healthy = () => loadFacts('identity/healthy.json');
/** `count` release images 2.15.0… pushed an hour apart, newest first. */
function releases(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    tags: [`2.15.${count - 1 - i}`],
    pushedAt: new Date(Date.parse('2026-11-28T06:00:00.000Z') - i * 3600_000).toISOString(),
    status: 'ACTIVE',
  }));
}
function useImage(s: ReturnType<typeof healthy>, image: string, extra: Record<string, unknown> = {}) {
  value(s, 'ecs.task').task.containers![0]!.image = image;
  Object.assign(value(s, 'ecs.taskDefinition').containerDefinitions![0]!, { image, ...extra });
}

describe('image.reference: the reference parses and names the registry that was meant', () => {
  it('passes a full ECR URI', async () => {
    expect((await runCheck(imageReferenceCheck, healthy())).status).toBe('pass');
  });
  it('fails a bare name when an ECR repository of that name exists', async () => {
    const s = healthy();
    useImage(s, 'checkout:2.14.0');
    setFact(s, 'ecr.bareNames', [
      {
        image: 'checkout:2.14.0',
        repositoryName: 'checkout',
        exists: true,
        repositoryUri: '210987654321.dkr.ecr.eu-south-1.amazonaws.com/checkout',
      },
    ]);
    const r = await runCheck(imageReferenceCheck, s);
    expect(r.status).toBe('fail');
    expect(english(r.message)).toContain('210987654321.dkr.ecr.eu-south-1.amazonaws.com/checkout:2.14.0');
  });
  it('passes a bare Docker Hub name with no ECR namesake, saying where it resolves', async () => {
    const s = healthy();
    useImage(s, 'nginx:1.27');
    setFact(s, 'ecr.bareNames', [{ image: 'nginx:1.27', repositoryName: 'nginx', exists: false }]);
    const r = await runCheck(imageReferenceCheck, s);
    expect(r.status).toBe('pass');
    expect(english(r.message)).toContain('docker.io/library/nginx:1.27');
  });
  it('fails a malformed reference', async () => {
    const s = healthy();
    useImage(s, 'Checkout:2.14.0 ');
    expect((await runCheck(imageReferenceCheck, s)).message.key).toBe('image:reference.fail.invalid');
  });
});

describe('image.exists: the repository and tag exist', () => {
  it('passes when the image is found', async () => {
    const r = await runCheck(imageExistsCheck, healthy());
    expect(r.status).toBe('pass');
    expect(english(r.message)).toContain('sha256:7d1c3e0a');
  });
  it('fails a missing tag, listing recent tags and the lifecycle rule that may have expired it', async () => {
    const s = healthy();
    Object.assign(value(s, 'ecr.images')[0]!, {
      imageFound: false,
      detail: undefined,
      manifest: undefined,
      taggedImages: releases(30),
    });
    const r = await runCheck(imageExistsCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('image:exists.fail.no-tag-lifecycle');
    expect(english(r.message)).toContain('used by checkout');
    expect(evidenceText(r)).toContain('Recent image: 2.15.29 (pushed 2026-11-28T06:00:00.000Z)');
    expect(evidenceText(r)).toContain(
      'Lifecycle rule 1 (keep 30 release images): tagged pattern *.*.* imageCountMoreThan 30 → expire',
    );
    expect(evidenceText(r)).toContain('keeps the 30 newest images it selects and 30 are there now');
    expect(english(r.remediation!)).toContain('2.15.29');
    expect(english(r.remediation!)).toContain('rule 1');
  });
  it('says a count rule below its limit removed the tag only if more images were there earlier', async () => {
    const s = healthy();
    Object.assign(value(s, 'ecr.images')[0]!, {
      imageFound: false,
      detail: undefined,
      manifest: undefined,
      taggedImages: [...releases(3), { tags: ['latest', 'build-7'], pushedAt: '2026-11-28T07:00:00.000Z' }],
    });
    const r = await runCheck(imageExistsCheck, s);
    expect(r.message.key).toBe('image:exists.fail.no-tag-lifecycle');
    expect(evidenceText(r)).toContain('the repository holds only 3 of them now');
    expect(evidenceText(r)).toContain('Recent image: latest, build-7');
  });
  it('does not blame a rule whose tag list the tag meets only in part (every entry must be met)', async () => {
    const s = healthy();
    const img = value(s, 'ecr.images')[0]!;
    Object.assign(img, { imageFound: false, detail: undefined, manifest: undefined, taggedImages: [] });
    img.lifecycleRules = [
      {
        rulePriority: 1,
        tagStatus: 'tagged',
        tagPrefixList: ['2.', 'prod'],
        countType: 'imageCountMoreThan',
        countNumber: 5,
        action: 'expire',
      },
    ];
    const r = await runCheck(imageExistsCheck, s);
    expect(r.message.key).toBe('image:exists.fail.no-tag');
    expect(evidenceText(r)).toContain('meets only part of the rule');
  });
  it('names the age of a sinceImagePushed rule', async () => {
    const s = healthy();
    const img = value(s, 'ecr.images')[0]!;
    Object.assign(img, { imageFound: false, detail: undefined, manifest: undefined, taggedImages: [] });
    img.lifecycleRules = [
      {
        rulePriority: 3,
        tagStatus: 'any',
        countType: 'sinceImagePushed',
        countUnit: 'days',
        countNumber: 14,
        action: 'expire',
      },
    ];
    const r = await runCheck(imageExistsCheck, s);
    expect(r.message.key).toBe('image:exists.fail.no-tag-lifecycle');
    expect(evidenceText(r)).toContain('removes the images it selects 14 days after they are pushed');
  });
  it('fails an archived image, found or listed, and says how to restore it', async () => {
    const s = healthy();
    Object.assign(value(s, 'ecr.images')[0]!.detail!, {
      status: 'ARCHIVED',
      archivedAt: '2026-10-01T00:00:00.000Z',
    });
    const r = await runCheck(imageExistsCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('image:exists.fail.archived');
    expect(english(r.remediation!)).toContain('update-image-storage-class');
    const t = healthy();
    Object.assign(value(t, 'ecr.images')[0]!, {
      imageFound: false,
      detail: undefined,
      manifest: undefined,
      taggedImages: [
        { tags: ['2.14.0'], pushedAt: '2026-01-01T00:00:00.000Z', status: 'ARCHIVED' },
        ...releases(2),
      ],
    });
    expect((await runCheck(imageExistsCheck, t)).message.key).toBe('image:exists.fail.archived');
  });
  it('does not blame an untagged-only rule for a tagged image', async () => {
    const s = healthy();
    const img = value(s, 'ecr.images')[0]!;
    Object.assign(img, { imageFound: false, detail: undefined, manifest: undefined, newestTags: [] });
    img.lifecycleRules = img.lifecycleRules!.filter((x) => x.tagStatus === 'untagged');
    const r = await runCheck(imageExistsCheck, s);
    expect(r.message.key).toBe('image:exists.fail.no-tag');
    expect(evidenceText(r)).toContain('No rule of the lifecycle policy selects tag 2.14.0');
  });
  it('says when the repository has no lifecycle policy at all, or it could not be read', async () => {
    const s = healthy();
    const img = value(s, 'ecr.images')[0]!;
    Object.assign(img, { imageFound: false, detail: undefined, manifest: undefined, taggedImages: [] });
    delete img.lifecycleRules;
    expect(evidenceText(await runCheck(imageExistsCheck, s))).toContain('has no lifecycle policy');
    img.errors.push({
      part: 'lifecycle',
      error: {
        kind: 'denied',
        code: 'AccessDeniedException',
        message: 'x',
        action: 'ecr:GetLifecyclePolicy',
      },
    });
    expect(evidenceText(await runCheck(imageExistsCheck, s))).toContain('ecr:GetLifecyclePolicy failed');
  });
  it('fails a missing digest', async () => {
    const s = healthy();
    const digest = `sha256:${'9'.repeat(64)}`;
    Object.assign(value(s, 'ecr.images')[0]!, {
      imageFound: false,
      detail: undefined,
      manifest: undefined,
      tag: undefined,
      digest,
    });
    const r = await runCheck(imageExistsCheck, s);
    expect(r.message.key).toBe('image:exists.fail.no-digest');
    expect(english(r.message)).toContain(digest);
  });
  it('fails a missing repository and suggests near names', async () => {
    const s = healthy();
    Object.assign(value(s, 'ecr.images')[0]!, {
      repositoryExists: false,
      imageFound: false,
      nearNames: ['checkout-api'],
      repository: 'chekout',
    });
    const r = await runCheck(imageExistsCheck, s);
    expect(r.status).toBe('fail');
    expect(english(r.remediation!)).toContain('checkout-api');
  });
  it('is unknown for a registry in an account without a role', async () => {
    const s = healthy();
    Object.assign(value(s, 'ecr.images')[0]!, { unreachable: true, registryAccount: '999988887777' });
    const r = await runCheck(imageExistsCheck, s);
    expect(r.status).toBe('unknown');
    expect(english(r.message)).toContain('999988887777');
  });
  it('is unknown naming the action when DescribeImages was denied', async () => {
    const s = healthy();
    Object.assign(value(s, 'ecr.images')[0]!, {
      imageFound: undefined,
      repositoryExists: undefined,
      errors: [
        {
          part: 'image',
          error: {
            kind: 'denied',
            code: 'AccessDeniedException',
            message: 'x',
            action: 'ecr:DescribeImages',
          },
        },
      ],
    });
    const r = await runCheck(imageExistsCheck, s);
    expect(r.status).toBe('unknown');
    expect(r.missing?.error.action).toBe('ecr:DescribeImages');
  });
  it('skips an image outside ECR when probing is off, and uses the probe when on', async () => {
    const s = healthy();
    useImage(s, 'grafana/grafana:11.0.0');
    setFact(s, 'ecr.images', []);
    expect((await runCheck(imageExistsCheck, s)).status).toBe('skip');
    setFact(s, 'registry.probe', [
      {
        registry: 'registry-1.docker.io',
        repository: 'grafana/grafana',
        reference: '11.0.0',
        outcome: 'missing',
        status: 404,
      },
    ]);
    const r = await runCheck(imageExistsCheck, s);
    expect(r.status).toBe('fail');
    expect(english(r.message)).toContain('grafana/grafana:11.0.0');
  });
});

describe('image.exists: pull-through cache repositories are fetched upstream on the first pull', () => {
  const ptc = (repositoryExists: boolean, repository = 'docker-hub/library/nginx') => {
    const s = healthy();
    const image = `210987654321.dkr.ecr.eu-south-1.amazonaws.com/${repository}:1.27`;
    useImage(s, image);
    Object.assign(value(s, 'ecr.images')[0]!, {
      image,
      repository,
      tag: '1.27',
      repositoryExists,
      imageFound: false,
      detail: undefined,
      manifest: undefined,
      pullThrough: {
        prefix: 'docker-hub',
        upstreamRegistryUrl: 'registry-1.docker.io',
        credentialArn:
          'arn:aws:secretsmanager:eu-south-1:210987654321:secret:ecr-pullthroughcache/docker-hub-AbCdEf',
        upstreamImage: `registry-1.docker.io/${repository.replace('docker-hub/', '')}:1.27`,
        dockerHubLibraryMissing: !repository.includes('library/'),
      },
    });
    return s;
  };
  it('warns (does not fail) a tag not cached yet, naming what is fetched upstream', async () => {
    const r = await runCheck(imageExistsCheck, ptc(true));
    expect(r.status).toBe('warn');
    expect(r.message.key).toBe('image:exists.warn.pull-through-uncached');
    expect(evidenceText(r)).toContain('fetches registry-1.docker.io/library/nginx:1.27');
    expect(english(r.remediation!)).toContain('ecr-pullthroughcache/docker-hub');
  });
  it('fails when the opt-in probe finds the upstream image missing', async () => {
    const s = ptc(true);
    setFact(s, 'registry.probe', [
      {
        image: value(s, 'ecr.images')[0]!.image,
        registry: 'registry-1.docker.io',
        repository: 'library/nginx',
        reference: '1.27',
        outcome: 'missing',
        status: 404,
      },
    ]);
    const r = await runCheck(imageExistsCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('image:exists.fail.pull-through-upstream');
    expect(evidenceText(r)).toContain(
      'registry-1.docker.io: registry-1.docker.io/library/nginx:1.27 not found (HTTP 404)',
    );
  });
  it('warns a repository the rule will create on the first pull', async () => {
    expect((await runCheck(imageExistsCheck, ptc(false))).message.key).toBe(
      'image:exists.warn.pull-through-new',
    );
  });
  it('fails a Docker Hub official image cached without library/', async () => {
    const r = await runCheck(imageExistsCheck, ptc(false, 'docker-hub/nginx'));
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('image:exists.fail.pull-through-library');
    expect(english(r.remediation!)).toContain('amazonaws.com/docker-hub/library/nginx:1.27');
  });
  it('fails a missing repository but says the pull-through rules could not be read', async () => {
    const s = healthy();
    Object.assign(value(s, 'ecr.images')[0]!, {
      repositoryExists: false,
      imageFound: false,
      nearNames: [],
      errors: [
        {
          part: 'pull-through',
          error: {
            kind: 'denied',
            code: 'AccessDeniedException',
            message: 'x',
            action: 'ecr:DescribePullThroughCacheRules',
          },
        },
      ],
    });
    const r = await runCheck(imageExistsCheck, s);
    expect(r.message.key).toBe('image:exists.fail.no-repository');
    expect(evidenceText(r)).toContain('ecr:DescribePullThroughCacheRules failed');
    expect(english(r.remediation!)).toContain('Create repository checkout');
  });
});

describe('image.exists: one result for the task, the container that failed first', () => {
  it('reports the failed container among several images', async () => {
    const s = healthy();
    const task = value(s, 'ecs.task').task;
    const sidecar = '210987654321.dkr.ecr.eu-south-1.amazonaws.com/log-router:3';
    task.containers!.push({
      name: 'log-router',
      image: sidecar,
      reason: 'CannotPullContainerError: not found',
    });
    value(s, 'ecs.taskDefinition').containerDefinitions!.push({
      name: 'log-router',
      image: sidecar,
      essential: false,
    });
    const images = value(s, 'ecr.images');
    images.push({
      ...structuredClone(images[0]!),
      image: sidecar,
      repository: 'log-router',
      tag: '3',
      containers: ['log-router'],
      imageFound: false,
      detail: undefined,
      manifest: undefined,
      lifecycleRules: [],
      taggedImages: [],
    });
    let r = await runCheck(imageExistsCheck, s);
    expect(r.status).toBe('fail');
    expect(english(r.message)).toContain('used by log-router');
    expect(evidenceText(r)).toContain('sha256:7d1c3e0a');
    // Both missing: the container ECS reported a reason for comes first, though the other one is essential.
    Object.assign(images[0]!, {
      imageFound: false,
      detail: undefined,
      manifest: undefined,
      taggedImages: [],
    });
    r = await runCheck(imageExistsCheck, s);
    expect(english(r.message)).toContain('used by log-router');
    // Without a reason on either, the essential container comes first.
    delete task.containers![1]!.reason;
    r = await runCheck(imageExistsCheck, s);
    expect(english(r.message)).toContain('used by checkout');
  });
});

describe('image.platform: a multi-platform image offers the task platform', () => {
  it('passes an index with linux/amd64 for an X86_64 task', async () => {
    expect((await runCheck(imagePlatformCheck, healthy())).status).toBe('pass');
  });
  it('fails an arm64 task when the index has only amd64', async () => {
    const s = healthy();
    value(s, 'ecs.taskDefinition').runtimePlatform = {
      cpuArchitecture: 'ARM64',
      operatingSystemFamily: 'LINUX',
    };
    value(s, 'ecr.images')[0]!.manifest!.platforms = [{ os: 'linux', architecture: 'amd64' }];
    const r = await runCheck(imagePlatformCheck, s);
    expect(r.status).toBe('fail');
    expect(english(r.message)).toContain('linux/arm64');
    expect(english(r.message)).toContain('linux/amd64');
    expect(english(r.remediation!)).toContain('X86_64');
  });
  const single = (extra: Record<string, unknown>) => {
    const s = healthy();
    value(s, 'ecr.images')[0]!.manifest = {
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      sizeInBytes: 1000,
      ...extra,
    };
    return s;
  };
  it('judges a single manifest by the platform ECR states in its schema 1 conversion', async () => {
    const ok = await runCheck(
      imagePlatformCheck,
      single({ platform: { os: 'linux', architecture: 'amd64' }, platformSource: 'schema1' }),
    );
    expect(ok.status).toBe('pass');
    expect(evidenceText(ok)).toContain("ECR's schema 1 conversion");
    const s = single({ platform: { os: 'linux', architecture: 'arm64' }, platformSource: 'schema1' });
    const r = await runCheck(imagePlatformCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('image:platform.fail.single');
    expect(english(r.message)).toContain('exec format error');
    expect(english(r.remediation!)).toContain('ARM64');
  });
  it('says why a single manifest platform is not known (by digest, OCI, not converted)', async () => {
    for (const why of ['digest', 'oci', 'unconverted'] as const) {
      const r = await runCheck(imagePlatformCheck, single({ platformSource: why }));
      expect(r.status).toBe('skip');
      expect(r.message.key).toBe(`image:platform.skip.single-${why}`);
    }
  });
  it('is unknown naming the action when the schema 1 manifest could not be read', async () => {
    const s = single({ platformSource: 'unconverted' });
    value(s, 'ecr.images')[0]!.errors.push({
      part: 'schema1',
      error: { kind: 'denied', code: 'AccessDeniedException', message: 'x', action: 'ecr:BatchGetImage' },
    });
    const r = await runCheck(imagePlatformCheck, s);
    expect(r.status).toBe('unknown');
    expect(r.missing?.error.action).toBe('ecr:BatchGetImage');
  });
  it('is unknown when BatchGetImage was denied, and skips when no image was found', async () => {
    const s = healthy();
    const img = value(s, 'ecr.images')[0]!;
    delete img.manifest;
    img.errors.push({
      part: 'manifest',
      error: { kind: 'denied', code: 'AccessDeniedException', message: 'x', action: 'ecr:BatchGetImage' },
    });
    expect((await runCheck(imagePlatformCheck, s)).status).toBe('unknown');
    img.imageFound = false;
    expect((await runCheck(imagePlatformCheck, s)).message.key).toBe('image:platform.skip.no-image');
  });
});

describe('image.repository-policy: a cross-account repository lets the task pull', () => {
  function cross(policy: string | null) {
    const s = healthy();
    const img = value(s, 'ecr.images')[0]!;
    Object.assign(img, { registryAccount: '111122223333', repositoryPolicy: policy });
    return s;
  }
  it('does not apply within one account', async () => {
    expect((await runCheck(repositoryPolicyCheck, healthy())).status).toBe('skip');
  });
  it('fails without a repository policy', async () => {
    const r = await runCheck(repositoryPolicyCheck, cross(null));
    expect(r.status).toBe('fail');
    expect(english(r.message)).toContain('111122223333');
  });
  it('passes a policy that allows the task account', async () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'pull',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::210987654321:root' },
          Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        },
      ],
    });
    expect((await runCheck(repositoryPolicyCheck, cross(policy))).status).toBe('pass');
  });
  it('warns (does not fail) a policy that grants an organization, naming it', async () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: '*',
          Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
          Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
        },
      ],
    });
    const r = await runCheck(repositoryPolicyCheck, cross(policy));
    expect(r.status).toBe('warn');
    expect(english(r.message)).toContain('o-a1b2c3d4e5');
  });
  it('passes a policy that names the account through aws:PrincipalAccount', async () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: '*',
          Action: 'ecr:*',
          Condition: { StringEquals: { 'aws:PrincipalAccount': ['210987654321'] } },
        },
      ],
    });
    expect((await runCheck(repositoryPolicyCheck, cross(policy))).status).toBe('pass');
  });
  it('fails a policy that allows another account only', async () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'ecr:*' }],
    });
    const r = await runCheck(repositoryPolicyCheck, cross(policy));
    expect(r.status).toBe('fail');
    expect(english(r.message)).toContain('ecr:BatchCheckLayerAvailability');
  });
});

describe('image.registry-credentials: private registries need readable credentials', () => {
  it('does not apply to ECR images', async () => {
    expect((await runCheck(registryCredentialsCheck, healthy())).status).toBe('skip');
  });
  it('warns a private registry without repositoryCredentials, and the probe settles it', async () => {
    const s = healthy();
    const image = 'registry.acme.example:5000/team/checkout:2';
    useImage(s, image);
    expect((await runCheck(registryCredentialsCheck, s)).status).toBe('warn');
    const probe = {
      image,
      registry: 'registry.acme.example:5000',
      repository: 'team/checkout',
      reference: '2',
    };
    setFact(s, 'registry.probe', [{ ...probe, outcome: 'unauthorized', status: 401 }]);
    const refused = await runCheck(registryCredentialsCheck, s);
    expect(refused.status).toBe('fail');
    expect(refused.message.key).toBe('image:registry-credentials.fail.no-credentials');
    setFact(s, 'registry.probe', [{ ...probe, outcome: 'exists', status: 200 }]);
    expect((await runCheck(registryCredentialsCheck, s)).message.key).toBe(
      'image:registry-credentials.pass.anonymous',
    );
  });
  it('fails when the credentials secret is encrypted with a disabled key', async () => {
    const s = healthy();
    const secret = 'arn:aws:secretsmanager:eu-south-1:210987654321:secret:ghcr-creds-XyZ123';
    const key = 'arn:aws:kms:eu-south-1:210987654321:key/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d';
    useImage(s, 'ghcr.io/acme/checkout:2', { repositoryCredentials: { credentialsParameter: secret } });
    setFact(s, 'secrets.references', [
      {
        valueFrom: secret,
        store: 'secretsmanager',
        containers: ['checkout'],
        purpose: 'registry-credentials',
        arn: secret,
        lookup: secret,
        account: '210987654321',
        region: 'eu-south-1',
        exists: true,
        kmsKeyId: key,
        kmsKeyArn: key,
      },
    ]);
    setFact(s, 'kms.keys', [{ keyId: key, arn: key, state: 'PendingDeletion', manager: 'CUSTOMER' }]);
    const r = await runCheck(registryCredentialsCheck, s);
    expect(r.message.key).toBe('image:registry-credentials.fail.kms-state');
    expect(english(r.message)).toContain('PendingDeletion');
  });
  it('fails when the credentials secret does not exist', async () => {
    const s = healthy();
    const secret = 'arn:aws:secretsmanager:eu-south-1:210987654321:secret:ghcr-creds-XyZ123';
    useImage(s, 'ghcr.io/acme/checkout:2', { repositoryCredentials: { credentialsParameter: secret } });
    setFact(s, 'secrets.references', [
      {
        valueFrom: secret,
        store: 'secretsmanager',
        containers: ['checkout'],
        purpose: 'registry-credentials',
        arn: secret,
        lookup: secret,
        account: '210987654321',
        region: 'eu-south-1',
        exists: false,
      },
    ]);
    const r = await runCheck(registryCredentialsCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('image:registry-credentials.fail.missing');
  });
  it('fails when the role may not read the secret, and passes when it may', async () => {
    const s = loadFacts('identity/local-eval.json');
    const secret = 'arn:aws:secretsmanager:eu-south-1:210987654321:secret:ghcr-creds-XyZ123';
    useImage(s, 'ghcr.io/acme/checkout:2', { repositoryCredentials: { credentialsParameter: secret } });
    setFact(s, 'secrets.references', [
      {
        valueFrom: secret,
        store: 'secretsmanager',
        containers: ['checkout'],
        purpose: 'registry-credentials',
        arn: secret,
        lookup: secret,
        account: '210987654321',
        region: 'eu-south-1',
        exists: true,
      },
    ]);
    const denied = await runCheck(registryCredentialsCheck, s);
    expect(denied.status).toBe('fail');
    expect(english(denied.message)).toContain('secretsmanager:GetSecretValue');
    value(s, 'iam.executionRolePolicies').policies.push({
      name: 'ghcr',
      kind: 'inline',
      document: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secret }],
      },
    });
    expect((await runCheck(registryCredentialsCheck, s)).status).toBe('pass');
  });
});

describe('image.rate-limit: Docker Hub images are not pulled anonymously', () => {
  it('warns an anonymous Docker Hub pull', async () => {
    const s = healthy();
    useImage(s, 'redis:7');
    const r = await runCheck(rateLimitCheck, s);
    expect(r.status).toBe('warn');
    expect(english(r.remediation!)).toContain('pull-through cache');
  });
  it('fails when the probe sees the limit used up', async () => {
    const s = healthy();
    useImage(s, 'redis:7');
    setFact(s, 'registry.probe', [
      {
        registry: 'registry-1.docker.io',
        repository: 'library/redis',
        reference: '7',
        outcome: 'rate-limited',
        status: 429,
        rateLimit: { remaining: 0, limit: 100, windowSeconds: 21600 },
      },
    ]);
    const r = await runCheck(rateLimitCheck, s);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toContain(
      "asked from ecs-pull's address: 0 of 100 anonymous pulls left in the 6-hour window",
    );
  });
  it('passes with credentials and does not apply outside Docker Hub', async () => {
    const s = healthy();
    useImage(s, 'redis:7', {
      repositoryCredentials: {
        credentialsParameter: 'arn:aws:secretsmanager:eu-south-1:210987654321:secret:hub-AbC',
      },
    });
    expect((await runCheck(rateLimitCheck, s)).status).toBe('pass');
    expect((await runCheck(rateLimitCheck, healthy())).status).toBe('skip');
  });
});
