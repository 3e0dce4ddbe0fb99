/** The causes a user is told about first (CHECKS.md §3), and which checks speak for each. */
export const causeIds = [
  'network-no-route',
  'network-no-public-ip',
  'network-security-group',
  'vpc-endpoint',
  'dns',
  'execution-role',
  'image-not-found',
  'image-reference',
  'registry-auth',
  'rate-limit',
  'platform-mismatch',
  'disk-space',
  'repository-policy',
  'kms',
  'secrets',
  'unknown',
] as const;

export type CauseId = (typeof causeIds)[number];

/** The network family: a timeout alone cannot tell these apart; the checks do. */
export const networkFamily: readonly CauseId[] = [
  'network-no-route',
  'network-no-public-ip',
  'network-security-group',
  'vpc-endpoint',
  'dns',
];

/** The families causes belong to (what an ambiguous message can at least narrow down to). */
export function familyOf(id: CauseId): 'network' | 'identity' | 'image' | 'storage' | 'secrets' | 'unknown' {
  if (networkFamily.includes(id)) return 'network';
  if (id === 'execution-role' || id === 'registry-auth' || id === 'repository-policy') return 'identity';
  if (
    id === 'image-not-found' ||
    id === 'image-reference' ||
    id === 'platform-mismatch' ||
    id === 'rate-limit'
  )
    return 'image';
  if (id === 'disk-space') return 'storage';
  if (id === 'kms' || id === 'secrets') return 'secrets';
  return 'unknown';
}

/**
 * The cause a check's result speaks for. Most checks map to one cause; a few results say more precisely
 * (a secret's disabled KMS key is a KMS problem, an unreachable secrets service is a network one).
 */
export function causeOfCheck(checkId: string, messageKey?: string): CauseId | undefined {
  const key = messageKey ?? '';
  switch (checkId) {
    case 'network.route':
    case 'network.nat-gateway':
      return 'network-no-route';
    case 'network.public-ip':
      return 'network-no-public-ip';
    case 'network.security-group-egress':
    case 'network.nacl':
      return 'network-security-group';
    case 'endpoints.required':
    case 'endpoints.availability-zones':
    case 'endpoints.security-groups':
    case 'endpoints.policy':
    case 'endpoints.s3-route':
      return 'vpc-endpoint';
    case 'endpoints.private-dns':
    case 'dns.dhcp-options':
      return 'dns';
    case 'iam.execution-role':
      return 'execution-role';
    case 'image.reference':
      return 'image-reference';
    case 'image.exists':
      return 'image-not-found';
    case 'image.platform':
      return 'platform-mismatch';
    case 'image.repository-policy':
      return 'repository-policy';
    case 'image.registry-credentials':
      return key.endsWith('.fail.kms') ? 'kms' : 'registry-auth';
    case 'image.rate-limit':
      return 'rate-limit';
    case 'storage.ephemeral':
      return 'disk-space';
    case 'secrets.retrieval':
      if (/\.fail\.kms/.test(key)) return 'kms';
      if (key.endsWith('.fail.unreachable')) return 'vpc-endpoint';
      return 'secrets';
    default:
      return undefined;
  }
}
