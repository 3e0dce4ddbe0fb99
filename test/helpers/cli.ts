/** Runs the built CLI (dist/) as a child process, the way a user does. */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Io } from '../../src/cli/io.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const cliPath = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli.js');

/** Runs `node dist/src/cli.js ...args` with a clean environment plus `env`. */
export function runCli(args: string[], env: Record<string, string> = {}, stdin?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        AWS_EC2_METADATA_DISABLED: 'true',
        ...env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += String(d);
    });
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

/** Writes a YAML config file to a temp dir and returns its path. */
export function writeConfig(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ecs-pull-cfg-'));
  const file = join(dir, 'config.yml');
  writeFileSync(file, yaml);
  return file;
}

/** The environment that points the CLI at moto with the static test credentials. */
export function motoEnv(url: string, configFile: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: url,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'eu-west-1',
    ECS_PULL_CONFIG: configFile,
  };
}

/** An Io for running the CLI in-process: what it printed on stdout and stderr, and how often it read stdin. */
export function captureIo(stdin = ''): { io: Io; out: () => string; err: () => string; reads: () => number } {
  const out: string[] = [];
  const err: string[] = [];
  let reads = 0;
  const io: Io = {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    readStdin: async () => {
      reads++;
      return stdin;
    },
    user: () => 'tester',
  };
  return { io, out: () => out.join(''), err: () => err.join(''), reads: () => reads };
}
