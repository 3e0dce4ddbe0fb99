/** IAM Identity Center console links: configuration, per-account permission sets, and every link of a report. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConsoleLinks } from '../../src/aws/console-links.js';
import { run } from '../../src/cli.js';
import { identityCenterFor, loadConfig } from '../../src/config.js';
import { isUserError } from '../../src/errors.js';
import { fixturesDir } from '../helpers/aws-wire.js';
import { captureIo } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ecs-pull-ic-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const ORG = [
  'identityCenter:',
  '  portalUrl: https://acme.awsapps.com/start',
  '  permissionSet: PlatformReadOnly',
  'accounts:',
  '  "210987654321": { roleArn: "arn:aws:iam::210987654321:role/ecs-pull-diagnostics", identityCenter: { permissionSet: PaymentsOnCall } }',
  '  "111122223333": { roleArn: "arn:aws:iam::111122223333:role/ecs-pull-diagnostics", identityCenter: false }',
  '',
].join('\n');

describe('Identity Center configuration', () => {
  it('takes the top-level portal and permission set, an account may change the set or opt out', () => {
    const config = loadConfig({}, { configPath: file('org.yml', ORG) });
    expect(identityCenterFor(config, '444455556666')).toEqual({
      portalUrl: 'https://acme.awsapps.com/start',
      permissionSet: 'PlatformReadOnly',
    });
    expect(identityCenterFor(config, '210987654321')?.permissionSet).toBe('PaymentsOnCall');
    expect(identityCenterFor(config, '111122223333')).toBeUndefined();
  });

  it('is read from the environment too, and absent by default', () => {
    const config = loadConfig({
      ECS_PULL_IDENTITY_CENTER_URL: 'https://d-9067abcdef.awsapps.com/start/',
      ECS_PULL_IDENTITY_CENTER_PERMISSION_SET: 'ReadOnlyAccess',
    });
    expect(identityCenterFor(config, '210987654321')?.portalUrl).toBe(
      'https://d-9067abcdef.awsapps.com/start/',
    );
    expect(identityCenterFor(loadConfig({}), '210987654321')).toBeUndefined();
  });

  it.each([
    [
      'identityCenter: { portalUrl: "https://evil.example.com/start", permissionSet: X }',
      'identityCenter.portalUrl',
    ],
    [
      'identityCenter: { portalUrl: "http://acme.awsapps.com/start", permissionSet: X }',
      'identityCenter.portalUrl',
    ],
    [
      'identityCenter: { portalUrl: "https://acme.awsapps.com/start", permissionSet: "a b" }',
      'identityCenter.permissionSet',
    ],
    ['identityCenter: { portalUrl: "https://acme.awsapps.com/start" }', 'identityCenter.permissionSet'],
  ])('refuses %s naming %s', (yaml, key) => {
    try {
      loadConfig({}, { configPath: file('bad.yml', `${yaml}\n`) });
      expect.unreachable();
    } catch (err) {
      expect(isUserError(err)).toBe(true);
      expect((err as { params: Record<string, string> }).params.key).toBe(key);
    }
  });

  it('wraps links into each account with that account’s permission set', () => {
    const config = loadConfig({}, { configPath: file('org2.yml', ORG) });
    const links = new ConsoleLinks('aws', 'eu-south-1', '210987654321', (a) => identityCenterFor(config, a));
    expect(links.subnet('subnet-1').url).toContain('account_id=210987654321&role_name=PaymentsOnCall&');
    expect(links.ecrRepository('base', '444455556666').url).toContain(
      'account_id=444455556666&role_name=PlatformReadOnly&',
    );
    expect(links.ecrRepository('base', '111122223333').url).toMatch(
      /^https:\/\/eu-south-1\.console\.aws\.amazon\.com\//,
    );
  });
});

describe('Identity Center in a report', () => {
  it('every console link of a replayed report opens through the portal into the task account', async () => {
    const { io, out } = captureIo();
    const config = file('org3.yml', ORG);
    const code = await run(
      ['replay', join(fixturesDir, 'network', 'nat-path.json'), '--json', '--config', config],
      io,
    );
    expect(code).toBe(0);
    const report = JSON.parse(out()) as { checks: Array<{ links?: Array<{ url: string }> }> };
    const urls = report.checks.flatMap((c) => c.links ?? []).map((l) => l.url);
    expect(urls.length).toBeGreaterThan(3);
    for (const url of urls) {
      expect(url).toMatch(
        /^https:\/\/acme\.awsapps\.com\/start\/#\/console\?account_id=210987654321&role_name=PaymentsOnCall&destination=https%3A%2F%2F/,
      );
      const destination = new URL(url.replace('/#/', '/')).searchParams.get('destination')!;
      expect(new URL(destination).hostname).toMatch(/(^|\.)console\.aws\.amazon\.com$/);
    }
  });
});
