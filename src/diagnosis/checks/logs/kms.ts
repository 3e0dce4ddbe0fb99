import { awslogsOptionsOf } from '../../task-refs.js';
import { enableKey, param } from '../shared/commands.js';
import { worstOf } from '../shared/fold.js';
import { type CheckResult, defineCheck, results } from '../types.js';

const r = results('logs.kms');

/** A log group encrypted with a KMS key: the key is enabled (CloudWatch Logs cannot create streams or write with a disabled or deleted key). */
export const logKmsCheck = defineCheck(r, {
  cause: 'log-configuration',
  cannotTell: ['skip.not-gathered'],
  needs: ['logs.groups'],
  commands(result, { context: ctx }) {
    const key = param(result.remediation, 'logKey');
    return key ? enableKey(key, param(result.message, 'state'), ctx.region) : [];
  },
  run({ context: ctx, facts, links }) {
    const awslogs = awslogsOptionsOf(ctx.containers.flatMap((c) => (c.definition ? [c.definition] : [])));
    if (!awslogs.some((o) => o.group)) return r.skip('skip.none');
    if (!facts.raw('logs.groups')) return r.skip('skip.not-gathered');
    const encrypted = (facts.optional('logs.groups') ?? []).filter((g) => g.kmsKeyId);
    if (!encrypted.length) return r.skip('skip.no-key');
    const out: CheckResult[] = encrypted.map((g) => {
      const key = g.key ?? { arn: g.kmsKeyId! };
      const params = { group: g.group, key: key.arn };
      const groupLink = links.logGroup(g.group, g.region);
      const keyLink = links.kmsKey(key.arn);
      if (key.notAllowed)
        return r.unknown('unknown.not-allowed', { ...params, account: key.arn.split(':')[4] ?? '?' });
      if (key.unreachable)
        return r.unknown('unknown.unreachable', { ...params, account: key.arn.split(':')[4] ?? '?' });
      if (key.error)
        return {
          ...r.unknown(
            'unknown.error',
            { ...params, action: key.error.action ?? 'kms:DescribeKey' },
            {
              links: [groupLink, keyLink],
            },
          ),
          missing: { fact: 'logs.groups', error: key.error },
        };
      const evidence = [
        r.ev('key-state', { key: key.arn, state: key.state ?? '?', manager: key.manager ?? '?' }),
      ];
      if (key.state && key.state !== 'Enabled') {
        return r.fail(
          'fail.state',
          { logGroup: g.group, logKey: key.arn, state: key.state },
          {
            evidence,
            links: [keyLink, groupLink],
            remediation: r.fix('enable', { logKey: key.arn, group: g.group }),
          },
        );
      }
      evidence.push(r.ev('key-policy', { key: key.arn, service: `logs.${g.region}.amazonaws.com` }));
      return r.pass('pass', params, { evidence, links: [groupLink, keyLink] });
    });
    return worstOf(out);
  },
});
