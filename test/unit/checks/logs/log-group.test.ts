import { describe, expect, it } from 'vitest';
import { logGroupCheck } from '../../../../src/diagnosis/checks/logs/log-group.js';
import {
  denyFact,
  english,
  evidenceText,
  loadFacts,
  runCheck,
  setFact,
  value,
} from '../../../helpers/checks.js';
import { checkoutGroup, EXECUTION_ROLE, GROUP_ARN, withLogs } from '../../../helpers/start-facts.js';

describe('logs.log-group: each awslogs container names a group and a region, and the group exists or may be created', () => {
  it('passes when the log group exists, naming its class', async () => {
    const r = await runCheck(logGroupCheck, withLogs());
    expect(r.status).toBe('pass');
    expect(english(r.message)).toBe(
      'Log group /ecs/checkout (eu-south-1) exists: the awslogs driver of checkout can write there.',
    );
    expect(evidenceText(r)).toContain('class STANDARD');
    expect(r.links.map((l) => l.kind)).toEqual(['log-group']);
    expect(r.links[0]!.url).toContain('#logsV2:log-groups/log-group/$252Fecs$252Fcheckout');
  });

  it('fails a missing group without awslogs-create-group, pointing at log-configuration', async () => {
    const r = await runCheck(logGroupCheck, withLogs({ group: { exists: false } }));
    expect(r.status).toBe('fail');
    expect(r.cause).toBe('log-configuration');
    expect(r.message.key).toBe('logs:log-group.fail.missing');
    expect(english(r.message)).toContain(
      '/ecs/checkout does not exist in eu-south-1 and awslogs-create-group is not set',
    );
    expect(english(r.remediation!)).toContain('Create log group /ecs/checkout in eu-south-1');
  });

  it('passes a missing group that the driver creates, when the execution role may', async () => {
    const r = await runCheck(logGroupCheck, withLogs({ group: { exists: false }, createGroup: true }));
    expect(r.status).toBe('pass');
    expect(r.message.key).toBe('logs:log-group.pass.created');
  });

  it('fails when awslogs-create-group is set but the execution role may not do logs:CreateLogGroup', async () => {
    const r = await runCheck(
      logGroupCheck,
      withLogs({ group: { exists: false }, createGroup: true, create: 'implicitDeny' }),
    );
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('logs:log-group.fail.create-denied');
    expect(english(r.message)).toContain(`execution role ${EXECUTION_ROLE} may not do logs:CreateLogGroup`);
    expect(english(r.remediation!)).toContain(`${GROUP_ARN}:*`);
  });

  it('warns when creating the group is allowed only under conditions', async () => {
    const s = withLogs({ group: { exists: false }, createGroup: true });
    const sim = value(s, 'iam.executionRoleSimulation');
    Object.assign(sim.find((x) => x.action === 'logs:CreateLogGroup')!, {
      decision: 'implicitDeny',
      missingContext: ['aws:RequestTag/team'],
    });
    const r = await runCheck(logGroupCheck, s);
    expect(r.status).toBe('warn');
    expect(english(r.message)).toContain('aws:RequestTag/team');
  });

  it('fails a container without awslogs-region, naming the option', async () => {
    const s = withLogs();
    delete value(s, 'ecs.taskDefinition').containerDefinitions![0]!.logConfiguration!.options![
      'awslogs-region'
    ];
    const r = await runCheck(logGroupCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('logs:log-group.fail.options');
    expect(english(r.message)).toContain('Container checkout uses the awslogs driver without awslogs-region');
  });

  it('is unknown, naming logs:DescribeLogGroups, when the group could not be read', async () => {
    const error = {
      kind: 'denied' as const,
      code: 'AccessDeniedException',
      message: 'no',
      action: 'logs:DescribeLogGroups',
    };
    const s = withLogs();
    setFact(s, 'logs.groups', [{ ...checkoutGroup(), exists: undefined, error }]);
    const r = await runCheck(logGroupCheck, s);
    expect(r.status).toBe('unknown');
    expect(r.missing?.error.action).toBe('logs:DescribeLogGroups');
  });

  it('is unknown when the whole fact failed', async () => {
    const s = withLogs();
    denyFact(s, 'logs.groups', 'logs:DescribeLogGroups');
    expect((await runCheck(logGroupCheck, s)).status).toBe('unknown');
  });

  it('skips a task without awslogs, and says so for a diagnosis saved before log groups were read', async () => {
    const none = withLogs();
    delete value(none, 'ecs.taskDefinition').containerDefinitions![0]!.logConfiguration;
    expect((await runCheck(logGroupCheck, none)).message.key).toBe('logs:log-group.skip.none');
    const old = await runCheck(logGroupCheck, loadFacts('identity/healthy.json'));
    expect(old.status).toBe('skip');
    expect(old.message.key).toBe('logs:log-group.skip.not-gathered');
    expect(old.inconclusive).toBe(true);
  });
});
