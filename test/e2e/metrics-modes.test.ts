/**
 * /metrics in both receiver modes. The app is built as `npm start` builds it, once in HTTP mode (signed requests
 * on /slack/events) and once in Socket Mode (apps.connections.open on the local Web API stand-in, envelopes over
 * a local WebSocket server; /healthz and /metrics on the configured port). In each, one slash command runs a
 * diagnosis against moto behind a proxy that denies one EC2 action in the task's account, while the Web API
 * stand-in refuses users.info; then /metrics must show all four: diagnoses by cause and outcome, the duration
 * histogram, AWS errors by API and code, Slack API errors by method and error.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildSlackApp, type SlackApp } from '../../src/app.js';
import { ClientPool } from '../../src/aws/clients.js';
import { createLogger } from '../../src/log.js';
import {
  BASE_CREDENTIALS,
  createExecutionRole,
  createNetwork,
  motoAccount,
  runStoppedTask,
  type StoppedTask,
} from '../helpers/aws-scenario.js';
import { motoConfig, useMotoEndpoint } from '../helpers/moto-engine.js';
import { freePort } from '../helpers/moto-server.js';
import { type SecretProxy, startSecretProxy } from '../helpers/secret-proxy.js';
import { SlackSender } from '../helpers/slack-requests.js';
import { FakeSlack, TEAM_ID } from '../helpers/slack-server.js';
import { FakeSocketModeServer } from '../helpers/slack-websocket.js';

const motoUrl = inject('motoUrl');
const ACCOUNT = `49${String(Date.now()).slice(-6)}0001`;
const SECRET = 'metrics-modes-signing-secret';
const CHANNEL = 'C0METRICS1';
const USER = 'U0METRICS1';

/** The value of one sample of the exposition, or undefined when the series is absent. */
function sample(body: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of body.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inner = line.slice(name.length + 1, line.lastIndexOf('}'));
    const got = Object.fromEntries([...inner.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(line.split(' ').pop());
  }
  return undefined;
}

describe.skipIf(!motoUrl)(
  `/metrics in both modes${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`,
  () => {
    let proxy: SecretProxy;
    let task: StoppedTask;

    beforeAll(async () => {
      const a = await motoAccount(motoUrl!, ACCOUNT);
      const net = await createNetwork(a);
      task = await runStoppedTask(a, net, { executionRoleArn: await createExecutionRole(a), cluster: 'web' });
      proxy = await startSecretProxy(motoUrl!);
      proxy.deny(ACCOUNT, 'ec2:DescribeRouteTables');
      useMotoEndpoint(proxy.url);
    });

    afterAll(async () => {
      await proxy?.close();
    });

    describe.each(['http', 'socket'] as const)('%s mode', (mode) => {
      let slack: FakeSlack;
      let ws: FakeSocketModeServer | undefined;
      let app: SlackApp;
      let port: number;
      let send: SlackSender | undefined;

      beforeAll(async () => {
        slack = await new FakeSlack().start();
        slack.failures.set('users.info', 'user_not_found');
        if (mode === 'socket') {
          ws = await new FakeSocketModeServer().start();
          slack.socketUrl = ws.url;
        }
        const config = motoConfig({
          defaultLanguage: 'en',
          slack: {
            mode,
            botToken: 'xoxb-metrics-test',
            appToken: 'xapp-1-A0METRICS-1-metrics-test',
            signingSecret: SECRET,
            apiUrl: slack.apiUrl,
            port: await freePort(),
            channels: { [CHANNEL]: { accounts: [ACCOUNT] } },
          },
        });
        const quiet = new Writable({ write: (_c, _e, cb) => cb() });
        app = await buildSlackApp(config, {
          log: createLogger('warn', quiet),
          pool: new ClientPool(config, { baseCredentials: async () => BASE_CREDENTIALS }),
        });
        const started = await app.start();
        port = started.port ?? config.slack.port;
        if (ws) await ws.connected;
        else send = new SlackSender(`http://127.0.0.1:${port}`, SECRET);
      });

      afterAll(async () => {
        await app?.stop();
        await ws?.stop();
        await slack?.stop();
      });

      it('a diagnosis by slash command, then all four families on /metrics', async () => {
        const command = {
          text: `why ${task.taskArn}`,
          channel_id: CHANNEL,
          user_id: USER,
          response_url: slack.responseUrl(`cmd-${mode}`),
        };
        if (send) {
          expect((await send.command(command)).status).toBe(200);
        } else {
          ws!.sendJson({
            envelope_id: randomUUID(),
            type: 'slash_commands',
            accepts_response_payload: true,
            payload: { ...command, token: 'x', team_id: TEAM_ID, command: '/ecs-pull', trigger_id: '1.2.3' },
          });
        }
        await slack.waitFor(
          () => slack.callsOf('chat.postMessage').filter((c) => c.args.channel === CHANNEL).length >= 2,
          30_000,
          'the reply',
        );

        const res = await fetch(`http://127.0.0.1:${port}/metrics`);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toContain('text/plain');
        const body = await res.text();
        // Diagnoses by top cause and outcome (a denied action leaves checks unknown: partial).
        const diagnoses = body.split('\n').filter((l) => l.startsWith('ecs_pull_diagnoses_total{'));
        expect(diagnoses).toEqual([
          expect.stringMatching(/cause="[a-z-]+",outcome="partial",surface="command"\} 1$/),
        ]);
        // Their duration.
        expect(sample(body, 'ecs_pull_diagnosis_duration_seconds_count', { surface: 'command' })).toBe(1);
        expect(
          sample(body, 'ecs_pull_diagnosis_duration_seconds_bucket', { surface: 'command', le: '+Inf' }),
        ).toBe(1);
        // AWS errors by API and code.
        expect(
          sample(body, 'ecs_pull_aws_errors_total', {
            api: 'ec2:DescribeRouteTables',
            code: 'UnauthorizedOperation',
          }),
        ).toBe(1);
        expect(sample(body, 'ecs_pull_aws_calls_total', { api: 'ecs:DescribeTasks', cached: 'false' })).toBe(
          1,
        );
        // Slack API errors by method and error.
        expect(
          sample(body, 'ecs_pull_slack_api_errors_total', { method: 'users.info', code: 'user_not_found' }),
        ).toBe(1);
        // The process metrics of the same registry.
        expect(body).toContain('ecs_pull_process_resident_memory_bytes');
        expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      });
    });
  },
);
