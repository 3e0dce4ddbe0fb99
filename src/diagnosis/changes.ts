/**
 * What changed before the failure: which resources to look up in CloudTrail (planned from the failing and warning
 * checks, most relevant first, within a budget), and the timeline built from what the event history answered —
 * each event said in words (what was done, by whom, how long before the failure), with its console page. A change
 * to a failing resource of the top cause shortly before the failure raises the verdict's confidence and is named
 * with the answer.
 *
 * Pure: no AWS SDK (the facts come from facts/cloudtrail.ts), so replay and the demo show the same timeline.
 */
import type { ConsoleLinks, LinkKind, LinkRef } from '../aws/console-links.js';
import type { FactErrorKind } from '../aws/errors.js';
import { globalRegion } from '../aws/partition.js';
import type { CheckResult, Message, Params } from './checks/types.js';
import type { TaskContext } from './context.js';
import type { ChangeLookup, ChangeLookupPlan, ChangesRecord, TrailEvent } from './facts/cloudtrail.js';
import type { EcrImageRecord } from './facts/ecr.js';
import type { KmsKeyRecord, SecretRecord } from './facts/secrets-kms.js';
import type { Fact, FactName } from './facts/types.js';
import type { Cause, ConfidenceLevel } from './report.js';

/** How far back and forward to look, and how many lookups one diagnosis may make (config `changes`). */
export interface ChangeSettings {
  /** Hours before the failure. */
  lookbackHours: number;
  /** Minutes after it (CloudTrail records an event within minutes; a fix made meanwhile shows too). */
  afterMinutes: number;
  /** LookupEvents requests per diagnosis; 0 turns the timeline off. */
  maxLookups: number;
}

export const CHANGE_DEFAULTS: ChangeSettings = { lookbackHours: 24, afterMinutes: 5, maxLookups: 3 };

/** LookupEvents allows two requests a second per account and region: one diagnosis makes at most this many there. */
export const LOOKUPS_PER_REGION = 2;

/** A change this close before the failure, to a resource a failing check of the answer names, backs the answer. */
export const RECENT_MINUTES = 6 * 60;

/** Most events a report keeps (the ones nearest the failure). */
export const MAX_EVENTS = 20;

// ---------------------------------------------------------------------------------------------------------------
// The report's part

export type ChangeLookupStatus =
  | 'ok'
  | 'unreachable'
  | Exclude<FactErrorKind, 'dependency' | 'not-applicable'>;

export interface ChangeLookupSummary {
  kind: LinkKind;
  id: string;
  /** The ResourceName asked for. */
  name: string;
  region: string;
  account?: string;
  status: ChangeLookupStatus;
  /** The AWS error code and the IAM action, when it failed. */
  code?: string;
  action?: string;
  /** Write events found. */
  events: number;
  /** The page was full: older events were not read. */
  more?: boolean;
}

export interface ChangeEvent {
  /** CloudTrail's event id. */
  id: string;
  name: string;
  source: string;
  /** ISO. */
  time: string;
  /** Minutes before the failure (negative: after it). */
  minutesBefore: number;
  /** Who: the principal, its session, the IAM Identity Center user. */
  who: Message;
  /** How: in the console, through CloudFormation, with Terraform… */
  via?: Message;
  /** What, in words. */
  what: Message;
  /** The looked-up resources it touched. */
  resources: Array<{ kind: LinkKind; id: string }>;
  /** The failing and warning checks that name those resources. */
  checks: string[];
  /** One of those checks failed. */
  failing: boolean;
  /** The event in the CloudTrail console. */
  link: LinkRef;
}

/** What the event history says about the resources behind the problems (report.changes). */
export interface ChangeReport {
  /** The budget: lookups a diagnosis makes, and in one account and region. */
  limits: { maxLookups: number; perRegion: number };
  failureAt: string;
  from: string;
  to: string;
  lookups: ChangeLookupSummary[];
  /** Resources not looked up (beyond the budget). */
  skipped: Array<{ kind: LinkKind; id: string }>;
  /** Oldest first. */
  events: ChangeEvent[];
}

// ---------------------------------------------------------------------------------------------------------------
// Planning: which resources, in which order

/** How likely a kind of resource is to be what someone changed, for a check that names it (lower first). */
const KIND_RANK: Partial<Record<LinkKind, number>> = {
  'route-table': 1,
  'nat-gateway': 1,
  'security-group': 1,
  'network-acl': 1,
  'vpc-endpoint': 1,
  'ecr-repository': 1,
  'iam-role': 1,
  'kms-key': 1,
  secret: 1,
  'dhcp-options': 2,
  vpc: 2,
  'internet-gateway': 2,
  'ssm-parameter': 2,
  'efs-file-system': 2,
  'efs-access-point': 2,
  'task-definition': 3,
  subnet: 3,
  'ecs-service': 4,
};

const minute = 60_000;
const floorMinute = (ms: number) => Math.floor(ms / minute) * minute;
const ceilMinute = (ms: number) => Math.ceil(ms / minute) * minute;

