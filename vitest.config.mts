import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // `*.record.ts` re-records the replay histories; only `npm run histories:refresh` runs them.
    include: process.env.RECORD_HISTORIES ? ['test/**/*.record.ts'] : ['test/**/*.test.ts'],
    // Temporal's native worker and the bundler do not run inside worker_threads; forks isolate them.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/setup-file.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    allowOnly: false,
  },
});
