import type { FactError } from '../../../aws/errors.js';
import { internetUsable, worstOf } from '../network/common.js';
import { endpointsFor } from '../network/path.js';
import { type Check, type CheckResult, results } from '../types.js';
import { rolePermission } from './permissions.js';

const r = results('secrets.retrieval');

/** Each secret and parameter the task reads exists, its KMS key is usable, the execution role may read and decrypt it, and the network reaches Secrets Manager / SSM. */
export const secretsRetrievalCheck: Check = {
  id: 'secrets.retrieval',
  needs: [
    'secrets.references',
    'iam.executionRoleSimulation',
    'iam.executionRolePolicies',
    'ec2.routeTables',
    'ec2.vpcEndpoints',
  ],
  async run({ context: ctx, facts, links }) {
    const refs = (facts.optional('secrets.references') ?? []).filter(
      (s) => s.purpose !== 'registry-credentials',
    );
    if (!refs.length) return r.skip('skip.none');
    const roleArn = ctx.taskDefinition?.executionRoleArn;
    const roleAccount = roleArn?.split(':')[4] ?? ctx.account;
    const tables = facts.optional('ec2.routeTables');
    const endpoints = facts.optional('ec2.vpcEndpoints');
    const out: CheckResult[] = [];
    const unknownFrom = (key: string, params: Record<string, string>, error: FactError): CheckResult => ({
      ...r.unknown(key, params),
      missing: { fact: 'secrets.references', error },
    });
    for (const s of refs) {
      const link = s.store === 'secretsmanager' ? links.secret(s.arn) : links.ssmParameter(s.lookup);
      const params = { secret: s.valueFrom, containers: s.containers.join(', ') };
      if (s.unreachable) {
        out.push(r.unknown('unknown.unreachable', { ...params, account: s.account }, { links: [link] }));
        continue;
      }
      if (s.error && !s.exists) {
        out.push(unknownFrom('unknown.error', { ...params, action: s.error.action ?? '?' }, s.error));
        continue;
      }
      if (!s.exists || s.deleted) {
        out.push(
          r.fail(s.deleted ? 'fail.deleted' : 'fail.missing', params, {
            links: [link],
            remediation: r.fix('create', params),
          }),
        );
        continue;
      }
      if (s.kmsKeyState && s.kmsKeyState !== 'Enabled') {
        out.push(
          r.fail(
            'fail.kms-state',
            { ...params, key: s.kmsKeyArn ?? s.kmsKeyId ?? '?', state: s.kmsKeyState },
            {
              links: [links.kmsKey(s.kmsKeyArn ?? s.kmsKeyId ?? '?'), link],
              remediation: r.fix('enable-key', { key: s.kmsKeyArn ?? s.kmsKeyId ?? '?' }),
            },
          ),
        );
        continue;
      }
      if (!roleArn) {
        out.push(r.fail('fail.no-role', params, { remediation: r.fix('add-role', {}) }));
        continue;
      }
      const action = s.store === 'secretsmanager' ? 'secretsmanager:GetSecretValue' : 'ssm:GetParameters';
      const read = await rolePermission(facts, roleArn, roleAccount, {
        action,
        resource: s.arn,
        account: s.account,
      });
      if (read.decision === 'unknown') {
        out.push({
          ...r.unknown('unknown.permissions', params),
          missing: { fact: 'iam.executionRolePolicies', error: read.error },
        });
        continue;
      }
      if (read.decision !== 'allowed') {
        out.push(
          r.fail(
            'fail.denied',
            { ...params, action, role: roleArn },
            {
              links: [links.role(roleArn), link],
              remediation: r.fix('grant', { role: roleArn, action, secret: s.arn }),
            },
          ),
        );
        continue;
      }
      if (s.kmsKeyArn || s.kmsKeyId) {
        const key = s.kmsKeyArn ?? s.kmsKeyId!;
        const dec = await rolePermission(facts, roleArn, roleAccount, {
          action: 'kms:Decrypt',
          resource: key,
          account: s.account,
        });
        if (dec.decision !== 'allowed' && dec.decision !== 'unknown') {
          out.push(
            r.fail(
              'fail.kms-denied',
              { ...params, key, role: roleArn },
              {
                links: [links.role(roleArn), links.kmsKey(key)],
                remediation: r.fix('grant-kms', { role: roleArn, key }),
              },
            ),
          );
          continue;
        }
      }
      // The task must reach the service: an internet path, or its interface endpoint.
      if (tables && endpoints && ctx.network.subnetIds.length) {
        const service = s.store === 'secretsmanager' ? 'secretsmanager' : 'ssm';
        const internet = ctx.network.subnetIds.some((id) => internetUsable(ctx, id, tables));
        const endpoint = endpointsFor(endpoints, ctx.region, service, 'Interface').length > 0;
        if (!internet && !endpoint) {
          out.push(
            r.fail(
              'fail.unreachable',
              { ...params, service },
              { remediation: r.fix('endpoint', { service }) },
            ),
          );
          continue;
        }
      }
      out.push(r.pass('pass.one', params, { links: [link] }));
    }
    const result = worstOf(out);
    if (result.status === 'pass')
      return { ...result, message: { key: 'secrets:retrieval.pass.all', params: { count: refs.length } } };
    return result;
  },
};
