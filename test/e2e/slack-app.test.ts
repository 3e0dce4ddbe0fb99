/**
 * The Slack app end to end: the real app in HTTP mode on a free port, signed requests over real HTTP (commands,
 * events, interactions), Slack's Web API served by a local recording server, AWS from moto.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildSlackApp, type SlackApp } from '../../src/app.js';
import { ClientPool } from '../../src/aws/clients.js';
import type { Partition } from '../../src/aws/partition.js';
import type { Config } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import type { Block } from '../../src/render/blockkit.js';
import { ACTION_LANG, ACTION_RERUN, decodeActionValue } from '../../src/slack/buttons.js';
import {
  BASE_CREDENTIALS,
  createExecutionRole,
  createNetwork,
  motoAccount,
  type Network,
  runStoppedTask,
  type StoppedTask,
} from '../helpers/aws-scenario.js';
import { motoConfig, useMotoEndpoint } from '../helpers/moto-engine.js';
import { blockKitViolations, requiredButtonValue } from '../helpers/slack-blockkit.js';
import { type AlertVars, alertFixture, alertFixtureNames } from '../helpers/slack-fixtures.js';
import {
  buttonClick,
  feedbackClick,
  messageShortcut,
  SlackSender,
  viewSubmission,
} from '../helpers/slack-requests.js';
import { BOT_USER_ID, FakeSlack, type RecordedCall, type StoredMessage } from '../helpers/slack-server.js';

/** Slack allows 3 s; the app acknowledges before any work, so a loaded CI machine still answers well within this. */
const ACK_BUDGET_MS = 750;

const motoUrl = inject('motoUrl');

const ALLOWED = '431122334455';
const SECRET = 'test-signing-secret-7f3a9c';
const ALERT_BOT = 'B0ALERTS1';
const C_INCIDENT = 'C0INCIDENT';
const C_ALERTS_IT = 'C0ALERTSIT';
const C_NO_ACCESS = 'C0NOACCESS';
const C_TRIAGE = 'C0TRIAGE01';
const U_EN = 'U0ENGLISH1';
const U_IT = 'U0ITALIAN1';

/** A pool that records who asked for clients: proof that a refused request made no AWS call. */
class CountingPool extends ClientPool {
  readonly requesters: string[] = [];
  override get(account: string | undefined, region: string, partition: Partition, requester: string) {
    this.requesters.push(requester);
    return super.get(account, region, partition, requester);
  }
  override warmUp(account: string | undefined, region: string, partition: Partition, requester: string) {
    this.requesters.push(requester);
    return super.warmUp(account, region, partition, requester);
  }
}

function texts(blocks: unknown): string {
  return JSON.stringify(blocks ?? []);
}

/** The 👍 / 👎 pair under a report: its action and block ids and both values. */
function feedbackButtons(blocks: unknown[] | undefined) {
  for (const b of (blocks ?? []) as Record<string, unknown>[]) {
    if (b.type !== 'context_actions') continue;
    const e = (b.elements as Record<string, unknown>[])[0]!;
    const value = (side: string) => (e[side] as { value: string }).value;
    return {
      actionId: String(e.action_id),
      blockId: String(b.block_id),
      up: value('positive_button'),
      down: value('negative_button'),
    };
  }
  throw new Error('no feedback buttons');
}

/** The value of one series on /metrics (0 when absent), labels in any order. */
async function metric(appUrl: string, name: string, labels: Record<string, string>): Promise<number> {
  const body = await (await fetch(`${appUrl}/metrics`)).text();
  for (const line of body.split('\n')) {
    const m = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (
      Object.entries(labels).every(([k, v]) => got[k] === v) &&
      Object.keys(got).length === Object.keys(labels).length
    )
      return Number(m[3]);
  }
  return 0;
}

