/**
 * Runs the command line: the language first (--lang, else ECS_PULL_LANG, read before anything is parsed), then the
 * program (commander, with the help in that language), then one localized line for anything that goes wrong: the
 * argument parser's own errors (pointing to that command's help), a UserError, an internal error with the reference
 * of its log line. Loads nothing a command does not need; src/cli.ts is the executable around it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommanderError } from 'commander';
import type { TFunction } from 'i18next';
import { environmentConfigPath, environmentLanguage, type Language, toLanguage } from '../config-base.js';
import { isUserError } from '../errors.js';
import { translator } from '../i18n.js';
import type { CommandContext } from './common.js';
import { type Io, processIo } from './io.js';
import { buildProgram } from './program.js';

/** The value of a global option in argv (`--lang it`, `--lang=it`), before any `--`. */
function optionValue(argv: string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a === name) return argv[i + 1];
    if (a.startsWith(`${name}=`)) return a.slice(name.length + 1);
  }
  return undefined;
}

/** Whether argv asks for help (the language must then be known before commander writes it). */
function wantsHelp(argv: string[]): boolean {
  const end = argv.indexOf('--');
  const args = end < 0 ? argv : argv.slice(0, end);
  return args.length === 0 || args.includes('--help') || args.includes('-h') || args[0] === 'help';
}

/**
 * The configured language, read leniently from the configuration file alone (a file with a problem elsewhere still
 * says which language its owner reads): for help and errors said before a command loads the configuration.
 */
async function fileLanguage(argv: string[]): Promise<Language | undefined> {
  const path = optionValue(argv, '--config') ?? environmentConfigPath();
  if (!path) return undefined;
  try {
    const { parse } = await import('yaml');
    const parsed = parse(readFileSync(path, 'utf8')) as { defaultLanguage?: unknown } | null;
    return typeof parsed?.defaultLanguage === 'string' ? toLanguage(parsed.defaultLanguage) : undefined;
  } catch {
    return undefined;
  }
}

/** The package's version (package.json, found upwards from this module: src/cli, dist/src/cli, the bundle's). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'ecs-pull' && pkg.version) return pkg.version;
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

type ParserError = CommanderError & { commandName?: string };

/** Commander's own error in the user's words: what is wrong and which help to read. */
export function parserErrorLine(t: TFunction, err: ParserError): string {
  const command = err.commandName;
  const help = command ? `ecs-pull ${command} --help` : 'ecs-pull --help';
  const message = err.message.replace(/^error: /, '');
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
  const near = /\(Did you mean (?:one of )?(.+)\?\)/.exec(message)?.[1];
  switch (err.code) {
    case 'commander.missingArgument':
      return t('cli:error.missing-argument', { argument: quoted, help });
    case 'commander.optionMissingArgument':
      return t('cli:error.option-value', { option: quoted, help });
    case 'commander.unknownOption':
      return near
        ? t('cli:error.unknown-option-near', { option: quoted, suggestion: near, help })
        : t('cli:error.unknown-option', { option: quoted, help });
    case 'commander.unknownCommand':
      return near
        ? t('cli:error.unknown-command-near', { command: quoted, suggestion: near, help: 'ecs-pull --help' })
        : t('cli:error.unknown-command', { command: quoted, help: 'ecs-pull --help' });
    case 'commander.excessArguments': {
      const args = /but got \d+: (.*)\.$/.exec(message)?.[1] ?? '';
      return t('cli:error.too-many', { command: command ?? 'ecs-pull', arguments: args, help });
    }
    default:
      return t('cli:error.other', { message: message.split('\n')[0], help });
  }
}

/** Runs the CLI and returns the exit code; never throws. */
export async function run(argv: string[], io: Io = processIo): Promise<number> {
  let settled: Language | undefined = toLanguage(optionValue(argv, '--lang')) ?? environmentLanguage();
  if (!settled && wantsHelp(argv)) settled = await fileLanguage(argv);
  /** The language of an error: the command's, once it knows it; else the file's (read only now). */
  const errorT = async () => translator(settled ?? (await fileLanguage(argv)) ?? 'en');
  let exitCode = 0;
  const ctx: CommandContext = {
    io,
    setExit: (code) => {
      exitCode = code;
    },
    setLanguage: (lang) => {
      settled = lang;
    },
  };
  try {
    const program = buildProgram(ctx, translator(settled ?? 'en'), packageVersion());
    if (argv.length === 0) {
      program.outputHelp();
      return 2;
    }
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(err.code)) return 0;
      const t = await errorT();
      io.err(`${t('errors.prefix', { message: parserErrorLine(t, err) })}\n`);
      return 2;
    }
    const t = await errorT();
    if (isUserError(err)) {
      io.err(`${t('errors.prefix', { message: t(err.key, err.params) })}\n`);
      return err.exitCode;
    }
    const { correlationId, createLogger } = await import('../log.js');
    const id = correlationId();
    createLogger('error').error({ err, correlationId: id }, 'internal error');
    io.err(`${t('errors.prefix', { message: t('errors.internal', { id }) })}\n`);
    return 1;
  }
}
