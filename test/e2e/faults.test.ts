/**
 * Faults, end to end on moto behind a proxy that makes chosen AWS actions fail as AWS does.
 * - every action the gatherers call, denied one at a time: the report still renders in both languages, and the
 *   checks that needed the answer are `unknown` naming the action (or the engine works around it, as listed);
 * - throttling: retried with backoff, then the answer is used;
 * - a call that never answers: the per-call timeout makes its checks `unknown`;
 * - several calls that never answer: the overall deadline ends the diagnosis with a partial report.
 */

import { PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Report } from '../../src/diagnosis/report.js';
import { requiredActions } from '../../src/doctor.js';
import { isUserError } from '../../src/errors.js';
import { translator } from '../../src/i18n.js';
import { renderText } from '../../src/render/text.js';
import {
  createExecutionRole,
  type MotoAccount,
  motoAccount,
  runStoppedTask,
} from '../helpers/aws-scenario.js';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.js';
import {
  createRepository,
  keepLastReleases,
  pullingRole,
  pushImage,
  pushIndex,
} from '../helpers/identity-scenario.js';
import { diagnoseInMoto, motoConfig, useMotoEndpoint } from '../helpers/moto-engine.js';
import { customDns, endpointPath, natPath } from '../helpers/network-scenario.js';
import {
  awslogsContainer,
  createFileSystem,
  createLogGroup,
  dataMount,
  efsVolume,
  mountTargetGroup,
} from '../helpers/start-scenario.js';

const motoUrl = inject('motoUrl');

interface Scenario {
  name: string;
  taskArn: string;
  /** Actions called when nothing fails. */
  baseline: Set<string>;
}

let proxy: FaultProxy;
const scenarios: Record<'A' | 'B' | 'C' | 'D', Scenario> = {} as never;

const uri = (a: MotoAccount, repo: string, tag: string) =>
  `${a.account}.dkr.ecr.${a.region}.amazonaws.com/${repo}:${tag}`;

let n = 0;
const freshAccount = async () => {
  n++;
  return motoAccount(motoUrl!, `41${String(Date.now()).slice(-6)}${String(n).padStart(4, '0')}`);
};

/** A: NAT path, a service, a multi-platform image, secrets in Secrets Manager (KMS alias) and SSM. */
async function scenarioA(): Promise<string> {
  const a = await freshAccount();
  const cfg = { region: a.region, endpoint: motoUrl!, credentials: a.credentials };
  const net = await natPath(a);
  await createRepository(a, 'checkout');
  await pushIndex(a, 'checkout', '2.3.1', ['amd64', 'arm64']);
  const role = await pullingRole(a);
  const kms = new KMSClient(cfg);
  const key = (await kms.send(new CreateKeyCommand({ Description: 'checkout secrets' }))).KeyMetadata!.KeyId!;
  await kms.send(new CreateAliasCommand({ AliasName: 'alias/checkout', TargetKeyId: key }));
  const secret = (
    await new SecretsManagerClient(cfg).send(
      new CreateSecretCommand({ Name: 'checkout/db', SecretString: 's3cr3t', KmsKeyId: 'alias/checkout' }),
    )
  ).ARN!;
  await new SSMClient(cfg).send(
    new PutParameterCommand({ Name: '/checkout/url', Value: 'https://db.internal', Type: 'String' }),
  );
  const param = `arn:aws:ssm:${a.region}:${a.account}:parameter/checkout/url`;
  await a.iam.send(
    new PutRolePolicyCommand({
      RoleName: 'ecsTaskExecutionRole',
      PolicyName: 'read-checkout-secrets',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['secretsmanager:GetSecretValue', 'ssm:GetParameters', 'kms:Decrypt'],
            Resource: '*',
          },
        ],
      }),
    }),
  );
  const image = uri(a, 'checkout', '2.3.1');
  const task = await runStoppedTask(a, net, {
    family: 'checkout',
    service: 'checkout',
    executionRoleArn: role,
    containers: [
      {
        name: 'app',
        image,
        memory: 512,
        essential: true,
        secrets: [
          { name: 'DB_PASSWORD', valueFrom: secret },
          { name: 'DB_URL', valueFrom: param },
        ],
      },
    ],
  });
  return task.taskArn;
}

