import { describe, expect, it } from 'vitest';
import { executionRoleCheck } from '../../../../src/diagnosis/checks/iam/execution-role.js';
import { english, evidenceText, loadFacts, runCheck, setFact, value } from '../../../helpers/checks.js';

const healthy = () => loadFacts('identity/healthy.json');
const local = () => loadFacts('identity/local-eval.json');

describe('iam.execution-role: the execution role exists, trusts ECS tasks and may pull from ECR', () => {
  it('passes with simulation and says so', async () => {
    const r = await runCheck(executionRoleCheck, healthy());
    expect(r.status).toBe('pass');
    expect(evidenceText(r)).toContain('Decided by iam:SimulatePrincipalPolicy');
    expect(r.links[0]).toMatchObject({ kind: 'iam-role', id: 'ecsTaskExecutionRole' });
  });

  it('passes by evaluating the policies locally when simulation is unavailable', async () => {
    const r = await runCheck(executionRoleCheck, local());
    expect(r.status).toBe('pass');
    expect(evidenceText(r)).toContain(
      "evaluating the role's policies here (AmazonECSTaskExecutionRolePolicy, read-checkout-secrets)",
    );
    expect(evidenceText(r)).toContain('HTTP500');
  });

  it('fails when the role has no ECR permission (local evaluation)', async () => {
    const s = local();
    value(s, 'iam.executionRolePolicies').policies = [
      {
        name: 'logs-only',
        kind: 'inline',
        document: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'logs:*', Resource: '*' }],
        },
      },
    ];
    const r = await runCheck(executionRoleCheck, s);
    expect(r.status).toBe('fail');
    expect(english(r.message)).toContain('ecr:GetAuthorizationToken');
    expect(english(r.message)).toContain('ecr:BatchGetImage (checkout)');
    expect(english(r.remediation!)).toContain('AmazonECSTaskExecutionRolePolicy');
  });

  it('passes when a same-account repository policy grants what the role policies do not', async () => {
    const s = local();
    value(s, 'iam.executionRolePolicies').policies = [
      {
        name: 'token-only',
        kind: 'inline',
        document: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }],
        },
      },
    ];
    const repoPolicy = (effect: string) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: effect,
            Principal: { AWS: 'arn:aws:iam::210987654321:role/ecsTaskExecutionRole' },
            Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
          },
        ],
      });
    expect((await runCheck(executionRoleCheck, s)).status).toBe('fail');
    value(s, 'ecr.images')[0]!.repositoryPolicy = repoPolicy('Allow');
    const r = await runCheck(executionRoleCheck, s);
    expect(r.status).toBe('pass');
    expect(evidenceText(r)).toContain(
      'ecr:BatchGetImage on arn:aws:ecr:eu-south-1:210987654321:repository/checkout: allowed by the repository policy',
    );
    // An explicit deny in the repository policy wins even over the role's AmazonECSTaskExecutionRolePolicy.
    const h = healthy();
    value(h, 'ecr.images')[0]!.repositoryPolicy = repoPolicy('Deny');
    const denied = await runCheck(executionRoleCheck, h);
    expect(denied.status).toBe('fail');
    expect(evidenceText(denied)).toContain('explicitly denied by the repository policy');
  });

  it('warns when the role may not import through a pull-through cache rule (the registry policy may grant it)', async () => {
    const s = local();
    const repository = 'docker-hub/library/nginx';
    const image = `210987654321.dkr.ecr.eu-south-1.amazonaws.com/${repository}:1.27`;
    value(s, 'ecs.task').task.containers![0]!.image = image;
    value(s, 'ecs.taskDefinition').containerDefinitions![0]!.image = image;
    Object.assign(value(s, 'ecr.images')[0]!, {
      image,
      repository,
      tag: '1.27',
      repositoryExists: false,
      imageFound: false,
      pullThrough: {
        prefix: 'docker-hub',
        upstreamRegistryUrl: 'registry-1.docker.io',
        upstreamImage: 'registry-1.docker.io/library/nginx:1.27',
        dockerHubLibraryMissing: false,
      },
    });
    const r = await runCheck(executionRoleCheck, s);
    expect(r.status).toBe('warn');
    expect(english(r.message)).toContain('ecr:BatchImportUpstreamImage (docker-hub/library/nginx)');
    expect(english(r.message)).toContain('ecr:CreateRepository (docker-hub/library/nginx)');
    value(s, 'iam.executionRolePolicies').policies.push({
      name: 'ptc',
      kind: 'inline',
      document: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['ecr:BatchImportUpstreamImage', 'ecr:CreateRepository'],
            Resource: '*',
          },
        ],
      },
    });
    expect((await runCheck(executionRoleCheck, s)).status).toBe('pass');
  });

  it('warns (does not fail) when the pull is allowed only under conditions ecs-pull cannot see', async () => {
    const s = local();
    value(s, 'iam.executionRolePolicies').policies = [
      {
        name: 'tagged-repos',
        kind: 'inline',
        document: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
            {
              Effect: 'Allow',
              Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
              Resource: '*',
              Condition: { StringEquals: { 'ecr:ResourceTag/team': 'payments' } },
            },
          ],
        },
      },
    ];
    const r = await runCheck(executionRoleCheck, s);
    expect(r.status).toBe('warn');
    expect(r.message.key).toBe('iam:execution-role.warn.conditional');
    expect(english(r.message)).toContain('ecr:ResourceTag/team');
    expect(evidenceText(r)).toContain('ecr:GetAuthorizationToken on *: allowed');
    // Known context is filled in: a condition on the principal's own account holds.
    const doc = value(s, 'iam.executionRolePolicies').policies[0]!.document as {
      Statement: Array<Record<string, unknown>>;
    };
    doc.Statement[1]!.Condition = { StringEquals: { 'aws:PrincipalAccount': '210987654321' } };
    expect((await runCheck(executionRoleCheck, s)).status).toBe('pass');
  });

  it('reads missing context values from simulation as a conditional answer', async () => {
    const s = healthy();
    Object.assign(value(s, 'iam.executionRoleSimulation')[1]!, {
      decision: 'implicitDeny',
      missingContext: ['aws:PrincipalTag/team'],
    });
    const r = await runCheck(executionRoleCheck, s);
    expect(r.status).toBe('warn');
    expect(english(r.message)).toContain('aws:PrincipalTag/team');
  });

  it('fails on an explicit deny found by simulation', async () => {
    const s = healthy();
    value(s, 'iam.executionRoleSimulation')[1]!.decision = 'explicitDeny';
    const r = await runCheck(executionRoleCheck, s);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toContain('explicitly denied');
  });

  it('notes a SourceVpce condition, which never matches GetAuthorizationToken', async () => {
    const s = local();
    value(s, 'iam.executionRolePolicies').policies = [
      {
        name: 'vpce-only',
        kind: 'inline',
        document: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'ecr:*',
              Resource: '*',
              Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-0ecrapi00000000001' } },
            },
          ],
        },
      },
    ];
    const r = await runCheck(executionRoleCheck, s);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toContain('aws:SourceVpc / aws:SourceVpce');
  });

  it('fails when there is no execution role and the task needs one', async () => {
    const s = healthy();
    delete value(s, 'ecs.taskDefinition').executionRoleArn;
    const r = await runCheck(executionRoleCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('iam:execution-role.fail.none');
    expect(english(r.message)).toContain('ecr, secrets, awslogs');
  });

  it('does not apply to a public image with no secrets and no awslogs', async () => {
    const s = healthy();
    const td = value(s, 'ecs.taskDefinition');
    delete td.executionRoleArn;
    td.containerDefinitions = [{ name: 'checkout', image: 'nginx:1.27', essential: true }];
    value(s, 'ecs.task').task.containers![0]!.image = 'nginx:1.27';
    expect((await runCheck(executionRoleCheck, s)).status).toBe('skip');
  });

  it('fails when the role does not exist', async () => {
    const s = healthy();
    setFact(s, 'iam.executionRole', {
      arn: 'arn:aws:iam::210987654321:role/ecsTaskExecutionRole',
      name: 'ecsTaskExecutionRole',
      exists: false,
      attached: [],
      inlineNames: [],
    });
    expect((await runCheck(executionRoleCheck, s)).message.key).toBe('iam:execution-role.fail.missing');
  });

  it('fails when the trust policy does not name ecs-tasks.amazonaws.com', async () => {
    const s = healthy();
    value(s, 'iam.executionRole').trustPolicy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    };
    const r = await runCheck(executionRoleCheck, s);
    expect(r.message.key).toBe('iam:execution-role.fail.trust');
  });

  it('is unknown when neither simulation nor the policies could be read', async () => {
    const s = local();
    s.facts['iam.executionRolePolicies'] = {
      ok: false,
      round: 4,
      error: { kind: 'denied', code: 'AccessDenied', message: 'x', action: 'iam:GetPolicyVersion' },
    };
    const r = await runCheck(executionRoleCheck, s);
    expect(r.status).toBe('unknown');
    expect(english(r.message)).toContain('iam:SimulatePrincipalPolicy failed (HTTP500)');
    expect(english(r.message)).toContain('iam:GetPolicyVersion: AccessDenied');
    expect(r.missing?.error.action).toBe('iam:GetPolicyVersion');
  });
});
