/**
 * EFS facts: each EFS volume of the task definition with its file system (state, One Zone AZ), mount targets
 * (subnet, availability zone, state, address) and the security groups of those in the task's zone, the access point
 * it mounts through, and the file system policy. File system, mount targets, access point and policy are asked at
 * once, right after the task definition; only the mount targets' security groups wait for the mount targets.
 */

import { classifyAwsError, type FactError, hasErrorCode, NotApplicable } from '../../aws/errors.js';
import {
  DescribeAccessPointsCommand,
  DescribeFileSystemPolicyCommand,
  DescribeFileSystemsCommand,
  DescribeMountTargetSecurityGroupsCommand,
  DescribeMountTargetsCommand,
} from '../../aws/sdk/efs.js';
import { type EfsVolumeRef, efsVolumesOf } from '../task-refs.js';
import { taskAccount } from './ecs.js';
import { defineFact, type FactProvider } from './session.js';
import type { ProviderHandle } from './types.js';

export interface EfsFileSystemRecord {
  exists: boolean;
  arn?: string;
  name?: string;
  /** creating | available | updating | deleting | deleted | error */
  lifeCycleState?: string;
  /** A One Zone file system: the only zone it can be mounted in. */
  availabilityZoneName?: string;
  encrypted?: boolean;
}

export interface MountTargetRecord {
  mountTargetId: string;
  subnetId?: string;
  vpcId?: string;
  availabilityZoneName?: string;
  availabilityZoneId?: string;
  /** creating | available | updating | deleting | deleted | error */
  lifeCycleState?: string;
  ipAddress?: string;
  /** Its security groups; read for the mount targets in the task's availability zones only. */
  securityGroups?: string[];
}

export interface AccessPointRecord {
  accessPointId: string;
  exists: boolean;
  arn?: string;
  fileSystemId?: string;
  lifeCycleState?: string;
  posixUser?: { uid?: number; gid?: number };
  rootDirectory?: string;
}

export type EfsPart = 'file-system' | 'mount-targets' | 'security-groups' | 'access-point' | 'policy';

export interface EfsVolumeRecord extends EfsVolumeRef {
  fileSystem?: EfsFileSystemRecord;
  mountTargets?: MountTargetRecord[];
  accessPoint?: AccessPointRecord;
  /** The file system policy (JSON text); null when it has none; undefined when it could not be read. */
  policy?: string | null;
  /** Calls that failed: which part could not be read and why. */
  errors: Array<{ part: EfsPart; error: FactError }>;
}

declare module './types.js' {
  interface FactMap {
    'efs.volumes': EfsVolumeRecord[];
  }
}

/** Runs a call; its failure is recorded as the part that could not be read (or answered by `onError`). */
async function part<T>(
  rec: EfsVolumeRecord,
  name: EfsPart,
  action: string,
  fn: () => Promise<T>,
  onError?: (err: unknown) => T | undefined,
): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    const handled = onError?.(err);
    if (handled !== undefined) return handled;
    rec.errors.push({ part: name, error: classifyAwsError(err, action) });
    return undefined;
  }
}

/** The availability zones the task's subnets are in, when known (the task's own zone first). */
async function taskZones(h: ProviderHandle, task: { availabilityZone?: string }): Promise<Set<string>> {
  const zones = new Set<string>();
  if (task.availabilityZone) zones.add(task.availabilityZone);
  const subnets = await h.get('ec2.subnets');
  if (subnets.ok) for (const s of subnets.value) if (s.availabilityZone) zones.add(s.availabilityZone);
  return zones;
}

