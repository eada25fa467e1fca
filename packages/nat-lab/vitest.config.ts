// Unit tests of the lab's pure pieces (topology plan, coturn config, table): no root, no namespaces.
// The lab itself (test/*.lab.test.ts, root only) runs under vitest.lab.config.ts via `npm run nat-lab`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/*.lab.test.ts'],
    environment: 'node',
  },
});
