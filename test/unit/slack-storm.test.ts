/**
 * Alert storms, the parts without Slack: which alerts belong together (stopped reasons with their variable parts
 * masked, task groups, channels), the batched DescribeTasks that learns the group of alerts naming only a task
 * ARN (AWS's JSON 1.1 wire format through nock), and leader election in the store.
 */
import { describe, expect, it } from 'vitest';
import type { TaskTarget } from '../../src/aws/target.js';
import { normalizeStopReason, StormGroups, stormGroupOf, TaskLookup } from '../../src/slack/storm.js';
import { MemoryStore } from '../../src/state/store.js';
import { jsonCall, jsonError } from '../helpers/aws-wire.js';
import { captureLog } from '../helpers/slack-log.js';
import { unitPool, useNock } from '../helpers/unit.js';

const ACCOUNT = '123456789012';
const REGION = 'eu-south-1';
const id = (n: number) => `${String(n).padStart(4, '0')}b1c8e7a4d6f9b0c1a2e3d4f5a6b`.padEnd(32, '0');
const target = (n: number, cluster = 'payments'): TaskTarget => ({
  partition: 'aws',
  region: REGION,
  account: ACCOUNT,
  cluster,
  taskId: id(n),
  taskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${cluster}/${id(n)}`,
});
const pull = (ip: string, retries: number, tag = '2.14.0') =>
  `CannotPullContainerError: pull image manifest has been retried ${retries} time(s): failed to resolve ref ${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/checkout:${tag}: failed to do request: Head "https://${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/v2/checkout/manifests/${tag}": dial tcp ${ip}:443: i/o timeout`;

describe('normalizeStopReason', () => {
  it('masks what differs between tasks failing for one cause', () => {
    expect(normalizeStopReason(pull('52.95.0.1', 7))).toBe(normalizeStopReason(pull('3.5.140.2', 5)));
    expect(
      normalizeStopReason(
        'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 5 time(s): failed to fetch secret arn:aws:secretsmanager:eu-south-1:123456789012:secret:db-AbCdEf from secrets manager: RequestError: send request failed caused by: Post "https://secretsmanager.eu-south-1.amazonaws.com/": dial tcp 10.0.3.17:443: i/o timeout',
      ),
    ).toContain('dial tcp <ip>: i/o timeout');
    expect(
      normalizeStopReason(
        'Task failed, request id: 3f1c2a9e-1b2c-4d5e-8f90-1a2b3c4d5e6f at 2026-11-28T09:12:43.512Z',
      ),
    ).toBe('Task failed, request id <id> at <time>');
  });

  it('keeps what tells causes apart: the image, the error', () => {
    expect(normalizeStopReason(pull('52.95.0.1', 7, '2.14.0'))).not.toBe(
      normalizeStopReason(pull('52.95.0.1', 7, '2.14.1')),
    );
    expect(
      normalizeStopReason(
        'CannotPullContainerError: ref pull has been retried 1 time(s): failed to resolve ref x: not found',
      ),
    ).not.toBe(
      normalizeStopReason(
        'CannotPullContainerError: ref pull has been retried 1 time(s): failed to resolve ref x: i/o timeout',
      ),
    );
    expect(normalizeStopReason(undefined)).toBe('');
    expect(normalizeStopReason('x'.repeat(2000))).toHaveLength(500);
  });
});

describe('stormGroupOf', () => {
  const summary = (reason: string, group = 'service:checkout') => ({ group, stoppedReason: reason });
  it('groups tasks of one service with the same reason, in one channel', () => {
    const a = stormGroupOf('C1', target(1), summary(pull('52.95.0.1', 7)));
    const b = stormGroupOf('C1', target(2), summary(pull('3.5.140.2', 3)));
    expect(a).toEqual(b);
    expect(a!.group).toBe('service:checkout');
    expect(stormGroupOf('C2', target(2), summary(pull('3.5.140.2', 3)))!.key).not.toBe(a!.key);
    expect(stormGroupOf('C1', target(2), summary(pull('3.5.140.2', 3), 'service:web'))!.key).not.toBe(a!.key);
    expect(stormGroupOf('C1', target(2, 'other'), summary(pull('3.5.140.2', 3)))!.key).not.toBe(a!.key);
    expect(stormGroupOf('C1', target(2), summary('Essential container in task exited'))!.key).not.toBe(
      a!.key,
    );
  });

  it('does not group what it knows too little about', () => {
    expect(stormGroupOf('C1', target(1), undefined)).toBeUndefined();
    expect(stormGroupOf('C1', target(1), { stoppedReason: 'x' })).toBeUndefined();
    expect(stormGroupOf('C1', { ...target(1), account: undefined }, summary('x'))).toBeUndefined();
    expect(
      stormGroupOf('C1', target(1), {
        taskDefinitionArn: 'arn:aws:ecs:eu-south-1:123456789012:task-definition/checkout:7',
      })!.group,
    ).toBe('taskdef:arn:aws:ecs:eu-south-1:123456789012:task-definition/checkout:7');
  });
});

describe('TaskLookup: DescribeTasks batched per cluster', () => {
  useNock();
  const task = (n: number, cluster = 'payments') => ({
    taskArn: target(n, cluster).taskArn,
    clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${cluster}`,
    group: 'service:checkout',
    lastStatus: 'STOPPED',
    stopCode: 'TaskFailedToStart',
    stoppedReason: pull('52.95.0.1', 7),
    taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/checkout:7`,
  });

  it('asks once for the tasks that arrive within the window, and apart per cluster', async () => {
    const bodies: Array<Record<string, unknown>> = [];
    jsonCall(
      'ecs',
      REGION,
      'DescribeTasks',
      200,
      { tasks: [task(1), task(2)], failures: [{ arn: target(3).taskArn, reason: 'MISSING' }] },
      (b) => {
        bodies.push(b);
        return b.cluster === 'payments';
      },
    );
    jsonCall('ecs', REGION, 'DescribeTasks', 200, { tasks: [task(4, 'web')], failures: [] }, (b) => {
      bodies.push(b);
      return b.cluster === 'web';
    });
    const lookup = new TaskLookup(unitPool(), captureLog().log, { quietWindowMs: 50 });
    const [a, b, c, d] = await Promise.all([
      lookup.lookup(target(1), 'slack-T1-alert-B1'),
      lookup.lookup(target(2), 'slack-T1-alert-B1'),
      lookup.lookup(target(3), 'slack-T1-alert-B1'),
      lookup.lookup(target(4, 'web'), 'slack-T1-alert-B1'),
    ]);
    expect(lookup.calls).toBe(2);
    expect(bodies.find((x) => x.cluster === 'payments')!.tasks).toEqual([
      target(1).taskArn,
      target(2).taskArn,
      target(3).taskArn,
    ]);
    expect(a).toEqual({
      group: 'service:checkout',
      stoppedReason: pull('52.95.0.1', 7),
      stopCode: 'TaskFailedToStart',
      taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/checkout:7`,
    });
    expect(b?.group).toBe('service:checkout');
    // ECS no longer shows it: nothing to group on (the alert is diagnosed alone, which says so).
    expect(c).toBeUndefined();
    expect(d?.group).toBe('service:checkout');
  });

  it('never asks for more than 100 tasks in one call', async () => {
    const sizes: number[] = [];
    for (let i = 0; i < 2; i++) {
      jsonCall('ecs', REGION, 'DescribeTasks', 200, { tasks: [], failures: [] }, (b) => {
        sizes.push((b.tasks as string[]).length);
        return true;
      });
    }
    const lookup = new TaskLookup(unitPool(), captureLog().log, { quietWindowMs: 50 });
    await Promise.all(Array.from({ length: 130 }, (_, i) => lookup.lookup(target(i + 1), 'r')));
    expect(sizes.sort((x, y) => y - x)).toEqual([100, 30]);
  });

  it('resolves every waiting alert to "unknown" when DescribeTasks is denied, and says so in the log', async () => {
    jsonCall(
      'ecs',
      REGION,
      'DescribeTasks',
      400,
      jsonError('AccessDeniedException', 'User is not authorized to perform: ecs:DescribeTasks'),
    );
    const captured = captureLog();
    const lookup = new TaskLookup(unitPool(), captured.log, { quietWindowMs: 20 });
    expect(await Promise.all([lookup.lookup(target(1), 'r'), lookup.lookup(target(2), 'r')])).toEqual([
      undefined,
      undefined,
    ]);
    expect(captured.text()).toContain('DescribeTasks for alert grouping failed');
  });
});

