import { parseImageRef } from '../../../aws/image-ref.js';
import { worstOf } from '../network/common.js';
import { type Check, type CheckResult, results } from '../types.js';
import { rolePermission } from './permissions.js';

const r = results('image.registry-credentials');

/** An image from a private registry outside ECR has repositoryCredentials whose secret exists and the execution role may read (and decrypt). */
export const registryCredentialsCheck: Check = {
  id: 'image.registry-credentials',
  needs: ['secrets.references', 'iam.executionRoleSimulation', 'iam.executionRolePolicies'],
  async run({ context: ctx, facts, links }) {
    const out: CheckResult[] = [];
    const roleArn = ctx.taskDefinition?.executionRoleArn;
    const roleAccount = roleArn?.split(':')[4] ?? ctx.account;
    for (const c of ctx.containers) {
      const ref = c.image ? parseImageRef(c.image) : null;
      if (!ref || ref.kind === 'ecr') continue;
      const param = c.definition?.repositoryCredentials?.credentialsParameter;
      if (!param) {
        if (ref.kind === 'other') {
          out.push(
            r.warn(
              'warn.no-credentials',
              { image: c.image!, container: c.name, registry: ref.registry },
              { remediation: r.fix('add-credentials', { container: c.name }) },
            ),
          );
        } else out.push(r.pass('pass.public', { image: c.image! }));
        continue;
      }
      const secret = facts.get('secrets.references').find((s) => s.valueFrom === param);
      const link = links.secret(param);
      if (!secret || secret.unreachable) {
        out.push(r.unknown('unknown.secret', { secret: param }, { links: [link] }));
        continue;
      }
      if (secret.error) {
        out.push({
          ...r.unknown(
            'unknown.error',
            { secret: param, action: secret.error.action ?? '?' },
            { links: [link] },
          ),
          missing: { fact: 'secrets.references', error: secret.error },
        });
        continue;
      }
      if (!secret.exists || secret.deleted) {
        out.push(
          r.fail(
            'fail.missing',
            { secret: param, container: c.name },
            { links: [link], remediation: r.fix('create-secret', { container: c.name }) },
          ),
        );
        continue;
      }
      if (!roleArn) {
        out.push(r.fail('fail.no-role', { container: c.name }, { remediation: r.fix('add-role', {}) }));
        continue;
      }
      const read = await rolePermission(facts, roleArn, roleAccount, {
        action: 'secretsmanager:GetSecretValue',
        resource: secret.arn,
        account: secret.account,
      });
      const decrypt = secret.kmsKeyArn
        ? await rolePermission(facts, roleArn, roleAccount, {
            action: 'kms:Decrypt',
            resource: secret.kmsKeyArn,
            account: secret.account,
          })
        : undefined;
      const evidence = [
        r.ev('secret', { secret: secret.arn, kms: secret.kmsKeyArn ?? 'aws/secretsmanager' }),
      ];
      if (read.decision === 'unknown' || decrypt?.decision === 'unknown') {
        const e =
          read.decision === 'unknown'
            ? read.error
            : (decrypt as { error: import('../../../aws/errors.js').FactError }).error;
        out.push({
          ...r.unknown('unknown.permissions', { secret: param }, { evidence }),
          missing: { fact: 'iam.executionRolePolicies', error: e },
        });
        continue;
      }
      if (read.decision !== 'allowed') {
        out.push(
          r.fail(
            'fail.denied',
            { secret: secret.arn, action: 'secretsmanager:GetSecretValue', role: roleArn },
            {
              evidence,
              links: [links.role(roleArn), link],
              remediation: r.fix('grant', { role: roleArn, secret: secret.arn }),
            },
          ),
        );
        continue;
      }
      if (decrypt && decrypt.decision !== 'allowed') {
        out.push(
          r.fail(
            'fail.kms',
            { secret: secret.arn, key: secret.kmsKeyArn!, role: roleArn },
            {
              evidence,
              links: [links.role(roleArn), links.kmsKey(secret.kmsKeyArn!)],
              remediation: r.fix('grant-kms', { role: roleArn, key: secret.kmsKeyArn! }),
            },
          ),
        );
        continue;
      }
      out.push(r.pass('pass.ok', { image: c.image!, secret: secret.arn }, { evidence, links: [link] }));
    }
    if (!out.length) return r.skip('skip.ecr-only');
    return worstOf(out);
  },
};
