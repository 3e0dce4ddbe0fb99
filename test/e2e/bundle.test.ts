/**
 * The container image's contents without a Docker engine: `scripts/bundle.sh` (what the Dockerfile runs) into a
 * temporary directory, then the CLI and the bot started from there, outside the source tree, as the image runs
 * them: production dependencies only, the health check script, SIGTERM.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/moto-server.js';
import { FakeSlack } from '../helpers/slack-server.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'ecs-pull-bundle-'));
const out = join(work, 'app');

const env = (extra: Record<string, string> = {}) => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '/tmp',
  AWS_EC2_METADATA_DISABLED: 'true',
  NODE_ENV: 'production',
  ...extra,
});

describe('the bundle the container image ships', () => {
  beforeAll(async () => {
    await run('bash', [join(root, 'scripts', 'bundle.sh')], {
      env: { ...process.env, BUNDLE_OUT: out, BUNDLE_SKIP_BUILD: '1' },
      timeout: 240_000,
    });
  }, 250_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('holds production dependencies only, compiled JavaScript and the words', () => {
    const modules = readdirSync(join(out, 'node_modules'));
    expect(modules).toEqual(expect.arrayContaining(['@slack', '@aws-sdk', 'i18next', 'pino']));
    for (const dev of ['vitest', 'typescript', 'nock', '@biomejs', 'fast-check', 'vite']) {
      expect(modules).not.toContain(dev);
    }
    expect(existsSync(join(out, 'dist', 'src', 'app.js'))).toBe(true);
    expect(existsSync(join(out, 'dist', 'test'))).toBe(false);
    expect(existsSync(join(out, 'locales', 'it', 'causes.json'))).toBe(true);
    expect(existsSync(join(out, 'manifest.yml'))).toBe(true);
  });

  it('runs the CLI from another directory', async () => {
    const r = await run(
      process.execPath,
      [
        join(out, 'dist', 'src', 'cli.js'),
        'classify',
        'CannotPullContainerError: pull access denied',
        '--json',
      ],
      { cwd: work, env: env() },
    );
    expect(JSON.parse(r.stdout).causes.length).toBeGreaterThan(0);
    const it = await run(
      process.execPath,
      [join(out, 'dist', 'src', 'cli.js'), 'why', 'nope', '--lang', 'it'],
      {
        cwd: work,
        env: env(),
      },
    ).catch((e: { code: number; stderr: string }) => e);
    expect((it as { code: number }).code).toBe(2);
    expect((it as { stderr: string }).stderr).toContain("non è l'ARN di un'attività");
  });

  it('starts the bot, passes the health check, and exits 0 on SIGTERM', async () => {
    const slack = await new FakeSlack().start();
    const port = await freePort();
    const appEnv = env({
      SLACK_MODE: 'http',
      SLACK_BOT_TOKEN: 'xoxb-bundle-test',
      SLACK_SIGNING_SECRET: 'bundle-test-signing-secret',
      SLACK_API_URL: slack.apiUrl,
      PORT: String(port),
      AWS_REGION: 'eu-west-1',
    });
    let child: ChildProcess | undefined;
    try {
      let stdout = '';
      child = spawn(process.execPath, [join(out, 'dist', 'src', 'app.js')], {
        cwd: work,
        env: appEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (d) => {
        stdout += String(d);
      });
      await slack.waitFor(() => stdout.includes('ecs-pull Slack app started'), 20_000, 'start-up log line');
      const health = await run(process.execPath, [join(out, 'dist', 'src', 'healthcheck.js')], {
        cwd: work,
        env: appEnv,
      }).then(
        () => 0,
        (e: { code: number }) => e.code,
      );
      expect(health).toBe(0);
      const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      // With the bot gone the health check fails, as the orchestrator must see.
      const after = await run(process.execPath, [join(out, 'dist', 'src', 'healthcheck.js')], {
        cwd: work,
        env: appEnv,
      }).then(
        () => 0,
        (e: { code: number }) => e.code,
      );
      expect(after).toBe(1);
    } finally {
      if (child && child.exitCode === null) child.kill('SIGKILL');
      await slack.stop();
    }
  }, 40_000);
});