/** The facts the planner reads to name a resource the way CloudTrail files it (ARNs of repositories, keys, secrets). */
type PlanFacts = Readonly<Record<string, Fact<unknown>>>;

function factValue<T>(facts: PlanFacts, name: string): T | undefined {
  const f = facts[name];
  return f?.ok ? (f.value as T) : undefined;
}

/** The LookupEvents ResourceName of a resource a check links to, or undefined when it cannot be looked up. */
export function lookupOf(
  link: Pick<LinkRef, 'kind' | 'id'>,
  ctx: TaskContext,
  facts: PlanFacts,
): ChangeLookup | undefined {
  const p = ctx.partition;
  const own = { kind: link.kind, id: link.id, region: ctx.region };
  switch (link.kind) {
    case 'route-table':
    case 'nat-gateway':
    case 'security-group':
    case 'network-acl':
    case 'vpc-endpoint':
    case 'dhcp-options':
    case 'vpc':
    case 'internet-gateway':
    case 'subnet':
    case 'efs-file-system':
    case 'efs-access-point':
    case 'ssm-parameter':
      return { ...own, name: link.id };
    case 'iam-role':
      // IAM is global: its events are in the partition's global region's event history.
      return { ...own, name: link.id, region: globalRegion(p) };
    case 'ecr-repository': {
      const img = factValue<EcrImageRecord[]>(facts, 'ecr.images')?.find((i) => i.repository === link.id);
      const account = img?.registryAccount ?? ctx.account;
      const region = img?.region ?? ctx.region;
      return {
        ...own,
        region,
        ...(account !== ctx.account ? { account } : {}),
        name: `arn:${p}:ecr:${region}:${account}:repository/${link.id}`,
      };
    }
    case 'kms-key': {
      if (link.id.startsWith('alias/')) return undefined;
      const known = [
        ...(factValue<KmsKeyRecord[]>(facts, 'kms.keys') ?? []).map((k) => k.arn),
        ...(factValue<SecretRecord[]>(facts, 'secrets.references') ?? []).map((s) => s.kmsKeyArn),
      ].find((a) => a?.endsWith(`/${link.id}`));
      const arn = known ?? `arn:${p}:kms:${ctx.region}:${ctx.account}:key/${link.id}`;
      const [, , , region = ctx.region, account = ctx.account] = arn.split(':');
      return { ...own, region, ...(account !== ctx.account ? { account } : {}), name: arn };
    }
    case 'secret': {
      const ref = (factValue<SecretRecord[]>(facts, 'secrets.references') ?? []).find(
        (s) => s.store === 'secretsmanager' && s.arn.split(':')[6] === link.id,
      );
      if (!ref) return undefined;
      const arn = ref.arn.split(':').slice(0, 7).join(':');
      return {
        ...own,
        region: ref.region,
        ...(ref.account !== ctx.account ? { account: ref.account } : {}),
        name: arn,
      };
    }
    case 'task-definition': {
      const arn = ctx.taskDefinitionArn;
      if (arn?.endsWith(`/${link.id}`)) return { ...own, name: arn };
      return { ...own, name: `arn:${p}:ecs:${ctx.region}:${ctx.account}:task-definition/${link.id}` };
    }
    case 'ecs-service':
      return {
        ...own,
        name: `arn:${p}:ecs:${ctx.region}:${ctx.account}:service/${ctx.cluster}/${link.id}`,
      };
    default:
      return undefined;
  }
}

const lookupKey = (l: ChangeLookup) => `${l.account ?? ''}|${l.region}|${l.name}`;

/**
 * Which resources to look up: those the failing checks of the answer name, then the other failing checks', then the
 * warnings', each check's resources in the order of how often that kind is what someone changed; at most
 * `maxLookups`, at most LOOKUPS_PER_REGION in one account and region. Undefined when there is nothing to look up.
 */
