/**
 * The service diagnosis over AWS's wire format (ECS JSON 1.1, STS XML through nock): 250 stopped tasks listed in
 * three pages and described in three batches, each page described while the next is listed; grouped by masked
 * stop reason, the group that matters first, with counts and time ranges; one diagnosis per group sharing what the
 * groups read; the rounds; and what fails: ListTasks denied (the service still answered), the service missing.
 */
import { describe, expect, it } from 'vitest';
import { parseServiceTarget } from '../../src/aws/service-target.js';
import type { TaskRecord } from '../../src/diagnosis/facts/types.js';
import { diagnoseService, groupStoppedTasks } from '../../src/diagnosis/service.js';
import { isUserError } from '../../src/errors.js';
import { assumeRoleXml, jsonCall, jsonError, queryCall } from '../helpers/aws-wire.js';
import { unitPool, useNock } from '../helpers/unit.js';

useNock();

const ACCOUNT = '210987654321';
const REGION = 'eu-south-1';
const CLUSTER = 'payments';
const SERVICE = 'checkout';
const SERVICE_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${CLUSTER}/${SERVICE}`;
const target = parseServiceTarget(SERVICE_ARN);
const id = (n: number) => n.toString(16).padStart(32, '0');
const arn = (n: number) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/${id(n)}`;
const T0 = 1795854000; // epoch seconds, as ECS sends them
const IMAGE = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/checkout:2.14.1`;
const TD = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/checkout:7`;

type Kind = 'tag' | 'timeout' | 'scaled';
/** Task n of a kind, as DescribeTasks returns it (no network attachment: no EC2 call in these tests). */
function task(n: number, kind: Kind) {
  const reason = {
    tag: `CannotPullContainerError: pull image manifest has been retried ${1 + (n % 3)} time(s): failed to resolve ref ${IMAGE}: ${IMAGE}: not found`,
    timeout: `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to do request: Head "https://${IMAGE.split('/')[0]}/v2/checkout/manifests/2.14.1": dial tcp 52.95.${n % 250}.1:443: i/o timeout`,
    scaled: 'Scaling activity initiated by (deployment ecs-svc/4242424242424242424)',
  }[kind];
  return {
    taskArn: arn(n),
    clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`,
    taskDefinitionArn: TD,
    group: `service:${SERVICE}`,
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    launchType: 'FARGATE',
    platformVersion: '1.4.0',
    stopCode: kind === 'scaled' ? 'ServiceSchedulerInitiated' : 'TaskFailedToStart',
    stoppedReason: reason,
    stoppedAt: T0 + n * 10,
    createdAt: T0 + n * 10 - 30,
    containers: [{ name: 'app', image: IMAGE, lastStatus: 'STOPPED' }],
  };
}

/** Tasks 1..250: 150 with a missing tag (the newest), 80 timeouts, 20 scaled in. */
const kindOf = (n: number): Kind => (n > 100 ? 'tag' : n > 20 ? 'timeout' : 'scaled');

const describeServices = () => ({
  failures: [],
  services: [
    {
      serviceArn: SERVICE_ARN,
      serviceName: SERVICE,
      clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`,
      status: 'ACTIVE',
      desiredCount: 3,
      runningCount: 0,
      pendingCount: 0,
      launchType: 'FARGATE',
      taskDefinition: TD,
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: true, rollback: true },
        maximumPercent: 200,
        minimumHealthyPercent: 100,
      },
      deployments: [
        {
          id: 'ecs-svc/3282512329797006262',
          status: 'PRIMARY',
          taskDefinition: TD,
          desiredCount: 3,
          pendingCount: 0,
          runningCount: 0,
          failedTasks: 150,
          createdAt: T0,
          updatedAt: T0 + 2500,
          launchType: 'FARGATE',
          rolloutState: 'FAILED',
          rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
        },
      ],
      events: [
        {
          id: '1f2e3d4c-0000-4000-8000-000000000001',
          createdAt: T0 + 2500,
          message: `(service ${SERVICE}) (deployment ecs-svc/3282512329797006262) deployment failed: tasks failed to start.`,
        },
        {
          id: '1f2e3d4c-0000-4000-8000-000000000002',
          createdAt: T0 + 2000,
          message: `(service ${SERVICE}) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.`,
        },
      ],
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ['subnet-0a1b2c3d4e5f67890'],
          securityGroups: ['sg-0c1d2e3f4a5b6c7d8'],
          assignPublicIp: 'DISABLED',
        },
      },
    },
  ],
});

