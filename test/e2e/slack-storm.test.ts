/**
 * An alert storm end to end: 100 Amazon Q Developer notifications for 100 failed tasks of one service, sent as
 * signed Events API requests within 10 seconds to the real app in HTTP mode; AWS is moto behind a proxy that
 * counts every request; Slack is the local stand-in. Every alert gets exactly one reply in its thread, one of
 * them a full diagnosis and the others a link to it, and the whole storm costs at most twice the AWS calls of
 * one diagnosis. The repeat's button diagnoses its own task, reading AWS afresh.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildSlackApp, type SlackApp } from '../../src/app.js';
import { ClientPool } from '../../src/aws/clients.js';
import { parseTaskTarget } from '../../src/aws/target.js';
import type { Config } from '../../src/config.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import { ACTION_LANG, ACTION_RERUN } from '../../src/slack/buttons.js';
import { BASE_CREDENTIALS, motoAccount } from '../helpers/aws-scenario.js';
import { motoConfig, useMotoEndpoint } from '../helpers/moto-engine.js';
import { type CountingProxy, startCountingProxy } from '../helpers/slack-aws-proxy.js';
import { blockKitViolations, requiredButtonValue } from '../helpers/slack-blockkit.js';
import { alertFixture } from '../helpers/slack-fixtures.js';
import { captureLog } from '../helpers/slack-log.js';
import { buttonClick, SlackSender } from '../helpers/slack-requests.js';
import { BOT_USER_ID, FakeSlack, type StoredMessage, WORKSPACE_URL } from '../helpers/slack-server.js';
import { buildStorm, type Storm, stormAlert } from '../helpers/slack-storm.js';

const motoUrl = inject('motoUrl');

const ACCOUNT = '431900000007';
const SECRET = 'storm-test-signing-secret';
const C_STORM = 'C0STORM001';
const C_EVENTS = 'C0STORMEV1';
const ALERTS = 100;
/** Posting pace in this test (Slack's is 1 s; the pacing itself is measured with it in `npm run bench`). */
const PACE_MS = 20;

function texts(blocks: unknown): string {
  return JSON.stringify(blocks ?? []);
}

