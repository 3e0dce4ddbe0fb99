import type { FactError } from '../../../aws/errors.js';
import type { SecretRecord } from '../../facts/secrets-kms.js';
import { worstOf } from '../shared/fold.js';
import { serviceReach } from '../shared/path.js';
import { rolePermission } from '../shared/permissions.js';
import { secretKey } from '../shared/secrets.js';
import { type CheckResult, defineCheck, type Message, results } from '../types.js';

const r = results('secrets.retrieval');

/** Each secret and parameter the task reads exists, its KMS key is usable, the execution role may read and decrypt it, and the task's subnet reaches Secrets Manager / SSM (internet path or an interface endpoint with private DNS). */
export const secretsRetrievalCheck = defineCheck(r, {
  cause: 'secrets',
  needs: [
    'secrets.references',
    'kms.keys',
    'iam.executionRoleSimulation',
    'iam.executionRolePolicies',
    'ec2.routeTables',
    'ec2.vpcEndpoints',
    'ec2.vpcDns',
  ],
  async run({ context: ctx, facts, links }) {
    const refs = (facts.optional('secrets.references') ?? []).filter(
      (s) => s.purpose !== 'registry-credentials',
    );
    if (!refs.length) return r.skip('skip.none');
    const roleArn = ctx.taskDefinition?.executionRoleArn;
    const roleAccount = roleArn?.split(':')[4] ?? ctx.account;
    const keys = facts.raw('kms.keys');
    const tables = facts.optional('ec2.routeTables');
    const endpoints = facts.optional('ec2.vpcEndpoints');
    const vpc = facts.raw('ec2.vpcDns');
    const out: CheckResult[] = [];
    const unknownFrom = (
      key: string,
      params: Record<string, string>,
      error: FactError,
      fact = 'secrets.references',
    ): CheckResult => ({ ...r.unknown(key, params), missing: { fact, error } });

    for (const s of refs) out.push(await one(s));
    const result = worstOf(out);
    if (result.status === 'pass')
      return { ...result, message: { key: 'secrets:retrieval.pass.all', params: { count: refs.length } } };
    return result;

    async function one(s: SecretRecord): Promise<CheckResult> {
      const link = s.store === 'secretsmanager' ? links.secret(s.arn) : links.ssmParameter(s.lookup);
      const params = { secret: s.valueFrom, containers: s.containers.join(', ') };
      if (s.unreachable)
        return r.unknown('unknown.unreachable', { ...params, account: s.account }, { links: [link] });
      if (s.error && !s.exists)
        return unknownFrom('unknown.error', { ...params, action: s.error.action ?? '?' }, s.error);
      if (!s.exists || s.deleted) {
        return r.fail(s.deleted ? 'fail.deleted' : 'fail.missing', params, {
          links: [link],
          remediation: r.fix('create', params),
        });
      }
      const key = secretKey(s, keys?.ok ? keys.value : undefined);
      const keyName = key ? (key.arn ?? key.id) : undefined;
      if (key?.state && key.state !== 'Enabled') {
        return r.fail(
          'fail.kms-state',
          { ...params, key: keyName!, state: key.state },
          {
            links: [links.kmsKey(keyName!), link],
            remediation: r.fix('enable-key', { key: keyName! }),
            cause: 'kms',
          },
        );
      }
      if (!roleArn) return r.fail('fail.no-role', params, { remediation: r.fix('add-role', {}) });
      const action = s.store === 'secretsmanager' ? 'secretsmanager:GetSecretValue' : 'ssm:GetParameters';
      const read = await rolePermission(facts, roleArn, roleAccount, {
        action,
        resource: s.arn,
        account: s.account,
      });
      if (read.decision === 'unknown')
        return unknownFrom(
          'unknown.permissions',
          params,
          read.fallbackError ?? read.error,
          'iam.executionRolePolicies',
        );
      if (read.decision === 'conditional')
        return r.warn(
          'warn.conditional',
          { ...params, action, role: roleArn, keys: (read.conditions ?? []).join(', ') },
          { links: [links.role(roleArn), link] },
        );
      if (read.decision !== 'allowed') {
        return r.fail(
          'fail.denied',
          { ...params, action, role: roleArn },
          {
            links: [links.role(roleArn), link],
            remediation: r.fix('grant', { role: roleArn, action, secret: s.arn }),
          },
        );
      }
      if (key) {
        // An alias the key lookup could not resolve leaves nothing to ask kms:Decrypt about.
        if (!key.arn) {
          const error: FactError = key.error ??
            (keys && !keys.ok ? keys.error : undefined) ?? {
              kind: 'error',
              code: 'Unresolved',
              message: `${key.id} was not resolved`,
              action: 'kms:DescribeKey',
            };
          return unknownFrom(
            'unknown.key',
            { ...params, key: key.id, action: error.action ?? 'kms:DescribeKey' },
            error,
            'kms.keys',
          );
        }
        const dec = await rolePermission(facts, roleArn, roleAccount, {
          action: 'kms:Decrypt',
          resource: key.arn,
          account: key.arn.split(':')[4] ?? s.account,
        });
        if (dec.decision === 'unknown')
          return unknownFrom(
            'unknown.permissions',
            params,
            dec.fallbackError ?? dec.error,
            'iam.executionRolePolicies',
          );
        if (dec.decision === 'conditional')
          return r.warn(
            'warn.conditional',
            { ...params, action: 'kms:Decrypt', role: roleArn, keys: (dec.conditions ?? []).join(', ') },
            { links: [links.role(roleArn), links.kmsKey(key.arn)], cause: 'kms' },
          );
        if (dec.decision !== 'allowed') {
          return r.fail(
            'fail.kms-denied',
            { ...params, key: key.arn, role: roleArn },
            {
              links: [links.role(roleArn), links.kmsKey(key.arn)],
              remediation: r.fix('grant-kms', { role: roleArn, key: key.arn }),
              cause: 'kms',
            },
          );
        }
      }
      // The task must reach the service from its subnet: an interface endpoint with private DNS, or the internet.
      const evidence: Message[] = keyName ? [r.ev('key', { key: keyName })] : [];
      if (tables && endpoints && ctx.network.subnetIds.length) {
        const service = s.store === 'secretsmanager' ? 'secretsmanager' : 'ssm';
        const reach = ctx.network.subnetIds.map((id) => ({
          id,
          ...serviceReach(ctx, id, tables, endpoints, service, vpc?.ok ? vpc.value : undefined),
        }));
        const ok = reach.find((x) => x.via !== 'none');
        if (!ok) {
          return r.fail(
            'fail.unreachable',
            { ...params, service },
            {
              evidence: [r.ev('reach.none', { subnet: reach.map((x) => x.id).join(', '), service })],
              remediation: r.fix('endpoint', { service }),
            },
          );
        }
        evidence.push(
          ok.via === 'endpoint'
            ? r.ev('reach.endpoint', { subnet: ok.id, service, endpoint: ok.endpoint?.vpcEndpointId ?? '?' })
            : r.ev('reach.internet', { subnet: ok.id, service }),
        );
      }
      return r.pass('pass.one', params, { evidence, links: [link] });
    }
  },
});
