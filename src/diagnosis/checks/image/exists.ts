import type { ConsoleLinks, LinkRef } from '../../../aws/console-links.js';
import { parseImageRef } from '../../../aws/image-ref.js';
import type { ProbeRefusal, ProbeResult } from '../../../registry/probe.js';
import { aws, type FixCommand } from '../../commands.js';
import type { EcrImageRecord, LifecycleRule } from '../../facts/ecr.js';
import { dockerPush, fixOf, IAC, one, param, replaceImage, retag } from '../shared/commands.js';
import { containerList, foldByContainer, okValue } from '../shared/fold.js';
import { probeFor } from '../shared/images.js';
import { type LifecycleVerdict, lifecycleVerdict } from '../shared/lifecycle.js';
import { type CheckResult, defineCheck, type Message, type Params, results } from '../types.js';

const r = results('image.exists');

/** Each image exists and can be pulled: ECR repository, tag or digest, not archived (a missing tag comes with the newest tags and the lifecycle rule that removed it; a pull-through cache repository is fetched upstream on first pull); public registries when probing is on. */
export const imageExistsCheck = defineCheck(r, {
  cause: 'image-not-found',
  needs: ['ecr.images', 'registry.probe'],
  commands(result, { context: ctx, facts }) {
    const p = result.message;
    const image = param(p, 'image');
    // The ECR image the result is about: by its reference, else by repository and registry ("account/region").
    const rec = (okValue(facts.raw('ecr.images')) ?? []).find((i) =>
      image
        ? i.image === image
        : i.repository === param(p, 'repository') &&
          `${i.registryAccount}/${i.region}` === param(p, 'registry'),
    );
    const registry = rec ? { account: rec.registryAccount, region: rec.region } : undefined;
    switch (fixOf(result)) {
      case 'near-name': {
        const near = param(result.remediation, 'near');
        if (!rec || !near) return [];
        const fixed = rec.image.replace(`/${rec.repository}`, `/${near}`);
        return fixed === rec.image ? [] : replaceImage(ctx, rec.image, fixed);
      }
      case 'create-repository':
        if (!rec) return [];
        return [
          one(
            aws(
              'ecr',
              'create-repository',
              { 'repository-name': rec.repository, 'registry-id': rec.registryAccount },
              rec.region,
            ),
            { iac: IAC.repository, account: rec.registryAccount },
          ),
          ...dockerPush(rec.image, registry),
        ];
      case 'restore': {
        if (!rec) return [];
        const id = rec.tag ? `imageTag=${rec.tag}` : rec.digest ? `imageDigest=${rec.digest}` : undefined;
        if (!id) return [];
        return [
          one(
            aws(
              'ecr',
              'update-image-storage-class',
              {
                'registry-id': rec.registryAccount,
                'repository-name': rec.repository,
                'image-id': id,
                'target-storage-class': 'STANDARD',
              },
              rec.region,
            ),
            { account: rec.registryAccount },
          ),
        ];
      }
      case 'retag':
      case 'lifecycle': {
        const tag = param(result.remediation, 'tag');
        const newest = param(result.remediation, 'newest');
        if (!rec || !tag || !newest) return [];
        return retag(rec, newest, tag);
      }
      case 'push': {
        const target = param(result.remediation, 'image');
        if (!target) return [];
        return dockerPush(target, rec ? registry : undefined);
      }
      case 'pull-through-library': {
        const fixed = param(result.remediation, 'image');
        return image && fixed ? replaceImage(ctx, image, fixed) : [];
      }
      default:
        return [] as FixCommand[];
    }
  },
  run({ context: ctx, facts, links }) {
    const ecr = facts.optional('ecr.images') ?? [];
    const probes = facts.optional('registry.probe') ?? [];
    const items: Array<{ result: CheckResult; containers: string[] }> = ecr.map((rec) => ({
      result: ecrResult(rec, links, probes),
      containers: rec.containers,
    }));
    for (const c of ctx.containers) {
      const ref = c.image ? parseImageRef(c.image) : null;
      if (!ref || ref.kind === 'ecr') continue;
      const probe = probeFor(probes, c.image!, ref);
      items.push({ result: registryResult(c.image!, c.name, probe), containers: [c.name] });
    }
    if (!items.length) return r.unknown('unknown.no-images');
    return foldByContainer(ctx, items);
  },
});

