/**
 * What changed, end to end on moto behind the CloudTrail responder (moto has no LookupEvents): a NAT route deleted
 * 42 minutes before the failure by an IAM Identity Center user in the console, and a tag expired by a lifecycle rule
 * two hours before; each diagnosed by the engine, by the built CLI (text in both languages, JSON) and by the Slack
 * app, with the lookups counted (one round after the checks, at most two per account and region). Then what the
 * event history cannot give: a throttled lookup, a denied one, a full budget.
 */
import { DeleteRouteCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildSlackApp, type SlackApp } from '../../src/app.js';
import { ClientPool } from '../../src/aws/clients.js';
import { parseTaskTarget } from '../../src/aws/target.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import { MemoryCallCache } from '../../src/diagnosis/facts/call-cache.js';
import type { Report } from '../../src/diagnosis/report.js';
import { translator } from '../../src/i18n.js';
import { createLogger } from '../../src/log.js';
import type { Block } from '../../src/render/blockkit.js';
import { renderText } from '../../src/render/text.js';
import { BASE_CREDENTIALS, motoAccount, runStoppedTask } from '../helpers/aws-scenario.js';
import { motoEnv, runCli, writeConfig } from '../helpers/cli.js';
import { type CloudTrailProxy, startCloudTrailProxy } from '../helpers/cloudtrail-proxy.js';
import { agents, events, identity } from '../helpers/cloudtrail-records.js';
import { createRepository, keepLastReleases, pullingRole, pushImage } from '../helpers/identity-scenario.js';
import { diagnoseInMoto, motoConfig, useMotoEndpoint } from '../helpers/moto-engine.js';
import { natPath } from '../helpers/network-scenario.js';
import { blockKitViolations } from '../helpers/slack-blockkit.js';
import { SlackSender } from '../helpers/slack-requests.js';
import { FakeSlack } from '../helpers/slack-server.js';

const motoUrl = inject('motoUrl');
const REGION = 'eu-west-1';

let trail: CloudTrailProxy;
let n = 0;
const freshAccount = () => {
  n++;
  return motoAccount(motoUrl!, `43${String(Date.now()).slice(-6)}${String(n).padStart(4, '0')}`);
};

/** The task's stop time as ECS reports it (moto stamps it when the task is stopped). */
async function stoppedAt(a: Awaited<ReturnType<typeof motoAccount>>, cluster: string, taskArn: string) {
  const { DescribeTasksCommand } = await import('@aws-sdk/client-ecs');
  const t = await a.ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
  return t.tasks?.[0]?.stoppedAt ?? new Date();
}

const before = (at: Date, minutes: number) => new Date(at.getTime() - minutes * 60_000);

interface Scenario {
  account: string;
  taskArn: string;
  routeTableId?: string;
  natGatewayId?: string;
  deleteId?: string;
  expiryId?: string;
}

const scenarios: { nat?: Scenario; tag?: Scenario } = {};

/** A private subnet whose 0.0.0.0/0 route to the NAT gateway someone deleted 42 minutes before the failure. */
async function deletedNatRoute(): Promise<Scenario> {
  const a = await freshAccount();
  const net = await natPath(a);
  await a.ec2.send(
    new DeleteRouteCommand({ RouteTableId: net.routeTableId!, DestinationCidrBlock: '0.0.0.0/0' }),
  );
  const task = await runStoppedTask(a, net, { executionRoleArn: await pullingRole(a), family: 'checkout' });
  const failed = await stoppedAt(a, task.cluster, task.taskArn);
  const where = { account: a.account, region: REGION };
  const create = events.createRoute(
    {
      ...where,
      time: before(failed, 190),
      who: identity.role(a.account, 'platform-ci', 'tf-apply-8812'),
      agent: agents.terraform,
    },
    net.routeTableId!,
    '0.0.0.0/0',
    { natGatewayId: net.natGatewayId! },
  );
  const del = events.deleteRoute(
    { ...where, time: before(failed, 42), who: identity.sso(a.account), agent: agents.console },
    net.routeTableId!,
    '0.0.0.0/0',
  );
  const rt = [{ type: 'AWS::EC2::RouteTable', name: net.routeTableId! }];
  trail.add(a.account, REGION, create, [...rt, { type: 'AWS::EC2::NatGateway', name: net.natGatewayId! }]);
  trail.add(a.account, REGION, del, rt);
  return {
    account: a.account,
    taskArn: task.taskArn,
    routeTableId: net.routeTableId!,
    natGatewayId: net.natGatewayId!,
    deleteId: String(del.eventID),
  };
}

