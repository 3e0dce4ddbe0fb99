/**
 * The report of a service diagnosis: data only, as every surface renders it (text, JSON, Block Kit). The service
 * as DescribeServices shows it, its recently stopped tasks in groups (one stop reason each, its variable parts
 * masked) with the diagnosis of one task per group, and, when ECS showed no stopped task, the pre-flight of the
 * task the service would start now.
 */
import type { LinkRef } from '../aws/console-links.js';
import type { ServiceTarget } from '../aws/service-target.js';
import type { CheckReport } from './check-report.js';
import type { Message } from './checks/types.js';
import type { ServiceState } from './facts/service-tasks.js';
import type { AwsStats, Report } from './report.js';

/** Tasks that stopped for one reason (its addresses, counts and ids masked). */
export interface ServiceGroup {
  /** The stop reason of the group's most recent task, as ECS wrote it ('' when it gave none). */
  stoppedReason: string;
  stopCode?: string | undefined;
  count: number;
  /** Most recent first. */
  taskArns: string[];
  /** When the first and the last of them stopped (ISO 8601). */
  first?: string | undefined;
  last?: string | undefined;
  /** The tasks failed to pull or start (as opposed to stopping for a reason ECS states: scaled in, exited…). */
  failed: boolean;
  /** The diagnosis of the group's most recent task, as `why --json` prints it; null when it was not diagnosed. */
  report: Report | null;
  /** Why there is no report. */
  error?: Message | undefined;
}

/** What the pre-flight of the service's current task definition and network answered (check-report.ts). */
export type ServicePreflight = CheckReport;

export interface ServiceReport {
  schema: 1;
  kind: 'ecs-pull-service-report';
  generatedAt: string;
  target: ServiceTarget;
  service: ServiceState & {
    account: string;
    region: string;
    cluster: string;
    stoppedTasks: { listed: number; described: number; truncated: boolean };
  };
  /** The group that matters first (failed tasks first, then the most tasks, then the most recent). */
  groups: ServiceGroup[];
  /** Run when ECS showed no stopped task of the service; null otherwise (or when it could not run: see notes). */
  preflight: ServicePreflight | null;
  /** What the answer rests on: no stopped task left and the pre-flight ran, a listing that failed, … */
  notes: Message[];
  /** Console pages of the service: its health page, its events tab and its deployments tab. */
  links: { service: LinkRef; events: LinkRef; deployments: LinkRef };
  aws: AwsStats;
}

/** `family:revision` of a task definition ARN. */
export function shortTaskDefinition(arn: string | undefined): string {
  return arn?.split('/').pop() ?? '—';
}
