/**
 * `ecs-pull service --watch` through the built CLI against moto: the lead group's failing check and the service are
 * looked at again every interval. The watch ends, exit 0, once the missing tag is pushed and the service runs its
 * desired count; a task that fails to start while it watches is counted once, in the look that first sees it, and
 * keeps the watch going; a watch that runs out of time exits 4.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { motoAccount } from '../helpers/aws-scenario.js';
import { pushImage } from '../helpers/identity-scenario.js';
import { useMotoEndpoint } from '../helpers/moto-engine.js';
import {
  buildServiceScenario,
  notFoundReason,
  runAndStop,
  type ServiceScenario,
} from '../helpers/service-scenario.js';

const motoUrl = inject('motoUrl');
const cliPath = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli.js');

function env(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: '/nonexistent',
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: motoUrl!,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'eu-west-1',
    TZ: 'UTC',
  };
}

/** Runs the CLI, calling `onOutput` with everything printed so far each time stdout grows. */
function run(
  args: string[],
  onOutput: (stdout: string) => void = () => {},
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

describe.skipIf(!motoUrl)(`service --watch${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`, () => {
  const ACCOUNT = '317000000051';
  const role = `arn:aws:iam::${ACCOUNT}:role/OnCall`;
  let a: Awaited<ReturnType<typeof motoAccount>>;
  let s: ServiceScenario;

  beforeAll(async () => {
    useMotoEndpoint(motoUrl!);
    a = await motoAccount(motoUrl!, ACCOUNT);
    // Tasks that could not pull 1.4.2 (never pushed) and tasks that had no route; desired count 0.
    s = await buildServiceScenario(a, {
      cluster: 'svc-watch',
      service: 'web',
      noRoute: 0,
      missingTag: 3,
    });
  });

  it('in Italian: while the tag is still missing the watch runs out of time, exit 4', async () => {
    const r = await run([
      'service',
      `${s.cluster}/${s.service}`,
      '--role-arn',
      role,
      '--lang',
      'it',
      '--watch',
      '--watch-interval',
      '2s',
      '--watch-for',
      '5s',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(4);
    expect(r.stdout).toContain("Tengo d'occhio il servizio web ogni 2 s");
    expect(r.stdout).toMatch(
      /web: 0 attività in esecuzione su 0, 0 in sospeso, 0 nuove attività non si sono avviate/,
    );
    expect(r.stdout).toMatch(/ancora non superato: “Esistenza dell'immagine”/);
    expect(r.stdout).toMatch(/Ho smesso di controllare alle .*: il servizio web esegue 0 attività su 0/);
  });

  it('watches the lead group’s failing check and the service; ends, exit 0, once the tag is pushed', async () => {
    let pushed: Promise<unknown> | undefined;
    const r = await run(
      [
        'service',
        `${s.cluster}/${s.service}`,
        '--role-arn',
        role,
        '--watch',
        '--watch-interval',
        '1s',
        '--watch-for',
        '60s',
      ],
      (out) => {
        if (!pushed && out.includes('Watching service web')) pushed = pushImage(a, 'web', '1.4.2');
      },
    );
    await pushed;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Group 1 of 1 · 3 tasks');
    expect(r.stdout).toMatch(
      /Watching service web every 1 s until .* until “Image exists” passes and the service runs its desired count with no new task failing to start\./,
    );
    expect(r.stdout).toMatch(
      /fixed: service web runs 0 of 0 tasks, none pending, and no new task failed to start\./,
    );
  });

  it('a task that fails to start while it watches is counted once and keeps the watch going (--json)', async () => {
    let stopped: Promise<string[]> | undefined;
    // The first look comes 4 s after the report; the task is run and stopped as soon as the report is printed.
    const r = await run(
      [
        'service',
        `${s.cluster}/${s.service}`,
        '--role-arn',
        role,
        '--json',
        '--watch',
        '--watch-interval',
        '4s',
        '--watch-for',
        '60s',
      ],
      (out) => {
        stopped ??= out.includes('"ecs-pull-service-report"')
          ? runAndStop(
              a,
              s.cluster,
              s.service,
              s.taskDefinitions.missingTag,
              s.natSubnet,
              s.securityGroup,
              1,
              (i) => notFoundReason(s.image.missing, i + 10),
            )
          : undefined;
      },
    );
    const [arn] = (await stopped) ?? [];
    expect(arn).toBeDefined();
    expect(r.stderr).toBe('');
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0].kind).toBe('ecs-pull-service-report');
    const ticks = lines.filter((l) => l.kind === 'ecs-pull-watch-tick');
    // The tag is there now: nothing but the service to watch, and the new failure is seen in exactly one look.
    expect(ticks.filter((t) => t.service.newFailures === 1)).toHaveLength(1);
    expect(ticks.every((t) => t.service.newFailures <= 1)).toBe(true);
    const seen = ticks.find((t) => t.service.newFailures === 1);
    expect(seen.fixed).toBe(false);
    expect(seen.service.newFailureReasons[0]).toContain('not found');
    expect(ticks.at(-1).fixed).toBe(true);
    expect(lines.at(-1)).toMatchObject({ kind: 'ecs-pull-watch-end', result: 'fixed' });
    expect(r.code).toBe(0);
  });
});
