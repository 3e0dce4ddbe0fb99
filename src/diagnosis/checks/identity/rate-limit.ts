import { parseImageRef } from '../../../aws/image-ref.js';
import { worstOf } from '../network/common.js';
import { type Check, type CheckResult, results } from '../types.js';

const r = results('image.rate-limit');

/** No Docker Hub image is pulled anonymously (anonymous pulls are rate-limited per public IP, shared by every task behind one NAT). */
export const rateLimitCheck: Check = {
  id: 'image.rate-limit',
  needs: ['registry.probe'],
  run({ context: ctx, facts }) {
    const probes = facts.optional('registry.probe') ?? [];
    const out: CheckResult[] = [];
    for (const c of ctx.containers) {
      const ref = c.image ? parseImageRef(c.image) : null;
      if (ref?.kind !== 'docker-hub') continue;
      if (c.definition?.repositoryCredentials?.credentialsParameter) {
        out.push(r.pass('pass.authenticated', { image: c.image! }));
        continue;
      }
      const probe = probes.find((p) => p.repository === ref.repository);
      const evidence = probe?.rateLimit
        ? [
            r.ev('limit', {
              remaining: probe.rateLimit.remaining,
              limit: probe.rateLimit.limit,
              hours: Math.round(probe.rateLimit.windowSeconds / 3600),
            }),
          ]
        : [];
      if (probe?.outcome === 'rate-limited') {
        out.push(
          r.fail(
            'fail.limited',
            { image: c.image! },
            { evidence, remediation: r.fix('authenticate', { container: c.name }) },
          ),
        );
      } else {
        out.push(
          r.warn(
            'warn.anonymous',
            { image: c.image!, container: c.name },
            { evidence, remediation: r.fix('authenticate', { container: c.name }) },
          ),
        );
      }
    }
    if (!out.length) return r.skip('skip.no-docker-hub');
    return worstOf(out);
  },
};
