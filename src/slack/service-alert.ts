/**
 * Alerts that name no task, only a service in trouble: what ECS and CloudWatch send when a deployment fails or a
 * service cannot keep its tasks running, as an alerting app posts it (raw JSON, through Amazon Q Developer, or a
 * formatter's own words). Read from the flattened message (alert.ts), in linear time:
 *
 * - EventBridge `ECS Service Action` events SERVICE_TASK_START_IMPAIRED and SERVICE_TASK_PLACEMENT_FAILURE, and
 *   `ECS Deployment State Change` SERVICE_DEPLOYMENT_FAILED and the circuit breaker's rollback
 *   (SERVICE_DEPLOYMENT_IN_PROGRESS whose reason is "ECS deployment circuit breaker: rolling back to …"): the
 *   service ARN is in `resources`;
 * - CloudWatch alarms in state ALARM on a metric with the dimensions ClusterName and ServiceName (RunningTaskCount
 *   of Container Insights, CPUUtilization of AWS/ECS): the SNS notification's JSON (`Trigger.Dimensions`), the
 *   EventBridge `CloudWatch Alarm State Change` event (`metricStat.metric.dimensions`), or the text of a
 *   notification (`CloudWatch Alarm | NAME | REGION | Account: ID`, `ClusterName = …`, `ServiceName = …`);
 * - the service's own event texts: "(service X) is unable to consistently start tasks successfully",
 *   "(service X) (deployment ecs-svc/…) deployment failed", "(service X) rolling back to deployment …",
 *   "(service X) was unable to place a task";
 * - a service ARN (or `Service name:` and `Cluster name:` labels) next to what such alerts say ("deployment
 *   failed", "circuit breaker", "SERVICE_TASK_START_IMPAIRED", …).
 *
 * The account and region come from an ARN, else from the message's `Account:` and `Region:` labels (or the alarm
 * title). Only what names a service is taken from the message: its state, tasks and network are read from AWS.
 */
import { partitionOfRegion, regionPattern } from '../aws/partition.js';
import { type ServiceTarget, serviceArnRefs, serviceTarget } from '../aws/service-target.js';
import {
  accountLabelPattern,
  clusterArnPattern,
  clusterLabelPattern,
  flattenMessage,
  jsonCandidates,
  MAX_TEXT,
  regionLabelPattern,
  type SlackMessageLike,
  straightenQuotes,
} from './alert.js';

export type ServiceAlertKind =
  | 'task-start-impaired'
  | 'placement-failure'
  | 'deployment-failed'
  | 'rollback'
  | 'alarm';

/** A service an alert is about, and what the alert says happened to it. */
export interface ServiceAlert {
  /** Always with its account. */
  target: ServiceTarget;
  kind: ServiceAlertKind;
  /** The alarm's name (kind `alarm`). */
  alarm?: string | undefined;
}

const MAX_DEPTH = 8;
const MAX_SERVICES = 3;

const eventKinds: Record<string, ServiceAlertKind> = {
  SERVICE_TASK_START_IMPAIRED: 'task-start-impaired',
  SERVICE_TASK_PLACEMENT_FAILURE: 'placement-failure',
  SERVICE_DEPLOYMENT_FAILED: 'deployment-failed',
};

const rollingBack = /\brolling back\b/i;
const accountOfArn = /^arn:[\w-]+:[\w-]+:([a-z0-9-]*):(\d{12}):/;

