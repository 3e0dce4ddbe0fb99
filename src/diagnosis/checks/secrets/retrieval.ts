import type { ConsoleLinks, LinkRef } from '../../../aws/console-links.js';
import type { FactError } from '../../../aws/errors.js';
import { POLICY_EVALUATOR_PACKAGE } from '../../../aws/policy-eval.js';
import { aws, type FixCommand, shellVar } from '../../commands.js';
import type { TaskContext } from '../../context.js';
import type { SecretRecord } from '../../facts/secrets-kms.js';
import {
  accountOf,
  createEndpoints,
  fixMessage,
  fixOf,
  IAC,
  inlinePolicyName,
  one,
  param,
  putRolePolicy,
  secretKeyCommands,
} from '../shared/commands.js';
import { okValue, worstOf } from '../shared/fold.js';
import { endpointsFor, internetPath, serviceReach } from '../shared/path.js';
import { secretAccess, secretKey } from '../shared/secrets.js';
import {
  type CheckInput,
  type CheckResult,
  defineCheck,
  type FactReader,
  type Message,
  results,
} from '../types.js';

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
    'ec2.subnets',
  ],
  commands(result, { context: ctx, facts }) {
    const role = param(result.remediation, 'role');
    const inline = okValue(facts.raw('iam.executionRole'))?.inlineNames;
    switch (fixOf(result)) {
      case 'create': {
        const s = (okValue(facts.raw('secrets.references')) ?? []).find(
          (x) => x.valueFrom === param(result.message, 'secret'),
        );
        return s ? createSecret(s, result.message.key.endsWith('.deleted')) : [];
      }
      case 'grant': {
        const secret = param(result.remediation, 'secret');
        const action = param(result.remediation, 'action');
        if (!role || !secret || !action) return [];
        return [
          putRolePolicy(ctx.region, role, inlinePolicyName('read-secrets', inline), [action], [secret]),
        ];
      }
      case 'endpoint': {
        const service = param(result.remediation, 'service');
        const subnets = okValue(facts.raw('ec2.subnets'));
        const vpcId = subnets?.[0]?.vpcId ?? ctx.network.vpcId;
        if ((service !== 'secretsmanager' && service !== 'ssm') || !vpcId) return [];
        return createEndpoints(ctx, [{ service, type: 'Interface' }], {
          vpcId,
          tables: okValue(facts.raw('ec2.routeTables')) ?? [],
          endpoints: okValue(facts.raw('ec2.vpcEndpoints')) ?? [],
          subnets,
        });
      }
      default:
        return secretKeyCommands(result, ctx, { role, inline, decryptPolicy: 'decrypt-secrets' }) ?? [];
    }
  },
  async run({ context: ctx, facts, links }) {
    const refs = (facts.optional('secrets.references') ?? []).filter(
      (s) => s.purpose !== 'registry-credentials',
    );
    if (!refs.length) return r.skip('skip.none');
    const out: CheckResult[] = [];
    for (const s of refs) out.push(await oneSecret({ ctx, facts, links }, s));
    const result = worstOf(out);
    if (result.status === 'pass')
      return { ...result, message: { key: 'secrets:retrieval.pass.all', params: { count: refs.length } } };
    return result;
  },
});

/**
 * Bring back a secret deleted within its recovery window; create a missing one the task names by name (an ARN
 * ends in a suffix a new secret would not get) or a missing parameter, its value filled in by the reader.
 */
function createSecret(s: SecretRecord, deleted: boolean): FixCommand[] {
  const account = accountOf(s.arn);
  if (s.store === 'secretsmanager') {
    if (deleted)
      return [one(aws('secretsmanager', 'restore-secret', { 'secret-id': s.arn }, s.region), { account })];
    if (s.valueFrom.startsWith('arn:')) return [];
    return [
      one(
        aws(
          'secretsmanager',
          'create-secret',
          { name: s.lookup, 'secret-string': shellVar('SECRET_VALUE') },
          s.region,
        ),
        {
          account,
          iac: IAC.secret,
          fill: [{ name: 'SECRET_VALUE', what: fixMessage('fill.secret-value', { secret: s.lookup }) }],
        },
      ),
    ];
  }
  return [
    one(
      aws(
        'ssm',
        'put-parameter',
        { name: s.lookup, type: 'SecureString', value: shellVar('PARAMETER_VALUE') },
        s.region,
      ),
      {
        account,
        iac: IAC.parameter,
        fill: [
          { name: 'PARAMETER_VALUE', what: fixMessage('fill.parameter-value', { parameter: s.lookup }) },
        ],
      },
    ),
  ];
}

/** An unknown result that names the fact (and so the permission) it lacked. */
function unknownFrom(
  key: string,
  params: Record<string, string>,
  error: FactError,
  fact = 'secrets.references',
): CheckResult {
  return { ...r.unknown(key, params), missing: { fact, error } };
}

