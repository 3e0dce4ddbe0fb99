import { comparePlatformVersion } from '../../context.js';
import { fixOf, IAC, param, taskDefinitionChange } from '../shared/commands.js';
import { containerList } from '../shared/fold.js';
import { defineCheck, type Message, results } from '../types.js';

const r = results('storage.ephemeral');
const GiB = 1024 ** 3;
/**
 * A pull keeps the compressed layers and writes the extracted ones next to them. Extracted layers are commonly
 * 2–3× their compressed size; 2.5× is used, so a pull needs about 3.5× the compressed size.
 */
export const EXPANSION = 2.5;

/** The task's ephemeral storage holds its images: compressed plus extracted layers (ECR sizes are compressed). */
export const ephemeralStorageCheck = defineCheck(r, {
  cause: 'disk-space',
  failedTask: 'refines',
  cannotTell: ['skip.no-sizes'],
  needs: ['ecr.images'],
  commands(result, { context: ctx }) {
    const fix = fixOf(result);
    const size = Number(param(result.remediation, 'recommend'));
    if ((fix !== 'increase' && fix !== 'upgrade-platform') || !(size >= 21 && size <= 200)) return [];
    return taskDefinitionChange(
      ctx,
      '.ephemeralStorage = {sizeInGiB: $size}',
      { size },
      IAC.ephemeralStorage,
      fix === 'upgrade-platform' ? { platformVersion: 'LATEST' } : {},
    );
  },
  run({ context: ctx, facts, links }) {
    const images = (facts.optional('ecr.images') ?? []).filter((i) => i.imageFound);
    // An index's own imageSizeInBytes is the index document, not an image: only its platform manifest counts.
    const sized = images
      .map((i) => ({
        image: i.image,
        containers: containerList(i.containers),
        bytes: i.manifest?.sizeInBytes ?? (i.manifest?.platforms ? undefined : i.detail?.sizeInBytes),
      }))
      .filter(
        (i): i is { image: string; containers: string; bytes: number } =>
          typeof i.bytes === 'number' && i.bytes > 0,
      );
    if (!sized.length) return r.skip('skip.no-sizes');
    const compressed = sized.reduce((s, i) => s + i.bytes, 0);
    const needed = compressed * (1 + EXPANSION);
    const legacy = comparePlatformVersion(ctx.effectivePlatformVersion, '1.4.0') < 0;
    const haveGiB = ctx.ephemeralStorage.sizeGiB;
    const have = haveGiB * (legacy ? 1e9 : GiB);
    // GiB to one decimal, as a number: the locale writes it the language's way (9.5 GiB, 9,5 GiB).
    const fmt = (b: number) => Math.round((b / GiB) * 10) / 10;
    const evidence: Message[] = [
      ...sized.map((i) => r.ev('image', { image: i.image, containers: i.containers, size: fmt(i.bytes) })),
      r.ev('estimate', { compressed: fmt(compressed), needed: fmt(needed), factor: 1 + EXPANSION }),
      r.ev(ctx.ephemeralStorage.isDefault ? 'available-default' : 'available', {
        size: haveGiB,
        version: ctx.effectivePlatformVersion,
      }),
    ];
    const noSpace = /no space left on device|failed to (extract|register) layer/i.test(
      [ctx.stoppedReason, ...ctx.containers.map((c) => c.reason)].filter(Boolean).join(' '),
    );
    const recommend = Math.min(200, Math.max(21, Math.ceil((needed / GiB) * 1.2)));
    const tdLinks = ctx.taskDefinition?.family
      ? [links.taskDefinition(ctx.taskDefinition.family, ctx.taskDefinition.revision ?? 1)]
      : [];
    const params = { needed: fmt(needed), have: haveGiB, compressed: fmt(compressed), recommend };
    const remediation = legacy
      ? r.fix('upgrade-platform', { recommend })
      : needed / GiB > 200
        ? r.fix('shrink', { compressed: fmt(compressed) })
        : r.fix('increase', { recommend });
    if (needed > have)
      return r.fail(noSpace ? 'fail.no-space' : 'fail.too-small', params, {
        evidence,
        links: tdLinks,
        remediation,
      });
    if (needed > have * 0.8 || noSpace)
      return r.warn(noSpace ? 'warn.no-space' : 'warn.tight', params, {
        evidence,
        links: tdLinks,
        remediation,
      });
    return r.pass('pass', params, { evidence });
  },
});
