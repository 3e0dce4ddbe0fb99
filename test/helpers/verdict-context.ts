/** Hand-built task contexts and check results for verdict and rendering tests (real ids and message keys). */
import type { CauseId } from '../../src/diagnosis/causes.js';
import { allChecks } from '../../src/diagnosis/checks/index.js';
import {
  type CheckResult,
  type CheckStatus,
  checkKeyPrefix,
  isInconclusive,
  type Message,
  type Params,
} from '../../src/diagnosis/checks/types.js';
import { deriveContext, type TaskContext } from '../../src/diagnosis/context.js';
import type { TaskDefinitionRecord } from '../../src/diagnosis/facts/ecs.js';

export const ECR_IMAGE = '210987654321.dkr.ecr.eu-south-1.amazonaws.com/checkout:2.14.0';

/** A stopped task with one container, in subnet-0a1b2c3d, with the given stop message. */
export function taskContext(
  opts: {
    reason?: string | undefined;
    containerReason?: string | undefined;
    image?: string;
    td?: Partial<TaskDefinitionRecord> | null;
    service?: string;
  } = {},
): TaskContext {
  const image = opts.image ?? ECR_IMAGE;
  const td: TaskDefinitionRecord | undefined =
    opts.td === null
      ? undefined
      : {
          taskDefinitionArn: 'arn:aws:ecs:eu-south-1:210987654321:task-definition/checkout:42',
          family: 'checkout',
          revision: 42,
          executionRoleArn: 'arn:aws:iam::210987654321:role/checkout-exec',
          containerDefinitions: [{ name: 'checkout', image, essential: true }],
          ...opts.td,
        };
  return deriveContext(
    {
      partition: 'aws',
      region: 'eu-south-1',
      account: '210987654321',
      cluster: 'payments',
      taskId: '3f9d2b1c8e7a4d6f9b0c1a2e3d4f5a6b',
      taskArn: 'arn:aws:ecs:eu-south-1:210987654321:task/payments/3f9d2b1c8e7a4d6f9b0c1a2e3d4f5a6b',
    },
    {
      task: {
        ok: true,
        round: 1,
        value: {
          source: 'describe-tasks',
          task: {
            taskArn: 'arn:aws:ecs:eu-south-1:210987654321:task/payments/3f9d2b1c8e7a4d6f9b0c1a2e3d4f5a6b',
            clusterArn: 'arn:aws:ecs:eu-south-1:210987654321:cluster/payments',
            taskDefinitionArn: 'arn:aws:ecs:eu-south-1:210987654321:task-definition/checkout:42',
            lastStatus: 'STOPPED',
            stopCode: 'TaskFailedToStart',
            stoppedReason: opts.reason,
            group: opts.service ? `service:${opts.service}` : 'family:checkout',
            launchType: 'FARGATE',
            platformVersion: '1.4.0',
            containers: [{ name: 'checkout', image, lastStatus: 'STOPPED', reason: opts.containerReason }],
            attachments: [
              {
                type: 'ElasticNetworkInterface',
                details: [
                  { name: 'subnetId', value: 'subnet-0a1b2c3d' },
                  { name: 'networkInterfaceId', value: 'eni-0f1e2d3c' },
                  { name: 'privateIPv4Address', value: '10.0.1.23' },
                ],
              },
            ],
          },
        },
      },
      taskDefinition: td ? { ok: true, round: 2, value: td } : undefined,
    },
  );
}

/** A check result as the real checks build them: `<ns>:<rest>.<status>.<key>`. */
export function result(
  id: string,
  status: CheckStatus,
  key: string,
  params: Params = {},
  extras: { evidence?: Message[]; remediation?: Message; cause?: CauseId } = {},
): CheckResult {
  // A check this version does not know (a newer bot's saved report) has no cause: the verdict ignores it.
  const check = allChecks.find((c) => c.id === id);
  const prefix = checkKeyPrefix(id);
  const r: CheckResult = {
    id,
    status,
    // As the runner sets it: the check's own cause unless the result names a more specific one.
    cause: extras.cause ?? check?.cause,
    message: { key: `${prefix}.${status}${key ? `.${key}` : ''}`, params },
    evidence: extras.evidence ?? [],
    remediation: extras.remediation,
    links: [],
  };
  if (status === 'unknown') {
    r.message = {
      key: 'common:unknown.denied',
      params: { fact: 'ec2.routeTables', action: 'ec2:DescribeRouteTables' },
    };
    r.missing = {
      fact: 'ec2.routeTables',
      error: {
        kind: 'denied',
        code: 'UnauthorizedOperation',
        action: 'ec2:DescribeRouteTables',
        message: 'You are not authorized to perform this operation.',
      },
    };
  }
  if (check && isInconclusive(check, r)) r.inconclusive = true;
  return r;
}
