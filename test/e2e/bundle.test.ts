/**
 * The container image's contents without a Docker engine: `scripts/bundle.sh` (what the Dockerfile runs) into a
 * temporary directory, then the CLI and the bot started from there, outside the source tree, as the image runs
 * them: production dependencies only, the health check script, SIGTERM.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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

/**
 * The licences the image may carry: permissive ones, which ask for a notice at most. An SPDX expression passes when
 * every part it needs (AND) or one of its choices (OR) is on the list. Anything else (AGPL, GPL, LGPL, SSPL, BUSL,
 * a package with no licence field) fails the test: it is for the owners to decide, not for a lockfile update.
 */
const ALLOWED_LICENCES = new Set([
  'MIT',
  'ISC',
  'Apache-2.0',
  'BSD-2-Clause',
  'BSD-3-Clause',
  '0BSD',
  'BlueOak-1.0.0',
]);

function licenceAllowed(expression: string): boolean {
  const e = expression.trim().replace(/^\((.*)\)$/, '$1');
  if (/ OR /i.test(e)) return e.split(/ OR /i).some(licenceAllowed);
  if (/ AND /i.test(e)) return e.split(/ AND /i).every(licenceAllowed);
  return ALLOWED_LICENCES.has(e.replace(/[()]/g, '').trim());
}

/** Every package under node_modules (nested ones too), with its declared licence. */
function packages(modules: string): Array<{ name: string; licence: string }> {
  const out: Array<{ name: string; licence: string }> = [];
  if (!existsSync(modules)) return out;
  for (const entry of readdirSync(modules)) {
    if (entry.startsWith('.')) continue;
    const dirs = entry.startsWith('@')
      ? readdirSync(join(modules, entry)).map((n) => join(modules, entry, n))
      : [join(modules, entry)];
    for (const dir of dirs) {
      const manifest = join(dir, 'package.json');
      if (!existsSync(manifest)) continue;
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
        name?: string;
        license?: string | { type?: string };
        licenses?: Array<{ type?: string }>;
      };
      const licence =
        typeof pkg.license === 'string'
          ? pkg.license
          : (pkg.license?.type ?? pkg.licenses?.map((l) => l.type).join(' OR ') ?? '');
      out.push({ name: pkg.name ?? dir, licence });
      out.push(...packages(join(dir, 'node_modules')));
    }
  }
  return out;
}

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

  it('carries only licences on the allow-list: no AGPL code (the optional policy evaluator is left out)', () => {
    const all = packages(join(out, 'node_modules'));
    expect(all.length).toBeGreaterThan(50);
    expect(
      all.filter((p) => !licenceAllowed(p.licence)).map((p) => `${p.name}: ${p.licence || 'none'}`),
    ).toEqual([]);
    expect(existsSync(join(out, 'node_modules', '@cloud-copilot'))).toBe(false);
  });

  it('without the policy evaluator: doctor says so, a policy it would evaluate is unknown, naming it', async () => {
    const cli = join(out, 'dist', 'src', 'cli.js');
    const doctor = await run(process.execPath, [cli, 'doctor', '--json'], {
      cwd: work,
      env: env({
        AWS_ACCESS_KEY_ID: 'x',
        AWS_SECRET_ACCESS_KEY: 'y',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      }),
    }).catch((e: { stdout: string }) => e);
    const rows = (
      JSON.parse(doctor.stdout) as {
        rows: Array<{ check: { key: string }; status: string; text: { detail: string; fix?: string } }>;
      }
    ).rows;
    const evaluator = rows.find((r) => r.check.key === 'doctor:check.policy-evaluator');
    expect(evaluator?.status).toBe('warn');
    expect(evaluator?.text.detail).toContain('@cloud-copilot/iam-simulate');
    expect(evaluator?.text.detail).toMatch(/not installed/);
    // A cross-account repository policy needs the evaluator: unknown, naming the package, in both languages.
    for (const [lang, words] of [
      ['en', /@cloud-copilot\/iam-simulate.*not installed/],
      ['it', /@cloud-copilot\/iam-simulate.*non è installat/],
    ] as const) {
      const demo = await run(process.execPath, [cli, 'demo', 'repository-policy', '--json', '--lang', lang], {
        cwd: work,
        env: env(),
      });
      const report = JSON.parse(demo.stdout) as {
        checks: Array<{ id: string; status: string; message: { key: string; text: string } }>;
      };
      const check = report.checks.find((c) => c.id === 'image.repository-policy')!;
      expect(check.status).toBe('unknown');
      expect(check.message.key).toMatch(/unknown\.evaluator$/);
      expect(check.message.text).toMatch(words);
    }
    // The endpoints' default full-access policies are decided without it.
    const vpce = await run(process.execPath, [cli, 'demo', 'vpc-endpoint', '--json'], {
      cwd: work,
      env: env(),
    });
    const policy = (JSON.parse(vpce.stdout) as { checks: Array<{ id: string; status: string }> }).checks.find(
      (c) => c.id === 'endpoints.policy',
    );
    expect(policy?.status).toBe('pass');
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
