/**
 * The network path of a task, as pure functions over the gathered facts: the effective route table of a
 * subnet, where its default route goes, which VPC endpoints the pull needs and which exist, and how
 * security groups and network ACLs treat a flow. Shared by the network checks and the secrets checks.
 */

import { type ImageRef, parseImageRef } from '../../../aws/image-ref.js';
import { comparePlatformVersion, type TaskContext } from '../../context.js';
import type {
  NetworkAclRecord,
  PrefixListRecord,
  RouteRecord,
  RouteTableRecord,
  SecurityGroupRecord,
  SgRule,
  VpcEndpointRecord,
} from '../../facts/network.js';
import { cidrContains, cidrOverlaps } from './cidr.js';

/** The route table that governs a subnet: its explicit association, else the VPC's main table. */
export function effectiveRouteTable(
  subnetId: string,
  tables: readonly RouteTableRecord[],
): { table: RouteTableRecord; explicit: boolean } | undefined {
  const explicit = tables.find((t) => t.subnetIds.includes(subnetId));
  if (explicit) return { table: explicit, explicit: true };
  const main = tables.find((t) => t.main);
  return main ? { table: main, explicit: false } : undefined;
}

export type TargetKind =
  | 'nat'
  | 'igw'
  | 'tgw'
  | 'pcx'
  | 'vgw'
  | 'instance'
  | 'eni'
  | 'gwlb'
  | 'eigw'
  | 'carrier'
  | 'lgw'
  | 'core-network'
  | 'local'
  | 'other';

/** What a route points at. */
export function routeTarget(r: RouteRecord): { kind: TargetKind; id: string } {
  if (r.natGatewayId) return { kind: 'nat', id: r.natGatewayId };
  if (r.transitGatewayId) return { kind: 'tgw', id: r.transitGatewayId };
  if (r.vpcPeeringConnectionId) return { kind: 'pcx', id: r.vpcPeeringConnectionId };
  if (r.instanceId) return { kind: 'instance', id: r.instanceId };
  if (r.egressOnlyInternetGatewayId) return { kind: 'eigw', id: r.egressOnlyInternetGatewayId };
  if (r.carrierGatewayId) return { kind: 'carrier', id: r.carrierGatewayId };
  if (r.localGatewayId) return { kind: 'lgw', id: r.localGatewayId };
  if (r.coreNetworkArn) return { kind: 'core-network', id: r.coreNetworkArn };
  const g = r.gatewayId ?? '';
  if (g.startsWith('igw-')) return { kind: 'igw', id: g };
  if (g.startsWith('vgw-')) return { kind: 'vgw', id: g };
  if (g.startsWith('vpce-')) return { kind: 'gwlb', id: g };
  if (g === 'local') return { kind: 'local', id: g };
  if (r.networkInterfaceId) return { kind: 'eni', id: r.networkInterfaceId };
  return { kind: 'other', id: g || '?' };
}

/** A route counts only when it is active (a blackhole route carries nothing). */
export function isActive(r: RouteRecord): boolean {
  return !r.state || r.state.toLowerCase() === 'active';
}

/** The IPv4 route public destinations use: the most specific route covering the whole internet (0.0.0.0/0). */
export function defaultRoute(table: RouteTableRecord): RouteRecord | undefined {
  return table.routes.find((r) => r.destinationCidrBlock === '0.0.0.0/0');
}

export type InternetPathKind = 'nat' | 'igw' | 'custom' | 'blackhole' | 'none' | 'no-table';

export interface InternetPath {
  subnetId: string;
  kind: InternetPathKind;
  table?: RouteTableRecord;
  explicit?: boolean;
  route?: RouteRecord;
  target?: { kind: TargetKind; id: string };
}

/** Where a subnet's internet-bound traffic goes. */
export function internetPath(subnetId: string, tables: readonly RouteTableRecord[]): InternetPath {
  const eff = effectiveRouteTable(subnetId, tables);
  if (!eff) return { subnetId, kind: 'no-table' };
  const route = defaultRoute(eff.table);
  const base = { subnetId, table: eff.table, explicit: eff.explicit };
  if (!route) return { ...base, kind: 'none' };
  const target = routeTarget(route);
  if (!isActive(route)) return { ...base, route, target, kind: 'blackhole' };
  if (target.kind === 'nat' || target.kind === 'igw') return { ...base, route, target, kind: target.kind };
  return { ...base, route, target, kind: 'custom' };
}

