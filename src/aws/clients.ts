/**
 * AWS clients per (account, region, requester), with credentials from the default provider chain (the bot's own
 * account) or from sts:AssumeRole into the task's account. Role credentials are fetched by the SDK's
 * fromTemporaryCredentials and cached/refreshed by the SDK's identity memoizer, shared by every client of the
 * account, so one role session serves ECS, EC2, ECR and IAM calls alike.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EFSClient } from '@aws-sdk/client-efs';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { doesIdentityRequireRefresh, isIdentityExpired, memoizeIdentityProvider } from '@smithy/core';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { type Config, identityCenterFor } from '../config.js';
import { UserError } from '../errors.js';
import type { RegistryAllowEntry } from '../registry/allow-list.js';
import type { IdentityCenterLink } from './console-links.js';
import { globalRegion, type Partition } from './partition.js';

export interface AccountClients {
  readonly account: string | undefined;
  readonly region: string;
  readonly ecs: ECSClient;
  readonly ec2: EC2Client;
  readonly ecr: ECRClient;
  readonly iam: IAMClient;
  readonly secretsManager: SecretsManagerClient;
  readonly ssm: SSMClient;
  readonly kms: KMSClient;
  /** CloudWatch Logs (the awslogs log groups), created on first use. */
  readonly logs: CloudWatchLogsClient;
  /** EFS (the task's volumes), created on first use. */
  readonly efs: EFSClient;
}

/** How credentials for an account are obtained. */
export type AccessPlan =
  | { kind: 'default' }
  | { kind: 'assume-role'; roleArn: string; externalId: string | undefined; sessionName: string };

interface CredentialEntry {
  provider: AwsCredentialIdentityProvider;
  plan: AccessPlan;
  /** Number of times the underlying provider really ran (an STS call for role plans). */
  fetches: number;
}

/** Session names must match [\w+=,.@-]{2,64}; they tell CloudTrail readers who asked. */
export function sanitizeSessionName(requester: string): string {
  const cleaned = `ecs-pull-${requester}`.replace(/[^\w+=,.@-]/g, '-').replace(/-{2,}/g, '-');
  return cleaned.slice(0, 64).replace(/-+$/, '') || 'ecs-pull';
}

/** Bounded map with least-recently-used eviction. */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, v: V): void {
    this.map.delete(key);
    this.map.set(key, v);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }
  get size(): number {
    return this.map.size;
  }
}

export interface ClientPoolOptions {
  /** Override of the bot's own credentials (tests); defaults to the SDK's default provider chain. */
  baseCredentials?: AwsCredentialIdentityProvider;
  /** Bound on cached role sessions and client sets. */
  maxEntries?: number;
}

/** Creates and reuses clients; the single place that knows how to reach an account. */
export class ClientPool {
  private readonly credentials: Lru<CredentialEntry>;
  private readonly clients: Lru<AccountClients>;
  private readonly base: AwsCredentialIdentityProvider;
  private readonly handler: NodeHttpHandler;

  constructor(
    private readonly config: Config,
    options: ClientPoolOptions = {},
  ) {
    const max = options.maxEntries ?? 256;
    this.credentials = new Lru(max);
    this.clients = new Lru(max);
    this.base = memoizeIdentityProvider(
      options.baseCredentials ?? fromNodeProviderChain(),
      isIdentityExpired,
      doesIdentityRequireRefresh,
    ) as AwsCredentialIdentityProvider;
    // One connection pool for every client: keep-alive matters more than anything else for latency.
    this.handler = new NodeHttpHandler({
      connectionTimeout: Math.min(config.aws.callTimeoutMs, 2_000),
      requestTimeout: config.aws.callTimeoutMs,
      // Without this the SDK only logs a warning when a request runs past requestTimeout.
      throwOnRequestTimeout: true,
      httpAgent: { keepAlive: true, maxSockets: 64 },
      httpsAgent: { keepAlive: true, maxSockets: 64 },
    });
  }

  /** The Identity Center portal and permission set console links into `account` open with, if configured. */
  identityCenterFor(account: string): IdentityCenterLink | undefined {
    return identityCenterFor(this.config, account);
  }

  /** The registries the opt-in registry probe may ask (registries.allow). */
  registryAllowList(): readonly RegistryAllowEntry[] {
    return this.config.registries.allow;
  }

  /** Accounts with an explicit entry in the configuration. */
  configuredAccounts(): string[] {
    return Object.keys(this.config.accounts).sort();
  }

