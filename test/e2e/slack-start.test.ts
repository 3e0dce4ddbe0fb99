/**
 * `npm start` as deployed: the built app (dist/src/app.js) in its own process, configured from the environment
 * only, in HTTP mode against the local Slack stand-in: it starts, answers /healthz and a signed command, and
 * stops cleanly on SIGTERM. Missing tokens stop it with one line and exit code 2.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  it('stops with one localized line and exit code 2', async () => {
    const child = spawn(process.execPath, [appPath], {
      env: baseEnv({ SLACK_MODE: 'socket', SLACK_BOT_TOKEN: 'xoxb-only-the-bot-token' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => {
      stderr += String(d);
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(
      'ecs-pull: Invalid configuration (environment): slack.appToken is required in socket mode (or set SLACK_APP_TOKEN).',
    );
  });
});
