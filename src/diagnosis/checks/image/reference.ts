import { parseImageRef } from '../../../aws/image-ref.js';
import { param, replaceImage } from '../shared/commands.js';
import { worstOf } from '../shared/fold.js';
import { type CheckResult, defineCheck, type Message, results } from '../types.js';

const r = results('image.reference');

/** Every image reference parses and names the registry that was meant (a bare name goes to Docker Hub, even when an ECR repository of that name exists). */
export const imageReferenceCheck = defineCheck(r, {
  cause: 'image-reference',
  needs: ['ecr.bareNames'],
  commands(result, { context: ctx }) {
    const from = param(result.message, 'image');
    const to = param(result.remediation, 'uri');
    return from && to ? replaceImage(ctx, from, to) : [];
  },
  run({ context: ctx, facts, links }) {
    const containers = ctx.containers.filter((c) => c.image);
    if (!containers.length) return r.unknown('unknown.no-images');
    const bare = facts.optional('ecr.bareNames') ?? [];
    return worstOf(
      containers.map((c): CheckResult => {
        const image = c.image!;
        const ref = parseImageRef(image);
        if (!ref) {
          return r.fail(
            'fail.invalid',
            { image, container: c.name },
            { remediation: r.fix('invalid', { container: c.name }) },
          );
        }
        const evidence: Message[] = [
          r.ev('parsed', {
            container: c.name,
            registry: ref.registry,
            repository: ref.repository,
            reference: ref.digest ?? ref.tag ?? 'latest',
          }),
        ];
        if (ref.kind === 'docker-hub' && ref.implicitRegistry) {
          const match = bare.find((b) => b.image === image);
          if (match?.exists) {
            const uri = `${match.repositoryUri ?? match.repositoryName}:${ref.tag ?? 'latest'}`;
            return r.fail(
              'fail.meant-ecr',
              { image, container: c.name, repository: match.repositoryName, uri },
              {
                evidence,
                links: [links.ecrRepository(match.repositoryName)],
                remediation: r.fix('use-uri', { container: c.name, uri }),
              },
            );
          }
          return r.pass(
            'pass.docker-hub',
            { image, resolved: `docker.io/${ref.repository}:${ref.tag ?? 'latest'}` },
            { evidence },
          );
        }
        return r.pass('pass.ok', { image }, { evidence });
      }),
    );
  },
});
