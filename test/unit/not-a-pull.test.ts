/** not-a-pull-failure: what ECS says a task stopped for, when it is not a pull; and what stays with the checks. */
import { describe, expect, it } from 'vitest';
import { classify } from '../../src/diagnosis/classify.js';
import { notAPullFailure } from '../../src/diagnosis/not-a-pull.js';
import { decide } from '../../src/diagnosis/verdict.js';
import { translator } from '../../src/i18n.js';
import { say } from '../../src/render/text.js';
import { result, taskContext } from '../helpers/verdict-context.js';

const PULL =
  'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref x: dial tcp 1.2.3.4:443: i/o timeout';

describe('notAPullFailure: tasks that did not fail to pull', () => {
  it('a task that has not stopped', () => {
    expect(notAPullFailure({ lastStatus: 'RUNNING' })).toMatchObject({
      kind: 'not-stopped',
      status: 'RUNNING',
    });
    expect(notAPullFailure({ lastStatus: 'STOPPING', stopCode: 'EssentialContainerExited' })?.kind).toBe(
      'not-stopped',
    );
  });

  it('each reason ECS writes, from its real words', () => {
    const kind = (
      stoppedReason: string,
      stopCode?: string,
      containers: Array<{ name: string; exitCode?: number; reason?: string }> = [],
    ) => notAPullFailure({ lastStatus: 'STOPPED', stopCode, stoppedReason, containers })?.kind;
    expect(
      kind('Essential container in task exited', 'EssentialContainerExited', [{ name: 'app', exitCode: 1 }]),
    ).toBe('exited');
    expect(
      kind('Essential container in task exited', 'EssentialContainerExited', [
        { name: 'app', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' },
      ]),
    ).toBe('out-of-memory');
    expect(
      kind(
        'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/web/1)',
        'ServiceSchedulerInitiated',
      ),
    ).toBe('health-check');
    expect(kind('Task failed container health checks', 'ServiceSchedulerInitiated')).toBe('health-check');
    expect(
      kind(
        'Scaling activity initiated by (deployment ecs-svc/1234567890123456789)',
        'ServiceSchedulerInitiated',
      ),
    ).toBe('scaled-in');
    expect(kind('Task stopped by user', 'UserInitiated')).toBe('user');
    expect(kind('Your Spot Task was interrupted.', 'SpotInterruption')).toBe('spot');
    expect(kind('Something else entirely', 'TerminationNotice')).toBe('spot');
  });

  it('a container that failed to pull explains the task, whatever the stop reason says', () => {
    expect(
      notAPullFailure({
        lastStatus: 'STOPPED',
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        containers: [{ name: 'app', reason: PULL }],
      }),
    ).toBeUndefined();
    expect(classify(['Essential container in task exited', PULL]).causes[0]!.id).toBe('network-no-route');
  });

  it('a start failure stays with the checks, even while the task is stopping or its words are unknown', () => {
    expect(
      notAPullFailure({ lastStatus: 'STOPPING', stopCode: 'TaskFailedToStart', stoppedReason: PULL }),
    ).toBeUndefined();
    expect(
      notAPullFailure({ lastStatus: 'STOPPED', stopCode: 'TaskFailedToStart', stoppedReason: 'odd words' }),
    ).toBeUndefined();
    expect(notAPullFailure({ lastStatus: 'STOPPED' })).toBeUndefined();
  });
});

describe('classify: messages of tasks that did not fail to pull', () => {
  for (const m of [
    'Essential container in task exited',
    'OutOfMemoryError: Container killed due to memory usage',
    'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/abc)',
    'Scaling activity initiated by (deployment ecs-svc/1234567890123456789)',
    'Task stopped by user',
  ]) {
    it(m, () => {
      const r = classify(m);
      expect(r.causes[0]!.id).toBe('not-a-pull-failure');
      expect(r.causes).toHaveLength(1);
    });
  }
});

describe('verdict: not-a-pull-failure is the only answer, with the exit codes, whatever a check found', () => {
  it('an exited container, a failing route check given anyway', () => {
    const ctx = taskContext({ reason: 'Essential container in task exited' });
    ctx.stopCode = 'EssentialContainerExited';
    ctx.containers[0]!.exitCode = 137;
    const { causes, verdict } = decide(ctx, [
      result('network.route', 'fail', 'none', { subnetId: 's', routeTableId: 'r' }),
    ]);
    expect(causes.map((c) => c.id)).toEqual(['not-a-pull-failure']);
    expect(causes[0]!.confidence).toBe(1);
    expect(verdict.notes.map((n) => n.key)).toEqual(['causes:verdict.not-a-pull']);
    const en = translator('en');
    expect(say(en, causes[0]!.summary)).toContain('exited with code 137');
    expect(causes[0]!.evidence!.map((e) => say(en, e))).toContain('Container checkout exited with code 137');
    expect(say(translator('it'), causes[0]!.summary)).toContain('terminato con codice 137');
  });

  it('words ECS uses for a task that ran, on a task ECS says failed to start: the checks decide as before', () => {
    const { causes, verdict } = decide(taskContext({ reason: 'Essential container in task exited' }), [
      result('network.route', 'fail', 'none', { subnetId: 's', routeTableId: 'r' }),
    ]);
    expect(causes[0]!.id).toBe('network-no-route');
    expect(causes.map((c) => c.id)).not.toContain('not-a-pull-failure');
    expect(verdict.notes[0]!.key).toBe('causes:verdict.message-unrecognised');
  });
});
