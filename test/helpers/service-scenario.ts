/**
 * A Fargate service in moto whose recently stopped tasks failed for different reasons, as after two bad
 * deployments: tasks of task definition `web:1` in a subnet with no route out (the agent's i/o timeout, from a
 * different address and after a different number of retries each time), and tasks of `web:2` in a subnet behind a
 * NAT gateway whose image tag was never pushed (ECR's "not found"). Optionally tasks the scheduler stopped on
 * purpose (scaled in). The service's current task definition and network are those of the last deployment.
 */
import { CreateSubnetCommand } from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import type { MotoAccount } from './aws-scenario.js';
import { createRepository, pullingRole, pushImage } from './identity-scenario.js';
import { natPath } from './network-scenario.js';

export interface ServiceScenario {
  account: string;
  region: string;
  cluster: string;
  service: string;
  /** Task ARNs by group, in the order they were stopped. */
  noRoute: string[];
  missingTag: string[];
  scaledIn: string[];
  noRouteSubnet: string;
  natSubnet: string;
  securityGroup: string;
  taskDefinitions: { noRoute: string; missingTag: string };
  image: { missing: string; present: string };
}

export interface ServiceScenarioOptions {
  cluster: string;
  service: string;
  noRoute: number;
  missingTag: number;
  scaledIn?: number;
  /** The service's current deployment: the network and task definition new tasks would get. */
  current?: 'missing-tag' | 'no-route';
}

/** The agent's message for a task that could not reach the registry (address and retries vary by task). */
export function timeoutReason(image: string, i: number): string {
  const host = image.split('/')[0]!;
  return `CannotPullContainerError: pull image manifest has been retried ${5 + (i % 3)} time(s): failed to resolve ref ${image}: failed to do request: Head "https://${host}/v2/web/manifests/1.4.1": dial tcp 52.95.${i % 200}.${(i * 7) % 250}:443: i/o timeout`;
}

/** ECR's answer for a tag that does not exist, as the agent reports it. */
export function notFoundReason(image: string, i: number): string {
  return `CannotPullContainerError: pull image manifest has been retried ${1 + (i % 2)} time(s): failed to resolve ref ${image}: ${image}: not found`;
}

/** Runs `count` tasks of the service's group and stops each with `reason(i)`, in order; their ARNs. */
export async function runAndStop(
  a: MotoAccount,
  cluster: string,
  service: string,
  taskDefinition: string,
  subnet: string,
  securityGroup: string,
  count: number,
  reason: (i: number) => string,
): Promise<string[]> {
  const arns: string[] = [];
  while (arns.length < count) {
    const run = await a.ecs.send(
      new RunTaskCommand({
        cluster,
        taskDefinition,
        launchType: 'FARGATE',
        platformVersion: '1.4.0',
        count: Math.min(10, count - arns.length),
        group: `service:${service}`,
        startedBy: 'ecs-svc/4242424242424242424',
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: [subnet],
            securityGroups: [securityGroup],
            assignPublicIp: 'DISABLED',
          },
        },
      }),
    );
    for (const t of run.tasks ?? []) arns.push(t.taskArn!);
  }
  // One at a time, so that their stop times are in order.
  for (const [i, task] of arns.entries())
    await a.ecs.send(new StopTaskCommand({ cluster, task, reason: reason(i) }));
  return arns;
}

export async function buildServiceScenario(
  a: MotoAccount,
  o: ServiceScenarioOptions,
): Promise<ServiceScenario> {
  const net = await natPath(a);
  // A second subnet of the VPC, on the VPC's main route table: only the local route.
  const noRouteSubnet = (
    await a.ec2.send(
      new CreateSubnetCommand({
        VpcId: net.vpcId,
        CidrBlock: '10.0.7.0/24',
        AvailabilityZone: `${a.region}b`,
      }),
    )
  ).Subnet!.SubnetId!;
  await createRepository(a, 'web');
  await pushImage(a, 'web', '1.4.1');
  const role = await pullingRole(a);
  const registry = `${a.account}.dkr.ecr.${a.region}.amazonaws.com`;
  const image = { present: `${registry}/web:1.4.1`, missing: `${registry}/web:1.4.2` };
  await a.ecs.send(new CreateClusterCommand({ clusterName: o.cluster }));
  const register = async (img: string) =>
    (
      await a.ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'web',
          requiresCompatibilities: ['FARGATE'],
          networkMode: 'awsvpc',
          cpu: '256',
          memory: '512',
          executionRoleArn: role,
          containerDefinitions: [{ name: 'app', image: img, memory: 512, essential: true }],
        }),
      )
    ).taskDefinition!.taskDefinitionArn!;
  const noRouteTd = await register(image.present);
  const missingTagTd = await register(image.missing);
  const current = o.current ?? 'missing-tag';
  await a.ecs.send(
    new CreateServiceCommand({
      cluster: o.cluster,
      serviceName: o.service,
      taskDefinition: current === 'missing-tag' ? missingTagTd : noRouteTd,
      desiredCount: 0,
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: [current === 'missing-tag' ? net.subnetId : noRouteSubnet],
          securityGroups: [net.securityGroupId],
          assignPublicIp: 'DISABLED',
        },
      },
    }),
  );
  const sg = net.securityGroupId;
  const noRoute = await runAndStop(a, o.cluster, o.service, noRouteTd, noRouteSubnet, sg, o.noRoute, (i) =>
    timeoutReason(image.present, i),
  );
  const scaledIn = await runAndStop(
    a,
    o.cluster,
    o.service,
    noRouteTd,
    net.subnetId,
    sg,
    o.scaledIn ?? 0,
    () => 'Scaling activity initiated by (deployment ecs-svc/4242424242424242424)',
  );
  const missingTag = await runAndStop(
    a,
    o.cluster,
    o.service,
    missingTagTd,
    net.subnetId,
    sg,
    o.missingTag,
    (i) => notFoundReason(image.missing, i),
  );
  return {
    account: a.account,
    region: a.region,
    cluster: o.cluster,
    service: o.service,
    noRoute,
    missingTag,
    scaledIn,
    noRouteSubnet,
    natSubnet: net.subnetId,
    securityGroup: sg,
    taskDefinitions: { noRoute: noRouteTd, missingTag: missingTagTd },
    image,
  };
}