/** Endpoint service names as AWS spells them: com.amazonaws.REGION.svc (cn.com.amazonaws… in China). */
export function endpointServiceName(region: string, service: string): string {
  return region.startsWith('cn-')
    ? `cn.com.amazonaws.${region}.${service}`
    : `com.amazonaws.${region}.${service}`;
}

export type EndpointService = 'ecr.api' | 'ecr.dkr' | 's3' | 'logs' | 'secretsmanager' | 'ssm';

/** Endpoints of the VPC for a service, in a usable state. */
export function endpointsFor(
  endpoints: readonly VpcEndpointRecord[],
  region: string,
  service: EndpointService,
  type?: 'Interface' | 'Gateway',
): VpcEndpointRecord[] {
  const name = endpointServiceName(region, service);
  return endpoints.filter(
    (e) =>
      e.serviceName === name &&
      (!type || e.type.toLowerCase() === type.toLowerCase()) &&
      (!e.state || e.state.toLowerCase() === 'available'),
  );
}

/** The task's images, parsed (null entries for references that do not parse). */
export function taskImages(
  ctx: TaskContext,
): Array<{ container: string; image: string; ref: ImageRef | null }> {
  return ctx.containers
    .filter((c) => c.image)
    .map((c) => ({ container: c.name, image: c.image!, ref: parseImageRef(c.image!) }));
}

/** True when every image is in a private ECR registry of the task's own region (what VPC endpoints serve). */
export function imagesServedByEndpoints(ctx: TaskContext): boolean {
  const images = taskImages(ctx);
  return images.length > 0 && images.every((i) => i.ref?.kind === 'ecr' && i.ref.ecr?.region === ctx.region);
}

/** Secrets and parameters the task reads at start (container secrets, log secrets, registry credentials). */
export function secretReferences(
  ctx: TaskContext,
): Array<{ container: string; valueFrom: string; store: 'secretsmanager' | 'ssm' }> {
  const out: Array<{ container: string; valueFrom: string; store: 'secretsmanager' | 'ssm' }> = [];
  for (const c of ctx.containers) {
    const def = c.definition;
    const refs = [
      ...(def?.secrets ?? []).map((s) => s.valueFrom),
      ...(def?.logConfiguration?.secretOptions ?? []).map((s) => s.valueFrom),
      def?.repositoryCredentials?.credentialsParameter,
    ].filter((v): v is string => !!v);
    for (const valueFrom of refs) {
      out.push({
        container: c.name,
        valueFrom,
        store: /^arn:[^:]+:secretsmanager:/.test(valueFrom) ? 'secretsmanager' : 'ssm',
      });
    }
  }
  return out;
}

export interface RequiredEndpoint {
  service: EndpointService;
  type: 'Interface' | 'Gateway';
  /** Why it is needed: a message key suffix (pull, layers, awslogs, secrets). */
  reason: 'pull' | 'auth' | 'layers' | 'awslogs' | 'secrets' | 'parameters';
}

/**
 * The endpoints a task needs to pull without an internet path: ecr.dkr and the S3 gateway always, ecr.api from
 * platform 1.4.0; and, with no internet path at all, logs for awslogs and secretsmanager/ssm for secrets.
 */
export function requiredEndpoints(ctx: TaskContext, withExtras: boolean): RequiredEndpoint[] {
  const out: RequiredEndpoint[] = [{ service: 'ecr.dkr', type: 'Interface', reason: 'pull' }];
  if (comparePlatformVersion(ctx.effectivePlatformVersion, '1.4.0') >= 0) {
    out.push({ service: 'ecr.api', type: 'Interface', reason: 'auth' });
  }
  out.push({ service: 's3', type: 'Gateway', reason: 'layers' });
  if (withExtras) {
    if (ctx.containers.some((c) => c.definition?.logConfiguration?.logDriver === 'awslogs')) {
      out.push({ service: 'logs', type: 'Interface', reason: 'awslogs' });
    }
    const secrets = secretReferences(ctx);
    if (secrets.some((s) => s.store === 'secretsmanager')) {
      out.push({ service: 'secretsmanager', type: 'Interface', reason: 'secrets' });
    }
    if (secrets.some((s) => s.store === 'ssm'))
      out.push({ service: 'ssm', type: 'Interface', reason: 'parameters' });
  }
  return out;
}

