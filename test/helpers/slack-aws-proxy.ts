/**
 * A loopback HTTP proxy in front of moto that counts the AWS requests going through it, by API: the honest
 * measure of how many AWS calls an alert storm costs (whatever the caches say about themselves). Optionally adds
 * a fixed latency to each request, as a real AWS round trip would.
 */
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingProxy {
  url: string;
  /** Requests since the last reset. */
  count(): number;
  /** Requests since the last reset, by API (`ecs:DescribeTasks`, `sts:AssumeRole`, …). */
  byApi(): Record<string, number>;
  reset(): void;
  close(): Promise<void>;
}

/** The API of an AWS request: JSON protocols name it in X-Amz-Target, query protocols in Action. */
function apiOf(headers: Record<string, string | string[] | undefined>, body: string, host: string): string {
  const target = headers['x-amz-target'];
  const service =
    /credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//i.exec(String(headers.authorization ?? ''))?.[1] ?? host;
  if (typeof target === 'string') return `${service}:${target.split('.').pop()}`;
  const action = new URLSearchParams(body).get('Action');
  return `${service}:${action ?? 'unknown'}`;
}

export async function startCountingProxy(target: string, latencyMs = 0): Promise<CountingProxy> {
  const t = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  let n = 0;
  let apis: Record<string, number> = {};
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      n++;
      const api = apiOf(req.headers, body.toString('utf8'), req.headers.host ?? '');
      apis[api] = (apis[api] ?? 0) + 1;
      setTimeout(() => {
        const up = request(
          { host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers, agent },
          (r) => {
            const { connection: _c, 'keep-alive': _k, ...headers } = r.headers;
            res.writeHead(r.statusCode ?? 502, headers);
            r.pipe(res);
          },
        );
        up.on('error', (err) => {
          res.writeHead(502);
          res.end(String(err));
        });
        up.end(body);
      }, latencyMs);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => n,
    byApi: () => ({ ...apis }),
    reset: () => {
      n = 0;
      apis = {};
    },
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