/** A repository whose lifecycle rule expired the task's tag v1.4.0 two hours before the failure. */
async function expiredTag(): Promise<Scenario> {
  const a = await freshAccount();
  const net = await natPath(a);
  await createRepository(a, 'orders');
  await pushImage(a, 'orders', 'v1.4.1');
  await pushImage(a, 'orders', 'v1.4.2', 150 * 1024 ** 2, 2);
  await keepLastReleases(a, 'orders', 2);
  const image = `${a.account}.dkr.ecr.${REGION}.amazonaws.com/orders:v1.4.0`;
  const task = await runStoppedTask(a, net, {
    family: 'orders',
    image,
    executionRoleArn: await pullingRole(a),
    stoppedReason: `CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref ${image}: not found`,
  });
  const failed = await stoppedAt(a, task.cluster, task.taskArn);
  const expiry = events.lifecycleExpiry(
    { account: a.account, region: REGION, time: before(failed, 125) },
    'orders',
    { priority: 1, description: 'keep the last 2 releases', countNumber: 2, prefixes: ['v'] },
    [{ tag: 'v1.4.0', digest: `sha256:${'3f'.repeat(32)}`, pushedAt: before(failed, 9 * 24 * 60) }],
  );
  trail.add(a.account, REGION, expiry, [
    { type: 'AWS::ECR::Repository', name: `arn:aws:ecr:${REGION}:${a.account}:repository/orders` },
  ]);
  return { account: a.account, taskArn: task.taskArn, expiryId: String(expiry.eventID) };
}

function text(report: Report) {
  return { en: renderText(report, translator('en')), it: renderText(report, translator('it')) };
}

