// Browser tests of the diagnostics app: real Chromium (and Firefox ESR where a test says so) against the
// built app served by the real server. `npm run test:e2e -w @workbench/diagnostics` (turbo builds first).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each file launches its own browsers; on a 2-core machine, in parallel they starve each other.
    fileParallelism: false,
  },
});
