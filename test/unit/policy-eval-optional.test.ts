/**
 * The IAM policy evaluator (@cloud-copilot/iam-simulate, AGPL-3.0) is optional (issue 14, point 12): without it,
 * every check that would evaluate a policy here says `unknown`, naming the package and how to enable it, in both
 * languages — never a crash, never a pass or a fail it could not decide. A policy that grants everything
 * unconditionally (the VPC endpoints' default) needs no evaluator. Its absence is simulated with the loader hook.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  evaluatePolicy,
  POLICY_EVALUATOR_PACKAGE,
  policyEvaluator,
  setPolicyEvaluatorLoader,
} from '../../src/aws/policy-eval.js';
import { efsAuthorizationCheck } from '../../src/diagnosis/checks/efs/authorization.js';
import { endpointPolicyCheck } from '../../src/diagnosis/checks/endpoints/policy.js';
import { executionRoleCheck } from '../../src/diagnosis/checks/iam/execution-role.js';
import { registryCredentialsCheck } from '../../src/diagnosis/checks/image/registry-credentials.js';
import { repositoryPolicyCheck } from '../../src/diagnosis/checks/image/repository-policy.js';
import { logGroupCheck } from '../../src/diagnosis/checks/logs/log-group.js';
import { logPermissionsCheck } from '../../src/diagnosis/checks/logs/permissions.js';
import { secretsRetrievalCheck } from '../../src/diagnosis/checks/secrets/retrieval.js';
import type { CheckResult } from '../../src/diagnosis/checks/types.js';
import { policyEvaluatorRow } from '../../src/doctor.js';
import { translator } from '../../src/i18n.js';
import { denyFact, loadFacts, runCheck, setFact, useImage, value } from '../helpers/checks.js';
import { FS_ARN, GROUP_ARN, withEfs, withLogs } from '../helpers/start-facts.js';

const missing = () =>
  Promise.reject(
    Object.assign(new Error(`Cannot find package '${POLICY_EVALUATOR_PACKAGE}' imported from …`), {
      code: 'ERR_MODULE_NOT_FOUND',
    }),
  );

const en = translator('en');
const it_ = translator('it');
const say = (t: typeof en, r: CheckResult) => t(r.message.key, r.message.params as Record<string, unknown>);

/** Unknown, for the evaluator's absence, naming it in both languages with the way to enable it. */
function expectEvaluatorUnknown(r: CheckResult): void {
  expect(r.status, JSON.stringify(r.message)).toBe('unknown');
  expect(r.message.key).toMatch(/\.unknown\.evaluator(-\w+)?$/);
  expect(say(en, r)).toContain(POLICY_EVALUATOR_PACKAGE);
  expect(say(en, r)).toMatch(/not installed/);
  expect(say(en, r)).toContain(`npm install ${POLICY_EVALUATOR_PACKAGE}`);
  expect(say(it_, r)).toContain(POLICY_EVALUATOR_PACKAGE);
  expect(say(it_, r)).toMatch(/non è installat/);
}

const ALLOW_ALL = {
  Version: '2008-10-17',
  Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }],
};