/** One secret or parameter: it exists, its key is enabled, the role may read and decrypt it, the task reaches it. */
async function oneSecret(
  { ctx, facts, links }: Omit<CheckInput, 'context'> & { ctx: TaskContext },
  s: SecretRecord,
): Promise<CheckResult> {
  const link = s.store === 'secretsmanager' ? links.secret(s.arn) : links.ssmParameter(s.lookup);
  const params = { secret: s.valueFrom, containers: s.containers.join(', ') };
  if (s.notAllowed) return r.unknown('unknown.not-allowed', { ...params, account: s.account });
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
  const keys = facts.raw('kms.keys');
  const key = secretKey(s, keys?.ok ? keys.value : undefined);
  if (key?.notAllowed) return r.unknown('unknown.key-not-allowed', { ...params, account: key.notAllowed });
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
  const roleArn = ctx.taskDefinition?.executionRoleArn;
  if (!roleArn) return r.fail('fail.no-role', params, { remediation: r.fix('add-role', {}) });
  const roleAccount = roleArn.split(':')[4] ?? ctx.account;
  const action = s.store === 'secretsmanager' ? 'secretsmanager:GetSecretValue' : 'ssm:GetParameters';
  const access = await secretAccess(
    facts,
    roleArn,
    roleAccount,
    { action, resource: s.arn, account: s.account },
    key,
  );
  switch (access.step) {
    case 'read':
    case 'decrypt': {
      const a = access.answer;
      const decrypt = access.step === 'decrypt';
      if (a.decision === 'unknown')
        return unknownFrom(
          a.evaluatorMissing ? 'unknown.evaluator' : 'unknown.permissions',
          a.evaluatorMissing ? { ...params, package: POLICY_EVALUATOR_PACKAGE } : params,
          a.fallbackError ?? a.error,
          'iam.executionRolePolicies',
        );
      const actionAsked = decrypt ? 'kms:Decrypt' : action;
      const keyLinks = decrypt ? links.kmsKey(access.keyArn) : link;
      if (a.decision === 'conditional')
        return r.warn(
          'warn.conditional',
          { ...params, action: actionAsked, role: roleArn, keys: (a.conditions ?? []).join(', ') },
          { links: [links.role(roleArn), keyLinks], ...(decrypt ? { cause: 'kms' as const } : {}) },
        );
      if (decrypt)
        return r.fail(
          'fail.kms-denied',
          { ...params, key: access.keyArn, role: roleArn },
          {
            links: [links.role(roleArn), keyLinks],
            remediation: r.fix('grant-kms', { role: roleArn, key: access.keyArn }),
            cause: 'kms',
          },
        );
      return r.fail(
        'fail.denied',
        { ...params, action, role: roleArn },
        {
          links: [links.role(roleArn), link],
          remediation: r.fix('grant', { role: roleArn, action, secret: s.arn }),
        },
      );
    }
    case 'key-unresolved':
      return unknownFrom(
        'unknown.key',
        { ...params, key: access.key.id, action: access.error.action ?? 'kms:DescribeKey' },
        access.error,
        'kms.keys',
      );
  }
  return reachResult(ctx, facts, links, s, params, keyName, link);
}

/**
 * The task reaches Secrets Manager or SSM from a subnet: an interface endpoint with private DNS, or the internet.
 * When it does not, the network path is what stopped the task, not a permission (the role's were asked above): the
 * result speaks to the network cause that explains it, an endpoint that does not resolve privately (`dns`), a public
 * subnet without a public IP (`network-no-public-ip`), else the missing endpoint (`vpc-endpoint`).
 */
function reachResult(
  ctx: TaskContext,
  facts: FactReader,
  links: ConsoleLinks,
  s: SecretRecord,
  params: { secret: string; containers: string },
  keyName: string | undefined,
  link: LinkRef,
): CheckResult {
  const tables = facts.optional('ec2.routeTables');
  const endpoints = facts.optional('ec2.vpcEndpoints');
  const vpc = facts.raw('ec2.vpcDns');
  const evidence: Message[] = keyName ? [r.ev('key', { key: keyName })] : [];
  if (tables && endpoints && ctx.network.subnetIds.length) {
    const service = s.store === 'secretsmanager' ? 'secretsmanager' : 'ssm';
    const reach = ctx.network.subnetIds.map((id) => ({
      id,
      ...serviceReach(ctx, id, tables, endpoints, service, vpc?.ok ? vpc.value : undefined),
    }));
    const ok = reach.find((x) => x.via !== 'none');
    if (!ok) {
      const none = r.ev('reach.none', { subnet: reach.map((x) => x.id).join(', '), service });
      // The endpoint is there, but its name does not resolve to it: private DNS, or the VPC's DNS attributes.
      const unresolved = endpointsFor(endpoints, ctx.region, service, 'Interface')[0];
      if (unresolved) {
        const endpoint = unresolved.vpcEndpointId;
        return r.fail(
          'fail.endpoint-dns',
          { ...params, service, endpoint },
          {
            evidence: [none],
            links: [links.endpoint(endpoint), link],
            remediation: r.fix('private-dns', { endpoint }),
            cause: 'dns',
          },
        );
      }
      // No endpoint: a public subnet whose task had no public IP, or a private one that needs the endpoint.
      const publicOnly = ctx.network.subnetIds.every((id) => internetPath(id, tables).kind === 'igw');
      return r.fail(
        'fail.unreachable',
        { ...params, service },
        {
          evidence: [none],
          links: [link],
          remediation: r.fix('endpoint', { service }),
          cause: publicOnly ? 'network-no-public-ip' : 'vpc-endpoint',
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