type Found = {
  cluster: string;
  service: string;
  region: string;
  account: string;
  kind: ServiceAlertKind;
  alarm?: string;
};

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** An `ECS Service Action` or `ECS Deployment State Change` event that says the service is in trouble. */
function fromEcsEvent(o: Record<string, unknown>): Found | undefined {
  const type = o['detail-type'];
  if (type !== 'ECS Service Action' && type !== 'ECS Deployment State Change') return undefined;
  const detail = o.detail as Record<string, unknown> | undefined;
  const name = str(detail?.eventName);
  if (!name) return undefined;
  let kind = eventKinds[name];
  if (!kind && name === 'SERVICE_DEPLOYMENT_IN_PROGRESS' && rollingBack.test(str(detail?.reason) ?? ''))
    kind = 'rollback';
  if (!kind) return undefined;
  const resources = Array.isArray(o.resources) ? o.resources.filter((r) => typeof r === 'string') : [];
  const [ref] = serviceArnRefs(resources.join('\n'));
  if (!ref) return undefined;
  const cluster = ref.cluster ?? clusterArnPattern.exec(str(detail?.clusterArn) ?? '')?.[1];
  if (!cluster) return undefined;
  return { cluster, service: ref.service, region: ref.region, account: ref.account, kind };
}

/** The value of a dimension in `[{name, value}]` (SNS) or `{Name: value}` (EventBridge) form. */
function dimension(dims: unknown, name: string): string | undefined {
  if (Array.isArray(dims)) {
    for (const d of dims) {
      const x = d as Record<string, unknown> | null;
      if (x && (x.name === name || x.Name === name)) return str(x.value ?? x.Value);
    }
    return undefined;
  }
  if (dims && typeof dims === 'object') return str((dims as Record<string, unknown>)[name]);
  return undefined;
}

/** A CloudWatch alarm in state ALARM on a service's metric: the SNS notification or the EventBridge event. */
function fromAlarm(o: Record<string, unknown>): Found | undefined {
  // SNS: {"AlarmName", "AWSAccountId", "NewStateValue", "AlarmArn", "Trigger": {"Dimensions": [...]}}
  if (typeof o.AlarmName === 'string' && o.NewStateValue !== undefined) {
    if (o.NewStateValue !== 'ALARM') return undefined;
    const trigger = o.Trigger as Record<string, unknown> | undefined;
    const metrics = Array.isArray(trigger?.Metrics)
      ? (trigger!.Metrics as Array<Record<string, unknown>>)
      : [];
    const dims = [
      trigger?.Dimensions,
      ...metrics.map((m) => (m.MetricStat as Record<string, unknown> | undefined)?.Metric),
    ]
      .map((d) =>
        d && !Array.isArray(d) && typeof d === 'object' ? (d as Record<string, unknown>).Dimensions : d,
      )
      .filter(Boolean);
    const cluster = dims.map((d) => dimension(d, 'ClusterName')).find(Boolean);
    const service = dims.map((d) => dimension(d, 'ServiceName')).find(Boolean);
    const arn = accountOfArn.exec(str(o.AlarmArn) ?? '');
    const account = str(o.AWSAccountId) ?? arn?.[2];
    const region = arn?.[1];
    if (!cluster || !service || !account || !region) return undefined;
    return { cluster, service, account, region, kind: 'alarm', alarm: o.AlarmName };
  }
  // EventBridge: {"detail-type": "CloudWatch Alarm State Change", "detail": {"state": {"value"}, "configuration"}}
  if (o['detail-type'] === 'CloudWatch Alarm State Change') {
    const detail = o.detail as Record<string, unknown> | undefined;
    const state = (detail?.state as Record<string, unknown> | undefined)?.value;
    if (state !== 'ALARM') return undefined;
    const config = detail?.configuration as Record<string, unknown> | undefined;
    const metrics = Array.isArray(config?.metrics) ? (config!.metrics as Array<Record<string, unknown>>) : [];
    const dims = metrics.map(
      (m) =>
        ((m.metricStat as Record<string, unknown> | undefined)?.metric as Record<string, unknown> | undefined)
          ?.dimensions,
    );
    const cluster = dims.map((d) => dimension(d, 'ClusterName')).find(Boolean);
    const service = dims.map((d) => dimension(d, 'ServiceName')).find(Boolean);
    const account = str(o.account);
    const region = str(o.region);
    if (!cluster || !service || !account || !region) return undefined;
    return { cluster, service, account, region, kind: 'alarm', alarm: str(detail?.alarmName) };
  }
  return undefined;
}

