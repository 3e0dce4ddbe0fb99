/**
 * `/ecs-pull check` end to end: the real app in HTTP mode, signed slash commands over real HTTP, Slack's Web API
 * served by the local recording server, AWS from moto (a service and task definitions, no task ever started).
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildSlackApp, type SlackApp } from '../../src/app.js';
import { ClientPool } from '../../src/aws/clients.js';
import type { Partition } from '../../src/aws/partition.js';
import type { Config } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import type { Block } from '../../src/render/blockkit.js';
import { BASE_CREDENTIALS, motoAccount } from '../helpers/aws-scenario.js';
import { createRepository, pullingRole, pushIndex } from '../helpers/identity-scenario.js';
import { motoConfig, useMotoEndpoint } from '../helpers/moto-engine.js';
import { natPath } from '../helpers/network-scenario.js';
import { createService, registerTaskDefinition } from '../helpers/preflight-scenario.js';
import { blockKitViolations } from '../helpers/slack-blockkit.js';
import { SlackSender } from '../helpers/slack-requests.js';
import { FakeSlack, type RecordedCall } from '../helpers/slack-server.js';

const motoUrl = inject('motoUrl');

const ACCOUNT = '431177700001';
const OTHER = '431177700002';
const SECRET = 'check-signing-secret-4d1e';
const C_ONE = 'C0CHECKONE';
const C_MANY = 'C0CHECKMNY';
const C_LOCKED = 'C0CHECKLCK';
const C_LIMITED = 'C0CHECKLIM';
const U_EN = 'U0CHECKEN1';
const U_IT = 'U0CHECKIT1';
const U_LIMITED = 'U0CHECKLM1';

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

const texts = (blocks: unknown) => JSON.stringify(blocks ?? []);
const urls = (blocks: unknown[] | undefined) =>
  ((blocks ?? []) as Block[]).flatMap((b) =>
    b.type === 'actions' ? b.elements.map((e) => e.url ?? '') : [],
  );

describe.skipIf(!motoUrl)(
  `Slack /ecs-pull check over HTTP${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`,
  () => {
    let slack: FakeSlack;
    let app: SlackApp;
    let send: SlackSender;
    let pool: CountingPool;
    let config: Config;
    let serviceArn: string;
    let missing: string;
    let seq = 0;
    const logs: string[] = [];

    const posts = (channel: string, after: number): RecordedCall[] =>
      slack.callsOf('chat.postMessage').filter((c) => c.args.channel === channel && c.at >= after);
    const now = () => (slack.calls.at(-1)?.at ?? 0) + 1;
    const command = async (channel: string, text: string, user = U_EN) => {
      const id = `check-${++seq}`;
      const r = await send.command({
        text,
        channel_id: channel,
        user_id: user,
        response_url: slack.responseUrl(id),
      });
      expect(r.status).toBe(200);
      expect(r.body).toBe('');
      return { id, ms: r.ms };
    };
    const response = (id: string) =>
      slack.waitFor(() => slack.responses.find((x) => x.id === id), 20_000, `the answer to ${id}`);

    beforeAll(async () => {
      useMotoEndpoint(motoUrl!);
      const a = await motoAccount(motoUrl!, ACCOUNT);
      const net = await natPath(a);
      await createRepository(a, 'web');
      await pushIndex(a, 'web', '1.4.2', ['amd64', 'arm64']);
      const role = await pullingRole(a);
      const td = await registerTaskDefinition(a, { executionRoleArn: role });
      missing = (
        await registerTaskDefinition(a, {
          family: 'web-next',
          executionRoleArn: role,
          image: `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/web:2.0.0`,
        })
      ).name;
      serviceArn = await createService(a, net, {
        cluster: 'shop',
        service: 'checkout',
        taskDefinition: td.arn,
      });

      slack = await new FakeSlack().start();
      slack.locales.set(U_EN, 'en-US');
      slack.locales.set(U_IT, 'it-IT');
      slack.locales.set(U_LIMITED, 'en-US');
      config = motoConfig({
        defaultLanguage: 'en',
        slack: {
          mode: 'http',
          botToken: 'xoxb-test-token',
          signingSecret: SECRET,
          apiUrl: slack.apiUrl,
          port: 0,
          channels: {
            [C_ONE]: { accounts: [ACCOUNT] },
            [C_MANY]: { accounts: [ACCOUNT, OTHER] },
            [C_LOCKED]: { accounts: [OTHER] },
            [C_LIMITED]: { accounts: [ACCOUNT] },
          },
          defaultAccounts: [],
          limits: {
            user: { burst: 2, perMinute: 1 },
            channel: { burst: 30, perMinute: 30 },
            account: { burst: 20, perMinute: 20 },
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
      send = new SlackSender(`http://127.0.0.1:${port}`, SECRET);
    });

    afterAll(async () => {
      await app?.stop();
      await slack?.stop();
    });

    it('a healthy service: acknowledged at once, one report for the channel saying it would pull, with console buttons', async () => {
      const after = now();
      const requesters = pool.requesters.length;
      const { ms } = await command(C_ONE, 'check shop/checkout');
      expect(ms).toBeLessThan(750);
      const [post] = await slack.waitFor(
        () => {
          const p = posts(C_ONE, after);
          return p.length ? p : undefined;
        },
        30_000,
        'the report',
      );
      await new Promise((r) => setTimeout(r, 300));
      expect(posts(C_ONE, after)).toHaveLength(1);
      const body = texts(post!.args.blocks);
      expect(post!.args.thread_ts).toBeUndefined();
      expect(String(post!.args.text)).toContain(
        'ecs-pull · pre-flight · service checkout, task definition web:1',
      );
      expect(body).toContain('Would pull');
      expect(body).toContain(`Cluster shop · account ${ACCOUNT} · eu-west-1`);
      expect(body).toContain(`<@${U_EN}>`);
      const links = urls(post!.args.blocks as unknown[]);
      expect(links.some((u) => u.includes('/ecs/v2/task-definitions/web/1'))).toBe(true);
      expect(links.some((u) => u.includes('/ecs/v2/clusters/shop/services/checkout'))).toBe(true);
      expect(
        blockKitViolations({ text: String(post!.args.text), blocks: post!.args.blocks as Block[] }),
      ).toEqual([]);
      expect(pool.requesters.slice(requesters)).toContain(`slack-T0TESTTEAM-${U_EN}`);
    });

    it('a new task definition whose tag is missing: would fail, the blocking check and its fix, in Italian', async () => {
      const after = now();
      await command(C_ONE, `check ${serviceArn} ${missing}`, U_IT);
      const post = await slack.waitFor(() => posts(C_ONE, after)[0], 30_000, 'the report');
      const body = texts(post.args.blocks);
      expect(String(post.args.text)).toContain('controllo preliminare');
      expect(body).toContain('Il pull non riuscirebbe');
      expect(body).toContain('image.exists');
      expect(body).toContain('2.0.0');
      expect(body).toContain('Soluzione');
      expect(
        blockKitViolations({ text: String(post.args.text), blocks: post.args.blocks as Block[] }),
      ).toEqual([]);
    });

    it('an account the channel may not read: an ephemeral refusal and no AWS call', async () => {
      const after = now();
      const requesters = pool.requesters.length;
      const { id } = await command(C_LOCKED, `check ${serviceArn}`);
      const r = await response(id);
      expect(r.body.response_type).toBe('ephemeral');
      expect(String(r.body.text)).toContain(`may not diagnose tasks of account ${ACCOUNT}`);
      expect(posts(C_LOCKED, after)).toHaveLength(0);
      expect(pool.requesters.length).toBe(requesters);
    });

    it('a channel of several accounts asks which one; bad references are told with the usage, ephemerally', async () => {
      const requesters = pool.requesters.length;
      const cases: Array<[string, string, string]> = [
        [C_MANY, 'check shop/checkout', 'Add `account:ID`'],
        [C_ONE, 'check shop/checkout web:x', 'is not a task definition'],
        [C_ONE, 'check', 'Give a service'],
        [C_ONE, 'check shop/checkout web:1 extra', '“extra” was not understood'],
        [C_ONE, 'check shop/check.out', 'is not a valid ECS service name'],
      ];
      for (const [channel, text, expected] of cases) {
        const { id } = await command(channel, text);
        const r = await response(id);
        expect(r.body.response_type, text).toBe('ephemeral');
        expect(String(r.body.text), text).toContain(expected);
        expect(String(r.body.text), text).toContain('/ecs-pull check CLUSTER/SERVICE');
      }
      expect(pool.requesters.length).toBe(requesters);
    });

    it('a service that does not exist: the pre-flight’s own words, ephemeral', async () => {
      const { id } = await command(C_ONE, 'check shop/nope');
      const r = await response(id);
      expect(String(r.body.text)).toContain('There is no active service nope in cluster shop');
    });

    it('the rate limits apply: a person over their burst is refused before any AWS call', async () => {
      const after = now();
      for (let i = 0; i < 2; i++) await command(C_LIMITED, 'check shop/checkout', U_LIMITED);
      await slack.waitFor(() => posts(C_LIMITED, after).length >= 2 || undefined, 30_000, 'two reports');
      const requesters = pool.requesters.length;
      const { id } = await command(C_LIMITED, 'check shop/checkout', U_LIMITED);
      const r = await response(id);
      expect(r.body.response_type).toBe('ephemeral');
      expect(String(r.body.text)).toMatch(/try again in \d+ s/i);
      expect(pool.requesters.length).toBe(requesters);
      expect(posts(C_LIMITED, after)).toHaveLength(2);
    });

    it('help says how to check, in both languages', async () => {
      const en = await response((await command(C_ONE, 'help')).id);
      expect(String(en.body.text)).toContain('/ecs-pull check CLUSTER/SERVICE [FAMILY:REVISION]');
      const it_ = await response((await command(C_ONE, 'aiuto', U_IT)).id);
      expect(String(it_.body.text)).toContain('/ecs-pull check CLUSTER/SERVIZIO [FAMIGLIA:REVISIONE]');
    });
  },
);
