import type { SecurityGroupRecord } from '../../facts/ec2.js';
import type { EfsVolumeRecord } from '../../facts/efs.js';
import { cidrContains } from '../shared/cidr.js';
import { authorize, fixOf, param } from '../shared/commands.js';
import { efsRecords, mountTargetIn, partError, taskEfsVolumes, taskVpc, taskZones } from '../shared/efs.js';
import { worstOf } from '../shared/fold.js';
import { sgAllows } from '../shared/path.js';
import { type CheckInput, type CheckResult, defineCheck, type Message, results } from '../types.js';

const r = results('efs.security-groups');

/** NFS is TCP 2049: the mount target's groups must let it in from the task, the task's groups let it out. */
const NFS = 2049;

/** The security groups of the mount target in the task's zone let NFS (TCP 2049) in from the task, and the task's own groups let it out to the mount target. */
export const efsSecurityGroupsCheck = defineCheck(r, {
  cause: 'efs-mount',
  failedTask: 'refines',
  cannotTell: ['skip.not-gathered', 'skip.no-target'],
  needs: ['efs.volumes', 'ec2.subnets', 'ec2.securityGroups'],
  commands(result, { context: ctx }) {
    const first = (name: string) =>
      (param(result.remediation, name) ?? '').split(', ').find((g) => g.startsWith('sg-'));
    const mountTargetGroup = first('mountTargetGroups');
    if (fixOf(result) === 'allow-in') {
      const source = param(result.remediation, 'source');
      if (!mountTargetGroup || !source) return [];
      const peer = source.startsWith('sg-') ? { groupId: source } : { cidr: source };
      return [authorize('ingress', mountTargetGroup, NFS, peer, ctx.region)];
    }
    const taskGroup = first('taskGroups');
    const address = param(result.remediation, 'address');
    if (fixOf(result) !== 'allow-out' || !taskGroup) return [];
    const peer = mountTargetGroup
      ? { groupId: mountTargetGroup }
      : address
        ? { cidr: `${address}/32` }
        : undefined;
    return peer ? [authorize('egress', taskGroup, NFS, peer, ctx.region)] : [];
  },
  run(input) {
    if (!taskEfsVolumes(input.context).length) return r.skip('skip.none');
    const records = efsRecords(input.facts);
    if (records === 'not-gathered') return r.skip('skip.not-gathered');
    if (!records.length) return r.skip('skip.none');
    return worstOf(records.map((v) => oneVolume(input, v)));
  },
});

function oneVolume({ context: ctx, facts, links }: CheckInput, v: EfsVolumeRecord): CheckResult {
  const params = { fileSystemId: v.fileSystemId, volume: v.volume };
  const subnets = facts.optional('ec2.subnets');
  const zones = taskZones(ctx, subnets);
  const vpcId = taskVpc(ctx, subnets);
  // A missing file system or mount target is efs.mount-target's finding: no group to look at here.
  const targets = zones.flatMap((z) => {
    const m = mountTargetIn(v.mountTargets ?? [], z, vpcId);
    return m ? [m] : [];
  });
  const mtError = partError(v, 'mount-targets');
  if (mtError)
    return {
      ...r.unknown('unknown.error', { ...params, action: mtError.action ?? '?' }),
      missing: { fact: 'efs.volumes', error: mtError },
    };
  if (v.fileSystem?.exists === false || !targets.length) return r.skip('skip.no-target', params);
  const sgError = partError(v, 'security-groups');
  if (sgError)
    return {
      ...r.unknown('unknown.error', { ...params, action: sgError.action ?? '?' }),
      missing: { fact: 'efs.volumes', error: sgError },
    };
  const taskGroups = ctx.network.securityGroupIds ?? [];
  const subnet = subnets?.find((s) => ctx.network.subnetIds.includes(s.subnetId));
  const ip = ctx.network.privateIp;
  // The task's own address when it lies in its subnet, else the subnet's range stands for it.
  const source = ip && subnet?.cidrBlock && cidrContains(subnet.cidrBlock, ip) ? ip : subnet?.cidrBlock;
  if (!taskGroups.length && !source) return r.unknown('unknown.no-source', params);
  const groups = facts.get('ec2.securityGroups');
  const evidence: Message[] = [r.ev('source', { cidr: source ?? '?', groups: taskGroups.join(', ') || '?' })];
  for (const m of targets) {
    const mtGroupIds = m.securityGroups ?? [];
    const mtGroups = groups.filter((g) => mtGroupIds.includes(g.groupId));
    const fix = { mountTargetGroups: mtGroupIds.join(', ') || '—', source: taskGroups[0] ?? source ?? '?' };
    const mtLinks = [...mtGroupIds.map((g) => links.securityGroup(g)), links.efsFileSystem(v.fileSystemId)];
    const unseen = mtGroupIds.filter((g) => !mtGroups.some((x) => x.groupId === g));
    if (unseen.length)
      return r.unknown(
        'unknown.group-not-found',
        { ...params, groups: unseen.join(', ') },
        { evidence, links: mtLinks },
      );
    const inbound = sgAllows(mtGroups, 'ingress', { cidr: source, groupIds: taskGroups }, NFS);
    if (!inbound) {
      evidence.push(r.ev('in-blocked', { mountTarget: m.mountTargetId, groups: fix.mountTargetGroups }));
      return r.fail(
        'fail.ingress',
        { ...params, mountTarget: m.mountTargetId, ...fix },
        { evidence, links: mtLinks, remediation: r.fix('allow-in', fix) },
      );
    }
    evidence.push(
      r.ev('in-allowed', { mountTarget: m.mountTargetId, groupId: inbound.groupId, from: inbound.value }),
    );
    const out = egress(groups, taskGroups, m.ipAddress, mtGroupIds);
    if (out === 'unknown') continue;
    if (!out) {
      const address = m.ipAddress ?? '?';
      evidence.push(r.ev('out-blocked', { groups: taskGroups.join(', '), address }));
      return r.fail(
        'fail.egress',
        { ...params, mountTarget: m.mountTargetId, taskGroups: taskGroups.join(', '), address, ...fix },
        {
          evidence,
          links: [...taskGroups.map((g) => links.securityGroup(g)), links.efsFileSystem(v.fileSystemId)],
          remediation: r.fix('allow-out', { taskGroups: taskGroups.join(', '), address, ...fix }),
        },
      );
    }
    evidence.push(r.ev('out-allowed', { groupId: out.groupId, to: out.value }));
  }
  return r.pass(
    'pass',
    { ...params, mountTargets: targets.map((m) => m.mountTargetId).join(', ') },
    { evidence, links: [links.efsFileSystem(v.fileSystemId)] },
  );
}

/** The rule of the task's groups that lets NFS out to the mount target, undefined when none; `unknown` without the groups. */
function egress(
  groups: readonly SecurityGroupRecord[],
  taskGroups: readonly string[],
  address: string | undefined,
  mtGroupIds: readonly string[],
) {
  const mine = groups.filter((g) => taskGroups.includes(g.groupId));
  if (!mine.length) return 'unknown' as const;
  return sgAllows(mine, 'egress', { cidr: address, groupIds: [...mtGroupIds] }, NFS);
}
