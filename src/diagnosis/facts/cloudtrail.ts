/**
 * CloudTrail facts: what was changed, and by whom, on the resources the failing and warning checks name, from the
 * account's event history (cloudtrail:LookupEvents, free, 90 days, no trail needed).
 *
 * Unlike every other fact this one is asked for after the checks have run: which resources to look up is decided
 * from their results (src/diagnosis/changes.ts plans it), and the diagnosis hands the plan over in its inputs
 * (`inputs.changes`) before gathering `cloudtrail.changes`. LookupEvents takes one lookup attribute a request and is
 * limited to two requests a second per account and region, so the plan holds a few lookups, by resource name, all
 * made in one round; a lookup that fails (throttled, denied, the deadline) is kept as that resource's error and the
 * others stand. Read events are dropped here (the attribute that would filter them cannot be combined with the
 * resource name), except ECR's lifecycle expiries, which CloudTrail records as read-only service events.
 */

import type { LinkKind } from '../../aws/console-links.js';
import { classifyAwsError, type FactError, NotApplicable } from '../../aws/errors.js';
import { LookupEventsCommand, type LookupEventsCommandOutput } from '../../aws/sdk/cloudtrail.js';
import { defineFact, type FactProvider } from './session.js';
import type { CallScope, FactName, ProviderHandle } from './types.js';

/** One resource to look up. */
export interface ChangeLookup {
  /** The resource as the checks name it (its console link's kind and id). */
  kind: LinkKind;
  id: string;
  /**
   * Its LookupEvents ResourceName: the id for EC2 resources, the name for an IAM role, the ARN for an ECR repository,
   * a KMS key, a secret, a task definition (the event history files those services' events under their ARNs).
   */
  name: string;
  /** Its account (undefined: the task's). */
  account?: string | undefined;
  /** Where its events are recorded: the task's region, IAM's in the partition's global region (us-east-1). */
  region: string;
}

/** What the diagnosis asks `cloudtrail.changes` to look up (planned from the check results). */
export interface ChangeLookupPlan {
  /** The budget: lookups a diagnosis makes, and in one account and region (LookupEvents: 2 a second there). */
  limits: { maxLookups: number; perRegion: number };
  /** Best first, at most `changes.maxLookups`. */
  lookups: ChangeLookup[];
  /** Resources the checks named beyond the budget: not looked up. */
  skipped: Array<{ kind: LinkKind; id: string }>;
  /** When the task failed (its stop time), and the window looked at (ISO, whole minutes). */
  failureAt: string;
  from: string;
  to: string;
  /** The facts the checks read: the lookups run in the round after the deepest of them (the plan needs them all). */
  after: FactName[];
}

/** The parts of a CloudTrail record the timeline reads, long values cut. */
export interface TrailRecord {
  eventType?: string;
  userIdentity?: Record<string, unknown>;
  requestParameters?: Record<string, unknown> | null;
  responseElements?: Record<string, unknown> | null;
  serviceEventDetails?: Record<string, unknown>;
  additionalEventData?: Record<string, unknown>;
  userAgent?: string;
  sourceIPAddress?: string;
  sessionCredentialFromConsole?: string;
  errorCode?: string;
  awsRegion?: string;
  readOnly?: boolean;
}

/** One event of the event history. */
export interface TrailEvent {
  eventId: string;
  eventName: string;
  eventSource: string;
  /** ISO. */
  eventTime: string;
  /** LookupEvents' Username. */
  username?: string;
  /** The record (the CloudTrailEvent JSON string, parsed and trimmed); absent when it could not be parsed. */
  record?: TrailRecord;
}

export interface ChangeLookupResult extends ChangeLookup {
  /** Write events (and lifecycle expiries), newest first. */
  events: TrailEvent[];
  /** Read events left out. */
  readEvents: number;
  /** The page was full: older events in the window were not read. */
  more?: boolean;
  /** The lookup failed: throttled, denied, the deadline… */
  error?: FactError;
  /** No role is configured for its account: not looked up. */
  unreachable?: boolean;
}

export interface ChangesRecord {
  limits: { maxLookups: number; perRegion: number };
  failureAt: string;
  from: string;
  to: string;
  lookups: ChangeLookupResult[];
  skipped: Array<{ kind: LinkKind; id: string }>;
}

declare module './types.js' {
  interface FactMap {
    'cloudtrail.changes': ChangesRecord;
  }
  interface DiagnosisInputs {
    /** Set by the diagnosis after the checks ran: what `cloudtrail.changes` looks up. */
    changes?: ChangeLookupPlan | undefined;
  }
}

/** LookupEvents' largest page. */
export const LOOKUP_PAGE = 50;

/** ECR's lifecycle expiries: service events CloudTrail marks read-only, though they delete images. */
const KEPT_READ_EVENTS = new Set(['PolicyExecutionEvent']);

