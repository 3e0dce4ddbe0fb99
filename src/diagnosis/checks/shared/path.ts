/**
 * The network path of a task, as pure functions over the gathered facts: the effective route table of a
 * subnet, where its default route goes, which VPC endpoints the pull needs and which exist, and how
 * security groups and network ACLs treat a flow. Shared by the network checks and the secrets checks.
 */

import { comparePlatformVersion, type TaskContext } from '../../context.js';
import type {
  NetworkAclRecord,
  PrefixListRecord,
  RouteRecord,
  RouteTableRecord,
  SecurityGroupRecord,
  SgRule,
  VpcEndpointRecord,
} from '../../facts/ec2.js';
import { imagesOf, type SecretRef, secretRefsOf } from '../../task-refs.js';
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

/** The prefix length of a route's CIDR destination, or -1 for a prefix-list route. */
function prefixLength(r: RouteRecord): number {
  const d = r.destinationCidrBlock ?? r.destinationIpv6CidrBlock;
  if (!d) return -1;
  return Number(d.split('/')[1] ?? (d.includes(':') ? 128 : 32));
}

/** Among routes of equal prefix length: static routes, then prefix-list routes, then propagated (VPN/DX) ones. */
function priority(route: RouteRecord, list: boolean): number {
  if (route.origin === 'EnableVgwRoutePropagation') return 2;
  return list ? 1 : 0;
}

/**
 * The route a packet to `address` takes: the most specific destination that contains it (longest prefix match).
 * A blackhole route still matches (AWS drops the packet, it does not fall back to a less specific route).
 * Prefix-list routes match when `prefixLists` gives the list's CIDRs; on a tie a static CIDR route wins over a
 * prefix-list route, and both over a route propagated from a virtual private gateway.
 */
export function routeFor(
  table: RouteTableRecord,
  address: string,
  prefixLists: Readonly<Record<string, readonly string[]>> = {},
): RouteRecord | undefined {
  let best: { route: RouteRecord; len: number; rank: number } | undefined;
  for (const route of table.routes) {
    const dest = route.destinationCidrBlock ?? route.destinationIpv6CidrBlock;
    let len = -1;
    let list = false;
    if (dest) {
      if (cidrContains(dest, address)) len = prefixLength(route);
    } else if (route.destinationPrefixListId) {
      const hit = (prefixLists[route.destinationPrefixListId] ?? []).filter((c) => cidrContains(c, address));
      if (hit.length) {
        len = Math.max(...hit.map((c) => Number(c.split('/')[1] ?? 32)));
        list = true;
      }
    }
    if (len < 0) continue;
    const rank = priority(route, list);
    if (!best || len > best.len || (len === best.len && rank < best.rank)) best = { route, len, rank };
  }
  return best?.route;
}

/**
 * One address in each public /8 block (1–223 but 10 and 127; the .200 second octet keeps clear of 100.64/10,
 * 169.254/16, 172.16/12 and 192.168/16): where "the internet" is routed when more specific routes split it.
 */
const PUBLIC_SAMPLES: readonly string[] = Array.from({ length: 223 }, (_, i) => i + 1)
  .filter((o) => o !== 10 && o !== 127)
  .map((o) => `${o}.200.0.1`);

/**
 * The route that carries traffic to public addresses (ECR and S3 have no fixed ranges in the data read): the
 * route most public /8 blocks take by longest prefix match. Usually the 0.0.0.0/0 route; with a split default
 * (0.0.0.0/1 + 128.0.0.0/1) or broad more specific routes, the one that wins for most of the internet.
 * `others` lists more specific routes that send some public ranges elsewhere.
 */
export function internetRoute(table: RouteTableRecord): { route?: RouteRecord; others: RouteRecord[] } {
  const votes = new Map<RouteRecord, number>();
  for (const address of PUBLIC_SAMPLES) {
    const r = routeFor(table, address);
    if (!r || routeTarget(r).kind === 'local') continue;
    votes.set(r, (votes.get(r) ?? 0) + 1);
  }
  const ranked = [...votes.entries()].sort((a, b) => b[1] - a[1]).map(([r]) => r);
  const route = ranked[0];
  const others = ranked.slice(1).filter((r) => routeTarget(r).id !== (route ? routeTarget(route).id : ''));
  return route ? { route, others } : { others };
}

/** The 0.0.0.0/0 route of a table, if any (the default route; see internetRoute for what actually wins). */
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
  /** More specific routes that take part of the public address space elsewhere. */
  others?: RouteRecord[];
}

