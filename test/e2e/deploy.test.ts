/**
 * The diagnostics-role template deployed into moto's CloudFormation in a workload account, then a diagnosis
 * through the role it created (assumed with the ExternalId, as the bot does).
 */
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { describe, expect, inject, it } from 'vitest';
import { createExecutionRole, motoAccount, runStoppedTask } from '../helpers/aws-scenario.js';
import { templateBody } from '../helpers/cfn.js';
import { diagnoseInMoto, motoConfig } from '../helpers/moto-engine.js';
import { natPath } from '../helpers/network-scenario.js';

const motoUrl = inject('motoUrl');
const WORKLOAD = '330000000042';

describe.skipIf(!motoUrl)(
  `deploy/diagnostics-role.yml on moto${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`,
  () => {
    it('deploys, and the bot diagnoses through the role the stack created', async () => {
      const a = await motoAccount(motoUrl!, WORKLOAD);
      const cfn = new CloudFormationClient({
        region: a.region,
        endpoint: motoUrl!,
        credentials: a.credentials,
        maxAttempts: 1,
      });
      await cfn.send(
        new CreateStackCommand({
          StackName: 'ecs-pull-diagnostics',
          TemplateBody: templateBody('diagnostics-role.yml'),
          Capabilities: ['CAPABILITY_NAMED_IAM'],
          Parameters: [
            { ParameterKey: 'BotRoleArn', ParameterValue: 'arn:aws:iam::123456789012:role/ecs-pull-bot' },
            { ParameterKey: 'ExternalId', ParameterValue: 'org-ecs-pull-7f3a' },
          ],
        }),
      );
      const stack = (await cfn.send(new DescribeStacksCommand({ StackName: 'ecs-pull-diagnostics' })))
        .Stacks![0]!;
      expect(stack.StackStatus).toBe('CREATE_COMPLETE');
      const roleArn = stack.Outputs?.find((o) => o.OutputKey === 'RoleArn')?.OutputValue;
      expect(roleArn).toBe(`arn:aws:iam::${WORKLOAD}:role/ecs-pull-diagnostics`);
      const role = await a.iam.send(new GetRoleCommand({ RoleName: 'ecs-pull-diagnostics' }));
      expect(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!)).toContain('sts:ExternalId');

      const net = await natPath(a);
      const task = await runStoppedTask(a, net, { executionRoleArn: await createExecutionRole(a) });
      const { report } = await diagnoseInMoto(
        motoUrl!,
        task.taskArn,
        motoConfig({ roleNameTemplate: 'ecs-pull-diagnostics', externalId: 'org-ecs-pull-7f3a' }),
      );
      expect(report.aws.calls[0]).toMatchObject({ api: 'sts:AssumeRole', account: WORKLOAD, ok: true });
      expect(report.context.account).toBe(WORKLOAD);
      expect(report.checks.find((c) => c.id === 'network.route')?.status).toBe('pass');
    });
  },
);
