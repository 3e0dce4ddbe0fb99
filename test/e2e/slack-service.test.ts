/**
 * Services in Slack end to end: the real app in HTTP mode, signed requests over real HTTP, Slack's Web API from the
 * local stand-in, AWS from moto behind a proxy that counts every request. `/ecs-pull service`, every shape of an
 * alert that names no task (test/fixtures/slack-service) answered once in its thread with the service's diagnosis,
 * the healthy shapes not at all, a storm of alerts about two services answered once per service, the channel's
 * permissions before any AWS call, a mention in a service alert's thread, Re-run.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildSlackApp, type SlackApp } from '../../src/app.js';
import { ClientPool } from '../../src/aws/clients.js';
import type { Config } from '../../src/config.js';
import { ACTION_RERUN } from '../../src/slack/buttons.js';
import { BASE_CREDENTIALS, motoAccount } from '../helpers/aws-scenario.js';
import { motoConfig, useMotoEndpoint } from '../helpers/moto-engine.js';
import {
  type ServiceAlertVars,
  serviceAlertFixture,
  serviceFixtureExpectation,
  serviceFixtureNames,
} from '../helpers/service-fixtures.js';
import { buildServiceScenario, type ServiceScenario } from '../helpers/service-scenario.js';
import { type CountingProxy, startCountingProxy } from '../helpers/slack-aws-proxy.js';
import { blockKitViolations, requiredButtonValue } from '../helpers/slack-blockkit.js';
import { captureLog } from '../helpers/slack-log.js';
import { buttonClick, SlackSender } from '../helpers/slack-requests.js';
import { BOT_USER_ID, FakeSlack, type StoredMessage, WORKSPACE_URL } from '../helpers/slack-server.js';

const motoUrl = inject('motoUrl');

const ACCOUNT = '431900000017';
const ACCOUNT_2 = '431900000018';
const ACCOUNT_GONE = '431900000019';
const SECRET = 'service-test-signing-secret';
const ALERT_BOT = 'B0ALERTS1';
const C_CMD = 'C0SVCCMD01';
const C_IT = 'C0SVCIT001';
const C_NO_ACCESS = 'C0SVCNOACC';
const C_STORM = 'C0SVCSTORM';
const C_THREAD = 'C0SVCTHRD1';
const U_EN = 'U0SVCUSER1';

function texts(blocks: unknown): string {
  return JSON.stringify(blocks ?? []);
}

describe.skipIf(!motoUrl)(`services in Slack${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`, () => {
  let proxy: CountingProxy;
  let slack: FakeSlack;
  let app: SlackApp;
  let send: SlackSender;
  let config: Config;
  let web: ServiceScenario;
  let api: ServiceScenario;
  let gone: ServiceScenario;
  let eventSeq = 0;
  let channelSeq = 0;
  const captured = captureLog();

  const nextEventId = () => `Ev0SVC${String(++eventSeq).padStart(5, '0')}`;
  const replies = (channel: string, threadTs: string): StoredMessage[] =>
    (slack.messages.get(channel) ?? []).filter((m) => m.thread_ts === threadTs && m.user === BOT_USER_ID);
  const varsOf = (s: ServiceScenario): ServiceAlertVars => ({
    ACCOUNT: s.account,
    REGION: s.region,
    CLUSTER: s.cluster,
    SERVICE: s.service,
  });
  /** Posts an alert in the channel as the alerting app, and sends its event. */
  const alert = async (channel: string, msg: Record<string, unknown>) => {
    const stored = slack.addMessage(channel, msg as never);
    const r = await send.event({ ...stored, channel, event_ts: stored.ts }, nextEventId());
    expect(r.status).toBe(200);
    return stored;
  };

  beforeAll(async () => {
    proxy = await startCountingProxy(motoUrl!);
    useMotoEndpoint(proxy.url);
    web = await buildServiceScenario(await motoAccount(motoUrl!, ACCOUNT), {
      cluster: 'svc-slack',
      service: 'web',
      noRoute: 3,
      missingTag: 5,
    });
    api = await buildServiceScenario(await motoAccount(motoUrl!, ACCOUNT_2), {
      cluster: 'svc-slack-2',
      service: 'api',
      noRoute: 2,
      missingTag: 0,
    });
    // No stopped task left: ECS forgot them (it keeps them about an hour).
    gone = await buildServiceScenario(await motoAccount(motoUrl!, ACCOUNT_GONE), {
      cluster: 'svc-slack-3',
      service: 'web',
      noRoute: 0,
      missingTag: 0,
    });
    slack = await new FakeSlack().start();
    const channels: Record<string, { language?: 'it'; accounts: string[] }> = {
      [C_IT]: { language: 'it', accounts: [ACCOUNT] },
      [C_NO_ACCESS]: { accounts: ['499999999999'] },
    };
    config = motoConfig({
      defaultLanguage: 'en',
      slack: {
        mode: 'http',
        botToken: 'xoxb-service-test',
        signingSecret: SECRET,
        apiUrl: slack.apiUrl,
        port: 0,
        alertSources: { botIds: [ALERT_BOT], appIds: [], channels: [] },
        channels,
        defaultAccounts: [ACCOUNT, ACCOUNT_2, ACCOUNT_GONE],
      },
    });
    app = await buildSlackApp(config, {
      pool: new ClientPool(config, { baseCredentials: async () => BASE_CREDENTIALS }),
      log: captured.log,
      pace: { intervalMs: 20, burst: 3 },
    });
    const { port } = await app.start();
    send = new SlackSender(`http://127.0.0.1:${port}`, SECRET);
  });

  afterAll(async () => {
    await app?.stop();
    await slack?.stop();
    await proxy?.close();
  });

  let detail: StoredMessage;

  it('/ecs-pull service: a summary in the channel, the service in its thread, both causes found', async () => {
    const r = await send.command({
      text: `service ${web.cluster}/${web.service} region:${web.region} account:${web.account}`,
      channel_id: C_CMD,
      user_id: U_EN,
      response_url: slack.responseUrl('svc-cmd'),
    });
    expect(r.status).toBe(200);
    const [summary, d] = await slack.waitFor(
      () => {
        const m = slack.messages.get(C_CMD) ?? [];
        return m.length >= 2 ? m : undefined;
      },
      30_000,
      'summary and detail',
    );
    detail = d!;
    expect(detail.thread_ts).toBe(summary!.ts);
    expect(texts(summary!.blocks)).toContain(`<@${U_EN}> asked about service *web*`);
    const body = texts(detail.blocks);
    expect(body).toContain('ecs-pull · service web');
    expect(body).toContain('8 stopped tasks, in 2 groups of one stop reason each');
    expect(body).toContain('Group 1 of 2 · 5 tasks');
    expect(body).toContain('Group 2 of 2 · 3 tasks');
    // The lead group (the missing tag) in full, the other (no route) with its answer.
    expect(body).toContain(':x: *Image exists*');
    expect(body).toMatch(/Group 2 of 2 · 3 tasks[^"]*→ [^"]*(?:route|NAT|internet)/i);
    expect(body).toContain(`/ecs/v2/clusters/${web.cluster}/services/web/events?region=${web.region}`);
    expect(body).toContain(`/ecs/v2/clusters/${web.cluster}/services/web/deployments?region=${web.region}`);
    for (const m of [summary!, detail])
      expect(blockKitViolations({ text: m.text ?? '', blocks: m.blocks ?? [] })).toEqual([]);
  });

  it('/ecs-pull service CLUSTER/SERVICE alone: the channel’s only account, the bot’s region, in the channel’s language', async () => {
    const r = await send.command({
      text: `service ${web.cluster}/${web.service}`,
      channel_id: C_IT,
      user_id: 'U0SVCUSERIT',
      response_url: slack.responseUrl('svc-cmd-it'),
    });
    expect(r.status).toBe(200);
    const d = await slack.waitFor(
      () => (slack.messages.get(C_IT) ?? []).find((m) => m.thread_ts && m.user === BOT_USER_ID),
      30_000,
      'detail',
    );
    expect(texts(d.blocks)).toContain('ecs-pull · servizio web');
    expect(texts(d.blocks)).toContain(`Cluster ${web.cluster} · account ${ACCOUNT} · eu-west-1`);
  });

  it('Re-run on the service reply diagnoses the service afresh and updates it in place', async () => {
    const updates = slack.callsOf('chat.update').length;
    proxy.reset();
    await send.interaction(
      buttonClick({
        channel: C_CMD,
        user: U_EN,
        message: { ts: detail.ts, thread_ts: detail.thread_ts, blocks: detail.blocks },
        actionId: ACTION_RERUN,
        value: requiredButtonValue(detail.blocks, ACTION_RERUN),
        responseUrl: slack.responseUrl('svc-rerun'),
      }),
    );
    const update = await slack.waitFor(() => slack.callsOf('chat.update')[updates], 30_000, 'update');
    expect(update.args).toMatchObject({ channel: C_CMD, ts: detail.ts });
    expect(texts(update.args.blocks)).toContain('ecs-pull · service web');
    expect(texts(update.args.blocks)).toContain(`Re-run by <@${U_EN}>`);
    // Afresh: the service and its tasks read again.
    expect(proxy.byApi()['ecs:ListTasks']).toBe(1);
    expect(proxy.byApi()['ecs:DescribeServices']).toBe(1);
  });

  for (const name of serviceFixtureNames()) {
    it(`alert ${name}: ${'answered once in its thread'}`, async () => {
      const want = serviceFixtureExpectation(name, varsOf(web));
      const channel = `C0SVCA${String(++channelSeq).padStart(4, '0')}`;
      const msg = await alert(channel, serviceAlertFixture(name, varsOf(web)));
      if ('none' in want) {
        await new Promise((r) => setTimeout(r, 800));
        expect(replies(channel, msg.ts)).toEqual([]);
        return;
      }
      const [reply] = await slack.waitFor(
        () => {
          const r = replies(channel, msg.ts);
          return r.length ? r : undefined;
        },
        30_000,
        `a reply to ${name}`,
      );
      const body = texts(reply!.blocks);
      expect(body).toContain('ecs-pull · service web');
      expect(body).toContain('Group 1 of 2 · 5 tasks');
      expect(body).toContain(':rotating_light: The alert:');
      if (want.kind === 'alarm') expect(body).toContain(`CloudWatch alarm ${want.alarm} is in ALARM`);
      expect(blockKitViolations({ text: reply!.text ?? '', blocks: reply!.blocks ?? [] })).toEqual([]);
      // Slack delivers the event again: no second reply.
      await send.event({ ...msg, channel, event_ts: msg.ts }, nextEventId(), { retryNum: 1 });
      await new Promise((r) => setTimeout(r, 500));
      expect(replies(channel, msg.ts)).toHaveLength(1);
    }, 60_000);
  }

  it('in the channel’s language: an Italian channel gets the service in Italian', async () => {
    const msg = await alert(C_IT, serviceAlertFixture('eventbridge-task-start-impaired', varsOf(web)));
    const [reply] = await slack.waitFor(() => {
      const r = replies(C_IT, msg.ts);
      return r.length ? r : undefined;
    }, 30_000);
    const body = texts(reply!.blocks);
    expect(body).toContain('ecs-pull · servizio web');
    expect(body).toContain('Gruppo 1 di 2 · 5 attività');
    expect(body).toContain('Interruttore di circuito della distribuzione');
  });

  it('a channel that may not read the account: one refusal, no AWS call', async () => {
    proxy.reset();
    const msg = await alert(C_NO_ACCESS, serviceAlertFixture('sns-deployment-failed', varsOf(web)));
    const [reply] = await slack.waitFor(() => {
      const r = replies(C_NO_ACCESS, msg.ts);
      return r.length ? r : undefined;
    }, 15_000);
    expect(reply!.text).toContain(`may not diagnose tasks of account ${ACCOUNT}`);
    expect(proxy.count()).toBe(0);
  });

  it('a storm of alerts about two services: each alert one reply, one diagnosis per service', async () => {
    proxy.reset();
    const diagnosed = () => captured.entries().filter((e) => e.msg === 'service diagnosis finished').length;
    const before = diagnosed();
    const shapes = [
      'eventbridge-task-start-impaired',
      'sns-deployment-failed',
      'eventbridge-rollback',
      'chatbot-cloudwatch-alarm',
      'service-event-unable-to-start',
      'formatter-deployment-failed-fields',
    ];
    const posted: Array<{ msg: StoredMessage; service: string }> = [];
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < 12; i++) {
      const s = i % 3 === 2 ? api : web;
      const stored = slack.addMessage(
        C_STORM,
        serviceAlertFixture(shapes[i % shapes.length]!, varsOf(s)) as never,
      );
      posted.push({ msg: stored, service: s.service });
      sends.push(send.event({ ...stored, channel: C_STORM, event_ts: stored.ts }, nextEventId()));
      await new Promise((r) => setTimeout(r, 30));
    }
    await Promise.all(sends);
    await slack.waitFor(
      () => posted.every((p) => replies(C_STORM, p.msg.ts).length >= 1),
      60_000,
      'every reply',
    );
    await new Promise((r) => setTimeout(r, 500));
    const all = posted.map((p) => ({ ...p, reply: replies(C_STORM, p.msg.ts) }));
    for (const p of all) expect(p.reply).toHaveLength(1);
    for (const service of ['web', 'api']) {
      const mine = all.filter((p) => p.service === service);
      const full = mine.filter((p) => texts(p.reply[0]!.blocks).includes(`ecs-pull · service ${service}`));
      const same = mine.filter((p) =>
        texts(p.reply[0]!.blocks).includes(`Service ${service} was already diagnosed`),
      );
      expect(full, service).toHaveLength(1);
      expect(same, service).toHaveLength(mine.length - 1);
      const first = full[0]!.reply[0]!;
      const link = `<${WORKSPACE_URL}archives/${C_STORM}/p${first.ts.replace('.', '')}?thread_ts=${first.thread_ts}&amp;cid=${C_STORM}|the first reply>`;
      for (const s of same) expect(texts(s.reply[0]!.blocks)).toContain(link);
    }
    const byApi = proxy.byApi();
    console.info(`service storm: 12 alerts about 2 services, AWS ${JSON.stringify(byApi)}`);
    // One diagnosis per service; each service read at most once (under 20 s ago: from the shared cache).
    expect(diagnosed() - before).toBe(2);
    expect(byApi['ecs:ListTasks'] ?? 0).toBeLessThanOrEqual(2);
    expect(byApi['ecs:DescribeServices'] ?? 0).toBeLessThanOrEqual(2);
    expect(captured.text()).toContain('service alert answered with its first reply');
  }, 120_000);

  it('an alert about a service whose stopped tasks are gone: the pre-flight of the task it would start now', async () => {
    const channel = 'C0SVCGONE1';
    const msg = await alert(channel, serviceAlertFixture('eventbridge-task-start-impaired', varsOf(gone)));
    const [reply] = await slack.waitFor(
      () => {
        const r = replies(channel, msg.ts);
        return r.length ? r : undefined;
      },
      30_000,
      'the pre-flight reply',
    );
    const body = texts(reply!.blocks);
    expect(reply!.text).toContain('Service web: no stopped task to diagnose');
    expect(body).toContain('ECS shows no stopped task of this service');
    expect(body).toContain('Pre-flight of a task started now');
    expect(body).toContain('Would fail');
    expect(body).toContain('*Image exists*');
    expect(blockKitViolations({ text: reply!.text ?? '', blocks: reply!.blocks ?? [] })).toEqual([]);
  });

  it('a mention in the thread of a service alert diagnoses that service', async () => {
    // Posted by a person: names the service (never its facts), the mention asks.
    const parent = slack.addMessage(C_THREAD, {
      user: 'U0PERSON01',
      text: `(service ${web.service}) is unable to consistently start tasks successfully.\nAccount: ${web.account} Region: ${web.region} Cluster: ${web.cluster}`,
    } as never);
    const mention = slack.addMessage(C_THREAD, {
      user: U_EN,
      text: `<@${BOT_USER_ID}> why`,
      thread_ts: parent.ts,
    } as never);
    await send.event(
      { ...mention, type: 'app_mention', channel: C_THREAD, event_ts: mention.ts },
      nextEventId(),
    );
    const [reply] = await slack.waitFor(() => {
      const r = replies(C_THREAD, parent.ts);
      return r.length ? r : undefined;
    }, 30_000);
    expect(texts(reply!.blocks)).toContain('ecs-pull · service web');
    expect(texts(reply!.blocks)).toContain(`Asked by <@${U_EN}>`);
  });

  it('a mention naming a service (@ecs-pull service CLUSTER/SERVICE) is answered in its thread with the service', async () => {
    const mention = slack.addMessage(C_THREAD, {
      user: U_EN,
      text: `<@${BOT_USER_ID}> service arn:aws:ecs:${web.region}:${web.account}:service/${web.cluster}/${web.service}`,
    } as never);
    await send.event(
      { ...mention, type: 'app_mention', channel: C_THREAD, event_ts: mention.ts },
      nextEventId(),
    );
    const [reply] = await slack.waitFor(() => {
      const r = replies(C_THREAD, mention.ts);
      return r.length ? r : undefined;
    }, 30_000);
    expect(texts(reply!.blocks)).toContain('ecs-pull · service web');
    expect(texts(reply!.blocks)).toContain(`Asked by <@${U_EN}>`);
  });
});
