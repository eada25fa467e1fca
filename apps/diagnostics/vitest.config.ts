import { defineConfig } from 'vitest/config';

// Unit tests only (plain TypeScript next to the pages); browser tests have their own config,
// vitest.e2e.config.ts, and need the built app and server.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    exclude: ['**/*.e2e.test.ts', '**/node_modules/**'],
    passWithNoTests: true,
  },
});
