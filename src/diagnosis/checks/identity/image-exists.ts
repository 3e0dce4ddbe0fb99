import { parseImageRef } from '../../../aws/image-ref.js';
import type { EcrImageRecord } from '../../facts/identity.js';
import { worstOf } from '../network/common.js';
import { type Check, type CheckResult, type Message, results } from '../types.js';
import { ruleCovering } from './lifecycle.js';

const r = results('image.exists');

/** Each image exists: the ECR repository and the tag or digest (missing tags listed with the newest ones and the lifecycle rule that may have expired them); public registries when probing is on. */
export const imageExistsCheck: Check = {
  id: 'image.exists',
  needs: ['ecr.images', 'registry.probe'],
  run({ context: ctx, facts, links }) {
    const ecr = facts.optional('ecr.images') ?? [];
    const probes = facts.optional('registry.probe') ?? [];
    const results_: CheckResult[] = ecr.map((rec) => ecrResult(rec));
    for (const c of ctx.containers) {
      const ref = c.image ? parseImageRef(c.image) : null;
      if (!ref || ref.kind === 'ecr') continue;
      const probe = probes.find(
        (p) => p.repository === ref.repository && p.reference === (ref.digest ?? ref.tag ?? 'latest'),
      );
      if (!probe) {
        results_.push(r.skip('skip.not-ecr', { image: c.image! }));
        continue;
      }
      const ev = [
        r.ev(`probe.${probe.outcome}`, {
          registry: probe.registry,
          image: c.image!,
          status: probe.status ?? '—',
        }),
      ];
      if (probe.outcome === 'missing') {
        results_.push(
          r.fail(
            'fail.registry-missing',
            { image: c.image!, registry: probe.registry },
            { evidence: ev, remediation: r.fix('push', { image: c.image! }) },
          ),
        );
      } else if (probe.outcome === 'unauthorized') {
        results_.push(
          r.warn(
            'warn.registry-unauthorized',
            { image: c.image!, registry: probe.registry },
            { evidence: ev, remediation: r.fix('check-name', { image: c.image! }) },
          ),
        );
      } else if (probe.outcome === 'exists' || probe.outcome === 'rate-limited') {
        results_.push(r.pass('pass.registry', { image: c.image! }, { evidence: ev }));
      } else {
        results_.push(
          r.unknown('unknown.probe', { image: c.image!, detail: probe.detail ?? '—' }, { evidence: ev }),
        );
      }
    }
    if (!results_.length) return r.unknown('unknown.no-images');
    return worstOf(results_);

    function ecrResult(rec: EcrImageRecord): CheckResult {
      const repoLink = links.ecrRepository(rec.repository, rec.registryAccount, rec.region);
      const where = { repository: rec.repository, registry: `${rec.registryAccount}/${rec.region}` };
      if (rec.unreachable) {
        return r.unknown(
          'unknown.unreachable',
          { image: rec.image, account: rec.registryAccount },
          { links: [repoLink] },
        );
      }
      if (rec.repositoryExists === false) {
        const near = rec.nearNames ?? [];
        return r.fail(
          'fail.no-repository',
          { ...where, image: rec.image, near: near.join(', ') || '—' },
          {
            evidence: near.map((n) => r.ev('near-name', { name: n })),
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
      if (rec.imageFound === false) {
        const evidence: Message[] = (rec.newestTags ?? []).map((t) =>
          r.ev('newest-tag', { tag: t.tag, pushedAt: t.pushedAt ?? '?' }),
        );
        if (rec.digest && !rec.tag) {
          return r.fail(
            'fail.no-digest',
            { ...where, digest: rec.digest },
            { evidence, links: [repoLink], remediation: r.fix('push', { image: rec.image }) },
          );
        }
        const rule = rec.tag ? ruleCovering(rec.lifecycleRules, rec.tag) : undefined;
        if (rule) {
          evidence.push(
            r.ev('lifecycle-rule', {
              priority: rule.rulePriority,
              description: rule.description ?? '—',
              selection:
                `${rule.tagStatus ?? 'any'} ${rule.countType ?? ''} ${rule.countNumber ?? ''} ${rule.countUnit ?? ''}`
                  .replace(/\s+/g, ' ')
                  .trim(),
            }),
          );
        } else if (rec.lifecycleRules?.length === 0 || !rec.lifecycleRules) {
          evidence.push(r.ev('no-lifecycle', {}));
        }
        const newest = rec.newestTags?.[0]?.tag;
        return r.fail(
          rule ? 'fail.no-tag-lifecycle' : 'fail.no-tag',
          { ...where, tag: rec.tag ?? 'latest', priority: rule?.rulePriority ?? 0 },
          {
            evidence,
            links: [repoLink],
            remediation: newest
              ? r.fix('retag', { tag: rec.tag ?? 'latest', newest })
              : r.fix('push', { image: rec.image }),
          },
        );
      }
      return r.pass(
        'pass.ok',
        { image: rec.image, digest: rec.detail?.digest ?? '?' },
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
  },
};
