import { parseImageRef } from '../../../aws/image-ref.js';
import { addRepositoryCredentials, param } from '../shared/commands.js';
import { foldByContainer } from '../shared/fold.js';
import { probeFor } from '../shared/images.js';
import { type CheckResult, defineCheck, results } from '../types.js';

const r = results('image.rate-limit');

/** No Docker Hub image is pulled anonymously (anonymous pulls are rate-limited per public IP, shared by every task behind one NAT). */
export const rateLimitCheck = defineCheck(r, {
  cause: 'rate-limit',
  needs: ['registry.probe'],
  commands(result, { context: ctx }) {
    const container = param(result.remediation, 'container');
    return container ? addRepositoryCredentials(ctx, container) : [];
  },
  run({ context: ctx, facts }) {
    const probes = facts.optional('registry.probe') ?? [];
    const items: Array<{ result: CheckResult; containers: string[] }> = [];
    for (const c of ctx.containers) {
      const ref = c.image ? parseImageRef(c.image) : null;
      if (ref?.kind !== 'docker-hub') continue;
      const image = c.image!;
      const push = (result: CheckResult) => items.push({ result, containers: [c.name] });
      if (c.definition?.repositoryCredentials?.credentialsParameter) {
        push(r.pass('pass.authenticated', { image, container: c.name }));
        continue;
      }
      const probe = probeFor(probes, image, ref);
      const evidence = probe?.rateLimit
        ? [
            r.ev('limit', {
              remaining: probe.rateLimit.remaining,
              limit: probe.rateLimit.limit,
              hours: Math.round(probe.rateLimit.windowSeconds / 3600),
            }),
          ]
        : [];
      const remediation = r.fix('authenticate', { container: c.name });
      if (probe?.outcome === 'rate-limited') {
        push(r.fail('fail.limited', { image, container: c.name }, { evidence, remediation }));
      } else {
        push(r.warn('warn.anonymous', { image, container: c.name }, { evidence, remediation }));
      }
    }
    if (!items.length) return r.skip('skip.no-docker-hub');
    return foldByContainer(ctx, items);
  },
});
