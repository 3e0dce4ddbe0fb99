/**
 * A loopback HTTP proxy that holds every request for a fixed time before forwarding it to moto, so that
 * round trips dominate a diagnosis as they do against real AWS (tens of milliseconds each). Counts requests.
 */
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LatencyProxy {
  url: string;
  /** Requests forwarded since the last reset. */
  count(): number;
  reset(): void;
  close(): Promise<void>;
}

/** Starts the proxy in front of `target` (http://127.0.0.1:PORT) adding `latencyMs` to each request. */
export async function startLatencyProxy(target: string, latencyMs: number): Promise<LatencyProxy> {
  const t = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  let n = 0;
  // Wire rounds: a request's round is one more than the deepest response already sent when it arrived.
  let deepestAnswered = 0;
  let deepest = 0;
  const server: Server = createServer((req, res) => {
    if (req.url === '/__rounds/reset') {
      deepestAnswered = 0;
      deepest = 0;
      res.end('ok');
      return;
    }
    if (req.url === '/__rounds') {
      res.end(String(deepest));
      return;
    }
    const round = deepestAnswered + 1;
    deepest = Math.max(deepest, round);
    res.on('finish', () => {
      deepestAnswered = Math.max(deepestAnswered, round);
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      n++;
      setTimeout(() => {
        const up = request(
          {
            host: t.hostname,
            port: t.port,
            method: req.method,
            path: req.url,
            headers: req.headers,
            agent,
          },
          (r) => {
            // moto answers "Connection: close"; AWS keeps connections alive, and so does this proxy towards the
            // client (hop-by-hop headers are not forwarded).
            const { connection: _c, 'keep-alive': _k, ...headers } = r.headers;
            res.writeHead(r.statusCode ?? 502, headers);
            r.pipe(res);
          },
        );
        up.on('error', (err) => {
          res.writeHead(502);
          res.end(String(err));
        });
        up.end(Buffer.concat(chunks));
      }, latencyMs);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => n,
    reset: () => {
      n = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
