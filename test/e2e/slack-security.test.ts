/**
 * Security review (issue 13), on the built app (dist/src/app.js started as `npm start` starts it, configured from
 * a YAML file and the environment) in HTTP mode: signed requests over real HTTP, Slack's Web API served by the
 * local stand-in, AWS from moto behind a proxy that counts every call and fails chosen ones the way AWS does.
 *
 * - A channel with no entry of its own, in a configuration that does not set slack.defaultAccounts, may diagnose
 *   nothing: it is refused with a line naming the settings to change, and no AWS call is made.
 * - When the role cannot be assumed or the task cannot be read, what Slack shows never carries the bot's own role
 *   ARN, the role session name (ecs-pull-…) or an AWS request id; the log line with the reference keeps them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createExecutionRole,
  createNetwork,
  MOTO_DEFAULT_ACCOUNT,
  motoAccount,
  runStoppedTask,
  type StoppedTask,
} from '../helpers/aws-scenario.js';
import { writeConfig } from '../helpers/cli.js';
import { BOT_CALLER_ARN, type GateProxy, startGateProxy } from '../helpers/gate-proxy.js';
import { freePort } from '../helpers/moto-server.js';
import { alertFixture } from '../helpers/slack-fixtures.js';
import { SlackSender } from '../helpers/slack-requests.js';
import { BOT_USER_ID, FakeSlack } from '../helpers/slack-server.js';

const motoUrl = inject('motoUrl');
const appPath = join(import.meta.dirname, '..', '..', 'dist', 'src', 'app.js');

const OK = '431300000001';
const LOCKED = '431300000002';
const SECRET = 'security-test-signing-secret';
const ALERT_BOT = 'B0ALERTS1';
const C_ALLOWED = 'C0ALLOWED1';
const C_NO_ENTRY = 'C0NOENTRY1';
const USER = 'U0SECURE01';

describe.skipIf(!motoUrl)(
  `Slack security on the built app${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`,
  () => {
    let gate: GateProxy;
    let slack: FakeSlack;
    let child: ChildProcess;
    let send: SlackSender;
    let task: StoppedTask;
    let stdout = '';
    let seq = 0;

    const logLines = () =>
      stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const arnIn = (account: string, id = 'a1b2c3d4e5f60718293a4b5c6d7e8f90') =>
      `arn:aws:ecs:eu-west-1:${account}:task/web/${id}`;
    const sendCommand = async (channel: string, text: string, id: string) => {
      const r = await send.command({
        text,
        channel_id: channel,
        user_id: USER,
        response_url: slack.responseUrl(id),
      });
      expect(r.status).toBe(200);
    };
    /** A command whose answer comes back through its response_url (a refusal, an apology). */
    const command = async (channel: string, text: string, id: string) => {
      await sendCommand(channel, text, id);
      return slack.waitFor(() => slack.responses.find((x) => x.id === id), 30_000, `the answer to ${id}`);
    };
    const alert = async (channel: string, account: string, taskArn: string) => {
      const msg = slack.addMessage(
        channel,
        alertFixture('chatbot-custom-notification', {
          ACCOUNT: account,
          REGION: 'eu-west-1',
          CLUSTER: 'web',
          TASK_ID: taskArn.split('/').pop()!,
          TASK_ARN: taskArn,
        }),
      );
      const r = await send.event(
        { ...msg, channel, event_ts: msg.ts },
        `Ev0SEC${String(++seq).padStart(5, '0')}`,
      );
      expect(r.status).toBe(200);
      return slack.waitFor(
        () =>
          (slack.messages.get(channel) ?? []).find((m) => m.thread_ts === msg.ts && m.user === BOT_USER_ID),
        30_000,
        'the reply in the alert’s thread',
      );
    };
    /**
     * What must never reach Slack: the bot's own role (its caller ARN), role sessions and their names, AWS request
     * ids. A refusal or an apology (`strict`) names no IAM or STS identity at all; a report may name the task's own
     * execution role, which is the user's resource.
     */
    const expectNothingInternal = (posted: unknown, strict = true) => {
      const s = JSON.stringify(posted);
      expect(s).not.toContain(BOT_CALLER_ARN);
      expect(s).not.toContain('assumed-role');
      expect(s).not.toMatch(/ecs-pull-slack-|ecs-pull-bot/);
      for (const name of gate.sessionNames) expect(s).not.toContain(name);
      for (const id of gate.requestIds) expect(s).not.toContain(id);
      if (!strict) return;
      expect(s).not.toMatch(/arn:aws[a-z-]*:(?:sts|iam)::/);
      expect(s).not.toMatch(/request ?id/i);
    };

    beforeAll(async () => {
      const a = await motoAccount(motoUrl!, OK);
      const net = await createNetwork(a);
      task = await runStoppedTask(a, net, { executionRoleArn: await createExecutionRole(a), cluster: 'web' });
      gate = await startGateProxy(motoUrl!);
      gate.refuseAssume(LOCKED);
      slack = await new FakeSlack().start();
      const port = await freePort();
      // No slack.defaultAccounts: channels without an entry of their own may diagnose nothing.
      const config = writeConfig(
        [
          'defaultLanguage: en',
          'roleNameTemplate: ecs-pull-diagnostics',
          'accounts:',
          `  "${MOTO_DEFAULT_ACCOUNT}": { defaultCredentials: true }`,
          'aws: { maxAttempts: 1, callTimeoutMs: 5000, deadlineMs: 20000 }',
          'slack:',
          `  alertSources: { botIds: [${ALERT_BOT}] }`,
          '  channels:',
          `    ${C_ALLOWED}: { accounts: ["${OK}", "${LOCKED}"] }`,
          '',
        ].join('\n'),
      );
      child = spawn(process.execPath, [appPath], {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '/tmp',
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_ENDPOINT_URL: gate.url,
          AWS_ACCESS_KEY_ID: 'testing',
          AWS_SECRET_ACCESS_KEY: 'testing',
          AWS_REGION: 'eu-west-1',
          ECS_PULL_CONFIG: config,
          SLACK_MODE: 'http',
          SLACK_BOT_TOKEN: 'xoxb-security-test',
          SLACK_SIGNING_SECRET: SECRET,
          SLACK_API_URL: slack.apiUrl,
          PORT: String(port),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (d) => {
        stdout += String(d);
      });
      child.stderr!.on('data', (d) => {
        stdout += String(d);
      });
      await slack.waitFor(() => stdout.includes('ecs-pull Slack app started'), 20_000, 'start-up log line');
      send = new SlackSender(`http://127.0.0.1:${port}`, SECRET);
    });

    afterAll(async () => {
      if (child && child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await slack?.stop();
      await gate?.close();
    });

    it('a channel with accounts of its own diagnoses them: the proxy sees the AWS calls', async () => {
      gate.reset();
      await sendCommand(C_ALLOWED, `why ${task.taskArn}`, 'allowed');
      await slack.waitFor(
        () => slack.callsOf('chat.postMessage').filter((c) => c.args.channel === C_ALLOWED).length >= 2,
        30_000,
        'the summary and the report',
      );
      expect(gate.byAction()['ecs:DescribeTasks']).toBeGreaterThan(0);
      expect(gate.total()).toBeGreaterThan(5);
    });

    it('a channel with no entry and no slack.defaultAccounts is refused, naming the settings, with no AWS call', async () => {
      gate.reset();
      const postsBefore = slack.callsOf('chat.postMessage').length;
      const r = await command(C_NO_ENTRY, `why ${task.taskArn}`, 'no-entry');
      expect(r.body).toMatchObject({ response_type: 'ephemeral' });
      const text = String(r.body.text);
      expect(text).toContain(`account ${OK}`);
      expect(text).toContain(`slack.channels.${C_NO_ENTRY}.accounts`);
      expect(text).toContain('slack.defaultAccounts');
      // The same in Italian.
      const it_ = String((await command(C_NO_ENTRY, `why ${task.taskArn} lang:it`, 'no-entry-it')).body.text);
      expect(it_).toContain('Questo canale non è autorizzato');
      expect(it_).toContain(`slack.channels.${C_NO_ENTRY}.accounts`);
      expect(it_).toContain('slack.defaultAccounts');
      // An alert from a configured source in that channel: one refusal in its thread, no report.
      const reply = await alert(C_NO_ENTRY, OK, task.taskArn);
      expect(String(reply.text)).toContain('slack.defaultAccounts');
      expect(JSON.stringify(reply.blocks ?? [])).not.toContain('ecs_pull_rerun');
      // Even an account nothing is configured for, which roleNameTemplate would reach: no AssumeRole attempt.
      await command(C_NO_ENTRY, `why ${arnIn('999988887777')}`, 'no-entry-any');
      await new Promise((res) => setTimeout(res, 1000));
      expect(gate.byAction()).toEqual({});
      expect(gate.total()).toBe(0);
      expect(slack.callsOf('chat.postMessage').length).toBe(postsBefore + 1);
    });

    it('the role cannot be assumed: Slack gets the account and a reference, never the role ARN, session or request id', async () => {
      const taskArn = arnIn(LOCKED);
      const r = await command(C_ALLOWED, `why ${taskArn}`, 'locked');
      const text = String(r.body.text);
      expect(text).toContain(LOCKED);
      expectNothingInternal(r.body);
      const ref = /\b(?:reference|riferimento) ([\w-]+)/.exec(text)?.[1];
      expect(ref, text).toBeDefined();
      // The log line with that reference keeps the detail for whoever investigates.
      const line = logLines().find(
        (l) =>
          l.correlationId === ref &&
          JSON.stringify(l).includes('is not authorized to perform: sts:AssumeRole'),
      );
      expect(line, stdout).toBeDefined();
      expect(JSON.stringify(line)).toContain(BOT_CALLER_ARN);
      // An alert about the same account: the reply in its thread is as discreet.
      expectNothingInternal(
        await alert(C_ALLOWED, LOCKED, arnIn(LOCKED, 'b1b2c3d4e5f60718293a4b5c6d7e8f90')),
      );
    });

    it('DescribeTasks denied: Slack names the action and the account, nothing of the session', async () => {
      gate.fail(OK, 'ecs:DescribeTasks', 'denied');
      const taskArn = arnIn(OK, 'c1b2c3d4e5f60718293a4b5c6d7e8f90');
      const r = await command(C_ALLOWED, `why ${taskArn}`, 'denied');
      const text = String(r.body.text);
      expect(text).toContain('ecs:DescribeTasks');
      expect(text).toContain(OK);
      expectNothingInternal(r.body);
      expectNothingInternal(await alert(C_ALLOWED, OK, arnIn(OK, 'd1b2c3d4e5f60718293a4b5c6d7e8f90')));
    });

    it('DescribeTasks fails otherwise: Slack gets the error code and a reference, the log the message', async () => {
      gate.fail(OK, 'ecs:DescribeTasks', 'server-error');
      const taskArn = arnIn(OK, 'e1b2c3d4e5f60718293a4b5c6d7e8f90');
      const r = await command(C_ALLOWED, `why ${taskArn}`, 'unreadable');
      const text = String(r.body.text);
      expect(text).toContain('ServerException');
      expectNothingInternal(r.body);
      const ref = /\b(?:reference|riferimento) ([\w-]+)/.exec(text)?.[1];
      expect(ref, text).toBeDefined();
      const line = logLines().find(
        (l) => l.correlationId === ref && JSON.stringify(l).includes('Service error while serving'),
      );
      expect(line, stdout).toBeDefined();
      expectNothingInternal(await alert(C_ALLOWED, OK, arnIn(OK, 'f1b2c3d4e5f60718293a4b5c6d7e8f90')));
      // None of it in any message the bot posted, in any channel.
      for (const call of slack.callsOf('chat.postMessage')) expectNothingInternal(call.args, false);
      for (const post of slack.responses) expectNothingInternal(post.body, false);
    });
  },
);
