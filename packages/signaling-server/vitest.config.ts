import { defineConfig } from 'vitest/config';

/** The soak test measures latency under attack, so it runs alone: its own project, run by `npm run test:soak` (npm test runs it as a stage of its own, after every package's unit tests). */
const SOAK = 'test/soak.test.ts';
/** What both projects share; `extends: true` would also copy globalSetup into each, compiling three times. */
const common = { testTimeout: 30_000, hookTimeout: 30_000, exclude: ['**/*.e2e.test.ts', '**/node_modules/**', '**/dist/**'] };

export default defineConfig({
  test: {
    // The CLI tests spawn dist/cli.js, so the package is compiled once before any test runs.
    globalSetup: ['./test/global-setup.ts'],
    // Two cores: the integration files each open hundreds of sockets; keep them from fighting.
    maxWorkers: 2,
    projects: [
      {
        test: { ...common, name: 'signaling-server', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], exclude: [...common.exclude, SOAK] },
      },
      {
        // Its verdict compares latency in two phases of one run: another file on the same two cores
        // during one phase and not the other would decide it. A later group starts only once the
        // earlier one has finished.
        test: { ...common, name: 'soak', include: [SOAK], sequence: { groupOrder: 1 } },
      },
    ],
  },
});