const taskDefinition = {
  taskDefinition: {
    taskDefinitionArn: TD,
    family: 'checkout',
    revision: 7,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`,
    containerDefinitions: [{ name: 'app', image: IMAGE, essential: true }],
  },
};

function assumeRole() {
  queryCall(
    'sts',
    REGION,
    'AssumeRole',
    200,
    assumeRoleXml(`arn:aws:iam::${ACCOUNT}:role/ecs-pull-diagnostics`, 'ecs-pull-unit'),
  );
}

/** ListTasks pages of 100 (nextToken), each DescribeTasks call recorded with the tasks it asked for. */
function stoppedTasks(total: number, describeAsked: string[][]) {
  for (let page = 0; page * 100 < total; page++) {
    const from = page * 100 + 1;
    const to = Math.min(total, from + 99);
    const arns = Array.from({ length: to - from + 1 }, (_, i) => arn(total + 1 - (from + i)));
    const last = to === total;
    jsonCall(
      'ecs',
      REGION,
      'ListTasks',
      200,
      { taskArns: arns, ...(last ? {} : { nextToken: `page-${page + 1}` }) },
      (b) =>
        b.cluster === CLUSTER &&
        b.serviceName === SERVICE &&
        b.desiredStatus === 'STOPPED' &&
        b.maxResults === 100 &&
        b.nextToken === (page ? `page-${page}` : undefined),
    );
    jsonCall(
      'ecs',
      REGION,
      'DescribeTasks',
      200,
      {
        tasks: arns.map((a) => {
          const n = Number.parseInt(a.split('/').pop()!, 16);
          return task(n, kindOf(n));
        }),
        failures: [],
      },
      (b) => {
        const asked = b.tasks as string[];
        if (asked.length !== arns.length || asked[0] !== arns[0]) return false;
        describeAsked.push(asked);
        return true;
      },
    );
  }
}

describe('groupStoppedTasks', () => {
  it('groups by masked stop reason, failures first, then size, then recency', () => {
    const tasks = Array.from({ length: 250 }, (_, i) =>
      task(i + 1, kindOf(i + 1)),
    ) as unknown as TaskRecord[];
    const groups = groupStoppedTasks(tasks);
    expect(groups.map((g) => g.tasks.length)).toEqual([150, 80, 20]);
    expect(groups.map((g) => g.failed)).toEqual([true, true, false]);
    // Most recent first; the range from the first to the last stop.
    expect(groups[0]!.tasks[0]!.taskArn).toBe(arn(250));
    expect(groups[0]!.first).toBe(new Date((T0 + 1010) * 1000).toISOString());
    expect(groups[0]!.last).toBe(new Date((T0 + 2500) * 1000).toISOString());
    expect(groups[0]!.stoppedReason).toContain('not found');
    // Scaled-in tasks come last even when they are the newest.
    const newer = groupStoppedTasks([
      ...(tasks.slice(20, 30) as TaskRecord[]),
      ...Array.from({ length: 30 }, (_, i) => task(500 + i, 'scaled') as unknown as TaskRecord),
    ]);
    expect(newer.map((g) => [g.tasks.length, g.failed])).toEqual([
      [10, true],
      [30, false],
    ]);
  });

  it('a task with no stop reason is grouped by its container’s reason, then by its stop code', () => {
    const a = {
      taskArn: arn(1),
      stopCode: 'TaskFailedToStart',
      containers: [{ name: 'app', reason: 'CannotPullContainerError: x' }],
    };
    const b = { taskArn: arn(2), stopCode: 'TaskFailedToStart' };
    const groups = groupStoppedTasks([a, b, { ...b, taskArn: arn(3) }] as TaskRecord[]);
    expect(groups.map((g) => [g.stoppedReason, g.tasks.length])).toEqual([
      ['', 2],
      ['CannotPullContainerError: x', 1],
    ]);
  });
});

describe('diagnoseService', () => {
  const deps = (checks = true) => ({
    pool: unitPool(),
    deadlineMs: 5_000,
    ...(checks ? { checks: [] } : {}),
  });

  it('250 stopped tasks in 3 groups: 3 pages, 3 DescribeTasks, one task definition read for all groups', async () => {
    assumeRole();
    jsonCall('ecs', REGION, 'DescribeServices', 200, describeServices(), (b) => b.cluster === CLUSTER);
    const asked: string[][] = [];
    stoppedTasks(250, asked);
    // One DescribeTaskDefinition: the three groups' diagnoses share it (a second would find no interceptor).
    jsonCall('ecs', REGION, 'DescribeTaskDefinition', 200, taskDefinition, (b) => b.taskDefinition === TD);

    const r = await diagnoseService({ target, requester: 'unit' }, deps());
    expect(asked.map((a) => a.length)).toEqual([100, 100, 50]);
    expect(r.service.stoppedTasks).toEqual({ listed: 250, described: 250, truncated: false });
    expect(r.groups.map((g) => [g.count, g.failed])).toEqual([
      [150, true],
      [80, true],
      [20, false],
    ]);
    // Each group's report is its most recent task's, and the task was not asked for again.
    expect(r.groups.map((g) => g.report?.context.taskId)).toEqual([id(250), id(100), id(20)]);
    expect(r.groups[0]!.report!.causes[0]!.id).toBe('image-not-found');
    expect(r.groups[0]!.first).toBe(new Date((T0 + 1010) * 1000).toISOString());
    expect(r.service.deployments[0]).toMatchObject({
      rolloutState: 'FAILED',
      failedTasks: 150,
      status: 'PRIMARY',
    });
    expect(r.service.circuitBreaker).toEqual({ enable: true, rollback: true });
    expect(r.service.events[0]!.message).toContain('deployment failed');
    expect(r.service.events[0]!.createdAt).toBe(new Date((T0 + 2500) * 1000).toISOString());
    expect(r.preflight).toBeNull();
    // Calls and rounds: AssumeRole (1), DescribeServices and the first page (2), each page described while the next
    // is listed (3, 4, 5), then the diagnoses (the task definition, 6).
    const real = r.aws.calls.filter((c) => !c.cached);
    const byApi = (api: string) => real.filter((c) => c.api === api).map((c) => c.round);
    expect(byApi('sts:AssumeRole')).toEqual([1]);
    expect(byApi('ecs:DescribeServices')).toEqual([2]);
    expect(byApi('ecs:ListTasks')).toEqual([2, 3, 4]);
    expect(byApi('ecs:DescribeTasks').sort()).toEqual([3, 4, 5]);
    expect(byApi('ecs:DescribeTaskDefinition')).toEqual([6]);
    expect(r.aws.callCount).toBe(9);
    expect(r.aws.rounds).toBe(6);
  });

  it('ListTasks denied: the service is answered with its state and events, and the note names the action', async () => {
    assumeRole();
    jsonCall('ecs', REGION, 'DescribeServices', 200, describeServices());
    jsonCall(
      'ecs',
      REGION,
      'ListTasks',
      400,
      jsonError(
        'AccessDeniedException',
        `User: arn:aws:sts::${ACCOUNT}:assumed-role/x is not authorized to perform: ecs:ListTasks`,
      ),
    );
    const r = await diagnoseService({ target, requester: 'unit' }, deps());
    expect(r.groups).toEqual([]);
    expect(r.notes.map((n) => n.key)).toEqual(['service:notes.tasks-unreadable', 'service:notes.no-stopped']);
    expect(r.notes[0]!.params).toEqual({ action: 'ecs:ListTasks', code: 'AccessDeniedException' });
    expect(r.service.deployments).toHaveLength(1);
  });

  it('no stopped task left and no pre-flight given: says so', async () => {
    assumeRole();
    jsonCall('ecs', REGION, 'DescribeServices', 200, describeServices());
    jsonCall('ecs', REGION, 'ListTasks', 200, { taskArns: [] });
    const r = await diagnoseService({ target, requester: 'unit' }, deps());
    expect(r.service.stoppedTasks).toEqual({ listed: 0, described: 0, truncated: false });
    expect(r.notes.map((n) => n.key)).toEqual(['service:notes.no-stopped']);
    expect(r.preflight).toBeNull();
  });

  it('a service ECS does not know is a user error (exit 3), after the one round it took', async () => {
    assumeRole();
    jsonCall('ecs', REGION, 'DescribeServices', 200, {
      services: [],
      failures: [{ arn: SERVICE_ARN, reason: 'MISSING' }],
    });
    jsonCall('ecs', REGION, 'ListTasks', 400, jsonError('ServiceNotFoundException', 'Service not found.'));
    const err = await diagnoseService({ target, requester: 'unit' }, deps()).catch((e: unknown) => e);
    expect(isUserError(err) && err.key).toBe('service:errors.service.missing');
    expect(isUserError(err) && err.exitCode).toBe(3);
  });

  it('an account the request may not read: refused before any call', async () => {
    const err = await diagnoseService(
      { target, requester: 'unit' },
      { ...deps(), settings: { mayRead: () => false } },
    ).catch((e: unknown) => e);
    expect(isUserError(err) && err.key).toBe('errors.account.not-allowed');
  });
});
