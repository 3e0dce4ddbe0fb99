import { describe, expect, it } from 'vitest';
import { efsAuthorizationCheck } from '../../../../src/diagnosis/checks/efs/authorization.js';
import { denyFact, english, evidenceText, loadFacts, runCheck, setFact } from '../../../helpers/checks.js';
import { AP, FS_ARN, TASK_ROLE, taskRoleAnswers, withEfs } from '../../../helpers/start-facts.js';

const policy = (statements: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allowRole = policy([
  {
    Effect: 'Allow',
    Principal: { AWS: TASK_ROLE },
    Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
    Resource: FS_ARN,
  },
]);
const onlyOtherRole = policy([
  {
    Effect: 'Allow',
    Principal: { AWS: 'arn:aws:iam::210987654321:role/reporting' },
    Action: 'elasticfilesystem:ClientMount',
    Resource: FS_ARN,
  },
]);
const secureTransportOnly = policy([
  {
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
    Resource: FS_ARN,
  },
  {
    Effect: 'Deny',
    Principal: { AWS: '*' },
    Action: '*',
    Resource: FS_ARN,
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  },
]);

describe('efs.authorization: access point, file system policy and IAM authorization let the task mount', () => {
  it('passes a file system without a policy: every client that reaches a mount target may mount', async () => {
    const r = await runCheck(efsAuthorizationCheck, withEfs());
    expect(r.status).toBe('pass');
    expect(r.message.key).toBe('efs:authorization.pass.no-policy');
  });

  it('passes when the file system policy allows the task role (IAM authorization, access point)', async () => {
    const s = withEfs({ iam: true, accessPoint: true, volume: { policy: allowRole } });
    taskRoleAnswers(s, 'implicitDeny');
    const r = await runCheck(efsAuthorizationCheck, s);
    expect(r.status).toBe('pass');
    expect(evidenceText(r)).toContain(
      'The file system policy allows checkout-task elasticfilesystem:ClientMount',
    );
    expect(evidenceText(r)).toContain(`Access point ${AP}: root /uploads, POSIX user 1000:1000`);
  });

  it('passes when the policy names another role but the task role’s own policies allow the mount', async () => {
    const s = withEfs({ iam: true, volume: { policy: onlyOtherRole } });
    taskRoleAnswers(s, 'allowed');
    expect((await runCheck(efsAuthorizationCheck, s)).status).toBe('pass');
  });

  it('fails IAM authorization that neither the policy nor the task role allows (ClientMount, ClientWrite)', async () => {
    const s = withEfs({ iam: true, volume: { policy: onlyOtherRole } });
    taskRoleAnswers(s, 'implicitDeny');
    const r = await runCheck(efsAuthorizationCheck, s);
    expect(r.status).toBe('fail');
    expect(r.cause).toBe('efs-mount');
    expect(r.message.key).toBe('efs:authorization.fail.denied');
    expect(r.message.params).toMatchObject({
      efsActions: 'elasticfilesystem:ClientMount, elasticfilesystem:ClientWrite',
      efsPrincipal: 'checkout-task',
    });
  });

  it('asks only ClientMount of a read-only mount', async () => {
    const s = withEfs({ iam: true, readOnly: true, volume: { policy: onlyOtherRole } });
    taskRoleAnswers(s, 'implicitDeny', ['elasticfilesystem:ClientMount']);
    const r = await runCheck(efsAuthorizationCheck, s);
    expect(r.message.params?.efsActions).toBe('elasticfilesystem:ClientMount');
  });

  it('fails an anonymous mount (no IAM authorization) that a policy naming roles shuts out', async () => {
    const r = await runCheck(efsAuthorizationCheck, withEfs({ volume: { policy: onlyOtherRole } }));
    expect(r.message.key).toBe('efs:authorization.fail.anonymous');
    expect(english(r.remediation!)).toContain('Turn on IAM authorization');
  });

  it('fails a mount without transit encryption that the policy denies explicitly', async () => {
    const s = withEfs({ volume: { policy: secureTransportOnly, transitEncryption: 'DISABLED' } });
    const r = await runCheck(efsAuthorizationCheck, s);
    expect(r.message.key).toBe('efs:authorization.fail.explicit-deny');
    const encrypted = withEfs({ volume: { policy: secureTransportOnly } });
    expect((await runCheck(efsAuthorizationCheck, encrypted)).status).toBe('pass');
  });

  it('fails a missing access point, and one of another file system', async () => {
    const missing = withEfs({
      accessPoint: true,
      volume: { accessPoint: { accessPointId: AP, exists: false } },
    });
    expect((await runCheck(efsAuthorizationCheck, missing)).message.key).toBe(
      'efs:authorization.fail.access-point-missing',
    );
    const other = withEfs({
      accessPoint: true,
      volume: { accessPoint: { accessPointId: AP, exists: true, fileSystemId: 'fs-0ffffffffffffffff' } },
    });
    expect(english((await runCheck(efsAuthorizationCheck, other)).message)).toContain('fs-0ffffffffffffffff');
  });

  it('warns when the task role may mount only under conditions ecs-pull cannot see', async () => {
    const s = withEfs({ iam: true, volume: { policy: onlyOtherRole } });
    taskRoleAnswers(s, 'implicitDeny');
    setFact(s, 'iam.taskRoleSimulation', [
      {
        action: 'elasticfilesystem:ClientMount',
        resource: FS_ARN,
        decision: 'implicitDeny',
        missingContext: ['aws:SourceIp'],
      },
      { action: 'elasticfilesystem:ClientWrite', resource: FS_ARN, decision: 'allowed' },
    ]);
    expect((await runCheck(efsAuthorizationCheck, s)).status).toBe('warn');
  });

  it('is unknown, naming the action, when the policy could not be read, or the task role not evaluated', async () => {
    const error = {
      kind: 'denied' as const,
      code: 'AccessDeniedException',
      message: 'no',
      action: 'elasticfilesystem:DescribeFileSystemPolicy',
    };
    const r = await runCheck(
      efsAuthorizationCheck,
      withEfs({ volume: { policy: undefined, errors: [{ part: 'policy', error }] } }),
    );
    expect(r.status).toBe('unknown');
    expect(r.missing?.error.action).toBe('elasticfilesystem:DescribeFileSystemPolicy');
    const s = withEfs({ iam: true, volume: { policy: onlyOtherRole } });
    denyFact(s, 'iam.taskRoleSimulation', 'iam:SimulatePrincipalPolicy');
    denyFact(s, 'iam.taskRolePolicies', 'iam:ListRolePolicies');
    const role = await runCheck(efsAuthorizationCheck, s);
    expect(role.status).toBe('unknown');
    expect(role.missing?.error.action).toBe('iam:ListRolePolicies');
  });

  it('skips without EFS, and a diagnosis saved before EFS was read', async () => {
    expect((await runCheck(efsAuthorizationCheck, loadFacts('identity/healthy.json'))).message.key).toBe(
      'efs:authorization.skip.none',
    );
    const s = withEfs();
    delete s.facts['efs.volumes'];
    expect((await runCheck(efsAuthorizationCheck, s)).message.key).toBe(
      'efs:authorization.skip.not-gathered',
    );
  });
});
