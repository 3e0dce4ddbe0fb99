/**
 * `ecs-pull why --watch` through the built CLI against moto: the failing check runs again every interval and the
 * watch ends as soon as someone fixes it (the missing tag is pushed while it watches), exit 0; a watch that runs
 * out of time exits 4; with --json every line is one JSON object. Only the watched check's facts are read again.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { MOTO_DEFAULT_ACCOUNT, motoAccount, runStoppedTask } from '../helpers/aws-scenario.js';
import { runCli } from '../helpers/cli.js';
import { createRepository, pullingRole, pushImage } from '../helpers/identity-scenario.js';
import { useMotoEndpoint } from '../helpers/moto-engine.js';
import { natPath } from '../helpers/network-scenario.js';

const motoUrl = inject('motoUrl');
const cliPath = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli.js');
type Account = Awaited<ReturnType<typeof motoAccount>>;

function env(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: '/tmp',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: motoUrl!,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'eu-west-1',
    TZ: 'UTC',
  };
}

/** Runs the CLI, calling `onOutput` with everything printed so far each time stdout grows. */
function watchCli(
  args: string[],
  onOutput: (stdout: string) => void,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      env: env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += String(d);
      onOutput(stdout);
    });
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe.skipIf(!motoUrl)(`why --watch${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`, () => {
  let a: Account;
  let role: string;
  const suffix = String(Date.now()).slice(-7);
  let n = 0;

  beforeAll(async () => {
    useMotoEndpoint(motoUrl!);
    a = await motoAccount(motoUrl!, MOTO_DEFAULT_ACCOUNT);
    role = await pullingRole(a, `watchExecutionRole${suffix}`);
  });

  /** A task whose only problem is a tag that is not in its repository. */
  async function missingTag() {
    n++;
    const repo = `watch-${suffix}-${n}`;
    await createRepository(a, repo);
    await pushImage(a, repo, '0.9.0');
    const net = await natPath(a);
    const image = `${a.account}.dkr.ecr.${a.region}.amazonaws.com/${repo}:1.0.0`;
    const task = await runStoppedTask(a, net, {
      cluster: `watch-${suffix}-${n}`,
      image,
      executionRoleArn: role,
      stoppedReason: `CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref ${image}: ${image}: not found`,
    });
    return { repo, task };
  }

  it('watches the failing check and ends, exit 0, once the tag is pushed', async () => {
    const { repo, task } = await missingTag();
    let pushed: Promise<unknown> | undefined;
    const r = await watchCli(
      ['why', task.taskArn, '--watch', '--watch-interval', '1s', '--watch-for', '60s'],
      (out) => {
        // Fixed by someone while it watches: after the first re-check that still failed.
        if (!pushed && /still failing: “Image exists”/.test(out)) pushed = pushImage(a, repo, '1.0.0');
      },
    );
    await pushed;
    if (process.env.SHOW_WATCH) console.log(r.stdout);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Image exists');
    expect(r.stdout).toMatch(
      /Watching 1 failing check every 1 s until \d{1,2}:\d{2}:\d{2}.* \(Ctrl-C to stop\): “Image exists”\./,
    );
    expect(r.stdout).toMatch(/\d{1,2}:\d{2}:\d{2}.* still failing: “Image exists” \(\d+ AWS calls\)\./);
    expect(r.stdout).toMatch(/\d{1,2}:\d{2}:\d{2}.* fixed: “Image exists” passes now\./);
    expect(r.stdout).toContain('ECS does not start a stopped task again');
    // A re-check reads the task's context and the image's facts, not the network's.
    const calls = [...r.stdout.matchAll(/still failing: .*\((\d+) AWS calls\)/g)].map((m) => Number(m[1]));
    expect(Math.max(...calls)).toBeLessThanOrEqual(12);
  }, 90_000);

  it('in Italian, and with --json one object per line; out of time it exits 4', async () => {
    const { task } = await missingTag();
    const it_ = await runCli(
      ['why', task.taskArn, '--watch', '--watch-interval', '1s', '--watch-for', '5s', '--lang', 'it'],
      env(),
    );
    expect(it_.code).toBe(4);
    expect(it_.stdout).toMatch(/Tengo d'occhio 1 controllo non superato ogni 1 s fino alle /);
    expect(it_.stdout).toMatch(/ancora non superato: “Esistenza dell'immagine”/);
    expect(it_.stdout).toMatch(
      /Ho smesso di controllare alle .*: “Esistenza dell'immagine” non è ancora superato\./,
    );

    const json = await runCli(
      ['why', task.taskArn, '--watch', '--json', '--watch-interval', '1s', '--watch-for', '5s'],
      env(),
    );
    expect(json.code).toBe(4);
    const lines = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ kind: 'ecs-pull-report', schema: 1 });
    const ticks = lines.filter((l) => l.kind === 'ecs-pull-watch-tick');
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(ticks[0]).toMatchObject({
      fixed: false,
      failing: ['image.exists'],
      checks: [{ id: 'image.exists', status: 'fail' }],
    });
    expect(lines.at(-1)).toMatchObject({ kind: 'ecs-pull-watch-end', result: 'timeout' });
  }, 90_000);

  it('refuses a watch time it cannot keep, in words', async () => {
    const r = await runCli(
      [
        'why',
        `arn:aws:ecs:eu-west-1:${MOTO_DEFAULT_ACCOUNT}:task/c/0123456789abcdef0123456789abcdef`,
        '--watch',
        '--watch-for',
        '9h',
      ],
      env(),
    );
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('ecs-pull: --watch-for takes a time from 5s to 240m (90s, 5m), not “9h”.');
  });
});
