import { describe, expect, it } from 'vitest';
import { imagePlatformCheck } from '../../../../src/diagnosis/checks/image/platform.js';
import { english, evidenceText, loadFacts, runCheck, value } from '../../../helpers/checks.js';

const healthy = () => loadFacts('identity/healthy.json');

describe('image.platform: a multi-platform image offers the task platform', () => {
  it('passes an index with linux/amd64 for an X86_64 task', async () => {
    expect((await runCheck(imagePlatformCheck, healthy())).status).toBe('pass');
  });
  it('fails an arm64 task when the index has only amd64', async () => {
    const s = healthy();
    value(s, 'ecs.taskDefinition').runtimePlatform = {
      cpuArchitecture: 'ARM64',
      operatingSystemFamily: 'LINUX',
    };
    value(s, 'ecr.images')[0]!.manifest!.platforms = [{ os: 'linux', architecture: 'amd64' }];
    const r = await runCheck(imagePlatformCheck, s);
    expect(r.status).toBe('fail');
    expect(english(r.message)).toContain('linux/arm64');
    expect(english(r.message)).toContain('linux/amd64');
    expect(english(r.remediation!)).toContain('X86_64');
  });
  const single = (extra: Record<string, unknown>) => {
    const s = healthy();
    value(s, 'ecr.images')[0]!.manifest = {
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      sizeInBytes: 1000,
      ...extra,
    };
    return s;
  };
  it('judges a single manifest by the platform ECR states in its schema 1 conversion', async () => {
    const ok = await runCheck(
      imagePlatformCheck,
      single({ platform: { os: 'linux', architecture: 'amd64' }, platformSource: 'schema1' }),
    );
    expect(ok.status).toBe('pass');
    expect(evidenceText(ok)).toContain("ECR's schema 1 conversion");
    const s = single({ platform: { os: 'linux', architecture: 'arm64' }, platformSource: 'schema1' });
    const r = await runCheck(imagePlatformCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('image:platform.fail.single');
    expect(english(r.message)).toContain('exec format error');
    expect(english(r.remediation!)).toContain('ARM64');
  });
  it('says why a single manifest platform is not known (by digest, OCI, not converted)', async () => {
    for (const why of ['digest', 'oci', 'unconverted'] as const) {
      const r = await runCheck(imagePlatformCheck, single({ platformSource: why }));
      expect(r.status).toBe('skip');
      expect(r.message.key).toBe(`image:platform.skip.single-${why}`);
    }
  });
  it('is unknown naming the action when the schema 1 manifest could not be read', async () => {
    const s = single({ platformSource: 'unconverted' });
    value(s, 'ecr.images')[0]!.errors.push({
      part: 'schema1',
      error: { kind: 'denied', code: 'AccessDeniedException', message: 'x', action: 'ecr:BatchGetImage' },
    });
    const r = await runCheck(imagePlatformCheck, s);
    expect(r.status).toBe('unknown');
    expect(r.missing?.error.action).toBe('ecr:BatchGetImage');
  });
  it('is unknown when BatchGetImage was denied, and skips when no image was found', async () => {
    const s = healthy();
    const img = value(s, 'ecr.images')[0]!;
    delete img.manifest;
    img.errors.push({
      part: 'manifest',
      error: { kind: 'denied', code: 'AccessDeniedException', message: 'x', action: 'ecr:BatchGetImage' },
    });
    expect((await runCheck(imagePlatformCheck, s)).status).toBe('unknown');
    img.imageFound = false;
    expect((await runCheck(imagePlatformCheck, s)).message.key).toBe('image:platform.skip.no-image');
  });
});
