// The NAT lab: one file, scenarios one after another (each builds its own NAT routers and starts two
// Chromiums). Started by `node dist/cli.js run` (npm run nat-lab), which checks for Linux + root first
// and removes namespaces a crashed run left behind.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.lab.test.ts'],
    environment: 'node',
    // A failing direct call takes Chromium ~16 s to declare; the TURN call and the diagnostics run
    // alongside it. Every wait inside has its own, smaller bound.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
