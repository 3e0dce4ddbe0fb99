/**
 * The opt-in public registry probe over the v2 API, against nock: token flow, manifests, Docker Hub limits; and the
 * rules that keep an image reference from pointing the bot anywhere else (issue 13, finding 3): the allow-list,
 * public addresses only (with an injected resolver, the connection going through it), redirects, token realms.
 */
import { createServer, type Server } from 'node:net';
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { parseImageRef } from '../../src/aws/image-ref.js';
import { registryProbeFact } from '../../src/diagnosis/facts/registry.js';
import { defineFact, type FactProvider, FactSession } from '../../src/diagnosis/facts/session.js';
import type { RegistryAllowEntry } from '../../src/registry/allow-list.js';
import { type ProbeOptions, probeRegistry, type Resolver, vettedLookup } from '../../src/registry/probe.js';
import { CHECKOUT_TARGET, unitPool, useNock } from '../helpers/unit.js';

useNock();

afterEach(() => {
  nock.disableNetConnect();
});

const probe = (image: string, options: Partial<ProbeOptions> = {}) =>
  probeRegistry(parseImageRef(image)!, { timeoutMs: 2000, ...options });

function dockerHub(status: number, headers: Record<string, string> = {}) {
  nock('https://registry-1.docker.io', { badheaders: ['authorization'] })
    .head('/v2/library/redis/manifests/7')
    .reply(401, '', {
      'www-authenticate':
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/redis:pull"',
    });
  nock('https://auth.docker.io', { badheaders: ['authorization'] })
    .get('/token')
    .query({ service: 'registry.docker.io', scope: 'repository:library/redis:pull' })
    .reply(200, { token: 'anon-token', expires_in: 300 });
  nock('https://registry-1.docker.io', { reqheaders: { authorization: 'Bearer anon-token' } })
    .head('/v2/library/redis/manifests/7')
    .reply(status, '', headers);
}

/** A 401 from ghcr.io asking for a token at `realm`. */
function ghcrChallenge(realm: string) {
  nock('https://ghcr.io', { badheaders: ['authorization'] })
    .head('/v2/acme/tool/manifests/v2')
    .reply(401, '', {
      'www-authenticate': `Bearer realm="${realm}",service="ghcr.io",scope="repository:acme/tool:pull"`,
    });
}

/** A resolver that answers every name with these addresses, and counts what it was asked. */
function resolverOf(...addresses: string[]): Resolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (host: string) => {
    asked.push(host);
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolve, { asked });
}

/** A TCP listener on 127.0.0.1 standing for an internal service: counts connections, answers none. */
async function internalService(): Promise<{ port: number; connections: () => number; close: () => void }> {
  let connections = 0;
  const server: Server = createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { port, connections: () => connections, close: () => server.close() };
}

