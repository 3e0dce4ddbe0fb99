#!/usr/bin/env node
/** The ecs-pull command line: `why`, `replay` (and more registered from src/cli/). */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { registerCheck } from './cli/check.js';
import { registerClassify } from './cli/classify.js';
import { registerDemo } from './cli/demo.js';
import { registerDoctor } from './cli/doctor.js';
import { type Io, processIo } from './cli/io.js';
import { registerService } from './cli/service.js';
import { registerWhy } from './cli/why.js';
import { isUserError } from './errors.js';
import { toLanguage, translator } from './i18n.js';
import { correlationId, createLogger } from './log.js';

/** The language to report errors in: --lang if given and valid, else English. */
function errorLanguage(argv: string[]) {
  const i = argv.findIndex((a) => a === '--lang' || a.startsWith('--lang='));
  const raw = i < 0 ? undefined : argv[i]!.includes('=') ? argv[i]!.split('=')[1] : argv[i + 1];
  return toLanguage(raw) ?? 'en';
}

/** Builds the program; exported for tests. `setExit` lets a command end with a non-zero code without an error. */
export function buildProgram(io: Io, setExit: (code: number) => void = () => {}): Command {
  const program = new Command('ecs-pull')
    .description('Explains why an Amazon ECS task on Fargate failed with CannotPullContainerError')
    .option('--lang <lang>', 'language of the output: en or it')
    .option('--config <file>', 'YAML configuration file (default: $ECS_PULL_CONFIG)')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      outputError: () => {},
    });
  registerWhy(program, io, setExit);
  registerService(program, io, setExit);
  registerCheck(program, io, setExit);
  registerClassify(program, io);
  registerDemo(program, io);
  registerDoctor(program, io, setExit);
  return program;
}

/** Runs the CLI and returns the exit code; never throws. */
export async function run(argv: string[], io: Io = processIo): Promise<number> {
  const lang = errorLanguage(argv);
  const t = translator(lang);
  try {
    let exitCode = 0;
    const program = buildProgram(io, (code) => {
      exitCode = code;
    });
    if (argv.length === 0) {
      program.outputHelp();
      return 2;
    }
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      ) {
        return 0;
      }
      io.err(
        `${t('errors.prefix', { message: t('errors.usage', { message: err.message.replace(/^error: /, '') }) })}\n`,
      );
      return 2;
    }
    if (isUserError(err)) {
      io.err(`${t('errors.prefix', { message: t(err.key, err.params) })}\n`);
      return err.exitCode;
    }
    const id = correlationId();
    createLogger('error').error({ err, correlationId: id }, 'internal error');
    io.err(`${t('errors.prefix', { message: t('errors.internal', { id }) })}\n`);
    return 1;
  }
}

const invokedDirectly = (() => {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();

if (invokedDirectly) {
  run(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
