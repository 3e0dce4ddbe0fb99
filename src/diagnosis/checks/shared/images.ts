/** What the image checks share: finding the registry probe's answer for one of the task's images. */
import type { ImageRef } from '../../../aws/image-ref.js';
import type { ProbeResult } from '../../../registry/probe.js';

/** The registry probe's answer for one of the task's images (by image; saved facts before `image` by reference). */
export function probeFor(
  probes: readonly ProbeResult[],
  image: string,
  ref: ImageRef | null,
): ProbeResult | undefined {
  return (
    probes.find((p) => p.image === image) ??
    probes.find(
      (p) =>
        !p.image &&
        ref !== null &&
        p.repository === ref.repository &&
        p.reference === (ref.digest ?? ref.tag ?? 'latest'),
    )
  );
}
