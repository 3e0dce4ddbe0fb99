/** Pure helpers over an ECS task record (no SDK imports: used by replay and the demo too). */
import type { TaskRecord } from './facts/types.js';

/** The ENI attachment details of a task as a name → value map. */
export function eniDetails(task: TaskRecord): Record<string, string> {
  const att = task.attachments?.find((a) => a.type === 'ElasticNetworkInterface' || a.type === 'eni');
  const out: Record<string, string> = {};
  for (const d of att?.details ?? []) if (d.name && d.value) out[d.name] = d.value;
  return out;
}

/** The service name of a task's group (`service:NAME`), if any. */
export function serviceOfGroup(group: string | undefined): string | undefined {
  return group?.startsWith('service:') ? group.slice('service:'.length) : undefined;
}

/** Every subnet id the task's ENI attachments name (a task rebuilt from its service may name several). */
export function taskSubnetIds(task: TaskRecord): string[] {
  const ids = (task.attachments ?? [])
    .filter((a) => a.type === 'ElasticNetworkInterface' || a.type === 'eni')
    .flatMap((a) => (a.details ?? []).filter((d) => d.name === 'subnetId' && d.value).map((d) => d.value!));
  return [...new Set(ids)];
}
