/** The task's EFS volumes as the EFS checks read them: which volumes, which zones the task mounts them from. */
import type { TaskContext } from '../../context.js';
import type { SubnetRecord } from '../../facts/ec2.js';
import type { EfsPart, EfsVolumeRecord, MountTargetRecord } from '../../facts/efs.js';
import { type EfsVolumeRef, efsVolumesOf } from '../../task-refs.js';
import type { FactReader } from '../types.js';

/** The task definition's EFS volumes. */
export function taskEfsVolumes(ctx: TaskContext): EfsVolumeRef[] {
  const td = ctx.taskDefinition;
  return td ? efsVolumesOf(td, ctx.partition, ctx.region, ctx.account) : [];
}

/**
 * The availability zones the task mounts from: its own (DescribeTasks says), else those of its subnets (a task
 * rebuilt from its service could have run in any of them). Empty when neither is known.
 */
export function taskZones(ctx: TaskContext, subnets: readonly SubnetRecord[] | undefined): string[] {
  if (ctx.availabilityZone) return [ctx.availabilityZone];
  const zones = (subnets ?? [])
    .filter((s) => ctx.network.subnetIds.includes(s.subnetId))
    .map((s) => s.availabilityZone)
    .filter((z): z is string => !!z);
  return [...new Set(zones)];
}

/** The task's subnet in a zone (where a mount target would go). */
export function subnetInZone(
  ctx: TaskContext,
  subnets: readonly SubnetRecord[] | undefined,
  zone: string,
): string | undefined {
  return subnets?.find((s) => ctx.network.subnetIds.includes(s.subnetId) && s.availabilityZone === zone)
    ?.subnetId;
}

/** The mount target the file system's name resolves to in a zone (one per zone), if any. */
export function mountTargetIn(
  targets: readonly MountTargetRecord[],
  zone: string,
  vpcId: string | undefined,
): MountTargetRecord | undefined {
  return targets.find((m) => m.availabilityZoneName === zone && (!vpcId || !m.vpcId || m.vpcId === vpcId));
}

/** The error of a part of the volume's record (a call that failed), if that part could not be read. */
export function partError(v: EfsVolumeRecord, part: EfsPart) {
  return v.errors.find((e) => e.part === part)?.error;
}

/**
 * The gathered records of the task's EFS volumes, or `not-gathered` for a diagnosis saved before ecs-pull read EFS.
 * An error of the whole fact throws (the check is unknown, naming it).
 */
export function efsRecords(facts: FactReader): EfsVolumeRecord[] | 'not-gathered' {
  if (!facts.raw('efs.volumes')) return 'not-gathered';
  return facts.optional('efs.volumes') ?? [];
}

/** The VPC the task runs in. */
export function taskVpc(ctx: TaskContext, subnets: readonly SubnetRecord[] | undefined): string | undefined {
  return ctx.network.vpcId ?? subnets?.[0]?.vpcId;
}
