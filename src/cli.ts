#!/usr/bin/env node
/**
 * The ecs-pull command line (`why`, `replay`, `service`, `check`, `classify`, `demo`, `doctor`): src/cli/main.ts
 * runs it. This file only turns on Node's compile cache first (module.enableCompileCache, in the OS's temporary
 * directory, or NODE_COMPILE_CACHE's): a second run reuses the compiled code of every module the first one loaded instead of
 * compiling it again, which is most of what the AWS SDK costs to start. Where the cache cannot be written nothing
 * changes.
 */
import { realpathSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Io } from './cli/io.js';

/** Runs the CLI and returns the exit code; never throws. */
export async function run(argv: string[], io?: Io): Promise<number> {
  const main = await import('./cli/main.js');
  return main.run(argv, io);
}

const invokedDirectly = (() => {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();

if (invokedDirectly) {
  module.enableCompileCache?.();
  // A reader that stops early (`ecs-pull … | head`) closes the pipe: stop quietly, as other command-line tools do,
  // never with a stack trace.
  for (const stream of [process.stdout, process.stderr])
    stream.on('error', (err: NodeJS.ErrnoException) => {
      process.exit(err.code === 'EPIPE' ? (process.exitCode ?? 0) : 1);
    });
  run(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
