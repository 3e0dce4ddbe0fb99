import { describe, expect, it } from 'vitest';
import { mountTargetCheck } from '../../../../src/diagnosis/checks/efs/mount-target.js';
import { english, evidenceText, loadFacts, runCheck, setFact, value } from '../../../helpers/checks.js';
import { checkoutVolume, withEfs } from '../../../helpers/start-facts.js';

describe('efs.mount-target: the file system has an available mount target in the task’s zone and VPC', () => {
  it('passes with an available mount target in eu-south-1a, where the task ran', async () => {
    const r = await runCheck(mountTargetCheck, withEfs());
    expect(r.status).toBe('pass');
    expect(english(r.message)).toContain('fsmt-0aaaaaaaaaaaaaaa1');
    expect(evidenceText(r)).toContain('The task mounts from eu-south-1a');
    expect(r.links.map((l) => l.kind)).toEqual(['efs-file-system']);
  });

  it('fails when the task’s zone has no mount target, naming the zone, the others and the subnet for one', async () => {
    const s = withEfs();
    const v = value(s, 'efs.volumes')[0]!;
    v.mountTargets = v.mountTargets!.filter((m) => m.availabilityZoneName !== 'eu-south-1a');
    const r = await runCheck(mountTargetCheck, s);
    expect(r.status).toBe('fail');
    expect(r.cause).toBe('efs-mount');
    expect(r.message.key).toBe('efs:mount-target.fail.no-target');
    expect(english(r.message)).toContain('no mount target in eu-south-1a');
    expect(english(r.message)).toContain('mount targets in: eu-south-1b');
    expect(english(r.remediation!)).toContain('subnet subnet-0a1b2c3d4e5f67890');
  });

  it('fails a file system that does not exist, and one that is not available', async () => {
    const missing = withEfs({ volume: { fileSystem: { exists: false }, mountTargets: [] } });
    expect((await runCheck(mountTargetCheck, missing)).message.key).toBe(
      'efs:mount-target.fail.no-file-system',
    );
    const deleting = withEfs({
      volume: { fileSystem: { exists: true, lifeCycleState: 'deleting' } },
    });
    expect(english((await runCheck(mountTargetCheck, deleting)).message)).toContain('is deleting');
  });

  it('fails a One Zone file system in another zone', async () => {
    const r = await runCheck(
      mountTargetCheck,
      withEfs({
        volume: {
          fileSystem: { exists: true, lifeCycleState: 'available', availabilityZoneName: 'eu-south-1b' },
        },
      }),
    );
    expect(r.message.key).toBe('efs:mount-target.fail.one-zone');
  });

  it('fails mount targets that all sit in another VPC', async () => {
    const v = checkoutVolume();
    for (const m of v.mountTargets!) m.vpcId = 'vpc-0ffffffffffffffff';
    const s = withEfs();
    setFact(s, 'efs.volumes', [v]);
    expect((await runCheck(mountTargetCheck, s)).message.key).toBe('efs:mount-target.fail.other-vpc');
  });

  it('fails when the VPC cannot resolve the file system’s name, pointing at dns', async () => {
    const s = withEfs();
    value(s, 'ec2.vpcDns').enableDnsHostnames = false;
    const r = await runCheck(mountTargetCheck, s);
    expect(r.status).toBe('fail');
    expect(r.cause).toBe('dns');
  });

  it('is unknown, naming the action, when the file system could not be described', async () => {
    const error = {
      kind: 'denied' as const,
      code: 'AccessDeniedException',
      message: 'no',
      action: 'elasticfilesystem:DescribeFileSystems',
    };
    const r = await runCheck(
      mountTargetCheck,
      withEfs({ volume: { fileSystem: undefined, errors: [{ part: 'file-system', error }] } }),
    );
    expect(r.status).toBe('unknown');
    expect(r.missing?.error.action).toBe('elasticfilesystem:DescribeFileSystems');
  });

  it('skips a task without EFS volumes, and a diagnosis saved before EFS was read', async () => {
    expect((await runCheck(mountTargetCheck, loadFacts('identity/healthy.json'))).message.key).toBe(
      'efs:mount-target.skip.none',
    );
    const s = withEfs();
    delete s.facts['efs.volumes'];
    const r = await runCheck(mountTargetCheck, s);
    expect(r.message.key).toBe('efs:mount-target.skip.not-gathered');
    expect(r.inconclusive).toBe(true);
  });
});
