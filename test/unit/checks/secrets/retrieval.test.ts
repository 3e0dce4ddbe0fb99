import { describe, expect, it } from 'vitest';
import { secretsRetrievalCheck } from '../../../../src/diagnosis/checks/secrets/retrieval.js';
import {
  denyFact,
  english,
  evidenceText,
  loadFacts,
  runCheck,
  setFact,
  value,
} from '../../../helpers/checks.js';

const healthy = () => loadFacts('identity/healthy.json');

describe('secrets.retrieval: each secret exists, its key works, the role may read it, the network reaches it', () => {
  it('passes when the secret exists and the role may read it', async () => {
    expect((await runCheck(secretsRetrievalCheck, healthy())).status).toBe('pass');
  });
  it('is unknown for a secret in an account this channel may not read', async () => {
    const s = healthy();
    Object.assign(value(s, 'secrets.references')[0]!, {
      exists: false,
      notAllowed: true,
      account: '999988887777',
    });
    const r = await runCheck(secretsRetrievalCheck, s);
    expect(r.status).toBe('unknown');
    expect(english(r.message)).toContain('account 999988887777, which this channel may not read');
  });
  it('is unknown when the secret’s KMS key lives in an account this channel may not read', async () => {
    const s = healthy();
    const key = 'arn:aws:kms:eu-south-1:999988887777:key/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d';
    Object.assign(value(s, 'secrets.references')[0]!, { kmsKeyId: key, kmsKeyArn: key });
    setFact(s, 'kms.keys', [{ keyId: key, arn: key, notAllowed: true }]);
    const r = await runCheck(secretsRetrievalCheck, s);
    expect(r.status).toBe('unknown');
    expect(english(r.message)).toContain('KMS key');
    expect(english(r.message)).toContain('999988887777');
  });
  it('fails a missing secret', async () => {
    const s = healthy();
    value(s, 'secrets.references')[0]!.exists = false;
    const r = await runCheck(secretsRetrievalCheck, s);
    expect(r.status).toBe('fail');
    expect(english(r.message)).toContain('checkout/db-AbCdEf');
  });
  const KEY = 'arn:aws:kms:eu-south-1:210987654321:key/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d';
  function withKey(keyId: string, key: Record<string, unknown>, decrypt?: string) {
    const s = healthy();
    Object.assign(value(s, 'secrets.references')[0]!, {
      kmsKeyId: keyId,
      ...(keyId.startsWith('arn:') ? { kmsKeyArn: keyId } : {}),
    });
    setFact(s, 'kms.keys', [{ keyId, ...key }]);
    if (decrypt) {
      value(s, 'iam.executionRoleSimulation').push({
        action: 'kms:Decrypt',
        resource: KEY,
        decision: decrypt as 'allowed',
      });
    }
    return s;
  }
  it('fails a disabled KMS key', async () => {
    const r = await runCheck(
      secretsRetrievalCheck,
      withKey(KEY, { arn: KEY, state: 'Disabled', manager: 'CUSTOMER' }),
    );
    expect(r.message.key).toBe('secrets:retrieval.fail.kms-state');
    expect(english(r.message)).toContain('Disabled');
  });
  it('fails when the role may not decrypt with the customer managed key, and passes when it may', async () => {
    const enabled = { arn: KEY, state: 'Enabled', manager: 'CUSTOMER' };
    const r = await runCheck(secretsRetrievalCheck, withKey('alias/db-secrets', enabled, 'implicitDeny'));
    expect(r.message.key).toBe('secrets:retrieval.fail.kms-denied');
    expect(english(r.message)).toContain(KEY);
    const ok = await runCheck(secretsRetrievalCheck, withKey('alias/db-secrets', enabled, 'allowed'));
    expect(ok.status).toBe('pass');
    expect(evidenceText(ok)).toContain(`Encrypted with KMS key ${KEY}`);
  });
  it("judges kms:Decrypt from the role's own policies when simulation is unavailable (the key policy is left to the advice)", async () => {
    const enabled = { arn: KEY, state: 'Enabled', manager: 'CUSTOMER' };
    const localOnly = (actions: string[]) => {
      const s = withKey('alias/db-secrets', enabled);
      denyFact(s, 'iam.executionRoleSimulation', 'iam:SimulatePrincipalPolicy');
      value(s, 'iam.executionRolePolicies').reason = 'AccessDenied';
      value(s, 'iam.executionRolePolicies').policies = [
        {
          name: 'read-secrets',
          kind: 'inline',
          document: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }],
          },
        },
      ];
      return s;
    };
    const ok = await runCheck(
      secretsRetrievalCheck,
      localOnly(['secretsmanager:GetSecretValue', 'kms:Decrypt']),
    );
    expect(ok.status).toBe('pass');
    const denied = await runCheck(secretsRetrievalCheck, localOnly(['secretsmanager:GetSecretValue']));
    expect(denied.message.key).toBe('secrets:retrieval.fail.kms-denied');
  });
  it('is unknown naming kms:DescribeKey when an alias could not be resolved', async () => {
    const s = withKey('alias/db-secrets', {
      error: { kind: 'denied', code: 'AccessDeniedException', message: 'x', action: 'kms:DescribeKey' },
    });
    const r = await runCheck(secretsRetrievalCheck, s);
    expect(r.status).toBe('unknown');
    expect(r.missing?.error.action).toBe('kms:DescribeKey');
  });
  it('asks nothing about an AWS managed key named by ARN', async () => {
    const r = await runCheck(
      secretsRetrievalCheck,
      withKey(KEY, { arn: KEY, state: 'Enabled', manager: 'AWS' }),
    );
    expect(r.status).toBe('pass');
  });
  it('warns when the role may read the secret only under conditions simulation could not evaluate', async () => {
    const s = healthy();
    Object.assign(
      value(s, 'iam.executionRoleSimulation').find((x) => x.action === 'secretsmanager:GetSecretValue')!,
      { decision: 'implicitDeny', missingContext: ['secretsmanager:ResourceTag/app'] },
    );
    const r = await runCheck(secretsRetrievalCheck, s);
    expect(r.status).toBe('warn');
    expect(english(r.message)).toContain('secretsmanager:ResourceTag/app');
  });
  it('fails when the role may not read the secret', async () => {
    const s = healthy();
    value(s, 'iam.executionRoleSimulation').find(
      (x) => x.action === 'secretsmanager:GetSecretValue',
    )!.decision = 'implicitDeny';
    expect((await runCheck(secretsRetrievalCheck, s)).message.key).toBe('secrets:retrieval.fail.denied');
  });
  /** The endpoint path of the network fixtures, with the healthy fixture's secret and a role that may read it. */
  function endpointPath() {
    const s = loadFacts('network/endpoint-path.json');
    const h = healthy();
    for (const k of ['secrets.references', 'iam.executionRoleSimulation', 'iam.executionRolePolicies'])
      s.facts[k] = h.facts[k]!;
    return s;
  }
  const withoutSecretsEndpoint = (s: ReturnType<typeof endpointPath>) =>
    setFact(
      s,
      'ec2.vpcEndpoints',
      value(s, 'ec2.vpcEndpoints').filter((e) => !e.serviceName.endsWith('secretsmanager')),
    );
  it('passes through the Secrets Manager endpoint of a private subnet', async () => {
    const r = await runCheck(secretsRetrievalCheck, endpointPath());
    expect(r.status).toBe('pass');
    expect(evidenceText(r)).toContain('through interface endpoint');
  });
  it('fails when there is neither an internet path nor a Secrets Manager endpoint: the endpoint is the cause, not a permission', async () => {
    const s = endpointPath();
    withoutSecretsEndpoint(s);
    const r = await runCheck(secretsRetrievalCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('secrets:retrieval.fail.unreachable');
    expect(r.cause).toBe('vpc-endpoint');
    expect(english(r.message)).toContain('no internet path and no secretsmanager endpoint');
    expect(english(r.remediation!)).toContain('com.amazonaws.REGION.secretsmanager');
    expect(evidenceText(r)).toContain('no internet path and no secretsmanager interface endpoint');
  });
  it('fails on an endpoint that does not resolve privately: its private DNS is the cause', async () => {
    const s = endpointPath();
    const endpoints = value(s, 'ec2.vpcEndpoints');
    const sm = endpoints.find((e) => e.serviceName.endsWith('secretsmanager'))!;
    sm.privateDnsEnabled = false;
    const r = await runCheck(secretsRetrievalCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('secrets:retrieval.fail.endpoint-dns');
    expect(r.cause).toBe('dns');
    expect(english(r.message)).toContain(
      `secretsmanager endpoint ${sm.vpcEndpointId} does not resolve privately`,
    );
    expect(english(r.remediation!)).toContain(`Turn on private DNS for ${sm.vpcEndpointId}`);
    expect(r.links.map((l) => l.kind)).toContain('vpc-endpoint');
  });
  it('fails in a public subnet whose task had no public IP: the public IP is the cause', async () => {
    const s = endpointPath();
    withoutSecretsEndpoint(s);
    const table = value(s, 'ec2.routeTables').find((t) => t.routeTableId === 'rtb-0private000000001')!;
    table.routes.push({
      destinationCidrBlock: '0.0.0.0/0',
      gatewayId: 'igw-0a1b2c3d4e5f60718',
      state: 'active',
    });
    const r = await runCheck(secretsRetrievalCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('secrets:retrieval.fail.unreachable');
    expect(r.cause).toBe('network-no-public-ip');
  });
  it('does not apply without secrets', async () => {
    const s = healthy();
    s.facts['secrets.references'] = {
      ok: false,
      round: 3,
      error: { kind: 'not-applicable', code: 'NotApplicable', message: 'none' },
    };
    expect((await runCheck(secretsRetrievalCheck, s)).status).toBe('skip');
  });
});
