import { aws } from '../../commands.js';
import type { EfsVolumeRecord } from '../../facts/efs.js';
import { enableVpcDns, fixOf, IAC, one, param } from '../shared/commands.js';
import {
  efsRecords,
  mountTargetIn,
  partError,
  subnetInZone,
  taskEfsVolumes,
  taskVpc,
  taskZones,
} from '../shared/efs.js';
import { okValue, worstOf } from '../shared/fold.js';
import { vpcResolvesPrivately } from '../shared/path.js';
import { type CheckInput, type CheckResult, defineCheck, type Message, results } from '../types.js';

const r = results('efs.mount-target');

/** Each EFS file system exists and is available, and has an available mount target in the task's availability zone and VPC, whose name the VPC's DNS resolves. */
export const mountTargetCheck = defineCheck(r, {
  cause: 'efs-mount',
  cannotTell: ['skip.not-gathered'],
  needs: ['efs.volumes', 'ec2.subnets', 'ec2.vpcDns'],
  commands(result, { context: ctx, facts }) {
    const fix = fixOf(result);
    const vpcId = param(result.remediation, 'vpcId');
    if (fix === 'dns' && vpcId) return enableVpcDns(ctx.region, vpcId, okValue(facts.raw('ec2.vpcDns')));
    const fileSystemId = param(result.remediation, 'fileSystemId');
    const subnetId = param(result.remediation, 'subnetId');
    if (fix !== 'create' || !fileSystemId || !subnetId) return [];
    // The groups the file system's other mount targets have (else EFS gives the VPC's default group).
    const v = (okValue(facts.raw('efs.volumes')) ?? []).find((x) => x.fileSystemId === fileSystemId);
    const groups = v?.mountTargets?.find((m) => m.securityGroups?.length)?.securityGroups;
    return [
      one(
        aws(
          'efs',
          'create-mount-target',
          {
            'file-system-id': fileSystemId,
            'subnet-id': subnetId,
            'security-groups': groups?.length ? groups : undefined,
          },
          ctx.region,
        ),
        { iac: IAC.mountTarget },
      ),
    ];
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
  const fsLink = links.efsFileSystem(v.fileSystemId);
  const params = { fileSystemId: v.fileSystemId, volume: v.volume };
  const fsError = partError(v, 'file-system');
  if (fsError)
    return {
      ...r.unknown('unknown.error', { ...params, action: fsError.action ?? '?' }, { links: [fsLink] }),
      missing: { fact: 'efs.volumes', error: fsError },
    };
  const fs = v.fileSystem;
  if (!fs?.exists)
    return r.fail('fail.no-file-system', params, { remediation: r.fix('file-system', params) });
  if (fs.lifeCycleState && fs.lifeCycleState !== 'available')
    return r.fail('fail.state', { ...params, state: fs.lifeCycleState }, { links: [fsLink] });
  const subnets = facts.optional('ec2.subnets');
  const zones = taskZones(ctx, subnets);
  const evidence: Message[] = [];
  if (fs.availabilityZoneName) {
    evidence.push(r.ev('one-zone', { fileSystemId: v.fileSystemId, zone: fs.availabilityZoneName }));
    const elsewhere = zones.filter((z) => z !== fs.availabilityZoneName);
    if (zones.length && elsewhere.length) {
      const zone = elsewhere[0]!;
      return r.fail(
        'fail.one-zone',
        { ...params, zone, fsZone: fs.availabilityZoneName },
        {
          evidence,
          links: [fsLink],
          remediation: r.fix('one-zone', { ...params, fsZone: fs.availabilityZoneName }),
        },
      );
    }
  }
  const mtError = partError(v, 'mount-targets');
  if (mtError)
    return {
      ...r.unknown('unknown.error', { ...params, action: mtError.action ?? '?' }, { links: [fsLink] }),
      missing: { fact: 'efs.volumes', error: mtError },
    };
  const targets = v.mountTargets ?? [];
  const vpcId = taskVpc(ctx, subnets);
  for (const m of targets)
    evidence.push(
      r.ev('target', {
        mountTarget: m.mountTargetId,
        zone: m.availabilityZoneName ?? '?',
        subnetId: m.subnetId ?? '?',
        state: m.lifeCycleState ?? '?',
        address: m.ipAddress ?? '?',
      }),
    );
  if (!targets.length)
    return r.fail('fail.no-targets', params, {
      evidence,
      links: [fsLink],
      remediation: r.fix('create', {
        ...params,
        zone: zones[0] ?? '?',
        subnetId: (zones[0] && subnetInZone(ctx, subnets, zones[0])) || ctx.network.subnetIds[0] || '?',
      }),
    });
  if (vpcId && targets.every((m) => m.vpcId && m.vpcId !== vpcId)) {
    const other = [...new Set(targets.map((m) => m.vpcId!))].join(', ');
    return r.fail(
      'fail.other-vpc',
      { ...params, vpcId, targetVpcs: other },
      { evidence, links: [fsLink], remediation: r.fix('other-vpc', { ...params, vpcId }) },
    );
  }
  if (!zones.length) return r.unknown('unknown.zone', params, { evidence, links: [fsLink] });
  evidence.unshift(r.ev('task-zones', { zones: zones.join(', ') }));
  for (const zone of zones) {
    const m = mountTargetIn(targets, zone, vpcId);
    if (!m) {
      const subnetId = subnetInZone(ctx, subnets, zone) ?? ctx.network.subnetIds[0] ?? '?';
      const others = targets.map((t) => t.availabilityZoneName ?? '?').join(', ');
      return r.fail(
        'fail.no-target',
        { ...params, zone, zones: others },
        {
          evidence,
          links: [fsLink, links.subnet(subnetId)],
          remediation: r.fix('create', { ...params, zone, subnetId }),
        },
      );
    }
    if (m.lifeCycleState && m.lifeCycleState !== 'available')
      return r.fail(
        'fail.target-state',
        { ...params, target: m.mountTargetId, targetZone: zone, state: m.lifeCycleState },
        { evidence, links: [fsLink] },
      );
  }
  // The mount helper resolves fs-….efs.REGION.amazonaws.com through the VPC's resolver.
  const dns = facts.raw('ec2.vpcDns');
  if (dns?.ok && !vpcResolvesPrivately(dns.value)) {
    return r.fail(
      'fail.dns',
      {
        ...params,
        vpcId: dns.value.vpcId,
        support: String(dns.value.enableDnsSupport ?? '?'),
        hostnames: String(dns.value.enableDnsHostnames ?? '?'),
      },
      {
        evidence,
        links: [links.vpcDetails(dns.value.vpcId), fsLink],
        remediation: r.fix('dns', { vpcId: dns.value.vpcId }),
        cause: 'dns',
      },
    );
  }
  const m = mountTargetIn(targets, zones[0]!, vpcId)!;
  return r.pass(
    'pass',
    { ...params, mountTarget: m.mountTargetId, zone: zones.join(', ') },
    { evidence, links: [fsLink] },
  );
}
