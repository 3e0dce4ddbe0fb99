/**
 * ecs-pull doctor against moto (a role deployed from deploy/diagnostics-role.yml, and one that lacks permissions)
 * and against a local Slack Web API; and the CLI's table and exit code.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ClientPool } from '../../src/aws/clients.js';
import { defaultConfig } from '../../src/config.js';
import { manifestScopes, requiredActions, runDoctor } from '../../src/doctor.js';
import { i18n } from '../../src/i18n.js';
import { BASE_CREDENTIALS, motoAccount } from '../helpers/aws-scenario.js';
import { readTemplate } from '../helpers/cfn.js';

const motoUrl = inject('motoUrl');
const GOOD = '340000000001';
const WEAK = '340000000002';
const en = (m: { key: string; params?: Record<string, unknown> }) =>
  i18n().getFixedT('en')(m.key, m.params ?? {}) as string;

/** A Slack Web API stand-in: auth.test and apps.connections.open, with the scopes header Slack sends. */
function fakeSlack(scopes: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const ok =
      req.headers.authorization === 'Bearer xoxb-good' || req.headers.authorization === 'Bearer xapp-good';
    res.setHeader('content-type', 'application/json');
    res.setHeader('x-oauth-scopes', scopes);
    if (req.url?.startsWith('/api/auth.test')) {
      res.end(
        JSON.stringify(
          ok
            ? { ok: true, team: 'Acme', user: 'ecs-pull', team_id: 'T0ACME', user_id: 'U0BOT' }
            : { ok: false, error: 'invalid_auth' },
        ),
      );
    } else if (req.url?.startsWith('/api/apps.connections.open')) {
      res.end(
        JSON.stringify(
          ok
            ? { ok: true, url: 'wss://wss-primary.slack.com/link/?ticket=abc' }
            : { ok: false, error: 'invalid_auth' },
        ),
      );
    } else res.end(JSON.stringify({ ok: false, error: 'unknown_method' }));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`, server }),
    ),
  );
}

describe.skipIf(!motoUrl)(
  `ecs-pull doctor on moto${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`,
  () => {
    let slack: { url: string; server: Server };

    beforeAll(async () => {
      process.env.AWS_ENDPOINT_URL = motoUrl!;
      process.env.AWS_REGION = 'eu-west-1';
      // The role as deploy/diagnostics-role.yml defines it. (Created through IAM: moto's CloudFormation stores inline
      // policies as Python dict text, which no IAM client can read back; deploy.test.ts covers the stack itself.)
      const good = await motoAccount(motoUrl!, GOOD);
      const role = readTemplate('diagnostics-role.yml').Resources.DiagnosticsRole.Properties;
      await good.iam.send(
        new CreateRoleCommand({
          RoleName: 'ecs-pull-diagnostics',
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: 'arn:aws:iam::123456789012:role/ecs-pull-bot' },
                Action: 'sts:AssumeRole',
                Condition: { StringEquals: { 'sts:ExternalId': 'doctor-ext' } },
              },
            ],
          }),
        }),
      );
      await good.iam.send(
        new PutRolePolicyCommand({
          RoleName: 'ecs-pull-diagnostics',
          PolicyName: role.Policies[0].PolicyName,
          PolicyDocument: JSON.stringify(role.Policies[0].PolicyDocument),
        }),
      );
      const weak = await motoAccount(motoUrl!, WEAK);
      await weak.iam.send(
        new CreateRoleCommand({
          RoleName: 'ecs-pull-diagnostics',
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: 'arn:aws:iam::123456789012:root' },
                Action: 'sts:AssumeRole',
              },
            ],
          }),
        }),
      );
      await weak.iam.send(
        new PutRolePolicyCommand({
          RoleName: 'ecs-pull-diagnostics',
          PolicyName: 'ecs-only',
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: ['ecs:Describe*', 'iam:Get*', 'iam:List*'], Resource: '*' },
            ],
          }),
        }),
      );
      slack = await fakeSlack(manifestScopes().join(','));
    });
    afterAll(() => new Promise<void>((r) => slack.server.close(() => r())));

    function doctor(botToken: string, accounts: string[]) {
      const config = defaultConfig({
        roleNameTemplate: 'ecs-pull-diagnostics',
        externalId: 'doctor-ext',
        accounts: Object.fromEntries(accounts.map((a) => [a, {}])),
        aws: { maxAttempts: 1, callTimeoutMs: 5000, deadlineMs: 10000, sessionDurationSeconds: 3600 },
        slack: { mode: 'socket', botToken, appToken: 'xapp-good', apiUrl: slack.url },
      });
      return runDoctor({
        config,
        pool: new ClientPool(config, { baseCredentials: async () => BASE_CREDENTIALS }),
        accounts: [],
        region: 'eu-west-1',
      });
    }

    it('passes a role deployed from the template, and a valid Slack token', async () => {
      const rows = await doctor('xoxb-good', [GOOD]);
      const byKey = Object.fromEntries(rows.map((r) => [en(r.check), r]));
      expect(byKey['Slack bot token']?.status).toBe('pass');
      expect(en(byKey['Slack bot token']!.detail)).toContain('workspace Acme');
      expect(byKey['Slack connection']?.status).toBe('pass');
      // No slack.channels and no slack.defaultAccounts: every Slack request would be refused.
      expect(byKey['Slack channel access']?.status).toBe('warn');
      expect(en(byKey['Slack channel access']!.detail)).toContain('no channel may diagnose anything');
      expect(byKey['AWS credentials of the bot']?.status).toBe('pass');
      expect(byKey[`Role in account ${GOOD}`]?.status).toBe('pass');
      const perms = byKey[`Permissions in account ${GOOD}`]!;
      expect(perms.status).toBe('pass');
      expect(en(perms.detail)).toContain(`all ${requiredActions().length} actions`);
    });

    it('names the missing actions of a weak role and a bad Slack token, with fixes', async () => {
      const rows = await doctor('xoxb-revoked', [WEAK]);
      const perms = rows.find((r) => en(r.check) === `Permissions in account ${WEAK}`)!;
      expect(perms.status).toBe('fail');
      expect(en(perms.detail)).toContain('ec2:DescribeRouteTables');
      expect(en(perms.detail)).not.toContain('ecs:DescribeTasks');
      expect(en(perms.fix!)).toContain('deploy/diagnostics-role.yml');
      const token = rows.find((r) => en(r.check) === 'Slack bot token')!;
      expect(token.status).toBe('fail');
      expect(en(token.detail)).toContain('invalid_auth');
    });

    it('names the scopes a token lacks', async () => {
      const partial = await fakeSlack('commands,chat:write');
      const config = defaultConfig({
        accounts: {},
        aws: { maxAttempts: 1, callTimeoutMs: 5000, deadlineMs: 10000, sessionDurationSeconds: 3600 },
        slack: { mode: 'socket', botToken: 'xoxb-good', appToken: 'xapp-good', apiUrl: partial.url },
      });
      const rows = await runDoctor({
        config,
        pool: new ClientPool(config, { baseCredentials: async () => BASE_CREDENTIALS }),
        accounts: [],
        region: 'eu-west-1',
      });
      await new Promise<void>((r) => partial.server.close(() => r()));
      const token = rows.find((r) => en(r.check) === 'Slack bot token')!;
      expect(token.status).toBe('fail');
      expect(en(token.detail)).toContain('users:read');
      expect(en(token.fix!)).toContain('manifest.yml');
    });

    it('prints a table and exits 1 from the CLI when something fails, 2 for a broken configuration', async () => {
      const { run } = await import('../../src/cli.js');
      const { writeConfig } = await import('../helpers/cli.js');
      const out: string[] = [];
      const io = {
        out: (s: string) => out.push(s),
        err: (s: string) => out.push(s),
        readStdin: async () => '',
        user: () => 'doctor',
      };
      process.env.AWS_ACCESS_KEY_ID = 'testing';
      process.env.AWS_SECRET_ACCESS_KEY = 'testing';
      const file = writeConfig(
        `roleNameTemplate: ecs-pull-diagnostics\nexternalId: doctor-ext\naccounts:\n  "${WEAK}": {}\naws:\n  maxAttempts: 1\n`,
      );
      expect(await run(['doctor', '--config', file, '--region', 'eu-west-1'], io)).toBe(1);
      const text = out.join('');
      expect(text).toMatch(new RegExp(`✗ Permissions in account ${WEAK} +\\d+ actions are not allowed`));
      expect(text).toContain('→ Deploy the current deploy/diagnostics-role.yml');
      expect(text).toMatch(/\d+ problems? needs? fixing/);

      out.length = 0;
      const broken = writeConfig('accounts:\n  "12": { roleArn: nope }\n');
      expect(await run(['doctor', '--config', broken, '--lang', 'it'], io)).toBe(2);
      expect(out.join('')).toContain('Configurazione non valida');
    });
  },
);
