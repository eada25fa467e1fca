import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/*.e2e.test.ts', '**/node_modules/**', '**/dist/**'],
    // The CLI tests spawn dist/cli.js, so the package is compiled once before any test runs.
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: the integration files each open hundreds of sockets; keep them from fighting.
    maxWorkers: 2,
  },
});
