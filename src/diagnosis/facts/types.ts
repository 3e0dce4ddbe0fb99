/**
 * Facts are what the checks read: one entry per AWS-derived piece of knowledge, each either a value or the
 * error that kept us from it. Areas (context, network, image, …) add their own keys to FactMap by module
 * augmentation, so each area owns its types.
 */
import type { AccountClients } from '../../aws/clients.js';
import type { FactError } from '../../aws/errors.js';
import type { TaskTarget } from '../../aws/target.js';
import type { RegistryAllowEntry } from '../../registry/allow-list.js';
import type { ChangeSettings } from '../changes.js';

/** Name → value type of every fact. Extended with `declare module` by each area. */
// biome-ignore lint/suspicious/noEmptyInterface: augmented by each fact area
export interface FactMap {}

export type FactName = keyof FactMap & string;

export type Fact<T> = { ok: true; value: T; round: number } | { ok: false; error: FactError; round: number };

/** One AWS API call made during a diagnosis. */
export interface CallRecord {
  /** IAM action name of the call: ecs:DescribeTasks. */
  api: string;
  account: string;
  region: string;
  /** 1-based sequential round: 1 + the deepest round this call had to wait for. */
  round: number;
  /** Milliseconds since the diagnosis started. */
  startMs: number;
  durationMs: number;
  ok: boolean;
  errorCode?: string;
  /** Served by a cache shared across diagnoses instead of AWS. */
  cached?: boolean;
}

/** What a fact provider sees: its dependencies and a way to call AWS. */
export interface ProviderHandle {
  /** The value of another fact; throws DependencyError / NotApplicable when it has none. */
  need<K extends FactName>(name: K): Promise<FactMap[K]>;
  /** Another fact as value-or-error; never throws. */
  get<K extends FactName>(name: K): Promise<Fact<FactMap[K]>>;
  /**
   * One AWS call, made at most once per diagnosis for the same (action, account, region, params). Throws the
   * SDK's error, which the session turns into this fact's FactError unless the provider handles it.
   */
  call<T>(api: string, params: unknown, run: (ctx: CallContext) => Promise<T>, scope?: CallScope): Promise<T>;
  /** Everything known about the request (target, event, options). */
  readonly inputs: DiagnosisInputs;
}

export interface CallScope {
  /** Another account (cross-account registry): credentials come from the config like any account. */
  account?: string | undefined;
  region?: string | undefined;
}

export interface CallContext {
  clients: AccountClients;
  /** Aborted at the diagnosis deadline. */
  signal: AbortSignal;
}

/** What the caller gave beyond the ARN. */
export interface DiagnosisInputs {
  target: TaskTarget;
  /** A parsed EventBridge ECS Task State Change event for the task (from --event or an alert). */
  event?: EventTask | undefined;
  /** A service name to rebuild the context from when the task is gone. */
  service?: string | undefined;
  /** A pre-flight: no task ran yet; the task ECS would start is planned from these (see PreflightPlan). */
  preflight?: PreflightPlan | undefined;
  /** Who asked: goes into the role session name. */
  requester: string;
  /** Configuration the providers need. */
  settings: DiagnosisSettings;
}

/**
 * What a pre-flight knows of the task ECS would start: a service (its network, and its current task definition
 * unless another is given), a task definition (family, family:revision or ARN), and the network when no service
 * gives it. The task, its ENI and its stop message do not exist yet.
 */
export interface PreflightPlan {
  service?: string | undefined;
  taskDefinition?: string | undefined;
  network?: PlannedNetwork | undefined;
}

/** The awsvpc network a task would get: every subnet is one it may land in. */
export interface PlannedNetwork {
  subnetIds: string[];
  securityGroupIds: string[];
  assignPublicIp: 'ENABLED' | 'DISABLED';
}

/** The parts of the configuration fact providers read. */
export interface DiagnosisSettings {
  /** Ask public registries over HTTPS (opt-in, needs egress). */
  probePublicRegistries: boolean;
  probeTimeoutMs: number;
  /** The registries the probe may ask (registries.allow; the built-in list when not given). No other is contacted. */
  registryAllow?: readonly RegistryAllowEntry[] | undefined;
  /** Accounts a role is configured for (cross-account registries are looked up only there). */
  canReachAccount: (account: string) => boolean;
  /**
   * Accounts this request may read (a Slack channel's rules; everything for the CLI). A registry, secret or KMS
   * key in another account is not looked at, and no call goes there: the check says it was not allowed.
   */
  mayRead: (account: string) => boolean;
  /** What changed before the failure: the window and the budget of CloudTrail lookups (config `changes`). */
  changes?: ChangeSettings | undefined;
}

/** The task as an EventBridge event carries it (the fields ecs-pull uses). */
export interface EventTask {
  account: string;
  region: string;
  task: TaskRecord;
}

/** The subset of an ECS Task that ecs-pull reads; timestamps as ISO strings or epoch numbers. */
export interface TaskRecord {
  taskArn: string;
  clusterArn?: string;
  taskDefinitionArn?: string;
  lastStatus?: string;
  desiredStatus?: string;
  stopCode?: string;
  stoppedReason?: string;
  stoppedAt?: string | number;
  createdAt?: string | number;
  startedBy?: string;
  group?: string;
  launchType?: string;
  capacityProviderName?: string;
  platformVersion?: string;
  platformFamily?: string;
  availabilityZone?: string;
  cpu?: string;
  memory?: string;
  ephemeralStorage?: { sizeInGiB?: number };
  containers?: Array<{
    name?: string;
    image?: string;
    imageDigest?: string;
    lastStatus?: string;
    reason?: string;
    exitCode?: number;
  }>;
  attachments?: Array<{
    type?: string;
    status?: string;
    details?: Array<{ name?: string; value?: string }>;
  }>;
  overrides?: {
    containerOverrides?: Array<{ name?: string }>;
  };
}
