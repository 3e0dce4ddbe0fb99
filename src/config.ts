/**
 * The only module that reads process.env. Configuration comes from environment variables and an optional
 * YAML file (ECS_PULL_CONFIG), is validated once with zod, and is handed around as a typed, frozen object.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { type IdentityCenterLink, isPortalUrl } from './aws/console-links.js';
import { UserError } from './errors.js';
import {
  DEFAULT_REGISTRY_ALLOW,
  HOST_PATTERN_RE,
  HOST_RE,
  type RegistryAllowEntry,
} from './registry/allow-list.js';

const accountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id');
const roleArn = z
  .string()
  .regex(/^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'must be an IAM role ARN');
const externalId = z
  .string()
  .regex(/^[\w+=,.@:/-]{2,1224}$/, 'must be 2-1224 characters of letters, digits and +=,.@:/-');
/** IAM Identity Center: console buttons open through the access portal into the task's account. */
const portalUrl = z
  .string()
  .refine(
    isPortalUrl,
    'must be an https IAM Identity Center access portal URL (https://NAME.awsapps.com/start)',
  );
const permissionSet = z
  .string()
  .regex(/^[\w+=,.@-]{1,32}$/, 'must be a permission set name (1-32 letters, digits and +=,.@-_)');
const identityCenterSchema = z.object({ portalUrl, permissionSet }).strict();

export const languages = ['en', 'it'] as const;
export type Language = (typeof languages)[number];

const accountSchema = z
  .object({
    /** Role to assume in this account. */
    roleArn: roleArn.optional(),
    externalId: externalId.optional(),
    /** Use the bot's own credentials (default provider chain) instead of assuming a role. */
    defaultCredentials: z.boolean().optional(),
    /** Human label shown in messages. */
    name: z.string().max(64).optional(),
    /** This account's permission set (or portal) for console buttons; false: plain console links. */
    identityCenter: z
      .union([
        z.object({ portalUrl: portalUrl.optional(), permissionSet: permissionSet.optional() }).strict(),
        z.literal(false),
      ])
      .optional(),
  })
  .strict()
  .refine((a) => !(a.roleArn && a.defaultCredentials), {
    message: 'set either roleArn or defaultCredentials, not both',
  });

const awsSchema = z
  .object({
    /** Timeout of one HTTP attempt to AWS. */
    callTimeoutMs: z.number().int().min(100).max(60_000).default(3_000),
    /** Deadline of a whole diagnosis; facts not gathered by then become `unknown`. */
    deadlineMs: z.number().int().min(500).max(120_000).default(10_000),
    /** Attempts per AWS call, including the first (SDK standard retry mode with backoff). */
    maxAttempts: z.number().int().min(1).max(10).default(3),
    /** Role session duration. */
    sessionDurationSeconds: z.number().int().min(900).max(43_200).default(3_600),
  })
  .strict();

const channelId = z.string().regex(/^[CGD][A-Z0-9]{6,}$/, 'must be a Slack channel id (C…, G… or D…)');
const userId = z.string().regex(/^[UW][A-Z0-9]{6,}$/, 'must be a Slack user id (U… or W…)');
/** Account ids, or "*" for every account the configuration can reach. */
const accountList = z.array(z.union([accountId, z.literal('*')]));

/** A token bucket of diagnoses: `burst` at once, then `perMinute` more each minute (see src/slack/rate-limit.ts). */
function tokenBucket(burst: number, perMinute: number) {
  const schema = z
    .object({
      burst: z.number().int().min(1).max(100_000).default(burst),
      perMinute: z.number().positive().max(60_000).default(perMinute),
    })
    .strict();
  return schema.default(schema.parse({}));
}

/**
 * Limits on the diagnoses people ask for (command, mention, shortcut, Re-run and its kin; never the alerts of
 * configured sources, which the storm logic governs). Shared through the state store, so replicas agree.
 */
