/**
 * The part of the configuration that needs no validator, so that the command line can read it before it loads
 * anything else: the languages, the environment variables ecs-pull reads (their names and the keys they set), the
 * shapes of a role ARN and an ExternalId (what --role-arn and --external-id are checked against before any
 * configuration is loaded), and the three variables the command line asks about first (ECS_PULL_LANG,
 * ECS_PULL_CONFIG, AWS_PROFILE). src/config.ts validates the rest with zod; these two are the only modules that read
 * process.env for configuration.
 *
 * With nothing to configure (no file, no variable but ECS_PULL_LANG: a person's terminal) there is nothing to
 * validate either, and `unconfigured()` gives zod's defaults without loading zod (a test holds the two equal).
 */
import type { IdentityCenterLink } from './aws/console-links.js';
import type { Config } from './config.js';
import { DEFAULT_REGISTRY_ALLOW } from './registry/allow-list.js';

export const languages = ['en', 'it'] as const;
export type Language = (typeof languages)[number];

/** An IAM role ARN (accounts.*.roleArn, --role-arn). */
export const ROLE_ARN_RE = /^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
/** An ExternalId (externalId, --external-id). */
export const EXTERNAL_ID_RE = /^[\w+=,.@:/-]{2,1224}$/;

/** True for an IAM role ARN (what accounts.*.roleArn accepts; the command line's --role-arn). */
export function isRoleArn(value: string): boolean {
  return ROLE_ARN_RE.test(value);
}

/** True for a valid ExternalId (what externalId accepts; the command line's --external-id). */
export function isExternalId(value: string): boolean {
  return EXTERNAL_ID_RE.test(value);
}

/** How an environment variable's text becomes the value of its key. */
export type EnvKind = 'string' | 'number' | 'boolean' | 'list';

export interface EnvVariable {
  name: string;
  /** The configuration key it sets (it wins over the file's). */
  path: readonly string[];
  kind: EnvKind;
  /** Never repeated in a message (a token, a secret, a URL with a password). */
  secret?: boolean;
}

/** Every environment variable that sets a configuration key (README: "Configuration"). */
export const ENV_VARIABLES: readonly EnvVariable[] = [
  { name: 'ECS_PULL_LANG', path: ['defaultLanguage'], kind: 'string' },
  { name: 'ECS_PULL_ROLE_NAME', path: ['roleNameTemplate'], kind: 'string' },
  { name: 'ECS_PULL_EXTERNAL_ID', path: ['externalId'], kind: 'string', secret: true },
  { name: 'ECS_PULL_DEADLINE_MS', path: ['aws', 'deadlineMs'], kind: 'number' },
  { name: 'ECS_PULL_CALL_TIMEOUT_MS', path: ['aws', 'callTimeoutMs'], kind: 'number' },
  { name: 'ECS_PULL_MAX_ATTEMPTS', path: ['aws', 'maxAttempts'], kind: 'number' },
  { name: 'ECS_PULL_WATCH_INTERVAL_SECONDS', path: ['watch', 'intervalSeconds'], kind: 'number' },
  { name: 'ECS_PULL_WATCH_MAX_MINUTES', path: ['watch', 'maxMinutes'], kind: 'number' },
  { name: 'LOG_LEVEL', path: ['log', 'level'], kind: 'string' },
  { name: 'SLACK_BOT_TOKEN', path: ['slack', 'botToken'], kind: 'string', secret: true },
  { name: 'SLACK_APP_TOKEN', path: ['slack', 'appToken'], kind: 'string', secret: true },
  { name: 'SLACK_SIGNING_SECRET', path: ['slack', 'signingSecret'], kind: 'string', secret: true },
  { name: 'SLACK_API_URL', path: ['slack', 'apiUrl'], kind: 'string' },
  { name: 'SLACK_MODE', path: ['slack', 'mode'], kind: 'string' },
  { name: 'ECS_PULL_SLACK_DEFAULT_ACCOUNTS', path: ['slack', 'defaultAccounts'], kind: 'list' },
  { name: 'ECS_PULL_SLACK_DM_ACCOUNTS', path: ['slack', 'dm', 'accounts'], kind: 'list' },
  { name: 'ECS_PULL_SLACK_WORKFLOW_ACCOUNTS', path: ['slack', 'workflow', 'accounts'], kind: 'list' },
  { name: 'ECS_PULL_SLACK_ADMINS', path: ['slack', 'admins'], kind: 'list' },
  { name: 'ECS_PULL_CHANGES_LOOKBACK_HOURS', path: ['changes', 'lookbackHours'], kind: 'number' },
  { name: 'ECS_PULL_CHANGES_MAX_LOOKUPS', path: ['changes', 'maxLookups'], kind: 'number' },
  { name: 'ECS_PULL_PROBE_PUBLIC_REGISTRIES', path: ['registries', 'probePublic'], kind: 'boolean' },
  { name: 'PORT', path: ['slack', 'port'], kind: 'number' },
  { name: 'SLACK_MAX_BODY_BYTES', path: ['slack', 'maxBodyBytes'], kind: 'number' },
  { name: 'SLACK_LIMIT_USER_BURST', path: ['slack', 'limits', 'user', 'burst'], kind: 'number' },
  { name: 'SLACK_LIMIT_USER_PER_MINUTE', path: ['slack', 'limits', 'user', 'perMinute'], kind: 'number' },
  { name: 'SLACK_LIMIT_CHANNEL_BURST', path: ['slack', 'limits', 'channel', 'burst'], kind: 'number' },
  {
    name: 'SLACK_LIMIT_CHANNEL_PER_MINUTE',
    path: ['slack', 'limits', 'channel', 'perMinute'],
    kind: 'number',
  },
  { name: 'SLACK_LIMIT_ACCOUNT_BURST', path: ['slack', 'limits', 'account', 'burst'], kind: 'number' },
  {
    name: 'SLACK_LIMIT_ACCOUNT_PER_MINUTE',
    path: ['slack', 'limits', 'account', 'perMinute'],
    kind: 'number',
  },
  {
    name: 'SLACK_MAX_ACCOUNTS_PER_REQUEST',
    path: ['slack', 'limits', 'maxAccountsPerRequest'],
    kind: 'number',
  },
  { name: 'REDIS_URL', path: ['redis', 'url'], kind: 'string', secret: true },
  { name: 'ECS_PULL_IDENTITY_CENTER_URL', path: ['identityCenter', 'portalUrl'], kind: 'string' },
  {
    name: 'ECS_PULL_IDENTITY_CENTER_PERMISSION_SET',
    path: ['identityCenter', 'permissionSet'],
    kind: 'string',
  },
];

