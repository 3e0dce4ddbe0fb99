/** IPv4/IPv6 CIDR arithmetic for security group and network ACL evaluation. */

interface Range {
  v6: boolean;
  start: bigint;
  end: bigint;
}

function parseV4(ip: string): bigint | null {
  const parts = ip.split('.');
  if (parts.length !== 4) return null;
  let n = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
    n = (n << 8n) | BigInt(Number(p));
  }
  return n;
}

function parseV6(ip: string): bigint | null {
  const [head, tail, extra] = ip.split('::');
  if (extra !== undefined) return null;
  const h = head ? head.split(':') : [];
  const t = tail !== undefined ? (tail ? tail.split(':') : []) : [];
  const groups = tail !== undefined ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  if (groups.length !== 8) return null;
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
    n = (n << 16n) | BigInt(Number.parseInt(g, 16));
  }
  return n;
}

const parsed = new Map<string, Range | null>();

/**
 * Parses an address or CIDR (v4 or v6) into an inclusive range; null when invalid. Memoized: the same few
 * dozen ranges are compared thousands of times per diagnosis (every rule against every peer).
 */
export function parseCidr(s: string): Range | null {
  let r = parsed.get(s);
  if (r === undefined) {
    r = parseCidrUncached(s);
    if (parsed.size >= 10_000) parsed.clear();
    parsed.set(s, r);
  }
  return r;
}

function parseCidrUncached(s: string): Range | null {
  const [ip, lenText] = s.trim().split('/');
  if (!ip) return null;
  const v6 = ip.includes(':');
  const bits = v6 ? 128 : 32;
  const n = v6 ? parseV6(ip) : parseV4(ip);
  if (n === null) return null;
  const len = lenText === undefined ? bits : Number(lenText);
  if (!Number.isInteger(len) || len < 0 || len > bits) return null;
  const hostBits = BigInt(bits - len);
  const mask = (1n << hostBits) - 1n;
  const start = n & ~mask & ((1n << BigInt(bits)) - 1n);
  return { v6, start, end: start | mask };
}

/** True when `outer` contains all of `inner` (same address family). */
export function cidrContains(outer: string, inner: string): boolean {
  const a = parseCidr(outer);
  const b = parseCidr(inner);
  return !!a && !!b && a.v6 === b.v6 && a.start <= b.start && b.end <= a.end;
}

/** True when the two ranges share at least one address. */
export function cidrOverlaps(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  return !!x && !!y && x.v6 === y.v6 && x.start <= y.end && y.start <= x.end;
}