/** Where a subnet's internet-bound traffic goes: the effective table's winning route for public addresses. */
export function internetPath(subnetId: string, tables: readonly RouteTableRecord[]): InternetPath {
  const eff = effectiveRouteTable(subnetId, tables);
  if (!eff) return { subnetId, kind: 'no-table' };
  const { route, others } = internetRoute(eff.table);
  const base = { subnetId, table: eff.table, explicit: eff.explicit, others };
  if (!route) return { ...base, kind: 'none' };
  const target = routeTarget(route);
  if (!isActive(route)) return { ...base, route, target, kind: 'blackhole' };
  if (target.kind === 'nat' || target.kind === 'igw') return { ...base, route, target, kind: target.kind };
  return { ...base, route, target, kind: 'custom' };
}

/** The CIDR text of a route's destination (a prefix-list id for a prefix-list route). */
export function routeDestination(r: RouteRecord): string {
  return r.destinationCidrBlock ?? r.destinationIpv6CidrBlock ?? r.destinationPrefixListId ?? '?';
}

/**
 * Whether the task can use the internet path from this subnet: a NAT gateway or a custom target (assumed to
 * work, the route check warns), or an internet gateway with a public IP (unknown counts as usable).
 */
export function hasInternetPath(
  ctx: Pick<TaskContext, 'network'>,
  subnetId: string,
  tables: readonly RouteTableRecord[],
): boolean {
  const p = internetPath(subnetId, tables);
  if (p.kind === 'nat' || p.kind === 'custom') return true;
  if (p.kind === 'igw')
    return ctx.network.publicIp !== undefined || ctx.network.assignPublicIp !== 'DISABLED';
  return false;
}

