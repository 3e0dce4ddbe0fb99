/**
 * cloudtrail.changes over the wire (nock, CloudTrail's JSON 1.1): one LookupEvents a planned resource, by
 * ResourceName only (the API takes one lookup attribute), the window in epoch seconds, one page of 50; IAM's in the
 * global region's event history; each Event's CloudTrailEvent read as the JSON record it is; read events and failed
 * writes dropped, ECR's read-only lifecycle expiries kept. A throttled or denied lookup is that resource's error and
 * the others stand; the tasks of a storm share one answer through the call cache.
 */
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { MemoryCallCache } from '../../src/diagnosis/facts/call-cache.js';
import type { ChangeLookupPlan, ChangesRecord } from '../../src/diagnosis/facts/cloudtrail.js';
import { providers } from '../../src/diagnosis/facts/index.js';
import { FactSession, type SharedCallCache } from '../../src/diagnosis/facts/session.js';
import { assumeRoleXml, jsonCall, jsonError, queryCall } from '../helpers/aws-wire.js';
import { agents, events, identity, lookupEvent } from '../helpers/cloudtrail-records.js';
import { CHECKOUT_TARGET, unitPool, useNock } from '../helpers/unit.js';

useNock();

const R = 'eu-south-1';
const ACCOUNT = '210987654321';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/ecs-pull-diagnostics`;
const FAILED = new Date('2026-11-29T04:47:41.512Z');
const ago = (m: number) => new Date(FAILED.getTime() - m * 60_000);

const plan: ChangeLookupPlan = {
  limits: { maxLookups: 3, perRegion: 2 },
  failureAt: FAILED.toISOString(),
  from: '2026-11-28T04:47:00.000Z',
  to: '2026-11-29T04:53:00.000Z',
  lookups: [
    { kind: 'route-table', id: 'rtb-0a1b2c3d4e5f60718', name: 'rtb-0a1b2c3d4e5f60718', region: R },
    { kind: 'iam-role', id: 'checkout-exec', name: 'checkout-exec', region: 'us-east-1' },
  ],
  skipped: [{ kind: 'subnet', id: 'subnet-0a1b2c3d4e5f67890' }],
  after: [],
};

function session(cache?: SharedCallCache, pool = unitPool()) {
  return new FactSession({
    pool,
    providers,
    inputs: {
      target: CHECKOUT_TARGET,
      requester: 'cli-alice',
      settings: {
        probePublicRegistries: false,
        probeTimeoutMs: 1000,
        canReachAccount: () => true,
        mayRead: () => true,
      },
      changes: plan,
    },
    deadlineMs: 5000,
    sharedCache: cache,
  });
}

const at = { account: ACCOUNT, region: R };
const del = events.deleteRoute(
  { ...at, time: ago(42), who: identity.sso(ACCOUNT), agent: agents.console },
  'rtb-0a1b2c3d4e5f60718',
  '0.0.0.0/0',
);
const describe_ = {
  ...events.deleteRoute(
    { ...at, time: ago(5), who: identity.role(ACCOUNT, 'ecs-pull-diagnostics', 'ecs-pull-cli-alice') },
    'rtb-0a1b2c3d4e5f60718',
    '0.0.0.0/0',
  ),
  eventName: 'DescribeRouteTables',
  readOnly: true,
  requestParameters: { routeTableIdSet: { items: [{ routeTableId: 'rtb-0a1b2c3d4e5f60718' }] } },
};
const denied = {
  ...events.createRoute(
    { ...at, time: ago(30), who: identity.user(ACCOUNT, 'intern') },
    'rtb-0a1b2c3d4e5f60718',
    '0.0.0.0/0',
    { gatewayId: 'igw-1' },
  ),
  errorCode: 'Client.UnauthorizedOperation',
  responseElements: null,
};
const detach = events.detachRolePolicy(
  {
    account: ACCOUNT,
    region: 'us-east-1',
    time: ago(75),
    who: identity.role(ACCOUNT, 'platform-ci', 'tf-apply-8812'),
    agent: agents.terraform,
  },
  'checkout-exec',
  'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy',
);
const rt = [{ type: 'AWS::EC2::RouteTable', name: 'rtb-0a1b2c3d4e5f60718' }];

/** The request CloudTrail gets for one resource: one attribute, the window in epoch seconds, one page. */
const asks = (name: string) => (b: Record<string, unknown>) =>
  JSON.stringify(b.LookupAttributes) ===
    JSON.stringify([{ AttributeKey: 'ResourceName', AttributeValue: name }]) &&
  b.StartTime === Date.parse(plan.from) / 1000 &&
  b.EndTime === Date.parse(plan.to) / 1000 &&
  b.MaxResults === 50 &&
  b.NextToken === undefined;

function assume() {
  queryCall('sts', R, 'AssumeRole', 200, assumeRoleXml(ROLE, 'ecs-pull-cli-alice'));
}

async function gather(s = session()) {
  await s.prepare();
  const f = await s.fact('cloudtrail.changes');
  if (!f.ok) throw new Error(`fact failed: ${f.error.code}`);
  return { value: f.value as ChangesRecord, fact: f, calls: s.calls };
}

describe('cloudtrail.changes over the wire', () => {
  it('one lookup a resource, IAM in us-east-1; read events and failed writes dropped; a full page said', async () => {
    assume();
    jsonCall(
      'cloudtrail',
      R,
      'LookupEvents',
      200,
      {
        Events: [describe_, denied, del].map((r) => lookupEvent(r, rt)),
        NextToken:
          'kbOt5LlZe++mErCebpy2TgaMgmDvF1kYGFcH64JSjIbZFjsuvrSqg66b5YGssKutDYIyII4lrP4IDbeQdiObkp9YAlju3oXd12juy3CIZW8=',
      },
      asks('rtb-0a1b2c3d4e5f60718'),
    );
    jsonCall(
      'cloudtrail',
      'us-east-1',
      'LookupEvents',
      200,
      {
        Events: [
          lookupEvent(detach, [
            { type: 'AWS::IAM::Role', name: 'checkout-exec' },
            {
              type: 'AWS::IAM::Policy',
              name: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy',
            },
          ]),
        ],
      },
      asks('checkout-exec'),
    );
    const { value, fact, calls } = await gather();
    const [rtb, role] = value.lookups;
    expect(rtb!.events.map((e) => e.eventName)).toEqual(['DeleteRoute']);
    expect(rtb!.readEvents).toBe(2);
    expect(rtb!.more).toBe(true);
    expect(rtb!.events[0]).toMatchObject({
      eventId: del.eventID,
      eventSource: 'ec2.amazonaws.com',
      eventTime: '2026-11-29T04:05:41.000Z',
      username: 'maria.rossi@example.com',
      record: {
        eventType: 'AwsApiCall',
        requestParameters: { routeTableId: 'rtb-0a1b2c3d4e5f60718', destinationCidrBlock: '0.0.0.0/0' },
        userAgent: agents.console,
      },
    });
    expect(role!.events.map((e) => [e.eventName, e.record?.awsRegion])).toEqual([
      ['DetachRolePolicy', 'us-east-1'],
    ]);
    expect(value.skipped).toEqual(plan.skipped);
    // One round after the role session's: both lookups in it.
    expect(
      calls.filter((c) => c.api === 'cloudtrail:LookupEvents').map((c) => [c.region, c.round, c.ok]),
    ).toEqual([
      [R, 2, true],
      ['us-east-1', 2, true],
    ]);
    expect(fact.round).toBe(2);
  });

  it("ECR's lifecycle expiry is kept though CloudTrail marks it read-only", async () => {
    assume();
    const expiry = events.lifecycleExpiry(
      { account: ACCOUNT, region: R, time: ago(125) },
      'shop/cart',
      { priority: 1, description: 'keep 2', countNumber: 2, prefixes: ['v'] },
      [{ tag: 'v2.14.0', digest: `sha256:${'7d'.repeat(32)}`, pushedAt: ago(60 * 24 * 9) }],
    );
    jsonCall(
      'cloudtrail',
      R,
      'LookupEvents',
      200,
      { Events: [lookupEvent(expiry, rt)] },
      asks('rtb-0a1b2c3d4e5f60718'),
    );
    jsonCall('cloudtrail', 'us-east-1', 'LookupEvents', 200, { Events: [] }, asks('checkout-exec'));
    const { value } = await gather();
    expect(
      value.lookups[0]!.events.map((e) => [e.eventName, e.record?.readOnly, e.record?.eventType]),
    ).toEqual([['PolicyExecutionEvent', true, 'AwsServiceEvent']]);
  });

  it('throttled: that lookup says so (not retried past the attempts), the other stands', async () => {
    assume();
    jsonCall(
      'cloudtrail',
      R,
      'LookupEvents',
      400,
      jsonError('ThrottlingException', 'Rate exceeded'),
      asks('rtb-0a1b2c3d4e5f60718'),
    );
    jsonCall(
      'cloudtrail',
      'us-east-1',
      'LookupEvents',
      200,
      { Events: [lookupEvent(detach, [])] },
      asks('checkout-exec'),
    );
    const { value, calls } = await gather();
    expect(value.lookups[0]).toMatchObject({
      events: [],
      error: { kind: 'throttled', code: 'ThrottlingException', action: 'cloudtrail:LookupEvents' },
    });
    expect(value.lookups[1]!.events).toHaveLength(1);
    expect(calls.find((c) => c.api === 'cloudtrail:LookupEvents' && !c.ok)?.errorCode).toBe(
      'ThrottlingException',
    );
  });

  it('denied: that lookup names the action', async () => {
    assume();
    const msg = `User: arn:aws:sts::${ACCOUNT}:assumed-role/ecs-pull-diagnostics/ecs-pull-cli-alice is not authorized to perform: cloudtrail:LookupEvents because no identity-based policy allows the cloudtrail:LookupEvents action`;
    jsonCall(
      'cloudtrail',
      R,
      'LookupEvents',
      400,
      jsonError('AccessDeniedException', msg),
      asks('rtb-0a1b2c3d4e5f60718'),
    );
    jsonCall(
      'cloudtrail',
      'us-east-1',
      'LookupEvents',
      400,
      jsonError('AccessDeniedException', msg),
      asks('checkout-exec'),
    );
    const { value } = await gather();
    for (const l of value.lookups)
      expect(l.error).toMatchObject({
        kind: 'denied',
        code: 'AccessDeniedException',
        action: 'cloudtrail:LookupEvents',
      });
  });

  it('the tasks of a storm share one answer (and one denial) through the call cache', async () => {
    const cache = new MemoryCallCache();
    const pool = unitPool();
    assume();
    jsonCall(
      'cloudtrail',
      R,
      'LookupEvents',
      200,
      { Events: [lookupEvent(del, rt)] },
      asks('rtb-0a1b2c3d4e5f60718'),
    );
    jsonCall(
      'cloudtrail',
      'us-east-1',
      'LookupEvents',
      400,
      jsonError('AccessDeniedException', 'no'),
      asks('checkout-exec'),
    );
    const first = await gather(session(cache, pool));
    const second = await gather(session(cache, pool));
    expect(second.value.lookups[0]!.events.map((e) => e.eventId)).toEqual([del.eventID]);
    expect(second.value.lookups[1]!.error?.kind).toBe('denied');
    expect(second.calls.filter((c) => c.api === 'cloudtrail:LookupEvents').map((c) => c.cached)).toEqual([
      true,
      true,
    ]);
    expect(first.calls.filter((c) => c.api === 'cloudtrail:LookupEvents').every((c) => !c.cached)).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('no plan, no call', async () => {
    assume();
    const s = new FactSession({
      pool: unitPool(),
      providers,
      inputs: {
        target: CHECKOUT_TARGET,
        requester: 'cli-alice',
        settings: {
          probePublicRegistries: false,
          probeTimeoutMs: 1000,
          canReachAccount: () => true,
          mayRead: () => true,
        },
      },
      deadlineMs: 5000,
    });
    await s.prepare();
    const f = await s.fact('cloudtrail.changes');
    expect(f).toMatchObject({ ok: false, error: { kind: 'not-applicable' } });
    expect(s.calls.filter((c) => c.api === 'cloudtrail:LookupEvents')).toEqual([]);
  });
});