describe('probeRegistry', () => {
  it('finds a Docker Hub image with an anonymous token and reads the rate-limit headers', async () => {
    dockerHub(200, {
      'ratelimit-limit': '100;w=21600',
      'ratelimit-remaining': '76;w=21600',
      'docker-content-digest': 'sha256:abc',
    });
    const r = await probe('redis:7');
    expect(r).toMatchObject({
      outcome: 'exists',
      registry: 'registry-1.docker.io',
      rateLimit: { remaining: 76, limit: 100, windowSeconds: 21600 },
    });
  });

  it('reports an exhausted limit', async () => {
    dockerHub(429, { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '0;w=21600' });
    expect((await probe('redis:7')).outcome).toBe('rate-limited');
  });

  it('reports a missing tag', async () => {
    dockerHub(404);
    expect((await probe('redis:7')).outcome).toBe('missing');
  });

  it('finds a GHCR image through its own token service', async () => {
    ghcrChallenge('https://ghcr.io/token');
    nock('https://ghcr.io', { badheaders: ['authorization'] })
      .get('/token')
      .query({ service: 'ghcr.io', scope: 'repository:acme/tool:pull' })
      .reply(200, { token: 'ghcr-anon' });
    nock('https://ghcr.io', { reqheaders: { authorization: 'Bearer ghcr-anon' } })
      .head('/v2/acme/tool/manifests/v2')
      .reply(200);
    expect(await probe('ghcr.io/acme/tool:v2')).toMatchObject({ outcome: 'exists', status: 200 });
  });

  it('reports a private or missing repository on GHCR as unauthorized', async () => {
    ghcrChallenge('https://ghcr.io/token');
    nock('https://ghcr.io')
      .get('/token')
      .query(true)
      .reply(401, { errors: [{ code: 'UNAUTHORIZED' }] });
    expect((await probe('ghcr.io/acme/tool:v2')).outcome).toBe('unauthorized');
  });

  it('asks registries without a token service (mcr.microsoft.com) and any name under *.pkg.dev', async () => {
    nock('https://mcr.microsoft.com').head('/v2/dotnet/runtime/manifests/8.0').reply(200);
    expect((await probe('mcr.microsoft.com/dotnet/runtime:8.0')).outcome).toBe('exists');
    nock('https://europe-west1-docker.pkg.dev').head('/v2/proj/repo/app/manifests/1').reply(401, '', {
      'www-authenticate':
        'Bearer realm="https://europe-west1-docker.pkg.dev/v2/token",service="artifactregistry"',
    });
    nock('https://europe-west1-docker.pkg.dev').get('/v2/token').query(true).reply(200, { token: 't' });
    nock('https://europe-west1-docker.pkg.dev', { reqheaders: { authorization: 'Bearer t' } })
      .head('/v2/proj/repo/app/manifests/1')
      .reply(404);
    expect((await probe('europe-west1-docker.pkg.dev/proj/repo/app:1')).outcome).toBe('missing');
  });

  it('gives up after the configured timeout', async () => {
    nock('https://quay.io').head('/v2/org/app/manifests/1').delay(500).reply(200);
    const started = Date.now();
    const r = await probe('quay.io/org/app:1', { timeoutMs: 50 });
    expect(r.outcome).toBe('error');
    expect(Date.now() - started).toBeLessThan(400);
  });

  it('never throws when the registry cannot be reached', async () => {
    nock('https://quay.io').head('/v2/org/app/manifests/1').replyWithError('connect ECONNREFUSED');
    const r = await probe('quay.io/org/app:1');
    expect(r.outcome).toBe('error');
    expect(r.detail).toContain('ECONNREFUSED');
  });

  it('uses no token that could end the Authorization header', async () => {
    ghcrChallenge('https://ghcr.io/token');
    nock('https://ghcr.io').get('/token').query(true).reply(200, { token: 'abc\r\nX-Injected: 1' });
    // No second HEAD: the token is not used, and the first answer stands.
    expect((await probe('ghcr.io/acme/tool:v2')).outcome).toBe('unauthorized');
  });
});

describe('probeRegistry: only registries on the allow-list', () => {
  it.each([
    ['localhost:5000/team/app:1', 'localhost:5000'],
    ['127.0.0.1:5000/team/app:1', '127.0.0.1:5000'],
    ['169.254.169.254/latest/meta-data:x', '169.254.169.254'],
    ['registry.internal.example.com/team/app:1', 'registry.internal.example.com'],
    ['ghcr.io:8443/acme/tool:v2', 'ghcr.io:8443'],
    ['ghcr.io.attacker.example/acme/tool:v2', 'ghcr.io.attacker.example'],
    ['evilghcr.io/acme/tool:v2', 'evilghcr.io'],
    ['pkg.dev/acme/tool:v2', 'pkg.dev'],
    ['docker-pkg.dev/acme/tool:v2', 'docker-pkg.dev'],
  ])('%s is not asked, not even resolved', async (image, host) => {
    // Net connect stays disabled: a request would fail as "error", never as "refused".
    const resolve = resolverOf('140.82.121.34');
    const r = await probe(image, { resolve });
    expect(r).toMatchObject({ outcome: 'refused', refusal: { rule: 'not-allowed', host } });
    expect(r.detail).toBe(`${host} is not on registries.allow`);
    expect(resolve.asked).toEqual([]);
  });

  it('refuses registry hosts that are not host names (userinfo, fragments, queries)', async () => {
    for (const registry of ['ghcr.io#x', 'ghcr.io?x=1', 'user@ghcr.io', 'ghcr.io\\x', '[::1]:5000']) {
      const ref = { ...parseImageRef('ghcr.io/acme/tool:v2')!, registry };
      const r = await probeRegistry(ref, { timeoutMs: 2000 });
      expect(r.outcome, registry).toBe('refused');
    }
  });

  it('asks a registry the configuration adds, and no longer one it leaves out', async () => {
    const allow: RegistryAllowEntry[] = [{ host: 'registry.example.com:5000', authHosts: [] }];
    nock('https://registry.example.com:5000').head('/v2/team/app/manifests/1').reply(200);
    expect((await probe('registry.example.com:5000/team/app:1', { allow })).outcome).toBe('exists');
    expect((await probe('ghcr.io/acme/tool:v2', { allow })).refusal?.rule).toBe('not-allowed');
  });
});

