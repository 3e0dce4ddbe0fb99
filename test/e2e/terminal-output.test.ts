/**
 * Issue 14, points 6, 8 and 10, through the built CLI (dist/src/cli.js in a child process, as a user runs it):
 * colour only where it belongs (FORCE_COLOR, NO_COLOR, a pipe, --json), every line of every demo scenario
 * within the width unless it holds a token that cannot be broken, each point said once, evidence labels a
 * person understands, `classify` in aligned columns with each cause's own words and no summary that
 * contradicts the message, the small ones (replay of a missing file, `demo kms --list`). `demo` and `classify`
 * need no AWS; `why` runs against moto when it is there.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_SCENARIO, findScenariosDir, scenarioNames } from '../../src/cli/demo.js';
import {
  createExecutionRole,
  createNetwork,
  MOTO_DEFAULT_ACCOUNT,
  motoAccount,
  runStoppedTask,
} from '../helpers/aws-scenario.js';
import { motoEnv, runCli, writeConfig } from '../helpers/cli.js';

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[\\d+(?:;\\d+)*m`);
const names = scenarioNames(findScenariosDir()!);

/**
 * Lines longer than `width` that do not hold a URL or a word too long for any line at their indentation (the
 * leading spaces and a bullet's mark, which continuation lines hang under).
 */