describe.skipIf(!motoUrl)(`alert storm${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`, () => {
  let proxy: CountingProxy;
  let slack: FakeSlack;
  let storm: Storm;
  let config: Config;
  let app: SlackApp;
  let send: SlackSender;
  let oneDiagnosis: number;
  let eventSeq = 0;
  const captured = captureLog();

  const replies = (channel: string, threadTs: string): StoredMessage[] =>
    (slack.messages.get(channel) ?? []).filter((m) => m.thread_ts === threadTs && m.user === BOT_USER_ID);

  beforeAll(async () => {
    proxy = await startCountingProxy(motoUrl!);
    useMotoEndpoint(proxy.url);
    storm = await buildStorm(await motoAccount(motoUrl!, ACCOUNT), ALERTS);
    slack = await new FakeSlack().start();
    config = motoConfig({
      defaultLanguage: 'en',
      slack: {
        mode: 'http',
        botToken: 'xoxb-storm-test',
        signingSecret: SECRET,
        apiUrl: slack.apiUrl,
        port: 0,
        alertSources: { botIds: ['B0ALERTS1'], appIds: [], channels: [] },
        channels: { [C_EVENTS]: { language: 'it' } },
        defaultAccounts: ['*'],
      },
    });
    // One diagnosis, as the CLI runs it: a new role session, no cache. That is the budget's unit.
    proxy.reset();
    const pool = new ClientPool(config, { baseCredentials: async () => BASE_CREDENTIALS });
    const { report } = await diagnose(
      { target: parseTaskTarget(storm.taskArns[0]!), requester: 'baseline' },
      { pool, deadlineMs: config.aws.deadlineMs },
    );
    oneDiagnosis = proxy.count();
    expect(report.causes.length).toBeGreaterThan(0);
    expect(oneDiagnosis).toBeGreaterThanOrEqual(report.aws.callCount);

    app = await buildSlackApp(config, {
      pool: new ClientPool(config, { baseCredentials: async () => BASE_CREDENTIALS }),
      log: captured.log,
      pace: { intervalMs: PACE_MS, burst: 3 },
    });
    const { port } = await app.start();
    send = new SlackSender(`http://127.0.0.1:${port}`, SECRET);
  });

  afterAll(async () => {
    await app?.stop();
    await slack?.stop();
    await proxy?.close();
  });

  let firstReply: StoredMessage;
  let repeat: { alert: StoredMessage; reply: StoredMessage; taskArn: string };

  it('100 alerts within 10 s: one reply each, one diagnosis, at most twice the AWS calls of one diagnosis', async () => {
    proxy.reset();
    const alerts: StoredMessage[] = [];
    const started = Date.now();
    const acks: number[] = [];
    const sends: Promise<void>[] = [];
    for (let i = 0; i < ALERTS; i++) {
      const msg = slack.addMessage(C_STORM, stormAlert(storm, i));
      alerts.push(msg);
      sends.push(
        send.event({ ...msg, channel: C_STORM, event_ts: msg.ts }, `Ev0STORM${++eventSeq}`).then((r) => {
          expect(r.status).toBe(200);
          acks.push(r.ms);
        }),
      );
      // 100 alerts over 5 s, as an alerting app posts them while a deployment keeps failing.
      await new Promise((r) => setTimeout(r, 50));
    }
    await Promise.all(sends);
    expect(Date.now() - started).toBeLessThan(10_000);
    await slack.waitFor(
      () => alerts.every((a) => replies(C_STORM, a.ts).length >= 1),
      60_000,
      'a reply to every alert',
    );
    const done = Date.now();
    await new Promise((r) => setTimeout(r, 500));

    // Exactly one reply per alert, in its thread.
    for (const a of alerts) expect(replies(C_STORM, a.ts)).toHaveLength(1);
    const all = alerts.map((a) => replies(C_STORM, a.ts)[0]!);
    const full = all.filter((m) => texts(m.blocks).includes('ecs-pull · task '));
    const same = all.filter((m) => texts(m.blocks).includes('Same failure as task '));
    expect(full).toHaveLength(1);
    expect(same).toHaveLength(ALERTS - 1);
    firstReply = full[0]!;
    const firstTask =
      storm.taskArns[alerts.findIndex((a) => a.ts === firstReply.thread_ts)]!.split('/').pop()!;
    // Every repeat names its own task, the first one, the service, and links to the first reply.
    const link = `<${WORKSPACE_URL}archives/${C_STORM}/p${firstReply.ts.replace('.', '')}?thread_ts=${firstReply.thread_ts}&amp;cid=${C_STORM}|the first reply>`;
    for (const [i, a] of alerts.entries()) {
      const r = replies(C_STORM, a.ts)[0]!;
      if (r === firstReply) continue;
      const body = texts(r.blocks);
      expect(body).toContain(`Task ${storm.taskArns[i]!.split('/').pop()}`);
      expect(body).toContain(`Same failure as task ${firstTask} (service checkout)`);
      expect(body).toContain(link);
      expect(body).toContain('Diagnose this task');
      expect(blockKitViolations({ text: r.text ?? '', blocks: r.blocks ?? [] })).toEqual([]);
    }
    // The repeats carry the first reply's cause.
    const cause = /:mag: \*Most likely cause\*[^"]*?\\n([^"\\]+)/.exec(texts(firstReply.blocks))?.[1];
    expect(cause).toBeTruthy();
    for (const r of same) expect(texts(r.blocks)).toContain(cause!);

    // AWS: the whole storm within twice one diagnosis.
    const calls = proxy.count();
    console.info(
      `alert storm: ${ALERTS} alerts, ${all.length} replies (${full.length} diagnosis, ${same.length} repeats), ` +
        `${calls} AWS calls vs ${oneDiagnosis} for one diagnosis ${JSON.stringify(proxy.byApi())}, ` +
        `last reply ${done - started} ms after the first alert, ack max ${Math.max(...acks).toFixed(0)} ms`,
    );
    expect(calls).toBeLessThanOrEqual(2 * oneDiagnosis);
    // Grouping read the tasks in a few batched calls, not one per alert.
    expect(proxy.byApi()['ecs:DescribeTasks']).toBeLessThanOrEqual(12);

    // Posts paced: with a burst of 3, n posts take at least (n − 3) intervals.
    const posted = slack.callsOf('chat.postMessage').filter((c) => c.args.channel === C_STORM);
    expect(posted).toHaveLength(ALERTS);
    expect(posted.at(-1)!.wall - posted[0]!.wall).toBeGreaterThanOrEqual((ALERTS - 3) * PACE_MS - 5);

    const i = alerts.findIndex((a) => replies(C_STORM, a.ts)[0] !== firstReply);
    repeat = { alert: alerts[i]!, reply: replies(C_STORM, alerts[i]!.ts)[0]!, taskArn: storm.taskArns[i]! };
    expect(captured.text()).toContain('alert answered with its storm’s first reply');
  }, 120_000);

  it('the language button switches a repeat to Italian from its stored state, without AWS', async () => {
    const updates = slack.callsOf('chat.update').length;
    proxy.reset();
    await send.interaction(
      buttonClick({
        channel: C_STORM,
        user: 'U0STORMER1',
        message: { ts: repeat.reply.ts, thread_ts: repeat.alert.ts, blocks: repeat.reply.blocks },
        actionId: ACTION_LANG,
        value: requiredButtonValue(repeat.reply.blocks, ACTION_LANG),
        responseUrl: slack.responseUrl('storm-lang'),
      }),
    );
    const update = await slack.waitFor(() => slack.callsOf('chat.update')[updates], 10_000, 'update');
    expect(texts(update.args.blocks)).toContain('Stesso errore dell');
    expect(texts(update.args.blocks)).toContain('Diagnostica questa attività');
    expect(proxy.count()).toBe(0);
  });

  it('“Diagnose this task” on a repeat diagnoses that task afresh and replaces the repeat in place', async () => {
    const updates = slack.callsOf('chat.update').length;
    proxy.reset();
    const r = await send.interaction(
      buttonClick({
        channel: C_STORM,
        user: 'U0STORMER1',
        message: { ts: repeat.reply.ts, thread_ts: repeat.alert.ts, blocks: repeat.reply.blocks },
        actionId: ACTION_RERUN,
        value: requiredButtonValue(repeat.reply.blocks, ACTION_RERUN),
        responseUrl: slack.responseUrl('storm-rerun'),
      }),
    );
    expect(r.status).toBe(200);
    const update = await slack.waitFor(() => slack.callsOf('chat.update')[updates], 30_000, 'update');
    expect(update.args).toMatchObject({ channel: C_STORM, ts: repeat.reply.ts });
    const taskId = repeat.taskArn.split('/').pop()!;
    // In the language the message shows (switched to Italian above).
    expect(texts(update.args.blocks)).toContain(`ecs-pull · attività ${taskId}`);
    expect(texts(update.args.blocks)).toContain('Rieseguito da <@U0STORMER1>');
    expect(texts(update.args.blocks)).not.toContain('Stesso errore');
    // Fresh: every AWS answer read again although the storm's are still cached (20 s); the role session is the
    // clicker's own (it names who asked).
    expect(proxy.byApi()['sts:AssumeRole']).toBe(1);
    expect(proxy.count()).toBeGreaterThanOrEqual(oneDiagnosis - 2);
  });

  it('alerts carrying the EventBridge event are grouped from it, with no DescribeTasks to group them', async () => {
    proxy.reset();
    const alerts: StoredMessage[] = [];
    for (let i = 0; i < 10; i++) {
      const arn = storm.taskArns[i]!;
      const msg = slack.addMessage(
        C_EVENTS,
        alertFixture('eventbridge-json-text', {
          ACCOUNT: storm.account,
          REGION: storm.region,
          CLUSTER: storm.cluster,
          TASK_ID: arn.split('/').pop()!,
          TASK_ARN: arn,
          SUBNET: storm.net.subnetId,
        }),
      );
      alerts.push(msg);
      await send.event({ ...msg, channel: C_EVENTS, event_ts: msg.ts }, `Ev0STORMEV${i}`);
    }
    await slack.waitFor(() => alerts.every((a) => replies(C_EVENTS, a.ts).length === 1), 30_000, 'replies');
    const all = alerts.map((a) => replies(C_EVENTS, a.ts)[0]!);
    expect(all.filter((m) => texts(m.blocks).includes('ecs-pull · attività '))).toHaveLength(1);
    expect(all.filter((m) => texts(m.blocks).includes('Stesso errore dell'))).toHaveLength(9);
    // At most the leader's own DescribeTasks (none when the storm's leader was the same task, under 20 s ago).
    expect(proxy.byApi()['ecs:DescribeTasks'] ?? 0).toBeLessThanOrEqual(1);
    console.info(`alerts with their event: ${alerts.length} alerts, AWS ${JSON.stringify(proxy.byApi())}`);
    expect(
      all.filter((m) => texts(m.blocks).includes('famiglia di definizioni di attività web')),
    ).toHaveLength(9);
  });
});
