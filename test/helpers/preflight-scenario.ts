/**
 * Pre-flight scenarios in moto: a task definition registered and, optionally, a service that would run it, with no
 * task ever started (the pre-flight needs none), and the engine run in-process on them.
 */
import {
  type ContainerDefinition,
  CreateClusterCommand,
  CreateServiceCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { ClientPool } from '../../src/aws/clients.js';
import type { Config } from '../../src/config.js';
import { type PreflightRequest, preflight } from '../../src/diagnosis/preflight.js';
import { BASE_CREDENTIALS, type MotoAccount, type Network } from './aws-scenario.js';
import { motoConfig, useMotoEndpoint } from './moto-engine.js';

export interface PlannedSpec {
  family?: string;
  image?: string;
  executionRoleArn?: string;
  containers?: ContainerDefinition[];
  taskDefinition?: Partial<RegisterTaskDefinitionCommandInput>;
}

/** Registers a Fargate task definition; returns its ARN and `family:revision`. */
export async function registerTaskDefinition(
  a: MotoAccount,
  spec: PlannedSpec = {},
): Promise<{ arn: string; name: string }> {
  const image = spec.image ?? `${a.account}.dkr.ecr.${a.region}.amazonaws.com/web:1.4.2`;
  const td = await a.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: spec.family ?? 'web',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      ...(spec.executionRoleArn ? { executionRoleArn: spec.executionRoleArn } : {}),
      containerDefinitions: spec.containers ?? [{ name: 'app', image, memory: 512, essential: true }],
      ...spec.taskDefinition,
    }),
  );
  const d = td.taskDefinition!;
  return { arn: d.taskDefinitionArn!, name: `${d.family}:${d.revision}` };
}

/** A Fargate service (no task running) in the network with the task definition. */
export async function createService(
  a: MotoAccount,
  net: Pick<Network, 'subnetId' | 'securityGroupId'> & { subnetIds?: string[] },
  opts: { cluster: string; service: string; taskDefinition: string; assignPublicIp?: 'ENABLED' | 'DISABLED' },
): Promise<string> {
  await a.ecs.send(new CreateClusterCommand({ clusterName: opts.cluster }));
  const r = await a.ecs.send(
    new CreateServiceCommand({
      cluster: opts.cluster,
      serviceName: opts.service,
      taskDefinition: opts.taskDefinition,
      desiredCount: 0,
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: net.subnetIds ?? [net.subnetId],
          securityGroups: [net.securityGroupId],
          assignPublicIp: opts.assignPublicIp ?? 'DISABLED',
        },
      },
    }),
  );
  return r.service!.serviceArn!;
}

/** Runs the pre-flight in-process against moto. */
export async function preflightInMoto(
  url: string,
  req: Omit<PreflightRequest, 'partition' | 'region' | 'requester'> & { region?: string },
  config: Config = motoConfig(),
) {
  useMotoEndpoint(url);
  const pool = new ClientPool(config, { baseCredentials: async () => BASE_CREDENTIALS });
  return preflight(
    { partition: 'aws', region: 'eu-west-1', requester: 'e2e', ...req },
    {
      pool,
      deadlineMs: config.aws.deadlineMs,
      settings: { probePublicRegistries: false, probeTimeoutMs: 1000 },
    },
  );
}