function overWidth(text: string, width: number): string[] {
  return text.split('\n').filter((line) => {
    if ([...line].length <= width) return false;
    // A fix command is never wrapped: it is pasted into a shell whole.
    if (/^ *(?:aws|docker) |^ *[A-Z][A-Z0-9_]*=\$\((?:aws|docker) /.test(line)) return false;
    const indent = /^ *(?:[·✗!?✓-] )?/.exec(line)![0].length;
    const words = line.slice(indent).split(' ');
    return !words.some((w) => /^"?https?:\/\//.test(w) || indent + [...w].length > width);
  });
}

/** The lines of one titled section (up to the next title at the left margin). */
function section(text: string, title: string): string {
  const lines = text.split('\n');
  const from = lines.indexOf(title);
  if (from < 0) return '';
  const to = lines.findIndex((l, i) => i > from && /^\S/.test(l));
  return lines.slice(from, to < 0 ? undefined : to).join('\n');
}

const count = (text: string, s: string) => text.split(s).length - 1;

describe('ecs-pull demo: colour', () => {
  it('FORCE_COLOR=1 colours it, even into a pipe; NO_COLOR=1 and a plain pipe do not; --json never does', async () => {
    const forced = await runCli(['demo', 'vpc-endpoint'], { FORCE_COLOR: '1' });
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(ANSI);
    const none = await runCli(['demo', 'vpc-endpoint'], { NO_COLOR: '1' });
    expect(none.stdout).not.toMatch(ANSI);
    const piped = await runCli(['demo', 'vpc-endpoint']);
    expect(piped.stdout).not.toMatch(ANSI);
    // Colour changes nothing but the escape codes.
    expect(forced.stdout.replace(new RegExp(ANSI.source, 'g'), '')).toBe(piped.stdout);
    const json = await runCli(['demo', 'vpc-endpoint', '--json'], { FORCE_COLOR: '1' });
    expect(json.stdout).not.toMatch(ANSI);
    expect(JSON.parse(json.stdout).kind).toBe('ecs-pull-report');
    const classify = await runCli(['classify', 'dial tcp 3.5.1.1:443: i/o timeout', '--json'], {
      FORCE_COLOR: '1',
    });
    expect(classify.stdout).not.toMatch(ANSI);
  });
});

describe('ecs-pull demo: every line of every scenario within the width', () => {
  it.each(names)('%s, en and it, COLUMNS=100 and COLUMNS=72', async (name) => {
    for (const [lang, env, width] of [
      ['en', { COLUMNS: '100' }, 100],
      ['it', { COLUMNS: '100' }, 100],
      ['en', { COLUMNS: '72' }, 72],
    ] as const) {
      const r = await runCli(['demo', name, '--lang', lang], env);
      expect(r.code).toBe(0);
      expect(overWidth(r.stdout, width), `${name} ${lang} ${width}`).toEqual([]);
      // Console links stay whole and copyable, each on the line of its label.
      for (const line of r.stdout.split('\n').filter((l) => l.includes('https://'))) {
        expect(line).toMatch(/https:\/\/[^\s]+/);
      }
    }
  });

  it('into a pipe without COLUMNS nothing is wrapped: each fact on one line, for grep and scripts', async () => {
    const { stdout } = await runCli(['demo', 'network-no-route']);
    expect(stdout).toMatch(
      /^ {2}Fix: Give route table rtb-\S+ a 0\.0\.0\.0\/0 route .* or create the ECR and S3 VPC endpoints\.$/m,
    );
    expect(stdout).toMatch(/^ {2}Stopped reason: CannotPullContainerError: .* i\/o timeout$/m);
  });

  it('the list of scenarios, and classify, wrap too', async () => {
    const list = await runCli(['demo', '--list', '--lang', 'it'], { COLUMNS: '60' });
    expect(overWidth(list.stdout, 60)).toEqual([]);
    // Names in a column: each description starts at the same column.
    const starts = list.stdout
      .split('\n')
      .filter((l) => /^ {2}\S/.test(l))
      .map((l) => l.search(/\S {2,}\S/) + l.slice(l.search(/\S {2,}\S/)).search(/ \S/) + 1);
    expect(new Set(starts).size).toBe(1);
    const c = await runCli(
      ['classify', 'CannotPullContainerError: pull access denied for billing, repository does not exist'],
      { COLUMNS: '50' },
    );
    expect(overWidth(c.stdout, 50)).toEqual([]);
  });
});

describe('ecs-pull demo: each point said once, in words a person understands', () => {
  it('network-no-route: the missing endpoints come once, with the cause they make, not again as "other checks"', async () => {
    const { stdout } = await runCli(['demo', 'network-no-route']);
    const also = section(stdout, 'Also check');
    const others = section(stdout, 'Other checks');
    expect(count(stdout, '(endpoints.required)')).toBe(1);
    // 5%: the route deleted 42 minutes before (CloudTrail) backs the answer, which rose to 95%.
    expect(also).toMatch(/5% VPC endpoints, from the checks:\n {6}✗ \[FAIL\] Required VPC endpoints/);
    expect(others).not.toContain('[FAIL]');
    // The check's message names them, its fix says to create them; no "Missing:" line per endpoint, no
    // runner-up sentence listing them again, no hint asking to check what the check checked.
    expect(count(stdout, 'com.amazonaws.eu-south-1.ecr.dkr (Interface)')).toBe(2);
    expect(stdout).not.toMatch(/Missing: com\.amazonaws/);
    expect(stdout).not.toContain('the endpoints must cover everything the task calls');
  });

  it('image-reference: the rate-limit warning once, and no "limit was used up" that nothing said', async () => {
    const { stdout } = await runCli(['demo', 'image-reference']);
    expect(count(stdout, '(image.rate-limit)')).toBe(1);
    expect(section(stdout, 'Also check')).toContain('(image.rate-limit)');
    expect(stdout).not.toContain('rate limit was used up');
  });

  it('not-a-pull-failure: that no check ran is said once', async () => {
    const { stdout } = await runCli(['demo', 'not-a-pull-failure']);
    expect(stdout).toMatch(/the network and image checks were not\s+run/);
    expect(stdout).not.toContain('No checks ran');
    expect(stdout).not.toContain('ran none of its network and image checks');
  });

  it('evidence labels say what the stop message names or says', async () => {
    const route = await runCli(['demo', 'network-no-route']);
    const why = section(route.stdout, 'Why');
    expect(why).toContain('· The stop message says “i/o timeout”');
    expect(why).toContain(
      '· The stop message names the ECR registry host 123456789012.dkr.ecr.eu-south-1.amazonaws.com',
    );
    expect(why).not.toMatch(/Stop message: “/);
    const layers = await runCli(['demo', 'vpc-endpoint', '--lang', 'it']);
    expect(section(layers.stdout, 'Perché')).toMatch(
      /Il messaggio di arresto cita prod-eu-south-1-starport-layer-bucket\.s3\.eu-south-1\.amazonaws\.com,\s+il bucket S3 da cui ECR serve i layer delle immagini/,
    );
    const creds = await runCli(['demo', 'registry-auth']);
    expect(section(creds.stdout, 'Why')).toMatch(
      /The stop message says ECS was reading the registry credentials from Secrets Manager\s+\(“get\s+registry\s+auth”\)/,
    );
  });

  it('the JSON report carries the same clues, schema 1', async () => {
    const { stdout } = await runCli(['demo', DEFAULT_SCENARIO, '--json']);
    const report = JSON.parse(stdout);
    expect(report.schema).toBe(1);
    expect(report.causes[0].fragments).toEqual([
      'i/o timeout',
      '123456789012.dkr.ecr.eu-south-1.amazonaws.com',
    ]);
    expect(report.causes[0].clues).toEqual([
      { text: 'i/o timeout', kind: 'said' },
      { text: '123456789012.dkr.ecr.eu-south-1.amazonaws.com', kind: 'host', what: 'ecr' },
    ]);
  });
});

describe('ecs-pull classify', () => {
  const ECR_AUTH_TIMEOUT =
    'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): RequestError: send request failed caused by: Post "https://api.ecr.eu-south-1.amazonaws.com/": dial tcp 10.0.1.5:443: i/o timeout';

  it('aligns its columns: percentages right-aligned, names in one column, what follows under the name', async () => {
    const { stdout, code } = await runCli(['classify', ECR_AUTH_TIMEOUT]);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    const heads = lines.filter((l) => /^ +\d+% {2}\S/.test(l));
    expect(heads.length).toBeGreaterThan(3);
    expect(heads.some((l) => /^ {3}\d% /.test(l))).toBe(true);
    // Every percent ends, and every name starts, at the same column.
    expect(new Set(heads.map((l) => l.indexOf('%'))).size).toBe(1);
    const nameAt = heads[0]!.search(/% {2}\S/) + 3;
    expect(new Set(heads.map((l) => l.search(/% {2}\S/) + 3)).size).toBe(1);
    for (const l of lines.filter((x) => x.trim() && !heads.includes(x) && /^ /.test(x))) {
      expect(l.length - l.trimStart().length).toBe(nameAt);
    }
  });

  it('shows for each cause only the words that point at it', async () => {
    const { stdout } = await runCli(['classify', ECR_AUTH_TIMEOUT]);
    const block = (name: string) => {
      const from = stdout.indexOf(name);
      const next = stdout.slice(from + name.length).search(/\n +\d+% /);
      return stdout.slice(from, next < 0 ? undefined : from + name.length + next);
    };
    expect(block('task execution role')).toContain('“retrieve ecr”');
    expect(block('task execution role')).not.toContain('i/o timeout');
    expect(block('VPC endpoints')).toContain('“i/o timeout”');
  });

  it('never a summary the message contradicts', async () => {
    const ecr = await runCli([
      'classify',
      'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.eu-south-1.amazonaws.com/shop/checkout:2.14.0: 123456789012.dkr.ecr.eu-south-1.amazonaws.com/shop/checkout:2.14.0: not found',
    ]);
    expect(ecr.stdout).toContain('wrong image reference');
    expect(ecr.stdout).not.toContain('a name without a registry');
    const secret = await runCli([
      'classify',
      "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to get registry auth from asm: service call has been retried 1 time(s): ResourceNotFoundException: Secrets Manager can't find the specified secret.",
    ]);
    expect(secret.stdout).toMatch(/could not read its registry credentials/);
    expect(secret.stdout).not.toMatch(/registry refused/);
  });
});

describe('the small ones', () => {
  it('replay of a missing file says so in words, in both languages', async () => {
    const en = await runCli(['replay', '/no/such/facts.json']);
    expect(en.code).toBe(2);
    expect(en.stderr.trim()).toBe(
      'ecs-pull: There is no file /no/such/facts.json: give the path of a facts file written with `ecs-pull why … --save-facts FILE`.',
    );
    const it_ = await runCli(['replay', '/no/such/facts.json', '--lang', 'it']);
    expect(it_.stderr).toMatch(/^ecs-pull: Il file \/no\/such\/facts\.json non esiste/);
    for (const r of [en, it_]) expect(r.stderr).not.toMatch(/ENOENT/);
  });

  it('demo kms --list refuses the extra argument', async () => {
    const r = await runCli(['demo', 'kms', '--list']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe('ecs-pull: Give either a scenario name (kms) or --list, not both.');
  });
});

const motoUrl = inject('motoUrl');

describe.skipIf(!motoUrl)(
  `ecs-pull why on moto: the same terminal output${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`,
  () => {
    let taskArn: string;
    let env: Record<string, string>;

    beforeAll(async () => {
      const a = await motoAccount(motoUrl!, MOTO_DEFAULT_ACCOUNT);
      const net = await createNetwork(a);
      // moto is shared by every end-to-end file: a role name of this file's own.
      const role = await createExecutionRole(a, 'terminal-output-execution');
      ({ taskArn } = await runStoppedTask(a, net, { executionRoleArn: role, cluster: 'terminal' }));
      env = motoEnv(
        motoUrl!,
        writeConfig(['accounts:', `  "${MOTO_DEFAULT_ACCOUNT}":`, '    defaultCredentials: true'].join('\n')),
      );
    });

    it('coloured with FORCE_COLOR, wrapped to COLUMNS, plain with NO_COLOR; --json never coloured', async () => {
      const forced = await runCli(['why', taskArn], { ...env, FORCE_COLOR: '1', COLUMNS: '80' });
      expect(forced.code).toBe(0);
      expect(forced.stdout).toMatch(ANSI);
      const plain = forced.stdout.replace(new RegExp(ANSI.source, 'g'), '');
      expect(overWidth(plain, 80)).toEqual([]);
      expect(plain).toMatch(/^Why$/m);
      expect(plain).toContain('· The stop message says “i/o timeout”');
      const none = await runCli(['why', taskArn], { ...env, NO_COLOR: '1', COLUMNS: '100' });
      expect(none.stdout).not.toMatch(ANSI);
      expect(overWidth(none.stdout, 100)).toEqual([]);
      const json = await runCli(['why', taskArn, '--json'], { ...env, FORCE_COLOR: '1' });
      expect(json.stdout).not.toMatch(ANSI);
      expect(JSON.parse(json.stdout).causes[0].clues.length).toBeGreaterThan(0);
    });
  },
);
