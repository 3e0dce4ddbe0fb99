import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { UserError } from '../../src/errors.js';

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
    ['acounts: {}\n', '(root)'],
    [
      'accounts:\n  "210987654321":\n    roleArn: arn:aws:iam::210987654321:role/x\n    defaultCredentials: true\n',
      'accounts.210987654321',
    ],
  ])('fails fast naming the key: %j', (yaml, key) => {
    const err = failure({ ECS_PULL_CONFIG: file(yaml) });
    expect(err.key).toBe('errors.config.invalid');
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
    expect(failure({ ECS_PULL_CONFIG: file('changes:\n  since: 3\n') }).params.key).toBe('changes');
  });

  it('reports YAML syntax errors and unreadable files', () => {
    expect(failure({ ECS_PULL_CONFIG: file('accounts: [\n') }).key).toBe('errors.config.yaml');
    expect(failure({ ECS_PULL_CONFIG: '/nonexistent/ecs-pull.yml' }).key).toBe('errors.config.unreadable');
    expect(failure({ ECS_PULL_LANG: 'de' }).params.key).toBe('defaultLanguage');
  });
});