const limitsSchema = z
  .object({
    /** Per person (team + user). */
    user: tokenBucket(10, 10),
    /** Per channel. */
    channel: tokenBucket(30, 30),
    /** Per AWS account asked about, from every channel (AWS throttles API calls account-wide). */
    account: tokenBucket(20, 20),
    /** Most distinct AWS accounts one request may name; a request naming more is refused before any AWS call. */
    maxAccountsPerRequest: z.number().int().min(1).max(8).default(3),
  })
  .strict();

const slackSchema = z
  .object({
    /** socket (default, no public URL) or http (/slack/events behind a load balancer). */
    mode: z.enum(['socket', 'http']).default('socket'),
    botToken: z.string().startsWith('xoxb-', 'must be a bot token (xoxb-…)').optional(),
    appToken: z.string().startsWith('xapp-', 'must be an app-level token (xapp-…)').optional(),
    signingSecret: z.string().min(8).optional(),
    /** Web API base URL, e.g. https://slack.com/api/ (tests point it at a local server). */
    apiUrl: z.url().optional(),
    /** HTTP port: /slack/events in HTTP mode, /healthz and /metrics in both modes. */
    port: z.number().int().min(0).max(65_535).default(3000),
    /**
     * HTTP mode: the largest request body read (bytes). Larger ones are refused with 413 before they are buffered,
     * from their Content-Length or while they stream in. Slack's own bodies are a few kB, a few hundred at most.
     */
    maxBodyBytes: z
      .number()
      .int()
      .min(16 * 1024)
      .max(64 * 1024 * 1024)
      .default(1024 * 1024),
    /** Rate limits on the diagnoses people ask for. */
    limits: limitsSchema.default(limitsSchema.parse({})),
    /** Which automatic alerts the bot acts on: messages from these bots/apps, in these channels. */
    alertSources: z
      .object({
        botIds: z.array(z.string().regex(/^B[A-Z0-9]{6,}$/, 'must be a bot id (B…)')).default([]),
        appIds: z.array(z.string().regex(/^A[A-Z0-9]{6,}$/, 'must be an app id (A…)')).default([]),
        /** Channels where alerts are read; empty = any channel the bot is in. */
        channels: z.array(channelId).default([]),
      })
      .strict()
      .default({ botIds: [], appIds: [], channels: [] }),
    /** Per-channel settings: the language replies use and the accounts that channel may diagnose. */
    channels: z
      .record(
        channelId,
        z
          .object({
            language: z.enum(languages).optional(),
            /** Account ids, or "*" for every configured account. */
            accounts: z.array(z.union([accountId, z.literal('*')])).optional(),
          })
          .strict(),
      )
      .default({}),
    /**
     * Accounts a channel without its own entry (any other channel, a DM) may diagnose: none unless listed, so that
     * a channel nobody configured cannot read an account. "*" = every account the configuration can reach (with
     * roleNameTemplate: any account id).
     */
    defaultAccounts: accountList.default([]),
    /**
     * Direct messages (a conversation whose id starts with D: the app's own DM, and links posted in any DM): the
     * accounts they may diagnose. None unless listed; a DM with its own slack.channels entry uses that.
     */
    dm: z
      .object({ accounts: accountList.default([]) })
      .strict()
      .default({ accounts: [] }),
    /**
     * The Workflow Builder step "Diagnose an ECS task" when the workflow names no channel to answer in (with one,
     * that channel's accounts apply): the accounts it may diagnose. None unless listed.
     */
    workflow: z
      .object({ accounts: accountList.default([]) })
      .strict()
      .default({ accounts: [] }),
    /** People (user ids) whose App Home also shows the doctor summary: roles reachable, the token's scopes. */
    admins: z.array(userId).max(100).default([]),
  })
  .strict();

/** A registry host (`name` or `name:port`) the probe may ask, or `*.domain` for any name under domain. */
const registryHost = (pattern: RegExp, what: string) =>
  z
    .string()
    .toLowerCase()
    .regex(pattern, `must be ${what}`)
    .refine((h) => Number(h.split(':')[1] ?? 443) <= 65_535, 'the port must be 1-65535');