export function planChanges(
  input: {
    context: TaskContext;
    checks: readonly CheckResult[];
    causes: readonly Pick<Cause, 'id' | 'checks'>[];
    facts: PlanFacts;
    /**
     * The facts the checks read: the plan needs the verdict, which reads them all, so the lookups come in the round
     * after the deepest of them.
     */
    after: readonly FactName[];
  },
  settings: ChangeSettings,
  now = Date.now(),
): ChangeLookupPlan | undefined {
  const { context: ctx, checks, causes, facts } = input;
  if (settings.maxLookups <= 0) return undefined;
  const top = new Set(causes[0]?.checks ?? []);
  // A failing check's resources before a warning's; a kind that is often what someone changed (a route table, a
  // security group, a repository) before one that seldom is (a subnet, a task definition); the answer's checks first.
  const candidates = checks
    .flatMap((r, order) =>
      r.status === 'fail' || r.status === 'warn'
        ? r.links.map((l, i) => ({ r, l, order, i, rank: KIND_RANK[l.kind] }))
        : [],
    )
    .filter((x): x is typeof x & { rank: number } => x.rank !== undefined)
    .map((x) => ({
      ...x,
      key: [
        x.r.status === 'fail' ? 0 : 1,
        x.rank <= 2 ? 0 : 1,
        top.has(x.r.id) ? 0 : 1,
        x.rank,
        x.order,
        x.i,
      ],
    }))
    .sort((a, b) => {
      for (let k = 0; k < a.key.length; k++) if (a.key[k] !== b.key[k]) return a.key[k]! - b.key[k]!;
      return 0;
    })
    .flatMap((x) => {
      const lookup = lookupOf(x.l, ctx, facts);
      return lookup ? [{ lookup, check: x.r.id }] : [];
    });
  const chosen = new Map<string, { lookup: ChangeLookup; checks: Set<string> }>();
  const skipped = new Map<string, { kind: LinkKind; id: string }>();
  const perRegion = new Map<string, number>();
  for (const c of candidates) {
    const key = lookupKey(c.lookup);
    const have = chosen.get(key);
    if (have) {
      have.checks.add(c.check);
      continue;
    }
    const where = `${c.lookup.account ?? ''}|${c.lookup.region}`;
    if (chosen.size >= settings.maxLookups || (perRegion.get(where) ?? 0) >= LOOKUPS_PER_REGION) {
      skipped.set(key, { kind: c.lookup.kind, id: c.lookup.id });
      continue;
    }
    perRegion.set(where, (perRegion.get(where) ?? 0) + 1);
    chosen.set(key, { lookup: c.lookup, checks: new Set([c.check]) });
  }
  if (!chosen.size) return undefined;
  const stopped = ctx.stoppedAt ? Date.parse(ctx.stoppedAt) : Number.NaN;
  const failure = Number.isNaN(stopped) ? now : stopped;
  return {
    limits: { maxLookups: settings.maxLookups, perRegion: LOOKUPS_PER_REGION },
    lookups: [...chosen.values()].map((c) => c.lookup),
    skipped: [...skipped.values()],
    failureAt: new Date(failure).toISOString(),
    // Whole minutes: the tasks of a storm ask the same question, and share its answer.
    from: new Date(floorMinute(failure - settings.lookbackHours * 3_600_000)).toISOString(),
    to: new Date(ceilMinute(failure + settings.afterMinutes * minute)).toISOString(),
    after: [...new Set(input.after)].sort(),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Reading records

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

/** The first value under a key matching `key` (any case, at any depth): EC2 spells newer APIs' parameters in a
 * `…Request` wrapper with capitalized names, older ones in lower camel case. */
function find(v: unknown, key: string, depth = 0): unknown {
  if (depth > 6) return undefined;
  const want = key.toLowerCase();
  if (Array.isArray(v)) {
    for (const x of v) {
      const r = find(x, key, depth + 1);
      if (r !== undefined) return r;
    }
    return undefined;
  }
  if (!isObj(v)) return undefined;
  for (const [k, x] of Object.entries(v)) if (k.toLowerCase() === want) return x;
  for (const x of Object.values(v)) {
    const r = find(x, key, depth + 1);
    if (r !== undefined) return r;
  }
  return undefined;
}

/** Every string under keys matching `key` (a value, a list, EC2's `{items: […]}`, or `{tag, content}`). */
function strings(v: unknown, key: string): string[] {
  const out: string[] = [];
  const want = key.toLowerCase();
  const take = (x: unknown): void => {
    if (typeof x === 'string') out.push(x);
    else if (typeof x === 'number') out.push(String(x));
    else if (Array.isArray(x)) x.forEach(take);
    else if (isObj(x)) {
      if ('content' in x) take(x.content);
      else if ('items' in x) take(x.items);
      else if ('item' in x) take(x.item);
    }
  };
  const walk = (x: unknown, depth: number): void => {
    if (depth > 6) return;
    if (Array.isArray(x)) {
      for (const y of x) walk(y, depth + 1);
    } else if (isObj(x)) {
      for (const [k, y] of Object.entries(x)) {
        if (k.toLowerCase() === want) take(y);
        else walk(y, depth + 1);
      }
    }
  };
  walk(v, 0);
  return [...new Set(out)];
}

function str(v: unknown, key: string): string | undefined {
  const x = find(v, key);
  if (typeof x === 'string' && x) return x;
  if (typeof x === 'number') return String(x);
  if (isObj(x) && typeof x.value !== 'undefined') return String(x.value);
  return undefined;
}

/** A boolean parameter: true, "true", {value: true}. */
function bool(v: unknown, key: string): boolean | undefined {
  const x = find(v, key);
  const y = isObj(x) ? x.value : x;
  if (y === true || y === 'true') return true;
  if (y === false || y === 'false') return false;
  return undefined;
}

const PROTOCOLS: Record<string, string> = { '6': 'TCP', '17': 'UDP', '1': 'ICMP', '58': 'ICMPv6' };

/** A protocol and its ports as the console writes them: TCP 443, TCP 1024-65535, UDP 53; '' for every protocol. */
function portText(protocol: unknown, from: unknown, to: unknown): string {
  const p = String(protocol ?? '-1').toLowerCase();
  if (p === '-1' || p === 'all') return '';
  const name = PROTOCOLS[p] ?? p.toUpperCase();
  const f = from === undefined || from === null ? undefined : Number(from);
  const t = to === undefined || to === null ? f : Number(to);
  if (f === undefined || Number.isNaN(f) || (name !== 'TCP' && name !== 'UDP')) return name;
  if (f === 0 && t === 65535) return name;
  return t !== undefined && t !== f ? `${name} ${f}-${t}` : `${name} ${f}`;
}

/** Security group rules of an Authorize/Revoke request: each "TCP 443 → 0.0.0.0/0" ('' protocol part: all). */
function sgRules(req: unknown, arrow: '→' | '←'): { rules: string[]; all: boolean; ids: string[] } {
  const items = find(req, 'ipPermissions');
  const list: unknown[] = Array.isArray(items)
    ? items
    : isObj(items) && Array.isArray(items.items)
      ? items.items
      : isObj(items)
        ? [items]
        : [];
  const rules: string[] = [];
  let all = list.length > 0;
  for (const perm of list) {
    if (!isObj(perm)) continue;
    const ports = portText(
      perm.ipProtocol ?? perm.IpProtocol,
      perm.fromPort ?? perm.FromPort,
      perm.toPort ?? perm.ToPort,
    );
    if (ports) all = false;
    const targets = [
      ...strings(perm, 'cidrIp'),
      ...strings(perm, 'cidrIpv6'),
      ...strings(perm, 'prefixListId'),
      ...strings(perm, 'groupId'),
    ];
    const to = targets.length ? targets.join(', ') : '';
    rules.push(ports ? [ports, to].filter(Boolean).join(` ${arrow} `) : ` ${arrow} ${to}`);
  }
  const ids = strings(req, 'securityGroupRuleId').concat(
    strings(req, 'securityGroupRuleIds').filter((s) => s.startsWith('sgr-')),
  );
  return { rules: rules.filter((x) => x.trim()), all, ids: [...new Set(ids)] };
}

/** The last part of an ARN or path: a policy ARN → its name. */
const tail = (s: string) => s.split('/').pop() ?? s;

/** A route's target, whichever kind it is. */
function routeTarget(req: unknown): string | undefined {
  for (const k of [
    'natGatewayId',
    'gatewayId',
    'transitGatewayId',
    'vpcPeeringConnectionId',
    'networkInterfaceId',
    'instanceId',
    'egressOnlyInternetGatewayId',
    'vpcEndpointId',
    'carrierGatewayId',
    'localGatewayId',
    'coreNetworkArn',
  ]) {
    const v = str(req, k);
    if (v) return v;
  }
  return undefined;
}

const destinationOf = (req: unknown) =>
  str(req, 'destinationCidrBlock') ??
  str(req, 'destinationIpv6CidrBlock') ??
  str(req, 'destinationPrefixListId');

/** The words of one event: `changes:what.<EventName>` with its values, or the generic sentence. */
export function describeEvent(
  e: TrailEvent,
  resource?: { kind: LinkKind; id: string },
  context?: TaskContext,
): Message {
  const r = e.record;
  const req = r?.requestParameters ?? undefined;
  const res = r?.responseElements ?? undefined;
  // Every event's words are `what.<EventName>.<variant>` (`base` when it has one way to say it).
  const k = (name: string, params: Params): Message => ({
    key: `changes:what.${name.includes('.') ? name : `${name}.base`}`,
    params,
  });
  const generic = (): Message =>
    k('other', {
      event: e.eventName,
      source: e.eventSource.replace(/\.amazonaws\.com$/, ''),
      resource: resource?.id ?? '',
    });
  // A record that could not be read: only its name is known.
  if (!r) return generic();
  const repo = () =>
    str(req, 'repositoryName') ?? str(r?.serviceEventDetails, 'repositoryName') ?? resource?.id ?? '?';
  switch (e.eventName) {
    case 'DeleteRoute':
    case 'CreateRoute':
    case 'ReplaceRoute': {
      const table = str(req, 'routeTableId') ?? resource?.id ?? '?';
      const destination = destinationOf(req) ?? '?';
      const target = routeTarget(req);
      if (e.eventName === 'DeleteRoute') return k('DeleteRoute', { destination, table });
      return k(e.eventName, { destination, table, target: target ?? '?' });
    }
    case 'RevokeSecurityGroupEgress':
    case 'AuthorizeSecurityGroupEgress':
    case 'RevokeSecurityGroupIngress':
    case 'AuthorizeSecurityGroupIngress': {
      const group = str(req, 'groupId') ?? resource?.id ?? '?';
      const { rules, all, ids } = sgRules(req, e.eventName.endsWith('Egress') ? '→' : '←');
      if (all && !ids.length) {
        const targets = rules.map((x) => x.replace(/^ [→←] /, ''));
        return k(`${e.eventName}.all`, { group, targets: targets.join(', ') || '—' });
      }
      if (!rules.length && ids.length) return k(`${e.eventName}.ids`, { group, rules: ids });
      return k(e.eventName, { group, rules: rules.length ? rules : ['?'] });
    }
    case 'DeleteNatGateway':
      return k('DeleteNatGateway', { nat: str(req, 'natGatewayId') ?? resource?.id ?? '?' });
    case 'DeleteVpcEndpoints': {
      const ids = strings(req, 'vpcEndpointId').filter((s) => s.startsWith('vpce-'));
      const list = ids.length ? ids : [resource?.id ?? '?'];
      return k('DeleteVpcEndpoints', { endpoints: list, count: list.length });
    }
    case 'ModifyVpcEndpoint': {
      const endpoint = str(req, 'vpcEndpointId') ?? resource?.id ?? '?';
      const dns = bool(req, 'privateDnsEnabled');
      if (dns === false) return k('ModifyVpcEndpoint.dns-off', { endpoint });
      if (dns === true) return k('ModifyVpcEndpoint.dns-on', { endpoint });
      const policy = find(req, 'policyDocument') !== undefined || bool(req, 'resetPolicy') === true;
      if (policy) return k('ModifyVpcEndpoint.policy', { endpoint });
      const removedGroups = strings(
        find(req, 'removeSecurityGroupId') ?? find(req, 'removeSecurityGroupIds'),
        'content',
      )
        .concat(strings(req, 'removeSecurityGroupId'))
        .filter((s) => s.startsWith('sg-'));
      if (removedGroups.length)
        return k('ModifyVpcEndpoint.groups-removed', { endpoint, groups: [...new Set(removedGroups)] });
      const removedSubnets = strings(req, 'removeSubnetId').filter((s) => s.startsWith('subnet-'));
      if (removedSubnets.length)
        return k('ModifyVpcEndpoint.subnets-removed', { endpoint, subnets: removedSubnets });
      const routes = strings(req, 'removeRouteTableId').filter((s) => s.startsWith('rtb-'));
      if (routes.length) return k('ModifyVpcEndpoint.routes-removed', { endpoint, tables: routes });
      return k('ModifyVpcEndpoint', { endpoint });
    }
    case 'ModifyVpcAttribute': {
      const vpc = str(req, 'vpcId') ?? resource?.id ?? '?';
      const support = bool(req, 'enableDnsSupport');
      if (support !== undefined)
        return k(`ModifyVpcAttribute.dns-support-${support ? 'on' : 'off'}`, { vpc });
      const hostnames = bool(req, 'enableDnsHostnames');
      if (hostnames !== undefined)
        return k(`ModifyVpcAttribute.dns-hostnames-${hostnames ? 'on' : 'off'}`, { vpc });
      return k('ModifyVpcAttribute', { vpc });
    }
    case 'AssociateDhcpOptions': {
      const vpc = str(req, 'vpcId') ?? resource?.id ?? '?';
      const options = str(req, 'dhcpOptionsId') ?? '?';
      return options === 'default'
        ? k('AssociateDhcpOptions.default', { vpc })
        : k('AssociateDhcpOptions', { vpc, options });
    }
    case 'ReplaceNetworkAclEntry':
    case 'CreateNetworkAclEntry':
    case 'DeleteNetworkAclEntry': {
      const acl = str(req, 'networkAclId') ?? resource?.id ?? '?';
      const rule = str(req, 'ruleNumber') ?? '?';
      const direction = bool(req, 'egress') ? 'egress' : 'ingress';
      if (e.eventName === 'DeleteNetworkAclEntry')
        return k(`DeleteNetworkAclEntry.${direction}`, { acl, rule });
      const action = String(str(req, 'ruleAction') ?? 'allow').toLowerCase() === 'deny' ? 'deny' : 'allow';
      const range = find(req, 'portRange');
      const ports = portText(
        str(req, 'aclProtocol') ?? str(req, 'protocol'),
        isObj(range) ? (range.from ?? range.From) : undefined,
        isObj(range) ? (range.to ?? range.To) : undefined,
      );
      const cidr = str(req, 'cidrBlock') ?? str(req, 'ipv6CidrBlock') ?? '?';
      return ports
        ? k(`${e.eventName}.${direction}.${action}`, { acl, rule, traffic: `${ports} · ${cidr}` })
        : k(`${e.eventName}.${direction}.${action}-all`, { acl, rule, cidr });
    }
    case 'ReplaceNetworkAclAssociation':
      return k('ReplaceNetworkAclAssociation', { acl: str(req, 'networkAclId') ?? resource?.id ?? '?' });
    case 'ReplaceRouteTableAssociation':
    case 'AssociateRouteTable':
      return k('AssociateRouteTable', { table: str(req, 'routeTableId') ?? resource?.id ?? '?' });
    case 'DetachRolePolicy':
    case 'AttachRolePolicy': {
      const role = str(req, 'roleName') ?? resource?.id ?? '?';
      const policy = tail(str(req, 'policyArn') ?? '?');
      return k(e.eventName, { role, policy });
    }
    case 'DeleteRolePolicy':
    case 'PutRolePolicy':
      return k(e.eventName, {
        role: str(req, 'roleName') ?? resource?.id ?? '?',
        policy: str(req, 'policyName') ?? '?',
      });
    case 'UpdateAssumeRolePolicy':
    case 'DeleteRole':
      return k(e.eventName, { role: str(req, 'roleName') ?? resource?.id ?? '?' });
    case 'PutLifecyclePolicy':
    case 'DeleteLifecyclePolicy':
    case 'SetRepositoryPolicy':
    case 'DeleteRepositoryPolicy':
    case 'DeleteRepository':
      return k(e.eventName, { repository: repo() });
    case 'BatchDeleteImage': {
      const ids = find(req, 'imageIds');
      const list = Array.isArray(ids) ? ids : [];
      const images = list
        .map((x) => (isObj(x) ? (x.imageTag ?? x.imageDigest) : undefined))
        .filter((x): x is string => typeof x === 'string')
        .map((x) => (x.startsWith('sha256:') ? `${x.slice(0, 19)}…` : x));
      return k('BatchDeleteImage', {
        repository: repo(),
        images: images.length ? images : ['?'],
        count: images.length || 1,
      });
    }
    case 'PolicyExecutionEvent': {
      const details = r?.serviceEventDetails;
      const actions = find(details, 'lifecycleEventImageActions');
      const list = Array.isArray(actions) ? actions.filter(isObj) : [];
      const want =
        context?.containers.map((c) => c.image?.split(':').pop()).filter((t): t is string => !!t) ?? [];
      const tagsOf = (a: Json): string[] => {
        const img = isObj(a.lifecycleEventImage) ? a.lifecycleEventImage : {};
        return (Array.isArray(img.tagList) ? img.tagList : []).filter(
          (t): t is string => typeof t === 'string',
        );
      };
      const rules = [
        ...new Set(
          list
            .map((a) => a.rulePriority)
            .filter((x) => x !== undefined)
            .map(String),
        ),
      ];
      // The task's own tag first: it is the one that matters here.
      const tags = list.flatMap(tagsOf).sort((a, b) => Number(want.includes(b)) - Number(want.includes(a)));
      const ruleObjs = find(details, 'lifecycleEventRules');
      const actionsOf = Array.isArray(ruleObjs)
        ? ruleObjs.filter(isObj).map((x) => String(x.action).toLowerCase())
        : [];
      const kind = actionsOf.includes('transition') && !actionsOf.includes('expire') ? 'archived' : 'expired';
      const base: Params = { repository: repo(), rules: rules.length ? rules : ['?'] };
      const shown = [...new Set(tags)].slice(0, 4);
      if (!shown.length)
        return k(`PolicyExecutionEvent.${kind}-untagged`, { ...base, count: Math.max(list.length, 1) });
      const others = list.filter((a) => !tagsOf(a).some((t) => shown.includes(t))).length;
      return others
        ? k(`PolicyExecutionEvent.${kind}-more`, { ...base, tags: shown, count: others })
        : k(`PolicyExecutionEvent.${kind}`, { ...base, tags: shown, count: shown.length });
    }
    case 'ScheduleKeyDeletion': {
      const key = tail(str(req, 'keyId') ?? resource?.id ?? '?');
      const days = Number(str(req, 'pendingWindowInDays') ?? str(res, 'pendingWindowInDays') ?? 30);
      return k('ScheduleKeyDeletion', { key, count: days });
    }
    case 'DisableKey':
    case 'CancelKeyDeletion':
    case 'EnableKey':
    case 'PutKeyPolicy':
      return k(e.eventName, { key: tail(str(req, 'keyId') ?? resource?.id ?? '?') });
    case 'DeleteSecret': {
      const secret = (str(req, 'secretId') ?? resource?.id ?? '?').split(':').pop() ?? '?';
      if (bool(req, 'forceDeleteWithoutRecovery')) return k('DeleteSecret.now', { secret });
      const days = Number(str(req, 'recoveryWindowInDays') ?? 30);
      return k('DeleteSecret', { secret, count: days });
    }
    case 'PutSecretValue':
    case 'UpdateSecret':
    case 'RestoreSecret':
      return k(e.eventName, {
        secret: (str(req, 'secretId') ?? resource?.id ?? '?').split(':').pop() ?? '?',
      });
    case 'RegisterTaskDefinition': {
      const td = find(res, 'taskDefinition');
      const family = str(req, 'family') ?? (isObj(td) ? String(td.family ?? '') : '') ?? '?';
      const revision = isObj(td) && td.revision !== undefined ? String(td.revision) : undefined;
      const images = strings(find(req, 'containerDefinitions'), 'image').slice(0, 3);
      const name = revision ? `${family}:${revision}` : family;
      return images.length
        ? k('RegisterTaskDefinition.images', { taskDefinition: name, images })
        : k('RegisterTaskDefinition', { taskDefinition: name });
    }
    case 'DeregisterTaskDefinition':
      return k('DeregisterTaskDefinition', {
        taskDefinition: tail(str(req, 'taskDefinition') ?? resource?.id ?? '?'),
      });
    case 'UpdateService': {
      const service = tail(str(req, 'service') ?? resource?.id ?? '?');
      const td = str(req, 'taskDefinition');
      if (td) return k('UpdateService.task-definition', { service, taskDefinition: tail(td) });
      if (bool(req, 'forceNewDeployment')) return k('UpdateService.redeploy', { service });
      if (find(req, 'networkConfiguration') !== undefined) return k('UpdateService.network', { service });
      return k('UpdateService', { service });
    }
    default:
      return generic();
  }
}

/** The principal of an event: the IAM Identity Center user and permission set, a role and its session, a user… */
export function whoOf(e: TrailEvent): { who: Message; via?: Message } {
  const r = e.record;
  const u = (r?.userIdentity ?? {}) as Json;
  const type = typeof u.type === 'string' ? u.type : undefined;
  const arn = typeof u.arn === 'string' ? u.arn : '';
  const invokedBy = typeof u.invokedBy === 'string' ? u.invokedBy : undefined;
  const agent = r?.userAgent ?? '';
  let via: Message | undefined;
  if (invokedBy === 'cloudformation.amazonaws.com' || /cloudformation/i.test(agent)) {
    via = { key: 'changes:via.cloudformation' };
  } else if (/terraform/i.test(agent)) via = { key: 'changes:via.terraform' };
  else if (/\bcdk\b|aws-cdk/i.test(agent)) via = { key: 'changes:via.cdk' };
  else if (
    r?.sessionCredentialFromConsole === 'true' ||
    /console\.(?:[a-z0-9-]+\.)?amazonaws\.com|AWSConsole/.test(agent)
  )
    via = { key: 'changes:via.console' };
  const out = (who: Message) => (via ? { who, via } : { who });
  if (e.eventName === 'PolicyExecutionEvent') return { who: { key: 'changes:who.lifecycle' } };
  if (r?.eventType === 'AwsServiceEvent' || (!type && invokedBy === 'AWS Internal'))
    return { who: { key: 'changes:who.aws' } };
  const onBehalfOf = isObj(u.onBehalfOf) ? u.onBehalfOf : undefined;
  if (type === 'AssumedRole') {
    const m = /:assumed-role\/([^/]+)\/(.+)$/.exec(arn);
    const role =
      m?.[1] ??
      (isObj(u.sessionContext) && isObj(u.sessionContext.sessionIssuer)
        ? String(u.sessionContext.sessionIssuer.userName ?? '?')
        : '?');
    const session = m?.[2] ?? '';
    const sso = /^AWSReservedSSO_(.+)_[0-9a-f]{16}$/.exec(role);
    if (sso) return out({ key: 'changes:who.sso', params: { user: session || '?', permissionSet: sso[1]! } });
    if (invokedBy && invokedBy !== 'AWS Internal' && !session)
      return out({ key: 'changes:who.service', params: { service: invokedBy } });
    return out(
      session
        ? { key: 'changes:who.role', params: { role, session } }
        : { key: 'changes:who.role-only', params: { role } },
    );
  }
  if (type === 'IdentityCenterUser' || (onBehalfOf && typeof onBehalfOf.userId === 'string'))
    return out({
      key: 'changes:who.identity-center',
      params: { user: String(onBehalfOf?.userId ?? e.username ?? '?') },
    });
  if (type === 'IAMUser')
    return out({ key: 'changes:who.user', params: { user: String(u.userName ?? e.username ?? tail(arn)) } });
  if (type === 'Root') return out({ key: 'changes:who.root' });
  if (type === 'FederatedUser') {
    const name = /:federated-user\/(.+)$/.exec(arn)?.[1] ?? e.username ?? '?';
    return out({ key: 'changes:who.federated', params: { user: name } });
  }
  if (type === 'AWSService' || (invokedBy && !type))
    return out({ key: 'changes:who.service', params: { service: invokedBy ?? '?' } });
  return out({ key: 'changes:who.principal', params: { principal: arn || e.username || '?' } });
}

// ---------------------------------------------------------------------------------------------------------------
// The timeline

function statusOf(l: ChangesRecord['lookups'][number]): ChangeLookupStatus {
  if (l.unreachable) return 'unreachable';
  if (!l.error) return 'ok';
  const k = l.error.kind;
  return k === 'dependency' || k === 'not-applicable' ? 'error' : k;
}

/** The timeline of a diagnosis: the lookups, and every change they found, in words, oldest first. */
export function buildChanges(
  rec: ChangesRecord,
  ctx: TaskContext,
  checks: readonly CheckResult[],
  links: ConsoleLinks,
): ChangeReport {
  const failure = Date.parse(rec.failureAt);
  const problems = checks.filter((c) => c.status === 'fail' || c.status === 'warn');
  const namers = (kind: LinkKind, id: string) =>
    problems.filter((c) => c.links.some((l) => l.kind === kind && l.id === id));
  const byId = new Map<string, ChangeEvent>();
  for (const l of rec.lookups) {
    for (const e of l.events) {
      const resource = { kind: l.kind, id: l.id };
      const checksHere = namers(l.kind, l.id);
      const have = byId.get(e.eventId);
      if (have) {
        if (!have.resources.some((x) => x.kind === l.kind && x.id === l.id)) have.resources.push(resource);
        for (const c of checksHere) if (!have.checks.includes(c.id)) have.checks.push(c.id);
        have.failing ||= checksHere.some((c) => c.status === 'fail');
        continue;
      }
      const { who, via } = whoOf(e);
      const time = Date.parse(e.eventTime);
      byId.set(e.eventId, {
        id: e.eventId,
        name: e.eventName,
        source: e.eventSource,
        time: e.eventTime,
        minutesBefore: Math.round((failure - time) / minute),
        who,
        ...(via ? { via } : {}),
        what: describeEvent(e, resource, ctx),
        resources: [resource],
        checks: checksHere.map((c) => c.id),
        failing: checksHere.some((c) => c.status === 'fail'),
        link: links.cloudTrailEvent(e.eventId, e.record?.awsRegion ?? l.region, l.account),
      });
    }
  }
  // A DeleteRoute says which destination went, not where it led: an earlier event of the window may say.
  const ordered = [...byId.values()].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  for (const [i, ev] of ordered.entries()) {
    if (ev.name !== 'DeleteRoute') continue;
    const p = ev.what.params ?? {};
    const before = ordered
      .slice(0, i)
      .reverse()
      .find(
        (x) =>
          (x.name === 'CreateRoute' || x.name === 'ReplaceRoute') &&
          x.what.params?.table === p.table &&
          x.what.params?.destination === p.destination,
      );
    if (before?.what.params?.target && before.what.params.target !== '?')
      ev.what = {
        key: 'changes:what.DeleteRoute.target',
        params: { ...p, target: before.what.params.target },
      };
  }
  const kept = [...ordered]
    .sort((a, b) => Math.abs(a.minutesBefore) - Math.abs(b.minutesBefore))
    .slice(0, MAX_EVENTS)
    .sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  return {
    limits: rec.limits,
    failureAt: rec.failureAt,
    from: rec.from,
    to: rec.to,
    lookups: rec.lookups.map((l) => {
      const status = statusOf(l);
      return {
        kind: l.kind,
        id: l.id,
        name: l.name,
        region: l.region,
        ...(l.account ? { account: l.account } : {}),
        status,
        ...(l.error ? { code: l.error.code } : {}),
        ...(l.error?.action ? { action: l.error.action } : {}),
        events: l.events.length,
        ...(l.more ? { more: true } : {}),
      };
    }),
    skipped: rec.skipped,
    events: kept,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The verdict

/** Names for an event's kind: one that takes something away is a likelier cause than one that adds. */
const REMOVES =
  /^(Delete|Revoke|Detach|Disable|Schedule|BatchDelete|Disassociate|Deregister)|^PolicyExecutionEvent$/;

const levelOf = (c: number): ConfidenceLevel => (c >= 0.7 ? 'high' : c >= 0.4 ? 'medium' : 'low');

/**
 * A change to a resource a failing check of the answer names, made shortly before the failure, backs the answer:
 * its confidence rises halfway to certainty (the other causes share what is left) and the cause names the change
 * (`change`: the event id). Among several, one that takes something away and is nearest the failure.
 */
export function applyChanges(causes: Cause[], changes: ChangeReport | undefined): void {
  const top = causes[0];
  if (!top?.checks?.length || !changes) return;
  const mine = changes.events.filter(
    (e) =>
      e.failing &&
      e.minutesBefore >= 0 &&
      e.minutesBefore <= RECENT_MINUTES &&
      e.checks.some((c) => top.checks!.includes(c)),
  );
  if (!mine.length) return;
  const best = [...mine].sort(
    (a, b) =>
      Number(REMOVES.test(b.name)) - Number(REMOVES.test(a.name)) || a.minutesBefore - b.minutesBefore,
  )[0]!;
  top.change = best.id;
  const before = top.confidence;
  const after = Math.min(0.99, Math.floor((before + (1 - before) / 2) * 100 + 1e-9) / 100);
  if (after <= before) return;
  top.confidence = after;
  top.level = levelOf(after);
  const rest = causes.slice(1);
  const left = rest.reduce((a, c) => a + c.confidence, 0);
  const room = Math.max(0, 1 - after);
  if (left > room && left > 0) {
    for (const c of rest) {
      c.confidence = Math.floor(((c.confidence * room) / left) * 100 + 1e-9) / 100;
      c.level = levelOf(c.confidence);
    }
  }
}
