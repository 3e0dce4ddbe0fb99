/**
 * Configuration comes from environment variables and an optional YAML file (ECS_PULL_CONFIG), is validated once
 * with zod, and is handed around as a typed, frozen object. With src/config-base.ts (the variables' names, what the
 * command line reads before it loads this module) the only module that reads process.env for configuration.
 *
 * A problem is said in the reader's words: a key that is not a setting with the key meant (`defaultLanguge` →
 * `defaultLanguage`), a bad value set by an environment variable with the variable's name, a YAML error with its line
 * and a caret. The reasons are message keys (config:reason.*), never zod's English.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { isPortalUrl } from './aws/console-links.js';
import { ENV_VARIABLES, type EnvVariable, EXTERNAL_ID_RE, languages, ROLE_ARN_RE } from './config-base.js';
import { unknownSetting } from './config-keys.js';
import { UserError } from './errors.js';
import {
  DEFAULT_REGISTRY_ALLOW,
  HOST_PATTERN_RE,
  HOST_RE,
  type RegistryAllowEntry,
} from './registry/allow-list.js';

const accountId = z.string().regex(/^\d{12}$/, 'reason:account-id');
const roleArn = z.string().regex(ROLE_ARN_RE, 'reason:role-arn');
const externalId = z.string().regex(EXTERNAL_ID_RE, 'reason:external-id');
/** IAM Identity Center: console buttons open through the access portal into the task's account. */
const portalUrl = z.string().refine(isPortalUrl, 'reason:portal-url');
const permissionSet = z.string().regex(/^[\w+=,.@-]{1,32}$/, 'reason:permission-set');
const identityCenterSchema = z.object({ portalUrl, permissionSet }).strict();

export { type Language, languages } from './config-base.js';

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
  .refine((a) => !(a.roleArn && a.defaultCredentials), { message: 'reason:role-or-default' });

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

