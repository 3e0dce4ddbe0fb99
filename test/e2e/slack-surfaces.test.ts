/**
 * The Slack-native surfaces end to end (issue 19): the built app in HTTP mode, signed requests over real HTTP,
 * Slack's Web API served by the local stand-in (which checks views.publish, chat.unfurl, users.conversations and
 * functions.* as Slack does), AWS from moto.
 *
 * - App Home: two people with different channels see what their own channels may diagnose and nothing else, in
 *   their language; once per visit; an admin sees the doctor summary; the tab follows the person's diagnoses.
 * - Unfurls: a console link to a task in an allowed channel unfurls (both console layouts, an access portal link),
 *   in a forbidden channel not at all and with no AWS call; Diagnose posts the full report in the message's thread;
 *   rate limits apply.
 * - DMs: why, service, check and help answered in the app's DM; slack.dm.accounts decides, before any AWS call.
 * - Service console links: unfurled with the service's state, its rollout and the lead group's cause (both layouts,
 *   an access portal link), not in a forbidden channel; Diagnose posts the service report in the thread.
 * - The Workflow Builder step: completed with outputs, failed with a localized sentence on bad input.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { buildSlackApp, type SlackApp } from '../../src/app.js';
import { ClientPool } from '../../src/aws/clients.js';
import type { Partition } from '../../src/aws/partition.js';
import type { Config } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { ACTION_UNFURL_DIAGNOSE } from '../../src/slack/buttons.js';
import { STEP_CALLBACK_ID } from '../../src/slack/functions/diagnose-step.js';
import {
  BASE_CREDENTIALS,
  createExecutionRole,
  createNetwork,
  motoAccount,
  runStoppedTask,
  type StoppedTask,
} from '../helpers/aws-scenario.js';
import { motoConfig, useMotoEndpoint } from '../helpers/moto-engine.js';
import { createService, registerTaskDefinition } from '../helpers/preflight-scenario.js';
import { notFoundReason, runAndStop } from '../helpers/service-scenario.js';
import { blockKitViolations, homeViewViolations, unfurlViolations } from '../helpers/slack-blockkit.js';
import {
  appHomeOpened,
  directMessage,
  functionExecuted,
  linkShared,
  SlackSender,
  unfurlClick,
} from '../helpers/slack-requests.js';
import { BOT_ID, BOT_USER_ID, FakeSlack, type StoredMessage } from '../helpers/slack-server.js';

const motoUrl = inject('motoUrl');

const ACCOUNT = '431199887766';
const OTHER = '499999999999';
const SECRET = 'test-signing-secret-surfaces';

const C_PAY = 'C0PAYSURF1';
const C_PRIV = 'G0PRIVSURF';
const C_PLAIN = 'C0PLAINSRF';
const C_PLAIN2 = 'C0PLAIN2SF';
const C_FORBID = 'C0FORBIDSF';
const C_HIDDEN = 'G0HIDDENSF';
const C_OPS = 'C0OPSSURF1';
const D_A = 'D0DMUSERA1';
const D_B = 'D0DMUSERB1';
const D_C = 'D0DMUSERC1';

const U_A = 'U0SURFACEA';
const U_B = 'U0SURFACEB';
const U_ADMIN = 'U0SURFADMN';
const U_LINK = 'U0SURFLINK';
const U_FLOOD = 'U0SURFLOOD';
const U_C = 'U0SURFACEC';
const U_SVC = 'U0SURFSVC1';

const root = join(import.meta.dirname, '..', '..');
const manifest = parseYaml(readFileSync(join(root, 'manifest.yml'), 'utf8'));
const stepDefinition = manifest.functions[STEP_CALLBACK_ID];

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

const json = (x: unknown) => JSON.stringify(x ?? null);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

describe.skipIf(!motoUrl)(
  `Slack-native surfaces${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`,
  () => {
    let slack: FakeSlack;
    let app: SlackApp;
    let send: SlackSender;
    let appUrl: string;
    let pool: CountingPool;
    let config: Config;
    let t1: StoppedTask;
    let t2: StoppedTask;
    /** A service whose tasks failed to pull (2 stopped, one group), and one with no stopped task (the pre-flight). */
    let apiArn: string;
    let workerArn: string;
    let eventSeq = 0;
    const logs: string[] = [];
    const nextEventId = () => `Ev0SURF${String(++eventSeq).padStart(5, '0')}`;

    const consoleUrl = (t: StoppedTask) =>
      `https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/${t.cluster}/tasks/${t.taskId}/configuration?region=eu-west-1`;
    const oldConsoleUrl = (t: StoppedTask) =>
      `https://console.aws.amazon.com/ecs/home?region=eu-west-1#/clusters/${t.cluster}/tasks/${t.taskId}/details`;
    const portalUrl = (t: StoppedTask) =>
      `https://my-org.awsapps.com/start/#/console?account_id=${ACCOUNT}&role_name=ReadOnly&destination=${encodeURIComponent(consoleUrl(t))}`;

    const homes = (user: string) => slack.homeViews.get(user) ?? [];
    const unfurlsOf = (channel: string) =>
      slack.callsOf('chat.unfurl').filter((c) => c.args.channel === channel);
    const unfurlMap = (call: { args: Record<string, unknown> }) =>
      (typeof call.args.unfurls === 'string' ? JSON.parse(call.args.unfurls) : call.args.unfurls) as Record<
        string,
        { blocks: unknown[] }
      >;

    /** Posts a person's message in a channel and sends the link_shared Slack sends for its links. */
    async function postLinks(channel: string, user: string, urls: string[], o: { threadTs?: string } = {}) {
      const msg = slack.addMessage(channel, {
        user,
        text: `look: ${urls.map((u) => `<${u.replaceAll('&', '&amp;')}>`).join(' ')}`,
        ...(o.threadTs ? { thread_ts: o.threadTs } : {}),
      });
      const r = await send.event(
        linkShared({
          channel,
          user,
          messageTs: msg.ts,
          urls,
          ...(o.threadTs ? { threadTs: o.threadTs } : {}),
        }),
        nextEventId(),
      );
      expect(r.status).toBe(200);
      return msg;
    }

    async function openHome(user: string, channel: string, o: { eventId?: string; retryNum?: number } = {}) {
      const r = await send.event(
        appHomeOpened({ user, channel }),
        o.eventId ?? nextEventId(),
        o.retryNum !== undefined ? { retryNum: o.retryNum } : {},
      );
      expect(r.status).toBe(200);
      expect(r.body).toBe('');
    }

    beforeAll(async () => {
      useMotoEndpoint(motoUrl!);
      const a = await motoAccount(motoUrl!, ACCOUNT);
      const net = await createNetwork(a);
      const role = await createExecutionRole(a);
      t1 = await runStoppedTask(a, net, { executionRoleArn: role, cluster: 'surf' });
      t2 = await runStoppedTask(a, net, { executionRoleArn: role, cluster: 'surf' });
      const td = await registerTaskDefinition(a, { executionRoleArn: role });
      apiArn = await createService(a, net, { cluster: 'surf-svc', service: 'api', taskDefinition: td.arn });
      workerArn = await createService(a, net, {
        cluster: 'surf-svc',
        service: 'worker',
        taskDefinition: td.arn,
      });
      const image = `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/web:1.4.2`;
      await runAndStop(a, 'surf-svc', 'api', td.arn, net.subnetId, net.securityGroupId, 2, (i) =>
        notFoundReason(image, i),
      );

      slack = await new FakeSlack().start();
      slack.scopes = manifest.oauth_config.scopes.bot;
      for (const [u, l] of [
        [U_A, 'en-US'],
        [U_B, 'it-IT'],
        [U_ADMIN, 'en-GB'],
        [U_LINK, 'en-US'],
        [U_FLOOD, 'en-US'],
        [U_C, 'en-US'],
        [U_SVC, 'en-US'],
      ] as const)
        slack.locales.set(u, l);
      slack.addConversation({
        id: C_PAY,
        name: 'payments',
        isPrivate: false,
        members: [U_A, U_LINK, U_SVC, BOT_USER_ID],
      });
      slack.addConversation({
        id: C_PRIV,
        name: 'pay-private',
        isPrivate: true,
        members: [U_A, BOT_USER_ID],
      });
      slack.addConversation({ id: C_PLAIN, name: 'random', isPrivate: false, members: [U_A, U_B] });
      slack.addConversation({ id: C_PLAIN2, name: 'lunch', isPrivate: false, members: [U_B] });
      slack.addConversation({
        id: C_FORBID,
        name: 'partners',
        isPrivate: false,
        members: [U_B, BOT_USER_ID],
      });
      // A private channel the bot is not in: the bot cannot see it, so it is never shown.
      slack.addConversation({ id: C_HIDDEN, name: 'secret', isPrivate: true, members: [U_B] });
      slack.addConversation({ id: C_OPS, name: 'ops', isPrivate: false, members: [U_ADMIN, BOT_USER_ID] });

      config = motoConfig({
        defaultLanguage: 'en',
        slack: {
          mode: 'http',
          botToken: 'xoxb-surfaces-token',
          signingSecret: SECRET,
          apiUrl: slack.apiUrl,
          port: 0,
          channels: {
            [C_PAY]: { accounts: [ACCOUNT] },
            [C_PRIV]: { accounts: [ACCOUNT] },
            [C_FORBID]: { accounts: [OTHER] },
            [C_HIDDEN]: { accounts: [ACCOUNT] },
            [C_OPS]: { accounts: ['*'], language: 'it' },
          },
          defaultAccounts: [],
          dm: { accounts: [ACCOUNT] },
          workflow: { accounts: [ACCOUNT] },
          admins: [U_ADMIN],
          limits: {
            user: { burst: 3, perMinute: 3 },
            channel: { burst: 100, perMinute: 100 },
            account: { burst: 100, perMinute: 100 },
            maxAccountsPerRequest: 3,
          },
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
      appUrl = `http://127.0.0.1:${port}`;
      send = new SlackSender(appUrl, SECRET);
    });

    afterAll(async () => {
      await app?.stop();
      await slack?.stop();
    });

    describe('App Home', () => {
      it('publishes what the person’s own channels may diagnose, from the configuration, once per visit', async () => {
        const eventId = nextEventId();
        const sentAt = Date.now();
        await openHome(U_A, D_A, { eventId });
        const [view] = await slack.waitFor(
          () => (homes(U_A).length ? homes(U_A) : undefined),
          10_000,
          'Home of A',
        );
        const call = slack.callsOf('views.publish').find((c) => c.args.user_id === U_A)!;
        expect(call.wall - sentAt).toBeLessThan(3_000);
        console.info(
          `Home: ${call.wall - sentAt} ms from app_home_opened to views.publish (${(view!.blocks as unknown[]).length} blocks)`,
        );
        expect(homeViewViolations(view!)).toEqual([]);
        const text = json(view!.blocks);
        expect(text).toContain('What your channels may diagnose');
        expect(text).toContain(`<#${C_PAY}>: ${ACCOUNT}`);
        expect(text).toContain(`<#${C_PRIV}>: ${ACCOUNT}`);
        expect(text).toContain('The other channel you are in: nothing');
        expect(text).toContain(`Direct messages with ecs-pull: ${ACCOUNT}`);
        // Never more: channels A is not in, whatever they may diagnose.
        for (const c of [C_FORBID, C_OPS, C_HIDDEN]) expect(text).not.toContain(c);
        expect(text).not.toContain(OTHER);
        expect(text).toContain('`/ecs-pull why &lt;task-arn&gt;`');
        expect(text).toContain('`/ecs-pull service CLUSTER/SERVICE`');
        expect(text).toContain('`/ecs-pull check CLUSTER/SERVICE [FAMILY:REVISION]`');
        expect(text).toContain('`service CLUSTER/SERVICE`, `check CLUSTER/SERVICE`');
        expect(text).toContain('ECS console link of a task or a service');
        expect(text).toContain('Your last diagnoses');
        expect(text).toContain('None yet.');
        expect(text).not.toContain('Doctor');
        // users.conversations for A's channels, public and private.
        expect(slack.callsOf('users.conversations').at(-1)!.args).toMatchObject({
          user: U_A,
          types: 'public_channel,private_channel',
        });

        // Slack delivers the same event again: no second publish. Opening the Messages tab publishes nothing.
        await openHome(U_A, D_A, { eventId, retryNum: 1 });
        await send.event(appHomeOpened({ user: U_A, channel: D_A, tab: 'messages' }), nextEventId());
        await sleep(600);
        expect(homes(U_A)).toHaveLength(1);
      });

      it('another person with other channels sees theirs, in Italian, and not the ones the bot cannot see', async () => {
        await openHome(U_B, D_B);
        const [view] = await slack.waitFor(
          () => (homes(U_B).length ? homes(U_B) : undefined),
          10_000,
          'Home of B',
        );
        expect(homeViewViolations(view!)).toEqual([]);
        const text = json(view!.blocks);
        expect(text).toContain('Cosa possono diagnosticare i tuoi canali');
        expect(text).toContain(`<#${C_FORBID}>: ${OTHER}`);
        expect(text).toContain('Gli altri 2 canali di cui fai parte: nulla');
        expect(text).toContain(`Messaggi diretti con ecs-pull: ${ACCOUNT}`);
        expect(text).toContain('Le tue ultime diagnosi');
        for (const c of [C_PAY, C_PRIV, C_HIDDEN, C_OPS]) expect(text).not.toContain(c);
      });

      it('an admin also sees the doctor summary, which never holds the publish back for long', async () => {
        const sentAt = Date.now();
        await openHome(U_ADMIN, 'D0DMADMIN1');
        const [first] = await slack.waitFor(
          () => (homes(U_ADMIN).length ? homes(U_ADMIN) : undefined),
          10_000,
          'admin Home',
        );
        const call = slack.callsOf('views.publish').find((c) => c.args.user_id === U_ADMIN)!;
        // At most the 2 s wait for the doctor, plus the rest.
        expect(call.wall - sentAt).toBeLessThan(4_000);
        expect(homeViewViolations(first!)).toEqual([]);
        expect(json(first!.blocks)).toContain('Doctor (admins)');
        // The doctor finishes in the background: the next visit shows its rows.
        let view = first!;
        for (let i = 0; i < 20 && !json(view.blocks).includes('AWS credentials of the bot'); i++) {
          await sleep(1_000);
          const n = homes(U_ADMIN).length;
          await openHome(U_ADMIN, 'D0DMADMIN1');
          await slack.waitFor(() => homes(U_ADMIN).length > n, 10_000, 'again');
          view = homes(U_ADMIN).at(-1)!;
        }
        const text = json(view.blocks);
        expect(homeViewViolations(view)).toEqual([]);
        expect(text).toContain('Slack bot token');
        expect(text).toContain('workspace ecs-pull test, bot user ecs-pull');
        expect(text).toContain('AWS credentials of the bot');
        expect(text).toContain('this is the bot answering');
        expect(text).toContain(`Role in account ${ACCOUNT}`);
        expect(text).toMatch(/Checked <!date\^\d+\^/);
        // The running bot does not open a second Socket Mode connection to check its own.
        expect(slack.callsOf('apps.connections.open')).toHaveLength(0);
      });

      it('follows the person’s diagnoses: asked for in a channel, it appears with its cause and a link to the thread', async () => {
        const before = homes(U_A).length;
        await send.command({
          text: `why ${t1.taskArn}`,
          channel_id: C_PAY,
          user_id: U_A,
          response_url: slack.responseUrl('home-cmd'),
        });
        const detail = await slack.waitFor(
          () =>
            slack
              .callsOf('chat.postMessage')
              .find(
                (c) =>
                  c.args.channel === C_PAY && c.args.thread_ts && json(c.args.blocks).includes(t1.taskId),
              ),
          20_000,
          'command reply',
        );
        const view = await slack.waitFor(
          () => homes(U_A).length > before && homes(U_A).at(-1),
          10_000,
          'republish',
        );
        expect(homeViewViolations(view)).toEqual([]);
        const text = json(view.blocks);
        expect(text).not.toContain('None yet.');
        const parent = String(detail.args.thread_ts);
        const link = `https://ecs-pull-test.slack.com/archives/${C_PAY}/p`;
        expect(text).toContain(link);
        expect(text).toContain(`?thread_ts=${parent}`);
        expect(text).toContain(`|Task ${t1.taskId}>`);
        expect(text).toContain('% confidence');
        // Only people who opened their Home get it published: B's tab did not move, U_LINK has none.
        expect(homes(U_B)).toHaveLength(1);
      });
    });

    describe('link unfurls', () => {
      let allowed: StoredMessage;
      let requestersBefore: number;

      it('a console link to a task in an allowed channel unfurls with its status, cause and a Diagnose button', async () => {
        requestersBefore = pool.requesters.length;
        allowed = await postLinks(C_PAY, U_LINK, [consoleUrl(t1), oldConsoleUrl(t2)]);
        const call = await slack.waitFor(() => unfurlsOf(C_PAY)[0], 20_000, 'chat.unfurl');
        expect(call.args.ts).toBe(allowed.ts);
        const map = unfurlMap(call);
        // Both console layouts; the keys are the URLs as the message holds them.
        expect(Object.keys(map).sort()).toEqual([consoleUrl(t1), oldConsoleUrl(t2)].sort());
        expect(unfurlViolations(map)).toEqual([]);
        const one = json(map[consoleUrl(t1)]!.blocks);
        expect(one).toContain(`Task ${t1.taskId}`);
        expect(one).toContain(`Cluster surf · account ${ACCOUNT} · eu-west-1`);
        expect(one).toContain('Status: STOPPED');
        expect(one).toContain('Most likely cause');
        expect(one).toContain('% confidence');
        expect(one).toContain(ACTION_UNFURL_DIAGNOSE);
        expect(one).toContain('"text":"Diagnose"');
        expect(json(map[oldConsoleUrl(t2)]!.blocks)).toContain(`Task ${t2.taskId}`);
        for (const u of Object.values(map)) expect(u.blocks.length).toBeLessThanOrEqual(6);
        // The diagnoses ran as the person who posted the link.
        expect(pool.requesters.slice(requestersBefore)).toContain(`slack-T0TESTTEAM-${U_LINK}`);
        // Stored in Slack as the unfurl of that message.
        expect(Object.keys((allowed.unfurls as Record<string, unknown>) ?? {})).toHaveLength(2);
      });

      it('in a channel that may not diagnose the account: no unfurl at all, and no AWS call', async () => {
        const requesters = pool.requesters.length;
        const calls = slack.callsOf('chat.unfurl').length;
        await postLinks(C_FORBID, U_B, [portalUrl(t1)]);
        // A console URL naming no account in a channel that may diagnose several ("*"): not unfurled either.
        await postLinks(C_OPS, U_ADMIN, [consoleUrl(t2)]);
        // A preview in the message composer names no channel: nothing is unfurled there.
        await send.event(
          linkShared({
            channel: C_PAY,
            user: U_LINK,
            messageTs: '0',
            urls: [consoleUrl(t1)],
            source: 'composer',
          }),
          nextEventId(),
        );
        await sleep(1_500);
        expect(slack.callsOf('chat.unfurl')).toHaveLength(calls);
        expect(pool.requesters.length).toBe(requesters);
        expect(logs.join('')).toContain('console link not unfurled: account not allowed in channel');
      });

      it('an access portal link unfurls in the channel’s language (Italian)', async () => {
        const msg = await postLinks(C_OPS, U_ADMIN, [portalUrl(t2)]);
        const call = await slack.waitFor(
          () => unfurlsOf(C_OPS).find((c) => c.args.ts === msg.ts),
          20_000,
          'portal unfurl',
        );
        const map = unfurlMap(call);
        expect(unfurlViolations(map)).toEqual([]);
        const text = json(map[portalUrl(t2)]!.blocks);
        expect(text).toContain(`Attività ${t2.taskId}`);
        expect(text).toContain('Stato: STOPPED');
        expect(text).toContain('Causa più probabile');
        expect(text).toContain('"text":"Diagnostica"');
      });

      it('Diagnose posts the full report in that message’s thread, once, without reading AWS again', async () => {
        const call = unfurlsOf(C_PAY).find((c) => c.args.ts === allowed.ts)!;
        const button = JSON.stringify(unfurlMap(call)[consoleUrl(t1)]!.blocks);
        const value = /"value":"((?:[^"\\]|\\.)*)"/.exec(button)![1]!.replace(/\\"/g, '"');
        const requesters = pool.requesters.length;
        const click = (user: string, channel: string, id: string) =>
          send.interaction(
            unfurlClick({
              channel,
              user,
              messageTs: allowed.ts,
              url: consoleUrl(t1),
              actionId: ACTION_UNFURL_DIAGNOSE,
              value,
              responseUrl: slack.responseUrl(id),
            }),
          );
        expect((await click(U_A, C_PAY, 'unfurl-1')).status).toBe(200);
        const reply = await slack.waitFor(
          () =>
            slack
              .callsOf('chat.postMessage')
              .find((c) => c.args.channel === C_PAY && c.args.thread_ts === allowed.ts),
          20_000,
          'thread report',
        );
        const msg = slack.messages.get(C_PAY)!.find((m) => m.thread_ts === allowed.ts)!;
        expect(blockKitViolations({ text: msg.text ?? '', blocks: msg.blocks ?? [] })).toEqual([]);
        expect(json(reply.args.blocks)).toContain(`ecs-pull · task ${t1.taskId}`);
        expect(json(reply.args.blocks)).toContain(`Asked by <@${U_A}>`);
        // The unfurl's own diagnosis: no AWS call.
        expect(pool.requesters.length).toBe(requesters);

        // A second press is pointed at the thread; nothing is posted twice.
        await click(U_LINK, C_PAY, 'unfurl-2');
        const again = await slack.waitFor(
          () => slack.responses.find((r) => r.id === 'unfurl-2'),
          5_000,
          'again',
        );
        expect(String(again.body.text)).toContain("already in the message's thread");
        // The same button pressed in a channel that may not diagnose the account: refused, no AWS call.
        await click(U_B, C_FORBID, 'unfurl-3');
        const refused = await slack.waitFor(
          () => slack.responses.find((r) => r.id === 'unfurl-3'),
          5_000,
          'refused',
        );
        expect(String(refused.body.text)).toContain(`account ${ACCOUNT}`);
        expect(slack.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === allowed.ts)).toHaveLength(
          1,
        );
        expect(pool.requesters.length).toBe(requesters);
      });

      it('counts against the rate limits of the person who posted the link', async () => {
        const limitedBefore = await metric(appUrl, 'ecs_pull_rate_limited_total', {
          surface: 'unfurl',
          scope: 'user',
        });
        const messages: StoredMessage[] = [];
        for (let i = 0; i < 4; i++) {
          messages.push(await postLinks(C_PAY, U_FLOOD, [consoleUrl(t1)]));
          await slack.waitFor(
            () => unfurlsOf(C_PAY).find((c) => c.args.ts === messages[i]!.ts),
            20_000,
            `unfurl ${i}`,
          );
        }
        const last = unfurlMap(unfurlsOf(C_PAY).find((c) => c.args.ts === messages[3]!.ts)!);
        const text = json(last[consoleUrl(t1)]!.blocks);
        expect(text).toContain('Not diagnosed now: You have asked for many diagnoses');
        expect(text).toContain('"text":"Diagnose"');
        expect(text).not.toContain('Most likely cause');
        expect(unfurlViolations(last)).toEqual([]);
        expect(
          await metric(appUrl, 'ecs_pull_rate_limited_total', { surface: 'unfurl', scope: 'user' }),
        ).toBe(limitedBefore + 1);
      });
    });

    describe('DMs', () => {
      it('why <task-arn> is answered in the DM, with the report; help too', async () => {
        const before = homes(U_A).length;
        const ts = slack.nextTs();
        const r = await send.event(
          directMessage({ channel: D_A, user: U_A, text: `why ${t1.taskArn}`, ts }),
          nextEventId(),
        );
        expect(r.status).toBe(200);
        const reply = await slack.waitFor(
          () =>
            slack
              .callsOf('chat.postMessage')
              .find((c) => c.args.channel === D_A && json(c.args.blocks).includes('ecs-pull · task')),
          20_000,
          'DM report',
        );
        expect(reply.args.thread_ts).toBeUndefined();
        expect(json(reply.args.blocks)).toContain(`ecs-pull · task ${t1.taskId}`);
        const msg = slack.messages.get(D_A)!.at(-1)!;
        expect(blockKitViolations({ text: msg.text ?? '', blocks: msg.blocks ?? [] })).toEqual([]);
        // A's Home follows: the DM's diagnosis is in it.
        const view = await slack.waitFor(
          () => homes(U_A).length > before && homes(U_A).at(-1),
          10_000,
          'Home',
        );
        expect(json(view.blocks)).toContain(`https://ecs-pull-test.slack.com/archives/${D_A}/p`);

        await send.event(
          directMessage({ channel: D_A, user: U_A, text: 'help', ts: slack.nextTs() }),
          nextEventId(),
        );
        const help = await slack.waitFor(
          () =>
            slack
              .callsOf('chat.postMessage')
              .find((c) => c.args.channel === D_A && String(c.args.text).includes('Send me')),
          10_000,
          'help',
        );
        expect(String(help.args.text)).toContain('`slack.dm.accounts`');
      });

      it('a console link alone in the DM is diagnosed there (the one account DMs may diagnose), not unfurled', async () => {
        const before = slack.callsOf('chat.postMessage').filter((c) => c.args.channel === D_A).length;
        const unfurls = slack.callsOf('chat.unfurl').length;
        const ts = slack.nextTs();
        await send.event(
          directMessage({ channel: D_A, user: U_A, text: `<${consoleUrl(t2)}>`, ts }),
          nextEventId(),
        );
        await send.event(
          linkShared({ channel: D_A, user: U_A, messageTs: ts, urls: [consoleUrl(t2)], botIsMember: true }),
          nextEventId(),
        );
        const reply = await slack.waitFor(
          () =>
            slack.callsOf('chat.postMessage').filter((c) => c.args.channel === D_A).length > before &&
            slack
              .callsOf('chat.postMessage')
              .filter((c) => c.args.channel === D_A)
              .at(-1),
          20_000,
          'DM link report',
        );
        expect(json(reply.args.blocks)).toContain(`ecs-pull · task ${t2.taskId}`);
        expect(json(reply.args.blocks)).toContain(`account ${ACCOUNT}`);
        await sleep(300);
        expect(slack.callsOf('chat.unfurl')).toHaveLength(unfurls);
      });

      it('an account DMs may not diagnose is refused in a line, in Italian, with no AWS call; the bot’s own messages are ignored', async () => {
        const requesters = pool.requesters.length;
        const before = slack.callsOf('chat.postMessage').filter((c) => c.args.channel === D_B).length;
        const arn = `arn:aws:ecs:eu-west-1:${OTHER}:task/surf/${t1.taskId}`;
        await send.event(
          directMessage({ channel: D_B, user: U_B, text: `why ${arn}`, ts: slack.nextTs() }),
          nextEventId(),
        );
        const line = await slack.waitFor(
          () => slack.callsOf('chat.postMessage').filter((c) => c.args.channel === D_B)[before],
          10_000,
          'refusal',
        );
        expect(String(line.args.text)).toContain(
          `I messaggi diretti non sono autorizzati a diagnosticare attività dell'account ${OTHER}`,
        );
        expect(String(line.args.text)).toContain('`slack.dm.accounts`');
        expect(pool.requesters.length).toBe(requesters);
        // The bot's own message in the DM (as Slack echoes it) is not a request.
        await send.event(
          directMessage({
            channel: D_B,
            user: BOT_USER_ID,
            text: `why ${t1.taskArn}`,
            ts: slack.nextTs(),
            botId: BOT_ID,
          }),
          nextEventId(),
        );
        await sleep(600);
        expect(slack.callsOf('chat.postMessage').filter((c) => c.args.channel === D_B)).toHaveLength(
          before + 1,
        );
      });
    });

    describe('services: DMs and console links', () => {
      const svcUrl = (svc: string) =>
        `https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/surf-svc/services/${svc}/health?region=eu-west-1`;
      const svcOldUrl = (svc: string) =>
        `https://console.aws.amazon.com/ecs/home?region=eu-west-1#/clusters/surf-svc/services/${svc}/details`;
      const svcPortalUrl = (svc: string) =>
        `https://my-org.awsapps.com/start/#/console?account_id=${ACCOUNT}&role_name=ReadOnly&destination=${encodeURIComponent(svcUrl(svc))}`;
      const dmPosts = (channel: string) =>
        slack.callsOf('chat.postMessage').filter((c) => c.args.channel === channel);
      /** The AWS calls of the service diagnoses logged since `from` (one number per diagnosis). */
      const serviceCalls = (from: number) =>
        logs
          .slice(from)
          .join('')
          .split('\n')
          .filter((l) => l.includes('service diagnosis finished'))
          .map(
            (l) => JSON.parse(l) as { awsCalls: number; rounds: number; durationMs: number; surface: string },
          );
      let unfurled: StoredMessage;

      it('a DM `service CLUSTER/SERVICE` is answered there with the service report; a service console link alone too', async () => {
        const requesters = pool.requesters.length;
        const logFrom = logs.length;
        const sentAt = Date.now();
        await send.event(
          directMessage({ channel: D_C, user: U_C, text: 'service surf-svc/api', ts: slack.nextTs() }),
          nextEventId(),
        );
        const reply = await slack.waitFor(
          () => dmPosts(D_C).find((c) => json(c.args.blocks).includes('ecs-pull · service api')),
          30_000,
          'DM service report',
        );
        expect(reply.args.thread_ts).toBeUndefined();
        const body = json(reply.args.blocks);
        expect(body).toContain(`Cluster surf-svc · account ${ACCOUNT} · eu-west-1`);
        expect(body).toContain('Deployments');
        expect(body).toContain('web:1.4.2');
        const msg = slack.messages.get(D_C)!.at(-1)!;
        expect(blockKitViolations({ text: msg.text ?? '', blocks: msg.blocks ?? [] })).toEqual([]);
        // Read as the person who asked, in the DM's one account (slack.dm.accounts).
        expect(pool.requesters.slice(requesters)).toContain(`slack-T0TESTTEAM-${U_C}`);
        const [run] = serviceCalls(logFrom).filter((r) => r.surface === 'dm');
        console.info(
          `DM service: ${reply.wall - sentAt} ms to the report; ${run!.awsCalls} AWS calls in ${run!.rounds} rounds (${run!.durationMs} ms)`,
        );

        // The service's console page alone (old layout): the service, not a task.
        await send.event(
          directMessage({ channel: D_C, user: U_C, text: `<${svcOldUrl('worker')}>`, ts: slack.nextTs() }),
          nextEventId(),
        );
        const worker = await slack.waitFor(
          () => dmPosts(D_C).find((c) => json(c.args.blocks).includes('ecs-pull · service worker')),
          30_000,
          'DM service link report',
        );
        expect(
          blockKitViolations({ text: String(worker.args.text), blocks: worker.args.blocks as never }),
        ).toEqual([]);
      });

      it('a DM `check CLUSTER/SERVICE` is answered there with the pre-flight report', async () => {
        const before = dmPosts(D_C).length;
        await send.event(
          directMessage({ channel: D_C, user: U_C, text: 'check surf-svc/worker', ts: slack.nextTs() }),
          nextEventId(),
        );
        const reply = await slack.waitFor(() => dmPosts(D_C)[before], 30_000, 'DM check report');
        expect(String(reply.args.text)).toMatch(
          /ecs-pull · pre-flight · service worker, task definition web:\d+/,
        );
        const body = json(reply.args.blocks);
        expect(body).toMatch(/Would (pull|fail)/);
        expect(body).toContain(`Cluster surf-svc · account ${ACCOUNT} · eu-west-1`);
        expect(
          blockKitViolations({ text: String(reply.args.text), blocks: reply.args.blocks as never }),
        ).toEqual([]);
        // Bad input: the DM's own usage line, no AWS call.
        const requesters = pool.requesters.length;
        await send.event(
          directMessage({ channel: D_C, user: U_C, text: 'check surf-svc/wor.ker', ts: slack.nextTs() }),
          nextEventId(),
        );
        const usage = await slack.waitFor(() => dmPosts(D_C)[before + 1], 10_000, 'usage');
        expect(String(usage.args.text)).toContain('Send me `check CLUSTER/SERVICE [FAMILY:REVISION]`');
        expect(String(usage.args.text)).not.toContain('/ecs-pull');
        expect(pool.requesters.length).toBe(requesters);
      });

      it('service and check of an account slack.dm.accounts does not list: refused in a line, with no AWS call; help names both', async () => {
        const requesters = pool.requesters.length;
        const before = dmPosts(D_B).length;
        const svc = `arn:aws:ecs:eu-west-1:${OTHER}:service/surf-svc/api`;
        for (const text of [
          `service ${svc}`,
          `check ${svc}`,
          `<${svcPortalUrl('api').replace(ACCOUNT, OTHER)}>`,
        ])
          await send.event(
            directMessage({ channel: D_B, user: U_B, text, ts: slack.nextTs() }),
            nextEventId(),
          );
        const lines = await slack.waitFor(
          () => (dmPosts(D_B).length >= before + 3 ? dmPosts(D_B).slice(before) : undefined),
          10_000,
          'refusals',
        );
        for (const line of lines) {
          expect(String(line.args.text)).toContain(
            `I messaggi diretti non sono autorizzati a diagnosticare attività dell'account ${OTHER}`,
          );
          // A line, not a report.
          expect(json(line.args.blocks)).not.toMatch(/ecs-pull · (service|pre-flight)/);
        }
        expect(pool.requesters.length).toBe(requesters);
        await send.event(
          directMessage({ channel: D_B, user: U_B, text: 'aiuto', ts: slack.nextTs() }),
          nextEventId(),
        );
        const help = await slack.waitFor(() => dmPosts(D_B)[before + 3], 10_000, 'help');
        expect(String(help.args.text)).toContain('`service CLUSTER/SERVIZIO`');
        expect(String(help.args.text)).toContain('`check CLUSTER/SERVIZIO [FAMIGLIA:REVISIONE]`');
      });

      it('a service console link unfurls in an allowed channel: its state, its rollout and the lead group’s cause, with Diagnose', async () => {
        const requesters = pool.requesters.length;
        const logFrom = logs.length;
        const sentAt = Date.now();
        unfurled = await postLinks(C_PAY, U_SVC, [svcUrl('api'), svcOldUrl('worker')]);
        const call = await slack.waitFor(
          () => unfurlsOf(C_PAY).find((c) => c.args.ts === unfurled.ts),
          30_000,
          'service unfurl',
        );
        const map = unfurlMap(call);
        expect(Object.keys(map).sort()).toEqual([svcUrl('api'), svcOldUrl('worker')].sort());
        expect(unfurlViolations(map)).toEqual([]);
        const api = json(map[svcUrl('api')]!.blocks);
        expect(api).toContain('*Service api*');
        expect(api).toContain(`Cluster surf-svc · account ${ACCOUNT} · eu-west-1`);
        expect(api).toContain('Service ACTIVE');
        expect(api).toContain('PRIMARY');
        expect(api).toContain('web:1');
        expect(api).toContain('Most likely cause');
        expect(api).toContain('% confidence');
        expect(api).toContain(ACTION_UNFURL_DIAGNOSE);
        expect(api).toContain('"text":"Diagnose"');
        // No stopped task left: the pre-flight's verdict is the answer.
        const worker = json(map[svcOldUrl('worker')]!.blocks);
        expect(worker).toContain('*Service worker*');
        expect(worker).toMatch(/Would (pull|fail)/);
        for (const u of Object.values(map)) expect(u.blocks.length).toBeLessThanOrEqual(6);
        expect(pool.requesters.slice(requesters)).toContain(`slack-T0TESTTEAM-${U_SVC}`);
        const runs = serviceCalls(logFrom).filter((r) => r.surface === 'unfurl');
        expect(runs).toHaveLength(2);
        console.info(
          `service unfurl: ${call.wall - sentAt} ms from link_shared to chat.unfurl; AWS calls per service ${runs
            .map((r) => `${r.awsCalls} in ${r.rounds} rounds (${r.durationMs} ms)`)
            .join(', ')}`,
        );
      });

      it('in a channel that may not diagnose the account: no unfurl and no AWS call; an access portal link in an allowed one does (Italian)', async () => {
        const requesters = pool.requesters.length;
        const calls = slack.callsOf('chat.unfurl').length;
        await postLinks(C_FORBID, U_B, [svcPortalUrl('api')]);
        // No account named and the channel may diagnose several ("*"): not unfurled either.
        await postLinks(C_OPS, U_ADMIN, [svcUrl('api')]);
        await sleep(1_500);
        expect(slack.callsOf('chat.unfurl')).toHaveLength(calls);
        expect(pool.requesters.length).toBe(requesters);

        const msg = await postLinks(C_OPS, U_ADMIN, [svcPortalUrl('api')]);
        const call = await slack.waitFor(
          () => unfurlsOf(C_OPS).find((c) => c.args.ts === msg.ts),
          30_000,
          'portal service unfurl',
        );
        const map = unfurlMap(call);
        expect(unfurlViolations(map)).toEqual([]);
        const text = json(map[svcPortalUrl('api')]!.blocks);
        expect(text).toContain('*Servizio api*');
        expect(text).toContain('Causa più probabile');
        expect(text).toContain('"text":"Diagnostica"');
      });

      it('Diagnose posts the service report in that message’s thread, without reading AWS again', async () => {
        const call = unfurlsOf(C_PAY).find((c) => c.args.ts === unfurled.ts)!;
        const button = JSON.stringify(unfurlMap(call)[svcUrl('api')]!.blocks);
        const value = /"value":"((?:[^"\\]|\\.)*)"/.exec(button)![1]!.replace(/\\"/g, '"');
        expect(JSON.parse(value).a).toBe(apiArn);
        const requesters = pool.requesters.length;
        const r = await send.interaction(
          unfurlClick({
            channel: C_PAY,
            user: U_A,
            messageTs: unfurled.ts,
            url: svcUrl('api'),
            actionId: ACTION_UNFURL_DIAGNOSE,
            value,
            responseUrl: slack.responseUrl('svc-unfurl-1'),
          }),
        );
        expect(r.status).toBe(200);
        const reply = await slack.waitFor(
          () =>
            slack
              .callsOf('chat.postMessage')
              .find((c) => c.args.channel === C_PAY && c.args.thread_ts === unfurled.ts),
          20_000,
          'thread service report',
        );
        const body = json(reply.args.blocks);
        expect(body).toContain('ecs-pull · service api');
        expect(body).toContain('Deployments');
        const msg = slack.messages.get(C_PAY)!.find((m) => m.thread_ts === unfurled.ts)!;
        expect(blockKitViolations({ text: msg.text ?? '', blocks: msg.blocks ?? [] })).toEqual([]);
        expect(pool.requesters.length).toBe(requesters);
        // The worker service's button in a channel that may not diagnose the account: refused, no AWS call.
        const wButton = JSON.stringify(unfurlMap(call)[svcOldUrl('worker')]!.blocks);
        const wValue = /"value":"((?:[^"\\]|\\.)*)"/.exec(wButton)![1]!.replace(/\\"/g, '"');
        expect(JSON.parse(wValue).a).toBe(workerArn);
        await send.interaction(
          unfurlClick({
            channel: C_FORBID,
            user: U_B,
            messageTs: unfurled.ts,
            url: svcOldUrl('worker'),
            actionId: ACTION_UNFURL_DIAGNOSE,
            value: wValue,
            responseUrl: slack.responseUrl('svc-unfurl-2'),
          }),
        );
        const refused = await slack.waitFor(
          () => slack.responses.find((x) => x.id === 'svc-unfurl-2'),
          5_000,
          'refused',
        );
        expect(String(refused.body.text)).toContain(`account ${ACCOUNT}`);
        expect(pool.requesters.length).toBe(requesters);
      });
    });

    describe('the Workflow Builder step', () => {
      let execSeq = 0;
      async function runStep(inputs: Record<string, unknown>) {
        const executionId = `Fx0SURF${String(++execSeq).padStart(5, '0')}`;
        const token = `xwfp-workflow-token-${execSeq}`;
        slack.startExecution(executionId, token, stepDefinition.output_parameters);
        const r = await send.event(
          functionExecuted({
            callbackId: STEP_CALLBACK_ID,
            executionId,
            token,
            inputs,
            definition: stepDefinition,
          }),
          nextEventId(),
        );
        expect(r.status).toBe(200);
        expect(r.body).toBe('');
        const run = await slack.waitFor(
          () => slack.executions.get(executionId)!.state !== 'running' && slack.executions.get(executionId)!,
          20_000,
          'step completion',
        );
        return { executionId, token, run };
      }

      it('completes with the cause id, its summary, the confidence and the link to the report posted in the channel', async () => {
        const { token, run } = await runStep({ task: t1.taskArn, channel: C_PAY });
        expect(run.state).toBe('completed');
        const out = run.outputs!;
        expect(typeof out.cause_id).toBe('string');
        expect(out.cause_id).not.toBe('');
        expect(Number.isInteger(out.confidence)).toBe(true);
        expect(out.confidence as number).toBeGreaterThanOrEqual(0);
        expect(out.confidence as number).toBeLessThanOrEqual(100);
        expect(String(out.summary)).not.toMatch(/\n/);
        expect(String(out.summary).length).toBeGreaterThan(10);
        // The report was posted in the channel with the workflow's token, and the link points at it.
        const post = slack
          .callsOf('chat.postMessage')
          .filter((c) => c.args.channel === C_PAY && c.token === token)
          .at(-1)!;
        expect(json(post.args.blocks)).toContain(`ecs-pull · task ${t1.taskId}`);
        expect(json(post.args.blocks)).toContain('Posted by the workflow step');
        const posted = slack.messages.get(C_PAY)!.find((m) => m.blocks === post.args.blocks)!;
        expect(posted.thread_ts).toBeUndefined();
        expect(out.report_url).toBe(
          `https://ecs-pull-test.slack.com/archives/${C_PAY}/p${posted.ts.replace('.', '')}`,
        );
        // completeSuccess came with the execution's own token.
        expect(slack.callsOf('functions.completeSuccess').at(-1)!.token).toBe(token);
      });

      it('in the workflow’s language: Italian summary for language it', async () => {
        const en = (await runStep({ task: t2.taskArn, channel: C_PAY })).run.outputs!;
        const it_ = (await runStep({ task: t2.taskArn, channel: C_PAY, language: 'it' })).run.outputs!;
        expect(it_.cause_id).toBe(en.cause_id);
        expect(it_.summary).not.toBe(en.summary);
        expect(String(it_.summary)).toMatch(/attività|immagine|ruolo|rete|registro/);
      });

      it('fails cleanly with a localized sentence: a bad task, an unknown language, an account slack.workflow.accounts does not list (with or without a channel), one the channel refuses', async () => {
        const UNLISTED = '999999999999';
        const requesters = pool.requesters.length;
        const bad = await runStep({ task: 'definitely not a task', channel: C_PAY });
        expect(bad.run.state).toBe('failed');
        expect(bad.run.error).toContain('“definitely not a task” is not a task ARN');
        const badIt = await runStep({ task: 'nessuna-attività', channel: C_OPS });
        expect(badIt.run.error).toContain("“nessuna-attività” non è l'ARN di un'attività");
        const lang = await runStep({ task: t1.taskArn, language: 'fr' });
        expect(lang.run.error).toBe('“fr” is not a language ecs-pull speaks: use en or it.');
        // An account slack.workflow.accounts does not list: refused without a channel, and with a channel that
        // allows every account (the workflow's author names the channel: it never widens what a workflow reads).
        const elsewhere = `arn:aws:ecs:eu-west-1:${UNLISTED}:task/x/0123456789abcdef0123456789abcdef`;
        const noChannel = await runStep({ task: elsewhere });
        expect(noChannel.run.error).toContain(
          `This workflow step may not diagnose tasks of account ${UNLISTED}`,
        );
        expect(noChannel.run.error).toContain('`slack.workflow.accounts`');
        const wideChannel = await runStep({ task: elsewhere, channel: C_OPS });
        expect(wideChannel.run.state).toBe('failed');
        expect(wideChannel.run.error).toContain(UNLISTED);
        expect(wideChannel.run.error).toContain('`slack.workflow.accounts`');
        const forbidden = await runStep({ task: t1.taskArn, channel: C_FORBID, language: 'it' });
        expect(forbidden.run.error).toContain(
          `Questo canale non è autorizzato a diagnosticare attività dell'account ${ACCOUNT}`,
        );
        // None of them called AWS; each was failed once, with its own token.
        expect(pool.requesters.length).toBe(requesters);
        expect(slack.callsOf('functions.completeError')).toHaveLength(6);
        expect(slack.callsOf('functions.completeSuccess')).toHaveLength(3);
      });
    });
  },
);
