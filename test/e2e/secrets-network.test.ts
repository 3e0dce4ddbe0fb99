/**
 * Secrets over the network (issue 16 §4), end to end on moto with the real providers: a private subnet with the ECR
 * and S3 endpoints but none for Secrets Manager (or SSM), a task that reads a secret (a parameter) its execution
 * role may read, stopped with ECS's plain "There is a connection issue between the task and AWS Secrets Manager"
 * (… AWS Systems Manager Parameter Store): the missing endpoint is the answer, named, and neither the secret nor
 * the role is blamed. With the endpoint there and the role denied, the permission-worded message still ranks the
 * secret. Every scenario lives in an account of its own (52…: moto is one server for every e2e file of the run).
 */
import { PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { Report } from '../../src/diagnosis/report.js';
import { translator } from '../../src/i18n.js';
import { renderText } from '../../src/render/text.js';
import { type MotoAccount, motoAccount, runStoppedTask } from '../helpers/aws-scenario.js';
import { english } from '../helpers/checks.js';
import { createRepository, pullingRole, pushImage } from '../helpers/identity-scenario.js';
import { diagnoseInMoto, useMotoEndpoint } from '../helpers/moto-engine.js';
import { endpointPath } from '../helpers/network-scenario.js';

const motoUrl = inject('motoUrl');

let n = 0;
/** A fresh account of this file's own (52…). */
const freshAccount = () => {
  n++;
  return motoAccount(motoUrl!, `52${String(Date.now()).slice(-6)}${String(n).padStart(4, '0')}`);
};

const SM_CONNECTION = (secret: string) =>
  `ResourceInitializationError: unable to pull secrets or registry auth: unable to retrieve secret from asm: There is a connection issue between the task and AWS Secrets Manager. Check your task network configuration. failed to fetch secret ${secret} from secrets manager: operation error Secrets Manager: GetSecretValue, https response error StatusCode: 0, RequestID: , canceled, context deadline exceeded.`;
const SSM_CONNECTION =
  'ResourceInitializationError: unable to pull secrets or registry auth: unable to retrieve secrets from ssm: The task cannot pull secrets from AWS Systems Manager. There is a connection issue between the task and AWS Systems Manager Parameter Store. Check your task network configuration. RequestCanceled: request context canceled caused by: context deadline exceeded';
const SM_DENIED = (a: MotoAccount, secret: string) =>
  `ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret ${secret} from secrets manager: operation error Secrets Manager: GetSecretValue, https response error StatusCode: 400, RequestID: 2bf6cb29-04f9-43d0-b8a4-f1247cbe8c0b, api error AccessDeniedException: User: arn:aws:sts::${a.account}:assumed-role/orders-execution/a20b735e9bbc41598825b6f0269f6fef is not authorized to perform: secretsmanager:GetSecretValue on resource: ${secret} because no identity-based policy allows the secretsmanager:GetSecretValue action.`;

/** An image that exists and an execution role with AmazonECSTaskExecutionRolePolicy (which reads no secret). */
async function imageAndRole(a: MotoAccount): Promise<{ image: string; role: string }> {
  await createRepository(a, 'orders');
  await pushImage(a, 'orders', '3.1.0');
  return {
    image: `${a.account}.dkr.ecr.${a.region}.amazonaws.com/orders:3.1.0`,
    role: await pullingRole(a, 'orders-execution'),
  };
}

/** Lets the execution role read secrets and parameters. */
async function mayReadSecrets(a: MotoAccount): Promise<void> {
  await a.iam.send(
    new PutRolePolicyCommand({
      RoleName: 'orders-execution',
      PolicyName: 'read-orders-secrets',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['secretsmanager:GetSecretValue', 'ssm:GetParameters'],
            Resource: '*',
          },
        ],
      }),
    }),
  );
}

async function createSecret(a: MotoAccount): Promise<string> {
  const sm = new SecretsManagerClient({ region: a.region, endpoint: motoUrl!, credentials: a.credentials });
  return (await sm.send(new CreateSecretCommand({ Name: 'orders/db', SecretString: 's3cr3t' }))).ARN!;
}

const checkOf = (r: Report, id: string) => r.checks.find((c) => c.id === id)!;

