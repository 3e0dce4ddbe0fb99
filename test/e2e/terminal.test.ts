/**
 * The terminal tool for a person with AWS credentials and no configuration (issue 14, points 1, 2, 4 and 5), through
 * the built CLI against moto:
 * - 1: with no entry for the task's account, the person's own credentials are used when sts:GetCallerIdentity says
 *   they are in that account (one call, in the report's call list); --profile and AWS_PROFILE choose them; --role-arn
 *   (with --external-id) assumes a role; another account gets one line with both ids and the three ways forward. The
 *   Slack bot keeps refusing an account its configuration does not list.
 * - 2: no credentials at all: one line saying so and what to set, at once (IMDS that never answers is given up on in a
 *   second), and `doctor` never names "—" as a role.
 * - 4: the console's task URLs (both layouts), the Identity Center shortcut to one, and task/CLUSTER/ID.
 * - 5: a bare task id takes its region from --region, then the SDK's own chain; an empty task id is named as such.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createExecutionRole,
  createNetwork,
  MOTO_DEFAULT_ACCOUNT,
  motoAccount,
  runStoppedTask,
  type StoppedTask,
} from '../helpers/aws-scenario.js';
import { runCli, writeConfig } from '../helpers/cli.js';
import { SlackSender } from '../helpers/slack-requests.js';
import { FakeSlack } from '../helpers/slack-server.js';

const motoUrl = inject('motoUrl');
const OWN = MOTO_DEFAULT_ACCOUNT;
const OTHER = '314000000014';
const CLUSTER = 'terminal';

/** A home with no ~/.aws, and shared files that do not exist unless a test writes them. */
function emptyHome(): Record<string, string> {
  const home = mkdtempSync(join(tmpdir(), 'ecs-pull-home-'));
  return {
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
  };
}

type Call = { api: string; round: number; account: string; ok: boolean };

