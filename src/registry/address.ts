/**
 * Which IP addresses the registry probe may connect to: public unicast only. Loopback, private (RFC 1918), shared
 * (100.64/10, CGNAT), link-local (169.254/16, where the EC2 and ECS metadata endpoints live; fe80::/10), unique
 * local (fc00::/7, where EC2's IPv6 metadata endpoint lives), unspecified, multicast and reserved ranges are
 * refused, and so is an IPv6 address that carries one of those IPv4 addresses (IPv4-mapped, IPv4-translated,
 * NAT64, 6to4). IPv6 outside global unicast (2000::/3) is refused whatever it is.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type AddressClass =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'shared'
  | 'link-local'
  | 'unique-local'
  | 'multicast'
  | 'reserved'
  | 'invalid';

/** IPv4 special-purpose ranges (IANA registry), as [first address, prefix length, class]. */
const V4_RANGES: ReadonlyArray<readonly [string, number, AddressClass]> = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'reserved'],
  ['192.88.99.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'],
  ['198.51.100.0', 24, 'reserved'],
  ['203.0.113.0', 24, 'reserved'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

/** The ranges above, for tests that compare with another implementation (node:net's BlockList). */
export const IPV4_SPECIAL_RANGES = V4_RANGES;

function v4ToInt(address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

const V4_TABLE = V4_RANGES.map(([base, bits, cls]) => {
  const size = 2 ** (32 - bits);
  const start = v4ToInt(base);
  return { start, end: start + size - 1, cls };
});

function classifyV4Int(n: number): AddressClass {
  for (const r of V4_TABLE) if (n >= r.start && n <= r.end) return r.cls;
  return 'public';
}

/** An IPv6 address as eight 16-bit groups, or undefined when it is not one. A zone (`%eth0`) is dropped. */
export function ipv6Groups(address: string): number[] | undefined {
  const bare = address.split('%')[0]!;
  if (!isIPv6(bare)) return undefined;
  let text = bare.toLowerCase();
  // A trailing dotted IPv4 part stands for the last two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const n = v4ToInt(dotted[1]!);
    text = `${text.slice(0, dotted.index)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const parse = (s: string | undefined) => (s ? s.split(':').map((g) => Number.parseInt(g, 16)) : []);
  const left = parse(head);
  if (tail === undefined) return left.length === 8 ? left : undefined;
  const right = parse(tail);
  const zeros = 8 - left.length - right.length;
  if (zeros < 1) return undefined;
  return [...left, ...new Array<number>(zeros).fill(0), ...right];
}

function classifyV6(g: number[]): AddressClass {
  const v4At = (i: number) => classifyV4Int(g[i]! * 65536 + g[i + 1]!);
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (g.every((x) => x === 0)) return 'unspecified';
  if (zeroUpTo(7) && g[7] === 1) return 'loopback';
  // ::ffff:a.b.c.d (IPv4-mapped) and ::ffff:0:a.b.c.d (IPv4-translated) reach the IPv4 address.
  if (zeroUpTo(5) && g[5] === 0xffff) return v4At(6);
  if (zeroUpTo(4) && g[4] === 0xffff && g[5] === 0) return v4At(6);
  // 64:ff9b::a.b.c.d (NAT64): the gateway connects to the IPv4 address; 64:ff9b:1::/48 is for local use.
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return v4At(6);
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return 'private';
  // 2002:a.b.c.d::/48 (6to4) reaches the IPv4 address too.
  if (g[0] === 0x2002) return v4At(1);
  const first = g[0]!;
  if ((first & 0xfe00) === 0xfc00) return 'unique-local';
  if ((first & 0xffc0) === 0xfe80) return 'link-local';
  if ((first & 0xffc0) === 0xfec0) return 'private';
  if ((first & 0xff00) === 0xff00) return 'multicast';
  // Global unicast is 2000::/3; inside it, IETF protocol assignments (2001::/23: Teredo, ORCHID, …),
  // documentation (2001:db8::/32, 3fff::/20).
  if ((first & 0xe000) !== 0x2000) return 'reserved';
  if (first === 0x2001 && g[1]! < 0x200) return 'reserved';
  if (first === 0x2001 && g[1] === 0xdb8) return 'reserved';
  if (first === 0x3fff && g[1]! < 0x1000) return 'reserved';
  return 'public';
}

/** What kind of address this is; `invalid` when it is not an IP address at all. */
export function classifyAddress(address: string): AddressClass {
  if (isIPv4(address)) return classifyV4Int(v4ToInt(address));
  const g = ipv6Groups(address);
  return g ? classifyV6(g) : 'invalid';
}

/** Whether the probe may connect to this address. */
export function isPublicAddress(address: string): boolean {
  return classifyAddress(address) === 'public';
}