describe.skipIf(!motoUrl)(
  `secrets over the network on moto${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`,
  () => {
    beforeAll(() => useMotoEndpoint(motoUrl!));

    it('a connection issue to Secrets Manager in a private subnet with ECR and S3 endpoints but no secretsmanager endpoint → that endpoint, named', async () => {
      const a = await freshAccount();
      const net = await endpointPath(a, { interfaces: ['ecr.api', 'ecr.dkr'], s3Gateway: true });
      const { image, role } = await imageAndRole(a);
      await mayReadSecrets(a);
      const secret = await createSecret(a);
      const task = await runStoppedTask(a, net, {
        family: 'orders',
        cluster: 'secrets-network',
        executionRoleArn: role,
        image,
        containers: [
          { name: 'app', image, memory: 512, essential: true, secrets: [{ name: 'DB', valueFrom: secret }] },
        ],
        stoppedReason: SM_CONNECTION(secret),
      });
      const { report } = await diagnoseInMoto(motoUrl!, task.taskArn);
      const sm = `com.amazonaws.${a.region}.secretsmanager (Interface)`;

      // The endpoints the pull needs are there; the one the task needs to read its secret is not.
      const required = checkOf(report, 'endpoints.required');
      expect(required.status).toBe('fail');
      expect(english(required.message)).toContain(sm);
      expect(english(required.message)).not.toContain('ecr.dkr (Interface)');
      // The secret exists and the role may read it: the network path is what failed, and the result says so.
      const retrieval = checkOf(report, 'secrets.retrieval');
      expect(retrieval.status).toBe('fail');
      expect(retrieval.message.key).toBe('secrets:retrieval.fail.unreachable');
      expect(retrieval.cause).toBe('vpc-endpoint');
      expect(english(retrieval.message)).toContain('no internet path and no secretsmanager endpoint');
      expect(checkOf(report, 'iam.execution-role').status).toBe('pass');

      const top = report.causes[0]!;
      expect(top.id).toBe('vpc-endpoint');
      expect(top.basis).toBe('both');
      expect(top.level).toBe('high');
      expect(top.checks).toEqual(expect.arrayContaining(['endpoints.required', 'secrets.retrieval']));
      expect(top.summary!.key).toBe('causes:vpc-endpoint.summary.start');
      expect(top.fragments).toContain('connection issue between the task and AWS Secrets Manager');
      // Neither the secret nor the role is blamed.
      for (const c of report.causes.filter((x) => x.id === 'secrets' || x.id === 'execution-role')) {
        expect(c.basis, c.id).toBe('message');
        expect(c.confidence, c.id).toBeLessThan(0.1);
      }
      const en = renderText(report, translator('en'));
      expect(en).toContain(`lacks endpoints the task needs to start (${sm})`);
      expect(en).toContain('connection issue between the task and AWS Secrets Manager');
      const it_ = renderText(report, translator('it'));
      expect(it_).toContain(sm);
    });

    it('a connection issue to Parameter Store without an ssm endpoint → the ssm endpoint, named', async () => {
      const a = await freshAccount();
      const net = await endpointPath(a, { interfaces: ['ecr.api', 'ecr.dkr'], s3Gateway: true });
      const { image, role } = await imageAndRole(a);
      await mayReadSecrets(a);
      const ssm = new SSMClient({ region: a.region, endpoint: motoUrl!, credentials: a.credentials });
      await ssm.send(
        new PutParameterCommand({ Name: '/orders/url', Value: 'https://db.internal', Type: 'String' }),
      );
      const param = `arn:aws:ssm:${a.region}:${a.account}:parameter/orders/url`;
      const task = await runStoppedTask(a, net, {
        family: 'orders',
        cluster: 'secrets-network',
        executionRoleArn: role,
        image,
        containers: [
          {
            name: 'app',
            image,
            memory: 512,
            essential: true,
            secrets: [{ name: 'DB_URL', valueFrom: param }],
          },
        ],
        stoppedReason: SSM_CONNECTION,
      });
      const { report } = await diagnoseInMoto(motoUrl!, task.taskArn);
      const retrieval = checkOf(report, 'secrets.retrieval');
      expect(retrieval.status).toBe('fail');
      expect(retrieval.cause).toBe('vpc-endpoint');
      const top = report.causes[0]!;
      expect(top.id).toBe('vpc-endpoint');
      expect(top.level).toBe('high');
      expect(english(top.summary!)).toContain(`com.amazonaws.${a.region}.ssm (Interface)`);
      expect(report.causes.filter((c) => c.id === 'secrets' && c.basis !== 'message')).toEqual([]);
    });

    it('the endpoint there and the role denied: the permission-worded message still ranks the secret', async () => {
      const a = await freshAccount();
      const net = await endpointPath(a, {
        interfaces: ['ecr.api', 'ecr.dkr', 'secretsmanager'],
        s3Gateway: true,
      });
      const { image, role } = await imageAndRole(a);
      const secret = await createSecret(a);
      const task = await runStoppedTask(a, net, {
        family: 'orders',
        cluster: 'secrets-network',
        executionRoleArn: role,
        image,
        containers: [
          { name: 'app', image, memory: 512, essential: true, secrets: [{ name: 'DB', valueFrom: secret }] },
        ],
        stoppedReason: SM_DENIED(a, secret),
      });
      const { report } = await diagnoseInMoto(motoUrl!, task.taskArn);
      expect(checkOf(report, 'endpoints.required').status).toBe('pass');
      const retrieval = checkOf(report, 'secrets.retrieval');
      expect(retrieval.status).toBe('fail');
      expect(retrieval.message.key).toBe('secrets:retrieval.fail.denied');
      expect(retrieval.cause).toBe('secrets');
      const top = report.causes[0]!;
      expect(top.id).toBe('secrets');
      expect(top.basis).toBe('both');
      expect(top.level).toBe('high');
      expect(english(top.remediation!)).toContain('secretsmanager:GetSecretValue');
    });
  },
);