/** The result for an image outside ECR: what its registry answered, when probing is on. */
function registryResult(image: string, container: string, probe: ProbeResult | undefined): CheckResult {
  if (!probe) return r.skip('skip.not-ecr', { image, container });
  const evidence = [probeEvidence(probe, image)];
  const params = { image, registry: probe.registry, container };
  if (probe.outcome === 'refused' && probe.refusal) return refusedResult(probe.refusal, params, evidence);
  switch (probe.outcome) {
    case 'missing':
      return r.fail('fail.registry-missing', params, { evidence, remediation: r.fix('push', { image }) });
    case 'unauthorized':
      return r.warn('warn.registry-unauthorized', params, {
        evidence,
        remediation: r.fix('check-name', { image, container }),
      });
    case 'exists':
    case 'rate-limited':
      return r.pass('pass.registry', params, { evidence });
    default:
      return r.unknown('unknown.probe', { image, detail: probe.detail ?? '—' }, { evidence });
  }
}

/** The evidence line of a probe's answer (a refusal says which rule kept ecs-pull from asking). */
function probeEvidence(probe: ProbeResult, image: string): Message {
  const params = { registry: probe.registry, image, status: probe.status ?? '—' };
  if (probe.outcome !== 'refused') return r.ev(`probe.${probe.outcome}`, params);
  if (!probe.refusal) return r.ev('probe.error', params);
  return r.ev(`probe.refused-${probe.refusal.rule}`, { ...params, ...refusalParams(probe.refusal) });
}

function refusalParams(refusal: ProbeRefusal): Params {
  const { rule: _rule, ...rest } = refusal;
  return rest;
}

/**
 * A probe a rule stopped: a registry that is not on the allow-list is one ecs-pull does not look at (as with
 * probing off); a name resolving to an internal address, a redirect elsewhere or a foreign token service leave the
 * image unchecked.
 */
function refusedResult(
  refusal: ProbeRefusal,
  params: { image: string; registry: string; container: string },
  evidence: Message[],
): CheckResult {
  switch (refusal.rule) {
    case 'not-allowed':
      return r.skip('skip.probe-not-allowed', params, { evidence });
    case 'address':
      return r.unknown(
        'unknown.probe-address',
        { image: params.image, ...refusalParams(refusal) },
        { evidence },
      );
    case 'redirect':
      return r.unknown('unknown.probe-redirect', { ...params, location: refusal.location }, { evidence });
    case 'realm':
      return r.unknown('unknown.probe-realm', { ...params, realm: refusal.realm }, { evidence });
  }
}

/** Where an ECR image lives, for messages. */
interface Where {
  repository: string;
  registry: string;
  containers: string;
}

/** The result for one private ECR image. */
function ecrResult(rec: EcrImageRecord, links: ConsoleLinks, probes: readonly ProbeResult[]): CheckResult {
  const repoLink = links.ecrRepository(rec.repository, rec.registryAccount, rec.region);
  const containers = containerList(rec.containers);
  const where = {
    repository: rec.repository,
    registry: `${rec.registryAccount}/${rec.region}`,
    containers,
  };
  if (rec.notAllowed)
    return r.unknown('unknown.not-allowed', { image: rec.image, account: rec.registryAccount });
  if (rec.unreachable) {
    return r.unknown(
      'unknown.unreachable',
      { image: rec.image, account: rec.registryAccount },
      { links: [repoLink] },
    );
  }
  if (rec.pullThrough && !rec.imageFound && rec.repositoryExists !== undefined) {
    return pullThroughResult(rec, where, repoLink, probes);
  }
  const ptcUnread = rec.errors.find((e) => e.part === 'pull-through');
  const ptcEvidence = ptcUnread
    ? [
        r.ev('pull-through-unread', {
          action: ptcUnread.error.action ?? 'ecr:DescribePullThroughCacheRules',
        }),
      ]
    : [];
  if (rec.repositoryExists === false) {
    const near = rec.nearNames ?? [];
    return r.fail(
      'fail.no-repository',
      { ...where, image: rec.image },
      {
        evidence: [
          ...near.map((n) => r.ev('near-name', { name: n })),
          ...ptcEvidence,
          ...unread(rec, 'repositories'),
        ],
        remediation: near.length
          ? r.fix('near-name', { near: near[0]!, repository: rec.repository })
          : r.fix('create-repository', where),
      },
    );
  }
  const imageError = rec.errors.find((e) => e.part === 'image');
  if (imageError && rec.imageFound === undefined) {
    return {
      ...r.unknown('unknown.error', {
        image: rec.image,
        action: imageError.error.action ?? 'ecr:DescribeImages',
        code: imageError.error.code,
      }),
      missing: { fact: 'ecr.images', error: imageError.error },
    };
  }
  if (rec.imageFound === false) return missingResult(rec, where, repoLink, ptcEvidence);
  const status = rec.detail?.status ?? 'ACTIVE';
  if (status !== 'ACTIVE') {
    return r.fail(
      'fail.archived',
      { ...where, image: rec.image, status, archivedAt: rec.detail?.archivedAt ?? '?' },
      {
        evidence: [r.ev('status', { image: rec.image, status })],
        links: [repoLink],
        remediation:
          status === 'ACTIVATING'
            ? r.fix('wait-restore', {})
            : r.fix('restore', { ...where, image: rec.image }),
      },
    );
  }
  return r.pass(
    'pass.ok',
    { image: rec.image, digest: rec.detail?.digest ?? '?', containers },
    {
      evidence: [
        r.ev('found', {
          image: rec.image,
          digest: rec.detail?.digest ?? '?',
          pushedAt: rec.detail?.pushedAt ?? '?',
        }),
      ],
      links: [repoLink],
    },
  );
}