/** Endpoints that satisfy a requirement (an S3 interface endpoint with private DNS also serves layers). */
export function satisfying(
  req: RequiredEndpoint,
  endpoints: readonly VpcEndpointRecord[],
  region: string,
): VpcEndpointRecord[] {
  const exact = endpointsFor(endpoints, region, req.service, req.type);
  if (exact.length || req.service !== 's3') return exact;
  return endpointsFor(endpoints, region, 's3', 'Interface').filter((e) => e.privateDnsEnabled);
}

export interface EndpointCoverage {
  required: RequiredEndpoint[];
  missing: RequiredEndpoint[];
  present: Array<{ req: RequiredEndpoint; endpoints: VpcEndpointRecord[] }>;
}

/** Which required endpoints exist in the VPC. */
export function endpointCoverage(
  ctx: TaskContext,
  endpoints: readonly VpcEndpointRecord[],
  withExtras: boolean,
): EndpointCoverage {
  const required = requiredEndpoints(ctx, withExtras);
  const present: EndpointCoverage['present'] = [];
  const missing: RequiredEndpoint[] = [];
  for (const req of required) {
    const found = satisfying(req, endpoints, ctx.region);
    if (found.length) present.push({ req, endpoints: found });
    else missing.push(req);
  }
  return { required, missing, present };
}

/** True when the S3 gateway endpoint is attached to the route table (or an S3 interface endpoint is used). */
export function s3ReachableByEndpoint(
  table: RouteTableRecord | undefined,
  endpoints: readonly VpcEndpointRecord[],
  region: string,
): boolean {
  const gateways = endpointsFor(endpoints, region, 's3', 'Gateway');
  if (table && gateways.some((g) => g.routeTableIds.includes(table.routeTableId))) return true;
  return endpointsFor(endpoints, region, 's3', 'Interface').some((e) => e.privateDnsEnabled);
}

/**
 * The endpoint path can carry the whole pull for a subnet: every image is in this region's ECR, every required
 * endpoint exists, S3 is reachable through its endpoint from the subnet's route table, and interface endpoints
 * resolve privately (private DNS on, VPC DNS attributes on).
 */
export function endpointPathComplete(
  ctx: TaskContext,
  subnetId: string,
  tables: readonly RouteTableRecord[],
  endpoints: readonly VpcEndpointRecord[],
  dns: { enableDnsSupport?: boolean | undefined; enableDnsHostnames?: boolean | undefined } | undefined,
): boolean {
  if (!imagesServedByEndpoints(ctx)) return false;
  const cov = endpointCoverage(ctx, endpoints, false);
  if (cov.missing.length) return false;
  const table = effectiveRouteTable(subnetId, tables)?.table;
  if (!s3ReachableByEndpoint(table, endpoints, ctx.region)) return false;
  const interfaces = cov.present.filter((p) => p.req.type === 'Interface').flatMap((p) => p.endpoints);
  const privateDns =
    interfaces.every((e) => e.privateDnsEnabled) &&
    dns?.enableDnsSupport !== false &&
    dns?.enableDnsHostnames !== false;
  return privateDns;
}

/** The AWS-managed S3 prefix list of the region (pl-…), if known. */
export function s3PrefixListId(
  region: string,
  lists: readonly PrefixListRecord[] | undefined,
  tables?: readonly RouteTableRecord[],
): string | undefined {
  const byName = lists?.find((p) => p.prefixListName === endpointServiceName(region, 's3'))?.prefixListId;
  if (byName) return byName;
  // Fallback: the destination of a gateway-endpoint route is the S3 prefix list.
  return tables
    ?.flatMap((t) => t.routes)
    .find((r) => r.destinationPrefixListId && r.gatewayId?.startsWith('vpce-'))?.destinationPrefixListId;
}

/** True when a rule's protocol and ports cover TCP `port`. */
export function ruleCoversTcp(rule: Pick<SgRule, 'protocol' | 'fromPort' | 'toPort'>, port: number): boolean {
  if (rule.protocol === '-1' || rule.protocol === 'all') return true;
  if (rule.protocol !== 'tcp' && rule.protocol !== '6') return false;
  const from = rule.fromPort ?? 0;
  const to = rule.toPort ?? 65535;
  return from <= port && port <= to;
}

