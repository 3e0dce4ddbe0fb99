/**
 * AWS clients per (account, region, requester), with credentials from the default provider chain (the bot's own
 * account) or from sts:AssumeRole into the task's account. Role credentials are fetched by the SDK's
 * fromTemporaryCredentials and cached/refreshed by the SDK's identity memoizer, shared by every client of the
 * account, so one role session serves ECS, EC2, ECR and IAM calls alike.
 *
 * The command line works like any AWS tool (CliAccess): the person's own credentials (a profile with fromIni, else
 * the SDK's chain), --role-arn to assume a given role, and for an account the configuration does not list, those
 * credentials when sts:GetCallerIdentity says they are in it. The bot has none of this: it reaches exactly what its
 * configuration lists.
 *
 * Every client is a LazyClient (src/aws/sdk.ts): creating a client set loads nothing, and a service's SDK package is
 * imported when its first command is sent, so that a diagnosis' first request (sts:GetCallerIdentity, sts:AssumeRole
 * or ecs:DescribeTasks) leaves before EC2's client, the largest, has even been read from disk.
 */
import type * as Sts from '@aws-sdk/client-sts';
import { fromIni, fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { doesIdentityRequireRefresh, isIdentityExpired, memoizeIdentityProvider } from '@smithy/core';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { Config } from '../config.js';
import { identityCenterFor } from '../config-base.js';
import { isUserError, UserError } from '../errors.js';
import type { RegistryAllowEntry } from '../registry/allow-list.js';
import type { IdentityCenterLink } from './console-links.js';
import { classifyAwsError } from './errors.js';
import { globalRegion, type Partition } from './partition.js';
import { LazyClient, SERVICES } from './sdk.js';

export interface AccountClients {
  readonly account: string | undefined;
  readonly region: string;
  readonly ecs: LazyClient;
  readonly ec2: LazyClient;
  readonly ecr: LazyClient;
  readonly iam: LazyClient;
  readonly secretsManager: LazyClient;
  readonly ssm: LazyClient;
  readonly kms: LazyClient;
  /** CloudWatch Logs (the awslogs log groups). */
  readonly logs: LazyClient;
  /** EFS (the task's volumes). */
  readonly efs: LazyClient;
  /** CloudTrail's event history (what changed before the failure). */
  readonly cloudtrail: LazyClient;
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

/** How the command line reaches accounts (the bot has no such thing: it reaches what its configuration lists). */
export interface CliAccess {
  /** --profile or AWS_PROFILE: own credentials from this profile of the shared AWS files alone (fromIni). */
  profile?: string | undefined;
  /** --role-arn: the role to assume in its account, over the configuration. */
  roleArn?: string | undefined;
  /** --external-id, for --role-arn. */
  externalId?: string | undefined;
  /**
   * An account the configuration does not list is reached with the own credentials when sts:GetCallerIdentity (one
   * call, remembered) says they are in it; any other gets one line naming both accounts and the ways forward.
   */
  ownAccount?: boolean;
}

/**
 * The command line's wait for each request to the EC2 instance metadata service (the last link of the SDK's chain):
 * on EC2 it answers in milliseconds; on a laptop it never does, and the SDK's 1 s, twice (token, then IMDSv1), kept
 * a person with no credentials waiting for the message that says so.
 */
export const CLI_METADATA_TIMEOUT_MS = 400;

/** Errors of the SDK's credential providers: no credentials there (or none valid), as opposed to an AWS answer. */
function isProviderError(err: unknown): boolean {
  const name = (err as { name?: unknown } | undefined)?.name;
  return (
    name === 'CredentialsProviderError' ||
    name === 'ProviderError' ||
    name === 'TokenProviderError' ||
    name === 'InstanceMetadataV1FallbackError'
  );
}

/**
 * The command line's own credentials, with the failure to find any said once, in words, at once: one UserError
 * (remembered, so that nothing asks the chain again) instead of a CredentialsProviderError surfacing as a role that
 * could not be assumed.
 */
function cliCredentials(cli: CliAccess): AwsCredentialIdentityProvider {
  const provider = cli.profile
    ? fromIni({ profile: cli.profile })
    : fromNodeProviderChain({ timeout: CLI_METADATA_TIMEOUT_MS, maxRetries: 0 });
  let failure: UserError | undefined;
  return async (props?: Record<string, unknown>) => {
    if (failure) throw failure;
    try {
      return await provider(props);
    } catch (err) {
      if (!isProviderError(err)) throw err;
      failure = cli.profile
        ? new UserError('errors.credentials.profile', {
            profile: cli.profile,
            reason: String((err as Error).message ?? err)
              .replace(/\s+/g, ' ')
              .slice(0, 300),
          })
        : new UserError('errors.credentials.none');
      throw failure;
    }
  };
}

/** The account of an IAM role ARN. */
export function roleAccount(roleArn: string): string | undefined {
  return /^arn:[\w-]+:iam::(\d{12}):role\//.exec(roleArn)?.[1];
}

export interface ClientPoolOptions {
  /** Override of the bot's own credentials (tests); defaults to the SDK's default provider chain. */
  baseCredentials?: AwsCredentialIdentityProvider;
  /** Bound on cached role sessions and client sets. */
  maxEntries?: number;
  /** The command line's ways to reach accounts; absent for the bot. */
  cli?: CliAccess;
}

/** Creates and reuses clients; the single place that knows how to reach an account. */
export class ClientPool {
  private readonly credentials: Lru<CredentialEntry>;
  private readonly clients: Lru<AccountClients>;
  private readonly base: AwsCredentialIdentityProvider;
  private readonly handler: NodeHttpHandler;
  private readonly cli: CliAccess | undefined;
  /** The account of the own credentials, once sts:GetCallerIdentity has said it (command line). */
  private ownAccount: string | undefined;
  private ownAccountLookup: Promise<string> | undefined;

  constructor(
    private readonly config: Config,
    options: ClientPoolOptions = {},
  ) {
    const max = options.maxEntries ?? 256;
    this.credentials = new Lru(max);
    this.clients = new Lru(max);
    this.cli = options.cli;
    this.base = memoizeIdentityProvider(
      options.baseCredentials ?? (this.cli ? cliCredentials(this.cli) : fromNodeProviderChain()),
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

  /**
   * How this account is reached, or a UserError naming the accounts that are configured. On the command line:
   * --role-arn for its account first; an account the configuration does not list, once resolvePlan has learnt the
   * own credentials' account, is reached with them when it is theirs and refused naming both otherwise.
   */
  plan(account: string | undefined, partition: Partition, requester: string): AccessPlan {
    if (account === undefined) return { kind: 'default' };
    const sessionName = sanitizeSessionName(requester);
    const cli = this.cli;
    if (cli?.roleArn && roleAccount(cli.roleArn) === account)
      return { kind: 'assume-role', roleArn: cli.roleArn, externalId: cli.externalId, sessionName };
    const entry = this.config.accounts[account];
    if (entry?.defaultCredentials) return { kind: 'default' };
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
    if (cli?.ownAccount && this.ownAccount !== undefined) {
      if (this.ownAccount === account) return { kind: 'default' };
      throw new UserError('errors.account.not-yours', { account, own: this.ownAccount, partition });
    }
    const configured = this.configuredAccounts();
    throw new UserError('errors.account.not-configured', {
      account,
      configured: configured.length ? configured.join(', ') : '—',
    });
  }

  /**
   * plan(), after learning the own credentials' account when that decides it (the command line, an account the
   * configuration does not list): one sts:GetCallerIdentity for the pool's life, reported through `onIdentityCall`
   * by the caller that made it. Throws a UserError when the account cannot be reached or the call fails.
   */
  async resolvePlan(
    account: string | undefined,
    region: string,
    partition: Partition,
    requester: string,
    onIdentityCall?: (ok: boolean, code?: string) => void,
  ): Promise<AccessPlan> {
    try {
      return this.plan(account, partition, requester);
    } catch (err) {
      if (!this.cli?.ownAccount || this.ownAccount !== undefined || !isUserError(err)) throw err;
    }
    await this.callerAccount(region, onIdentityCall);
    return this.plan(account, partition, requester);
  }

  /**
   * The own credentials' account on the command line (one sts:GetCallerIdentity for the pool's life, reported
   * through `onCall` by the caller that made it); undefined for the bot, which always names the account it reads.
   */
  async ownAccountId(
    region: string,
    onCall?: (ok: boolean, code?: string) => void,
  ): Promise<string | undefined> {
    if (!this.cli?.ownAccount) return undefined;
    return this.callerAccount(region, onCall);
  }

  /** The own credentials' account (sts:GetCallerIdentity, asked once). */
  private callerAccount(region: string, onCall?: (ok: boolean, code?: string) => void): Promise<string> {
    this.ownAccountLookup ??= (async () => {
      let me: { Account?: string };
      try {
        me = await this.whoAmI(region);
      } catch (err) {
        if (isUserError(err)) {
          onCall?.(false, 'CredentialsProviderError');
          throw err;
        }
        const e = classifyAwsError(err, 'sts:GetCallerIdentity');
        onCall?.(false, e.code);
        throw new UserError(
          'errors.account.identity-failed',
          { code: e.code, message: e.message.replace(/\s+/g, ' ').slice(0, 200) },
          3,
        );
      }
      onCall?.(true);
      this.ownAccount = me.Account ?? '?';
      return this.ownAccount;
    })();
    return this.ownAccountLookup;
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
    const clients: AccountClients = {
      account,
      region,
      ecs: new LazyClient(SERVICES.ecs, common),
      ec2: new LazyClient(SERVICES.ec2, common),
      ecr: new LazyClient(SERVICES.ecr, common),
      iam: new LazyClient(SERVICES.iam, { ...common, region: globalRegion(partition) }),
      secretsManager: new LazyClient(SERVICES.secretsManager, common),
      ssm: new LazyClient(SERVICES.ssm, common),
      kms: new LazyClient(SERVICES.kms, common),
      logs: new LazyClient(SERVICES.logs, common),
      efs: new LazyClient(SERVICES.efs, common),
      cloudtrail: new LazyClient(SERVICES.cloudtrail, common),
    };
    this.clients.set(key, clients);
    return clients;
  }

  /** The bot's own identity (sts:GetCallerIdentity with the base credentials). */
  async whoAmI(region: string): Promise<{ Arn?: string; Account?: string }> {
    // The credentials first (memoized, so the request reuses them): with none, the refusal needs no STS client.
    await this.base();
    const { GetCallerIdentityCommand, STSClient } = (await SERVICES.sts.load()) as unknown as typeof Sts;
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

/**
 * The region the AWS SDK itself settles on (AWS_REGION, then the region of the profile in the shared config file),
 * for a task reference that names none; undefined when there is none.
 */
export async function defaultRegion(profile?: string): Promise<string | undefined> {
  try {
    const { STSClient } = (await SERVICES.sts.load()) as unknown as typeof Sts;
    const client = new STSClient(profile ? { profile } : {});
    const region = await client.config.region();
    client.destroy();
    return region || undefined;
  } catch {
    return undefined;
  }
}
