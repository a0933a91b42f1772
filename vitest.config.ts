import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // builds server/web/dist/ (the kiosk and staff pages) for the browser tests in tests/e2e/, and starts a throwaway
    // PostgreSQL cluster for the PostgreSQL tests
    globalSetup: ['tests/e2e/support/build-pages.ts', 'tests/support/postgres-cluster.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
