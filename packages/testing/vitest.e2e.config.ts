// Browser tests: real Chromium / Firefox ESR against the real server. One file at a time, since the
// machines that run them have two cores and each file starts browsers of its own.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.e2e.test.ts', 'test/**/*.e2e.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
