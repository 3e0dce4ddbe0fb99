/**
 * Fix commands end to end on moto: the built CLI diagnoses a broken VPC, its JSON and text (English and Italian)
 * carry the commands with the scenario's real ids, valid against the AWS CLI's service models; then the commands
 * are run as a person would paste them (/bin/sh, the real AWS CLI from the Python that ships moto) and the same
 * task diagnosed again: the check that failed passes. ecs-pull itself never runs them.
 */
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { FixCommand } from '../../src/diagnosis/commands.js';
import { awsInvocations } from '../../src/diagnosis/commands.js';
import { modelsOrSkip, policyProblems, validateInvocation } from '../helpers/aws-cli-models.js';
import {
  createExecutionRole,
  type MotoAccount,
  motoAccount,
  runStoppedTask,
} from '../helpers/aws-scenario.js';
import { motoEnv, runCli, writeConfig } from '../helpers/cli.js';
import { findMotoPython } from '../helpers/moto-server.js';
import { denyHttpsAcl, type Layout, natPath, revokeEgress } from '../helpers/network-scenario.js';

const motoUrl = inject('motoUrl');

/** The Python whose AWS CLI runs the commands (awscli beside moto), if it has one. */
function awsCliPython(): string | undefined {
  const py = findMotoPython();
  if (!py) return undefined;
  try {
    execFileSync(py, ['-c', 'import awscli'], { stdio: 'ignore', timeout: 20_000 });
    return py;
  } catch {
    return undefined;
  }
}

let n = 0;
let env: Record<string, string>;

async function scenario(build: (a: MotoAccount) => Promise<Layout>) {
  n++;
  const account = `32${String(Date.now()).slice(-6)}${String(n).padStart(4, '0')}`;
  const a = await motoAccount(motoUrl!, account);
  const net = await build(a);
  const task = await runStoppedTask(a, net, {
    executionRoleArn: await createExecutionRole(a),
    family: `fix${n}`,
  });
  return { a, net, task };
}

interface JsonCheck {
  id: string;
  status: string;
  commands: Array<FixCommand & { line: string }>;
}

async function why(taskArn: string, ...extra: string[]) {
  const r = await runCli(['why', taskArn, ...extra], env);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

/** Runs the command lines in /bin/sh, `aws` being the real AWS CLI against moto with the account's credentials. */
function paste(python: string, a: MotoAccount, lines: string[]): string {
  return execFileSync(
    '/bin/sh',
    ['-c', [`aws() { "$ECS_PULL_PY" -m awscli "$@"; }`, 'set -e', ...lines].join('\n')],
    {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        ECS_PULL_PY: python,
        AWS_ENDPOINT_URL: motoUrl!,
        AWS_ACCESS_KEY_ID: a.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: a.credentials.secretAccessKey,
        ...(a.credentials.sessionToken ? { AWS_SESSION_TOKEN: a.credentials.sessionToken } : {}),
        AWS_PAGER: '',
      },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
}

describe.skipIf(!motoUrl)(
  `fix commands end to end on moto${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`,
  () => {
    const python = awsCliPython();

    beforeAll(() => {
      env = motoEnv(motoUrl!, writeConfig('defaultLanguage: en\nroleNameTemplate: ecs-pull-diagnostics\n'));
    });

    for (const c of [
      {
        name: 'a task security group with no egress',
        check: 'network.security-group-egress',
        build: async (a: MotoAccount) => {
          const layout = await natPath(a);
          await revokeEgress(a, layout.securityGroupId);
          return layout;
        },
        expected: (net: Layout) =>
          `aws ec2 authorize-security-group-egress --group-id ${net.securityGroupId} --ip-permissions 'IpProtocol=tcp,FromPort=443,ToPort=443,IpRanges=[{CidrIp=0.0.0.0/0}]' --region eu-west-1`,
      },
      {
        name: 'a network ACL denying 443 out',
        check: 'network.nacl',
        build: async (a: MotoAccount) => {
          const layout = await natPath(a);
          (layout as Layout & { acl?: string }).acl = await denyHttpsAcl(a, layout);
          return layout;
        },
        expected: (net: Layout) =>
          `aws ec2 create-network-acl-entry --network-acl-id ${(net as Layout & { acl?: string }).acl} --egress --rule-number 80 --protocol 6 --port-range From=443,To=443 --cidr-block 0.0.0.0/0 --rule-action allow --region eu-west-1`,
      },
    ]) {
      it(`${c.name}: the CLI shows the command in JSON and text, and running it fixes the check`, async () => {
        const { a, net, task } = await scenario(c.build);
        const report = JSON.parse(await why(task.taskArn, '--json'));
        const failing = (report.checks as JsonCheck[]).find((x) => x.id === c.check)!;
        expect(failing.status).toBe('fail');
        expect(failing.commands.map((x) => x.line)).toEqual([c.expected(net)]);
        for (const x of report.checks as JsonCheck[]) expect(Array.isArray(x.commands), x.id).toBe(true);
        if (modelsOrSkip())
          for (const inv of awsInvocations(failing.commands)) {
            expect(validateInvocation(inv)).toEqual([]);
            expect(policyProblems(inv)).toEqual([]);
          }
        const en = await why(task.taskArn);
        expect(en).toContain('Commands that apply the fix (ecs-pull runs none of them');
        expect(en.split('\n').map((l) => l.trim())).toContain(c.expected(net));
        const it_ = await why(task.taskArn, '--lang', 'it');
        expect(it_).toContain('Comandi che applicano la correzione');
        expect(it_.split('\n').map((l) => l.trim())).toContain(c.expected(net));

        if (!python) {
          // CI (ECS_PULL_REQUIRE_MOTO=1) runs them: awscli is installed beside moto there.
          if (process.env.ECS_PULL_REQUIRE_MOTO === '1')
            throw new Error('the AWS CLI (awscli) is not installed beside moto: pip install awscli there');
          console.warn('⚠ the AWS CLI (awscli) is not installed beside moto: the commands were not run');
          return;
        }
        paste(
          python,
          a,
          failing.commands.map((x) => x.line),
        );
        const after = JSON.parse(await why(task.taskArn, '--json'));
        const fixed = (after.checks as JsonCheck[]).find((x) => x.id === c.check)!;
        expect(fixed.status).toBe('pass');
        expect(fixed.commands).toEqual([]);
      });
    }
  },
);
