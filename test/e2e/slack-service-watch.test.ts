/**
 * Watch a service until fixed in Slack, end to end: the built app in HTTP mode (signed requests), the local Slack
 * Web API, moto. A service report whose lead group cannot pull its tag gets a Watch button; Watch posts one status in
 * the report's thread that looks at the lead group's failing check and at the service every second; once the tag is
 * pushed (and the service runs its desired count with no new task failing to start) it says so in place and tells
 * the person in a new reply.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildSlackApp, type SlackApp } from '../../src/app.js';
import { ClientPool } from '../../src/aws/clients.js';
import { createLogger } from '../../src/log.js';
import { ACTION_WATCH, ACTION_WATCH_STOP } from '../../src/slack/watch-protocol.js';
import { BASE_CREDENTIALS, motoAccount } from '../helpers/aws-scenario.js';
import { pushImage } from '../helpers/identity-scenario.js';
import { motoConfig, useMotoEndpoint } from '../helpers/moto-engine.js';
import { buildServiceScenario, type ServiceScenario } from '../helpers/service-scenario.js';
import { blockKitViolations, buttonValue } from '../helpers/slack-blockkit.js';
import { buttonClick, SlackSender } from '../helpers/slack-requests.js';
import { FakeSlack, type StoredMessage } from '../helpers/slack-server.js';

const motoUrl = inject('motoUrl');
const ACCOUNT = '431700000019';
const SECRET = 'service-watch-signing-secret';
const C = 'C0SVCWATCH1';
const U1 = 'U0SVCWATCH1';

describe.skipIf(!motoUrl)(
  `Watch a service until fixed in Slack${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`,
  () => {
    let a: Awaited<ReturnType<typeof motoAccount>>;
    let s: ServiceScenario;
    let slack: FakeSlack;
    let app: SlackApp;
    let send: SlackSender;

    beforeAll(async () => {
      useMotoEndpoint(motoUrl!);
      a = await motoAccount(motoUrl!, ACCOUNT);
      s = await buildServiceScenario(a, {
        cluster: 'svc-slack-watch',
        service: 'web',
        noRoute: 0,
        missingTag: 2,
      });
      slack = await new FakeSlack().start();
      const config = motoConfig({
        defaultLanguage: 'en',
        watch: { intervalSeconds: 1, maxMinutes: 5 },
        slack: {
          mode: 'http',
          botToken: 'xoxb-test-token',
          signingSecret: SECRET,
          apiUrl: slack.apiUrl,
          port: 0,
          defaultAccounts: [ACCOUNT],
        },
      });
      const pool = new ClientPool(config, { baseCredentials: async () => BASE_CREDENTIALS });
      app = await buildSlackApp(config, { pool, log: createLogger('error') });
      const { port } = await app.start();
      send = new SlackSender(`http://127.0.0.1:${port}`, SECRET);
    });

    afterAll(async () => {
      await app?.stop();
      await slack?.stop();
    });

    it('Watch on a service report: looks at the check and the service, and says when it is fixed', async () => {
      await send.command({
        text: `service arn:aws:ecs:eu-west-1:${ACCOUNT}:service/${s.cluster}/${s.service}`,
        channel_id: C,
        user_id: U1,
        response_url: slack.responseUrl('cmd'),
      });
      const [summary, detail] = (await slack.waitFor(
        () => {
          const list = slack.messages.get(C) ?? [];
          return list.length >= 2 ? [list[0]!, list[1]!] : undefined;
        },
        30_000,
        'the service report',
      )) as [StoredMessage, StoredMessage];
      const watch = buttonValue(detail.blocks, ACTION_WATCH);
      expect(watch, 'a Watch button under a service report whose lead group fails').toBeDefined();
      const posts = slack.callsOf('chat.postMessage').length;
      await send.interaction(
        buttonClick({
          channel: C,
          user: U1,
          message: { ts: detail.ts, ...(detail.thread_ts ? { thread_ts: detail.thread_ts } : {}) },
          actionId: ACTION_WATCH,
          value: watch!,
          responseUrl: slack.responseUrl('watch'),
        }),
      );
      const status = await slack.waitFor(
        () =>
          (slack.messages.get(C) ?? []).find(
            (m) => m.thread_ts === summary.ts && buttonValue(m.blocks, ACTION_WATCH_STOP),
          ),
        10_000,
        'the watch status',
      );
      expect(status.text).toMatch(
        /is watching service web: every 1 s until .* I run the failing check “Image exists” again and look at the service/,
      );
      expect(blockKitViolations({ text: status.text ?? '', blocks: status.blocks ?? [] })).toEqual([]);

      const look = await slack.waitFor(
        () =>
          slack
            .callsOf('chat.update')
            .find((u) => u.args.ts === status.ts && /Last look at/.test(JSON.stringify(u.args.blocks))),
        15_000,
        'a look',
      );
      const lookText = JSON.stringify(look.args.blocks);
      expect(lookText).toMatch(
        /Last look at <!date\^\d+\^\{time\}\|\d\d:\d\d UTC>: 0 of 0 tasks running, 0 pending, 0 new tasks failed to start \(\d+ AWS calls\)/,
      );
      expect(lookText).toMatch(/“Image exists” still fails/);

      await pushImage(a, 'web', '1.4.2');
      const fixed = await slack.waitFor(
        () =>
          slack
            .callsOf('chat.update')
            .find((u) => u.args.ts === status.ts && /Fixed at/.test(JSON.stringify(u.args.blocks))),
        15_000,
        'fixed',
      );
      expect(JSON.stringify(fixed.args.blocks)).toMatch(
        /Fixed at .*: service web runs 0 of 0 tasks and no new task failed to start \(watched by <@U0SVCWATCH1>\)/,
      );
      expect(JSON.stringify(fixed.args.blocks)).not.toContain(ACTION_WATCH_STOP);
      const reply = await slack.waitFor(
        () =>
          slack
            .callsOf('chat.postMessage')
            .slice(posts)
            .find(
              (p) => p.args.thread_ts === summary.ts && /runs 0 of 0 tasks now/.test(String(p.args.text)),
            ),
        10_000,
        'the reply',
      );
      expect(String(reply.args.text)).toContain(`<@${U1}>`);
      // A service starts its tasks by itself: no advice to run a stopped task again.
      expect(JSON.stringify(reply.args.blocks)).not.toContain('ECS does not start a stopped task again');
      // The status and the reply: nothing else posted.
      expect(slack.callsOf('chat.postMessage').slice(posts)).toHaveLength(2);
    }, 90_000);
  },
);
