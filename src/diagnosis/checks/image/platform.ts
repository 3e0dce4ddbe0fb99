import type { EcrImageRecord, PlatformRecord } from '../../facts/ecr.js';
import { fixMessage, fixOf, IAC, param, taskDefinitionChange } from '../shared/commands.js';
import { containerList, foldByContainer } from '../shared/fold.js';
import { type CheckResult, defineCheck, results } from '../types.js';

const r = results('image.platform');

const platformText = (p: PlatformRecord) =>
  `${p.os ?? '?'}/${p.architecture ?? '?'}${p.variant ? `/${p.variant}` : ''}`;

/** Each ECR image has a build for the task's OS and CPU architecture (runtimePlatform, default linux/X86_64): the index's platforms, or a single manifest's platform as ECR's schema 1 conversion states it. */
export const imagePlatformCheck = defineCheck(r, {
  cause: 'platform-mismatch',
  cannotTell: 'every-skip',
  needs: ['ecr.images'],
  commands(result, { context: ctx }) {
    const want = param(result.remediation, 'want');
    const image = param(result.message, 'image');
    const other = param(result.remediation, 'other');
    const build = {
      pipeline: [
        {
          program: 'docker' as const,
          args: ['buildx', 'build', '--platform', want ?? '', '--tag', image ?? '', '--push', '.'],
        },
      ],
      note: fixMessage('note.docker-build', { want: want ?? '' }),
    };
    if (!want || !image) return [];
    if (fixOf(result) === 'build') return [build];
    if (fixOf(result) !== 'build-or-switch' || !other) return [];
    // Either one: the commands to run the task on the architecture the image has.
    return taskDefinitionChange(
      ctx,
      '.runtimePlatform = ((.runtimePlatform // {}) + {cpuArchitecture: $arch, operatingSystemFamily: (.runtimePlatform.operatingSystemFamily // "LINUX")})',
      { arch: other },
      IAC.runtimePlatform,
    );
  },
  run({ context: ctx, facts, links }) {
    // Images known to be missing are image.exists' business, as are registries no role reaches or that this
    // request may not read.
    const images = (facts.optional('ecr.images') ?? []).filter(
      (i) => i.imageFound !== false && !i.unreachable && !i.notAllowed,
    );
    if (!images.length) return r.skip('skip.no-image');
    const os = ctx.runtimePlatform.os.startsWith('WINDOWS') ? 'windows' : 'linux';
    const arch = ctx.runtimePlatform.arch === 'ARM64' ? 'arm64' : 'amd64';
    const want = `${os}/${arch}`;
    const other = arch === 'arm64' ? 'X86_64' : 'ARM64';
    const otherArch = arch === 'arm64' ? 'amd64' : 'arm64';
    return foldByContainer(
      ctx,
      images.map((img) => ({ result: one(img), containers: img.containers })),
    );

    function one(img: EcrImageRecord): CheckResult {
      const repoLink = links.ecrRepository(img.repository, img.registryAccount, img.region);
      const params = { image: img.image, want, containers: containerList(img.containers) };
      const manifest = img.manifest;
      if (!manifest) {
        const err =
          img.errors.find((e) => e.part === 'manifest') ?? img.errors.find((e) => e.part === 'image');
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
      const media = r.ev('media-type', { mediaType: manifest.mediaType ?? '?' });
      if (manifest.platforms) {
        const available = manifest.platforms.filter((p) => p.os !== 'unknown').map(platformText);
        const evidence = [
          media,
          r.ev('platforms', { image: img.image, available: available.join(', ') || '—', want }),
        ];
        if (manifest.platforms.some((p) => p.os === os && p.architecture === arch))
          return r.pass('pass.index', params, { evidence });
        return r.fail(
          'fail.missing',
          { ...params, available: available.join(', ') || '—' },
          {
            evidence,
            links: [repoLink],
            remediation: available.some((a) => a.startsWith(`${os}/${otherArch}`))
              ? r.fix('build-or-switch', { want, other })
              : r.fix('build', { want }),
          },
        );
      }
      if (manifest.platform) {
        const have = platformText(manifest.platform);
        const evidence = [media, r.ev('schema1', { image: img.image, have })];
        if (manifest.platform.os === os && manifest.platform.architecture === arch)
          return r.pass('pass.single', { ...params, have }, { evidence });
        return r.fail(
          'fail.single',
          { ...params, have },
          {
            evidence,
            links: [repoLink],
            remediation:
              manifest.platform.architecture === otherArch
                ? r.fix('build-or-switch', { want, other })
                : r.fix('build', { want }),
          },
        );
      }
      // A single manifest whose platform ECR does not state: only the image configuration blob says it.
      const why = manifest.platformSource ?? 'unconverted';
      const schema1Error = img.errors.find((e) => e.part === 'schema1');
      if (schema1Error) {
        return {
          ...r.unknown('unknown.schema1', {
            image: img.image,
            action: schema1Error.error.action ?? 'ecr:BatchGetImage',
          }),
          missing: { fact: 'ecr.images', error: schema1Error.error },
        };
      }
      return r.skip(`skip.single-${why === 'digest' || why === 'oci' ? why : 'unconverted'}`, params, {
        evidence: [media],
      });
    }
  },
});
