/**
 * Help and errors of the terminal tool (issue 14, point 7), through the built CLI: `--version`; every command's help
 * with the global options, examples and exit codes; help and the argument parser's own errors in Italian with
 * `--lang it` or ECS_PULL_LANG, each error one line that points to that command's help; configuration typos with the
 * key meant; a bad environment value named by its variable; a YAML error with its line and a caret; a configuration
 * problem that does not stop `demo` or `classify`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, writeConfig } from '../helpers/cli.js';

const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as {
  version: string;
};
const ARN = 'arn:aws:ecs:eu-west-1:210987654321:task/payments/0123456789abcdef0123456789abcdef';
const COMMANDS = ['why', 'replay', 'service', 'check', 'classify', 'demo', 'doctor'] as const;

/** The one line a refusal prints, without its prefix. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^ecs-pull: /);
  return lines[0]!.slice('ecs-pull: '.length);
}

describe('--version', () => {
  it('prints the package version', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await runCli([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${pkg.version}\n`);
      expect(r.stderr).toBe('');
    }
  });
});

describe('help', () => {
  it.each(COMMANDS)(
    '%s --help: its options, the global options, examples and the exit codes',
    async (cmd) => {
      const r = await runCli([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      const out = r.stdout;
      expect(out).toMatch(new RegExp(`^Usage: ecs-pull ${cmd} `));
      expect(out).toContain('Global options:');
      expect(out).toMatch(/^ {2}--lang <lang> /m);
      expect(out).toMatch(/^ {2}--config <file> /m);
      const examples = out.split('Examples:\n')[1]?.split('\n\n')[0] ?? '';
      const commands = examples.split('\n').filter((l) => l.trim().startsWith(`ecs-pull ${cmd}`));
      expect(commands.length, out).toBeGreaterThanOrEqual(2);
      expect(commands.length).toBeLessThanOrEqual(3);
      const codes = out.split('Exit codes:\n')[1] ?? '';
      expect(codes).toMatch(/^ {2}0 /m);
      expect(codes).toMatch(/^ {2}2 /m);
      expect(codes).toMatch(/^ {2}1 /m);
    },
  );

  it('why --help names exit code 3, doctor --help the meaning of 1', async () => {
    expect((await runCli(['why', '--help'])).stdout.split('Exit codes:\n')[1]).toMatch(/^ {2}3 /m);
    expect((await runCli(['doctor', '--help'])).stdout.split('Exit codes:\n')[1]).toMatch(/^ {2}1 .*fail/m);
  });

  it('why --help shows --watch and its exit code 4, check --help its 4, demo --help --check', async () => {
    const why = (await runCli(['why', '--help'])).stdout;
    expect(why).toMatch(/^ {2}--watch {2,}/m);
    expect(why).toMatch(/^ {2}--watch-interval <time> /m);
    expect(why).toMatch(/^ {2}--watch-for <time> /m);
    expect(why.split('Exit codes:\n')[1]).toMatch(/^ {2}4 .*--watch/m);
    expect((await runCli(['check', '--help'])).stdout.split('Exit codes:\n')[1]).toMatch(/^ {2}4 .*failed/m);
    const service = (await runCli(['service', '--help'])).stdout;
    expect(service.split('Exit codes:\n')[1]).toMatch(/^ {2}3 .*service/m);
    expect(service.split('Exit codes:\n')[1]).toMatch(/^ {2}4 .*service --watch/m);
    expect(service).toMatch(/^ {2}--watch-interval <time> /m);
    const demo = (await runCli(['demo', '--help'])).stdout;
    expect(demo).toMatch(/^ {2}--check {2,}/m);
    expect(demo).toContain('image-not-found');
  });

  it.each([
    ['service', 'Diagnostica un servizio ECS', 'Diagnose an ECS service'],
    ['check', 'Verifica preliminare', 'Pre-flight'],
  ])('%s --help in Italian, options included', async (cmd, italian, english) => {
    const r = await runCli([cmd, '--help', '--lang', 'it']);
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(new RegExp(`^Uso: ecs-pull ${cmd} `));
    for (const heading of ['Opzioni:', 'Opzioni globali:', 'Esempi:', 'Codici di uscita:'])
      expect(out).toContain(heading);
    expect(out).toContain(italian);
    expect(out).toContain('profilo AWS da cui prendere le tue credenziali');
    for (const en of [english, 'Options:', 'Exit codes:', 'AWS profile to take', 'print the JSON'])
      expect(out).not.toContain(en);
  });

  it('the top-level help lists the commands, examples and exit codes', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^ {2}${cmd}\\b`, 'm'));
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('Exit codes:');
    expect(r.stdout).toMatch(/^ {2}-V, --version /m);
  });

  it.each([
    ['--lang it', ['why', '--help', '--lang', 'it'], {}],
    ['--lang=it before the command', ['--lang=it', 'why', '--help'], {}],
    ['ECS_PULL_LANG=it', ['why', '--help'], { ECS_PULL_LANG: 'it' }],
  ])('in Italian with %s', async (_name, args, env) => {
    const r = await runCli(args, env);
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^Uso: ecs-pull why /);
    for (const heading of ['Argomenti:', 'Opzioni:', 'Opzioni globali:', 'Esempi:', 'Codici di uscita:'])
      expect(out).toContain(heading);
    expect(out).toContain('Spiega perché');
    expect(out).toContain('mostra questo aiuto');
    for (const english of ['Usage:', 'Options:', 'display help', 'Examples:', 'Exit codes:', 'Diagnose why'])
      expect(out).not.toContain(english);
  });

  it('the top-level help in Italian', async () => {
    const r = await runCli(['--help', '--lang', 'it']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Comandi:');
    expect(r.stdout).toContain('stampa il numero di versione');
    expect(r.stdout).not.toMatch(/Commands:|output the version|display help/);
  });
});

describe("the argument parser's errors: one localized line pointing to the command's help", () => {
  it.each([
    [['why'], {}, /<task>.*`ecs-pull why --help`/],
    [['why', '--lang', 'it'], {}, /^Manca l'argomento obbligatorio <task>\. Esegui `ecs-pull why --help`/],
    [['why'], { ECS_PULL_LANG: 'it' }, /^Manca l'argomento obbligatorio <task>/],
    [['why', ARN, '--frobnicate'], {}, /--frobnicate.*`ecs-pull why --help`/],
    [
      ['why', ARN, '--frobnicate', '--lang', 'it'],
      {},
      /^Opzione sconosciuta --frobnicate\. Esegui `ecs-pull why --help`/,
    ],
    [['why', ARN, '--clustr', 'payments'], {}, /--clustr.*--cluster\?.*`ecs-pull why --help`/],
    [['why', ARN, '--cluster'], { ECS_PULL_LANG: 'it' }, /^L'opzione --cluster <name> vuole un valore/],
    [
      ['classify', 'a', 'b', '--lang', 'it'],
      {},
      /^Troppi argomenti per classify.*`ecs-pull classify --help`/,
    ],
    [['whatever'], {}, /whatever.*`ecs-pull --help`/],
    [['wyh', ARN, '--lang', 'it'], {}, /^Comando sconosciuto wyh: forse why\? Esegui `ecs-pull --help`/],
    [
      ['service', '--lang', 'it'],
      {},
      /^Manca l'argomento obbligatorio <service>\. Esegui `ecs-pull service --help`/,
    ],
    [['check', '--servce', 'shop/checkout'], {}, /--servce.*--service\?.*`ecs-pull check --help`/],
    [
      ['check', '--service'],
      { ECS_PULL_LANG: 'it' },
      /^L'opzione --service <service> vuole un valore.*`ecs-pull check --help`/,
    ],
    [
      ['why', ARN, '--watch-interval'],
      { ECS_PULL_LANG: 'it' },
      /^L'opzione --watch-interval <time> vuole un valore/,
    ],
  ])('%j %j', async (args, env, pattern) => {
    const r = await runCli(args, env);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const line = oneLine(r.stderr);
    expect(line).toMatch(pattern);
    if (args.includes('it') || Object.keys(env).length) {
      expect(line).not.toMatch(/missing required|unknown option|unknown command|too many|argument missing/);
      expect(line).not.toMatch(/Did you mean/);
    }
  });
});

describe('configuration problems', () => {
  it('a key that does not exist suggests the key meant', async () => {
    const file = writeConfig('defaultLanguge: it\n');
    const r = await runCli(['why', ARN, '--config', file]);
    expect(r.code).toBe(2);
    const line = oneLine(r.stderr);
    expect(line).toContain('defaultLanguge');
    expect(line).toContain('defaultLanguage?');
    const nested = await runCli([
      'why',
      ARN,
      '--config',
      writeConfig('aws:\n  deadlineMS: 5000\n'),
      '--lang',
      'it',
    ]);
    expect(oneLine(nested.stderr)).toMatch(/aws\.deadlineMS.*aws\.deadlineMs\?/);
    expect(nested.stderr).toContain('forse');
  });

  it('a bad environment value names the variable, not the key', async () => {
    const r = await runCli(['why', ARN], { ECS_PULL_DEADLINE_MS: 'soon' });
    expect(r.code).toBe(2);
    const line = oneLine(r.stderr);
    expect(line).toContain('ECS_PULL_DEADLINE_MS');
    expect(line).toContain('soon');
    expect(line).not.toContain('aws.deadlineMs');
    const lang = await runCli(['why', ARN], { ECS_PULL_LANG: 'de' });
    expect(oneLine(lang.stderr)).toMatch(/ECS_PULL_LANG.*\bde\b/);
  });

  it('a YAML error shows the offending line with a caret under the column', async () => {
    const file = writeConfig(
      'defaultLanguage: it\naccounts:\n  "210987654321": { roleArn: x\nlog:\n  level: info\n',
    );
    const r = await runCli(['why', ARN, '--config', file]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^ecs-pull: .*${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*line \\d+`),
    );
    // The line the parser stopped at (with the one before it, where an unclosed bracket usually is), then a caret.
    const caret = lines.findIndex((l) => /^\s*\^$/.test(l));
    expect(caret, r.stderr).toBeGreaterThan(1);
    const fileLines = readFileSync(file, 'utf8').split('\n');
    expect(fileLines).toContain(lines[caret - 1]!.slice(2));
    expect(lines.slice(1, caret).some((l) => l.includes('{ roleArn: x'))).toBe(true);
  });

  it('does not stop demo or classify: one notice, then the output', async () => {
    const bad = writeConfig('defaultLanguge: it\n');
    const demo = await runCli(['demo', '--config', bad]);
    expect(demo.code).toBe(0);
    expect(demo.stdout).toContain('network-no-route');
    expect(oneLine(demo.stderr)).toContain('defaultLanguge');
    const env = await runCli(['demo', '--lang', 'it'], { ECS_PULL_DEADLINE_MS: 'soon' });
    expect(env.code).toBe(0);
    expect(env.stdout).toContain('Demo offline');
    expect(oneLine(env.stderr)).toContain('ECS_PULL_DEADLINE_MS');
    const classify = await runCli(['classify', 'CannotPullContainerError: i/o timeout'], {
      ECS_PULL_CONFIG: '/nonexistent/config.yml',
    });
    expect(classify.code).toBe(0);
    expect(classify.stdout).not.toBe('');
  });
});

describe('a reader that stops early (| head)', () => {
  it('closes the pipe: the CLI stops quietly, exit 0, no stack trace', async () => {
    const cliPath = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli.js');
    const { spawn } = await import('node:child_process');
    for (const args of [['--help'], ['demo'], ['demo', '--json']]) {
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [cliPath, ...args], {
          env: { PATH: process.env.PATH ?? '', HOME: '/tmp' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        // The reader goes away before the first byte, as `| head -0` does.
        child.stdout.destroy();
        let stderr = '';
        child.stderr.on('data', (d) => {
          stderr += String(d);
        });
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stderr }));
      });
      expect(r.stderr, args.join(' ')).toBe('');
      expect(r.code, args.join(' ')).toBe(0);
    }
  });
});
