import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

// The svelte plugin compiles runes in `*.svelte.ts`. Tests run in a client Vite environment with
// the browser condition, so runes compile and resolve to Svelte's client runtime where
// `$state`/`$derived`/`$effect` are reactive; the server runtime would make them plain values.
export default defineConfig({
  plugins: [svelte()],
  resolve: { conditions: ['browser'] },
  test: {
    include: ['src/**/*.test.ts'],
    environment: './vitest.client-environment.ts',
  },
});