type Env = Record<string, string | undefined>;

/** Maps anything users type or Slack sends (it, it-IT, en_US, EN) to a supported language. */
export function toLanguage(value: string | undefined | null): Language | undefined {
  const base = value?.trim().toLowerCase().split(/[-_]/)[0];
  return (languages as readonly string[]).includes(base ?? '') ? (base as Language) : undefined;
}

/** ECS_PULL_LANG, when it names a supported language. */
export function environmentLanguage(env: Env = process.env): Language | undefined {
  return toLanguage(env.ECS_PULL_LANG);
}

/** The configuration file named by ECS_PULL_CONFIG (--config wins over it). */
export function environmentConfigPath(env: Env = process.env): string | undefined {
  return env.ECS_PULL_CONFIG || undefined;
}

/**
 * Whether anything configures ecs-pull beyond the language: a file (--config or ECS_PULL_CONFIG), any of the
 * variables above but ECS_PULL_LANG, or an ECS_PULL_LANG that names no language ecs-pull speaks. A command that needs only the language (`classify`, `demo`) validates nothing
 * when there is nothing to validate.
 */
export function hasConfiguration(configPath: string | undefined, env: Env = process.env): boolean {
  if (configPath || environmentConfigPath(env)) return true;
  // A language ecs-pull does not speak is a problem to say, like any other.
  if (env.ECS_PULL_LANG && !toLanguage(env.ECS_PULL_LANG)) return true;
  return ENV_VARIABLES.some(
    (v) => v.name !== 'ECS_PULL_LANG' && env[v.name] !== undefined && env[v.name] !== '',
  );
}

/**
 * The AWS profile the environment names (AWS_PROFILE): the command line reads its own credentials from that profile
 * alone, as the AWS CLI does, and names it when it gives none.
 */
export function environmentProfile(env: Env = process.env): string | undefined {
  return env.AWS_PROFILE || undefined;
}

/** The configuration when nothing configures ecs-pull (`hasConfiguration` false): zod's defaults, written out. */
export function unconfigured(defaultLanguage: Language = 'en'): Config {
  const bucket = (n: number) => ({ burst: n, perMinute: n });
  return Object.freeze({
    defaultLanguage,
    accounts: {},
    aws: { callTimeoutMs: 3_000, deadlineMs: 10_000, maxAttempts: 3, sessionDurationSeconds: 3_600 },
    registries: {
      probePublic: false,
      probeTimeoutMs: 2_000,
      allow: DEFAULT_REGISTRY_ALLOW.map((e) => ({ ...e, authHosts: [...e.authHosts] })),
    },
    changes: { lookbackHours: 24, afterMinutes: 5, maxLookups: 3 },
    slack: {
      mode: 'socket' as const,
      port: 3000,
      maxBodyBytes: 1024 * 1024,
      limits: { user: bucket(10), channel: bucket(30), account: bucket(20), maxAccountsPerRequest: 3 },
      alertSources: { botIds: [], appIds: [], channels: [] },
      channels: {},
      defaultAccounts: [],
      dm: { accounts: [] },
      workflow: { accounts: [] },
      admins: [],
    },
    redis: { keyPrefix: 'ecs-pull:' },
    watch: { intervalSeconds: 60, maxMinutes: 30 },
    log: { level: 'info' as const },
    source: 'environment',
  });
}

/**
 * The access portal and permission set console links for `account` open with: the account's own entry over the
 * top-level one; none when neither names both, or when the account opts out (identityCenter: false).
 */
export function identityCenterFor(config: Config, account: string): IdentityCenterLink | undefined {
  const own = config.accounts[account]?.identityCenter;
  if (own === false) return undefined;
  const url = own?.portalUrl ?? config.identityCenter?.portalUrl;
  const set = own?.permissionSet ?? config.identityCenter?.permissionSet;
  return url && set ? { portalUrl: url, permissionSet: set } : undefined;
}
