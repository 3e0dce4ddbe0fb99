/**
 * The AWS SDK, loaded a client at a time when a diagnosis first needs it. Every client package weighs tens of
 * milliseconds to load (EC2's a hundred or more), and a command line that loaded them all at start spent most of a
 * second before its first request, even to refuse an account it could not read. Here a service is a promise of its
 * package, imported on first use; a command is a stand-in (src/aws/sdk/<service>.ts) holding its name and input,
 * typed from the SDK's own command; a client (LazyClient) keeps its configuration and creates the SDK's client once
 * the package has loaded. A fact provider writes what it would with the SDK
 * (`clients.ec2.send(new DescribeSubnetsCommand({...}), { abortSignal })`), importing the commands from
 * `aws/sdk/ec2.js` instead of `@aws-sdk/client-ec2`.
 *
 * Adding a service: its package in SERVICES below, a file in src/aws/sdk/ naming the commands used, its client in
 * AccountClients (clients.ts).
 */

import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import type { Socket } from 'node:net';

interface SdkClient {
  send(command: unknown, options?: unknown): Promise<unknown>;
  destroy(): void;
}

type SdkModule = Record<string, unknown>;

/** One AWS service: its client's class name and its package, imported once, on first use. */
export class Service {
  private loading: Promise<SdkModule> | undefined;
  constructor(
    readonly name: string,
    readonly clientName: string,
    private readonly importer: () => Promise<unknown>,
  ) {}

  /** The package (imported on the first call; the same promise afterwards). */
  load(): Promise<SdkModule> {
    this.loading ??= this.importer() as Promise<SdkModule>;
    return this.loading;
  }
}

/** The services the diagnosis and doctor call. */
export const SERVICES = {
  cloudtrail: new Service('cloudtrail', 'CloudTrailClient', () => import('@aws-sdk/client-cloudtrail')),
  ecs: new Service('ecs', 'ECSClient', () => import('@aws-sdk/client-ecs')),
  ec2: new Service('ec2', 'EC2Client', () => import('@aws-sdk/client-ec2')),
  ecr: new Service('ecr', 'ECRClient', () => import('@aws-sdk/client-ecr')),
  efs: new Service('efs', 'EFSClient', () => import('@aws-sdk/client-efs')),
  iam: new Service('iam', 'IAMClient', () => import('@aws-sdk/client-iam')),
  kms: new Service('kms', 'KMSClient', () => import('@aws-sdk/client-kms')),
  secretsManager: new Service(
    'secretsManager',
    'SecretsManagerClient',
    () => import('@aws-sdk/client-secrets-manager'),
  ),
  logs: new Service('logs', 'CloudWatchLogsClient', () => import('@aws-sdk/client-cloudwatch-logs')),
  ssm: new Service('ssm', 'SSMClient', () => import('@aws-sdk/client-ssm')),
  sts: new Service('sts', 'STSClient', () => import('@aws-sdk/client-sts')),
} as const;

export type ServiceName = keyof typeof SERVICES;

/** A command of the SDK, as a stand-in: which one, with what input; the output type is the SDK's. */
export interface LazyCommand<I, O> {
  readonly service: Service;
  readonly commandName: string;
  readonly input: I;
  /** Never set: carries the output type. */
  readonly output?: O;
}

type Instance<C> = C extends abstract new (...args: never) => infer R ? R : never;
/** The input of an SDK command class. */
export type InputOf<C> = Instance<C> extends { readonly input: infer I } ? I : never;
/** The output of an SDK command class (what its handler resolves to). */
export type OutputOf<C> =
  Instance<C> extends {
    resolveMiddleware(...args: never[]): (...args: never[]) => Promise<{ output: infer O }>;
  }
    ? O
    : never;

/**
 * The stand-in class of one SDK command: `lazyCommand<typeof EC2.DescribeSubnetsCommand>(SERVICES.ec2,
 * 'DescribeSubnetsCommand')`, constructed as the SDK's (`new DescribeSubnetsCommand(input)`).
 */
export function lazyCommand<C>(
  service: Service,
  commandName: string,
): new (
  input: InputOf<C>,
) => LazyCommand<InputOf<C>, OutputOf<C>> {
  return class {
    readonly service = service;
    readonly commandName = commandName;
    constructor(readonly input: InputOf<C>) {}
  };
}

/** A client of one service whose SDK client is created when its package has loaded, on the first send. */
export class LazyClient {
  private client: SdkClient | undefined;
  private destroyed = false;

  constructor(
    private readonly service: Service,
    private readonly config: Record<string, unknown>,
  ) {}

  /** Sends a command of this service; the package is imported on the first one. */
  async send<I, O>(command: LazyCommand<I, O>, options?: { abortSignal?: AbortSignal }): Promise<O> {
    if (command.service !== this.service)
      throw new Error(`${command.commandName} is not a command of ${this.service.name}`);
    const sdk = await this.service.load();
    if (!this.client) {
      const Client = sdk[this.service.clientName] as new (config: Record<string, unknown>) => SdkClient;
      this.client = new Client(this.config);
      if (this.destroyed) this.client.destroy();
    }
    const Command = sdk[command.commandName] as new (input: I) => unknown;
    return (await this.client.send(new Command(command.input), options)) as O;
  }

  /** Whether its SDK client exists (it does once a command was sent). */
  get created(): boolean {
    return this.client !== undefined;
  }

  destroy(): void {
    this.destroyed = true;
    this.client?.destroy();
  }
}

/**
 * Loads these services' packages (a bot that will need them all, a diagnosis under way); resolves when they are
 * loaded, never rejects (a package that fails to load fails again, and is reported, when a command needs it).
 */
export async function preload(names: readonly ServiceName[]): Promise<void> {
  await Promise.allSettled(names.map((n) => SERVICES[n].load()));
}

/**
 * Loads these services once the first request for which `matches` holds is on the wire (its connection open, so
 * that the work of loading does not hold the request back): the packages load while AWS answers. One-shot.
 */
export function preloadAfterRequest(
  names: readonly ServiceName[],
  matches: (request: ClientRequest) => boolean,
): void {
  const onStart = (message: unknown) => {
    const request = (message as { request: ClientRequest }).request;
    if (!matches(request)) return;
    unsubscribe('http.client.request.start', onStart);
    const go = () => setImmediate(() => void preload(names));
    request.once('socket', (socket: Socket) => {
      if (!socket.connecting) go();
      else socket.once('encrypted' in socket ? 'secureConnect' : 'connect', go);
    });
  };
  subscribe('http.client.request.start', onStart);
}