async function volume(
  h: ProviderHandle,
  ref: EfsVolumeRef,
  zones: Promise<Set<string>>,
): Promise<EfsVolumeRecord> {
  const rec: EfsVolumeRecord = { ...ref, errors: [] };
  const fsId = ref.fileSystemId;
  const fsParams = { FileSystemId: fsId };
  const notFound = (err: unknown) => hasErrorCode(err, 'FileSystemNotFound');
  const [fs, targets, ap, policy] = await Promise.all([
    part(
      rec,
      'file-system',
      'elasticfilesystem:DescribeFileSystems',
      async () => {
        const out = await h.call('elasticfilesystem:DescribeFileSystems', fsParams, ({ clients, signal }) =>
          clients.efs.send(new DescribeFileSystemsCommand(fsParams), { abortSignal: signal }),
        );
        const f = out.FileSystems?.find((x) => x.FileSystemId === fsId);
        if (!f) return { exists: false } as EfsFileSystemRecord;
        return {
          exists: true,
          ...(f.FileSystemArn ? { arn: f.FileSystemArn } : {}),
          ...(f.Name ? { name: f.Name } : {}),
          ...(f.LifeCycleState ? { lifeCycleState: f.LifeCycleState } : {}),
          ...(f.AvailabilityZoneName ? { availabilityZoneName: f.AvailabilityZoneName } : {}),
          ...(f.Encrypted !== undefined ? { encrypted: f.Encrypted } : {}),
        } as EfsFileSystemRecord;
      },
      (err) => (notFound(err) ? { exists: false } : undefined),
    ),
    part(
      rec,
      'mount-targets',
      'elasticfilesystem:DescribeMountTargets',
      async () => {
        const out = await h.call('elasticfilesystem:DescribeMountTargets', fsParams, ({ clients, signal }) =>
          clients.efs.send(new DescribeMountTargetsCommand(fsParams), { abortSignal: signal }),
        );
        return (out.MountTargets ?? []).map(
          (m): MountTargetRecord => ({
            mountTargetId: m.MountTargetId ?? '?',
            ...(m.SubnetId ? { subnetId: m.SubnetId } : {}),
            ...(m.VpcId ? { vpcId: m.VpcId } : {}),
            ...(m.AvailabilityZoneName ? { availabilityZoneName: m.AvailabilityZoneName } : {}),
            ...(m.AvailabilityZoneId ? { availabilityZoneId: m.AvailabilityZoneId } : {}),
            ...(m.LifeCycleState ? { lifeCycleState: m.LifeCycleState } : {}),
            ...(m.IpAddress ? { ipAddress: m.IpAddress } : {}),
          }),
        );
      },
      // No file system, no mount targets: the file system's own answer says so.
      (err) => (notFound(err) ? [] : undefined),
    ),
    ref.accessPointId ? accessPoint(h, rec, ref.accessPointId) : undefined,
    part(
      rec,
      'policy',
      'elasticfilesystem:DescribeFileSystemPolicy',
      async () => {
        const out = await h.call(
          'elasticfilesystem:DescribeFileSystemPolicy',
          fsParams,
          ({ clients, signal }) =>
            clients.efs.send(new DescribeFileSystemPolicyCommand(fsParams), { abortSignal: signal }),
        );
        return out.Policy ?? null;
      },
      (err) => (hasErrorCode(err, 'PolicyNotFound') ? null : notFound(err) ? null : undefined),
    ),
  ]);
  if (fs) rec.fileSystem = fs;
  if (ap) rec.accessPoint = ap;
  if (policy !== undefined) rec.policy = policy;
  if (!targets) return rec;
  // The security groups that matter are those of the mount target the task's zone resolves the name to.
  const inZone = await zones;
  const asked = targets.filter(
    (m) => !inZone.size || (m.availabilityZoneName && inZone.has(m.availabilityZoneName)),
  );
  await Promise.all(
    asked.map(async (m) => {
      const params = { MountTargetId: m.mountTargetId };
      const groups = await part(
        rec,
        'security-groups',
        'elasticfilesystem:DescribeMountTargetSecurityGroups',
        async () => {
          const out = await h.call(
            'elasticfilesystem:DescribeMountTargetSecurityGroups',
            params,
            ({ clients, signal }) =>
              clients.efs.send(new DescribeMountTargetSecurityGroupsCommand(params), { abortSignal: signal }),
          );
          return out.SecurityGroups ?? [];
        },
      );
      if (groups) m.securityGroups = groups;
    }),
  );
  rec.mountTargets = targets;
  return rec;
}

/** The access point the volume mounts through: that it exists, its file system, state, POSIX user and root. */
function accessPoint(
  h: ProviderHandle,
  rec: EfsVolumeRecord,
  id: string,
): Promise<AccessPointRecord | undefined> {
  const params = { AccessPointId: id };
  return part(
    rec,
    'access-point',
    'elasticfilesystem:DescribeAccessPoints',
    async () => {
      const out = await h.call('elasticfilesystem:DescribeAccessPoints', params, ({ clients, signal }) =>
        clients.efs.send(new DescribeAccessPointsCommand(params), { abortSignal: signal }),
      );
      const a = out.AccessPoints?.find((x) => x.AccessPointId === id);
      if (!a) return { accessPointId: id, exists: false };
      return {
        accessPointId: id,
        exists: true,
        ...(a.AccessPointArn ? { arn: a.AccessPointArn } : {}),
        ...(a.FileSystemId ? { fileSystemId: a.FileSystemId } : {}),
        ...(a.LifeCycleState ? { lifeCycleState: a.LifeCycleState } : {}),
        ...(a.PosixUser ? { posixUser: { uid: a.PosixUser.Uid, gid: a.PosixUser.Gid } } : {}),
        ...(a.RootDirectory?.Path ? { rootDirectory: a.RootDirectory.Path } : {}),
      };
    },
    (err) => (hasErrorCode(err, 'AccessPointNotFound') ? { accessPointId: id, exists: false } : undefined),
  );
}

/** Each EFS volume of the task: file system, mount targets (and their groups in the task's zone), access point, policy. */
export const efsVolumesFact = defineFact({
  name: 'efs.volumes',
  actions: [
    'elasticfilesystem:DescribeFileSystems',
    'elasticfilesystem:DescribeMountTargets',
    'elasticfilesystem:DescribeMountTargetSecurityGroups',
    'elasticfilesystem:DescribeAccessPoints',
    'elasticfilesystem:DescribeFileSystemPolicy',
  ],
  async get(h) {
    const [task, td] = await Promise.all([h.need('ecs.task'), h.need('ecs.taskDefinition')]);
    const t = h.inputs.target;
    const refs = efsVolumesOf(td, t.partition, t.region, taskAccount(h, task.task));
    if (!refs.length) throw new NotApplicable('the task definition has no EFS volume');
    const zones = taskZones(h, task.task);
    return Promise.all(refs.map((ref) => volume(h, ref, zones)));
  },
});

export const efsFacts: FactProvider[] = [efsVolumesFact] as FactProvider[];
