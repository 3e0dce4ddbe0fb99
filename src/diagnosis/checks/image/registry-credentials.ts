import type { FactError } from '../../../aws/errors.js';
import { parseImageRef } from '../../../aws/image-ref.js';
import { foldByContainer } from '../shared/fold.js';
import { probeFor } from '../shared/images.js';
import { rolePermission } from '../shared/permissions.js';
import { secretKey } from '../shared/secrets.js';
import { type CheckResult, defineCheck, results } from '../types.js';

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
  async run({ context: ctx, facts, links }) {
    const items: Array<{ result: CheckResult; containers: string[] }> = [];
    const roleArn = ctx.taskDefinition?.executionRoleArn;
    const roleAccount = roleArn?.split(':')[4] ?? ctx.account;
    const probes = facts.optional('registry.probe') ?? [];
    const keys = facts.raw('kms.keys');
    for (const c of ctx.containers) {
      const ref = c.image ? parseImageRef(c.image) : null;
      if (!ref || ref.kind === 'ecr') continue;
      items.push({ result: await one(c.name, c.image!, ref), containers: [c.name] });
    }
    if (!items.length) return r.skip('skip.ecr-only');
    return foldByContainer(ctx, items);

    async function one(
      container: string,
      image: string,
      ref: NonNullable<ReturnType<typeof parseImageRef>>,
    ): Promise<CheckResult> {
      const param = ctx.containers.find((c) => c.name === container)?.definition?.repositoryCredentials
        ?.credentialsParameter;
      if (!param) {
        if (ref.kind !== 'other') return r.pass('pass.public', { image, container });
        // Another registry: private unless it lets anyone read the image (which only the opt-in probe can tell).
        const probe = probeFor(probes, image, ref);
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
        return r.warn('warn.no-credentials', params, {
          remediation: r.fix('add-credentials', { container }),
        });
      }
      const link = links.secret(param);
      const secret = facts.get('secrets.references').find((s) => s.valueFrom === param);
      if (!secret || secret.unreachable)
        return r.unknown('unknown.secret', { secret: param }, { links: [link] });
      if (secret.error) {
        return {
          ...r.unknown(
            'unknown.error',
            { secret: param, action: secret.error.action ?? '?' },
            { links: [link] },
          ),
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
      const key = secretKey(secret, keys?.ok ? keys.value : undefined);
      const keyName = key ? (key.arn ?? key.id) : 'aws/secretsmanager';
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
      if (!roleArn) return r.fail('fail.no-role', { container }, { remediation: r.fix('add-role', {}) });
      const unknown = (error: FactError, fact = 'iam.executionRolePolicies'): CheckResult => ({
        ...r.unknown('unknown.permissions', { secret: param }, { evidence }),
        missing: { fact, error },
      });
      const read = await rolePermission(facts, roleArn, roleAccount, {
        action: 'secretsmanager:GetSecretValue',
        resource: secret.arn,
        account: secret.account,
      });
      if (read.decision === 'unknown') return unknown(read.fallbackError ?? read.error);
      if (read.decision === 'conditional')
        return r.warn(
          'warn.conditional',
          {
            secret: secret.arn,
            action: 'secretsmanager:GetSecretValue',
            role: roleArn,
            keys: (read.conditions ?? []).join(', '),
          },
          { evidence, links: [links.role(roleArn), link] },
        );
      if (read.decision !== 'allowed') {
        return r.fail(
          'fail.denied',
          { secret: secret.arn, action: 'secretsmanager:GetSecretValue', role: roleArn },
          {
            evidence,
            links: [links.role(roleArn), link],
            remediation: r.fix('grant', { role: roleArn, secret: secret.arn }),
          },
        );
      }
      if (key) {
        if (!key.arn) {
          return unknown(
            key.error ??
              (keys && !keys.ok ? keys.error : undefined) ?? {
                kind: 'error',
                code: 'Unresolved',
                message: `${key.id} was not resolved`,
                action: 'kms:DescribeKey',
              },
            'kms.keys',
          );
        }
        const decrypt = await rolePermission(facts, roleArn, roleAccount, {
          action: 'kms:Decrypt',
          resource: key.arn,
          account: key.arn.split(':')[4] ?? secret.account,
        });
        if (decrypt.decision === 'unknown') return unknown(decrypt.fallbackError ?? decrypt.error);
        if (decrypt.decision === 'conditional')
          return r.warn(
            'warn.conditional',
            {
              secret: secret.arn,
              action: 'kms:Decrypt',
              role: roleArn,
              keys: (decrypt.conditions ?? []).join(', '),
            },
            { evidence, links: [links.role(roleArn), links.kmsKey(key.arn)], cause: 'kms' },
          );
        if (decrypt.decision !== 'allowed') {
          return r.fail(
            'fail.kms',
            { secret: secret.arn, key: key.arn, role: roleArn },
            {
              evidence,
              links: [links.role(roleArn), links.kmsKey(key.arn)],
              remediation: r.fix('grant-kms', { role: roleArn, key: key.arn }),
              cause: 'kms',
            },
          );
        }
      }
      return r.pass('pass.ok', { image, secret: secret.arn, container }, { evidence, links: [link] });
    }
  },
});
