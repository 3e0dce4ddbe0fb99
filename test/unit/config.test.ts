import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fileSchema, loadConfig } from '../../src/config.js';
import { hasConfiguration, unconfigured } from '../../src/config-base.js';
import { ANY_KEY, ITEMS, SETTINGS, type SettingsTree, unknownSetting } from '../../src/config-keys.js';
import { UserError } from '../../src/errors.js';
import { translator } from '../../src/i18n.js';

function file(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ecs-pull-config-'));
  const p = join(dir, 'c.yml');
  writeFileSync(p, text);
  return p;
}

function failure(env: Record<string, string>): UserError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  throw new Error('expected a UserError');
}

describe('loadConfig: environment plus an optional YAML file, validated', () => {
  it('gives, with nothing to configure, what the command line takes without loading zod', () => {
    expect(unconfigured()).toEqual(loadConfig({}));
    expect(unconfigured('it')).toEqual(loadConfig({ ECS_PULL_LANG: 'it' }));
    expect(hasConfiguration(undefined, {})).toBe(false);
    expect(hasConfiguration(undefined, { ECS_PULL_LANG: 'it', PATH: '/bin' })).toBe(false);
    expect(hasConfiguration(undefined, { ECS_PULL_LANG: 'de' })).toBe(true);
    expect(hasConfiguration(undefined, { LOG_LEVEL: 'debug' })).toBe(true);
    expect(hasConfiguration('c.yml', {})).toBe(true);
    expect(hasConfiguration(undefined, { ECS_PULL_CONFIG: 'c.yml' })).toBe(true);
  });

  it('has working defaults with an empty environment', () => {
    const c = loadConfig({});
    expect(c.defaultLanguage).toBe('en');
    expect(c.accounts).toEqual({});
    expect(c.aws.deadlineMs).toBe(10_000);
    expect(c.slack.mode).toBe('socket');
  });

  it('fails closed: a channel without its own entry may diagnose no account unless slack.defaultAccounts says so', () => {
    expect(loadConfig({}).slack.defaultAccounts).toEqual([]);
    expect(loadConfig({ ECS_PULL_ROLE_NAME: 'ecs-pull-diagnostics' }).slack.defaultAccounts).toEqual([]);
    expect(
      loadConfig({ ECS_PULL_CONFIG: file('slack:\n  defaultAccounts: ["210987654321"]\n') }).slack
        .defaultAccounts,
    ).toEqual(['210987654321']);
    // The environment (how deploy/ecs-pull-bot.yml configures the bot): ids separated by commas or spaces.
    expect(
      loadConfig({ ECS_PULL_SLACK_DEFAULT_ACCOUNTS: '210987654321, 123456789012' }).slack.defaultAccounts,
    ).toEqual(['210987654321', '123456789012']);
    expect(loadConfig({ ECS_PULL_SLACK_DEFAULT_ACCOUNTS: '*' }).slack.defaultAccounts).toEqual(['*']);
    expect(failure({ ECS_PULL_SLACK_DEFAULT_ACCOUNTS: '12345' }).params.key).toBe('slack.defaultAccounts.0');
  });

  it('reads accounts, role template, ExternalId and language from the file', () => {
    const c = loadConfig({
      ECS_PULL_CONFIG: file(`
defaultLanguage: it
roleNameTemplate: ecs-pull-diagnostics
externalId: org-wide-id
accounts:
  "210987654321":
    roleArn: arn:aws:iam::210987654321:role/diag
    externalId: ext-1
  "123456789012":
    defaultCredentials: true
aws:
  deadlineMs: 4000
`),
    });
    expect(c.defaultLanguage).toBe('it');
    expect(c.accounts['210987654321']).toEqual({
      roleArn: 'arn:aws:iam::210987654321:role/diag',
      externalId: 'ext-1',
    });
    expect(c.accounts['123456789012']?.defaultCredentials).toBe(true);
    expect(c.aws.deadlineMs).toBe(4000);
    expect(c.aws.callTimeoutMs).toBe(3000);
  });

  it('lets the environment override the file', () => {
    const c = loadConfig({
      ECS_PULL_CONFIG: file('defaultLanguage: it\n'),
      ECS_PULL_LANG: 'en',
      ECS_PULL_DEADLINE_MS: '2500',
    });
    expect(c.defaultLanguage).toBe('en');
    expect(c.aws.deadlineMs).toBe(2500);
  });

  it.each([
    ['accounts:\n  "12345":\n    roleArn: arn:aws:iam::12345:role/x\n', 'accounts.12345'],
    ['accounts:\n  "210987654321":\n    roleArn: not-an-arn\n', 'accounts.210987654321.roleArn'],
    ['defaultLanguage: fr\n', 'defaultLanguage'],
    ['aws:\n  deadlineMs: 10\n', 'aws.deadlineMs'],
    [
      'accounts:\n  "210987654321":\n    roleArn: arn:aws:iam::210987654321:role/x\n    defaultCredentials: true\n',
      'accounts.210987654321',
    ],
  ])('fails fast naming the key: %j', (yaml, key) => {
    const err = failure({ ECS_PULL_CONFIG: file(yaml) });
    expect(err.key).toBe('config:invalid');
    expect(err.params.key).toBe(key);
    expect(String(err.params.reason).length).toBeGreaterThan(3);
  });

  it('bounds the request body HTTP mode reads: 1 MiB by default, from the file or SLACK_MAX_BODY_BYTES', () => {
    expect(loadConfig({}).slack.maxBodyBytes).toBe(1024 * 1024);
    expect(
      loadConfig({ ECS_PULL_CONFIG: file('slack:\n  maxBodyBytes: 4194304\n') }).slack.maxBodyBytes,
    ).toBe(4 * 1024 * 1024);
    expect(loadConfig({ SLACK_MAX_BODY_BYTES: '262144' }).slack.maxBodyBytes).toBe(256 * 1024);
    expect(failure({ SLACK_MAX_BODY_BYTES: '1000' }).params.key).toBe('slack.maxBodyBytes');
    expect(failure({ SLACK_MAX_BODY_BYTES: 'lots' }).params.key).toBe('slack.maxBodyBytes');
  });

  it('what changed: 24 hours back, 5 minutes after, 3 lookups by default; from the file or the environment', () => {
    expect(loadConfig({}).changes).toEqual({ lookbackHours: 24, afterMinutes: 5, maxLookups: 3 });
    expect(
      loadConfig({
        ECS_PULL_CONFIG: file('changes:\n  lookbackHours: 72\n  afterMinutes: 0\n  maxLookups: 2\n'),
      }).changes,
    ).toEqual({ lookbackHours: 72, afterMinutes: 0, maxLookups: 2 });
    expect(
      loadConfig({ ECS_PULL_CHANGES_LOOKBACK_HOURS: '6', ECS_PULL_CHANGES_MAX_LOOKUPS: '0' }).changes,
    ).toEqual({ lookbackHours: 6, afterMinutes: 5, maxLookups: 0 });
    // The event history keeps 90 days; a diagnosis makes a few lookups (two a second per account and region).
    expect(failure({ ECS_PULL_CHANGES_LOOKBACK_HOURS: '2200' }).params.key).toBe('changes.lookbackHours');
    expect(failure({ ECS_PULL_CHANGES_MAX_LOOKUPS: '20' }).params.key).toBe('changes.maxLookups');
    expect(failure({ ECS_PULL_CONFIG: file('changes:\n  since: 3\n') }).params.key).toBe('changes.since');
  });

  it('reports YAML syntax errors and unreadable files', () => {
    expect(failure({ ECS_PULL_CONFIG: file('accounts: [\n') }).key).toBe('config:yaml');
    expect(failure({ ECS_PULL_CONFIG: '/nonexistent/ecs-pull.yml' }).key).toBe('errors.config.unreadable');
    expect(failure({ ECS_PULL_LANG: 'de' }).params.key).toBe('defaultLanguage');
  });
});

