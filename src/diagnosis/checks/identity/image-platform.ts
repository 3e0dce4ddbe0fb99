import { worstOf } from '../network/common.js';
import { type Check, type CheckResult, results } from '../types.js';

const r = results('image.platform');

/** Each multi-platform image (index / manifest list) offers the task's OS and CPU architecture (runtimePlatform, default linux/X86_64). */
export const imagePlatformCheck: Check = {
  id: 'image.platform',
  needs: ['ecr.images'],
  run({ context: ctx, facts, links }) {
    const images = (facts.optional('ecr.images') ?? []).filter((i) => i.imageFound);
    if (!images.length) return r.skip('skip.no-image');
    const os = ctx.runtimePlatform.os.startsWith('WINDOWS') ? 'windows' : 'linux';
    const arch = ctx.runtimePlatform.arch === 'ARM64' ? 'arm64' : 'amd64';
    const want = `${os}/${arch}`;
    return worstOf(
      images.map((img): CheckResult => {
        const platforms = img.manifest?.platforms;
        const repoLink = links.ecrRepository(img.repository, img.registryAccount, img.region);
        if (!img.manifest) {
          const err = img.errors.find((e) => e.part === 'manifest');
          if (err) {
            return {
              ...r.unknown('unknown.manifest', {
                image: img.image,
                action: err.error.action ?? 'ecr:BatchGetImage',
              }),
              missing: { fact: 'ecr.images', error: err.error },
            };
          }
          return r.skip('skip.no-manifest', { image: img.image });
        }
        if (!platforms) {
          return r.skip(
            'skip.single',
            { image: img.image, want },
            { evidence: [r.ev('media-type', { mediaType: img.manifest.mediaType ?? '?' })] },
          );
        }
        const available = platforms
          .filter((p) => p.os !== 'unknown')
          .map((p) => `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`);
        const evidence = [
          r.ev('platforms', { image: img.image, available: available.join(', ') || '—', want }),
        ];
        const ok = platforms.some((p) => p.os === os && p.architecture === arch);
        if (ok) return r.pass('pass', { image: img.image, want }, { evidence });
        const other = arch === 'arm64' ? 'X86_64' : 'ARM64';
        return r.fail(
          'fail.missing',
          { image: img.image, want, available: available.join(', ') || '—' },
          {
            evidence,
            links: [repoLink],
            remediation: available.some((a) => a.startsWith(`${os}/${arch === 'arm64' ? 'amd64' : 'arm64'}`))
              ? r.fix('build-or-switch', { want, other })
              : r.fix('build', { want }),
          },
        );
      }),
    );
  },
};