const channelId = z.string().regex(/^[CGD][A-Z0-9]{6,}$/, 'reason:channel-id');
const userId = z.string().regex(/^[UW][A-Z0-9]{6,}$/, 'reason:user-id');
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
  return schema.prefault({});
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
    botToken: z.string().startsWith('xoxb-', 'reason:bot-token').optional(),
    appToken: z.string().startsWith('xapp-', 'reason:app-token').optional(),
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
    limits: limitsSchema.prefault({}),
    /** Which automatic alerts the bot acts on: messages from these bots/apps, in these channels. */
    alertSources: z
      .object({
        botIds: z.array(z.string().regex(/^B[A-Z0-9]{6,}$/, 'reason:bot-id')).default([]),
        appIds: z.array(z.string().regex(/^A[A-Z0-9]{6,}$/, 'reason:app-id')).default([]),
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
const registryHost = (pattern: RegExp, reason: string) =>
  z
    .string()
    .toLowerCase()
    .regex(pattern, `reason:${reason}`)
    .refine((h) => Number(h.split(':')[1] ?? 443) <= 65_535, 'reason:port');
const hostPattern = registryHost(HOST_PATTERN_RE, 'host-pattern');

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
              authHosts: z.array(registryHost(HOST_RE, 'host')).max(8).default([]),
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

/** The configuration file's schema (exported for the test that holds config-keys.ts's tree equal to it). */
export const fileSchema = z
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
    aws: awsSchema.prefault({}),
    registries: registriesSchema.prefault({}),
    changes: changesSchema.prefault({}),
    slack: slackSchema.prefault({}),
    /**
     * Shared state for several replicas (dedupe, alert-storm grouping, paced posting, the short-lived AWS answer
     * cache). Without a URL every replica keeps its own state in memory.
     */
    redis: z
      .object({
        /** redis://[:password@]host:port[/db] or rediss:// for TLS. */
        url: z.url({ protocol: /^rediss?$/, hostname: /^.+$/, error: 'reason:redis-url' }).optional(),
        /** Prefix of every key ecs-pull writes, so that one Redis can serve several installations. */
        keyPrefix: z
          .string()
          .regex(/^[A-Za-z0-9:_.-]{0,64}$/, 'reason:key-prefix')
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

/** The value an environment variable's text sets. */
function envValue(v: EnvVariable, text: string): unknown {
  if (v.kind === 'number') return Number(text);
  if (v.kind === 'boolean') return text === 'true' || text === '1';
  if (v.kind === 'list') return text.split(/[\s,]+/).filter(Boolean);
  return text;
}

/** Sets raw[path] = value, creating the sections on the way (replacing a section that is not a mapping). */
function setPath(raw: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let at = raw;
  for (const key of path.slice(0, -1)) {
    const existing = at[key];
    if (!existing || typeof existing !== 'object' || Array.isArray(existing)) at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  at[path[path.length - 1]!] = value;
}

function getPath(raw: unknown, path: readonly PropertyKey[]): unknown {
  let at = raw;
  for (const key of path) {
    if (!at || typeof at !== 'object') return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}

type Issue = z.core.$ZodIssue;
/** A dotted key for messages: accounts.210987654321.roleArn, (root) for the file itself. */
function dotted(path: readonly PropertyKey[]): string {
  return path.length ? path.map(String).join('.') : '(root)';
}

/** Why a value was refused, as a message key under config:reason.* and its parameters. */
function reasonOf(issue: Issue, raw: unknown): Record<string, string> {
  const i = issue as Issue & {
    expected?: string;
    values?: unknown[];
    origin?: string;
    minimum?: number | bigint;
    maximum?: number | bigint;
    format?: string;
  };
  if (i.message.startsWith('reason:')) return { reason: i.message.slice('reason:'.length) };
  // A record's key that is refused (accounts.12345): the key's own reason.
  const nested = (i as { issues?: Issue[] }).issues?.[0];
  if (i.code === 'invalid_key' && nested) return reasonOf({ ...nested, path: [] } as Issue, {});
  switch (i.code) {
    case 'invalid_type': {
      if (getPath(raw, i.path) === undefined) return { reason: 'required' };
      const kinds: Record<string, string> = {
        number: 'number',
        int: 'integer',
        boolean: 'boolean',
        string: 'text',
        object: 'mapping',
        record: 'mapping',
        array: 'list',
      };
      return { reason: kinds[i.expected ?? ''] ?? 'other', detail: i.message };
    }
    case 'invalid_value':
      return { reason: 'one-of', values: (i.values ?? []).map(String).join(', ') };
    case 'too_small':
      return i.origin === 'number'
        ? { reason: 'minimum', minimum: String(i.minimum) }
        : { reason: i.origin === 'array' ? 'min-items' : 'min-length', minimum: String(i.minimum) };
    case 'too_big':
      return i.origin === 'number'
        ? { reason: 'maximum', maximum: String(i.maximum) }
        : { reason: i.origin === 'array' ? 'max-items' : 'max-length', maximum: String(i.maximum) };
    case 'invalid_format':
      if (i.format === 'url') return { reason: 'url' };
      return { reason: 'other', detail: i.message };
    default:
      return { reason: 'other', detail: i.message };
  }
}

/**
 * The UserError for the first problem zod found: a key that is not a setting (with the key meant), a value an
 * environment variable set (naming the variable; its value too unless it is a secret), or a value in the file.
 */
function configError(
  issue: Issue,
  raw: Record<string, unknown>,
  source: string,
  fromEnv: ReadonlyMap<EnvVariable, string>,
): UserError {
  if (issue.code === 'unrecognized_keys') {
    // unknownSetting (config-keys.ts) has found it before zod, whose schema a test holds equal to the tree there.
    const key = dotted([...issue.path, issue.keys[0] ?? '?']);
    return new UserError('config:unknown-key-none', { path: source, key, known: '—' });
  }
  const reason = reasonOf(issue, raw);
  const path = issue.path.map(String);
  const variable = [...fromEnv.keys()]
    .filter((v) => v.path.every((k, i) => path[i] === k))
    .sort((a, b) => b.path.length - a.path.length)[0];
  if (variable) {
    const value = fromEnv.get(variable) ?? '';
    return variable.secret
      ? new UserError('config:env-secret', { variable: variable.name, key: dotted(issue.path), ...reason })
      : new UserError('config:env', { variable: variable.name, value, key: dotted(issue.path), ...reason });
  }
  return new UserError('config:invalid', { path: source, key: dotted(issue.path), ...reason });
}

/** A YAML syntax error: where it is, the line (with the one before it) and a caret under the column. */
function yamlError(err: unknown, path: string, text: string): UserError {
  const e = err as Error & { linePos?: Array<{ line: number; col: number }> };
  const reason = (e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
  const pos = e.linePos?.[0];
  if (!pos) return new UserError('config:yaml', { path, reason, line: '?', column: '?', excerpt: '' });
  const lines = text.split(/\r?\n/).map((l) => l.replace(/\t/g, ' '));
  const shown = [pos.line - 1, pos.line].filter((n) => n >= 1 && n <= lines.length && lines[n - 1]!.trim());
  if (!shown.includes(pos.line) && pos.line <= lines.length) shown.push(pos.line);
  const excerpt = [...shown.map((n) => `  ${lines[n - 1]}`), `  ${' '.repeat(Math.max(0, pos.col - 1))}^`];
  return new UserError('config:yaml', {
    path,
    reason,
    line: pos.line,
    column: pos.col,
    excerpt: `\n${excerpt.join('\n')}`,
  });
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
      throw yamlError(err, path, text);
    }
    if (parsed != null && (typeof parsed !== 'object' || Array.isArray(parsed))) {
      throw new UserError('config:invalid', { path, key: '(root)', reason: 'mapping' });
    }
    raw = (parsed as Record<string, unknown>) ?? {};
  }
  const fromEnv = new Map<EnvVariable, string>();
  for (const v of ENV_VARIABLES) {
    const text = env[v.name];
    if (text === undefined || text === '') continue;
    setPath(raw, v.path, envValue(v, text));
    fromEnv.set(v, text);
  }
  // A key that is not a setting first, with the one meant; then the values.
  const unknown = unknownSetting(raw, path ?? 'environment');
  if (unknown) throw unknown;
  const result = fileSchema.safeParse(raw);
  if (!result.success) {
    throw configError(result.error.issues[0]!, raw, path ?? 'environment', fromEnv);
  }
  return Object.freeze({ ...result.data, source: path ?? 'environment' });
}

/** A configuration with defaults only: for replay, demo and tests. */
export function defaultConfig(overrides: Partial<z.input<typeof fileSchema>> = {}): Config {
  return Object.freeze({ ...fileSchema.parse(overrides), source: 'defaults' });
}

export { environmentProfile, identityCenterFor, isExternalId, isRoleArn } from './config-base.js';
