import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Unit tests must never reach a real AWS endpoint or the moto server by accident.
    env: {
      AWS_ENDPOINT_URL: '',
      AWS_EC2_METADATA_DISABLED: 'true',
      // Dates are written in the machine's time zone next to UTC: tests read them in UTC wherever they run.
      TZ: 'UTC',
    },
  },
});