describe.skipIf(!motoUrl)(`Slack app over HTTP${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`, () => {
  let slack: FakeSlack;
  let app: SlackApp;
  let send: SlackSender;
  let pool: CountingPool;
  let config: Config;
  let net: Network;
  let t1: StoppedTask;
  let t2: StoppedTask;
  const logs: string[] = [];
  let eventSeq = 0;
  const ackLatencies: number[] = [];

  const posts = (channel: string, after = 0): RecordedCall[] =>
    slack.callsOf('chat.postMessage').filter((c) => c.args.channel === channel && c.at >= after);
  const repliesIn = (channel: string, threadTs: string) =>
    slack
      .callsOf('chat.postMessage')
      .filter((c) => c.args.channel === channel && c.args.thread_ts === threadTs);
  const nextEventId = () => `Ev0TEST${String(++eventSeq).padStart(5, '0')}`;
  const vars = (t: StoppedTask): AlertVars => ({
    ACCOUNT: ALLOWED,
    REGION: 'eu-west-1',
    CLUSTER: t.cluster,
    TASK_ID: t.taskId,
    TASK_ARN: t.taskArn,
    TASK_ARN_2: t2.taskArn,
    TASK_DEFINITION_ARN: t.taskDefinitionArn,
    SUBNET: net.subnetId,
  });

  beforeAll(async () => {
    useMotoEndpoint(motoUrl!);
    const a = await motoAccount(motoUrl!, ALLOWED);
    net = await createNetwork(a);
    const role = await createExecutionRole(a);
    t1 = await runStoppedTask(a, net, { executionRoleArn: role, cluster: 'web' });
    t2 = await runStoppedTask(a, net, { executionRoleArn: role, cluster: 'web' });

    slack = await new FakeSlack().start();
    slack.locales.set(U_EN, 'en-US');
    slack.locales.set(U_IT, 'it-IT');
    config = motoConfig({
      defaultLanguage: 'en',
      slack: {
        mode: 'http',
        botToken: 'xoxb-test-token',
        signingSecret: SECRET,
        apiUrl: slack.apiUrl,
        port: 0,
        alertSources: { botIds: [ALERT_BOT], appIds: [], channels: [] },
        channels: {
          [C_ALERTS_IT]: { language: 'it', accounts: [ALLOWED] },
          [C_NO_ACCESS]: { accounts: ['499999999999'] },
        },
        defaultAccounts: ['*'],
      },
    });
    pool = new CountingPool(config, { baseCredentials: async () => BASE_CREDENTIALS });
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

  afterAll(async () => {
    await app?.stop();
    await slack?.stop();
    if (ackLatencies.length) {
      const sorted = [...ackLatencies].sort((x, y) => x - y);
      console.info(
        `slash-command ack latency over ${sorted.length} requests: median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ms, max ${sorted[sorted.length - 1]!.toFixed(1)} ms`,
      );
    }
  });

  it('rejects forged and stale signatures with 401 and does nothing', async () => {
    const before = slack.calls.length;
    const cmd = {
      text: `why ${t1.taskArn}`,
      channel_id: C_INCIDENT,
      user_id: U_EN,
      response_url: slack.responseUrl('x'),
    };
    expect((await send.command(cmd, { secret: 'not-the-secret' })).status).toBe(401);
    expect((await send.command(cmd, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 })).status).toBe(401);
    expect(
      (
        await send.event(
          { type: 'app_mention', user: U_EN, text: 'hi', ts: '1.2', channel: C_INCIDENT },
          nextEventId(),
          { secret: 'forged' },
        )
      ).status,
    ).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(slack.calls.length).toBe(before);
  });

  let summary: StoredMessage;
  let detail: StoredMessage;

  it('command: acknowledged at once, then a summary in the channel and the full report in its thread', async () => {
    const requestersBefore = pool.requesters.length;
    const sentAt = Date.now();
    const r = await send.command({
      text: `why ${t1.taskArn}`,
      channel_id: C_INCIDENT,
      user_id: U_EN,
      response_url: slack.responseUrl('cmd-1'),
    });
    ackLatencies.push(r.ms);
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
    expect(r.ms).toBeLessThan(ACK_BUDGET_MS);
    const [s, d] = await slack.waitFor(
      () => {
        const p = posts(C_INCIDENT);
        return p.length >= 2 ? p : undefined;
      },
      20_000,
      'two posts',
    );
    // Acknowledged before any Slack API work.
    const firstApiCall = slack.calls.find((c) => c.wall >= sentAt && c.method !== 'auth.test');
    expect(firstApiCall!.wall).toBeGreaterThanOrEqual(sentAt);
    expect(s!.wall).toBeGreaterThanOrEqual(sentAt + Math.floor(r.ms) - 5);
    expect(slack.callsOf('users.info').at(-1)!.args).toMatchObject({ user: U_EN, include_locale: 'true' });

    expect(s!.args.thread_ts).toBeUndefined();
    expect(d!.args.thread_ts).toBe(slack.messages.get(C_INCIDENT)![0]!.ts);
    summary = slack.messages.get(C_INCIDENT)![0]!;
    detail = slack.messages.get(C_INCIDENT)![1]!;
    expect(summary.text).toContain(`Task ${t1.taskId}`);
    expect(texts(summary.blocks)).toContain(`<@${U_EN}> asked about task`);
    expect(texts(detail.blocks)).toContain(`ecs-pull · task ${t1.taskId}`);
    expect(texts(detail.blocks)).toContain('Cluster web · account 431122334455 · eu-west-1');
    expect(texts(detail.blocks)).toContain(net.subnetId);
    expect(requiredButtonValue(detail.blocks, ACTION_RERUN)).toContain(t1.taskArn);
    // The fix as commands, copyable: a code block with the route table's real id.
    expect(texts(detail.blocks)).toMatch(
      /```[^`]*aws ec2 create-route --route-table-id rtb-[0-9a-f]+ --destination-cidr-block 0\.0\.0\.0\/0/,
    );
    for (const m of [summary, detail]) {
      expect(blockKitViolations({ text: m.text ?? '', blocks: m.blocks ?? [] })).toEqual([]);
    }
    // The role session says who asked.
    expect(pool.requesters.slice(requestersBefore)).toContain(`slack-T0TESTTEAM-${U_EN}`);
  });

  it('command: Italian from the user’s Slack locale, English when asked with lang:en', async () => {
    const start = slack.calls.at(-1)!.at + 1;
    await send.command({
      text: `why ${t1.taskArn}`,
      channel_id: C_INCIDENT,
      user_id: U_IT,
      response_url: slack.responseUrl('cmd-it'),
    });
    const it_ = await slack.waitFor(
      () => posts(C_INCIDENT, start).find((c) => c.args.thread_ts),
      20_000,
      'it detail',
    );
    expect(texts(it_.args.blocks)).toContain(`ecs-pull · attività ${t1.taskId}`);
    expect(texts(it_.args.blocks)).toContain('Riesegui');

    const start2 = slack.calls.at(-1)!.at + 1;
    const r = await send.command({
      text: `why ${t1.taskArn} lang:en`,
      channel_id: C_INCIDENT,
      user_id: U_IT,
      response_url: slack.responseUrl('cmd-en'),
    });
    ackLatencies.push(r.ms);
    const en = await slack.waitFor(
      () => posts(C_INCIDENT, start2).find((c) => c.args.thread_ts),
      20_000,
      'en detail',
    );
    expect(texts(en.args.blocks)).toContain(`ecs-pull · task ${t1.taskId}`);
  });

  it('command: help, usage and a bad ARN are ephemeral and localized', async () => {
    const postsBefore = slack.callsOf('chat.postMessage').length;
    for (const [id, text, user] of [
      ['help', 'help', U_EN],
      ['bad-arn', 'why arn:aws:ecs:eu-west-1:431122334455:service/web/api', U_IT],
      ['unknown', 'frobnicate', U_EN],
      ['empty', 'why', U_IT],
    ] as const) {
      const r = await send.command({
        text,
        channel_id: C_INCIDENT,
        user_id: user,
        response_url: slack.responseUrl(id),
      });
      ackLatencies.push(r.ms);
      expect(r.status).toBe(200);
    }
    const body = async (id: string) =>
      (await slack.waitFor(() => slack.responses.find((x) => x.id === id), 5000, id)).body as {
        response_type: string;
        text: string;
      };
    const help = await body('help');
    expect(help.response_type).toBe('ephemeral');
    // Escaped as Slack wants it in mrkdwn (it shows <task-arn>).
    expect(help.text).toContain('/ecs-pull why &lt;task-arn&gt;');
    const bad = await body('bad-arn');
    expect(bad.response_type).toBe('ephemeral');
    expect(bad.text).toContain("non di un'attività");
    expect(bad.text).toContain('Uso: `/ecs-pull why');
    expect((await body('unknown')).text).toContain('“frobnicate” is not something ecs-pull knows how to do.');
    expect((await body('empty')).text).toContain('Uso:');
    expect(slack.callsOf('chat.postMessage').length).toBe(postsBefore);
  });

  it('command: a channel asking about an account it may not see is refused, with no AWS call', async () => {
    const requesters = pool.requesters.length;
    const postsBefore = slack.callsOf('chat.postMessage').length;
    await send.command({
      text: `why ${t1.taskArn}`,
      channel_id: C_NO_ACCESS,
      user_id: U_EN,
      response_url: slack.responseUrl('refused'),
    });
    const r = await slack.waitFor(() => slack.responses.find((x) => x.id === 'refused'), 5000, 'refusal');
    expect(r.body).toMatchObject({ response_type: 'ephemeral' });
    expect(String(r.body.text)).toContain(`This channel may not diagnose tasks of account ${ALLOWED}`);
    expect(pool.requesters.length).toBe(requesters);
    expect(slack.callsOf('chat.postMessage').length).toBe(postsBefore);
  });

  describe('alerts', () => {
    const alertTs: Record<string, string> = {};

    it('each alert shape gets exactly one reply in its thread, in the channel’s language; the same task alerted again links to its first reply', async () => {
      const goneId = 'f1e2d3c4b5a697887766554433221100';
      for (const name of alertFixtureNames()) {
        const v =
          name === 'eventbridge-json-text'
            ? {
                ...vars(t1),
                TASK_ID: goneId,
                TASK_ARN: `arn:aws:ecs:eu-west-1:${ALLOWED}:task/web/${goneId}`,
              }
            : vars(t1);
        const msg = slack.addMessage(C_ALERTS_IT, alertFixture(name, v));
        alertTs[name] = msg.ts;
        const r = await send.event({ ...msg, channel: C_ALERTS_IT, event_ts: msg.ts }, nextEventId());
        expect(r.status).toBe(200);
        expect(r.ms).toBeLessThan(ACK_BUDGET_MS);
      }
      const full: string[] = [];
      const again: Array<{ name: string; blocks: string }> = [];
      for (const [name, ts] of Object.entries(alertTs)) {
        const reply = await slack.waitFor(() => repliesIn(C_ALERTS_IT, ts)[0], 30_000, `reply to ${name}`);
        const blocks = texts(reply.args.blocks);
        expect(
          blockKitViolations({ text: String(reply.args.text), blocks: reply.args.blocks as unknown[] }),
        ).toEqual([]);
        expect(blocks, name).toContain('Risposta automatica a questo avviso');
        if (name === 'multi-task') {
          expect(blocks).toContain('ecs-pull · 2 attività');
          expect(blocks).toContain(t1.taskId);
          expect(blocks).toContain(t2.taskId);
        } else if (name === 'eventbridge-json-text') {
          expect(blocks).toContain('ecs-pull · attività f1e2d3c4b5a697887766554433221100');
          expect(blocks).toContain('ricostruito a partire da: evento EventBridge');
          expect(blocks).toContain(net.subnetId);
        } else if (blocks.includes(`ecs-pull · attività ${t1.taskId}`)) {
          const posted = slack.messages
            .get(C_ALERTS_IT)!
            .find((m) => m.thread_ts === ts && m.user === BOT_USER_ID);
          full.push(posted!.ts);
        } else {
          // Every shape names t1 with the same stopped reason: one full report, the others point to it.
          expect(blocks, name).toContain(`L'attività ${t1.taskId} è già stata diagnosticata`);
          again.push({ name, blocks });
        }
      }
      expect(full).toHaveLength(1);
      expect(again.length).toBe(alertFixtureNames().length - 3);
      // The link is the first reply's permalink (chat.getPermalink), escaped as Slack wants inside <…|…>.
      const link = `<https://ecs-pull-test.slack.com/archives/${C_ALERTS_IT}/p${full[0]!.replace('.', '')}?thread_ts=`;
      for (const a of again) {
        expect(a.blocks, a.name).toContain(link);
        expect(a.blocks, a.name).toMatch(/&amp;cid=C0ALERTSIT\|prima risposta>/);
      }
      await new Promise((r) => setTimeout(r, 500));
      for (const [name, ts] of Object.entries(alertTs))
        expect(repliesIn(C_ALERTS_IT, ts), name).toHaveLength(1);
    });

    it('a re-delivered event and the same alert seen again (edited) get no second reply', async () => {
      const msg = slack.addMessage(C_ALERTS_IT, alertFixture('lambda-formatter-blocks', vars(t2)));
      const id = nextEventId();
      const event = { ...msg, channel: C_ALERTS_IT, event_ts: msg.ts };
      await send.event(event, id);
      await slack.waitFor(() => repliesIn(C_ALERTS_IT, msg.ts)[0], 30_000, 'first reply');
      expect((await send.event(event, id, { retryNum: 1 })).status).toBe(200);
      expect((await send.event(event, id, { retryNum: 2 })).status).toBe(200);
      const edited = {
        type: 'message',
        subtype: 'message_changed',
        channel: C_ALERTS_IT,
        hidden: true,
        ts: slack.nextTs(),
        event_ts: slack.nextTs(),
        message: { ...msg, edited: { user: ALERT_BOT, ts: slack.nextTs() } },
        previous_message: msg,
      };
      expect((await send.event(edited, nextEventId())).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1500));
      expect(repliesIn(C_ALERTS_IT, msg.ts)).toHaveLength(1);
      expect(logs.join('')).toContain('event delivered again; ignored');
      expect(logs.join('')).toContain('alert already answered');
    });

    it('ignores alerts from sources not allowed and people pasting ARNs, without any AWS call', async () => {
      const requesters = pool.requesters.length;
      const other = slack.addMessage(C_ALERTS_IT, {
        ...alertFixture('attachments-fields', vars(t1)),
        bot_id: 'B0SOMEONE1',
      });
      const person = slack.addMessage(C_ALERTS_IT, {
        type: 'message',
        user: U_EN,
        text: `look: ${t1.taskArn}`,
      });
      await send.event({ ...other, channel: C_ALERTS_IT }, nextEventId());
      await send.event({ ...person, channel: C_ALERTS_IT }, nextEventId());
      await new Promise((r) => setTimeout(r, 1000));
      expect(repliesIn(C_ALERTS_IT, other.ts)).toHaveLength(0);
      expect(repliesIn(C_ALERTS_IT, person.ts)).toHaveLength(0);
      expect(pool.requesters.length).toBe(requesters);
      // The log names the app, for whoever sets up alertSources.
      expect(logs.join('')).toContain('"botId":"B0SOMEONE1"');
    });

    it('an alert about an account the channel may not see gets one short refusal and no AWS call', async () => {
      const requesters = pool.requesters.length;
      const msg = slack.addMessage(C_NO_ACCESS, alertFixture('rich-text', vars(t1)));
      await send.event({ ...msg, channel: C_NO_ACCESS }, nextEventId());
      const reply = await slack.waitFor(() => repliesIn(C_NO_ACCESS, msg.ts)[0], 10_000, 'refusal');
      expect(String(reply.args.text)).toBe(
        `This channel may not diagnose tasks of account ${ALLOWED}. Ask in a channel that is allowed to, or ask an admin to add the account to \`slack.channels.${C_NO_ACCESS}.accounts\` in the ecs-pull configuration.`,
      );
      expect(texts(reply.args.blocks)).not.toContain(ACTION_RERUN);
      expect(pool.requesters.length).toBe(requesters);
    });
  });

  describe('buttons', () => {
    it('Re-run diagnoses again and updates the report and the channel summary in place', async () => {
      const updatesBefore = slack.callsOf('chat.update').length;
      const value = requiredButtonValue(detail.blocks, ACTION_RERUN);
      const click = buttonClick({
        channel: C_INCIDENT,
        user: U_IT,
        message: { ts: detail.ts, thread_ts: summary.ts, blocks: detail.blocks },
        actionId: ACTION_RERUN,
        value,
        responseUrl: slack.responseUrl('rerun'),
      });
      // Two quick clicks on the same rendering run once.
      const [r1, r2] = await Promise.all([send.interaction(click), send.interaction(click)]);
      expect([r1.status, r2.status]).toEqual([200, 200]);
      expect(Math.max(r1.ms, r2.ms)).toBeLessThan(ACK_BUDGET_MS);
      const updates = await slack.waitFor(
        () => {
          const u = slack.callsOf('chat.update').slice(updatesBefore);
          return u.length >= 2 ? u : undefined;
        },
        30_000,
        'updates',
      );
      const onDetail = updates.find((u) => u.args.ts === detail.ts)!;
      const onSummary = updates.find((u) => u.args.ts === summary.ts)!;
      expect(onDetail.args.channel).toBe(C_INCIDENT);
      expect(texts(onDetail.args.blocks)).toContain(`Re-run by <@${U_IT}>`);
      expect(texts(onDetail.args.blocks)).toContain(`ecs-pull · task ${t1.taskId}`);
      expect(texts(onSummary.args.blocks)).toContain(`<@${U_EN}> asked about task`);
      const newKey = decodeActionValue(
        requiredButtonValue(onDetail.args.blocks as unknown[], ACTION_RERUN),
      )!.k;
      expect(newKey).not.toBe(decodeActionValue(value)!.k);
      await new Promise((r) => setTimeout(r, 1000));
      expect(slack.callsOf('chat.update').slice(updatesBefore)).toHaveLength(2);
    });

    it('the language button re-renders the report and the summary in Italian, then back', async () => {
      const current = slack.messages.get(C_INCIDENT)!.find((m) => m.ts === detail.ts)!;
      const updatesBefore = slack.callsOf('chat.update').length;
      const r = await send.interaction(
        buttonClick({
          channel: C_INCIDENT,
          user: U_EN,
          message: { ts: detail.ts, thread_ts: summary.ts, blocks: current.blocks },
          actionId: ACTION_LANG,
          value: requiredButtonValue(current.blocks, ACTION_LANG),
          responseUrl: slack.responseUrl('lang'),
        }),
      );
      expect(r.status).toBe(200);
      const updates = await slack.waitFor(
        () => {
          const u = slack.callsOf('chat.update').slice(updatesBefore);
          return u.length >= 2 ? u : undefined;
        },
        10_000,
        'language updates',
      );
      const onDetail = updates.find((u) => u.args.ts === detail.ts)!;
      expect(texts(onDetail.args.blocks)).toContain(`ecs-pull · attività ${t1.taskId}`);
      expect(texts(onDetail.args.blocks)).toContain(`Rieseguito da <@${U_IT}>`);
      expect(texts(updates.find((u) => u.args.ts === summary.ts)!.args.blocks)).toContain('ha chiesto');
      const back = decodeActionValue(requiredButtonValue(onDetail.args.blocks as unknown[], ACTION_LANG))!;
      expect(back.g).toBe('en');
    });

    it('after the stored state expired, the language button diagnoses again from the ARNs it carries', async () => {
      const updatesBefore = slack.callsOf('chat.update').length;
      const expired = JSON.stringify({ k: 'expired0000000000000', l: 't', g: 'it', a: [t2.taskArn] });
      const reply = slack.addMessage(C_TRIAGE, {
        type: 'message',
        user: BOT_USER_ID,
        bot_id: 'B0ECSPULL',
        text: 'old',
        thread_ts: '1764320000.000001',
      });
      const r = await send.interaction(
        buttonClick({
          channel: C_TRIAGE,
          user: U_EN,
          message: { ts: reply.ts, thread_ts: '1764320000.000001' },
          actionId: ACTION_LANG,
          value: expired,
          responseUrl: slack.responseUrl('expired'),
        }),
      );
      expect(r.status).toBe(200);
      const update = await slack.waitFor(
        () => slack.callsOf('chat.update').slice(updatesBefore)[0],
        30_000,
        'update',
      );
      expect(update.args).toMatchObject({ channel: C_TRIAGE, ts: reply.ts });
      expect(texts(update.args.blocks)).toContain(`ecs-pull · attività ${t2.taskId}`);
      expect(
        decodeActionValue(requiredButtonValue(update.args.blocks as unknown[], ACTION_RERUN))!.k,
      ).not.toBe('expired0000000000000');
    });

    it('console URL buttons are acknowledged and change nothing', async () => {
      const current = slack.messages.get(C_INCIDENT)!.find((m) => m.ts === detail.ts)!;
      const link = (current.blocks as Block[])
        .flatMap((b) => (b.type === 'actions' ? b.elements : []))
        .find((e) => e.url);
      expect(link, 'a console button').toBeDefined();
      const calls = slack.calls.length;
      const r = await send.interaction(
        buttonClick({
          channel: C_INCIDENT,
          user: U_EN,
          message: { ts: detail.ts, thread_ts: summary.ts },
          actionId: link!.action_id,
          url: link!.url!,
          responseUrl: slack.responseUrl('link'),
        }),
      );
      expect(r.status).toBe(200);
      expect(r.ms).toBeLessThan(ACK_BUDGET_MS);
      await new Promise((res) => setTimeout(res, 300));
      // Nothing posted, updated or opened. The Home's bookkeeping of earlier replies (a permalink, the person's Home
      // tab republished) may land late under load, and is not the click's doing.
      const home = new Set(['chat.getPermalink', 'views.publish', 'users.conversations']);
      expect(slack.calls.slice(calls).filter((c) => !home.has(c.method))).toEqual([]);
    });
  });

  describe('feedback', () => {
    const fb = (labels: Record<string, string>) => metric(send.appUrl, 'ecs_pull_feedback_total', labels);
    const withdrawn = (labels: Record<string, string>) =>
      metric(send.appUrl, 'ecs_pull_feedback_withdrawn_total', labels);

    it('👍 counts once per person and says thanks to them alone; 👎 opens "what was it?" and replaces the 👍; the form refines it', async () => {
      const current = slack.messages.get(C_INCIDENT)!.find((m) => m.ts === detail.ts)!;
      expect(blockKitViolations({ text: current.text ?? '', blocks: current.blocks ?? [] })).toEqual([]);
      const buttons = feedbackButtons(current.blocks);
      const up = JSON.parse(buttons.up) as { d: string; c: string; v: string; g: 'en' | 'it' };
      // The message is in whichever language the buttons above left it: the answers follow it.
      const words =
        up.g === 'it'
          ? {
              thanks: /^Grazie: ho annotato che la causa era /,
              title: 'Qual era la causa?',
              other: 'Altro',
            }
          : {
              thanks: /^Thanks: noted that the cause was /,
              title: 'What was it?',
              other: 'Something else',
            };
      expect(up).toMatchObject({ v: 'up' });
      expect(up.d).toMatch(/^[0-9a-f]{8}$/);
      const cause = up.c;
      const click = (value: string, user = U_EN, tag = 'fb') =>
        send.interaction(
          feedbackClick({
            channel: C_INCIDENT,
            user,
            message: { ts: detail.ts, thread_ts: summary.ts },
            actionId: buttons.actionId,
            blockId: buttons.blockId,
            value,
            responseUrl: slack.responseUrl(tag),
          }),
        );
      const upLabels = { cause, verdict: 'up', actual: cause };
      const before = await fb(upLabels);

      // 👍, twice: acknowledged at once, counted once, thanked (ephemeral) each time.
      for (const tag of ['fb-up-1', 'fb-up-2']) {
        const r = await click(buttons.up, U_EN, tag);
        expect(r.status).toBe(200);
        expect(r.ms).toBeLessThan(ACK_BUDGET_MS);
        const thanks = await slack.waitFor(
          () => slack.responses.find((x) => x.id === tag),
          10_000,
          `thanks ${tag}`,
        );
        expect(thanks.body).toMatchObject({ response_type: 'ephemeral' });
        expect(String(thanks.body.text)).toMatch(words.thanks);
      }
      expect(await fb(upLabels)).toBe(before + 1);
      expect(logs.join('')).toContain(`"correlationId":"${up.d}"`);

      // 👎 by the same person: the form opens in the report's language, and the 👍 is withdrawn at once.
      const opensBefore = slack.callsOf('views.open').length;
      const downUnspecified = { cause, verdict: 'down', actual: 'unspecified' };
      const downBefore = await fb(downUnspecified);
      const r = await click(buttons.down, U_EN, 'fb-down');
      expect(r.status).toBe(200);
      const open = await slack.waitFor(() => slack.callsOf('views.open')[opensBefore], 10_000, 'views.open');
      expect(open.args.trigger_id).toBeTruthy();
      const view = (typeof open.args.view === 'string' ? JSON.parse(open.args.view) : open.args.view) as {
        title: { text: string };
        private_metadata: string;
        callback_id: string;
        blocks: {
          type: string;
          block_id?: string;
          element?: { options?: { value: string; text: { text: string } }[] };
        }[];
      };
      expect(view.title.text).toBe(words.title);
      const options = view.blocks.find((b) => b.block_id === 'actual')!.element!.options!;
      expect(options.map((o) => o.value)).not.toContain(cause);
      expect(options.map((o) => o.value)).toContain('execution-role');
      expect(options.at(-1)!.text.text).toBe(words.other);
      for (const o of options) expect(o.text.text.length).toBeLessThanOrEqual(75);
      for (const end = Date.now() + 10_000; (await withdrawn(upLabels)) < 1; ) {
        if (Date.now() > end) throw new Error('timed out waiting for the 👍 to be withdrawn');
        await new Promise((res) => setTimeout(res, 20));
      }
      expect(await fb(downUnspecified)).toBe(downBefore + 1);

      // The form: the actual cause and a note replace the bare 👎; sending it closes it (an empty answer).
      const sent = await send.interaction(
        viewSubmission({
          user: U_EN,
          callbackId: view.callback_id,
          privateMetadata: view.private_metadata,
          values: {
            actual: { actual: { type: 'static_select', selected_option: { value: 'execution-role' } } },
            note: { note: { type: 'plain_text_input', value: 'the role lost its policy <!channel>' } },
          },
        }),
      );
      expect(sent.status).toBe(200);
      expect(sent.body).toBe('');
      const downActual = { cause, verdict: 'down', actual: 'execution-role' };
      for (const end = Date.now() + 10_000; (await fb(downActual)) < 1; ) {
        if (Date.now() > end) throw new Error('timed out waiting for the form to be counted');
        await new Promise((res) => setTimeout(res, 20));
      }
      expect(await withdrawn(downUnspecified)).toBeGreaterThanOrEqual(1);
      expect(logs.join('')).toContain('"note":"the role lost its policy <!channel>"');

      // 👎 again: the form opens with what they said, and nothing is counted twice.
      const actualBefore = await fb(downActual);
      await click(buttons.down, U_EN, 'fb-down-2');
      const reopen = await slack.waitFor(
        () => slack.callsOf('views.open')[opensBefore + 1],
        10_000,
        'views.open again',
      );
      expect(JSON.stringify(reopen.args.view)).toContain('initial_option');
      expect(JSON.stringify(reopen.args.view)).toContain('the role lost its policy');
      await new Promise((res) => setTimeout(res, 300));
      expect(await fb(downActual)).toBe(actualBefore);
    });

    it('a forged or foreign feedback value is ignored: no count, no form', async () => {
      const opens = slack.callsOf('views.open').length;
      const body = await (await fetch(`${send.appUrl}/metrics`)).text();
      const total = (b: string) =>
        [...b.matchAll(/^ecs_pull_feedback_total\{[^}]*\} (\S+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
      for (const value of [
        'not json',
        '{"d":"../../x","c":"dns","v":"down","g":"en"}',
        '{"d":"abc","v":"sideways"}',
      ]) {
        const r = await send.interaction(
          feedbackClick({
            channel: C_INCIDENT,
            user: U_IT,
            message: { ts: detail.ts },
            actionId: 'ecs_pull_feedback_0',
            blockId: 'b1',
            value,
            responseUrl: slack.responseUrl('fb-forged'),
          }),
        );
        expect(r.status).toBe(200);
      }
      await new Promise((res) => setTimeout(res, 300));
      expect(slack.callsOf('views.open')).toHaveLength(opens);
      expect(total(await (await fetch(`${send.appUrl}/metrics`)).text())).toBe(total(body));
    });
  });

  describe('triage', () => {
    it('a mention in an alert’s thread diagnoses the thread’s first message and replies there', async () => {
      // An alert from an app that is not configured as a source: only a person can ask.
      const parent = slack.addMessage(C_TRIAGE, {
        ...alertFixture('lambda-formatter-blocks', vars(t2)),
        bot_id: 'B0UNLISTED',
      });
      const mention = slack.addMessage(C_TRIAGE, {
        type: 'message',
        user: U_IT,
        text: `<@${BOT_USER_ID}> why`,
        thread_ts: parent.ts,
      });
      await send.event(
        {
          type: 'app_mention',
          user: U_IT,
          text: mention.text,
          ts: mention.ts,
          thread_ts: parent.ts,
          channel: C_TRIAGE,
          event_ts: mention.ts,
        },
        nextEventId(),
      );
      const reply = await slack.waitFor(() => repliesIn(C_TRIAGE, parent.ts)[0], 30_000, 'mention reply');
      expect(slack.callsOf('conversations.replies').at(-1)!.args).toMatchObject({
        channel: C_TRIAGE,
        ts: parent.ts,
      });
      expect(texts(reply.args.blocks)).toContain(`ecs-pull · attività ${t2.taskId}`);
      expect(texts(reply.args.blocks)).toContain(`Richiesto da <@${U_IT}>`);
    });

    it('a mention with an ARN outside a thread replies in the mention’s own thread', async () => {
      const mention = slack.addMessage(C_TRIAGE, {
        type: 'message',
        user: U_EN,
        text: `<@${BOT_USER_ID}> why ${t1.taskArn}`,
      });
      await send.event(
        {
          type: 'app_mention',
          user: U_EN,
          text: mention.text,
          ts: mention.ts,
          channel: C_TRIAGE,
          event_ts: mention.ts,
        },
        nextEventId(),
      );
      const reply = await slack.waitFor(() => repliesIn(C_TRIAGE, mention.ts)[0], 30_000, 'reply');
      expect(texts(reply.args.blocks)).toContain(`ecs-pull · task ${t1.taskId}`);
    });

    it('the message shortcut replies in that message’s thread, reading the message back when needed', async () => {
      const pasted = slack.addMessage(C_TRIAGE, {
        type: 'message',
        user: U_EN,
        text: `failed again: ${t1.taskArn}`,
      });
      const r = await send.interaction(
        messageShortcut({
          channel: C_TRIAGE,
          user: U_EN,
          message: pasted,
          responseUrl: slack.responseUrl('sc-1'),
        }),
      );
      expect(r.status).toBe(200);
      expect(r.ms).toBeLessThan(ACK_BUDGET_MS);
      const reply = await slack.waitFor(() => repliesIn(C_TRIAGE, pasted.ts)[0], 30_000, 'shortcut reply');
      expect(texts(reply.args.blocks)).toContain(`ecs-pull · task ${t1.taskId}`);

      // A payload without the alert's attachments: the message is read back with conversations.history.
      const full = slack.addMessage(C_TRIAGE, {
        ...alertFixture('attachments-fields', vars(t2)),
        bot_id: 'B0UNLISTED',
      });
      await send.interaction(
        messageShortcut({
          channel: C_TRIAGE,
          user: U_IT,
          message: { type: 'message', ts: full.ts, text: '', bot_id: 'B0UNLISTED' },
          responseUrl: slack.responseUrl('sc-2'),
        }),
      );
      const reply2 = await slack.waitFor(() => repliesIn(C_TRIAGE, full.ts)[0], 30_000, 'shortcut reply 2');
      expect(slack.callsOf('conversations.history').at(-1)!.args).toMatchObject({
        channel: C_TRIAGE,
        latest: full.ts,
      });
      expect(texts(reply2.args.blocks)).toContain(`ecs-pull · attività ${t2.taskId}`);

      // Nothing to diagnose: an ephemeral word to the person, nothing in the channel.
      const chat = slack.addMessage(C_TRIAGE, { type: 'message', user: U_EN, text: 'lunch?' });
      await send.interaction(
        messageShortcut({
          channel: C_TRIAGE,
          user: U_EN,
          message: chat,
          responseUrl: slack.responseUrl('sc-3'),
        }),
      );
      const nothing = await slack.waitFor(
        () => slack.responses.find((x) => x.id === 'sc-3'),
        5000,
        'nothing',
      );
      expect(nothing.body).toMatchObject({ response_type: 'ephemeral' });
      expect(String(nothing.body.text)).toContain('This message names no ECS task');
      expect(repliesIn(C_TRIAGE, chat.ts)).toHaveLength(0);
    });
  });

  it('counts diagnoses by surface, top cause and outcome on /metrics', async () => {
    const r = await fetch(`${send.appUrl}/metrics`);
    expect(r.status).toBe(200);
    const body = await r.text();
    expect(body).toMatch(
      /ecs_pull_diagnoses_total\{cause="[a-z-]+",outcome="(ok|partial)",surface="command"\} [1-9]/,
    );
    expect(body).toMatch(
      /ecs_pull_diagnoses_total\{cause="[a-z-]+",outcome="(ok|partial)",surface="alert"\} [1-9]/,
    );
    expect(body).toMatch(/ecs_pull_diagnosis_duration_seconds_count\{surface="rerun"\} [1-9]/);
    expect((await fetch(`${send.appUrl}/healthz`)).status).toBe(200);
  });

  describe('errors', () => {
    it('an internal error becomes a short apology with a correlation id that the log holds', async () => {
      const parent = slack.addMessage(C_TRIAGE, { type: 'message', user: U_EN, text: 'deploy failed' });
      const mention = slack.addMessage(C_TRIAGE, {
        type: 'message',
        user: U_EN,
        text: `<@${BOT_USER_ID}> why`,
        thread_ts: parent.ts,
      });
      slack.failures.set('conversations.replies', 'internal_error');
      try {
        await send.event(
          {
            type: 'app_mention',
            user: U_EN,
            text: mention.text,
            ts: mention.ts,
            thread_ts: parent.ts,
            channel: C_TRIAGE,
          },
          nextEventId(),
        );
        const reply = await slack.waitFor(() => repliesIn(C_TRIAGE, parent.ts)[0], 10_000, 'apology');
        const text = String(reply.args.text);
        const id = /reference ([0-9a-f]{8})/.exec(text)?.[1];
        expect(id, text).toBeDefined();
        expect(text).not.toMatch(/at .*\.js|Error:|stack/);
        const line = logs.find((l) => l.includes(`"correlationId":"${id}"`));
        expect(line).toBeDefined();
        expect(line).toContain('internal_error');
      } finally {
        slack.failures.delete('conversations.replies');
      }
    });

    it('a command in a conversation the bot cannot write to is answered through response_url, visibly', async () => {
      slack.failures.set('chat.postMessage', 'not_in_channel');
      try {
        await send.command({
          text: `why ${t1.taskArn}`,
          channel_id: 'G0PRIVATE1',
          user_id: U_EN,
          response_url: slack.responseUrl('private'),
        });
        const r = await slack.waitFor(
          () => slack.responses.find((x) => x.id === 'private'),
          30_000,
          'response_url',
        );
        expect(r.body).toMatchObject({ response_type: 'in_channel' });
        expect(texts(r.body.blocks)).toContain(`ecs-pull · task ${t1.taskId}`);
      } finally {
        slack.failures.delete('chat.postMessage');
      }
    });
  });
});
