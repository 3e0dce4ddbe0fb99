/**
 * Registries outside ECR, asked over HTTPS (opt-in: registries.probePublic): whether an image's manifest exists and
 * whether anonymous pulls are rate-limited.
 */
import { NotApplicable } from '../../aws/errors.js';
import { type ImageRef, parseImageRef } from '../../aws/image-ref.js';
import { type ProbeResult, probeRegistry } from '../../registry/probe.js';
import { type ImageUse, imagesOf } from '../task-refs.js';
import { taskImages } from './ecs.js';
import { defineFact, type FactProvider } from './session.js';
import type { ProviderHandle } from './types.js';

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
    const { probeTimeoutMs: timeoutMs, registryAllow: allow } = h.inputs.settings;
    const probe = (image: string, ref: ImageRef) =>
      probeRegistry(ref, { timeoutMs, allow }).then((p) => ({ ...p, image }));
    const [direct, upstream] = await Promise.all([
      probedImages(h).then((images) =>
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

/**
 * The images to ask registries about: the task's as ECS describes it. A task rebuilt from an alert's event is asked
 * about with its task definition's images only (read from ECS), never with images the event's text names.
 */
async function probedImages(h: ProviderHandle): Promise<ImageUse[]> {
  const { source } = await h.need('ecs.task');
  if (source === 'describe-tasks') return taskImages(h);
  const td = await h.get('ecs.taskDefinition');
  return td.ok ? imagesOf(td.value.containerDefinitions ?? []) : [];
}

export const registryFacts: FactProvider[] = [registryProbeFact] as FactProvider[];