const hostPattern = registryHost(
  HOST_PATTERN_RE,
  'a host name, host:port, or *.domain (at least two labels)',
);

const registriesSchema = z
  .object({
    /**
     * Ask public registries (Docker Hub, public.ecr.aws, ghcr.io, …) over their v2 API whether a manifest
     * exists and whether anonymous pulls are rate-limited. Off by default: it needs egress from the bot.
     */
    probePublic: z.boolean().default(false),
    /** Timeout of one registry request. */
    probeTimeoutMs: z.number().int().min(100).max(30_000).default(2_000),
    /**
     * The registries the probe may ask (replaces the built-in list): a host, or `{host, authHosts}` naming the
     * hosts of its token service when that is not the registry itself. Any other registry is never contacted.
     */
    allow: z
      .array(
        z.union([
          hostPattern.transform((host): RegistryAllowEntry => ({ host, authHosts: [] })),
          z
            .object({
              host: hostPattern,
              authHosts: z.array(registryHost(HOST_RE, 'a host name or host:port')).max(8).default([]),
            })
            .strict(),
        ]),
      )
      .max(100)
      .default(() => DEFAULT_REGISTRY_ALLOW.map((e) => ({ ...e, authHosts: [...e.authHosts] }))),
  })
  .strict();

/** What changed before the failure: CloudTrail's event history for the resources behind the problems. */
const changesSchema = z
  .object({
    /** How far before the failure to look (the event history keeps 90 days). */
    lookbackHours: z.number().int().min(1).max(2160).default(24),
    /** How long after it (a change recorded meanwhile, a fix already made). */
    afterMinutes: z.number().int().min(0).max(120).default(5),
    /** cloudtrail:LookupEvents requests per diagnosis (two a second per account and region at most); 0: off. */
    maxLookups: z.number().int().min(0).max(8).default(3),
  })
  .strict();

const fileSchema = z
  .object({
    defaultLanguage: z.enum(languages).default('en'),
    /**
     * Role for any account not listed: a role name (`ecs-pull-diagnostics`) or an ARN template with
     * `{account}` and `{partition}` placeholders.
     */
    roleNameTemplate: z.string().min(1).max(600).optional(),
    /** ExternalId used with roleNameTemplate (an account's own externalId wins). */
    externalId: externalId.optional(),
    accounts: z.record(accountId, accountSchema).default({}),
    /** Console buttons open through this access portal with this permission set (an account may override). */
    identityCenter: identityCenterSchema.optional(),
    aws: awsSchema.default(awsSchema.parse({})),
    registries: registriesSchema.default(registriesSchema.parse({})),
    changes: changesSchema.default(changesSchema.parse({})),
    slack: slackSchema.default(slackSchema.parse({})),
    /**
     * Shared state for several replicas (dedupe, alert-storm grouping, paced posting, the short-lived AWS answer
     * cache). Without a URL every replica keeps its own state in memory.
     */
    redis: z
      .object({
        /** redis://[:password@]host:port[/db] or rediss:// for TLS. */
        url: z
          .url({ protocol: /^rediss?$/, hostname: /^.+$/, error: 'must be a redis:// or rediss:// URL' })
          .optional(),
        /** Prefix of every key ecs-pull writes, so that one Redis can serve several installations. */
        keyPrefix: z
          .string()
          .regex(
            /^[A-Za-z0-9:_.-]{0,64}$/,
            'must be up to 64 letters, digits, colons, dots, dashes or underscores',
          )
          .default('ecs-pull:'),
      })
      .strict()
      .default({ keyPrefix: 'ecs-pull:' }),
    /**
     * Watch until fixed (the Slack Watch button, `why --watch`): how often the failing checks are run again, and for
     * how long at most.
     */
    watch: z
      .object({
        intervalSeconds: z.number().int().min(1).max(600).default(60),
        maxMinutes: z.number().int().min(1).max(240).default(30),
      })
      .strict()
      .default({ intervalSeconds: 60, maxMinutes: 30 }),
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      })
      .strict()
      .default({ level: 'info' }),
  })
  .strict();