  /** How this account is reached, or a UserError naming the accounts that are configured. */
  plan(account: string | undefined, partition: Partition, requester: string): AccessPlan {
    if (account === undefined) return { kind: 'default' };
    const entry = this.config.accounts[account];
    if (entry?.defaultCredentials) return { kind: 'default' };
    const sessionName = sanitizeSessionName(requester);
    if (entry?.roleArn) {
      return {
        kind: 'assume-role',
        roleArn: entry.roleArn,
        externalId: entry.externalId ?? this.config.externalId,
        sessionName,
      };
    }
    const template = this.config.roleNameTemplate;
    if (template) {
      const roleArn = template.startsWith('arn:')
        ? template.replaceAll('{account}', account).replaceAll('{partition}', partition)
        : `arn:${partition}:iam::${account}:role/${template.replace(/^\/+/, '')}`;
      return {
        kind: 'assume-role',
        roleArn,
        externalId: entry?.externalId ?? this.config.externalId,
        sessionName,
      };
    }
    const configured = this.configuredAccounts();
    throw new UserError('errors.account.not-configured', {
      account,
      configured: configured.length ? configured.join(', ') : '—',
    });
  }

  /** True when credentials for the account are configured (a role, the template, or default credentials). */
  canReach(account: string, partition: Partition): boolean {
    try {
      this.plan(account, partition, 'probe');
      return true;
    } catch {
      return false;
    }
  }

  private entry(
    account: string | undefined,
    region: string,
    partition: Partition,
    requester: string,
  ): CredentialEntry {
    const plan = this.plan(account, partition, requester);
    const key =
      plan.kind === 'default' ? 'default' : `${plan.roleArn}|${plan.externalId ?? ''}|${plan.sessionName}`;
    const cached = this.credentials.get(key);
    if (cached) return cached;
    const entry: CredentialEntry = { plan, fetches: 0, provider: this.base };
    if (plan.kind === 'assume-role') {
      const assume = fromTemporaryCredentials({
        params: {
          RoleArn: plan.roleArn,
          RoleSessionName: plan.sessionName,
          DurationSeconds: this.config.aws.sessionDurationSeconds,
          ...(plan.externalId ? { ExternalId: plan.externalId } : {}),
        },
        masterCredentials: this.base,
        clientConfig: {
          region, // regional STS endpoint: the task's region is where the bot is asking
          maxAttempts: this.config.aws.maxAttempts,
          requestHandler: this.handler,
        },
      });
      entry.provider = memoizeIdentityProvider(
        async (props?: Record<string, unknown>) => {
          entry.fetches++;
          return assume(props);
        },
        isIdentityExpired,
        doesIdentityRequireRefresh,
      ) as AwsCredentialIdentityProvider;
    }
    this.credentials.set(key, entry);
    return entry;
  }

  /**
   * Resolves credentials for an account now (so that the role session is ready before the first call) and
   * says whether that took an sts:AssumeRole round trip.
   */
  async warmUp(
    account: string | undefined,
    region: string,
    partition: Partition,
    requester: string,
  ): Promise<{ assumed: boolean; plan: AccessPlan; identity: AwsCredentialIdentity }> {
    const entry = this.entry(account, region, partition, requester);
    const before = entry.fetches;
    const identity = await entry.provider();
    return {
      assumed: entry.plan.kind === 'assume-role' && entry.fetches > before,
      plan: entry.plan,
      identity,
    };
  }

  /** The client set for (account, region, requester), created on first use and reused afterwards. */
  get(account: string | undefined, region: string, partition: Partition, requester: string): AccountClients {
    const entry = this.entry(account, region, partition, requester);
    const key = `${account ?? 'self'}|${region}|${entry.plan.kind === 'assume-role' ? entry.plan.sessionName : ''}`;
    const cached = this.clients.get(key);
    if (cached) return cached;
    const common = {
      region,
      credentials: entry.provider,
      maxAttempts: this.config.aws.maxAttempts,
      retryMode: 'standard' as const,
      requestHandler: this.handler,
    };
    let logs: CloudWatchLogsClient | undefined;
    let efs: EFSClient | undefined;
    const clients: AccountClients = {
      account,
      region,
      ecs: new ECSClient(common),
      ec2: new EC2Client(common),
      ecr: new ECRClient(common),
      iam: new IAMClient({ ...common, region: globalRegion(partition) }),
      secretsManager: new SecretsManagerClient(common),
      ssm: new SSMClient(common),
      kms: new KMSClient(common),
      // Only some tasks need these (awslogs log groups, EFS volumes): created on first use.
      get logs() {
        logs ??= new CloudWatchLogsClient(common);
        return logs;
      },
      get efs() {
        efs ??= new EFSClient(common);
        return efs;
      },
    };
    this.clients.set(key, clients);
    return clients;
  }

  /** The bot's own identity (sts:GetCallerIdentity with the base credentials). */
  async whoAmI(region: string): Promise<{ Arn?: string; Account?: string }> {
    const sts = new STSClient({
      region,
      credentials: this.base,
      maxAttempts: this.config.aws.maxAttempts,
      requestHandler: this.handler,
    });
    return sts.send(new GetCallerIdentityCommand({}));
  }

  /** Number of cached client sets (memory figures). */
  get size(): number {
    return this.clients.size;
  }
}