/** A string longer than this in a record (a policy document, a manifest) is cut. */
const MAX_STRING = 240;
const MAX_ITEMS = 40;

/** A JSON value with long strings cut and long arrays shortened, so that a saved diagnosis stays small. */
function trim(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  if (Array.isArray(value)) return value.slice(0, MAX_ITEMS).map((v) => trim(v, depth + 1));
  if (value && typeof value === 'object') {
    if (depth > 8) return '…';
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, trim(v, depth + 1)]));
  }
  return value;
}

const RECORD_FIELDS = [
  'eventType',
  'userIdentity',
  'requestParameters',
  'responseElements',
  'serviceEventDetails',
  'additionalEventData',
  'userAgent',
  'sourceIPAddress',
  'sessionCredentialFromConsole',
  'errorCode',
  'awsRegion',
  'readOnly',
] as const;

/** The record of an event: CloudTrailEvent is the record as a JSON string. */
export function parseRecord(json: string | undefined): TrailRecord | undefined {
  if (!json) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!raw || typeof raw !== 'object') return undefined;
  const out: Record<string, unknown> = {};
  for (const f of RECORD_FIELDS) {
    const v = (raw as Record<string, unknown>)[f];
    if (v !== undefined) out[f] = trim(v);
  }
  return out as TrailRecord;
}

/** Whether the event changed something: a write that did not fail, or an ECR lifecycle expiry. */
export function isChange(e: { ReadOnly?: string; EventName?: string }, record: TrailRecord | undefined) {
  const readOnly = e.ReadOnly === 'true' || record?.readOnly === true;
  if (readOnly && !KEPT_READ_EVENTS.has(e.EventName ?? '')) return false;
  return !record?.errorCode;
}

async function lookup(
  h: ProviderHandle,
  plan: ChangeLookupPlan,
  l: ChangeLookup,
): Promise<ChangeLookupResult> {
  const t = h.inputs.target;
  const base: ChangeLookupResult = { ...l, events: [], readEvents: 0 };
  if (l.account && l.account !== t.account && !h.inputs.settings.canReachAccount(l.account)) {
    return { ...base, unreachable: true };
  }
  const params = {
    LookupAttributes: [{ AttributeKey: 'ResourceName' as const, AttributeValue: l.name }],
    StartTime: new Date(plan.from),
    EndTime: new Date(plan.to),
    MaxResults: LOOKUP_PAGE,
  };
  const scope: CallScope | undefined =
    (l.account && l.account !== t.account) || l.region !== t.region
      ? { account: l.account, region: l.region }
      : undefined;
  let out: LookupEventsCommandOutput;
  try {
    out = await h.call(
      'cloudtrail:LookupEvents',
      params,
      ({ clients, signal }) =>
        clients.cloudtrail.send(new LookupEventsCommand(params), { abortSignal: signal }),
      scope,
    );
  } catch (err) {
    return { ...base, error: classifyAwsError(err, 'cloudtrail:LookupEvents') };
  }
  const events: TrailEvent[] = [];
  let readEvents = 0;
  for (const e of out.Events ?? []) {
    const record = parseRecord(e.CloudTrailEvent);
    if (!isChange(e, record)) {
      readEvents++;
      continue;
    }
    const time = e.EventTime instanceof Date ? e.EventTime : e.EventTime ? new Date(e.EventTime) : undefined;
    if (!e.EventId || !e.EventName || !time || Number.isNaN(time.getTime())) continue;
    events.push({
      eventId: e.EventId,
      eventName: e.EventName,
      eventSource: e.EventSource ?? '',
      eventTime: time.toISOString(),
      ...(e.Username ? { username: e.Username } : {}),
      ...(record ? { record } : {}),
    });
  }
  return { ...base, events, readEvents, ...(out.NextToken ? { more: true } : {}) };
}

/** The events on the planned resources in the window, each resource's lookup on its own. */
export const cloudTrailChangesFact = defineFact({
  name: 'cloudtrail.changes',
  actions: ['cloudtrail:LookupEvents'],
  async get(h) {
    const plan = h.inputs.changes;
    if (!plan?.lookups.length) throw new NotApplicable('no failing resource to look up in CloudTrail');
    // The plan was made from every check's result: the lookups come in the round after the facts they read.
    await Promise.all(plan.after.map((f) => h.get(f)));
    const lookups = await Promise.all(plan.lookups.map((l) => lookup(h, plan, l)));
    return {
      limits: plan.limits,
      failureAt: plan.failureAt,
      from: plan.from,
      to: plan.to,
      lookups,
      skipped: plan.skipped,
    };
  },
});

export const cloudTrailFacts: FactProvider[] = [cloudTrailChangesFact] as FactProvider[];
