/**
 * The registry probe's rules as pure functions (issue 13, finding 3): the address classifier, checked against
 * node:net's BlockList and across every way of writing an IPv4 address inside IPv6; the allow-list's host
 * matching over generated hosts; the manifest URL never naming a host other than the one the allow-list matched;
 * and registries.allow in the configuration.
 */
import { BlockList } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseImageRef } from '../../src/aws/image-ref.js';
import { defaultConfig, loadConfig } from '../../src/config.js';
import { UserError } from '../../src/errors.js';
import { classifyAddress, IPV4_SPECIAL_RANGES, isPublicAddress } from '../../src/registry/address.js';
import {
  allowEntryFor,
  DEFAULT_REGISTRY_ALLOW,
  hostMatches,
  realmHostAllowed,
} from '../../src/registry/allow-list.js';
import { manifestUrl } from '../../src/registry/probe.js';
import { writeConfig } from '../helpers/cli.js';

const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
const hex = (n: number) => n.toString(16);
function v4Groups(a: string): [number, number] {
  const [x, y, z, w] = a.split('.').map(Number) as [number, number, number, number];
  return [x * 256 + y, z * 256 + w];
}

const special = new BlockList();
for (const [base, bits] of IPV4_SPECIAL_RANGES) special.addSubnet(base, bits, 'ipv4');

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['100.64.0.1', 'shared'],
    ['100.127.255.255', 'shared'],
    ['169.254.169.254', 'link-local'],
    ['169.254.170.2', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['8.8.8.8', 'public'],
    ['52.95.0.1', 'public'],
    ['172.32.0.1', 'public'],
    ['100.128.0.1', 'public'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['fd00::1', 'unique-local'],
    ['fc00::1', 'unique-local'],
    ['fd00:ec2::254', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['fec0::1', 'private'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::FFFF:A9FE:A9FE', 'link-local'],
    ['0:0:0:0:0:ffff:10.0.0.1', 'private'],
    ['::ffff:0:127.0.0.1', 'loopback'],
    ['64:ff9b::169.254.169.254', 'link-local'],
    ['64:ff9b::8.8.8.8', 'public'],
    ['64:ff9b:1::1', 'private'],
    ['2002:7f00:1::1', 'loopback'],
    ['2002:0808:0808::1', 'public'],
    ['::127.0.0.1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['2001::1', 'reserved'],
    ['100::1', 'reserved'],
    ['3fff::1', 'reserved'],
    ['2606:4700::1111', 'public'],
    ['2a05:d018::1', 'public'],
    ['localhost', 'invalid'],
    ['127.1', 'invalid'],
    ['', 'invalid'],
  ])('%s is %s', (address, cls) => {
    expect(classifyAddress(address)).toBe(cls);
  });

  it('agrees with node:net BlockList on every IPv4 address', () => {
    fc.assert(
      fc.property(v4, (a) => {
        expect(isPublicAddress(a)).toBe(!special.check(a, 'ipv4'));
      }),
      { numRuns: 5000 },
    );
  });

  it('classifies an IPv4 address the same however IPv6 carries it (mapped, translated, NAT64, 6to4)', () => {
    fc.assert(
      fc.property(v4, (a) => {
        const [hi, lo] = v4Groups(a);
        const cls = classifyAddress(a);
        for (const form of [
          `::ffff:${a}`,
          `::ffff:${hex(hi)}:${hex(lo)}`,
          `0:0:0:0:0:FFFF:${hex(hi).toUpperCase()}:${hex(lo)}`,
          `::ffff:0:${a}`,
          `64:ff9b::${a}`,
          `64:ff9b::${hex(hi)}:${hex(lo)}`,
          `2002:${hex(hi)}:${hex(lo)}::1`,
        ])
          expect(classifyAddress(form), form).toBe(cls);
      }),
      { numRuns: 2000 },
    );
  });

  const groups = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 });
  const write = (g: number[]) => g.map(hex).join(':');

  it('classifies an IPv6 address the same however it is written', () => {
    fc.assert(
      fc.property(groups, (g) => {
        const full = write(g);
        const compressed = new URL(`http://[${full}]/`).hostname.slice(1, -1);
        const cls = classifyAddress(full);
        expect(classifyAddress(compressed)).toBe(cls);
        expect(classifyAddress(full.toUpperCase())).toBe(cls);
        expect(classifyAddress(g.map((x) => x.toString(16).padStart(4, '0')).join(':'))).toBe(cls);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses all of fc00::/7, fe80::/10 and ff00::/8, and anything outside global unicast', () => {
    fc.assert(
      fc.property(groups, fc.nat(0x1ff), fc.nat(0x3f), fc.nat(0xff), (g, ula, ll, mc) => {
        expect(classifyAddress(write([0xfc00 | ula, ...g.slice(1)]))).toBe('unique-local');
        expect(classifyAddress(write([0xfe80 | ll, ...g.slice(1)]))).toBe('link-local');
        expect(classifyAddress(write([0xff00 | mc, ...g.slice(1)]))).toBe('multicast');
        if ((g[0]! & 0xe000) !== 0x2000) expect(isPublicAddress(write(g))).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('lets through global unicast outside the special blocks', () => {
    const first = fc.integer({ min: 0x2400, max: 0x3ffe });
    fc.assert(
      fc.property(first, groups, (f, g) => {
        expect(classifyAddress(write([f, ...g.slice(1)]))).toBe('public');
      }),
    );
  });
});

describe('the allow-list', () => {
  const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/);
  const name = fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => l.join('.'));

  it('matches *.pkg.dev for names under pkg.dev only, never pkg.dev itself or a look-alike', () => {
    fc.assert(
      fc.property(name, (n) => {
        expect(hostMatches('*.pkg.dev', `${n}.pkg.dev`)).toBe(true);
        expect(hostMatches('*.pkg.dev', `${n}.pkg.dev:443`)).toBe(true);
        expect(hostMatches('*.pkg.dev', `${n}.pkg.dev:8443`)).toBe(false);
        expect(hostMatches('*.pkg.dev', `${n}pkg.dev`)).toBe(n.endsWith('.'));
        expect(hostMatches('*.pkg.dev', `pkg.dev.${n}`)).toBe(false);
        expect(hostMatches('*.pkg.dev', `${n}.pkg.dev.${n}`)).toBe(false);
      }),
    );
    expect(hostMatches('*.pkg.dev', 'pkg.dev')).toBe(false);
  });

  it('matches an exact host only by name and port (443 when none is written)', () => {
    fc.assert(
      fc.property(name, name, fc.integer({ min: 1, max: 65535 }), (a, b, port) => {
        expect(hostMatches(a, b)).toBe(a === b);
        expect(hostMatches(a, `${a}:${port}`)).toBe(port === 443);
        expect(hostMatches(`${a}:${port}`, `${a}:${port}`)).toBe(true);
      }),
    );
  });

  it('never yields a manifest URL for a host other than the allow-listed one, whatever the registry string', () => {
    const base = parseImageRef('ghcr.io/acme/tool:v2')!;
    const tricky = fc.oneof(
      fc.string(),
      fc.constantFrom('ghcr.io', 'quay.io', 'x.pkg.dev', 'registry-1.docker.io', 'public.ecr.aws'),
      fc
        .tuple(
          fc.constantFrom('ghcr.io', 'quay.io', 'eu.gcr.io', 'a.pkg.dev', ''),
          fc.constantFrom(
            '#',
            '?',
            '@',
            '/',
            '\\',
            ':',
            '.',
            '%2e',
            '%40',
            ':443',
            ':0',
            '.evil.example',
            '',
          ),
          fc.constantFrom('ghcr.io', 'evil.example', '127.0.0.1', '[::1]', ''),
        )
        .map((p) => p.join('')),
    );
    fc.assert(
      fc.property(tricky, (registry) => {
        const out = manifestUrl({ ...base, kind: 'other', registry }, DEFAULT_REGISTRY_ALLOW);
        if ('refusal' in out) return;
        expect(out.url.protocol).toBe('https:');
        expect(out.url.username + out.url.password).toBe('');
        expect(hostMatches(out.entry.host, out.url.host)).toBe(true);
        expect(new URL(`https://${registry}`).host).toBe(out.url.host);
        expect(out.url.pathname).toBe('/v2/acme/tool/manifests/v2');
      }),
      { numRuns: 3000 },
    );
  });

  it('lists each default registry with its token service, and accepts a realm only there', () => {
    expect(DEFAULT_REGISTRY_ALLOW.map((e) => e.host)).toEqual([
      'registry-1.docker.io',
      'ghcr.io',
      'quay.io',
      'public.ecr.aws',
      'gcr.io',
      '*.gcr.io',
      '*.pkg.dev',
      'mcr.microsoft.com',
    ]);
    const hub = allowEntryFor('registry-1.docker.io', DEFAULT_REGISTRY_ALLOW)!;
    expect(realmHostAllowed('auth.docker.io', 'registry-1.docker.io', hub)).toBe(true);
    expect(realmHostAllowed('registry-1.docker.io', 'registry-1.docker.io', hub)).toBe(true);
    expect(realmHostAllowed('ghcr.io', 'registry-1.docker.io', hub)).toBe(false);
    const pkg = allowEntryFor('us-docker.pkg.dev', DEFAULT_REGISTRY_ALLOW)!;
    expect(realmHostAllowed('us-docker.pkg.dev', 'us-docker.pkg.dev', pkg)).toBe(true);
    expect(realmHostAllowed('eu-docker.pkg.dev', 'us-docker.pkg.dev', pkg)).toBe(false);
  });
});

describe('registries.allow in the configuration', () => {
  it('defaults to the built-in list', () => {
    expect(defaultConfig().registries.allow).toEqual(DEFAULT_REGISTRY_ALLOW);
    expect(defaultConfig({ registries: { probePublic: true } }).registries.allow).toEqual(
      DEFAULT_REGISTRY_ALLOW,
    );
  });

  it('replaces it with hosts and hosts with their token service, lower-cased', () => {
    const file = writeConfig(
      [
        'registries:',
        '  probePublic: true',
        '  allow:',
        '    - ghcr.io',
        '    - Registry.Example.com:5000',
        '    - host: "*.registry.example.net"',
        '      authHosts: [auth.example.net]',
      ].join('\n'),
    );
    expect(loadConfig({}, { configPath: file }).registries.allow).toEqual([
      { host: 'ghcr.io', authHosts: [] },
      { host: 'registry.example.com:5000', authHosts: [] },
      { host: '*.registry.example.net', authHosts: ['auth.example.net'] },
    ]);
  });

  it.each([
    ['"*"', 'registries.allow.0'],
    ['"*.com"', 'registries.allow.0'],
    ['https://ghcr.io', 'registries.allow.0'],
    ['ghcr.io/acme', 'registries.allow.0'],
    ['ghcr.io:99999', 'registries.allow.0'],
    ['"user@ghcr.io"', 'registries.allow.0'],
    ['{host: ghcr.io, authHosts: ["*.docker.io"]}', 'registries.allow.0'],
  ])('refuses %s', (entry, key) => {
    const file = writeConfig(['registries:', '  allow:', `    - ${entry}`].join('\n'));
    const err = (() => {
      try {
        loadConfig({}, { configPath: file });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UserError);
    expect(JSON.stringify((err as UserError).params)).toContain(key);
  });
});
