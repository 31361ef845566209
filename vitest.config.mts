import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The unit layer: no shared server and one workflow bundle, seconds in all (`npm run test:unit`).
 * Plain code (policy, contracts, formats, config, the import graph), plus `*.unit.test.ts` files,
 * whose workflow tests stub the activities on a private time-skipping server.
 */
const unitFiles = [
  'test/**/*.unit.test.ts',
  'test/policy/*.test.ts',
  'test/contracts/*.test.ts',
  'test/campaign/accepted-commands.test.ts',
  'test/campaign/identity.test.ts',
  'test/campaign/spec.test.ts',
  'test/campaign/until-accepted.test.ts',
  'test/cli/pull-request-views.test.ts',
  'test/cli/views-and-formats.test.ts',
  'test/code-host/code-host-config.test.ts',
  'test/code-host/github-mapping.test.ts',
  'test/code-host/github-queries.test.ts',
  'test/code-host/github-webhooks.test.ts',
  'test/foundation/architecture-doc.test.ts',
  'test/foundation/config.test.ts',
  'test/foundation/docker-compose.test.ts',
  'test/foundation/import-graph.test.ts',
  'test/foundation/replicas-config.test.ts',
  'test/jobs/replica-lookup.test.ts',
  'test/observability/logger.test.ts',
  'test/replay/patches.test.ts',
];

// `*.record.ts` re-records the replay histories; only `npm run histories:refresh` runs them.
const recording = Boolean(process.env.RECORD_HISTORIES);

export default defineConfig({
  test: {
    // Temporal's native worker and the bundler do not run inside worker_threads; forks isolate them.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    allowOnly: false,
    // `npm test` runs both projects; `npm run test:unit` only the first.
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: unitFiles,
          globalSetup: ['test/support/unit-global-setup.ts'],
          // One process, modules kept between files: a fresh fork and imports per file cost more CPU
          // than the tests themselves (about 16 s against 10 s for the layer).
          poolOptions: { forks: { singleFork: true, isolate: false } },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: recording ? ['test/**/*.record.ts'] : ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...unitFiles],
          // One real dev server and one workflow bundle for the whole layer.
          globalSetup: ['test/support/global-setup.ts'],
          setupFiles: ['test/support/setup-file.ts'],
        },
      },
    ],
  },
});