describe('no AWS credentials at all', () => {
  const arn = `arn:aws:ecs:eu-west-1:${OWN}:task/${CLUSTER}/0123456789abcdef0123456789abcdef`;

  it('says so in one line with what to set, and never speaks of a role', async () => {
    for (const args of [
      [],
      ['--config', writeConfig(`accounts:\n  "${OWN}": { defaultCredentials: true }\n`)],
    ]) {
      const r = await runCli(['why', arn, ...args], { ...emptyHome(), AWS_REGION: 'eu-west-1' });
      expect(r.code).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^ecs-pull: No AWS credentials found/);
      for (const hint of ['--profile', 'AWS_PROFILE', 'aws sso login', 'AWS_ACCESS_KEY_ID'])
        expect(lines[0]).toContain(hint);
      expect(r.stderr).not.toMatch(/role|CredentialsProviderError/);
    }
    const it_ = await runCli(['why', arn, '--lang', 'it'], { ...emptyHome(), AWS_REGION: 'eu-west-1' });
    expect(it_.stderr).toMatch(/^ecs-pull: Nessuna credenziale AWS trovata/);
  });

  it('names the profile that gives none', async () => {
    const r = await runCli(['why', arn, '--profile', 'nowhere'], { ...emptyHome(), AWS_REGION: 'eu-west-1' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('profile nowhere');
    const env = await runCli(['why', arn], {
      ...emptyHome(),
      AWS_REGION: 'eu-west-1',
      AWS_PROFILE: 'nowhere',
    });
    expect(env.stderr).toContain('profile nowhere');
  });

  describe('with an instance metadata service that never answers (a laptop)', () => {
    let imds: Server;
    let port: number;
    const connections: number[] = [];
    const sockets = new Set<Socket>();

    beforeAll(async () => {
      // Accepts and never answers, like a default route that swallows 169.254.169.254.
      imds = createServer((socket) => {
        connections.push(performance.now());
        sockets.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((r) => imds.listen(0, '127.0.0.1', r));
      port = (imds.address() as { port: number }).port;
    });
    afterAll(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => imds.close(() => r()));
    });

    const laptop = () => ({
      ...emptyHome(),
      AWS_REGION: 'eu-west-1',
      AWS_EC2_METADATA_DISABLED: 'false',
      AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${port}`,
    });

    it('why: answers within a second of asking it (was 2 s and more)', async () => {
      connections.length = 0;
      const r = await runCli(['why', arn], laptop());
      const end = performance.now();
      expect(r.stderr).toMatch(/^ecs-pull: No AWS credentials found/);
      expect(connections.length).toBeGreaterThan(0);
      expect(end - connections[0]!).toBeLessThan(1500);
    });

    it('doctor: asks it once, and names no role "—"', async () => {
      connections.length = 0;
      const config = writeConfig(
        [
          'accounts:',
          `  "${OWN}": { defaultCredentials: true }`,
          `  "${OTHER}": { roleArn: "arn:aws:iam::${OTHER}:role/ecs-pull-diagnostics" }`,
        ].join('\n'),
      );
      const r = await runCli(['doctor', '--config', config], laptop());
      expect(r.code).toBe(1);
      expect(r.stdout).not.toContain('—');
      expect(r.stdout).not.toContain('CredentialsProviderError');
      expect(r.stdout).toMatch(/AWS credentials .*No AWS credentials found/);
      expect(r.stdout).toContain('aws sso login');
      // Token request and the IMDSv1 fallback: one try of the chain, not one per row.
      expect(connections.length).toBeLessThanOrEqual(2);
    });
  });
});

describe('task references the CLI refuses before asking AWS', () => {
  const env = () => ({ ...emptyHome(), AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' });
  const id = '0123456789abcdef0123456789abcdef';

  it('a bare id without --cluster asks for the cluster only', async () => {
    const r = await runCli(['why', id, '--region', 'eu-west-1'], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--cluster');
    expect(r.stderr).not.toContain('--region');
  });

  it('a bare id with --cluster and no region anywhere asks for the region, AWS_REGION included', async () => {
    const r = await runCli(['why', id, '--cluster', 'web'], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--region');
    expect(r.stderr).toContain('AWS_REGION');
    expect(r.stderr).not.toContain('--cluster');
  });

  it('an ARN that ends at task/ is named an ARN without its task id, not an old-format one', async () => {
    const r = await runCli(['why', `arn:aws:ecs:eu-west-1:${OWN}:task/`], env());
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/old|--cluster/);
    expect(r.stderr).toMatch(/task id/);
    const three = await runCli(['why', `arn:aws:ecs:eu-west-1:${OWN}:task/web/`], env());
    expect(three.stderr).toMatch(/task id/);
    expect(three.stderr).not.toContain('“”');
  });

  it('help speaks of the user’s credentials, not of a bot', async () => {
    const r = await runCli(['why', '--help'], env());
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/\bbot/);
    for (const flag of ['--profile', '--role-arn', '--external-id']) expect(r.stdout).toContain(flag);
  });
});

describe.skipIf(!motoUrl)(
  `ecs-pull why with your own credentials and no configuration${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`,
  () => {
    let own: StoppedTask;
    let other: StoppedTask;
    /** Static keys of moto's default account, no configuration at all. */
    let env: Record<string, string>;
    let files: { config: string; credentials: string };

    beforeAll(async () => {
      const a = await motoAccount(motoUrl!, OWN);
      own = await runStoppedTask(a, await createNetwork(a), {
        executionRoleArn: await createExecutionRole(a, 'terminalExecutionRole'),
        cluster: CLUSTER,
      });
      const b = await motoAccount(motoUrl!, OTHER);
      other = await runStoppedTask(b, await createNetwork(b), {
        executionRoleArn: await createExecutionRole(b, 'terminalExecutionRole'),
        cluster: CLUSTER,
      });
      env = {
        ...emptyHome(),
        AWS_ENDPOINT_URL: motoUrl!,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_REGION: 'eu-west-1',
      };
      // An AWS CLI setup: keys in a base profile, a profile that assumes a role in the other account.
      const dir = mkdtempSync(join(tmpdir(), 'ecs-pull-aws-'));
      files = { config: join(dir, 'config'), credentials: join(dir, 'credentials') };
      writeFileSync(
        files.credentials,
        '[base]\naws_access_key_id = testing\naws_secret_access_key = testing\n',
      );
      writeFileSync(
        files.config,
        [
          '[profile base]',
          'region = eu-west-1',
          '[profile workload]',
          `role_arn = arn:aws:iam::${OTHER}:role/OnCall`,
          'source_profile = base',
          'region = eu-west-1',
          '',
        ].join('\n'),
      );
    });

    it('uses the credentials when they are in the task’s account, after one sts:GetCallerIdentity', async () => {
      const r = await runCli(['why', own.taskArn, '--json'], env);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.context.taskArn).toBe(own.taskArn);
      const calls = report.aws.calls as Call[];
      expect(calls.filter((c) => c.api === 'sts:GetCallerIdentity')).toEqual([
        expect.objectContaining({ api: 'sts:GetCallerIdentity', round: 1, ok: true }),
      ]);
      expect(calls.map((c) => c.api)).not.toContain('sts:AssumeRole');
      expect(calls.find((c) => c.api === 'ecs:DescribeTasks')?.round).toBe(2);
    });

    it('another account: one line with both ids and the three ways forward', async () => {
      const r = await runCli(['why', other.taskArn], env);
      expect(r.code).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      for (const s of [OTHER, OWN, '--role-arn', '--profile', 'accounts:']) expect(lines[0]).toContain(s);
      const it_ = await runCli(['why', other.taskArn, '--lang', 'it'], env);
      expect(it_.stderr).toContain(`account ${OTHER}`);
      expect(it_.stderr).toContain('configurazione');
    });

    it('--role-arn (with --external-id) assumes the role in the task’s account', async () => {
      const r = await runCli(
        [
          'why',
          other.taskArn,
          '--json',
          '--role-arn',
          `arn:aws:iam::${OTHER}:role/ecs-pull-diagnostics`,
          '--external-id',
          'terminal-ext',
        ],
        env,
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.context.account).toBe(OTHER);
      const calls = report.aws.calls as Call[];
      expect(calls[0]).toMatchObject({ api: 'sts:AssumeRole', round: 1, account: OTHER, ok: true });
      expect(calls.map((c) => c.api)).not.toContain('sts:GetCallerIdentity');

      const elsewhere = await runCli(
        ['why', other.taskArn, '--role-arn', `arn:aws:iam::${OWN}:role/ecs-pull-diagnostics`],
        env,
      );
      expect(elsewhere.code).toBe(2);
      expect(elsewhere.stderr).toContain(OWN);
      expect(elsewhere.stderr).toContain(OTHER);
    });

    it('--profile and AWS_PROFILE choose the credentials (a profile that assumes a role there)', async () => {
      const { AWS_ACCESS_KEY_ID: _k, AWS_SECRET_ACCESS_KEY: _s, ...noKeys } = env;
      const withFiles = {
        ...noKeys,
        AWS_CONFIG_FILE: files.config,
        AWS_SHARED_CREDENTIALS_FILE: files.credentials,
      };
      for (const [args, extra] of [
        [['--profile', 'workload'], {}],
        [[], { AWS_PROFILE: 'workload' }],
      ] as const) {
        const r = await runCli(['why', other.taskArn, '--json', ...args], { ...withFiles, ...extra });
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        const report = JSON.parse(r.stdout);
        expect(report.context.account).toBe(OTHER);
        expect((report.aws.calls as Call[]).filter((c) => c.api === 'sts:GetCallerIdentity')).toHaveLength(1);
      }
      // The base profile is in the default account: the other account's task is refused with both ids.
      const base = await runCli(['why', other.taskArn, '--profile', 'base'], withFiles);
      expect(base.code).toBe(2);
      expect(base.stderr).toContain(OWN);
    });

    it('accepts the console’s task URLs, the Identity Center shortcut to one, and task/CLUSTER/ID', async () => {
      const v2 = `https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/${CLUSTER}/tasks/${own.taskId}/configuration?region=eu-west-1&selectedContainer=app`;
      const old = `https://eu-west-1.console.aws.amazon.com/ecs/home?region=eu-west-1#/clusters/${CLUSTER}/tasks/${own.taskId}/details`;
      const portal = `https://my-org.awsapps.com/start/#/console?account_id=${OWN}&role_name=ReadOnly&destination=${encodeURIComponent(v2)}`;
      // The URL names its region: AWS_REGION does not override it.
      const elsewhere = { ...env, AWS_REGION: 'us-east-2' };
      for (const ref of [v2, old, portal, `<${v2}|console>`]) {
        const r = await runCli(['why', ref, '--json'], elsewhere);
        expect(r.stderr, ref).toBe('');
        expect(r.code).toBe(0);
        expect(JSON.parse(r.stdout).context.taskArn).toBe(own.taskArn);
      }
      const short = await runCli(['why', `task/${CLUSTER}/${own.taskId}`, '--json'], env);
      expect(short.stderr).toBe('');
      expect(JSON.parse(short.stdout).context.taskArn).toBe(own.taskArn);
      // The shortcut's account is the task's: another one is refused like an ARN of that account.
      const theirs = await runCli(['why', portal.replace(`account_id=${OWN}`, `account_id=${OTHER}`)], env);
      expect(theirs.code).toBe(2);
      expect(theirs.stderr).toContain(OTHER);
    });

    it('a bare task id takes the region from AWS_REGION, or from the profile', async () => {
      const r = await runCli(['why', own.taskId, '--cluster', CLUSTER, '--json'], env);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).context.taskArn).toBe(own.taskArn);
      const { AWS_REGION: _r, ...noRegion } = env;
      const fromProfile = await runCli(
        ['why', own.taskId, '--cluster', CLUSTER, '--json', '--profile', 'base'],
        {
          ...noRegion,
          AWS_CONFIG_FILE: files.config,
          AWS_SHARED_CREDENTIALS_FILE: files.credentials,
        },
      );
      expect(fromProfile.stderr).toBe('');
      expect(JSON.parse(fromProfile.stdout).context.region).toBe('eu-west-1');
    });
  },
);

describe.skipIf(!motoUrl)(
  `the Slack bot keeps its explicit configuration${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`,
  () => {
    const SECRET = 'terminal-test-signing-secret';
    let slack: FakeSlack;
    let child: ChildProcess;
    let port: number;
    let stdout = '';
    let task: StoppedTask;

    beforeAll(async () => {
      const a = await motoAccount(motoUrl!, OWN);
      task = await runStoppedTask(a, await createNetwork(a), {
        executionRoleArn: await createExecutionRole(a, 'terminalBotExecutionRole'),
        cluster: CLUSTER,
      });
      slack = await new FakeSlack().start();
      const s = createServer();
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      port = (s.address() as { port: number }).port;
      await new Promise<void>((r) => s.close(() => r()));
      child = spawn(process.execPath, [join(import.meta.dirname, '..', '..', 'dist', 'src', 'app.js')], {
        env: {
          PATH: process.env.PATH ?? '',
          ...emptyHome(),
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_ENDPOINT_URL: motoUrl!,
          AWS_ACCESS_KEY_ID: 'testing',
          AWS_SECRET_ACCESS_KEY: 'testing',
          AWS_REGION: 'eu-west-1',
          SLACK_MODE: 'http',
          SLACK_BOT_TOKEN: 'xoxb-terminal-test',
          SLACK_SIGNING_SECRET: SECRET,
          SLACK_API_URL: slack.apiUrl,
          PORT: String(port),
          ECS_PULL_SLACK_DEFAULT_ACCOUNTS: OWN,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (d) => {
        stdout += String(d);
      });
      await slack.waitFor(() => stdout.includes('ecs-pull Slack app started'), 20_000, 'start-up log line');
    });

    afterAll(async () => {
      if (child && child.exitCode === null) child.kill('SIGKILL');
      await slack?.stop();
    });

    it('refuses an account its configuration does not list, though its credentials are in it', async () => {
      // The same task, the same credentials: the CLI diagnoses it.
      const cli = await runCli(['why', task.taskArn, '--json'], {
        ...emptyHome(),
        AWS_ENDPOINT_URL: motoUrl!,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_REGION: 'eu-west-1',
      });
      expect(cli.code).toBe(0);
      const send = new SlackSender(`http://127.0.0.1:${port}`, SECRET);
      const r = await send.command({
        text: `why ${task.taskArn}`,
        channel_id: 'C0TERMINAL',
        user_id: 'U0TERMINAL',
        response_url: slack.responseUrl('unconfigured'),
      });
      expect(r.status).toBe(200);
      const reply = await slack.waitFor(
        () => slack.responses.find((x) => x.id === 'unconfigured'),
        10_000,
        'the refusal',
      );
      expect(String(reply.body.text)).toContain(`Account ${OWN} is not configured in ecs-pull`);
      expect(slack.callsOf('chat.postMessage')).toEqual([]);
    });
  },
);