describe("loadConfig: each problem said in the reader's words", () => {
  const en = translator('en');
  const it_ = translator('it');
  const say = (e: UserError, t = en) => t(e.key, e.params) as string;

  it.each([
    ['defaultLanguge: it\n', 'defaultLanguge', 'defaultLanguage'],
    ['acounts: {}\n', 'acounts', 'accounts'],
    ['aws:\n  deadlineMS: 5000\n', 'aws.deadlineMS', 'aws.deadlineMs'],
    ['slack:\n  limits:\n    usr: { burst: 1 }\n', 'slack.limits.usr', 'slack.limits.user'],
    [
      'accounts:\n  "210987654321":\n    rolearn: arn:aws:iam::210987654321:role/x\n',
      'accounts.210987654321.rolearn',
      'accounts.210987654321.roleArn',
    ],
    [
      'accounts:\n  "210987654321":\n    identityCenter: { permisionSet: X }\n',
      'accounts.210987654321.identityCenter.permisionSet',
      'accounts.210987654321.identityCenter.permissionSet',
    ],
  ])('a key that is not a setting suggests the one meant: %j', (yaml, key, suggestion) => {
    const e = failure({ ECS_PULL_CONFIG: file(yaml) });
    expect(e.key).toBe('config:unknown-key');
    expect(e.params).toMatchObject({ key, suggestion });
    expect(say(e)).toContain(`${key} is not a setting; did you mean ${suggestion}?`);
    expect(say(e, it_)).toContain(`forse intendevi ${suggestion}?`);
  });

  it('lists the settings when no key is near', () => {
    const e = failure({ ECS_PULL_CONFIG: file('log:\n  xyzzyplugh: 1\n') });
    expect(e.key).toBe('config:unknown-key-none');
    expect(say(e)).toContain('log.xyzzyplugh is not a setting (the settings there: level)');
  });

  it('names the environment variable, with its value unless it is a secret', () => {
    const n = failure({ ECS_PULL_DEADLINE_MS: 'soon' });
    expect(say(n)).toBe('Invalid value in the environment: ECS_PULL_DEADLINE_MS=“soon” must be a number.');
    expect(say(n, it_)).toBe(
      "Valore non valido nell'ambiente: ECS_PULL_DEADLINE_MS=“soon” deve essere un numero.",
    );
    expect(say(failure({ ECS_PULL_LANG: 'de' }))).toContain('ECS_PULL_LANG=“de” must be one of en, it');
    expect(say(failure({ SLACK_MAX_BODY_BYTES: '1000' }))).toContain(
      'SLACK_MAX_BODY_BYTES=“1000” must be at least 16384',
    );
    expect(say(failure({ ECS_PULL_SLACK_DEFAULT_ACCOUNTS: '210987654321,12' }))).toContain(
      'ECS_PULL_SLACK_DEFAULT_ACCOUNTS=“210987654321,12”',
    );
    const secret = failure({ SLACK_BOT_TOKEN: 'hunter2-not-a-token' });
    expect(say(secret)).toBe(
      'Invalid value in the environment: SLACK_BOT_TOKEN must be a bot token (xoxb-…).',
    );
    expect(JSON.stringify(secret.params)).not.toContain('hunter2');
    // The environment wins over the file, and the message names where the value came from.
    const file_ = file('aws:\n  deadlineMs: 10\n');
    expect(failure({ ECS_PULL_CONFIG: file_ }).key).toBe('config:invalid');
    expect(say(failure({ ECS_PULL_CONFIG: file_ }))).toContain('aws.deadlineMs must be at least 500');
  });

  it('says a value in the file in words, in either language', () => {
    const e = failure({ ECS_PULL_CONFIG: file('accounts:\n  "12345": {}\n') });
    expect(say(e)).toMatch(/accounts\.12345 must be a 12-digit AWS account id\.$/);
    expect(say(e, it_)).toMatch(/accounts\.12345 deve essere l'ID di un account AWS \(12 cifre\)\.$/);
    const missing = failure({
      ECS_PULL_CONFIG: file('identityCenter:\n  portalUrl: https://my-org.awsapps.com/start\n'),
    });
    expect(say(missing)).toContain('identityCenter.permissionSet is missing');
  });

  it('shows a YAML error with its line and a caret under the column', () => {
    const e = failure({ ECS_PULL_CONFIG: file('defaultLanguage: it\nlog:\n level: info\n  bad: [\n') });
    expect(e.key).toBe('config:yaml');
    const lines = say(e).split('\n');
    expect(lines[0]).toMatch(/not valid YAML \(line \d+, column \d+\): \S/);
    expect(lines.at(-1)).toMatch(/^\s*\^$/);
    const col = Number(e.params.column);
    expect(lines.at(-1)!.indexOf('^')).toBe(2 + col - 1);
  });
});

/**
 * The settings tree a zod schema describes: an object's keys, a record's values under `*`, the mappings of a list
 * under `[]`, a union's object options merged; null for anything else (a value). Wrappers (default, prefault,
 * optional, a transform's input) are looked through.
 */
function treeOf(schema: z.core.$ZodType): SettingsTree | null {
  const def = schema._zod.def as {
    type: string;
    innerType?: z.core.$ZodType;
    in?: z.core.$ZodType;
    options?: z.core.$ZodType[];
    shape?: Record<string, z.core.$ZodType>;
    valueType?: z.core.$ZodType;
    element?: z.core.$ZodType;
  };
  if (def.innerType) return treeOf(def.innerType);
  if (def.type === 'pipe' && def.in) return treeOf(def.in);
  if (def.type === 'union') {
    const trees = (def.options ?? []).map(treeOf).filter((t): t is SettingsTree => t !== null);
    return trees.length ? Object.assign({}, ...trees) : null;
  }
  if (def.type === 'object')
    return Object.fromEntries(Object.entries(def.shape ?? {}).map(([k, v]) => [k, treeOf(v)]));
  if (def.type === 'record') return { [ANY_KEY]: treeOf(def.valueType!) };
  if (def.type === 'array') {
    const items = treeOf(def.element!);
    return items ? { [ITEMS]: items } : null;
  }
  return null;
}

describe('config-keys.ts: the settings tree that refuses a misspelt key before zod is loaded', () => {
  it('is the tree of the zod schema, setting for setting', () => {
    expect(SETTINGS).toEqual(treeOf(fileSchema));
  });

  it('would notice a setting added to the schema and not to the tree, or one taken away', () => {
    expect(treeOf(fileSchema.extend({ extra: z.object({ x: z.number() }).optional() }))).not.toEqual(
      SETTINGS,
    );
    expect(treeOf(fileSchema.omit({ log: true }))).not.toEqual(SETTINGS);
  });

  it('finds the first key that is not a setting, at any depth, in lists and records too', () => {
    expect(unknownSetting({ defaultLanguage: 'it', aws: { deadlineMs: 1 } }, 'f')).toBeUndefined();
    const e = unknownSetting({ registries: { allow: ['x.io', { host: 'y.io', authHost: [] }] } }, 'f');
    expect(e?.params).toMatchObject({
      key: 'registries.allow.authHost',
      suggestion: 'registries.allow.authHosts',
    });
    expect(
      unknownSetting({ slack: { channels: { C0123456: { langage: 'it' } } } }, 'f')?.params,
    ).toMatchObject({
      key: 'slack.channels.C0123456.langage',
      suggestion: 'slack.channels.C0123456.language',
    });
  });
});
