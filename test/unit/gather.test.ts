/**
 * The fact layer against AWS's wire formats (nock): which calls are made, in which sequential round, what a
 * failure turns into, and how the task context is rebuilt when ECS no longer shows the task.
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import { defineFact, type FactProvider } from '../../src/diagnosis/facts/session.js';
import type { EventTask } from '../../src/diagnosis/facts/types.js';
import { UserError } from '../../src/errors.js';
import {
  assumeRoleXml,
  ec2Error,
  fixture,
  jsonCall,
  jsonError,
  queryCall,
  queryError,
} from '../helpers/aws-wire.js';
import { CHECKOUT_TARGET, unitConfig, unitPool, useNock } from '../helpers/unit.js';

useNock();

const R = 'eu-south-1';
const ROLE = 'arn:aws:iam::210987654321:role/ecs-pull-diagnostics';

function assumeRole() {
  return queryCall('sts', R, 'AssumeRole', 200, assumeRoleXml(ROLE, 'ecs-pull-cli-alice'), (p) => {
    return (
      p.get('RoleArn') === ROLE &&
      p.get('ExternalId') === 'ext-unit-42' &&
      p.get('RoleSessionName') === 'ecs-pull-cli-alice'
    );
  });
}

function describeTasks(
  body: unknown = JSON.parse(fixture('aws/ecs-describe-tasks-stopped.json')),
  status = 200,
) {
  return jsonCall('ecs', R, 'DescribeTasks', status, body, (b) => {
    return b.cluster === 'payments' && (b.tasks as string[])[0] === CHECKOUT_TARGET.taskArn;
  });
}

function contextCalls() {
  jsonCall('ecs', R, 'DescribeTaskDefinition', 200, fixture('aws/ecs-describe-task-definition.json'), (b) => {
    return b.taskDefinition === 'arn:aws:ecs:eu-south-1:210987654321:task-definition/checkout:42';
  });
  jsonCall('ecs', R, 'DescribeServices', 200, fixture('aws/ecs-describe-services.json'), (b) => {
    return (b.services as string[])[0] === 'checkout';
  });
}

const request = { target: CHECKOUT_TARGET, requester: 'cli-alice' };

describe('diagnose: gathering the failed task', () => {
  it('assumes the role once, then loads task, task definition, ENI and service in three rounds', async () => {
    assumeRole();
    describeTasks();
    contextCalls();
    queryCall(
      'ec2',
      R,
      'DescribeNetworkInterfaces',
      200,
      fixture('aws/ec2-describe-network-interfaces.xml'),
      (p) => {
        return p.get('NetworkInterfaceId.1') === 'eni-0f7e2a6c1d3b4a5e9';
      },
    );
    const pool = unitPool();
    const { report } = await diagnose(request, { pool, deadlineMs: 5000, checks: [] });
    const rounds = Object.fromEntries(report.aws.calls.map((c) => [c.api, c.round]));
    expect(rounds).toEqual({
      'sts:AssumeRole': 1,
      'ecs:DescribeTasks': 2,
      'ecs:DescribeTaskDefinition': 3,
      'ecs:DescribeServices': 3,
      'ec2:DescribeNetworkInterfaces': 3,
    });
    expect(report.aws.callCount).toBe(5);
    expect(report.aws.rounds).toBe(3);
    const c = report.context;
    expect(c.stopCode).toBe('TaskFailedToStart');
    expect(c.stoppedAt).toBe('2026-11-28T08:33:32.774Z');
    expect(c.containers[0]?.reason).toMatch(/i\/o timeout$/);
    expect(c.network).toMatchObject({
      subnetIds: ['subnet-0a1b2c3d4e5f67890'],
      eniId: 'eni-0f7e2a6c1d3b4a5e9',
      privateIp: '10.40.12.77',
      vpcId: 'vpc-0123456789abcdef0',
      securityGroupIds: ['sg-0c1d2e3f4a5b6c7d8'],
      assignPublicIp: 'DISABLED',
    });
    expect(c.origins).toMatchObject({ task: 'describe-tasks', securityGroups: 'eni', publicIp: 'service' });
    expect(c.taskDefinition?.executionRoleArn).toBe('arn:aws:iam::210987654321:role/ecsTaskExecutionRole');
    expect(c.effectivePlatformVersion).toBe('1.4.0');
    expect(c.ephemeralStorage).toEqual({ sizeGiB: 20, isDefault: false });

    // Warm: the role session is reused, so one round fewer and no STS call.
    describeTasks();
    contextCalls();
    queryCall('ec2', R, 'DescribeNetworkInterfaces', 200, fixture('aws/ec2-describe-network-interfaces.xml'));
    const warm = await diagnose(request, { pool, deadlineMs: 5000, checks: [] });
    expect(warm.report.aws.calls.map((x) => x.api)).not.toContain('sts:AssumeRole');
    expect(warm.report.aws.rounds).toBe(2);
  });

  it('keeps a denied call as a fact naming the action and falls back to the service', async () => {
    assumeRole();
    describeTasks();
    contextCalls();
    queryCall(
      'ec2',
      R,
      'DescribeNetworkInterfaces',
      403,
      ec2Error(
        'UnauthorizedOperation',
        'You are not authorized to perform this operation. User: arn:aws:sts::210987654321:assumed-role/ecs-pull-diagnostics/ecs-pull-cli-alice is not authorized to perform: ec2:DescribeNetworkInterfaces because no identity-based policy allows the ec2:DescribeNetworkInterfaces action',
      ),
    );
    const { report, saved } = await diagnose(request, { pool: unitPool(), deadlineMs: 5000, checks: [] });
    const eni = saved.facts['ec2.taskEni'];
    expect(eni).toMatchObject({
      ok: false,
      error: { kind: 'denied', code: 'UnauthorizedOperation', action: 'ec2:DescribeNetworkInterfaces' },
    });
    expect(report.context.eni).toBe('error');
    expect(report.context.network.securityGroupIds).toEqual(['sg-0c1d2e3f4a5b6c7d8']);
    expect(report.context.origins.securityGroups).toBe('service');
    expect(report.context.network.assignPublicIp).toBe('DISABLED');
    expect(report.aws.calls.find((c) => c.api === 'ec2:DescribeNetworkInterfaces')).toMatchObject({
      ok: false,
      errorCode: 'UnauthorizedOperation',
    });
  });

  it('rebuilds a MISSING task from the EventBridge event', async () => {
    assumeRole();
    describeTasks({ tasks: [], failures: [{ arn: CHECKOUT_TARGET.taskArn, reason: 'MISSING' }] });
    contextCalls();
    queryCall(
      'ec2',
      R,
      'DescribeNetworkInterfaces',
      400,
      ec2Error(
        'InvalidNetworkInterfaceID.NotFound',
        "The networkInterface ID 'eni-0f7e2a6c1d3b4a5e9' does not exist",
      ),
    );
    const task = JSON.parse(fixture('aws/ecs-describe-tasks-stopped.json')).tasks[0];
    const event: EventTask = {
      account: '210987654321',
      region: R,
      task: { ...task, stoppedAt: '2026-11-28T09:12:43.512Z', createdAt: '2026-11-28T09:11:02.000Z' },
    };
    const { report } = await diagnose(
      { ...request, event },
      { pool: unitPool(), deadlineMs: 5000, checks: [] },
    );
    expect(report.context.source).toBe('event');
    expect(report.context.fallbackReason).toBe('MISSING');
    expect(report.context.eni).toBe('gone');
    expect(report.context.stoppedAt).toBe('2026-11-28T09:12:43.512Z');
    expect(report.context.origins.securityGroups).toBe('service');
  });

  it.each([
    [
      'a MISSING task with nothing to rebuild it from',
      () => describeTasks({ tasks: [], failures: [{ arn: CHECKOUT_TARGET.taskArn, reason: 'MISSING' }] }),
      'errors.task.missing',
    ],
    [
      'a denied DescribeTasks',
      () =>
        describeTasks(
          jsonError(
            'AccessDeniedException',
            'User: arn:aws:sts::210987654321:assumed-role/ecs-pull-diagnostics/x is not authorized to perform: ecs:DescribeTasks on resource: arn:aws:ecs:eu-south-1:210987654321:task/payments/3f9d',
          ),
          400,
        ),
      'errors.task.denied',
    ],
    [
      'a cluster that does not exist',
      () => describeTasks(jsonError('ClusterNotFoundException', 'Cluster not found.'), 400),
      'errors.task.no-cluster',
    ],
  ])('gives a clear error for %s', async (_name, arrange, key) => {
    assumeRole();
    arrange();
    const err = await diagnose(request, { pool: unitPool(), deadlineMs: 5000, checks: [] }).catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err.key).toBe(key);
    expect(err.exitCode).toBe(3);
    if (key === 'errors.task.denied') expect(err.params.action).toBe('ecs:DescribeTasks');
  });

  it('refuses an unconfigured account without calling AWS', async () => {
    const pool = unitPool(unitConfig({ accounts: { '123456789012': { defaultCredentials: true } } }));
    const err = await diagnose(request, { pool, deadlineMs: 5000, checks: [] }).catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err.key).toBe('errors.account.not-configured');
    expect(err.params).toMatchObject({ account: '210987654321', configured: '123456789012' });
  });

  it('refuses a task account the request may not read, before any AWS call (nock would fail on one)', async () => {
    const err = await diagnose(request, {
      pool: unitPool(),
      deadlineMs: 5000,
      checks: [],
      settings: { mayRead: (account) => account !== '210987654321' },
    }).catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err.key).toBe('errors.account.not-allowed');
  });

  it('a provider asking another account the request may not read gets a not-allowed fact, and no call is made', async () => {
    assumeRole();
    const calls: string[] = [];
    const providers = new Map([
      [
        'ecs.task',
        defineFact({
          name: 'ecs.task',
          actions: ['ecr:DescribeRepositories'],
          async get(h) {
            calls.push('asked');
            await h.call('ecr:DescribeRepositories', {}, async () => calls.push('called'), {
              account: '222222222222',
            });
            throw new Error('not reached');
          },
        }),
      ],
    ]) as unknown as ReadonlyMap<string, FactProvider>;
    const err = await diagnose(request, {
      pool: unitPool(),
      deadlineMs: 5000,
      checks: [],
      providers,
      settings: { mayRead: (account) => account === '210987654321' },
    }).catch((e) => e);
    expect(calls).toEqual(['asked']);
    // The task itself could not be read: the error says why, naming the account.
    expect(err).toBeInstanceOf(UserError);
    expect(JSON.stringify(err.params)).toContain('NotAllowed');
  });

  it('reports a role that cannot be assumed', async () => {
    queryCall(
      'sts',
      R,
      'AssumeRole',
      403,
      queryError(
        'sts',
        'AccessDenied',
        'User: arn:aws:iam::123456789012:user/bot is not authorized to perform: sts:AssumeRole',
      ),
    );
    const err = await diagnose(request, { pool: unitPool(), deadlineMs: 5000, checks: [] }).catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err.key).toBe('errors.account.assume-failed');
    expect(err.params.code).toBe('AccessDenied');
  });

  it('stops waiting at the deadline and keeps what it has', async () => {
    assumeRole();
    describeTasks();
    contextCalls();
    queryCall(
      'ec2',
      R,
      'DescribeNetworkInterfaces',
      200,
      fixture('aws/ec2-describe-network-interfaces.xml'),
      undefined,
      {
        delayMs: 4000,
      },
    );
    const started = Date.now();
    const { report, saved } = await diagnose(request, { pool: unitPool(), deadlineMs: 600, checks: [] });
    expect(Date.now() - started).toBeLessThan(2500);
    expect(report.aws.deadlineExceeded).toBe(true);
    expect(saved.facts['ec2.taskEni']).toMatchObject({ ok: false, error: { kind: 'timeout' } });
    expect(report.context.taskDefinition?.family).toBe('checkout');
  });
});
