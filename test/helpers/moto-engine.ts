/**
 * Runs the engine in-process against moto (faster than spawning the CLI for every scenario). The SDK finds
 * moto through AWS_ENDPOINT_URL, exactly as the CLI does: nothing in src/ knows about moto.
 */
import { ClientPool } from '../../src/aws/clients.js';
import { parseTaskTarget } from '../../src/aws/target.js';
import { type Config, defaultConfig } from '../../src/config.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import type { Report, SavedFacts } from '../../src/diagnosis/report.js';
import { BASE_CREDENTIALS, MOTO_DEFAULT_ACCOUNT } from './aws-scenario.js';

/** A config where every account is reached through moto's AssumeRole (the default account directly). */
export function motoConfig(overrides: Parameters<typeof defaultConfig>[0] = {}): Config {
  return defaultConfig({
    roleNameTemplate: 'ecs-pull-diagnostics',
    accounts: { [MOTO_DEFAULT_ACCOUNT]: { defaultCredentials: true } },
    aws: { maxAttempts: 2, callTimeoutMs: 5000, deadlineMs: 20_000, sessionDurationSeconds: 3600 },
    ...overrides,
  });
}

/** Points the SDK at moto for this test file (each vitest file runs in its own process). */
export function useMotoEndpoint(url: string): void {
  process.env.AWS_ENDPOINT_URL = url;
  process.env.AWS_REGION = 'eu-west-1';
}

/** Diagnoses a task ARN in moto and returns the report and the saved facts. */
export async function diagnoseInMoto(
  url: string,
  taskArn: string,
  config: Config = motoConfig(),
): Promise<{ report: Report; saved: SavedFacts }> {
  useMotoEndpoint(url);
  const pool = new ClientPool(config, { baseCredentials: async () => BASE_CREDENTIALS });
  return diagnose(
    { target: parseTaskTarget(taskArn), requester: 'e2e' },
    {
      pool,
      deadlineMs: config.aws.deadlineMs,
      settings: { probePublicRegistries: false, probeTimeoutMs: 1000, changes: config.changes },
    },
  );
}