/** Every service alert inside a parsed JSON value: SNS envelopes and JSON-in-strings are opened too. */
function inJson(value: unknown, out: Found[], depth = 0): void {
  if (depth > MAX_DEPTH || value == null || out.length >= MAX_SERVICES) return;
  if (typeof value === 'string') {
    const s = value.trim();
    if ((s.startsWith('{') || s.startsWith('[')) && s.length < MAX_TEXT) {
      try {
        inJson(JSON.parse(s), out, depth + 1);
      } catch {
        // Not JSON after all.
      }
    }
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value.slice(0, 50)) inJson(v, out, depth + 1);
    return;
  }
  if (typeof value !== 'object') return;
  const o = value as Record<string, unknown>;
  const found = fromEcsEvent(o) ?? fromAlarm(o);
  if (found) {
    out.push(found);
    return;
  }
  for (const v of Object.values(o)) inJson(v, out, depth + 1);
}

// ---------------------------------------------------------------------------------------------------------------
// Text

const name = '([A-Za-z0-9_-]{1,255})';
/** The service's own event texts, as ECS writes them in DescribeServices' events. */
const serviceEventPatterns: Array<[RegExp, ServiceAlertKind]> = [
  [
    new RegExp(`\\(service ${name}\\) is unable to consistently start tasks successfully`),
    'task-start-impaired',
  ],
  [
    new RegExp(`\\(service ${name}\\) \\(deployment ecs-svc/\\d{1,40}\\) deployment failed`),
    'deployment-failed',
  ],
  [new RegExp(`\\(service ${name}\\) rolling back to deployment`), 'rollback'],
  [new RegExp(`\\(service ${name}\\) was unable to place a task`), 'placement-failure'],
];
/** What an alert about a service in trouble says, in the words of ECS, its events and common formatters. */
const troubleWords: Array<[RegExp, ServiceAlertKind]> = [
  [/\bSERVICE_TASK_START_IMPAIRED\b|\bunable to consistently start tasks\b/i, 'task-start-impaired'],
  [/\bSERVICE_TASK_PLACEMENT_FAILURE\b|\bunable to place a task\b/i, 'placement-failure'],
  [/\brolling back to deployment\b|\bcircuit breaker: rolling back\b/i, 'rollback'],
  [
    /\bSERVICE_DEPLOYMENT_FAILED\b|\bdeployment failed\b|\bdeployment circuit breaker\b/i,
    'deployment-failed',
  ],
];
const serviceLabelPattern = /\bservice(?:[\s_-]*name)?\s*[:=]\s*["'`*_]*([A-Za-z0-9_-]{1,255})/i;
const dimensionPattern = (dim: string) =>
  new RegExp(`\\b${dim}\\b["'\`*_]*\\s*[:=]\\s*["'\`*_]*([A-Za-z0-9_-]{1,255})`);
const clusterDimension = dimensionPattern('ClusterName');
const serviceDimension = dimensionPattern('ServiceName');
/** Amazon Q Developer's alarm title: `CloudWatch Alarm | NAME | REGION | Account: ID`. */
const alarmTitle = /CloudWatch Alarm \| ([^|\n]{1,255}?) \| ((?:[a-z]{2}|us-gov|cn)-[a-z]+-\d{1,2})\b/;
const alarmNameLabel = /\bAlarm\s*Name\s*[:=]\s*["'`*_]*([^\s"'`*_|][^\n"'`*|]{0,254})/i;
/** The alarm is (or went) in state ALARM, and no later state is named. */
const alarmState = /\bALARM\b/;
const okState = /(?:->|→|\bto|\bstate\s*:?|\bNewStateValue\W{0,4})\s*["'`*_]*(?:OK|INSUFFICIENT_DATA)\b/i;
const consoleRegion = /[?&]region=((?:[a-z]{2}|us-gov|cn)-[a-z]+-\d{1,2})\b/;
const anyArnRegionAccount =
  /arn:aws(?:-cn|-us-gov)?:[a-z0-9-]+:((?:[a-z]{2}|us-gov|cn)-[a-z]+-\d{1,2}):(\d{12}):/;

/** Services the text names in the words of an alert. */
function inText(text: string, out: Found[]): void {
  const arns = serviceArnRefs(text);
  const arnRegion = anyArnRegionAccount.exec(text);
  const account = arns[0]?.account ?? accountLabelPattern.exec(text)?.[1] ?? arnRegion?.[2];
  const title = alarmTitle.exec(text);
  const region =
    arns[0]?.region ??
    regionLabelPattern.exec(text)?.[1] ??
    title?.[2] ??
    arnRegion?.[1] ??
    consoleRegion.exec(text)?.[1];
  const labelledCluster =
    clusterArnPattern.exec(text)?.[1] ??
    clusterDimension.exec(text)?.[1] ??
    clusterLabelPattern.exec(text)?.[1];
  const clusterOf = (service: string) =>
    arns.find((a) => a.service === service && a.cluster)?.cluster ?? labelledCluster;
  const push = (service: string, kind: ServiceAlertKind, alarm?: string) => {
    const cluster = clusterOf(service);
    if (!cluster || !account || !region) return;
    out.push({ cluster, service, account, region, kind, ...(alarm ? { alarm } : {}) });
  };

  // 1. The service's own event texts.
  for (const [pattern, kind] of serviceEventPatterns) {
    const m = pattern.exec(text);
    if (m) {
      push(m[1]!, kind);
      return;
    }
  }
  // 2. A CloudWatch alarm on the service's metric, in state ALARM.
  const alarmService = serviceDimension.exec(text)?.[1];
  if (alarmService && /\balarm\b/i.test(text) && alarmState.test(text) && !okState.test(text)) {
    const alarm = title?.[1]?.trim() ?? alarmNameLabel.exec(text)?.[1]?.trim();
    push(alarmService, 'alarm', alarm);
    return;
  }
  // 3. A service ARN, or a service label, next to what a service alert says.
  const trouble = troubleWords.find(([p]) => p.test(text))?.[1];
  if (!trouble) return;
  const service = arns[0]?.service ?? serviceLabelPattern.exec(text)?.[1];
  if (service) push(service, trouble);
}

/**
 * The services an alert names (at most 3, each once, in the order found): events and alarms in its JSON first,
 * then its words.
 */
export function findServiceAlerts(text: string): ServiceAlert[] {
  const found: Found[] = [];
  const straight = straightenQuotes(text);
  for (const candidate of jsonCandidates(straight)) {
    try {
      inJson(JSON.parse(candidate), found);
    } catch {
      // A brace that does not start JSON.
    }
  }
  if (!found.length) inText(text, found);
  const out: ServiceAlert[] = [];
  const seen = new Set<string>();
  for (const f of found) {
    if (!regionPattern.test(f.region) || !/^\d{12}$/.test(f.account)) continue;
    let target: ServiceTarget;
    try {
      target = serviceTarget(f.cluster, f.service, f.region, f.account);
    } catch {
      continue;
    }
    const key = `${partitionOfRegion(f.region)}:${f.account}:${f.region}:${f.cluster}/${f.service}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ target, kind: f.kind, ...(f.alarm ? { alarm: f.alarm.slice(0, 255) } : {}) });
    if (out.length >= MAX_SERVICES) break;
  }
  return out;
}

/** The services a Slack message names (flattened first). */
export function findServiceAlertsInMessage(msg: SlackMessageLike): ServiceAlert[] {
  return findServiceAlerts(flattenMessage(msg));
}
