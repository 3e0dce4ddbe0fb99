import type { FactError } from '../../../aws/errors.js';
import { type ImageRef, parseImageRef } from '../../../aws/image-ref.js';
import { POLICY_EVALUATOR_PACKAGE } from '../../../aws/policy-eval.js';
import type { ProbeResult } from '../../../registry/probe.js';
import { aws, type FixCommand, shellVar } from '../../commands.js';
import type { TaskContext } from '../../context.js';
import {
  addRepositoryCredentials,
  containerEdit,
  fixMessage,
  fixOf,
  IAC,
  inlinePolicyName,
  one,
  param,
  putRolePolicy,
  secretKeyCommands,
  taskDefinitionChange,
} from '../shared/commands.js';
import { foldByContainer, okValue } from '../shared/fold.js';
import { probeFor } from '../shared/images.js';
import { secretAccess, secretKey } from '../shared/secrets.js';
import { type CheckInput, type CheckResult, defineCheck, results } from '../types.js';

const r = results('image.registry-credentials');

/** An image from a private registry outside ECR has repositoryCredentials whose secret exists, whose KMS key is enabled, and which the execution role may read and decrypt. */
export const registryCredentialsCheck = defineCheck(r, {
  cause: 'registry-auth',
  needs: [
    'secrets.references',
    'kms.keys',
    'iam.executionRoleSimulation',
    'iam.executionRolePolicies',
    'registry.probe',
  ],
  commands(result, { context: ctx, facts }) {
    const role = param(result.remediation, 'role');
    const inline = okValue(facts.raw('iam.executionRole'))?.inlineNames;
    switch (fixOf(result)) {
      case 'add-credentials': {
        const container = param(result.remediation, 'container');
        return container ? addRepositoryCredentials(ctx, container) : [];
      }
      case 'create-secret': {
        const container = param(result.remediation, 'container');
        const secret = param(result.message, 'secret');
        return container && secret ? recreateCredentials(ctx, container, secret) : [];
      }
      case 'grant': {
        const secret = param(result.remediation, 'secret');
        if (!role || !secret) return [];
        return [
          putRolePolicy(
            ctx.region,
            role,
            inlinePolicyName('read-registry-credentials', inline),
            ['secretsmanager:GetSecretValue'],
            [secret],
          ),
        ];
      }
      default:
        return (
          secretKeyCommands(result, ctx, { role, inline, decryptPolicy: 'decrypt-registry-credentials' }) ??
          []
        );
    }
  },
  async run({ context: ctx, facts, links }) {
    const items: Array<{ result: CheckResult; containers: string[] }> = [];
    const probes = facts.optional('registry.probe') ?? [];
    for (const c of ctx.containers) {
      const ref = c.image ? parseImageRef(c.image) : null;
      if (!ref || ref.kind === 'ecr') continue;
      const param = c.definition?.repositoryCredentials?.credentialsParameter;
      const result = param
        ? await withCredentials({ ctx, facts, links }, c.name, c.image!, param)
        : withoutCredentials(c.name, c.image!, ref, probeFor(probes, c.image!, ref));
      items.push({ result, containers: [c.name] });
    }
    if (!items.length) return r.skip('skip.ecr-only');
    return foldByContainer(ctx, items);
  },
});

/**
 * A credentials secret that does not exist: create it (under the name its ARN carries, without the suffix
 * Secrets Manager adds) with the username and password the reader gives, and point the container at its ARN.
 */
function recreateCredentials(ctx: TaskContext, container: string, secret: string): FixCommand[] {
  const arn = secret.startsWith('arn:') ? secret.split(':') : undefined;
  const name = arn
    ? arn
        .slice(6)
        .join(':')
        .replace(/-[A-Za-z0-9]{6}$/, '')
    : secret;
  const region = arn?.[3] || ctx.region;
  const change = taskDefinitionChange(
    ctx,
    containerEdit('.repositoryCredentials = {credentialsParameter: $secret}'),
    { container, secret: shellVar('CREDENTIALS_SECRET_ARN') },
    IAC.repositoryCredentials,
  );
  if (!name || !change.length) return [];
  return [
    one(
      aws(
        'secretsmanager',
        'create-secret',
        { name, 'secret-string': shellVar('REGISTRY_CREDENTIALS'), query: 'ARN', output: 'text' },
        region,
      ),
      {
        assign: 'CREDENTIALS_SECRET_ARN',
        account: arn?.[4],
        iac: IAC.secret,
        fill: [
          { name: 'REGISTRY_CREDENTIALS', what: fixMessage('fill.registry-credentials', { container }) },
        ],
      },
    ),
    ...change,
  ];
}

