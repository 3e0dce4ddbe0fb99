import { describe, expect, it } from 'vitest';
import { logPermissionsCheck } from '../../../../src/diagnosis/checks/logs/permissions.js';
import {
  denyFact,
  english,
  evidenceText,
  loadFacts,
  runCheck,
  setFact,
  value,
} from '../../../helpers/checks.js';
import { EXECUTION_ROLE, GROUP_ARN, withLogs } from '../../../helpers/start-facts.js';

describe('logs.permissions: the execution role may create the log streams and put log events', () => {
  it('passes when the simulation allows logs:CreateLogStream and logs:PutLogEvents on the stream', async () => {
    const r = await runCheck(logPermissionsCheck, withLogs());
    expect(r.status).toBe('pass');
    expect(english(r.message)).toContain(
      'ecsTaskExecutionRole may create log streams and put log events in /ecs/checkout',
    );
    expect(evidenceText(r)).toContain('Decided by iam:SimulatePrincipalPolicy');
  });

  it('fails when the role may not write, naming the actions, and points at log-configuration', async () => {
    const r = await runCheck(logPermissionsCheck, withLogs({ write: 'implicitDeny' }));
    expect(r.status).toBe('fail');
    expect(r.cause).toBe('log-configuration');
    expect(r.message.params).toMatchObject({
      logRole: EXECUTION_ROLE,
      logGroup: '/ecs/checkout',
      logActions: 'logs:CreateLogStream, logs:PutLogEvents',
    });
    expect(english(r.remediation!)).toContain(`${GROUP_ARN}:*`);
  });

  it('warns when writing is allowed only under conditions', async () => {
    const s = withLogs();
    for (const x of value(s, 'iam.executionRoleSimulation').filter((q) => q.action.startsWith('logs:')))
      Object.assign(x, { decision: 'implicitDeny', missingContext: ['aws:SourceVpc'] });
    expect((await runCheck(logPermissionsCheck, s)).status).toBe('warn');
  });

  it("evaluates the role's own policies when simulation is unavailable", async () => {
    const local = (resource: string) => {
      const s = withLogs();
      denyFact(s, 'iam.executionRoleSimulation', 'iam:SimulatePrincipalPolicy');
      setFact(s, 'iam.executionRolePolicies', {
        reason: 'AccessDenied',
        policies: [
          {
            name: 'logs',
            kind: 'inline',
            document: {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
                  Resource: resource,
                },
              ],
            },
          },
        ],
      });
      return s;
    };
    const ok = await runCheck(logPermissionsCheck, local(`${GROUP_ARN}:*`));
    expect(ok.status).toBe('pass');
    expect(evidenceText(ok)).toContain("Decided by evaluating the role's policies here");
    // The group's ARN without ":*" names the group, not its streams: CloudWatch Logs refuses the writes.
    expect((await runCheck(logPermissionsCheck, local(GROUP_ARN))).status).toBe('fail');
  });

  it('is unknown, naming the denied action, when neither simulation nor the policies can answer', async () => {
    const s = withLogs();
    denyFact(s, 'iam.executionRoleSimulation', 'iam:SimulatePrincipalPolicy');
    denyFact(s, 'iam.executionRolePolicies', 'iam:ListAttachedRolePolicies');
    const r = await runCheck(logPermissionsCheck, s);
    expect(r.status).toBe('unknown');
    expect(r.missing?.error.action).toBe('iam:ListAttachedRolePolicies');
  });

  it('skips without awslogs, without a role, and for a diagnosis saved before the questions were asked', async () => {
    const none = withLogs();
    delete value(none, 'ecs.taskDefinition').containerDefinitions![0]!.logConfiguration;
    expect((await runCheck(logPermissionsCheck, none)).message.key).toBe('logs:permissions.skip.none');
    const noRole = withLogs();
    delete value(noRole, 'ecs.taskDefinition').executionRoleArn;
    const r = await runCheck(logPermissionsCheck, noRole);
    expect(r.message.key).toBe('logs:permissions.skip.no-role');
    expect(r.inconclusive).toBe(true);
    const old = await runCheck(logPermissionsCheck, loadFacts('identity/healthy.json'));
    expect(old.message.key).toBe('logs:permissions.skip.not-gathered');
  });
});
