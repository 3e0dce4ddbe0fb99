/** The opt-in public registry probe over the v2 API, against nock: token flow, manifests, Docker Hub limits. */
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { parseImageRef } from '../../src/aws/image-ref.js';
import { probeRegistry } from '../../src/registry/probe.js';
import { useNock } from '../helpers/unit.js';

useNock();

function dockerHub(status: number, headers: Record<string, string> = {}) {
  nock('https://registry-1.docker.io').head('/v2/library/redis/manifests/7').reply(401, '', {
    'www-authenticate':
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/redis:pull"',
  });
  nock('https://auth.docker.io')
    .get('/token')
    .query({ service: 'registry.docker.io', scope: 'repository:library/redis:pull' })
    .reply(200, { token: 'anon-token', expires_in: 300 });
  nock('https://registry-1.docker.io', { reqheaders: { authorization: 'Bearer anon-token' } })
    .head('/v2/library/redis/manifests/7')
    .reply(status, '', headers);
}

describe('probeRegistry', () => {
  it('finds a Docker Hub image with an anonymous token and reads the rate-limit headers', async () => {
    dockerHub(200, {
      'ratelimit-limit': '100;w=21600',
      'ratelimit-remaining': '76;w=21600',
      'docker-content-digest': 'sha256:abc',
    });
    const r = await probeRegistry(parseImageRef('redis:7')!, 2000);
    expect(r).toMatchObject({
      outcome: 'exists',
      registry: 'registry-1.docker.io',
      rateLimit: { remaining: 76, limit: 100, windowSeconds: 21600 },
    });
  });

  it('reports an exhausted limit', async () => {
    dockerHub(429, { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '0;w=21600' });
    expect((await probeRegistry(parseImageRef('redis:7')!, 2000)).outcome).toBe('rate-limited');
  });

  it('reports a missing tag', async () => {
    dockerHub(404);
    expect((await probeRegistry(parseImageRef('redis:7')!, 2000)).outcome).toBe('missing');
  });

  it('reports a private or missing repository on GHCR as unauthorized', async () => {
    nock('https://ghcr.io').head('/v2/acme/tool/manifests/v2').reply(401, '', {
      'www-authenticate':
        'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:acme/tool:pull"',
    });
    nock('https://ghcr.io')
      .get('/token')
      .query(true)
      .reply(401, { errors: [{ code: 'UNAUTHORIZED' }] });
    expect((await probeRegistry(parseImageRef('ghcr.io/acme/tool:v2')!, 2000)).outcome).toBe('unauthorized');
  });

  it('gives up after the configured timeout', async () => {
    nock('https://quay.io').head('/v2/org/app/manifests/1').delay(500).reply(200);
    const started = Date.now();
    const r = await probeRegistry(parseImageRef('quay.io/org/app:1')!, 50);
    expect(r.outcome).toBe('error');
    expect(Date.now() - started).toBeLessThan(400);
  });

  it('never throws when the registry cannot be reached', async () => {
    nock('https://quay.io').head('/v2/org/app/manifests/1').replyWithError('connect ECONNREFUSED');
    const r = await probeRegistry(parseImageRef('quay.io/org/app:1')!, 2000);
    expect(r.outcome).toBe('error');
    expect(r.detail).toContain('ECONNREFUSED');
  });
});