/** An image outside ECR with no repositoryCredentials: fine for a public registry, else only if anyone may read it. */
function withoutCredentials(
  container: string,
  image: string,
  ref: ImageRef,
  probe: ProbeResult | undefined,
): CheckResult {
  if (ref.kind !== 'other') return r.pass('pass.public', { image, container });
  // Another registry: private unless it lets anyone read the image (which only the opt-in probe can tell).
  const params = { image, container, registry: ref.registry };
  if (probe?.outcome === 'exists' || probe?.outcome === 'rate-limited')
    return r.pass('pass.anonymous', params, {
      evidence: [r.ev('anonymous-probe', { registry: probe.registry, status: probe.status ?? '—' })],
    });
  if (probe?.outcome === 'unauthorized') {
    return r.fail('fail.no-credentials', params, {
      evidence: [r.ev('anonymous-probe', { registry: probe.registry, status: probe.status ?? '—' })],
      remediation: r.fix('add-credentials', { container }),
    });
  }
  return r.warn('warn.no-credentials', params, { remediation: r.fix('add-credentials', { container }) });
}

/** An image with repositoryCredentials: the secret exists, its key is enabled, the role may read and decrypt it. */
async function withCredentials(
  { ctx, facts, links }: Omit<CheckInput, 'context'> & { ctx: TaskContext },
  container: string,
  image: string,
  param: string,
): Promise<CheckResult> {
  const link = links.secret(param);
  const secret = facts.get('secrets.references').find((s) => s.valueFrom === param);
  if (secret?.notAllowed) return r.unknown('unknown.not-allowed', { secret: param, account: secret.account });
  if (!secret || secret.unreachable) return r.unknown('unknown.secret', { secret: param }, { links: [link] });
  if (secret.error) {
    return {
      ...r.unknown('unknown.error', { secret: param, action: secret.error.action ?? '?' }, { links: [link] }),
      missing: { fact: 'secrets.references', error: secret.error },
    };
  }
  if (!secret.exists || secret.deleted) {
    return r.fail(
      'fail.missing',
      { secret: param, container },
      { links: [link], remediation: r.fix('create-secret', { container }) },
    );
  }
  const keys = facts.raw('kms.keys');
  const key = secretKey(secret, keys?.ok ? keys.value : undefined);
  const keyName = key ? (key.arn ?? key.id) : 'aws/secretsmanager';
  if (key?.notAllowed)
    return r.unknown('unknown.key-not-allowed', { secret: param, account: key.notAllowed });
  const evidence = [r.ev('secret', { secret: secret.arn, kms: keyName })];
  if (key?.state && key.state !== 'Enabled') {
    return r.fail(
      'fail.kms-state',
      { secret: secret.arn, key: keyName, state: key.state, container },
      {
        evidence,
        links: [links.kmsKey(keyName), link],
        remediation: r.fix('enable-key', { key: keyName }),
        cause: 'kms',
      },
    );
  }
  const roleArn = ctx.taskDefinition?.executionRoleArn;
  if (!roleArn) return r.fail('fail.no-role', { container }, { remediation: r.fix('add-role', {}) });
  const roleAccount = roleArn.split(':')[4] ?? ctx.account;
  const unknown = (error: FactError, fact = 'iam.executionRolePolicies'): CheckResult => ({
    ...r.unknown('unknown.permissions', { secret: param }, { evidence }),
    missing: { fact, error },
  });
  const read = { action: 'secretsmanager:GetSecretValue', resource: secret.arn, account: secret.account };
  const access = await secretAccess(facts, roleArn, roleAccount, read, key);
  if (access.step === 'key-unresolved') return unknown(access.error, 'kms.keys');
  if (access.step === 'read' || access.step === 'decrypt') {
    const a = access.answer;
    if (a.decision === 'unknown') {
      if (a.evaluatorMissing)
        return {
          ...r.unknown(
            'unknown.evaluator',
            { secret: param, package: POLICY_EVALUATOR_PACKAGE },
            { evidence },
          ),
          missing: { fact: 'iam.executionRolePolicies', error: a.fallbackError ?? a.error },
        };
      return unknown(a.fallbackError ?? a.error);
    }
    const decrypt = access.step === 'decrypt';
    const roleLinks = [links.role(roleArn), decrypt ? links.kmsKey(access.keyArn) : link];
    if (a.decision === 'conditional')
      return r.warn(
        'warn.conditional',
        {
          secret: secret.arn,
          action: decrypt ? 'kms:Decrypt' : read.action,
          role: roleArn,
          keys: (a.conditions ?? []).join(', '),
        },
        { evidence, links: roleLinks, ...(decrypt ? { cause: 'kms' as const } : {}) },
      );
    if (decrypt)
      return r.fail(
        'fail.kms',
        { secret: secret.arn, key: access.keyArn, role: roleArn },
        {
          evidence,
          links: roleLinks,
          remediation: r.fix('grant-kms', { role: roleArn, key: access.keyArn }),
          cause: 'kms',
        },
      );
    return r.fail(
      'fail.denied',
      { secret: secret.arn, action: read.action, role: roleArn },
      { evidence, links: roleLinks, remediation: r.fix('grant', { role: roleArn, secret: secret.arn }) },
    );
  }
  return r.pass('pass.ok', { image, secret: secret.arn, container }, { evidence, links: [link] });
}