/** True when some task subnet has a usable internet path (then endpoints are a shortcut, not the only way). */
export function taskHasInternetPath(
  ctx: Pick<TaskContext, 'network'>,
  tables: readonly RouteTableRecord[],
): boolean {
  return ctx.network.subnetIds.some((s) => hasInternetPath(ctx, s, tables));
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

/** True when every image is in a private ECR registry of the task's own region (what VPC endpoints serve). */
export function imagesServedByEndpoints(ctx: TaskContext): boolean {
  const images = imagesOf(ctx.containers);
  return images.length > 0 && images.every((i) => i.ref?.kind === 'ecr' && i.ref.ecr?.region === ctx.region);
}

/** The secrets and parameters the task reads at start (container secrets, log secrets, registry credentials). */
export function taskSecretRefs(ctx: TaskContext): SecretRef[] {
  const definitions = ctx.containers.flatMap((c) => (c.definition ? [c.definition] : []));
  return secretRefsOf(definitions, ctx.partition, ctx.region, ctx.account);
}

export interface RequiredEndpoint {
  service: EndpointService;
  type: 'Interface' | 'Gateway';
  /** Why it is needed: a message key suffix (pull, layers, awslogs, secrets). */
  reason: 'pull' | 'auth' | 'layers' | 'awslogs' | 'secrets' | 'parameters';
}

/**
 * The endpoints a task needs to pull without an internet path: ecr.dkr and the S3 gateway always, ecr.api from
 * Linux platform 1.4.0 (and on Windows); and, with no internet path at all, logs for awslogs and
 * secretsmanager/ssm for secrets.
 */
export function requiredEndpoints(ctx: TaskContext, withExtras: boolean): RequiredEndpoint[] {
  const out: RequiredEndpoint[] = [{ service: 'ecr.dkr', type: 'Interface', reason: 'pull' }];
  // Linux 1.4.0 and later, and every Windows platform version, fetch the ECR token through the task's own ENI.
  if (
    ctx.platformFamily === 'windows' ||
    comparePlatformVersion(ctx.effectivePlatformVersion, '1.4.0') >= 0
  ) {
    out.push({ service: 'ecr.api', type: 'Interface', reason: 'auth' });
  }
  out.push({ service: 's3', type: 'Gateway', reason: 'layers' });
  if (withExtras) {
    if (ctx.containers.some((c) => c.definition?.logConfiguration?.logDriver === 'awslogs')) {
      out.push({ service: 'logs', type: 'Interface', reason: 'awslogs' });
    }
    const secrets = taskSecretRefs(ctx);
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

/** Endpoints of the VPC for a service in any state (a failed or pending one explains a "missing" endpoint). */
export function endpointsNamed(
  endpoints: readonly VpcEndpointRecord[],
  region: string,
  service: EndpointService,
): VpcEndpointRecord[] {
  const name = endpointServiceName(region, service);
  return endpoints.filter((e) => e.serviceName === name);
}

/**
 * The usable endpoints that serve one of this task's needs (ECR, S3, logs, Secrets Manager, SSM), each with the
 * need it serves. For S3 that is the gateway endpoints, or interface endpoints with private DNS when there is
 * no gateway (an S3 interface endpoint without private DNS carries nothing the pull sends).
 */
export function relevantEndpoints(
  ctx: TaskContext,
  endpoints: readonly VpcEndpointRecord[],
  type?: 'Interface' | 'Gateway',
): Array<{ req: RequiredEndpoint; endpoint: VpcEndpointRecord }> {
  const out: Array<{ req: RequiredEndpoint; endpoint: VpcEndpointRecord }> = [];
  for (const req of requiredEndpoints(ctx, true)) {
    for (const endpoint of satisfying(req, endpoints, ctx.region)) {
      if (type && endpoint.type.toLowerCase() !== type.toLowerCase()) continue;
      out.push({ req, endpoint });
    }
  }
  return out;
}

/**
 * The interface endpoints that receive the task's requests to a service under its usual name: available, with
 * private DNS on (and the VPC's DNS attributes on, checked by the caller through `vpcResolvesPrivately`).
 */
export function interfaceEndpointsServing(
  endpoints: readonly VpcEndpointRecord[],
  region: string,
  service: EndpointService,
): VpcEndpointRecord[] {
  return endpointsFor(endpoints, region, service, 'Interface').filter((e) => e.privateDnsEnabled);
}

/** The VPC's DNS attributes as the path helpers read them (the `ec2.vpcDns` fact; unknown ones count as on). */
export interface DnsAttributes {
  vpcId?: string | undefined;
  enableDnsSupport?: boolean | undefined;
  enableDnsHostnames?: boolean | undefined;
}

/** Whether the VPC resolves endpoints' private names (enableDnsSupport and enableDnsHostnames not off). */
export function vpcResolvesPrivately(vpc: DnsAttributes | undefined): boolean {
  return vpc?.enableDnsSupport !== false && vpc?.enableDnsHostnames !== false;
}

/**
 * How the task reaches an AWS service (Secrets Manager, SSM, logs, ECR …) from a subnet: through an interface
 * endpoint with private DNS, else over the internet path, else not at all.
 */
export function serviceReach(
  ctx: Pick<TaskContext, 'network' | 'region'>,
  subnetId: string,
  tables: readonly RouteTableRecord[],
  endpoints: readonly VpcEndpointRecord[],
  service: EndpointService,
  vpc?: DnsAttributes,
): { via: 'endpoint' | 'internet' | 'none'; endpoint?: VpcEndpointRecord } {
  const endpoint = vpcResolvesPrivately(vpc)
    ? interfaceEndpointsServing(endpoints, ctx.region, service)[0]
    : undefined;
  if (endpoint) return { via: 'endpoint', endpoint };
  return { via: hasInternetPath(ctx, subnetId, tables) ? 'internet' : 'none' };
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

/** The S3 gateway endpoint attached to a route table (by association or by its prefix-list route), if any. */
export function s3GatewayOf(
  table: RouteTableRecord | undefined,
  endpoints: readonly VpcEndpointRecord[],
  region: string,
): VpcEndpointRecord | undefined {
  if (!table) return undefined;
  return endpointsFor(endpoints, region, 's3', 'Gateway').find(
    (g) =>
      g.routeTableIds.includes(table.routeTableId) ||
      table.routes.some((r) => r.gatewayId === g.vpcEndpointId && r.destinationPrefixListId && isActive(r)),
  );
}

/** True when the S3 gateway endpoint is attached to the route table (or an S3 interface endpoint is used). */
export function s3ReachableByEndpoint(
  table: RouteTableRecord | undefined,
  endpoints: readonly VpcEndpointRecord[],
  region: string,
): boolean {
  if (s3GatewayOf(table, endpoints, region)) return true;
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
  dns: DnsAttributes | undefined,
): boolean {
  if (!imagesServedByEndpoints(ctx)) return false;
  const cov = endpointCoverage(ctx, endpoints, false);
  if (cov.missing.length) return false;
  const table = effectiveRouteTable(subnetId, tables)?.table;
  if (!s3ReachableByEndpoint(table, endpoints, ctx.region)) return false;
  const interfaces = cov.present.filter((p) => p.req.type === 'Interface').flatMap((p) => p.endpoints);
  return interfaces.every((e) => e.privateDnsEnabled) && vpcResolvesPrivately(dns);
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

/**
 * Whether the groups let TCP `port` to/from every one of `cidrs` (each may be covered by a different rule):
 * the rules that did, or undefined when some range is left out.
 */
export function sgAllowsAll(
  groups: readonly SecurityGroupRecord[],
  direction: 'egress' | 'ingress',
  cidrs: readonly string[],
  port: number,
): SgMatch[] | undefined {
  if (!cidrs.length) return undefined;
  const out: SgMatch[] = [];
  for (const cidr of cidrs) {
    const m = sgAllows(groups, direction, { cidr }, port);
    if (!m) return undefined;
    out.push(m);
  }
  return out;
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
