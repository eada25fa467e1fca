// Unit tests run in Node with injected fakes of the browser APIs; browser tests (*.e2e.test.ts)
// have their own config so `npm test -w @workbench/core` never needs a browser.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    exclude: ['src/**/*.e2e.test.ts'],
    environment: 'node',
    testTimeout: 10_000,
  },
});