/** A repository that exists without the tag or digest: the newest tags, and whether a lifecycle rule removed it. */
function missingResult(
  rec: EcrImageRecord,
  where: Where,
  repoLink: LinkRef,
  ptcEvidence: Message[],
): CheckResult {
  const active = (rec.taggedImages ?? []).filter((i) => (i.status ?? 'ACTIVE') === 'ACTIVE');
  const evidence: Message[] = active
    .slice(0, 5)
    .map((i) => r.ev('newest-tag', { tag: i.tags.join(', '), pushedAt: i.pushedAt ?? '?' }));
  evidence.push(...ptcEvidence, ...unread(rec, 'tags'));
  if (rec.digest && !rec.tag) {
    return r.fail(
      'fail.no-digest',
      { ...where, digest: rec.digest },
      { evidence, links: [repoLink], remediation: r.fix('push', { image: rec.image }) },
    );
  }
  const tag = rec.tag ?? 'latest';
  const archived = (rec.taggedImages ?? []).find(
    (i) => i.tags.includes(tag) && i.status && i.status !== 'ACTIVE',
  );
  if (archived) {
    return r.fail(
      'fail.archived',
      { ...where, image: rec.image, status: archived.status!, archivedAt: '?' },
      {
        evidence: [r.ev('status', { image: rec.image, status: archived.status! }), ...evidence],
        links: [repoLink],
        remediation:
          archived.status === 'ACTIVATING'
            ? r.fix('wait-restore', {})
            : r.fix('restore', { ...where, image: rec.image }),
      },
    );
  }
  const verdict = lifecycleVerdict(rec.lifecycleRules, tag, rec.taggedImages);
  const blamed = verdict?.effect === 'expire' && verdict.certainty === 'certain' ? verdict : undefined;
  const lifecycleError = rec.errors.find((e) => e.part === 'lifecycle');
  if (verdict) evidence.push(...lifecycleEvidence(verdict));
  else if (lifecycleError)
    evidence.push(
      r.ev('lifecycle-unread', { action: lifecycleError.error.action ?? 'ecr:GetLifecyclePolicy' }),
    );
  else evidence.push(r.ev(rec.lifecycleRules?.length ? 'lifecycle-none-matches' : 'no-lifecycle', { tag }));
  const newest = active[0]?.tags[0];
  return r.fail(
    blamed ? 'fail.no-tag-lifecycle' : 'fail.no-tag',
    { ...where, tag, priority: blamed?.rule.rulePriority ?? 0 },
    {
      evidence,
      links: [repoLink],
      remediation: blamed
        ? r.fix('lifecycle', { tag, newest: newest ?? '—', priority: blamed.rule.rulePriority })
        : newest
          ? r.fix('retag', { tag, newest })
          : r.fix('push', { image: rec.image }),
    },
  );
}

