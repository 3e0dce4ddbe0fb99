/**
 * A real redis-server for the shared-state tests, started by the test file itself on a free loopback port (no
 * persistence, no config file): like moto, it is skipped with a message when redis-server is not installed, and
 * a missing server fails the run when ECS_PULL_REQUIRE_REDIS=1 (set by .ci/run).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './moto-server.js';

export interface RedisServer {
  url: string;
  port: number;
  /** A client on this server (closed by stop()). */
  client(): Redis;
  stop(): Promise<void>;
  /** Stops the server abruptly (SIGKILL), keeping the port, to test a Redis outage. */
  kill(): Promise<void>;
}

/** The redis-server binary, or undefined when it is not installed. */
export function findRedisServer(): string | undefined {
  for (const bin of ['redis-server', '/usr/bin/redis-server', '/usr/local/bin/redis-server']) {
    try {
      execFileSync(bin, ['--version'], { stdio: 'ignore', timeout: 5_000 });
      return bin;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/**
 * The binary to use, or undefined with a reason to show when skipping. With ECS_PULL_REQUIRE_REDIS=1 a missing
 * server throws, failing the test file.
 */
export function redisForTests(): { bin: string | undefined; reason: string } {
  const bin = findRedisServer();
  if (bin) return { bin, reason: '' };
  const reason = 'redis-server is not installed: the shared-state (Redis) tests are skipped';
  if (process.env.ECS_PULL_REQUIRE_REDIS === '1') throw new Error(`ECS_PULL_REQUIRE_REDIS=1 but ${reason}`);
  console.warn(`\n⚠ ${reason}\n`);
  return { bin: undefined, reason };
}

/** Starts redis-server on a free loopback port and waits until it answers PING. */
export async function startRedis(bin: string): Promise<RedisServer> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child: ChildProcess = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr = (stderr + String(d)).slice(-4000);
  });
  const url = `redis://127.0.0.1:${port}`;
  const clients: Redis[] = [];
  const waitUp = async () => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`redis-server exited early: ${stderr}`);
      const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => {});
      try {
        await probe.connect();
        if ((await probe.ping()) === 'PONG') {
          probe.disconnect();
          return;
        }
      } catch {
        // not up yet
      }
      probe.disconnect();
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`redis-server did not start within 15 s: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await waitUp();
  const exited = (c: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) return resolve();
      c.once('exit', () => resolve());
    });
  return {
    url,
    port,
    client() {
      // As the app connects: commands fail within a second when the server is gone.
      const c = new Redis(url, {
        maxRetriesPerRequest: 1,
        commandTimeout: 1_000,
        retryStrategy: (times) => Math.min(times * 100, 500),
      });
      c.on('error', () => {});
      clients.push(c);
      return c;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
    async stop() {
      for (const c of clients) c.disconnect();
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited(child);
      clearTimeout(timer);
    },
  };
}
