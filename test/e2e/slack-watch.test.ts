/**
 * Watch until fixed in Slack, end to end: the built app in HTTP mode (signed requests), the local Slack Web API,
 * moto. A report whose image tag is missing gets a Watch button; Watch posts one status message in the report's
 * thread (a second click is told it is already watched), re-checks every second, and once the tag is pushed says
 * so in place and tells the person in a new reply. Stop watching ends a watch; a restart interrupts one, saying so.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildSlackApp, type SlackApp } from '../../src/app.js';
import { ClientPool } from '../../src/aws/clients.js';
import { createLogger } from '../../src/log.js';
import { ACTION_WATCH, ACTION_WATCH_STOP } from '../../src/slack/watch-protocol.js';
import { BASE_CREDENTIALS, motoAccount, runStoppedTask, type StoppedTask } from '../helpers/aws-scenario.js';
import { createRepository, pullingRole, pushImage } from '../helpers/identity-scenario.js';
import { motoConfig, useMotoEndpoint } from '../helpers/moto-engine.js';
import { natPath } from '../helpers/network-scenario.js';
import { blockKitViolations, buttonValue } from '../helpers/slack-blockkit.js';
import { buttonClick, SlackSender } from '../helpers/slack-requests.js';
import { FakeSlack, type RecordedCall, type StoredMessage } from '../helpers/slack-server.js';

const motoUrl = inject('motoUrl');
const ACCOUNT = '431700000018';
const SECRET = 'watch-test-signing-secret';
const C = 'C0WATCH001';
const U1 = 'U0WATCHER1';
const U2 = 'U0WATCHER2';

type Account = Awaited<ReturnType<typeof motoAccount>>;

describe.skipIf(!motoUrl)(
  `Watch until fixed in Slack${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`,
  () => {
    let a: Account;
    let slack: FakeSlack;
    let app: SlackApp;
    let send: SlackSender;
    let role: string;
    const logs: string[] = [];
    let n = 0;

    beforeAll(async () => {
      useMotoEndpoint(motoUrl!);
      a = await motoAccount(motoUrl!, ACCOUNT);
      role = await pullingRole(a, 'watchSlackExecutionRole');
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
      const sink = new Writable({
        write(chunk, _enc, cb) {
          logs.push(String(chunk));
          cb();
        },
      });
      app = await buildSlackApp(config, { pool, log: createLogger('info', sink) });
      const { port } = await app.start();
      send = new SlackSender(`http://127.0.0.1:${port}`, SECRET);
    });

    let stopped = false;
    afterAll(async () => {
      if (!stopped) await app?.stop();
      await slack?.stop();
    });

    /** A task whose only problem is a tag that is not in its repository, and its report in Slack. */
    async function reportOfMissingTag(): Promise<{
      repo: string;
      task: StoppedTask;
      summary: StoredMessage;
      detail: StoredMessage;
    }> {
      n++;
      const repo = `watch-slack-${n}`;
      await createRepository(a, repo);
      await pushImage(a, repo, '0.9.0');
      const net = await natPath(a);
      const image = `${a.account}.dkr.ecr.${a.region}.amazonaws.com/${repo}:1.0.0`;
      const task = await runStoppedTask(a, net, {
        cluster: `watch-slack-${n}`,
        image,
        executionRoleArn: role,
        stoppedReason: `CannotPullContainerError: failed to resolve ref ${image}: ${image}: not found`,
      });
      const before = (slack.messages.get(C) ?? []).length;
      await send.command({
        text: `why ${task.taskArn}`,
        channel_id: C,
        user_id: U1,
        response_url: slack.responseUrl(`cmd-${n}`),
      });
      const [summary, detail] = await slack.waitFor(
        () => {
          const list = slack.messages.get(C) ?? [];
          return list.length >= before + 2 ? [list[before]!, list[before + 1]!] : undefined;
        },
        20_000,
        'the report',
      );
      return { repo, task, summary: summary!, detail: detail! };
    }

    const click = (message: StoredMessage, actionId: string, value: string, user = U1, tag = 'w') =>
      send.interaction(
        buttonClick({
          channel: C,
          user,
          message: { ts: message.ts, ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}) },
          actionId,
          value,
          responseUrl: slack.responseUrl(tag),
        }),
      );
    const statusOf = (threadTs: string) =>
      (slack.messages.get(C) ?? []).find(
        (m) => m.thread_ts === threadTs && buttonValue(m.blocks, ACTION_WATCH_STOP),
      );
    const metric = async (result: string) => {
      const body = await (await fetch(`${send.appUrl}/metrics`)).text();
      return Number(
        new RegExp(`^ecs_pull_watches_total\\{result="${result}"\\} (\\d+)`, 'm').exec(body)?.[1] ?? 0,
      );
    };

    it('Watch: one status in the thread, re-checks, and once the tag is pushed says so and tells the person', async () => {
      const { repo, summary, detail } = await reportOfMissingTag();
      const watch = buttonValue(detail.blocks, ACTION_WATCH);
      expect(watch, 'a Watch button under a report with a failing check').toBeDefined();
      expect(blockKitViolations({ text: detail.text ?? '', blocks: detail.blocks ?? [] })).toEqual([]);

      // Two people press Watch at once: one watch, and the other is told.
      const posts = slack.callsOf('chat.postMessage').length;
      const [r1, r2] = await Promise.all([
        click(detail, ACTION_WATCH, watch!, U1, 'watch-1'),
        click(detail, ACTION_WATCH, watch!, U2, 'watch-2'),
      ]);
      expect([r1.status, r2.status]).toEqual([200, 200]);
      const status = await slack.waitFor(() => statusOf(summary.ts), 10_000, 'the watch status');
      const told = await slack.waitFor(
        () => slack.responses.find((x) => x.id === 'watch-1' || x.id === 'watch-2'),
        10_000,
        'already watched',
      );
      expect(String(told.body.text)).toBe(
        'This report is already being watched: its status is in the thread.',
      );
      expect(status.text).toMatch(
        /is watching the failing check “Image exists”: I run it again every 1 s until/,
      );
      expect(blockKitViolations({ text: status.text ?? '', blocks: status.blocks ?? [] })).toEqual([]);

      // A re-check that still fails updates the status in place.
      const update = await slack.waitFor(
        () =>
          slack
            .callsOf('chat.update')
            .find((u) => u.args.ts === status.ts && /still fails/.test(JSON.stringify(u.args.blocks))),
        15_000,
        'a re-check',
      );
      expect(JSON.stringify(update.args.blocks)).toMatch(
        /Last re-check at <!date\^\d+\^\{time\}\|\d\d:\d\d UTC>: “Image exists” still fails \(\d+ AWS calls\)/,
      );

      // Someone pushes the tag: fixed, in place and in a new reply that mentions the person who asked.
      await pushImage(a, repo, '1.0.0');
      const fixed = await slack.waitFor(
        () =>
          slack
            .callsOf('chat.update')
            .find((u) => u.args.ts === status.ts && /Fixed at/.test(JSON.stringify(u.args.blocks))),
        15_000,
        'fixed',
      );
      expect(JSON.stringify(fixed.args.blocks)).not.toContain(ACTION_WATCH_STOP);
      const reply = await slack.waitFor(
        () =>
          slack
            .callsOf('chat.postMessage')
            .slice(posts)
            .find(
              (p: RecordedCall) => p.args.thread_ts === summary.ts && /passes now/.test(String(p.args.text)),
            ),
        10_000,
        'the reply',
      );
      const wholeWatch = slack.callsOf('chat.postMessage').slice(posts);
      expect(wholeWatch).toHaveLength(2);
      expect(String(reply.args.text)).toContain(`<@${U1}>`);
      expect(JSON.stringify(reply.args.blocks)).toContain('ECS does not start a stopped task again');
      expect(await metric('fixed')).toBe(1);
      expect(logs.join('')).toContain('"msg":"watch re-check"');
    }, 60_000);

    it('Stop watching ends a watch from its status; pressing it again says it is over', async () => {
      const { summary, detail } = await reportOfMissingTag();
      await click(detail, ACTION_WATCH, buttonValue(detail.blocks, ACTION_WATCH)!, U2, 'watch-3');
      const status = await slack.waitFor(() => statusOf(summary.ts), 10_000, 'the watch status');
      // The message is updated in place: keep the button's value as it was.
      const stopValue = buttonValue(status.blocks, ACTION_WATCH_STOP)!;
      await click(status, ACTION_WATCH_STOP, stopValue, U1, 'stop-1');
      const stopped = await slack.waitFor(
        () =>
          slack
            .callsOf('chat.update')
            .find(
              (u) => u.args.ts === status.ts && /stopped watching at/.test(JSON.stringify(u.args.blocks)),
            ),
        10_000,
        'stopped',
      );
      expect(JSON.stringify(stopped.args.blocks)).toContain(`<@${U1}> stopped watching at <!date^`);
      for (const end = Date.now() + 5_000; (await metric('stopped')) < 1; ) {
        if (Date.now() > end) throw new Error('the watch did not end');
        await new Promise((r) => setTimeout(r, 50));
      }
      await click(status, ACTION_WATCH_STOP, stopValue, U1, 'stop-2');
      const again = await slack.waitFor(() => slack.responses.find((x) => x.id === 'stop-2'), 10_000, 'over');
      expect(String(again.body.text)).toBe('This report is not being watched any more.');
      // Watched again after a stop: a new watch starts.
      await click(detail, ACTION_WATCH, buttonValue(detail.blocks, ACTION_WATCH)!, U2, 'watch-4');
      await slack.waitFor(
        () =>
          (slack.messages.get(C) ?? []).filter(
            (m) => m.thread_ts === summary.ts && m.ts !== status.ts && /is watching/.test(m.text ?? ''),
          ).length > 0 || undefined,
        10_000,
        'a second watch',
      );
    }, 60_000);

    it('a restart interrupts the watches it runs, saying so', async () => {
      const interrupted = () =>
        slack
          .callsOf('chat.update')
          .filter((u) => /Watching was interrupted: the bot restarted/.test(JSON.stringify(u.args.blocks)));
      stopped = true;
      await app.stop();
      expect(interrupted().length).toBeGreaterThanOrEqual(1);
    }, 30_000);
  },
);
