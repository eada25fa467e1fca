import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

// Unit tests only (plain TypeScript next to the pages); browser tests have their own config,
// vitest.e2e.config.ts, and need the built app and server. The svelte plugin compiles the runes
// of `*.svelte.ts` helpers (for the server here: plain values, which is all their tests read).
export default defineConfig({
  plugins: [svelte()],
  test: {
    include: ['src/**/*.test.ts'],
    exclude: ['**/*.e2e.test.ts', '**/node_modules/**'],
    passWithNoTests: true,
  },
});
