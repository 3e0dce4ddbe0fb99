import { describe, expect, it } from 'vitest';
import { efsSecurityGroupsCheck } from '../../../../src/diagnosis/checks/efs/security-groups.js';
import { english, evidenceText, loadFacts, runCheck, value } from '../../../helpers/checks.js';
import { MT_SG, TASK_SG, withEfs } from '../../../helpers/start-facts.js';

describe('efs.security-groups: NFS (TCP 2049) from the task to the mount target, both ways', () => {
  it('passes when the mount target’s group admits the task’s group and the task may go out', async () => {
    const r = await runCheck(efsSecurityGroupsCheck, withEfs());
    expect(r.status).toBe('pass');
    expect(evidenceText(r)).toContain(`${MT_SG} allows TCP 2049 from ${TASK_SG}`);
  });

  it('fails a mount target group without 2049 from the task, with the rule to add', async () => {
    const r = await runCheck(efsSecurityGroupsCheck, withEfs({ mtIngress: false }));
    expect(r.status).toBe('fail');
    expect(r.cause).toBe('efs-mount');
    expect(r.message.key).toBe('efs:security-groups.fail.ingress');
    expect(english(r.remediation!)).toBe(`Add an inbound rule to ${MT_SG}: TCP 2049 from ${TASK_SG}.`);
    expect(r.links.map((l) => l.id)).toContain(MT_SG);
  });

  it('fails a task whose groups let nothing out to the mount target', async () => {
    const s = withEfs();
    value(s, 'ec2.securityGroups').find((g) => g.groupId === TASK_SG)!.egress = [
      {
        protocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        cidrs: ['0.0.0.0/0'],
        ipv6Cidrs: [],
        prefixListIds: [],
        groupIds: [],
      },
    ];
    const r = await runCheck(efsSecurityGroupsCheck, s);
    expect(r.message.key).toBe('efs:security-groups.fail.egress');
    expect(english(r.message)).toContain('10.40.12.200');
  });

  it('is unknown, naming the action, when the mount target’s groups could not be read', async () => {
    const error = {
      kind: 'denied' as const,
      code: 'AccessDeniedException',
      message: 'no',
      action: 'elasticfilesystem:DescribeMountTargetSecurityGroups',
    };
    const r = await runCheck(
      efsSecurityGroupsCheck,
      withEfs({ volume: { errors: [{ part: 'security-groups', error }] } }),
    );
    expect(r.status).toBe('unknown');
    expect(r.missing?.error.action).toBe('elasticfilesystem:DescribeMountTargetSecurityGroups');
  });

  it('skips without EFS, without a mount target in the task’s zone, and for an old saved diagnosis', async () => {
    expect((await runCheck(efsSecurityGroupsCheck, loadFacts('identity/healthy.json'))).message.key).toBe(
      'efs:security-groups.skip.none',
    );
    const s = withEfs();
    const v = value(s, 'efs.volumes')[0]!;
    v.mountTargets = v.mountTargets!.filter((m) => m.availabilityZoneName !== 'eu-south-1a');
    const noTarget = await runCheck(efsSecurityGroupsCheck, s);
    expect(noTarget.message.key).toBe('efs:security-groups.skip.no-target');
    expect(noTarget.inconclusive).toBe(true);
    const old = withEfs();
    delete old.facts['efs.volumes'];
    expect((await runCheck(efsSecurityGroupsCheck, old)).message.key).toBe(
      'efs:security-groups.skip.not-gathered',
    );
  });
});
