import { describe, expect, it } from 'vitest';
import { parseImageRef, pullThroughRuleFor, upstreamOf } from '../../src/aws/image-ref.js';

describe('parseImageRef: image references as ECS resolves them', () => {
  it.each([
    [
      'nginx',
      {
        registry: 'docker.io',
        repository: 'library/nginx',
        tag: 'latest',
        kind: 'docker-hub',
        implicitRegistry: true,
      },
    ],
    [
      'myapp:1.0',
      {
        registry: 'docker.io',
        repository: 'library/myapp',
        tag: '1.0',
        kind: 'docker-hub',
        implicitRegistry: true,
      },
    ],
    ['bitnami/redis:7.2', { repository: 'bitnami/redis', tag: '7.2', kind: 'docker-hub' }],
    [
      'docker.io/library/node:20-slim',
      { repository: 'library/node', tag: '20-slim', kind: 'docker-hub', implicitRegistry: false },
    ],
    [
      'registry-1.docker.io/grafana/grafana',
      { repository: 'grafana/grafana', tag: 'latest', kind: 'docker-hub' },
    ],
    [
      'public.ecr.aws/nginx/nginx:stable',
      { registry: 'public.ecr.aws', repository: 'nginx/nginx', kind: 'ecr-public' },
    ],
    ['ghcr.io/org/tool:v2', { registry: 'ghcr.io', repository: 'org/tool', tag: 'v2', kind: 'other' }],
    [
      'registry.example.com:5000/team/app:3',
      { registry: 'registry.example.com:5000', repository: 'team/app', tag: '3' },
    ],
    ['localhost/app', { registry: 'localhost', repository: 'app', kind: 'other' }],
  ])('%s', (raw, expected) => {
    expect(parseImageRef(raw)).toMatchObject(expected);
  });

  it('recognises private ECR hosts, including FIPS, dual-stack and China', () => {
    expect(parseImageRef('210987654321.dkr.ecr.eu-south-1.amazonaws.com/team/checkout:2.14.0')).toMatchObject(
      {
        kind: 'ecr',
        repository: 'team/checkout',
        tag: '2.14.0',
        ecr: { account: '210987654321', region: 'eu-south-1', fips: false, dualStack: false },
      },
    );
    expect(parseImageRef('123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app:1')?.ecr).toMatchObject({
      region: 'us-gov-west-1',
      fips: true,
    });
    expect(parseImageRef('123456789012.dkr-ecr.eu-west-1.on.aws/app')?.ecr).toMatchObject({
      region: 'eu-west-1',
      dualStack: true,
    });
    expect(parseImageRef('123456789012.dkr-ecr-fips.us-east-1.on.aws/app:1')?.ecr).toMatchObject({
      region: 'us-east-1',
      fips: true,
      dualStack: true,
    });
    expect(parseImageRef('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1')?.ecr?.region).toBe(
      'cn-north-1',
    );
  });

  it('keeps digests, with or without a tag', () => {
    const d = `sha256:${'a'.repeat(64)}`;
    expect(parseImageRef(`app@${d}`)).toMatchObject({ digest: d, tag: undefined });
    expect(parseImageRef(`app:1@${d}`)).toMatchObject({ digest: d, tag: '1' });
  });

  it.each(['', ' ', 'UPPER/case', 'app:', 'a b', 'app@sha256:short', 'app:bad tag'])('rejects %j', (raw) => {
    expect(parseImageRef(raw)).toBeNull();
  });
});

describe('pull-through cache repositories: the rule that serves a name and what it fetches upstream', () => {
  const rules = [
    {
      ecrRepositoryPrefix: 'docker-hub',
      upstreamRegistryUrl: 'registry-1.docker.io',
      upstreamRegistry: 'docker-hub',
    },
    { ecrRepositoryPrefix: 'ecr-public', upstreamRegistryUrl: 'public.ecr.aws' },
    { ecrRepositoryPrefix: 'ghcr/team', upstreamRegistryUrl: 'ghcr.io' },
    { ecrRepositoryPrefix: 'ghcr', upstreamRegistryUrl: 'ghcr.io' },
  ];
  const ecr = (path: string) => parseImageRef(`210987654321.dkr.ecr.eu-south-1.amazonaws.com/${path}`)!;

  it('picks the longest matching prefix, and no rule for a name outside every prefix', () => {
    expect(pullThroughRuleFor('ghcr/team/tool', rules)?.ecrRepositoryPrefix).toBe('ghcr/team');
    expect(pullThroughRuleFor('ghcr/other/tool', rules)?.ecrRepositoryPrefix).toBe('ghcr');
    expect(pullThroughRuleFor('docker-hubx/nginx', rules)).toBeUndefined();
    expect(pullThroughRuleFor('checkout', rules)).toBeUndefined();
  });

  it('falls back to a ROOT rule, which serves every repository name', () => {
    const root = {
      ecrRepositoryPrefix: 'ROOT',
      upstreamRegistryUrl: '111122223333.dkr.ecr.eu-west-1.amazonaws.com',
    };
    expect(pullThroughRuleFor('checkout', [...rules, root])).toBe(root);
    expect(upstreamOf(ecr('checkout:1'), root).image).toBe(
      '111122223333.dkr.ecr.eu-west-1.amazonaws.com/checkout:1',
    );
  });

  it('maps the cached name to the upstream reference, keeping the tag or digest', () => {
    expect(upstreamOf(ecr('docker-hub/library/nginx:1.27'), rules[0]!)).toEqual({
      image: 'registry-1.docker.io/library/nginx:1.27',
      registry: 'registry-1.docker.io',
      repository: 'library/nginx',
      dockerHubLibraryMissing: false,
    });
    const d = `sha256:${'b'.repeat(64)}`;
    expect(upstreamOf(ecr(`ecr-public/nginx/nginx@${d}`), rules[1]!).image).toBe(
      `public.ecr.aws/nginx/nginx@${d}`,
    );
    expect(upstreamOf(ecr('ghcr/team/tool'), rules[2]!).image).toBe('ghcr.io/tool:latest');
  });

  it('flags a Docker Hub official image cached without library/', () => {
    expect(upstreamOf(ecr('docker-hub/nginx:1.27'), rules[0]!).dockerHubLibraryMissing).toBe(true);
    expect(upstreamOf(ecr('docker-hub/bitnami/redis:7'), rules[0]!).dockerHubLibraryMissing).toBe(false);
  });

  it('applies the upstream repository prefix of an ECR-to-ECR rule', () => {
    const rule = {
      ecrRepositoryPrefix: 'prod',
      upstreamRegistryUrl: '111122223333.dkr.ecr.eu-west-1.amazonaws.com',
      upstreamRepositoryPrefix: 'releases',
    };
    expect(upstreamOf(ecr('prod/checkout:2'), rule).image).toBe(
      '111122223333.dkr.ecr.eu-west-1.amazonaws.com/releases/checkout:2',
    );
  });
});
