/**
 * The alert storm's batched DescribeTasks goes through the fact layer: answers shared through the call cache the
 * diagnoses use (per task, so that a task seen again is not asked for again, and a diagnosis of it reads the same
 * answer), every call recorded as a fact session records it, errors never cached. AWS's JSON 1.1 wire format
 * through nock.
 */
import { describe, expect, it } from 'vitest';
import type { TaskTarget } from '../../src/aws/target.js';
import { MemoryCallCache } from '../../src/diagnosis/facts/call-cache.js';
import { taskFact } from '../../src/diagnosis/facts/ecs.js';
import { FactSession } from '../../src/diagnosis/facts/session.js';
import { describeTaskBatch } from '../../src/diagnosis/facts/task-batch.js';
import type { CallRecord } from '../../src/diagnosis/facts/types.js';
import { Metrics } from '../../src/observability/metrics.js';
import { TaskLookup } from '../../src/slack/storm.js';
import { assumeRoleXml, jsonCall, jsonError, queryCall } from '../helpers/aws-wire.js';
import { captureLog } from '../helpers/slack-log.js';
import { unitPool, useNock } from '../helpers/unit.js';

useNock();

const OWN = '123456789012';
const ROLE_ACCOUNT = '210987654321';
const REGION = 'eu-south-1';
const id = (n: number) => `${String(n).padStart(4, '0')}c1c8e7a4d6f9b0c1a2e3d4f5a6b`.padEnd(32, '0');
const target = (n: number, account = OWN): TaskTarget => ({
  partition: 'aws',
  region: REGION,
  account,
  cluster: 'payments',
  taskId: id(n),
  taskArn: `arn:aws:ecs:${REGION}:${account}:task/payments/${id(n)}`,
});
const task = (n: number, account = OWN) => ({
  taskArn: target(n, account).taskArn,
  clusterArn: `arn:aws:ecs:${REGION}:${account}:cluster/payments`,
  group: 'service:checkout',
  lastStatus: 'STOPPED',
  stopCode: 'TaskFailedToStart',
  stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 7 time(s): i/o timeout',
  taskDefinitionArn: `arn:aws:ecs:${REGION}:${account}:task-definition/checkout:7`,
});

/** Answers DescribeTasks with these tasks (and those in `gone` as MISSING), recording what the call asked for. */
function answering(asked: string[][], tasks: number[], gone: number[] = [], account = OWN) {
  jsonCall(
    'ecs',
    REGION,
    'DescribeTasks',
    200,
    {
      tasks: tasks.map((n) => task(n, account)),
      failures: gone.map((n) => ({ arn: target(n, account).taskArn, reason: 'MISSING' })),
    },
    (b) => {
      asked.push(b.tasks as string[]);
      return true;
    },
  );
}

const ids = (...ns: number[]) => ns.map((n) => target(n).taskArn!);

