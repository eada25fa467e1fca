// The cluster against real nginx, redis-server and server processes (test/), and the config
// generator's unit tests (src/). Browser tests (e2e/) run under vitest.e2e.config.ts.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    // test/cli.test.ts runs dist/cli.js, so the package is compiled first.
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each file starts its own nginx, Redis and server processes and opens hundreds of sockets;
    // on a 2-core machine two at once would only make both slow.
    fileParallelism: false,
  },
});
