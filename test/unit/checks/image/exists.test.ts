import { describe, expect, it } from 'vitest';
import { parseImageRef } from '../../../../src/aws/image-ref.js';
import { imageExistsCheck } from '../../../../src/diagnosis/checks/image/exists.js';
import type { Message } from '../../../../src/diagnosis/checks/types.js';
import { i18n } from '../../../../src/i18n.js';
import { describeRefusal, type ProbeRefusal } from '../../../../src/registry/probe.js';
import {
  english,
  evidenceText,
  loadFacts,
  releases,
  runCheck,
  setFact,
  useImage,
  value,
} from '../../../helpers/checks.js';

const healthy = () => loadFacts('identity/healthy.json');

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
    expect(evidenceText(r)).toContain('Recent image: 2.15.29 (pushed Nov 28, 2026, 6:00 AM UTC)');
    expect(evidenceText(r)).toContain(
      'Lifecycle rule 1 (keep 30 release images): keeps the 30 newest tagged images whose tags match *.*.* and deletes the others',
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
  it('is unknown for a registry in an account this channel may not read, with no link into it', async () => {
    const s = healthy();
    Object.assign(value(s, 'ecr.images')[0]!, { notAllowed: true, registryAccount: '999988887777' });
    const r = await runCheck(imageExistsCheck, s);
    expect(r.status).toBe('unknown');
    expect(english(r.message)).toContain('account 999988887777, which this channel may not read');
    expect(r.links).toEqual([]);
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

describe('image.exists: a probe a rule refused (issue 13, finding 3)', () => {
  const refused = async (refusal: ProbeRefusal, image = 'registry.example.com/team/app:1.0') => {
    const s = healthy();
    useImage(s, image);
    setFact(s, 'ecr.images', []);
    const ref = parseImageRef(image)!;
    setFact(s, 'registry.probe', [
      {
        image,
        registry: ref.registry,
        repository: ref.repository,
        reference: ref.tag,
        outcome: 'refused',
        refusal,
        detail: describeRefusal(refusal),
      },
    ]);
    return runCheck(imageExistsCheck, s);
  };
  const italian = (m: Message) =>
    i18n().getFixedT('it')(m.key, m.params as Record<string, unknown>) as string;

  it('skips a registry that is not on the allow-list, as with probing off', async () => {
    const r = await refused({ rule: 'not-allowed', host: 'registry.example.com' });
    expect(r.status).toBe('skip');
    expect(english(r.message)).toBe(
      'registry.example.com/team/app:1.0 (checkout) is outside ECR, and its registry registry.example.com is not on the list of registries ecs-pull may ask (registries.allow): not asked.',
    );
    expect(evidenceText(r)).toBe(
      'registry.example.com: not on registries.allow, not asked about registry.example.com/team/app:1.0',
    );
  });

  it('is unknown for a name that resolves to an internal address, naming the address and its kind', async () => {
    const r = await refused({
      rule: 'address',
      host: 'registry.example.com',
      address: '169.254.169.254',
      range: 'link-local',
    });
    expect(r.status).toBe('unknown');
    expect(english(r.message)).toBe(
      'Not checked: ecs-pull does not connect to registry.example.com for registry.example.com/team/app:1.0: it resolves to 169.254.169.254, a link-local address (where the instance metadata service answers).',
    );
    expect(italian(r.message)).toBe(
      "Non verificato: ecs-pull non si connette a registry.example.com per registry.example.com/team/app:1.0: il nome si risolve in 169.254.169.254, un indirizzo link-local (dove risponde il servizio di metadati dell'istanza).",
    );
    expect(evidenceText(r)).toContain(
      'registry.example.com resolves to 169.254.169.254, a link-local address',
    );
  });

  it('is unknown for a redirect to another host or a foreign token service', async () => {
    const redirect = await refused(
      {
        rule: 'redirect',
        host: 'ghcr.io',
        location: 'http://10.0.0.1/admin',
      },
      'ghcr.io/acme/tool:v2',
    );
    expect(redirect.status).toBe('unknown');
    expect(english(redirect.message)).toContain(
      'ghcr.io redirected the question about ghcr.io/acme/tool:v2 to http://10.0.0.1/admin',
    );
    expect(evidenceText(redirect)).toBe('ghcr.io: redirect to http://10.0.0.1/admin not followed');
    const realm = await refused(
      { rule: 'realm', host: 'ghcr.io', realm: 'https://attacker.example/token' },
      'ghcr.io/acme/tool:v2',
    );
    expect(realm.status).toBe('unknown');
    expect(english(realm.message)).toContain('ghcr.io asks for a token from https://attacker.example/token');
    expect(italian(realm.message)).toContain('ghcr.io chiede un token a https://attacker.example/token');
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
