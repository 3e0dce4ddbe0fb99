/**
 * Starts moto (the AWS API emulator shipped in the machine image's pyenv Python) on a free loopback port.
 * Used by the vitest global setup; one server serves every end-to-end test, each test working in accounts of
 * its own (moto keeps accounts apart, and AssumeRole into an account id gives that account's view).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The python that can `import moto`: python3 on PATH, else the pyenv versions. */
export function findMotoPython(): string | undefined {
  const candidates = ['python3'];
  const roots = [process.env.PYENV_ROOT, join(process.env.HOME ?? '/root', '.pyenv'), '/root/.pyenv'].filter(
    (r): r is string => !!r,
  );
  for (const root of roots) {
    const versions = join(root, 'versions');
    if (!existsSync(versions)) continue;
    for (const v of readdirSync(versions).sort().reverse())
      candidates.push(join(versions, v, 'bin', 'python3'));
  }
  for (const py of candidates) {
    try {
      execFileSync(py, ['-c', 'import moto'], { stdio: 'ignore', timeout: 20_000 });
      return py;
    } catch {
      // not this one
    }
  }
  return undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr && typeof addr === 'object') {
        const port = addr.port;
        srv.close(() => resolve(port));
      } else reject(new Error('no port'));
    });
  });
}

export interface MotoServer {
  url: string;
  stop(): Promise<void>;
}

/** Starts moto and waits until it answers. */
export async function startMoto(python: string): Promise<MotoServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr = (stderr + String(d)).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto exited early: ${stderr}`);
    try {
      const res = await fetch(`${url}/moto-api/`);
      if (res.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto did not start within 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}