/** B: a private subnet with ECR and S3 endpoints; the tag was never pushed, a lifecycle policy keeps releases. */
async function scenarioB(): Promise<string> {
  const a = await freshAccount();
  const net = await endpointPath(a, { interfaces: ['ecr.api', 'ecr.dkr'], s3Gateway: true });
  await createRepository(a, 'orders');
  await pushImage(a, 'orders', 'v1.4.1');
  await keepLastReleases(a, 'orders', 3);
  const task = await runStoppedTask(a, net, {
    family: 'orders',
    image: uri(a, 'orders', 'v1.4.0'),
    executionRoleArn: await pullingRole(a),
    stoppedReason: `CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref ${uri(a, 'orders', 'v1.4.0')}: not found`,
  });
  return task.taskArn;
}

/** C: NAT path with custom DNS servers; a repository that does not exist (a near one does); a bare sidecar. */
async function scenarioC(): Promise<string> {
  const a = await freshAccount();
  const net = await natPath(a);
  await customDns(a, net.vpcId, ['10.0.0.53', 'AmazonProvidedDNS']);
  await createRepository(a, 'billing-api');
  await pushImage(a, 'billing-api', '1');
  const task = await runStoppedTask(a, net, {
    family: 'billing',
    executionRoleArn: await pullingRole(a),
    containers: [
      { name: 'app', image: uri(a, 'billing', '7.0.2'), memory: 256, essential: true },
      { name: 'sidecar', image: 'billing-api:1', memory: 256, essential: false },
    ],
  });
  return task.taskArn;
}

/**
 * D: NAT path, awslogs to a log group encrypted with a KMS key, an EFS volume mounted with IAM authorization through
 * an access point, a file system policy that lets the task role in, a mount target in the task's zone.
 */
async function scenarioD(): Promise<string> {
  const a = await freshAccount();
  const cfg = { region: a.region, endpoint: motoUrl!, credentials: a.credentials };
  const net = await natPath(a);
  await createRepository(a, 'media');
  await pushImage(a, 'media', '2.8.1');
  const key = (await new KMSClient(cfg).send(new CreateKeyCommand({ Description: 'media logs' })))
    .KeyMetadata!.Arn!;
  await createLogGroup(a, '/ecs/media', key);
  const taskRole = await createExecutionRole(a, 'media-task');
  await a.iam.send(
    new PutRolePolicyCommand({
      RoleName: 'media-task',
      PolicyName: 'efs',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
            Resource: '*',
          },
        ],
      }),
    }),
  );
  const sg = await mountTargetGroup(a, net);
  const { fileSystemId, accessPointId } = await createFileSystem(a, {
    subnets: [net.subnetId],
    securityGroups: [sg],
    accessPoint: true,
    policy: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: taskRole },
          Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
          Resource: '*',
        },
      ],
    },
  });
  const image = uri(a, 'media', '2.8.1');
  const task = await runStoppedTask(a, net, {
    family: 'media',
    executionRoleArn: await pullingRole(a),
    containers: [{ ...awslogsContainer(a, image, '/ecs/media'), mountPoints: dataMount }],
    taskDefinition: {
      taskRoleArn: taskRole,
      volumes: [efsVolume(fileSystemId, { accessPointId, iam: true })],
    },
    stoppedReason:
      "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: b'mount.nfs4: access denied by server while mounting 127.0.0.1:/' : unsuccessful EFS utils command execution; code: 32",
  });
  return task.taskArn;
}

/** Actions only a service diagnosis calls (test/e2e/service-faults.test.ts denies them). */
const SERVICE_ONLY = new Set(['ecs:ListTasks']);

function config(aws: Partial<ReturnType<typeof motoConfig>['aws']> = {}) {
  const base = motoConfig();
  return motoConfig({ aws: { ...base.aws, maxAttempts: 1, ...aws } });
}

async function run(s: Scenario, cfg = config()): Promise<Report> {
  return (await diagnoseInMoto(proxy.url, s.taskArn, cfg)).report;
}

