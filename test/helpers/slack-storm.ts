/**
 * An alert storm in moto: one Fargate service whose tasks all failed to pull their image (a private subnet with
 * no way out), N stopped tasks of it with the agent's message varying as it does between tasks (address, retry
 * count), and the Amazon Q Developer notification the alerting app posts for each.
 */
import {
  CreateClusterCommand,
  CreateServiceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { createExecutionRole, createNetwork, type MotoAccount, type Network } from './aws-scenario.js';
import { alertFixture } from './slack-fixtures.js';

export interface Storm {
  account: string;
  region: string;
  cluster: string;
  service: string;
  net: Network;
  taskArns: string[];
}

/** The stopped reason of task i: the same failure, seen from different addresses after different retries. */
export function stormReason(image: string, i: number): string {
  const host = image.split('/')[0]!;
  return `CannotPullContainerError: pull image manifest has been retried ${5 + (i % 3)} time(s): failed to resolve ref ${image}: failed to do request: Head "https://${host}/v2/checkout/manifests/2.14.0": dial tcp 52.95.${i % 200}.${(i * 7) % 250}:443: i/o timeout`;
}

/** A service `checkout` in cluster `shop` with `count` stopped tasks, all for the same cause. */
export async function buildStorm(a: MotoAccount, count: number): Promise<Storm> {
  const cluster = 'shop';
  const service = 'checkout';
  const net = await createNetwork(a);
  const role = await createExecutionRole(a);
  const image = `${a.account}.dkr.ecr.${a.region}.amazonaws.com/checkout:2.14.0`;
  await a.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const td = await a.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'checkout',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      executionRoleArn: role,
      containerDefinitions: [{ name: 'app', image, memory: 512, essential: true }],
    }),
  );
  const taskDefinition = td.taskDefinition!.taskDefinitionArn!;
  const awsvpcConfiguration = {
    subnets: [net.subnetId],
    securityGroups: [net.securityGroupId],
    assignPublicIp: 'DISABLED' as const,
  };
  await a.ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: service,
      taskDefinition,
      desiredCount: 0,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration },
    }),
  );
  const taskArns: string[] = [];
  while (taskArns.length < count) {
    const run = await a.ecs.send(
      new RunTaskCommand({
        cluster,
        taskDefinition,
        launchType: 'FARGATE',
        platformVersion: '1.4.0',
        count: Math.min(10, count - taskArns.length),
        group: `service:${service}`,
        startedBy: 'ecs-svc/9876543210123456789',
        networkConfiguration: { awsvpcConfiguration },
      }),
    );
    for (const t of run.tasks ?? []) taskArns.push(t.taskArn!);
  }
  await Promise.all(
    taskArns.map((task, i) =>
      a.ecs.send(new StopTaskCommand({ cluster, task, reason: stormReason(image, i) })),
    ),
  );
  return { account: a.account, region: a.region, cluster, service, net, taskArns };
}

/** The alerting app's message about task i (Amazon Q Developer custom notification: the ARN in an attachment). */
export function stormAlert(storm: Storm, i: number) {
  const arn = storm.taskArns[i]!;
  return alertFixture('chatbot-custom-notification', {
    ACCOUNT: storm.account,
    REGION: storm.region,
    CLUSTER: storm.cluster,
    TASK_ID: arn.split('/').pop()!,
    TASK_ARN: arn,
  });
}
