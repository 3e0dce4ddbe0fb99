/**
 * What the deployed app writes, end to end: the built app (dist/src/app.js) in its own process, HTTP mode, the
 * local Slack stand-in for the Web API, moto behind a proxy that records every role session it issues and can
 * deny actions per account. Signed slash commands: one that succeeds, one that hits an AWS error, one invalid, one
 * whose account role cannot be assumed, and one whose reply fails inside the app (an internal error). Everything
 * the process prints, on both streams, is then read back:
 * - every line is JSON; every diagnosis has its summary line with a correlation id, and the AWS error its warning;
 * - the apology posted to Slack names the id of the failed request's own log lines (its diagnosis included);
 * - the CLI's `why` logs its diagnosis the same way;
 * - no line holds the bot token, the app token, the signing secret, the AWS secret access key, a session token or
 *   secret key from AssumeRole, or the ExternalId, although the app used every one of them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createExecutionRole,
  createNetwork,
  motoAccount,
  runStoppedTask,
  type StoppedTask,
} from '../helpers/aws-scenario.js';
import { runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/moto-server.js';
import { type SecretProxy, startSecretProxy } from '../helpers/secret-proxy.js';
import { SlackSender } from '../helpers/slack-requests.js';
import { FakeSlack, type RecordedCall } from '../helpers/slack-server.js';

const motoUrl = inject('motoUrl');
const appPath = join(import.meta.dirname, '..', '..', 'dist', 'src', 'app.js');

const rand = () => randomBytes(12).toString('hex');
const BOT_TOKEN = `xoxb-2024-7777-${rand()}`;
const APP_TOKEN = `xapp-1-A0LOGS-8888-${rand()}`;
const SIGNING_SECRET = `signing-${rand()}`;
const AWS_SECRET = `awsSecretKey${rand()}`;
const EXTERNAL_ID = `external-${rand()}`;

const stamp = String(Date.now()).slice(-6);
const OK = `48${stamp}0001`;
const AWS_ERROR = `48${stamp}0002`;
const BLOCKED = `48${stamp}0003`;
const CHANNEL = 'C0LOGSEC01';
const USER = 'U0LOGSEC01';

type Entry = Record<string, unknown> & { msg?: string; level?: number };

describe.skipIf(!motoUrl)(
  `logs of the running app${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`,
  () => {
    let slack: FakeSlack;
    let proxy: SecretProxy;
    let child: ChildProcess;
    let send: SlackSender;
    let ok: StoppedTask;
    let failing: StoppedTask;
    let blockedArn: string;
    let stdout = '';
    let stderr = '';
    let exitCode: number | null = null;
    let apologyId = '';

    const posts = (after: number): RecordedCall[] =>
      slack.callsOf('chat.postMessage').filter((c) => c.args.channel === CHANNEL && c.at >= after);
    const lines = () => `${stdout}\n${stderr}`.split('\n').filter((l) => l.trim());
    const entries = (): Entry[] =>
      stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Entry);
    const finished = (task: string) =>
      entries().filter((e) => e.msg === 'diagnosis finished' && e.task === task);

    async function command(text: string, id: string): Promise<void> {
      const r = await send.command({
        text,
        channel_id: CHANNEL,
        user_id: USER,
        response_url: slack.responseUrl(id),
      });
      expect(r.status).toBe(200);
    }

    beforeAll(async () => {
      const scenario = async (account: string) => {
        const a = await motoAccount(motoUrl!, account);
        const net = await createNetwork(a);
        return runStoppedTask(a, net, { executionRoleArn: await createExecutionRole(a), cluster: 'web' });
      };
      ok = await scenario(OK);
      failing = await scenario(AWS_ERROR);
      blockedArn = `arn:aws:ecs:eu-west-1:${BLOCKED}:task/web/0123456789abcdef0123456789abcdef`;
      proxy = await startSecretProxy(motoUrl!);
      proxy.deny(AWS_ERROR, 'ec2:DescribeRouteTables');
      proxy.blockAssume(BLOCKED);

      slack = await new FakeSlack().start();
      const port = await freePort();
      child = spawn(process.execPath, [appPath], {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '/tmp',
          SLACK_MODE: 'http',
          SLACK_BOT_TOKEN: BOT_TOKEN,
          SLACK_APP_TOKEN: APP_TOKEN,
          SLACK_SIGNING_SECRET: SIGNING_SECRET,
          SLACK_API_URL: slack.apiUrl,
          PORT: String(port),
          // As much as the app can say: Bolt's and the Web API client's debug lines included.
          LOG_LEVEL: 'debug',
          ECS_PULL_LANG: 'en',
          ECS_PULL_ROLE_NAME: 'ecs-pull-diagnostics',
          ECS_PULL_SLACK_DEFAULT_ACCOUNTS: `${OK},${AWS_ERROR},${BLOCKED}`,
          ECS_PULL_EXTERNAL_ID: EXTERNAL_ID,
          ECS_PULL_MAX_ATTEMPTS: '1',
          AWS_ENDPOINT_URL: proxy.url,
          AWS_REGION: 'eu-west-1',
          AWS_ACCESS_KEY_ID: 'AKIALOGSECRETSTEST01',
          AWS_SECRET_ACCESS_KEY: AWS_SECRET,
          AWS_EC2_METADATA_DISABLED: 'true',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (d) => {
        stdout += String(d);
      });
      child.stderr!.on('data', (d) => {
        stderr += String(d);
      });
      await slack.waitFor(() => stdout.includes('ecs-pull Slack app started'), 20_000, 'start-up log line');
      send = new SlackSender(`http://127.0.0.1:${port}`, SIGNING_SECRET);
    });

    afterAll(async () => {
      if (child && child.exitCode === null) child.kill('SIGKILL');
      await slack?.stop();
      await proxy?.close();
    });

    it('a command that succeeds', async () => {
      const from = slack.calls.at(-1)?.at ?? 0;
      await command(`why ${ok.taskArn}`, 'ok');
      await slack.waitFor(() => posts(from).length >= 2, 30_000, 'summary and report');
    });

    it('a command whose diagnosis hits an AWS error', async () => {
      const from = slack.calls.at(-1)!.at + 1;
      await command(`why ${failing.taskArn}`, 'aws-error');
      await slack.waitFor(() => posts(from).length >= 2, 30_000, 'summary and report');
    });

    it('an invalid command and an account whose role cannot be assumed', async () => {
      await command('why not-a-task-at-all', 'invalid');
      await command(`why ${blockedArn}`, 'blocked');
      const invalid = await slack.waitFor(
        () => slack.responses.find((r) => r.id === 'invalid'),
        10_000,
        'usage',
      );
      expect(String(invalid.body.text)).toContain('/ecs-pull');
      const blocked = await slack.waitFor(
        () => slack.responses.find((r) => r.id === 'blocked'),
        20_000,
        'refusal',
      );
      expect(String(blocked.body.text)).toContain(BLOCKED);
    });

    it('an internal error: the reply cannot be posted, the person gets an apology with a reference', async () => {
      slack.failures.set('chat.postMessage', 'fatal_error');
      try {
        await command(`why ${ok.taskArn}`, 'internal');
        const r = await slack.waitFor(
          () => slack.responses.find((x) => x.id === 'internal'),
          30_000,
          'apology',
        );
        const text = String(r.body.text);
        apologyId = /reference ([0-9a-f]{8})/.exec(text)?.[1] ?? '';
        expect(apologyId, text).toMatch(/^[0-9a-f]{8}$/);
        expect(text).not.toMatch(/fatal_error|at .*\.js|stack/);
      } finally {
        slack.failures.delete('chat.postMessage');
      }
    });

    it('stops on SIGTERM; everything it printed is JSON', async () => {
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      exitCode = await exited;
      expect(exitCode).toBe(0);
      expect(lines().length).toBeGreaterThan(10);
      for (const line of lines()) expect(() => JSON.parse(line), line).not.toThrow();
    });

    it('every diagnosis has one summary line with its correlation id, surface, task and figures', () => {
      const [first, again] = finished(ok.taskArn);
      expect(first).toMatchObject({
        level: 30,
        surface: 'command',
        account: OK,
        region: 'eu-west-1',
        outcome: expect.stringMatching(/^(ok|partial)$/),
        topCause: expect.any(String),
        confidence: expect.any(Number),
        durationMs: expect.any(Number),
        awsCalls: expect.any(Number),
        rounds: expect.any(Number),
        unknownChecks: expect.any(Number),
      });
      expect(first!.correlationId).toMatch(/^[0-9a-f]{8}$/);
      expect(first!.awsCalls as number).toBeGreaterThan(3);
      expect(again!.correlationId).not.toBe(first!.correlationId);

      const [aws] = finished(failing.taskArn);
      expect(aws).toMatchObject({ outcome: 'partial', account: AWS_ERROR });
      expect(aws!.unknownCheckIds).toEqual(expect.arrayContaining([expect.stringMatching(/^network\./)]));
      // The AWS error that left checks unknown: one warning, naming the API and the code, with the same id.
      const warnings = entries().filter(
        (e) => e.msg === 'an AWS error left checks unknown' && e.correlationId === aws!.correlationId,
      );
      expect(warnings).toEqual([
        expect.objectContaining({
          level: 40,
          api: 'ec2:DescribeRouteTables',
          code: 'UnauthorizedOperation',
          task: failing.taskArn,
          checks: expect.any(Array),
        }),
      ]);

      const [blocked] = finished(blockedArn);
      expect(blocked).toMatchObject({
        outcome: 'user_error',
        key: 'errors.account.assume-failed',
        account: BLOCKED,
        awsCalls: null,
      });
      expect(blocked!.correlationId).toMatch(/^[0-9a-f]{8}$/);
      expect(
        entries().filter(
          (e) => e.msg === 'an AWS error stopped the diagnosis' && e.correlationId === blocked!.correlationId,
        ),
      ).toEqual([expect.objectContaining({ level: 40, api: 'sts:AssumeRole', code: 'AccessDenied' })]);
      // The invalid command ran no diagnosis.
      expect(entries().filter((e) => e.msg === 'diagnosis finished')).toHaveLength(4);
    });

    it('the apology names the id of the failed request’s lines, its diagnosis included', () => {
      const withId = entries().filter((e) => e.correlationId === apologyId);
      expect(withId.find((e) => e.msg === 'slack request failed')).toMatchObject({
        level: 50,
        surface: 'command',
        err: expect.objectContaining({ message: expect.stringContaining('fatal_error') }),
      });
      expect(withId.find((e) => e.msg === 'diagnosis finished')).toMatchObject({ task: ok.taskArn });
    });

    let cliOutput = '';
    it('the CLI logs the same way: its summary line and the AWS error, with one correlation id', async () => {
      const r = await runCli(['why', failing.taskArn, '--json'], {
        AWS_ENDPOINT_URL: proxy.url,
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'AKIALOGSECRETSTEST02',
        AWS_SECRET_ACCESS_KEY: AWS_SECRET,
        ECS_PULL_ROLE_NAME: 'ecs-pull-diagnostics',
        ECS_PULL_EXTERNAL_ID: EXTERNAL_ID,
        ECS_PULL_MAX_ATTEMPTS: '1',
        LOG_LEVEL: 'debug',
      });
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).aws.calls.length).toBeGreaterThan(3);
      cliOutput = `${r.stdout}\n${r.stderr}`;
      const logged = r.stderr
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Entry);
      const summary = logged.find((e) => e.msg === 'diagnosis finished');
      expect(summary).toMatchObject({
        surface: 'cli',
        account: AWS_ERROR,
        task: failing.taskArn,
        outcome: 'partial',
        topCause: expect.any(String),
      });
      expect(summary!.correlationId).toMatch(/^[0-9a-f]{8}$/);
      expect(logged.filter((e) => e.msg === 'an AWS error left checks unknown')).toEqual([
        expect.objectContaining({
          level: 40,
          correlationId: summary!.correlationId,
          api: 'ec2:DescribeRouteTables',
          code: 'UnauthorizedOperation',
        }),
      ]);
    });

    it('no line holds a token, the signing secret, an AWS secret, a session token or the ExternalId', () => {
      // The proxy saw the role sessions the app used, and the ExternalId it sent.
      expect(proxy.issued.length).toBeGreaterThanOrEqual(4);
      expect(proxy.externalIds).toContain(EXTERNAL_ID);
      const secrets = {
        'bot token': BOT_TOKEN,
        'app token': APP_TOKEN,
        'signing secret': SIGNING_SECRET,
        'AWS secret access key': AWS_SECRET,
        ExternalId: EXTERNAL_ID,
        ...Object.fromEntries(proxy.issued.map((s, i) => [`role session secret ${i}`, s])),
      };
      const text = `${stdout}\n${stderr}\n${cliOutput}`;
      for (const [what, value] of Object.entries(secrets)) {
        expect(text.includes(value), `${what} in the log`).toBe(false);
        // Nor a recognisable piece of it.
        expect(text.includes(value.slice(-16)), `the end of the ${what} in the log`).toBe(false);
      }
    });
  },
);
