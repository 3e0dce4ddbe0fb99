/** Shared setup for unit tests: no network, static credentials, SDK retries off. */
import nock from 'nock';
import { afterEach, beforeAll, beforeEach } from 'vitest';
import { ClientPool } from '../../src/aws/clients.js';
import type { TaskTarget } from '../../src/aws/target.js';
import { type Config, defaultConfig } from '../../src/config.js';

export const STATIC_CREDENTIALS = {
  accessKeyId: 'AKIAUNITTEST00000000',
  secretAccessKey: 'unit-test-secret-key',
};

/** Blocks real network traffic for the file and checks that every interceptor was used. */
export function useNock(): void {
  beforeAll(() => {
    nock.disableNetConnect();
  });
  beforeEach(() => {
    nock.cleanAll();
  });
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    if (pending.length) throw new Error(`unused AWS interceptors: ${pending.join(', ')}`);
  });
}

/** A config for unit tests: one role-assumed account, one own account, retries off. */
export function unitConfig(overrides: Parameters<typeof defaultConfig>[0] = {}): Config {
  return defaultConfig({
    accounts: {
      '210987654321': {
        roleArn: 'arn:aws:iam::210987654321:role/ecs-pull-diagnostics',
        externalId: 'ext-unit-42',
      },
      '123456789012': { defaultCredentials: true },
    },
    aws: { maxAttempts: 1, callTimeoutMs: 2000, deadlineMs: 5000, sessionDurationSeconds: 3600 },
    ...overrides,
  });
}

/** A client pool with static base credentials. */
export function unitPool(config = unitConfig()): ClientPool {
  return new ClientPool(config, { baseCredentials: async () => STATIC_CREDENTIALS });
}

export const CHECKOUT_TARGET: TaskTarget = {
  partition: 'aws',
  region: 'eu-south-1',
  account: '210987654321',
  cluster: 'payments',
  taskId: '3f9d2b1c8e7a4d6f9b0c1a2e3d4f5a6b',
  taskArn: 'arn:aws:ecs:eu-south-1:210987654321:task/payments/3f9d2b1c8e7a4d6f9b0c1a2e3d4f5a6b',
};