/** A pull-through cache repository without the image yet: ECR fetches it upstream on the first pull. */
function pullThroughResult(
  rec: EcrImageRecord,
  where: Where,
  repoLink: LinkRef,
  probes: readonly ProbeResult[],
): CheckResult {
  const ptc = rec.pullThrough!;
  const evidence = [
    r.ev('pull-through', {
      prefix: ptc.prefix,
      upstream: ptc.upstreamRegistryUrl,
      upstreamImage: ptc.upstreamImage,
    }),
  ];
  if (ptc.dockerHubLibraryMissing) {
    const fixed = rec.image.replace(`/${ptc.prefix}/`, `/${ptc.prefix}/library/`);
    return r.fail(
      'fail.pull-through-library',
      { ...where, image: rec.image, upstreamImage: ptc.upstreamImage },
      { evidence, links: [repoLink], remediation: r.fix('pull-through-library', { image: fixed }) },
    );
  }
  // With probing on, the upstream registry says whether the first pull can find the image.
  const probe = probes.find((p) => p.image === rec.image);
  if (probe) evidence.push(probeEvidence(probe, ptc.upstreamImage));
  if (probe?.outcome === 'missing') {
    return r.fail(
      'fail.pull-through-upstream',
      { ...where, image: rec.image, upstreamImage: ptc.upstreamImage },
      {
        evidence,
        links: [repoLink],
        remediation: r.fix('pull-through-upstream', { upstreamImage: ptc.upstreamImage }),
      },
    );
  }
  return r.warn(
    rec.repositoryExists ? 'warn.pull-through-uncached' : 'warn.pull-through-new',
    { ...where, image: rec.image, upstreamImage: ptc.upstreamImage },
    {
      evidence,
      links: [repoLink],
      remediation: r.fix('pull-through', {
        upstreamImage: ptc.upstreamImage,
        credentials: ptc.credentialArn ?? '—',
      }),
    },
  );
}

/** What the lifecycle rule that matches the tag says, as evidence lines. */
function lifecycleEvidence(v: LifecycleVerdict): Message[] {
  const rule = v.rule;
  const out = [ruleEvidence(rule)];
  if (v.certainty === 'possible') {
    out.push(
      r.ev('lifecycle-partial', {
        list: (rule.tagPrefixList ?? rule.tagPatternList ?? []).join(', '),
      }),
    );
  }
  if (v.effect === 'archive') out.push(r.ev('lifecycle-archive', { priority: rule.rulePriority }));
  else if (v.atLimit !== undefined) {
    out.push(
      r.ev(v.atLimit ? 'lifecycle-count-full' : 'lifecycle-count-room', {
        limit: rule.countNumber ?? 0,
        now: v.selectedNow ?? 0,
      }),
    );
  } else if (rule.countType === 'sinceImagePushed' || rule.countType === 'sinceImagePulled') {
    out.push(
      r.ev(rule.countType === 'sinceImagePushed' ? 'lifecycle-age-pushed' : 'lifecycle-age-pulled', {
        count: rule.countNumber ?? 0,
        unit: rule.countUnit ?? 'days',
      }),
    );
  }
  return out;
}

/**
 * A lifecycle rule in words, as one evidence line: which images it selects (tag status, a prefix or pattern list)
 * by count or by age, and what it does to them. The key names the rule's shape, the locale says it.
 */
function ruleEvidence(rule: LifecycleRule): Message {
  const shape =
    rule.countType === 'sinceImagePushed'
      ? 'pushed'
      : rule.countType === 'sinceImagePulled'
        ? 'pulled'
        : 'count';
  const list = rule.tagPrefixList?.length ? 'prefix' : rule.tagPatternList?.length ? 'pattern' : 'all';
  const tagStatus = rule.tagStatus === 'tagged' || rule.tagStatus === 'untagged' ? rule.tagStatus : 'any';
  return r.ev(`lifecycle-rule.${shape}-${list}`, {
    priority: rule.rulePriority,
    description: rule.description ?? '—',
    tagStatus,
    list: (rule.tagPrefixList ?? rule.tagPatternList ?? []).join(', '),
    count: rule.countNumber ?? 0,
    unit: rule.countUnit === 'days' || !rule.countUnit ? 'days' : 'days',
    action: rule.action === 'transition' ? 'transition' : 'expire',
  });
}

/** An evidence line for a part of the picture that could not be read (the near names, the repository's tags). */
function unread(rec: EcrImageRecord, part: 'repositories' | 'tags'): Message[] {
  const e = rec.errors.find((x) => x.part === part);
  if (!e) return [];
  const fallback = part === 'tags' ? 'ecr:DescribeImages' : 'ecr:DescribeRepositories';
  return [r.ev(`${part}-unread`, { action: e.error.action ?? fallback, code: e.error.code })];
}