export interface Peer {
  /** An address or CIDR the flow goes to / comes from. */
  cidr?: string | undefined;
  /** Security groups of the peer (a rule referencing one of them matches). */
  groupIds?: string[] | undefined;
  /** A prefix list the peer is in. */
  prefixListId?: string | undefined;
}

export interface SgMatch {
  groupId: string;
  rule: SgRule;
  /** How the rule matched: cidr, group, prefix-list. */
  via: 'cidr' | 'group' | 'prefix-list';
  value: string;
}

/** The first rule of the groups that lets TCP `port` to/from the peer, with what matched. */
export function sgAllows(
  groups: readonly SecurityGroupRecord[],
  direction: 'egress' | 'ingress',
  peer: Peer,
  port: number,
): SgMatch | undefined {
  for (const g of groups) {
    for (const rule of g[direction]) {
      if (!ruleCoversTcp(rule, port)) continue;
      if (peer.cidr) {
        const c = [...rule.cidrs, ...rule.ipv6Cidrs].find((x) => cidrContains(x, peer.cidr!));
        if (c) return { groupId: g.groupId, rule, via: 'cidr', value: c };
      }
      const grp = rule.groupIds.find((x) => peer.groupIds?.includes(x));
      if (grp) return { groupId: g.groupId, rule, via: 'group', value: grp };
      if (peer.prefixListId && rule.prefixListIds.includes(peer.prefixListId)) {
        return { groupId: g.groupId, rule, via: 'prefix-list', value: peer.prefixListId };
      }
    }
  }
  return undefined;
}

/** CIDRs the groups allow TCP `port` to, when none covers the peer (partial access, for evidence). */
export function sgPartialCidrs(
  groups: readonly SecurityGroupRecord[],
  direction: 'egress' | 'ingress',
  port: number,
): string[] {
  return groups.flatMap((g) => g[direction].filter((r) => ruleCoversTcp(r, port)).flatMap((r) => r.cidrs));
}

export type NaclVerdict = { decision: 'allow' | 'deny' | 'partial'; ruleNumber: number };

/**
 * Evaluates a network ACL for one TCP flow direction: rules in rule-number order, the first that matches
 * protocol, the whole port range and the whole peer range decides; the final `*` rule denies. A deny that
 * covers only part of the ports or of the peer range before the decisive rule makes the flow `partial`.
 */
export function naclVerdict(
  acl: NetworkAclRecord,
  egress: boolean,
  ports: { from: number; to: number },
  peerCidr: string,
): NaclVerdict {
  const v6 = peerCidr.includes(':');
  const entries = acl.entries
    .filter((e) => e.egress === egress && (v6 ? !!e.ipv6CidrBlock : !!e.cidrBlock))
    .sort((a, b) => a.ruleNumber - b.ruleNumber);
  let partial: number | undefined;
  for (const e of entries) {
    const proto = e.protocol === '-1' || e.protocol === '6' || e.protocol === 'tcp';
    if (!proto) continue;
    const range = e.protocol === '-1' || !e.portRange ? { from: 0, to: 65535 } : e.portRange;
    const cidr = (v6 ? e.ipv6CidrBlock : e.cidrBlock)!;
    const portsAll = range.from <= ports.from && ports.to <= range.to;
    const portsSome = range.from <= ports.to && ports.from <= range.to;
    const peerAll = cidrContains(cidr, peerCidr);
    const peerSome = cidrOverlaps(cidr, peerCidr);
    if (portsAll && peerAll) {
      if (e.ruleAction === 'allow' && partial !== undefined)
        return { decision: 'partial', ruleNumber: partial };
      return { decision: e.ruleAction, ruleNumber: e.ruleNumber };
    }
    if (portsSome && peerSome && e.ruleAction === 'deny' && partial === undefined) partial = e.ruleNumber;
  }
  return { decision: partial !== undefined ? 'partial' : 'deny', ruleNumber: partial ?? 32767 };
}

/** The network ACL associated with a subnet. */
export function naclOf(subnetId: string, acls: readonly NetworkAclRecord[]): NetworkAclRecord | undefined {
  return acls.find((a) => a.subnetIds.includes(subnetId)) ?? acls.find((a) => a.isDefault);
}
