import { describe, expect, it } from 'vitest';
import { ephemeralStorageCheck } from '../../../../src/diagnosis/checks/storage/ephemeral.js';
import { english, evidenceText, loadFacts, runCheck, setFact, value } from '../../../helpers/checks.js';

const healthy = () => loadFacts('identity/healthy.json');
const GB = 1024 ** 3;

describe('storage.ephemeral: the ephemeral storage holds compressed plus extracted layers', () => {
  it('passes a 180 MB image on 20 GiB', async () => {
    expect((await runCheck(ephemeralStorageCheck, healthy())).status).toBe('pass');
  });
  it('fails a 7 GB image on the default 20 GiB and recommends a size', async () => {
    const s = healthy();
    value(s, 'ecr.images')[0]!.manifest!.sizeInBytes = 7 * GB;
    delete value(s, 'ecs.task').task.ephemeralStorage;
    const r = await runCheck(ephemeralStorageCheck, s);
    expect(r.status).toBe('fail');
    expect(english(r.message)).toContain('24.5 GiB');
    expect(evidenceText(r)).toContain('(checkout): 7.0 GiB compressed');
    expect(evidenceText(r)).toContain('2.5× is assumed');
    expect(english(r.remediation!)).toContain('ephemeralStorage.sizeInGiB to 30');
    expect(evidenceText(r)).toContain('the default of platform 1.4.0');
  });
  it('warns when it is close', async () => {
    const s = healthy();
    value(s, 'ecr.images')[0]!.manifest!.sizeInBytes = 5 * GB;
    expect((await runCheck(ephemeralStorageCheck, s)).status).toBe('warn');
  });
  it('names the disk when the stop message says no space left on device', async () => {
    const s = healthy();
    value(s, 'ecr.images')[0]!.manifest!.sizeInBytes = 8 * GB;
    value(s, 'ecs.task').task.stoppedReason =
      'CannotPullContainerError: failed to extract layer sha256:abc: write /var/lib/containerd/x: no space left on device';
    expect((await runCheck(ephemeralStorageCheck, s)).message.key).toBe('storage:ephemeral.fail.no-space');
  });
  it('tells platform 1.3.0 users to move to 1.4.0', async () => {
    const s = healthy();
    value(s, 'ecs.task').task.platformVersion = '1.3.0';
    delete value(s, 'ecs.task').task.ephemeralStorage;
    value(s, 'ecr.images')[0]!.manifest!.sizeInBytes = 3 * GB;
    const r = await runCheck(ephemeralStorageCheck, s);
    expect(r.status).toBe('fail');
    expect(english(r.remediation!)).toContain('platform 1.4.0');
  });
  it("never counts an index's own size as the image", async () => {
    const s = healthy();
    const img = value(s, 'ecr.images')[0]!;
    delete img.manifest!.sizeInBytes;
    img.detail!.sizeInBytes = 30 * GB;
    expect((await runCheck(ephemeralStorageCheck, s)).message.key).toBe('storage:ephemeral.skip.no-sizes');
    delete img.manifest!.platforms;
    expect((await runCheck(ephemeralStorageCheck, s)).status).toBe('fail');
  });
  it('does not apply when no size is known', async () => {
    const s = healthy();
    setFact(s, 'ecr.images', []);
    expect((await runCheck(ephemeralStorageCheck, s)).status).toBe('skip');
  });
});