export type Config = z.infer<typeof fileSchema> & { readonly source: string };
export type AccountConfig = z.infer<typeof accountSchema>;

/** Environment variables understood, mapped to config paths. */
const envMap: Record<string, (raw: Record<string, unknown>, v: string) => void> = {
  ECS_PULL_LANG: (r, v) => {
    r.defaultLanguage = v;
  },
  ECS_PULL_ROLE_NAME: (r, v) => {
    r.roleNameTemplate = v;
  },
  ECS_PULL_EXTERNAL_ID: (r, v) => {
    r.externalId = v;
  },
  ECS_PULL_DEADLINE_MS: (r, v) => {
    section(r, 'aws').deadlineMs = Number(v);
  },
  ECS_PULL_CALL_TIMEOUT_MS: (r, v) => {
    section(r, 'aws').callTimeoutMs = Number(v);
  },
  ECS_PULL_MAX_ATTEMPTS: (r, v) => {
    section(r, 'aws').maxAttempts = Number(v);
  },
  ECS_PULL_WATCH_INTERVAL_SECONDS: (r, v) => {
    section(r, 'watch').intervalSeconds = Number(v);
  },
  ECS_PULL_WATCH_MAX_MINUTES: (r, v) => {
    section(r, 'watch').maxMinutes = Number(v);
  },
  LOG_LEVEL: (r, v) => {
    section(r, 'log').level = v;
  },
  SLACK_BOT_TOKEN: (r, v) => {
    section(r, 'slack').botToken = v;
  },
  SLACK_APP_TOKEN: (r, v) => {
    section(r, 'slack').appToken = v;
  },
  SLACK_SIGNING_SECRET: (r, v) => {
    section(r, 'slack').signingSecret = v;
  },
  SLACK_API_URL: (r, v) => {
    section(r, 'slack').apiUrl = v;
  },
  SLACK_MODE: (r, v) => {
    section(r, 'slack').mode = v;
  },
  ECS_PULL_SLACK_DEFAULT_ACCOUNTS: (r, v) => {
    section(r, 'slack').defaultAccounts = v.split(/[\s,]+/).filter(Boolean);
  },
  ECS_PULL_SLACK_DM_ACCOUNTS: (r, v) => {
    section(section(r, 'slack'), 'dm').accounts = v.split(/[\s,]+/).filter(Boolean);
  },
  ECS_PULL_SLACK_WORKFLOW_ACCOUNTS: (r, v) => {
    section(section(r, 'slack'), 'workflow').accounts = v.split(/[\s,]+/).filter(Boolean);
  },
  ECS_PULL_SLACK_ADMINS: (r, v) => {
    section(r, 'slack').admins = v.split(/[\s,]+/).filter(Boolean);
  },
  ECS_PULL_CHANGES_LOOKBACK_HOURS: (r, v) => {
    section(r, 'changes').lookbackHours = Number(v);
  },
  ECS_PULL_CHANGES_MAX_LOOKUPS: (r, v) => {
    section(r, 'changes').maxLookups = Number(v);
  },
  ECS_PULL_PROBE_PUBLIC_REGISTRIES: (r, v) => {
    section(r, 'registries').probePublic = v === 'true' || v === '1';
  },
  PORT: (r, v) => {
    section(r, 'slack').port = Number(v);
  },
  SLACK_MAX_BODY_BYTES: (r, v) => {
    section(r, 'slack').maxBodyBytes = Number(v);
  },
  SLACK_LIMIT_USER_BURST: (r, v) => {
    limitSection(r, 'user').burst = Number(v);
  },
  SLACK_LIMIT_USER_PER_MINUTE: (r, v) => {
    limitSection(r, 'user').perMinute = Number(v);
  },
  SLACK_LIMIT_CHANNEL_BURST: (r, v) => {
    limitSection(r, 'channel').burst = Number(v);
  },
  SLACK_LIMIT_CHANNEL_PER_MINUTE: (r, v) => {
    limitSection(r, 'channel').perMinute = Number(v);
  },
  SLACK_LIMIT_ACCOUNT_BURST: (r, v) => {
    limitSection(r, 'account').burst = Number(v);
  },
  SLACK_LIMIT_ACCOUNT_PER_MINUTE: (r, v) => {
    limitSection(r, 'account').perMinute = Number(v);
  },
  SLACK_MAX_ACCOUNTS_PER_REQUEST: (r, v) => {
    section(section(r, 'slack'), 'limits').maxAccountsPerRequest = Number(v);
  },
  REDIS_URL: (r, v) => {
    section(r, 'redis').url = v;
  },
  ECS_PULL_IDENTITY_CENTER_URL: (r, v) => {
    section(r, 'identityCenter').portalUrl = v;
  },
  ECS_PULL_IDENTITY_CENTER_PERMISSION_SET: (r, v) => {
    section(r, 'identityCenter').permissionSet = v;
  },
};