describe('the policy evaluator, not installed', () => {
  beforeEach(() => setPolicyEvaluatorLoader(missing));
  afterEach(() => setPolicyEvaluatorLoader(undefined));

  it('is reported as not installed, and evaluatePolicy says unavailable without throwing', async () => {
    expect(await policyEvaluator()).toMatchObject({ installed: false, reason: 'not-installed' });
    const a = await evaluatePolicy({
      principal: 'arn:aws:iam::210987654321:role/r',
      action: 'ecr:BatchGetImage',
      resource: 'arn:aws:ecr:eu-south-1:210987654321:repository/checkout',
      resourceAccount: '210987654321',
      identityPolicies: [{ name: 'p', document: { Version: '2012-10-17', Statement: [] } }],
    });
    expect(a.decision).toBe('unavailable');
  });

  it('decides without it what needs no evaluation: policies that grant everything unconditionally', async () => {
    const a = await evaluatePolicy({
      principal: 'arn:aws:iam::210987654321:role/r',
      action: 'ecr:BatchGetImage',
      resource: 'arn:aws:ecr:eu-south-1:210987654321:repository/checkout',
      resourceAccount: '210987654321',
      identityPolicies: [{ name: 'all', document: ALLOW_ALL }],
      endpointPolicies: [{ name: 'vpce-1', document: ALLOW_ALL }],
    });
    expect(a.decision).toBe('allowed');
    const conditioned = await evaluatePolicy({
      principal: 'arn:aws:iam::210987654321:role/r',
      action: 'ecr:BatchGetImage',
      resource: 'arn:aws:ecr:eu-south-1:210987654321:repository/checkout',
      resourceAccount: '210987654321',
      identityPolicies: [{ name: 'all', document: ALLOW_ALL }],
      endpointPolicies: [
        {
          name: 'vpce-1',
          document: {
            Statement: [
              { ...ALLOW_ALL.Statement[0], Condition: { StringEquals: { 'aws:PrincipalAccount': '1' } } },
            ],
          },
        },
      ],
    });
    expect(conditioned.decision).toBe('unavailable');
  });

  it('iam.execution-role: unknown when simulation failed and the policies would have to be evaluated here', async () => {
    expectEvaluatorUnknown(await runCheck(executionRoleCheck, loadFacts('identity/local-eval.json')));
  });

  it('iam.execution-role: simulation answers without it (a same-account repository policy with no Deny cannot change a pass)', async () => {
    const s = loadFacts('identity/healthy.json');
    value(s, 'ecr.images')[0]!.repositoryPolicy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::210987654321:root' }, Action: 'ecr:*' }],
    });
    expect((await runCheck(executionRoleCheck, s)).status).toBe('pass');
    value(s, 'ecr.images')[0]!.repositoryPolicy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Principal: '*', Action: 'ecr:BatchGetImage' }],
    });
    expectEvaluatorUnknown(await runCheck(executionRoleCheck, s));
  });

  it('secrets.retrieval: unknown when simulation failed', async () => {
    expectEvaluatorUnknown(await runCheck(secretsRetrievalCheck, loadFacts('identity/local-eval.json')));
  });

  it('image.registry-credentials: unknown when simulation failed', async () => {
    const s = loadFacts('identity/local-eval.json');
    const secret = 'arn:aws:secretsmanager:eu-south-1:210987654321:secret:ghcr-creds-XyZ123';
    useImage(s, 'ghcr.io/acme/checkout:2', { repositoryCredentials: { credentialsParameter: secret } });
    setFact(s, 'secrets.references', [
      {
        valueFrom: secret,
        store: 'secretsmanager',
        containers: ['checkout'],
        purpose: 'registry-credentials',
        arn: secret,
        lookup: secret,
        account: '210987654321',
        region: 'eu-south-1',
        exists: true,
      },
    ]);
    expectEvaluatorUnknown(await runCheck(registryCredentialsCheck, s));
  });

  it('efs.authorization: unknown for a file system policy, a pass without one', async () => {
    expect((await runCheck(efsAuthorizationCheck, withEfs())).status).toBe('pass');
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::210987654321:role/reporting' },
          Action: 'elasticfilesystem:ClientMount',
          Resource: FS_ARN,
        },
      ],
    });
    const r = await runCheck(efsAuthorizationCheck, withEfs({ volume: { policy } }));
    expectEvaluatorUnknown(r);
    expect(r.missing?.fact).toBe('efs.volumes');
  });

  it('logs.permissions: unknown when simulation failed and the role policies would be evaluated here', async () => {
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
            Statement: [{ Effect: 'Allow', Action: 'logs:*', Resource: `${GROUP_ARN}:*` }],
          },
        },
      ],
    });
    expectEvaluatorUnknown(await runCheck(logPermissionsCheck, s));
    // logs.log-group: whether the driver may create a missing group.
    const missingGroup = withLogs({ group: { exists: false }, createGroup: true });
    denyFact(missingGroup, 'iam.executionRoleSimulation', 'iam:SimulatePrincipalPolicy');
    setFact(missingGroup, 'iam.executionRolePolicies', value(s, 'iam.executionRolePolicies'));
    expectEvaluatorUnknown(await runCheck(logGroupCheck, missingGroup));
  });

  it('endpoints.policy: unknown for a policy that is not full access, a pass for the default one', async () => {
    const s = loadFacts('network/endpoint-path.json');
    for (const e of value(s, 'ec2.vpcEndpoints'))
      if (e.policyDocument) e.policyDocument = JSON.stringify(ALLOW_ALL);
    expect((await runCheck(endpointPolicyCheck, s)).status).toBe('pass');
    const dkr = value(s, 'ec2.vpcEndpoints').find((e) => e.serviceName.endsWith('ecr.dkr'))!;
    dkr.policyDocument = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: ['arn:aws:iam::210987654321:role/ci-deployer'] },
          Action: 'ecr:*',
          Resource: '*',
        },
      ],
    });
    const r = await runCheck(endpointPolicyCheck, s);
    expectEvaluatorUnknown(r);
    expect(say(en, r)).toContain(dkr.vpcEndpointId);
  });

  it('image.repository-policy: unknown for a cross-account repository policy', async () => {
    const s = loadFacts('identity/healthy.json');
    Object.assign(value(s, 'ecr.images')[0]!, {
      registryAccount: '111122223333',
      repositoryPolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::210987654321:root' },
            Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
          },
        ],
      }),
    });
    const r = await runCheck(repositoryPolicyCheck, s);
    expectEvaluatorUnknown(r);
    expect(say(en, r)).toContain('checkout');
  });

  it('doctor: a row that says it is not installed, what that leaves unknown, and how to install it', async () => {
    const row = await policyEvaluatorRow();
    expect(row.status).toBe('warn');
    const t = (m: { key: string; params?: Record<string, unknown> }) => en(m.key, m.params ?? {});
    expect(t(row.detail)).toContain(POLICY_EVALUATOR_PACKAGE);
    expect(t(row.detail)).toMatch(/not installed/);
    expect(t(row.fix!)).toContain(`npm install ${POLICY_EVALUATOR_PACKAGE}`);
  });
});

describe('the policy evaluator, installed (a dev dependency)', () => {
  it('is found with its version, and doctor passes its row', async () => {
    const status = await policyEvaluator();
    expect(status).toMatchObject({ installed: true });
    expect((status as { version: string }).version).toMatch(/^\d+\.\d+\.\d+/);
    const row = await policyEvaluatorRow();
    expect(row.status).toBe('pass');
    expect(en(row.detail.key, row.detail.params ?? {})).toContain('AGPL-3.0');
  });
});
