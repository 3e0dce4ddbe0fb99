import { describe, expect, it } from 'vitest';
import { imageExistsCheck } from '../../../../src/diagnosis/checks/identity/image-exists.js';
import { imagePlatformCheck } from '../../../../src/diagnosis/checks/identity/image-platform.js';
import { imageReferenceCheck } from '../../../../src/diagnosis/checks/identity/image-reference.js';
import { rateLimitCheck } from '../../../../src/diagnosis/checks/identity/rate-limit.js';
import { registryCredentialsCheck } from '../../../../src/diagnosis/checks/identity/registry-credentials.js';
import { repositoryPolicyCheck } from '../../../../src/diagnosis/checks/identity/repository-policy.js';
import { english, evidenceText, loadFacts, runCheck, setFact, value } from '../../../helpers/checks.js';

const healthy = () => loadFacts('identity/healthy.json');
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
      newestTags: [
        { tag: '2.15.1', pushedAt: '2026-11-28T07:00:00.000Z' },
        { tag: '2.15.0', pushedAt: '2026-11-26T07:00:00.000Z' },
      ],
    });
    const r = await runCheck(imageExistsCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('image:exists.fail.no-tag-lifecycle');
    expect(evidenceText(r)).toContain('Recent tag: 2.15.1');
    expect(evidenceText(r)).toContain('Lifecycle rule 1 (keep 30 release images)');
    expect(english(r.remediation!)).toContain('2.15.1');
  });
  it('does not blame an untagged-only rule for a tagged image', async () => {
    const s = healthy();
    const img = value(s, 'ecr.images')[0]!;
    Object.assign(img, { imageFound: false, detail: undefined, manifest: undefined, newestTags: [] });
    img.lifecycleRules = img.lifecycleRules!.filter((x) => x.tagStatus === 'untagged');
    const r = await runCheck(imageExistsCheck, s);
    expect(r.message.key).toBe('image:exists.fail.no-tag');
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
  it('says a single-platform manifest cannot be judged at pull time', async () => {
    const s = healthy();
    value(s, 'ecr.images')[0]!.manifest = {
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      sizeInBytes: 1000,
    };
    expect((await runCheck(imagePlatformCheck, s)).message.key).toBe('image:platform.skip.single');
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
  it('warns a private registry without repositoryCredentials', async () => {
    const s = healthy();
    useImage(s, 'registry.acme.example:5000/team/checkout:2');
    expect((await runCheck(registryCredentialsCheck, s)).status).toBe('warn');
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
    expect(evidenceText(r)).toContain('0 of 100 pulls left in the 6-hour window');
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
