// The command against real coturn (and a real workbench for --from): the process itself, spawned
// as a script would, with libwebrtc from @roamhq/wrtc. Slow machines: generous timeouts.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 90_000,
    hookTimeout: 60_000,
  },
});
