import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Integration and e2e tests use the built package, exactly as a user imports it.
    alias: { 'race-rig': fileURLToPath(new URL('./dist/index.js', import.meta.url)) },
  },
  test: {
    // The heavy load tests run with `npm run test:load` (vitest.load.config.ts).
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Each test already runs up to dozens of threads on a 2-core machine: one file at a time.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