describe('describeTaskBatch', () => {
  it('asks AWS only for the tasks the shared cache does not hold, and records each call', async () => {
    const pool = unitPool();
    const cache = new MemoryCallCache();
    const calls: CallRecord[] = [];
    const asked: string[][] = [];
    const req = {
      pool,
      target: target(1),
      requester: 'slack-T1-alert-B1',
      cache,
      record: (c: CallRecord) => calls.push(c),
    };

    answering(asked, [1, 2], [3]);
    const first = await describeTaskBatch({ ...req, ids: ids(1, 2, 3) });
    expect(first.calls).toBe(1);
    expect(first.error).toBeUndefined();
    expect([...first.tasks.keys()]).toEqual([id(1), id(2)]);
    expect(first.tasks.get(id(1))?.group).toBe('service:checkout');

    // Tasks 1 to 3 are known (task 3 as MISSING, as ECS said it): only task 4 is asked for.
    answering(asked, [4]);
    const second = await describeTaskBatch({ ...req, ids: ids(3, 1, 4) });
    expect(second.calls).toBe(1);
    expect([...second.tasks.keys()].sort()).toEqual([id(1), id(4)]);
    expect(asked).toEqual([ids(1, 2, 3), ids(4)]);

    // All known: no call at all, recorded as answered by the cache.
    const third = await describeTaskBatch({ ...req, ids: ids(2, 4) });
    expect(third.calls).toBe(0);
    expect(third.tasks.size).toBe(2);

    expect(calls.map((c) => [c.api, c.account, c.region, c.ok, !!c.cached])).toEqual([
      ['ecs:DescribeTasks', OWN, REGION, true, false],
      ['ecs:DescribeTasks', OWN, REGION, true, false],
      ['ecs:DescribeTasks', OWN, REGION, true, true],
    ]);
  });

  it('keeps what DescribeTasks answers for one task, under the key a diagnosis of that task reads', async () => {
    const pool = unitPool();
    const cache = new MemoryCallCache();
    answering([], [1, 2]);
    await describeTaskBatch({ pool, target: target(1), ids: ids(1, 2), requester: 'r', cache });
    // The diagnosis of task 2 (the group's first alert) needs no DescribeTasks of its own.
    const session = new FactSession({
      pool,
      providers: new Map([['ecs.task', taskFact]]),
      inputs: {
        target: target(2),
        requester: 'slack-T1-alert-B1',
        settings: {
          probePublicRegistries: false,
          probeTimeoutMs: 1000,
          canReachAccount: () => true,
          mayRead: () => true,
        },
      },
      deadlineMs: 5_000,
      sharedCache: cache,
    });
    await session.prepare();
    const fact = await session.fact('ecs.task');
    expect(fact.ok && fact.value.source).toBe('describe-tasks');
    expect(fact.ok && fact.value.task.taskArn).toBe(target(2).taskArn);
    expect(session.calls).toEqual([
      expect.objectContaining({ api: 'ecs:DescribeTasks', ok: true, cached: true }),
    ]);
  });

  it('records a denied call with its code and caches nothing of it', async () => {
    const pool = unitPool();
    const cache = new MemoryCallCache();
    const calls: CallRecord[] = [];
    const req = {
      pool,
      target: target(1),
      ids: ids(1, 2),
      requester: 'r',
      cache,
      record: (c: CallRecord) => calls.push(c),
    };
    jsonCall(
      'ecs',
      REGION,
      'DescribeTasks',
      400,
      jsonError('AccessDeniedException', 'User is not authorized to perform: ecs:DescribeTasks'),
    );
    const denied = await describeTaskBatch(req);
    expect(denied.tasks.size).toBe(0);
    expect((denied.error as Error).name).toBe('AccessDeniedException');
    expect(calls).toEqual([
      expect.objectContaining({ api: 'ecs:DescribeTasks', ok: false, errorCode: 'AccessDeniedException' }),
    ]);
    answering([], [1, 2]);
    expect((await describeTaskBatch(req)).tasks.size).toBe(2);
  });

  it('records the role session it had to assume, in the round before the call', async () => {
    const role = `arn:aws:iam::${ROLE_ACCOUNT}:role/ecs-pull-diagnostics`;
    queryCall('sts', REGION, 'AssumeRole', 200, assumeRoleXml(role, 'ecs-pull-slack-T1-alert-B1'));
    answering([], [1], [], ROLE_ACCOUNT);
    const calls: CallRecord[] = [];
    const r = await describeTaskBatch({
      pool: unitPool(),
      target: target(1, ROLE_ACCOUNT),
      ids: [target(1, ROLE_ACCOUNT).taskArn!],
      requester: 'slack-T1-alert-B1',
      record: (c) => calls.push(c),
    });
    expect(r.tasks.size).toBe(1);
    expect(calls.map((c) => [c.api, c.account, c.round, c.ok])).toEqual([
      ['sts:AssumeRole', ROLE_ACCOUNT, 1, true],
      ['ecs:DescribeTasks', ROLE_ACCOUNT, 2, true],
    ]);
  });
});

describe('TaskLookup through the fact layer', () => {
  it('counts its calls on the AWS metrics, errors included, and serves repeated tasks from the cache', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    const cache = new MemoryCallCache();
    const lookup = new TaskLookup(
      unitPool(),
      captureLog().log,
      { quietWindowMs: 20, busyWindowMs: 20 },
      {
        cache,
        record: (c) => metrics.awsCall(c),
      },
    );
    answering([], [1, 2]);
    await Promise.all([lookup.lookup(target(1), 'r'), lookup.lookup(target(2), 'r')]);
    // The same tasks alerted again within the cache's TTL: no call.
    expect((await lookup.lookup(target(1), 'r'))?.group).toBe('service:checkout');
    expect(lookup.calls).toBe(1);
    jsonCall('ecs', REGION, 'DescribeTasks', 400, jsonError('AccessDeniedException', 'denied'));
    expect(await lookup.lookup(target(3), 'r')).toBeUndefined();
    expect(lookup.calls).toBe(2);
    const { body } = await metrics.text();
    expect(body).toContain('ecs_pull_aws_calls_total{api="ecs:DescribeTasks",cached="false"} 2');
    expect(body).toContain('ecs_pull_aws_calls_total{api="ecs:DescribeTasks",cached="true"} 1');
    expect(body).toContain(
      'ecs_pull_aws_errors_total{api="ecs:DescribeTasks",code="AccessDeniedException"} 1',
    );
  });
});