function limitSection(raw: Record<string, unknown>, scope: string): Record<string, unknown> {
  return section(section(section(raw, 'slack'), 'limits'), scope);
}

function section(raw: Record<string, unknown>, key: string): Record<string, unknown> {
  const existing = raw[key];
  if (existing && typeof existing === 'object' && !Array.isArray(existing)) {
    return existing as Record<string, unknown>;
  }
  const created: Record<string, unknown> = {};
  raw[key] = created;
  return created;
}

/** Reads the environment (and the YAML file it names) once and validates it; throws a UserError on any problem. */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: { configPath?: string | undefined } = {},
): Config {
  const path = overrides.configPath ?? env.ECS_PULL_CONFIG;
  let raw: Record<string, unknown> = {};
  if (path) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new UserError('errors.config.unreadable', { path, reason: (err as Error).message });
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(text);
    } catch (err) {
      throw new UserError('errors.config.yaml', {
        path,
        reason: (err as Error).message.split('\n')[0] ?? '',
      });
    }
    if (parsed != null && (typeof parsed !== 'object' || Array.isArray(parsed))) {
      throw new UserError('errors.config.invalid', { path, key: '(root)', reason: 'must be a mapping' });
    }
    raw = (parsed as Record<string, unknown>) ?? {};
  }
  for (const [name, apply] of Object.entries(envMap)) {
    const v = env[name];
    if (v !== undefined && v !== '') apply(raw, v);
  }
  const result = fileSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = issue.path.length ? issue.path.join('.') : '(root)';
    throw new UserError('errors.config.invalid', { path: path ?? 'environment', key, reason: issue.message });
  }
  return Object.freeze({ ...result.data, source: path ?? 'environment' });
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

/** A configuration with defaults only: for replay, demo and tests. */
export function defaultConfig(overrides: Partial<z.input<typeof fileSchema>> = {}): Config {
  return Object.freeze({ ...fileSchema.parse(overrides), source: 'defaults' });
}

/**
 * The AWS profile the environment names (AWS_PROFILE): the command line reads its own credentials from that profile
 * alone, as the AWS CLI does, and names it when it gives none.
 */
export function environmentProfile(
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  return env.AWS_PROFILE || undefined;
}

/** True for an IAM role ARN (what accounts.*.roleArn accepts; the command line's --role-arn). */
export function isRoleArn(value: string): boolean {
  return roleArn.safeParse(value).success;
}

/** True for a valid ExternalId (what externalId accepts; the command line's --external-id). */
export function isExternalId(value: string): boolean {
  return externalId.safeParse(value).success;
}
