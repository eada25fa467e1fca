// Unit and integration tests of the harness itself: real coturn, real Redis, real sockets, no browser.
// Browser tests (*.e2e.test.ts) run under vitest.e2e.config.ts.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/*.e2e.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