describe('StormGroups: one leader per group', () => {
  const opts = { leadTtlMs: 5_000, pollMs: 20, maxWaitMs: 2_000, windowMs: 60_000 };
  const first = {
    v: 1 as const,
    channel: 'C1',
    ts: '1764320000.000001',
    link: 'https://ecs-pull-test.slack.com/archives/C1/p1764320000000001',
    taskId: id(1),
    group: 'service:checkout',
  };

  it('elects one leader; the others get its first reply as soon as it is published', async () => {
    const groups = new StormGroups(new MemoryStore(), captureLog().log, opts);
    const joined = Promise.all(Array.from({ length: 20 }, () => groups.join('k')));
    await new Promise((r) => setTimeout(r, 50));
    await groups.publish('k', first);
    const roles = await joined;
    expect(roles.filter((r) => r.role === 'leader')).toHaveLength(1);
    expect(roles.filter((r) => r.role === 'follower')).toHaveLength(19);
    expect(await groups.join('k')).toEqual({ role: 'follower', first });
  });

  it('hands the lead to the next alert when the leader gives up, and lets late alerts go alone', async () => {
    const groups = new StormGroups(new MemoryStore(), captureLog().log, opts);
    expect((await groups.join('k')).role).toBe('leader');
    const next = groups.join('k');
    await groups.abandon('k');
    expect((await next).role).toBe('leader');
    const captured = captureLog();
    const impatient = new StormGroups(new MemoryStore(), captured.log, { ...opts, maxWaitMs: 100 });
    expect((await impatient.join('j')).role).toBe('leader');
    expect((await impatient.join('j')).role).toBe('alone');
    expect(captured.text()).toContain('first reply of an alert storm is late');
  });
});