describe('probeRegistry: public addresses only, and the connection goes where the check looked', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.31.0.2', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'shared'],
    ['169.254.169.254', 'link-local'],
    ['169.254.170.2', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['::1', 'loopback'],
    ['fd00::1', 'unique-local'],
    ['fd00:ec2::254', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['64:ff9b::10.0.0.1', 'private'],
  ])('ghcr.io resolving to %s (%s) is not connected to', async (address, range) => {
    nock.enableNetConnect('ghcr.io');
    const resolve = resolverOf(address);
    const r = await probe('ghcr.io/acme/tool:v2', { resolve });
    expect(resolve.asked).toEqual(['ghcr.io']);
    expect(r).toMatchObject({
      outcome: 'refused',
      refusal: { rule: 'address', host: 'ghcr.io', address, range },
    });
  });

  it('refuses a name with one internal address among public ones', async () => {
    nock.enableNetConnect('ghcr.io');
    const r = await probe('ghcr.io/acme/tool:v2', { resolve: resolverOf('140.82.121.34', '10.0.0.7') });
    expect(r.refusal).toMatchObject({ rule: 'address', address: '10.0.0.7', range: 'private' });
  });

  it('makes no connection at all to an allow-listed name that resolves to loopback', async () => {
    const service = await internalService();
    try {
      const host = `registry.test:${service.port}`;
      nock.enableNetConnect(host);
      const allow = [{ host, authHosts: [] }];
      const resolve = resolverOf('127.0.0.1');
      const r = await probe(`${host}/team/app:1`, { allow, resolve });
      expect(r.refusal).toMatchObject({ rule: 'address', host: 'registry.test', address: '127.0.0.1' });
      expect(service.connections()).toBe(0);
      // An IP address on the allow-list is checked too (no lookup is made for an address).
      const literal = `127.0.0.1:${service.port}`;
      nock.enableNetConnect(literal);
      const byAddress = await probe(`${literal}/team/app:1`, {
        allow: [{ host: literal, authHosts: [] }],
        resolve,
      });
      expect(byAddress.refusal).toMatchObject({ rule: 'address', address: '127.0.0.1', range: 'loopback' });
      expect(service.connections()).toBe(0);
      expect(resolve.asked).toEqual(['registry.test']);
    } finally {
      service.close();
    }
  });

  it('resolves a name once, for the check and the connection alike (no DNS rebinding in between)', async () => {
    // A resolver that answers a public address first and loopback afterwards: the lookup the socket uses is the
    // check itself, so it is asked once per connection and hands the socket exactly the addresses it checked.
    let calls = 0;
    const rebinding: Resolver = async () => {
      calls++;
      return [{ address: calls === 1 ? '140.82.121.34' : '127.0.0.1', family: 4 }];
    };
    const lookup = vettedLookup(rebinding);
    const answer = await new Promise<unknown>((resolve, reject) =>
      lookup('ghcr.io', { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
    );
    expect(answer).toEqual([{ address: '140.82.121.34', family: 4 }]);
    expect(calls).toBe(1);
    const second = await new Promise<unknown>((resolve) =>
      lookup('ghcr.io', { all: true }, (err) => resolve(err)),
    );
    expect(second).toMatchObject({ refusal: { rule: 'address', address: '127.0.0.1' } });
    expect(calls).toBe(2);
  });

  it('checks the token service address too', async () => {
    nock('https://registry-1.docker.io').head('/v2/library/redis/manifests/7').reply(401, '', {
      'www-authenticate': 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io"',
    });
    nock.enableNetConnect('auth.docker.io');
    const r = await probe('redis:7', { resolve: resolverOf('169.254.169.254') });
    expect(r.refusal).toMatchObject({ rule: 'address', host: 'auth.docker.io', range: 'link-local' });
  });
});

describe('probeRegistry: redirects only to the same host over HTTPS', () => {
  it.each([
    ['http://ghcr.io/v2/acme/tool/manifests/v2', 'http://ghcr.io/v2/acme/tool/manifests/v2'],
    ['https://169.254.169.254/latest/meta-data/', 'https://169.254.169.254/latest/meta-data/'],
    ['http://127.0.0.1:8080/admin?x=1', 'http://127.0.0.1:8080/admin'],
    ['https://attacker.example/collect', 'https://attacker.example/collect'],
    ['https://ghcr.io:8443/v2/', 'https://ghcr.io:8443/v2/'],
    ['//pkg.dev.attacker.example/x', 'https://pkg.dev.attacker.example/x'],
  ])('a 302 to %s is not followed', async (location, shown) => {
    nock('https://ghcr.io').head('/v2/acme/tool/manifests/v2').reply(302, '', { location });
    const r = await probe('ghcr.io/acme/tool:v2');
    expect(r).toMatchObject({
      outcome: 'refused',
      refusal: { rule: 'redirect', host: 'ghcr.io', location: shown },
    });
  });

  it('follows a redirect on the same host, keeping the token there', async () => {
    ghcrChallenge('https://ghcr.io/token');
    nock('https://ghcr.io').get('/token').query(true).reply(200, { token: 'tok' });
    nock('https://ghcr.io', { reqheaders: { authorization: 'Bearer tok' } })
      .head('/v2/acme/tool/manifests/v2')
      .reply(307, '', { location: '/v2/acme/tool/manifests/sha256-moved' });
    nock('https://ghcr.io', { reqheaders: { authorization: 'Bearer tok' } })
      .head('/v2/acme/tool/manifests/sha256-moved')
      .reply(200);
    expect((await probe('ghcr.io/acme/tool:v2')).outcome).toBe('exists');
  });

  it('does not carry the token to another host a redirect names', async () => {
    ghcrChallenge('https://ghcr.io/token');
    nock('https://ghcr.io').get('/token').query(true).reply(200, { token: 'tok' });
    nock('https://ghcr.io', { reqheaders: { authorization: 'Bearer tok' } })
      .head('/v2/acme/tool/manifests/v2')
      .reply(302, '', { location: 'https://collector.attacker.example/steal' });
    const collector = nock('https://collector.attacker.example').head('/steal').reply(200);
    const r = await probe('ghcr.io/acme/tool:v2');
    expect(r.refusal).toMatchObject({
      rule: 'redirect',
      location: 'https://collector.attacker.example/steal',
    });
    expect(collector.isDone()).toBe(false);
    nock.cleanAll();
  });

  it('does not follow the token service elsewhere either', async () => {
    dockerHubChallengeOnly();
    nock('https://auth.docker.io')
      .get('/token')
      .query(true)
      .reply(302, '', { location: 'http://10.0.0.1/token' });
    expect((await probe('redis:7')).refusal).toMatchObject({
      rule: 'redirect',
      host: 'auth.docker.io',
      location: 'http://10.0.0.1/token',
    });
  });

  it('gives up after three redirects on the same host', async () => {
    for (let i = 0; i < 4; i++)
      nock('https://quay.io')
        .head(i ? `/v2/org/app/manifests/${i}` : '/v2/org/app/manifests/1')
        .reply(302, '', { location: `/v2/org/app/manifests/${i + 1}` });
    expect(await probe('quay.io/org/app:1')).toMatchObject({ outcome: 'error', detail: 'HTTP 302' });
  });
});

function dockerHubChallengeOnly(realm = 'https://auth.docker.io/token') {
  nock('https://registry-1.docker.io', { badheaders: ['authorization'] })
    .head('/v2/library/redis/manifests/7')
    .reply(401, '', { 'www-authenticate': `Bearer realm="${realm}",service="registry.docker.io"` });
}

describe('probeRegistry: a token realm only over HTTPS on the registry or its known token service', () => {
  it.each([
    ['http://ghcr.io/token', 'http://ghcr.io/token'],
    ['https://attacker.example/token', 'https://attacker.example/token'],
    ['https://169.254.169.254/latest/api/token', 'https://169.254.169.254/latest/api/token'],
    ['https://127.0.0.1/token', 'https://127.0.0.1/token'],
    ['https://user:secret@ghcr.io/token', 'https://ghcr.io/token'],
    ['https://auth.docker.io/token', 'https://auth.docker.io/token'],
    ['https://ghcr.io:8443/token', 'https://ghcr.io:8443/token'],
    ['not a url', 'not a url'],
  ])('ghcr.io asking for a token at %s gets no request there', async (realm, shown) => {
    ghcrChallenge(realm);
    // With net connect disabled, a request to the realm would end as "error": "refused" means none was made.
    const r = await probe('ghcr.io/acme/tool:v2');
    expect(r).toMatchObject({
      outcome: 'refused',
      refusal: { rule: 'realm', host: 'ghcr.io', realm: shown },
    });
  });

  it('Docker Hub: an http realm on its own token service is refused too, and no Authorization is ever sent', async () => {
    dockerHubChallengeOnly('http://auth.docker.io/token');
    expect((await probe('redis:7')).refusal).toMatchObject({
      rule: 'realm',
      realm: 'http://auth.docker.io/token',
    });
  });

  it('accepts a token service the configuration names for that registry only', async () => {
    const allow: RegistryAllowEntry[] = [
      { host: 'registry.example.com', authHosts: ['auth.example.com'] },
      { host: 'ghcr.io', authHosts: [] },
    ];
    nock('https://registry.example.com').head('/v2/team/app/manifests/1').reply(401, '', {
      'www-authenticate': 'Bearer realm="https://auth.example.com/token",service="registry.example.com"',
    });
    nock('https://auth.example.com', { badheaders: ['authorization'] })
      .get('/token')
      .query(true)
      .reply(200, { access_token: 'tok' });
    nock('https://registry.example.com', { reqheaders: { authorization: 'Bearer tok' } })
      .head('/v2/team/app/manifests/1')
      .reply(200);
    expect((await probe('registry.example.com/team/app:1', { allow })).outcome).toBe('exists');
    // ghcr.io may not send the probe to registry.example.com's token service.
    ghcrChallenge('https://auth.example.com/token');
    expect((await probe('ghcr.io/acme/tool:v2', { allow })).refusal?.rule).toBe('realm');
  });
});

describe('the registry.probe fact', () => {
  const EVENT_IMAGE = 'quay.io/org/named-in-the-event:1';
  const TD_IMAGE = 'ghcr.io/acme/tool:v2';
  const gather = async (source: 'describe-tasks' | 'event', registryAllow?: RegistryAllowEntry[]) => {
    const providers = new Map<string, FactProvider>([
      [
        'ecs.task',
        defineFact({
          name: 'ecs.task',
          actions: [],
          get: async () => ({
            source,
            task: {
              taskArn: CHECKOUT_TARGET.taskArn!,
              containers: [{ name: 'app', image: source === 'event' ? EVENT_IMAGE : TD_IMAGE }],
            },
          }),
        }) as FactProvider,
      ],
      [
        'ecs.taskDefinition',
        defineFact({
          name: 'ecs.taskDefinition',
          actions: [],
          get: async () => ({ containerDefinitions: [{ name: 'app', image: TD_IMAGE }] }) as never,
        }) as FactProvider,
      ],
      ['ecr.images', defineFact({ name: 'ecr.images', actions: [], get: async () => [] }) as FactProvider],
      ['registry.probe', registryProbeFact as FactProvider],
    ]);
    const session = new FactSession({
      pool: unitPool(),
      providers,
      inputs: {
        target: CHECKOUT_TARGET,
        requester: 'unit',
        settings: {
          probePublicRegistries: true,
          probeTimeoutMs: 2000,
          registryAllow,
          canReachAccount: () => true,
          mayRead: () => true,
        },
      },
      deadlineMs: 5000,
    });
    const fact = await session.fact('registry.probe');
    return fact.ok ? fact.value : [];
  };

  it('asks about a task rebuilt from an event with its task definition images only, never the event text', async () => {
    nock('https://ghcr.io').head('/v2/acme/tool/manifests/v2').reply(200);
    const probes = await gather('event');
    expect(probes.map((p) => [p.image, p.outcome])).toEqual([[TD_IMAGE, 'exists']]);
  });

  it('follows the configured allow-list', async () => {
    const probes = await gather('describe-tasks', [{ host: 'quay.io', authHosts: [] }]);
    expect(probes).toMatchObject([{ image: TD_IMAGE, outcome: 'refused', refusal: { rule: 'not-allowed' } }]);
  });
});
