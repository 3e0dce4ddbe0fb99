/**
 * `npm start` as deployed: the built app (dist/src/app.js) in its own process, configured from the environment
 * only, in HTTP mode against the local Slack stand-in: it starts, answers /healthz and a signed command, and
 * stops cleanly on SIGTERM. Missing tokens stop it with one line naming all of them and exit code 2; a Slack it cannot
 * reach (refused, a name that does not resolve, TLS) with one line naming the URL and the error and exit code 1.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { SlackSender } from '../helpers/slack-requests.js';
import { FakeSlack } from '../helpers/slack-server.js';

const appPath = join(import.meta.dirname, '..', '..', 'dist', 'src', 'app.js');
const SECRET = 'start-test-signing-secret';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function baseEnv(extra: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

describe('the built Slack app started as `npm start` does', () => {
  let slack: FakeSlack;
  let child: ChildProcess;
  let port: number;
  let stdout = '';
  let stderr = '';

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    port = await freePort();
    child = spawn(process.execPath, [appPath], {
      env: baseEnv({
        SLACK_MODE: 'http',
        SLACK_BOT_TOKEN: 'xoxb-start-test',
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: slack.apiUrl,
        PORT: String(port),
        ECS_PULL_LANG: 'it',
        AWS_REGION: 'eu-west-1',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => {
      stdout += String(d);
    });
    child.stderr!.on('data', (d) => {
      stderr += String(d);
    });
    await slack.waitFor(() => stdout.includes('ecs-pull Slack app started'), 20_000, 'start-up log line');
  });

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await slack?.stop();
  });

  it('starts from the environment alone, logs JSON, and prints no SDK notice', () => {
    const line = stdout.split('\n').find((l) => l.includes('ecs-pull Slack app started'))!;
    expect(JSON.parse(line)).toMatchObject({ mode: 'http', port, app: 'ecs-pull' });
    expect(stderr).toBe('');
    expect(slack.callsOf('auth.test')[0]!.token).toBe('xoxb-start-test');
  });

  it('answers /healthz and a signed command on its port', async () => {
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const send = new SlackSender(`http://127.0.0.1:${port}`, SECRET);
    const r = await send.command({
      text: 'help',
      channel_id: 'C0STARTED1',
      user_id: 'U0STARTED1',
      response_url: slack.responseUrl('start-help'),
    });
    expect(r.status).toBe(200);
    const help = await slack.waitFor(() => slack.responses.find((x) => x.id === 'start-help'), 5000, 'help');
    // No locale from users.info and no channel setting: the configured default language.
    expect(String(help.body.text)).toContain('spiega perché');
  });

  it('stops on SIGTERM with exit code 0', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

describe('the built Slack app without its tokens', () => {
  it('stops with one localized line naming every missing token, and exit code 2', async () => {
    for (const [env, names] of [
      [{ SLACK_MODE: 'socket', SLACK_BOT_TOKEN: 'xoxb-only-the-bot-token' }, ['SLACK_APP_TOKEN']],
      [{ SLACK_MODE: 'socket' }, ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN']],
      [{ SLACK_MODE: 'http' }, ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET']],
      [{ SLACK_MODE: 'http', ECS_PULL_LANG: 'it' }, ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET']],
    ] as const) {
      const r = await startApp(env);
      expect(r.code).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      for (const n of names) expect(lines[0]).toContain(n);
      if (names.length === 1) expect(lines[0]).not.toContain('SLACK_BOT_TOKEN');
      expect(lines[0]).toContain(env.SLACK_MODE);
      if ('ECS_PULL_LANG' in env) expect(lines[0]).toMatch(/modalità/);
    }
  });
});

/** Starts the built app until it exits (at most 20 s), with what it wrote. */
async function startApp(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [appPath], { env: baseEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    stdout += String(d);
  });
  child.stderr!.on('data', (d) => {
    stderr += String(d);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  return { code, stdout, stderr, ms: performance.now() - started };
}

describe('the built Slack app when Slack cannot be reached (issue 14, point 9)', () => {
  let closedPort: number;
  let plain: HttpServer;
  let plainPort: number;

  beforeAll(async () => {
    closedPort = await freePort();
    plain = createHttpServer((_req, res) => res.end('not TLS'));
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    plainPort = (plain.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => plain.close(() => r())));

  const tokens = { SLACK_BOT_TOKEN: 'xoxb-unreachable', SLACK_APP_TOKEN: 'xapp-unreachable', PORT: '0' };

  it.each([
    ['refused', () => `http://127.0.0.1:${closedPort}/api/`, /ECONNREFUSED/],
    ['a name that does not resolve', () => 'http://slack-api.ecs-pull.invalid/api/', /ENOTFOUND/],
    ['TLS', () => `https://127.0.0.1:${plainPort}/api/`, /TLS|SSL/],
  ])('%s: one line naming the URL and the error, exit 1', async (_name, url, error) => {
    const r = await startApp({ ...tokens, SLACK_API_URL: url() });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ecs-pull: Cannot reach Slack at /);
    expect(lines[0]).toContain(url());
    expect(lines[0]).toMatch(error);
    expect(r.stderr).not.toContain('Something went wrong');
    // The log says it once too, without a stack trace.
    expect(r.stdout).not.toMatch(/\n\s+at |"stack"/);
  });

  it('a token Slack refuses: one line saying so, exit 2', async () => {
    const slack = await new FakeSlack().start();
    slack.failures.set('auth.test', 'invalid_auth');
    try {
      const r = await startApp({ ...tokens, SLACK_API_URL: slack.apiUrl });
      expect(r.code).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('invalid_auth');
      expect(lines[0]).toContain('SLACK_BOT_TOKEN');
      expect(r.stdout).not.toMatch(/"stack"/);
    } finally {
      await slack.stop();
    }
  });

  it('doctor tells "Slack unreachable" from "Slack refused the token"', async () => {
    const unreachable = await runCli(['doctor'], {
      ...tokens,
      SLACK_API_URL: `http://127.0.0.1:${closedPort}/api/`,
    });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toMatch(
      /Slack bot token +Slack unreachable at http:\/\/127\.0\.0\.1:\d+\/api\/.*ECONNREFUSED/,
    );
    expect(unreachable.stdout).not.toMatch(/Slack refused/);
    const slack = await new FakeSlack().start();
    slack.failures.set('auth.test', 'invalid_auth');
    slack.failures.set('apps.connections.open', 'invalid_auth');
    try {
      const refused = await runCli(['doctor'], { ...tokens, SLACK_API_URL: slack.apiUrl });
      expect(refused.code).toBe(1);
      expect(refused.stdout).toMatch(/Slack bot token +Slack refused the token: invalid_auth/);
      expect(refused.stdout).not.toMatch(/unreachable/);
    } finally {
      await slack.stop();
    }
  });
});
