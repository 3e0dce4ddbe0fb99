/**
 * Starts one moto server for the end-to-end tests. Without moto, those tests skip with a message; with
 * ECS_PULL_REQUIRE_MOTO=1 (set by .ci/run) a missing moto fails the run instead.
 */
import type { TestProject } from 'vitest/node';
import { findMotoPython, type MotoServer, startMoto } from './moto-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    motoUrl: string | null;
    motoMissingReason: string;
  }
}

let server: MotoServer | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const python = findMotoPython();
  if (!python) {
    const reason = 'moto is not installed (python3 -c "import moto" failed): end-to-end tests skipped';
    if (process.env.ECS_PULL_REQUIRE_MOTO === '1') throw new Error(`ECS_PULL_REQUIRE_MOTO=1 but ${reason}`);
    project.provide('motoUrl', null);
    project.provide('motoMissingReason', reason);
    console.warn(`\n⚠ ${reason}\n`);
    return async () => {};
  }
  server = await startMoto(python);
  project.provide('motoUrl', server.url);
  project.provide('motoMissingReason', '');
  return async () => {
    await server?.stop();
  };
}