describe.skipIf(!motoUrl)(
  `what changed, on moto + CloudTrail${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`,
  () => {
    beforeAll(async () => {
      trail = await startCloudTrailProxy(motoUrl!);
      scenarios.nat = await deletedNatRoute();
      scenarios.tag = await expiredTag();
    }, 120_000);
    afterAll(async () => {
      await trail?.close();
    });

    it('a deleted NAT route: the change, who made it and when, backing the answer', async () => {
      const s = scenarios.nat!;
      trail.reset();
      const { report } = await diagnoseInMoto(trail.url, s.taskArn, motoConfig());
      expect(report.causes[0]!.id).toBe('network-no-route');
      expect(report.causes[0]!.change).toBe(s.deleteId);
      const c = report.changes!;
      expect(c.lookups.map((l) => l.name)).toContain(s.routeTableId);
      const del = c.events.find((e) => e.id === s.deleteId)!;
      expect(del.minutesBefore).toBe(42);
      expect(del.failing).toBe(true);
      expect(del.what).toEqual({
        key: 'changes:what.DeleteRoute.target',
        params: { destination: '0.0.0.0/0', table: s.routeTableId, target: s.natGatewayId },
      });
      expect(del.link.url).toBe(
        `https://${REGION}.console.aws.amazon.com/cloudtrail/home?region=${REGION}#/events/${s.deleteId}`,
      );
      const out = text(report);
      expect(out.en).toContain(
        `42 minutes before: maria.rossi@example.com (IAM Identity Center, permission set NetworkAdmin), in the console, deleted the route 0.0.0.0/0 → ${s.natGatewayId} from ${s.routeTableId}`,
      );
      expect(out.it).toContain(
        `42 minuti prima: maria.rossi@example.com (IAM Identity Center, set di autorizzazioni NetworkAdmin), dalla console, ha eliminato la route 0.0.0.0/0 → ${s.natGatewayId} da ${s.routeTableId}`,
      );
      // One round after the checks, at most two lookups in the account and region.
      const calls = report.aws.calls.filter((x) => x.api === 'cloudtrail:LookupEvents');
      expect(calls.length).toBeGreaterThan(0);
      expect(calls.length).toBeLessThanOrEqual(2);
      const others = report.aws.calls.filter((x) => x.api !== 'cloudtrail:LookupEvents');
      const deepest = Math.max(...others.map((x) => x.round));
      for (const x of calls) expect(x.round).toBe(deepest + 1);
      expect(trail.lookups.length).toBe(calls.length);
    });

    it('an expired tag: the lifecycle rule that removed it, as ECR recorded it', async () => {
      const s = scenarios.tag!;
      const { report } = await diagnoseInMoto(trail.url, s.taskArn, motoConfig());
      expect(report.causes[0]!.id).toBe('image-not-found');
      const e = report.changes!.events.find((x) => x.id === s.expiryId)!;
      expect(e.minutesBefore).toBe(125);
      expect(e.who).toEqual({ key: 'changes:who.lifecycle' });
      expect(report.causes[0]!.change).toBe(s.expiryId);
      const out = text(report);
      expect(out.en).toContain(
        '2 hours before: Amazon ECR expired the tag v1.4.0 of orders by lifecycle rule 1',
      );
      expect(out.it).toContain(
        '2 ore prima: Amazon ECR ha fatto scadere il tag v1.4.0 di orders con la regola del ciclo di vita 1',
      );
    });

    it('the built CLI: the timeline in English and Italian, and report.changes in the JSON', async () => {
      const s = scenarios.nat!;
      const env = motoEnv(
        trail.url,
        writeConfig('defaultLanguage: en\nroleNameTemplate: ecs-pull-diagnostics\n'),
      );
      const en = await runCli(['why', s.taskArn], env);
      expect(en.stderr).toBe('');
      expect(en.code).toBe(0);
      expect(en.stdout).toContain('What changed (CloudTrail, ');
      expect(en.stdout).toContain(
        `42 minutes before the failure, maria.rossi@example.com (IAM Identity Center, permission set NetworkAdmin), in the console, deleted the route 0.0.0.0/0 → ${s.natGatewayId} from ${s.routeTableId}.`,
      );
      expect(en.stdout).toContain(
        `CloudTrail: https://${REGION}.console.aws.amazon.com/cloudtrail/home?region=${REGION}#/events/${s.deleteId}`,
      );
      const it_ = await runCli(['why', s.taskArn, '--lang', 'it'], env);
      expect(it_.code).toBe(0);
      expect(it_.stdout).toContain('Cosa è cambiato (CloudTrail, dal ');
      expect(it_.stdout).toContain(
        `42 minuti prima: maria.rossi@example.com (IAM Identity Center, set di autorizzazioni NetworkAdmin), dalla console, ha eliminato la route 0.0.0.0/0 → ${s.natGatewayId} da ${s.routeTableId}`,
      );
      const json = await runCli(['why', s.taskArn, '--json'], env);
      expect(json.code).toBe(0);
      const report = JSON.parse(json.stdout);
      expect(report.causes[0].change).toBe(s.deleteId);
      const e = report.changes.events.find((x: { id: string }) => x.id === s.deleteId);
      expect(e).toMatchObject({
        name: 'DeleteRoute',
        minutesBefore: 42,
        when: '42 minutes before',
        failing: true,
        who: {
          key: 'changes:who.sso',
          params: { user: 'maria.rossi@example.com', permissionSet: 'NetworkAdmin' },
        },
        what: {
          key: 'changes:what.DeleteRoute.target',
          text: `deleted the route 0.0.0.0/0 → ${s.natGatewayId} from ${s.routeTableId}`,
        },
      });
      expect(report.changes.lookups[0]).toMatchObject({
        kind: 'route-table',
        id: s.routeTableId,
        status: 'ok',
        events: 2,
      });
      expect(
        report.aws.calls.filter((c: { api: string }) => c.api === 'cloudtrail:LookupEvents').length,
      ).toBe(report.changes.lookups.length);
    });

    it('Slack: the timeline and a CloudTrail button per change, the change named in the channel summary', async () => {
      const s = scenarios.nat!;
      useMotoEndpoint(trail.url);
      const slack = await new FakeSlack().start();
      let app: SlackApp | undefined;
      try {
        const config = motoConfig({
          defaultLanguage: 'en',
          slack: {
            mode: 'http',
            botToken: 'xoxb-test-token',
            signingSecret: 'test-signing-secret-ct42',
            apiUrl: slack.apiUrl,
            port: 0,
            defaultAccounts: [s.account],
          },
        });
        const pool = new ClientPool(config, { baseCredentials: async () => BASE_CREDENTIALS });
        app = await buildSlackApp(config, { pool, log: createLogger('silent') });
        const { port } = await app.start();
        const send = new SlackSender(`http://127.0.0.1:${port}`, 'test-signing-secret-ct42');
        slack.locales.set('U0CTUSER01', 'it-IT');
        for (const [user, lang] of [
          ['U0CTUSER00', 'en'],
          ['U0CTUSER01', 'it'],
        ] as const) {
          const start = slack.calls.at(-1)?.at ?? 0;
          const r = await send.command({
            text: `why ${s.taskArn}`,
            channel_id: 'C0CHANGES1',
            user_id: user,
            response_url: slack.responseUrl(`ct-${lang}`),
          });
          expect(r.status).toBe(200);
          const [summary, detail] = await slack.waitFor(
            () => {
              const p = slack
                .callsOf('chat.postMessage')
                .filter((c) => c.args.channel === 'C0CHANGES1' && c.at > start);
              return p.length >= 2 ? p : undefined;
            },
            20_000,
            'summary and detail',
          );
          const blocks = detail!.args.blocks as Block[];
          const all = JSON.stringify(blocks);
          const buttons = blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
          const ct = buttons.filter((b) => b.url?.includes('/cloudtrail/home'));
          expect(ct.map((b) => b.url)).toContain(
            `https://${REGION}.console.aws.amazon.com/cloudtrail/home?region=${REGION}#/events/${s.deleteId}`,
          );
          expect(ct).toHaveLength(2);
          if (lang === 'en') {
            expect(all).toContain('*What changed (CloudTrail)*');
            expect(ct.map((b) => b.text.text)).toEqual([
              'CreateRoute in CloudTrail',
              'DeleteRoute in CloudTrail',
            ]);
            expect(JSON.stringify(summary!.args.blocks)).toContain(
              ':clock3: 42 minutes before the failure, maria.rossi@example.com (IAM Identity Center, permission set NetworkAdmin), in the console, deleted the route',
            );
          } else {
            expect(all).toContain('*Cosa è cambiato (CloudTrail)*');
            expect(JSON.stringify(summary!.args.blocks)).toContain(
              ":clock3: 42 minuti prima dell'errore, maria.rossi@example.com",
            );
          }
          for (const m of [summary!, detail!]) {
            expect(
              blockKitViolations({
                text: String(m.args.text ?? ''),
                blocks: (m.args.blocks as Block[]) ?? [],
              }),
            ).toEqual([]);
          }
        }
      } finally {
        await app?.stop();
        await slack.stop();
      }
    });

    it('throttled: the section says so, the rest of the report stands, within the deadline', async () => {
      const s = scenarios.nat!;
      trail.reset();
      trail.throttle(s.account, 100);
      const started = performance.now();
      const { report } = await diagnoseInMoto(
        trail.url,
        s.taskArn,
        motoConfig({ aws: { ...motoConfig().aws, maxAttempts: 2 } }),
      );
      const ms = performance.now() - started;
      expect(report.causes[0]!.id).toBe('network-no-route');
      expect(report.causes[0]!.change).toBeUndefined();
      expect(
        report.changes!.lookups.every((l) => l.status === 'throttled' && l.code === 'ThrottlingException'),
      ).toBe(true);
      expect(text(report).en).toContain(
        `${s.routeTableId}: CloudTrail throttled the lookup (ThrottlingException), so its changes are not shown.`,
      );
      expect(text(report).it).toContain(
        `${s.routeTableId}: CloudTrail ha limitato la ricerca (ThrottlingException)`,
      );
      // Two attempts each (the SDK's standard retries with backoff), never past the deadline.
      expect(trail.lookups.length).toBe(2 * report.changes!.lookups.length);
      expect(ms).toBeLessThan(motoConfig().aws.deadlineMs);
      // Throttled once, then answered: the retry is used.
      trail.reset();
      trail.throttle(s.account, 1);
      const retried = await diagnoseInMoto(
        trail.url,
        s.taskArn,
        motoConfig({ aws: { ...motoConfig().aws, maxAttempts: 2 } }),
      );
      expect(retried.report.causes[0]!.change).toBe(s.deleteId);
      trail.reset();
    });

    it('denied: the section names cloudtrail:LookupEvents, the answer is as without it', async () => {
      const s = scenarios.tag!;
      trail.reset();
      trail.deny(s.account);
      const { report } = await diagnoseInMoto(trail.url, s.taskArn, motoConfig());
      expect(report.causes[0]!.id).toBe('image-not-found');
      expect(report.causes[0]!.change).toBeUndefined();
      expect(report.changes!.lookups[0]).toMatchObject({
        status: 'denied',
        code: 'AccessDeniedException',
        action: 'cloudtrail:LookupEvents',
      });
      expect(text(report).en).toContain(
        'orders: not looked up, cloudtrail:LookupEvents was denied (AccessDeniedException).',
      );
      expect(report.checks.filter((c) => c.status === 'unknown')).toEqual([]);
      trail.reset();
    });

    it('a lookup that never answers ends at the per-call timeout: the report says so, on time', async () => {
      const s = scenarios.tag!;
      trail.reset();
      trail.hang(s.account);
      const cfg = motoConfig({
        aws: { maxAttempts: 1, callTimeoutMs: 1000, deadlineMs: 6000, sessionDurationSeconds: 3600 },
      });
      const started = performance.now();
      const { report } = await diagnoseInMoto(trail.url, s.taskArn, cfg);
      const ms = performance.now() - started;
      expect(report.changes!.lookups[0]!.status).toBe('timeout');
      expect(text(report).en).toContain("orders: the lookup did not finish before the diagnosis' deadline");
      expect(report.causes[0]!.id).toBe('image-not-found');
      expect(ms).toBeLessThan(cfg.aws.deadlineMs);
      trail.reset();
    });

    it('the tasks of a storm share the lookups: the second diagnosis asks CloudTrail nothing', async () => {
      const s = scenarios.nat!;
      useMotoEndpoint(trail.url);
      trail.reset();
      const config = motoConfig();
      const pool = new ClientPool(config, { baseCredentials: async () => BASE_CREDENTIALS });
      const cache = new MemoryCallCache();
      const run = () =>
        diagnose(
          { target: parseTaskTarget(s.taskArn), requester: 'e2e' },
          { pool, deadlineMs: config.aws.deadlineMs, sharedCache: cache },
        );
      const first = await run();
      const asked = trail.lookups.length;
      const second = await run();
      expect(asked).toBe(first.report.changes!.lookups.length);
      expect(trail.lookups.length).toBe(asked);
      expect(
        second.report.aws.calls.filter((c) => c.api === 'cloudtrail:LookupEvents').every((c) => c.cached),
      ).toBe(true);
      expect(second.report.causes[0]!.change).toBe(s.deleteId);
    });

    it('figures: calls, rounds and wall time the lookups add on moto + the responder', async () => {
      const s = scenarios.nat!;
      const once = async (maxLookups: number) => {
        trail.reset();
        const { report } = await diagnoseInMoto(
          trail.url,
          s.taskArn,
          motoConfig({ changes: { lookbackHours: 24, afterMinutes: 5, maxLookups } }),
        );
        return {
          wallMs: report.aws.wallMs,
          calls: report.aws.callCount,
          rounds: report.aws.rounds,
          lookups: report.aws.calls.filter((c) => c.api === 'cloudtrail:LookupEvents').length,
          // moto answers iam:SimulatePrincipalPolicy with a 500, which the SDK retries while its retry quota
          // lasts: one or two attempts, whatever the lookups do.
          simulate: report.aws.calls.filter((c) => c.api === 'iam:SimulatePrincipalPolicy').length,
        };
      };
      // Warm up (JIT, moto's caches), then alternate, so that load on the machine falls on both alike.
      await once(3);
      await once(0);
      const runs: Record<'off' | 'on', Array<Awaited<ReturnType<typeof once>>>> = { off: [], on: [] };
      for (let i = 0; i < 7; i++) {
        runs.off.push(await once(0));
        runs.on.push(await once(3));
      }
      const summary = (xs: Array<Awaited<ReturnType<typeof once>>>) => ({
        median: [...xs].map((x) => x.wallMs).sort((a, b) => a - b)[3]!,
        calls: xs[0]!.calls,
        rounds: xs[0]!.rounds,
        lookups: xs[0]!.lookups,
      });
      const off = summary(runs.off);
      const on = summary(runs.on);
      console.info(
        `what changed, NAT scenario on moto + responder (7 runs each, alternating): without lookups ${off.calls} calls, ${off.rounds} rounds, median ${off.median} ms; with lookups ${on.calls} calls (${on.lookups} LookupEvents), ${on.rounds} rounds, median ${on.median} ms`,
      );
      expect(runs.on.map((r) => r.lookups)).toEqual(Array(7).fill(2));
      expect(runs.off.map((r) => r.lookups)).toEqual(Array(7).fill(0));
      // The lookups add their own calls and nothing else: every run makes the same other calls.
      const others = [...runs.off, ...runs.on].map((r) => r.calls - r.lookups - r.simulate);
      expect(new Set(others).size).toBe(1);
      expect(on.rounds - off.rounds).toBe(1);
    });
  },
);