function rendered(report: Report): { en: string; it: string } {
  return { en: renderText(report, translator('en')), it: renderText(report, translator('it')) };
}

function expectClean(text: string): void {
  expect(text).not.toMatch(/\{\{|undefined|\[object Object\]|NaN/);
  expect(text.length).toBeGreaterThan(200);
}

/**
 * Denials the engine works around rather than reporting: what it does instead, asserted on the report.
 * Every other denied action must leave a check `unknown` naming it, or be named in the report.
 */
const absorbed: Record<string, (r: Report) => void> = {
  // The task record names the subnets and groups: the ENI only adds its public IP (unknown, said in context).
  'ec2:DescribeNetworkInterfaces': (r) => expect(r.context.eni).toBe('error'),
  // No simulation: the role's policies are evaluated here instead, and the evidence says so.
  'iam:SimulatePrincipalPolicy': (r) => {
    const c = r.checks.find((x) => x.id === 'iam.execution-role')!;
    expect(c.evidence.map((e) => e.key)).toContain('iam:evidence.method.local');
  },
  // The tag is confirmed by BatchGetImage (the manifest) alone.
  'ecr:DescribeImages': (r) => expect(r.checks.find((x) => x.id === 'image.exists')!.status).toBe('pass'),
  // Prefix lists only name AWS ranges already covered by a 0.0.0.0/0 rule here.
  'ec2:DescribePrefixLists': (r) => {
    expect(r.checks.find((x) => x.id === 'network.nacl')!.status).toBe('pass');
    expect(r.checks.find((x) => x.id === 'network.security-group-egress')!.status).toBe('pass');
  },
  // A repository policy can only add permissions for a same-account role: without it the role's own policies decide.
  'ecr:GetRepositoryPolicy': (r) =>
    expect(r.checks.find((x) => x.id === 'iam.execution-role')!.status).toBe('pass'),
  // The service only tells which groups the service intended: the ENI's own groups are used.
  'ecs:DescribeServices': (r) => expect(r.context.origins.securityGroups).toBe('eni'),
};

/** The scenario whose baseline calls this action (B for endpoint-only facts, else the first that does). */
function scenarioFor(action: string): Scenario | undefined {
  if (action === 'ec2:DescribeVpcAttribute') return scenarios.B;
  return [scenarios.A, scenarios.B, scenarios.C, scenarios.D].find((s) => s.baseline.has(action));
}

describe.skipIf(!motoUrl)(`faults on moto${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`, () => {
  beforeAll(async () => {
    useMotoEndpoint(motoUrl!);
    proxy = await startFaultProxy(motoUrl!);
    const arns = { A: await scenarioA(), B: await scenarioB(), C: await scenarioC(), D: await scenarioD() };
    for (const k of ['A', 'B', 'C', 'D'] as const) {
      const s: Scenario = { name: k, taskArn: arns[k], baseline: new Set() };
      proxy.set({});
      const report = await run(s);
      s.baseline = new Set(report.aws.calls.map((c) => c.api));
      scenarios[k] = s;
    }
  }, 120_000);
  afterAll(async () => {
    await proxy?.close();
  });

  it('the four scenarios call every action the diagnostics role grants (but the service listing’s)', () => {
    const called = new Set([
      ...scenarios.A.baseline,
      ...scenarios.B.baseline,
      ...scenarios.C.baseline,
      ...scenarios.D.baseline,
    ]);
    // ecs:ListTasks is called by a service diagnosis only: test/e2e/service-faults.test.ts denies it.
    expect(requiredActions().filter((a) => !called.has(a) && !SERVICE_ONLY.has(a))).toEqual([]);
  });

  it('D, nothing denied: every log and EFS check runs, the mount allowed by the file system policy', async () => {
    proxy.set({});
    const report = await run(scenarios.D);
    expect(report.checks.filter((c) => c.status === 'unknown').map((c) => c.id)).toEqual([]);
    for (const id of [
      'logs.log-group',
      'logs.permissions',
      'logs.kms',
      'efs.mount-target',
      'efs.security-groups',
    ])
      expect(report.checks.find((c) => c.id === id)?.status, id).toBe('pass');
    const auth = report.checks.find((c) => c.id === 'efs.authorization')!;
    expect(auth.status).toBe('pass');
    expect(auth.evidence.map((e) => e.key)).toContain('efs:evidence.policy-allows');
  });

  it('ecs:DescribeTasks denied → one clear error naming the action, no report', async () => {
    proxy.set({ 'ecs:DescribeTasks': { kind: 'deny' } });
    const err = await run(scenarios.A).catch((e: unknown) => e);
    expect(isUserError(err)).toBe(true);
    expect((err as { key: string }).key).toBe('errors.task.denied');
  });

  const denied = requiredActions().filter((a) => a !== 'ecs:DescribeTasks' && !SERVICE_ONLY.has(a));
  it.each(denied)('%s denied → the report renders, the checks that needed it say so', async (action) => {
    const s = scenarioFor(action);
    expect(s, `no scenario calls ${action}`).toBeDefined();
    proxy.set({ [action]: { kind: 'deny' } });
    const report = await run(s!);
    expect(proxy.seen(action)).toBeGreaterThan(0);
    const text = rendered(report);
    expectClean(text.en);
    expectClean(text.it);
    const unknownNaming = report.checks.filter(
      (c) => c.status === 'unknown' && c.missing?.error.action === action,
    );
    if (absorbed[action]) {
      absorbed[action]!(report);
    } else if (unknownNaming.length === 0) {
      // Not a whole check's fact: the evidence or a note names the action instead.
      expect(text.en).toContain(action);
    }
    if (unknownNaming.length) {
      expect(report.verdict.unverified).toEqual(expect.arrayContaining(unknownNaming.map((c) => c.id)));
      expect(text.en).toContain(action);
    }
  });

  it('throttled twice → retried with backoff, and the answer is used', async () => {
    proxy.set({ 'ec2:DescribeNetworkAcls': { kind: 'throttle', times: 2 } });
    const report = await run(scenarios.A, config({ maxAttempts: 4 }));
    expect(proxy.seen('ec2:DescribeNetworkAcls')).toBe(3);
    expect(report.checks.find((c) => c.id === 'network.nacl')!.status).toBe('pass');
    expect(report.checks.filter((c) => c.status === 'unknown').map((c) => c.id)).toEqual([]);
  });

  it('a call that never answers → the per-call timeout makes its checks unknown, the rest is answered', async () => {
    proxy.set({ 'ec2:DescribeNetworkAcls': { kind: 'hang' } });
    const t0 = Date.now();
    const report = await run(scenarios.A, config({ callTimeoutMs: 400, maxAttempts: 2 }));
    expect(Date.now() - t0).toBeLessThan(6_000);
    const nacl = report.checks.find((c) => c.id === 'network.nacl')!;
    expect(nacl.status).toBe('unknown');
    expect(nacl.missing?.error.kind).toBe('timeout');
    expect(report.checks.find((c) => c.id === 'network.route')!.status).toBe('pass');
    expect(report.aws.deadlineExceeded).toBe(false);
    expectClean(rendered(report).it);
  });

  it('calls that never answer past the deadline → a partial report saying which checks did not finish', async () => {
    proxy.set({ 'ec2:DescribeSecurityGroups': { kind: 'hang' }, 'iam:GetRole': { kind: 'hang' } });
    const t0 = Date.now();
    const report = await run(scenarios.A, config({ callTimeoutMs: 10_000, deadlineMs: 1_500 }));
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(report.aws.deadlineExceeded).toBe(true);
    const unfinished = report.checks.filter((c) => c.status === 'unknown');
    expect(unfinished.map((c) => c.id)).toEqual(
      expect.arrayContaining(['network.security-group-egress', 'iam.execution-role']),
    );
    for (const c of unfinished) expect(c.missing?.error.kind).toBe('timeout');
    const text = rendered(report);
    expect(text.en).toContain('The deadline was reached');
    expect(text.en).toContain('did not answer in time');
    expectClean(text.it);
    // The checks that had their facts still answered.
    expect(report.checks.find((c) => c.id === 'network.route')!.status).toBe('pass');
  });
});
