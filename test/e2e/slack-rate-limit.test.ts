/**
 * Security, issue 13 finding 7: people's requests are rate-limited. The real app in HTTP mode (signed requests
 * over real HTTP, the local Slack Web API) and in Socket Mode (the local WebSocket server), moto behind a proxy that
 * counts every AWS request. With the default limits (10 diagnoses at once per person, then one every 6 s; at most
 * 3 accounts per request):
 * - 10 mentions from one person naming 8 tasks each: one is diagnosed, the other 9 are refused in their thread
 *   with the wait, and AWS sees the calls of those 8 diagnoses only;
 * - a mention naming 8 accounts is refused before any AWS call (no AssumeRole);
 * - a command over the limit is refused ephemerally, the message shortcut and Re-run too (until the wait is
 *   over), while the language button, which only re-renders, is never refused;
 * - the refusals are counted on /metrics.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildSlackApp, type SlackApp } from '../../src/app.js';
import { ClientPool } from '../../src/aws/clients.js';
import type { Config } from '../../src/config.js';
import { ACTION_LANG, ACTION_RERUN } from '../../src/slack/buttons.js';
import { BASE_CREDENTIALS, motoAccount } from '../helpers/aws-scenario.js';
import { motoConfig, useMotoEndpoint } from '../helpers/moto-engine.js';
import { freePort } from '../helpers/moto-server.js';
import { type CountingProxy, startCountingProxy } from '../helpers/slack-aws-proxy.js';
import { requiredButtonValue } from '../helpers/slack-blockkit.js';
import { captureLog } from '../helpers/slack-log.js';
import { buttonClick, messageShortcut, SlackSender } from '../helpers/slack-requests.js';
import { BOT_USER_ID, FakeSlack, type StoredMessage, TEAM_ID } from '../helpers/slack-server.js';
import { buildStorm, type Storm } from '../helpers/slack-storm.js';
import { FakeSocketModeServer } from '../helpers/slack-websocket.js';

const motoUrl = inject('motoUrl');

const ACCOUNT = '431700000007';
const SECRET = 'rate-limit-signing-secret';
const MENTIONS = 10;
const PER_MENTION = 8;

/** Eight task ARNs in eight accounts nobody configured (roleNameTemplate reaches them all). */
const EIGHT_ACCOUNTS = Array.from(
  { length: 8 },
  (_, i) => `arn:aws:ecs:eu-west-1:${String(560000000001 + i * 1111)}:task/prod/${'9a'.repeat(15)}${i}${i}`,
);

function texts(v: unknown): string {
  return JSON.stringify(v ?? '');
}

const USER_LIMIT =
  /You have asked for many diagnoses in a short time: your limit is 10 at once, then 10 a minute\. Try again in (\d+) s\./;
const ACCOUNTS_CAP =
  'This request names tasks in 8 AWS accounts; one request may name at most 3. Split it into requests of at most 3 accounts each.';

