import { POLICY_EVALUATOR_PACKAGE } from '../../../aws/policy-eval.js';
import { LOG_WRITE_ACTIONS, logGroupRefsOf } from '../../task-refs.js';
import { inlinePolicyName, param, putRolePolicy } from '../shared/commands.js';
import { containerList, okValue } from '../shared/fold.js';
import { notAsked, rolePermission } from '../shared/permissions.js';
import { type CheckResult, defineCheck, type Message, results } from '../types.js';

const r = results('logs.permissions');

/** The execution role may create the containers' log streams and write to them (logs:CreateLogStream, logs:PutLogEvents on each awslogs group). */
export const logPermissionsCheck = defineCheck(r, {
  cause: 'log-configuration',
  cannotTell: ['skip.no-role', 'skip.role-missing', 'skip.not-gathered'],
  needs: ['iam.executionRole', 'iam.executionRoleSimulation', 'iam.executionRolePolicies'],
  commands(result, { context: ctx, facts }) {
    const role = param(result.remediation, 'role');
    const resource = param(result.remediation, 'resource');
    const actions = (param(result.remediation, 'logActions') ?? '').split(', ').filter(Boolean);
    if (!role || !resource || !actions.length) return [];
    const inline = okValue(facts.raw('iam.executionRole'))?.inlineNames;
    return [putRolePolicy(ctx.region, role, inlinePolicyName('write-logs', inline), actions, [resource])];
  },
  async run({ context: ctx, facts, links }) {
    const definitions = ctx.containers.flatMap((c) => (c.definition ? [c.definition] : []));
    const groups = logGroupRefsOf(definitions, ctx.partition, ctx.region, ctx.account, ctx.taskId);
    if (!groups.length) return r.skip('skip.none');
    const roleArn = ctx.taskDefinition?.executionRoleArn;
    // Without a role (or with one that does not exist) iam.execution-role says so: nothing to ask here.
    if (!roleArn) return r.skip('skip.no-role');
    const role = facts.optional('iam.executionRole');
    if (role && !role.exists) return r.skip('skip.role-missing', { role: role.arn });
    const roleAccount = roleArn.split(':')[4] ?? ctx.account;
    const roleName = roleArn.split('/').pop() ?? roleArn;
    const evidence: Message[] = [];
    const failed: CheckResult[] = [];
    let method: 'simulation' | 'local' | undefined;
    for (const g of groups) {
      const denied: string[] = [];
      const conditional: string[] = [];
      for (const action of LOG_WRITE_ACTIONS) {
        const a = await rolePermission(facts, roleArn, roleAccount, {
          action,
          resource: g.streamArn,
          account: g.account,
        });
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
        method = a.method;
        if (a.decision === 'allowed') continue;
        if (a.decision === 'conditional') conditional.push(action);
        else denied.push(action);
        evidence.push(r.ev(`decision.${a.decision}`, { action, resource: g.streamArn }));
      }
      const link = links.logGroup(g.group, g.region);
      const params = {
        logRole: roleArn,
        logGroup: g.group,
        containers: containerList(g.containers),
      };
      if (denied.length) {
        failed.push(
          r.fail(
            'fail.denied',
            { ...params, logActions: denied.join(', ') },
            {
              links: [links.role(roleName), link],
              remediation: r.fix('grant', {
                role: roleName,
                logActions: denied.join(', '),
                resource: `${g.arn}:*`,
              }),
            },
          ),
        );
      } else if (conditional.length) {
        failed.push(
          r.warn(
            'warn.conditional',
            { role: roleArn, group: g.group, actions: conditional.join(', ') },
            { links: [links.role(roleName), link] },
          ),
        );
      } else evidence.push(r.ev('allowed', { group: g.group, actions: LOG_WRITE_ACTIONS.join(', ') }));
    }
    if (method) evidence.unshift(r.ev(`method.${method}`, {}));
    const worst = failed.find((x) => x.status === 'fail') ?? failed[0];
    if (worst) return { ...worst, evidence };
    return r.pass(
      'pass',
      { role: roleName, groups: groups.map((g) => g.group).join(', ') },
      { evidence, links: [links.role(roleName)] },
    );
  },
});
