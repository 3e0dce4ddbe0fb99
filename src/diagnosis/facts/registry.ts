/**
 * Registries outside ECR, asked over HTTPS (opt-in: registries.probePublic): whether an image's manifest exists and
 * whether anonymous pulls are rate-limited.
 */
import { NotApplicable } from '../../aws/errors.js';
import { type ImageRef, parseImageRef } from '../../aws/image-ref.js';
import { type ProbeResult, probeRegistry } from '../../registry/probe.js';
import { taskImages } from './ecs.js';
import { defineFact, type FactProvider } from './session.js';

declare module './types.js' {
  interface FactMap {
    'registry.probe': ProbeResult[];
  }
}

/**
 * Opt-in: registries outside ECR asked over HTTPS whether the manifest exists and whether anonymous pulls are
 * rate-limited; also the upstream image of a pull-through cache repository that has not cached it yet.
 */
export const registryProbeFact = defineFact({
  name: 'registry.probe',
  actions: [],
  async get(h) {
    if (!h.inputs.settings.probePublicRegistries)
      throw new NotApplicable('registry probing is off (registries.probePublic)');
    const timeout = h.inputs.settings.probeTimeoutMs;
    const probe = (image: string, ref: ImageRef) =>
      probeRegistry(ref, timeout).then((p) => ({ ...p, image }));
    const [direct, upstream] = await Promise.all([
      taskImages(h).then((images) =>
        Promise.all(images.filter((i) => i.ref && i.ref.kind !== 'ecr').map((i) => probe(i.image, i.ref!))),
      ),
      // Pull-through cache repositories are known once ECR has answered; only uncached images need the upstream.
      h.get('ecr.images').then((f) =>
        Promise.all(
          (f.ok ? f.value : [])
            .filter((r) => r.pullThrough && r.imageFound === false && !r.pullThrough.dockerHubLibraryMissing)
            .map((r) => ({ image: r.image, ref: parseImageRef(r.pullThrough!.upstreamImage) }))
            .filter((x): x is { image: string; ref: ImageRef } => !!x.ref && x.ref.kind !== 'ecr')
            .map((x) => probe(x.image, x.ref)),
        ),
      ),
    ]);
    if (!direct.length && !upstream.length) throw new NotApplicable('no image outside private ECR');
    return [...direct, ...upstream];
  },
});

export const registryFacts: FactProvider[] = [registryProbeFact] as FactProvider[];
