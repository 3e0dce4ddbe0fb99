import { POLICY_EVALUATOR_PACKAGE } from '../../../aws/policy-eval.js';
import { aws, type FixCommand } from '../../commands.js';
import type { TaskContext } from '../../context.js';
import type { LogGroupRecord } from '../../facts/logs.js';
import { awslogsOptionsOf } from '../../task-refs.js';
import { containerEdit, fixOf, IAC, one, param, taskDefinitionChange } from '../shared/commands.js';
import { worstOf } from '../shared/fold.js';
import { notAsked, rolePermission } from '../shared/permissions.js';
import { type CheckInput, type CheckResult, defineCheck, type Message, results } from '../types.js';

const r = results('logs.log-group');

/** Each awslogs container names a group and a region, and its log group exists, or awslogs-create-group is set and the execution role may create it. */
export const logGroupCheck = defineCheck(r, {
  cause: 'log-configuration',
  cannotTell: ['skip.not-gathered'],
  needs: ['logs.groups', 'iam.executionRoleSimulation', 'iam.executionRolePolicies'],
  commands(result, { context: ctx }) {
    const createGroup = (group: string, region: string): FixCommand =>
      one(aws('logs', 'create-log-group', { 'log-group-name': group }, region), { iac: IAC.logGroup });
    const fix = fixOf(result);
    if (fix === 'create' || fix === 'create-or-grant') {
      const group = param(result.remediation, 'missingGroup');
      return group ? [createGroup(group, param(result.remediation, 'logRegion') ?? ctx.region)] : [];
    }
    const container = param(result.remediation, 'logContainer');
    const family = ctx.taskDefinition?.family;
    if (fix !== 'options' || !container || !family) return [];
    // The options it lacks, the usual ones: the task's region, and /ecs/FAMILY (created first) for the group.
    const group = `/ecs/${family}`;
    const missing = param(result.remediation, 'logOptions') ?? '';
    return [
      ...(missing.includes('awslogs-group') ? [createGroup(group, ctx.region)] : []),
      ...taskDefinitionChange(
        ctx,
        containerEdit(
          '.logConfiguration.options = ({"awslogs-group": $group, "awslogs-region": $region} + (.logConfiguration.options // {}))',
        ),
        { container, group, region: ctx.region },
        IAC.logOptions,
      ),
    ];
  },
  async run({ context: ctx, facts, links }) {
    const options = awslogsOptionsOf(ctx.containers.flatMap((c) => (c.definition ? [c.definition] : [])));
    if (!options.length) return r.skip('skip.none');
    const td = ctx.taskDefinition;
    const tdLinks = td?.family ? [links.taskDefinition(td.family, td.revision ?? 1)] : [];
    const out: CheckResult[] = [];
    for (const o of options) {
      const missing = [o.group ? '' : 'awslogs-group', o.region ? '' : 'awslogs-region'].filter(Boolean);
      if (!missing.length) continue;
      const params = { logContainer: o.container, logOptions: missing.join(', ') };
      out.push(r.fail('fail.options', params, { links: tdLinks, remediation: r.fix('options', params) }));
    }
    // A diagnosis saved before ecs-pull read log groups: nothing to say about them.
    if (!facts.raw('logs.groups')) return out.length ? worstOf(out) : r.skip('skip.not-gathered');
    const groups = facts.optional('logs.groups') ?? [];
    for (const g of groups) out.push(await oneGroup({ context: ctx, facts, links }, g));
    if (!out.length) return r.skip('skip.none');
    const result = worstOf(out);
    if (result.status === 'pass' && out.length > 1)
      return { ...result, message: { key: 'logs:log-group.pass.all', params: { count: out.length } } };
    return result;
  },
});

/** One log group: it exists, or the driver may create it. */
async function oneGroup({ context: ctx, facts, links }: CheckInput, g: LogGroupRecord): Promise<CheckResult> {
  const link = links.logGroup(g.group, g.region);
  const params = { group: g.group, region: g.region, containers: g.containers.join(', ') };
  if (g.error) {
    return {
      ...r.unknown(
        'unknown.error',
        { ...params, action: g.error.action ?? 'logs:DescribeLogGroups' },
        { links: [link] },
      ),
      missing: { fact: 'logs.groups', error: g.error },
    };
  }
  if (g.exists) return r.pass('pass.one', params, { evidence: groupEvidence(g), links: [link] });
  const missing = { missingGroup: g.group, logRegion: g.region, containers: params.containers };
  const evidence: Message[] = [
    r.ev(g.createGroup ? 'create-group.set' : 'create-group.unset', { group: g.group }),
  ];
  if (!g.createGroup)
    return r.fail('fail.missing', missing, {
      evidence,
      links: [link],
      remediation: r.fix('create', missing),
    });
  return createAnswer(ctx, facts, g, missing, evidence, link);
}

/** The group is missing and awslogs-create-group is set: may the execution role create it? */
async function createAnswer(
  ctx: TaskContext,
  facts: CheckInput['facts'],
  g: LogGroupRecord,
  missing: { missingGroup: string; logRegion: string; containers: string },
  evidence: Message[],
  link: ReturnType<CheckInput['links']['logGroup']>,
): Promise<CheckResult> {
  const roleArn = ctx.taskDefinition?.executionRoleArn;
  if (!roleArn)
    return r.fail('fail.missing', missing, {
      evidence,
      links: [link],
      remediation: r.fix('create', missing),
    });
  const roleAccount = roleArn.split(':')[4] ?? ctx.account;
  const q = { action: 'logs:CreateLogGroup', resource: `${g.arn}:*`, account: g.account };
  const a = await rolePermission(facts, roleArn, roleAccount, q);
  if (notAsked(a)) return r.skip('skip.not-gathered');
  if (a.decision === 'unknown') {
    return {
      // Without the optional policy evaluator, say so and how to get it (README, "Licences").
      ...(a.evaluatorMissing
        ? r.unknown('unknown.evaluator', { group: g.group, package: POLICY_EVALUATOR_PACKAGE })
        : r.unknown('unknown.permissions', {
            group: g.group,
            action: a.error.action ?? 'iam:SimulatePrincipalPolicy',
          })),
      missing: { fact: 'iam.executionRolePolicies', error: a.fallbackError ?? a.error },
    };
  }
  const denied = { ...missing, logRole: roleArn, logActions: q.action };
  if (a.decision === 'allowed')
    return r.pass('pass.created', { group: g.group, role: roleArn }, { evidence, links: [link] });
  if (a.decision === 'conditional')
    return r.warn(
      'warn.conditional',
      { group: g.group, role: roleArn, keys: (a.conditions ?? []).join(', ') },
      { evidence, links: [link] },
    );
  return r.fail('fail.create-denied', denied, {
    evidence,
    links: [link],
    remediation: r.fix('create-or-grant', { ...denied, resource: q.resource }),
  });
}

/** What DescribeLogGroups says of an existing group. */
function groupEvidence(g: LogGroupRecord): Message[] {
  const out: Message[] = [
    r.ev('group', {
      group: g.group,
      region: g.region,
      logClass: g.logGroupClass ?? 'STANDARD',
    }),
  ];
  if (g.kmsKeyId) out.push(r.ev('key', { key: g.kmsKeyId }));
  return out;
}