describe.skipIf(!motoUrl)(
  `Slack: rate limits on people’s requests${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`,
  () => {
    let proxy: CountingProxy;
    let storm: Storm;
    let slack: FakeSlack;
    let config: Config;

    const botReplies = (channel: string, threadTs: string): StoredMessage[] =>
      (slack.messages.get(channel) ?? []).filter((m) => m.thread_ts === threadTs && m.user === BOT_USER_ID);
    const mentionText = (arns: string[]) => `<@${BOT_USER_ID}> why ${arns.join(' ')}`;

    beforeAll(async () => {
      proxy = await startCountingProxy(motoUrl!);
      useMotoEndpoint(proxy.url);
      storm = await buildStorm(await motoAccount(motoUrl!, ACCOUNT), MENTIONS * PER_MENTION);
      slack = await new FakeSlack().start();
    }, 120_000);

    afterAll(async () => {
      await slack?.stop();
      await proxy?.close();
    });

    describe('HTTP mode', () => {
      let app: SlackApp;
      let send: SlackSender;
      let port: number;
      let seq = 0;
      const log = captureLog();
      const nextEventId = () => `Ev0RATEH${String(++seq).padStart(5, '0')}`;

      beforeAll(async () => {
        config = motoConfig({
          defaultLanguage: 'en',
          slack: {
            mode: 'http',
            botToken: 'xoxb-rate-test',
            signingSecret: SECRET,
            apiUrl: slack.apiUrl,
            port: 0,
            alertSources: { botIds: ['B0ALERTS1'], appIds: [], channels: [] },
            channels: {},
            defaultAccounts: ['*'],
          },
        });
        app = await buildSlackApp(config, {
          pool: new ClientPool(config, { baseCredentials: async () => BASE_CREDENTIALS }),
          log: log.log,
          pace: { intervalMs: 20, burst: 3 },
        });
        ({ port } = (await app.start()) as { port: number });
        send = new SlackSender(`http://127.0.0.1:${port}`, SECRET);
      });

      afterAll(async () => {
        await app?.stop();
      });

      async function mention(channel: string, user: string, arns: string[]): Promise<StoredMessage> {
        const m = slack.addMessage(channel, { type: 'message', user, text: mentionText(arns) });
        const r = await send.event(
          { type: 'app_mention', user, text: m.text, ts: m.ts, channel, event_ts: m.ts },
          nextEventId(),
        );
        expect(r.status).toBe(200);
        return m;
      }

      it('10 mentions naming 8 tasks each from one person: 8 diagnoses, 9 refusals with the wait, AWS bounded', async () => {
        const channel = 'C0RATEFLD1';
        proxy.reset();
        const started = Date.now();
        const sent: StoredMessage[] = [];
        for (let i = 0; i < MENTIONS; i++) {
          sent.push(
            await mention(
              channel,
              'U0FLOODER1',
              storm.taskArns.slice(i * PER_MENTION, (i + 1) * PER_MENTION),
            ),
          );
        }
        await slack.waitFor(
          () => sent.every((m) => botReplies(channel, m.ts).length >= 1),
          90_000,
          'every reply',
        );
        await new Promise((r) => setTimeout(r, 500));
        const replies = sent.map((m) => botReplies(channel, m.ts));
        const reports = replies.filter((r) => texts(r).includes(`ecs-pull · ${PER_MENTION} tasks`));
        const refusals = replies.filter((r) => USER_LIMIT.test(texts(r[0]?.text)));
        const calls = proxy.count();
        console.info(
          `mention flood: ${MENTIONS} mentions × ${PER_MENTION} tasks from one person in ${Date.now() - started} ms: ${reports.length} diagnosed, ${refusals.length} refused, ${calls} AWS calls ${JSON.stringify(proxy.byApi())}`,
        );
        for (const r of replies) expect(r).toHaveLength(1);
        expect(reports).toHaveLength(1);
        expect(refusals).toHaveLength(MENTIONS - 1);
        // The wait is what the next mention needs: 8 tokens with 2 left, one back every 6 s.
        const wait = Number(USER_LIMIT.exec(texts(refusals[0]![0]!.text))![1]);
        expect(wait).toBeGreaterThan(20);
        expect(wait).toBeLessThanOrEqual(36);
        // AWS saw the 8 diagnoses of the one mention answered, nothing for the 72 refused.
        const describeTasks = proxy.byApi()['ecs:DescribeTasks'] ?? 0;
        expect(describeTasks).toBeGreaterThan(0);
        expect(describeTasks).toBeLessThanOrEqual(PER_MENTION);
        expect(calls).toBeLessThanOrEqual(PER_MENTION * 30);
        const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        expect(metrics).toContain(
          `ecs_pull_rate_limited_total{surface="mention",scope="user"} ${MENTIONS - 1}`,
        );
      }, 120_000);

      it('a mention naming 8 accounts is refused before any AWS call: no AssumeRole', async () => {
        const channel = 'C0RATEACC1';
        proxy.reset();
        const m = await mention(channel, 'U0ACCOUNTS', EIGHT_ACCOUNTS);
        const [reply] = await slack.waitFor(() => {
          const r = botReplies(channel, m.ts);
          return r.length ? r : undefined;
        }, 30_000);
        await new Promise((r) => setTimeout(r, 500));
        console.info(
          `mention naming 8 accounts: ${proxy.byApi()['sts:AssumeRole'] ?? 0} AssumeRole attempts, ${proxy.count()} AWS calls`,
        );
        expect(reply!.text).toBe(ACCOUNTS_CAP);
        expect(botReplies(channel, m.ts)).toHaveLength(1);
        expect(proxy.byApi()['sts:AssumeRole'] ?? 0).toBe(0);
        expect(proxy.count()).toBe(0);
        const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        expect(metrics).toContain('ecs_pull_rate_limited_total{surface="mention",scope="accounts"} 1');
      });

      it('a command over the limit is refused ephemerally, so are the shortcut and Re-run until the wait is over; the language button never', async () => {
        const channel = 'C0RATECMD1';
        const user = 'U0COMMANDS';
        const tasks = storm.taskArns.slice(0, 11);
        for (const [i, arn] of tasks.entries()) {
          const r = await send.command({
            text: `why ${arn}`,
            channel_id: channel,
            user_id: user,
            response_url: slack.responseUrl(`rate-cmd-${i}`),
          });
          expect(r.status).toBe(200);
        }
        const details = () =>
          (slack.messages.get(channel) ?? []).filter(
            (m) => m.user === BOT_USER_ID && m.thread_ts && m.thread_ts !== m.ts,
          );
        await slack.waitFor(
          () => details().length >= 10 && slack.responses.some((r) => r.id.startsWith('rate-cmd-')),
          90_000,
          'ten reports and one refusal',
        );
        await new Promise((r) => setTimeout(r, 500));
        expect(details()).toHaveLength(10);
        const refused = slack.responses.filter((r) => r.id.startsWith('rate-cmd-'));
        expect(refused).toHaveLength(1);
        expect(refused[0]!.body.response_type).toBe('ephemeral');
        expect(texts(refused[0]!.body.text)).toMatch(USER_LIMIT);

        // Re-run on one of the reports: refused, only to the person, and the report is left as it was.
        const detail = details()[0]!;
        const updates = () => slack.callsOf('chat.update').filter((c) => c.args.ts === detail.ts);
        const click = (actionId: string, id: string) =>
          send.interaction(
            buttonClick({
              channel,
              user,
              message: {
                ts: detail.ts,
                thread_ts: detail.thread_ts!,
                blocks: detail.blocks ?? [],
                text: detail.text ?? '',
              },
              actionId,
              value: requiredButtonValue(detail.blocks, actionId),
              responseUrl: slack.responseUrl(id),
            }),
          );
        await click(ACTION_RERUN, 'rate-rerun-1');
        const r1 = await slack.waitFor(
          () => slack.responses.find((r) => r.id === 'rate-rerun-1'),
          20_000,
          'rerun refusal',
        );
        expect(r1.body.response_type).toBe('ephemeral');
        const wait = Number(USER_LIMIT.exec(texts(r1.body.text))?.[1]);
        expect(wait).toBeGreaterThan(0);
        expect(wait).toBeLessThanOrEqual(6);
        expect(updates()).toHaveLength(0);

        // The message shortcut on someone's message naming a task: refused the same way, nothing in the thread.
        const named = slack.addMessage(channel, {
          type: 'message',
          user: 'U0SOMEONE1',
          text: `look: ${storm.taskArns[20]}`,
        });
        await send.interaction(
          messageShortcut({
            channel,
            user,
            message: { type: 'message', user: 'U0SOMEONE1', text: named.text, ts: named.ts },
            responseUrl: slack.responseUrl('rate-shortcut-1'),
          }),
        );
        const sc = await slack.waitFor(
          () => slack.responses.find((r) => r.id === 'rate-shortcut-1'),
          20_000,
          'shortcut refusal',
        );
        expect(sc.body.response_type).toBe('ephemeral');
        expect(texts(sc.body.text)).toMatch(USER_LIMIT);
        expect(botReplies(channel, named.ts)).toHaveLength(0);

        // The language button re-renders from the stored reports: no diagnosis, so no limit.
        await click(ACTION_LANG, 'rate-lang-1');
        await slack.waitFor(() => updates().length >= 1, 20_000, 'language switch');
        expect(texts(updates()[0]!.args.blocks)).toContain('Riesegui');
        expect(slack.responses.find((r) => r.id === 'rate-lang-1')).toBeUndefined();

        // Once the wait is over, the same Re-run button works (its double-click lock was given back).
        await new Promise((r) => setTimeout(r, wait * 1000 + 200));
        await click(ACTION_RERUN, 'rate-rerun-2');
        // (The message now shows Italian, and so do its buttons.)
        await slack.waitFor(
          () => updates().some((u) => texts(u.args.blocks).includes('Rieseguito da')),
          30_000,
          'the re-run report',
        );
        expect(slack.responses.find((r) => r.id === 'rate-rerun-2')).toBeUndefined();
        const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        expect(metrics).toContain('ecs_pull_rate_limited_total{surface="command",scope="user"} 1');
        expect(metrics).toContain('ecs_pull_rate_limited_total{surface="rerun",scope="user"} 1');
        expect(metrics).toContain('ecs_pull_rate_limited_total{surface="shortcut",scope="user"} 1');
      }, 120_000);
    });

    describe('Socket Mode: the same limits', () => {
      let app: SlackApp;
      let ws: FakeSocketModeServer;
      let port: number;
      let seq = 0;

      beforeAll(async () => {
        ws = await new FakeSocketModeServer().start();
        slack.socketUrl = ws.url;
        port = await freePort();
        const socketConfig = motoConfig({
          defaultLanguage: 'en',
          slack: {
            mode: 'socket',
            botToken: 'xoxb-rate-socket',
            appToken: 'xapp-1-rate-socket',
            apiUrl: slack.apiUrl,
            port,
            channels: {},
            defaultAccounts: ['*'],
          },
        });
        app = await buildSlackApp(socketConfig, {
          pool: new ClientPool(socketConfig, { baseCredentials: async () => BASE_CREDENTIALS }),
          log: captureLog().log,
          pace: { intervalMs: 20, burst: 3 },
        });
        await app.start();
        await ws.connected;
      });

      afterAll(async () => {
        await app?.stop();
        await ws?.stop();
      });

      function mention(channel: string, user: string, arns: string[]): StoredMessage {
        const m = slack.addMessage(channel, { type: 'message', user, text: mentionText(arns) });
        const id = ++seq;
        ws.sendJson({
          envelope_id: `env-rate-${id}`,
          type: 'events_api',
          accepts_response_payload: false,
          retry_attempt: 0,
          retry_reason: '',
          payload: {
            type: 'event_callback',
            team_id: TEAM_ID,
            api_app_id: 'A0ECSPULL',
            event_id: `Ev0RATES${String(id).padStart(5, '0')}`,
            event_time: Math.floor(Date.now() / 1000),
            authorizations: [{ team_id: TEAM_ID, user_id: BOT_USER_ID, is_bot: true }],
            event: { type: 'app_mention', user, text: m.text, ts: m.ts, channel, event_ts: m.ts },
          },
        });
        return m;
      }

      it('3 mentions naming 8 tasks each from one person: one diagnosed, two refused; 8 accounts refused with no AWS call', async () => {
        const channel = 'C0RATESCK1';
        proxy.reset();
        const sent = [0, 1, 2].map((i) =>
          mention(channel, 'U0SOCKETRL', storm.taskArns.slice(i * PER_MENTION, (i + 1) * PER_MENTION)),
        );
        await slack.waitFor(
          () => sent.every((m) => botReplies(channel, m.ts).length >= 1),
          90_000,
          'every reply',
        );
        await new Promise((r) => setTimeout(r, 500));
        const replies = sent.map((m) => botReplies(channel, m.ts));
        for (const r of replies) expect(r).toHaveLength(1);
        expect(replies.filter((r) => texts(r).includes(`ecs-pull · ${PER_MENTION} tasks`))).toHaveLength(1);
        expect(replies.filter((r) => USER_LIMIT.test(texts(r[0]?.text)))).toHaveLength(2);
        expect(proxy.byApi()['ecs:DescribeTasks'] ?? 0).toBeLessThanOrEqual(PER_MENTION);

        proxy.reset();
        const m = mention('C0RATESCK2', 'U0SOCKETAC', EIGHT_ACCOUNTS);
        const [reply] = await slack.waitFor(() => {
          const r = botReplies('C0RATESCK2', m.ts);
          return r.length ? r : undefined;
        }, 30_000);
        expect(reply!.text).toBe(ACCOUNTS_CAP);
        expect(proxy.byApi()['sts:AssumeRole'] ?? 0).toBe(0);
        expect(proxy.count()).toBe(0);
        const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        expect(metrics).toContain('ecs_pull_rate_limited_total{surface="mention",scope="user"} 2');
        expect(metrics).toContain('ecs_pull_rate_limited_total{surface="mention",scope="accounts"} 1');
      }, 120_000);
    });
  },
);
