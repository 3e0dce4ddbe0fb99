/**
 * What changed, end to end on moto behind the CloudTrail responder (moto has no LookupEvents): a NAT route deleted
 * 42 minutes before the failure by an IAM Identity Center user in the console, and a tag expired by a lifecycle rule
 * two hours before; each diagnosed by the engine, by the built CLI (text in both languages, JSON) and by the Slack
 * app, with the lookups counted (one round after the checks, at most two per account and region). Then what the
 * event history cannot give: a throttled lookup, a denied one, a full budget.
 */
import { DeleteRouteCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Report } from '../../src/diagnosis/report.js';
import { translator } from '../../src/i18n.js';
import { renderText } from '../../src/render/text.js';
import { motoAccount, runStoppedTask } from '../helpers/aws-scenario.js';
import { motoEnv, runCli, writeConfig } from '../helpers/cli.js';
import { type CloudTrailProxy, startCloudTrailProxy } from '../helpers/cloudtrail-proxy.js';
import { agents, events, identity } from '../helpers/cloudtrail-records.js';
import { createRepository, keepLastReleases, pullingRole, pushImage } from '../helpers/identity-scenario.js';
import { diagnoseInMoto, motoConfig } from '../helpers/moto-engine.js';
import { natPath } from '../helpers/network-scenario.js';

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
      console.info(out.en);
      console.info(out.it);
      expect(out.en).toContain(
        `42 minutes before: maria.rossi@example.com (IAM Identity Center, permission set NetworkAdmin) (in the console) deleted the route 0.0.0.0/0 → ${s.natGatewayId} from ${s.routeTableId}`,
      );
      expect(out.it).toContain(
        `42 minuti prima: maria.rossi@example.com (IAM Identity Center, set di autorizzazioni NetworkAdmin) (dalla console) ha eliminato la route 0.0.0.0/0 → ${s.natGatewayId} da ${s.routeTableId}`,
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
      console.info(out.en);
      expect(out.en).toContain(
        '2 hours before: Amazon ECR expired the tag v1.4.0 of orders by lifecycle rule 1',
      );
      expect(out.it).toContain(
        '2 ore prima: Amazon ECR ha fatto scadere il tag v1.4.0 di orders con la regola del ciclo di vita 1',
      );
    });
  },
);
