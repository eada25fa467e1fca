import type { Environment } from 'vitest/environments';

/**
 * Node globals, but modules transformed for the browser: vite-plugin-svelte compiles runes for
 * the client only when Vite's environment is a client one, and with vitest's default `node`
 * environment `$effect` would compile to nothing and the rune tests could not fail.
 */
export default {
  name: 'svelte-client',
  viteEnvironment: 'client',
  setup() {
    return { teardown() {} };
  },
} satisfies Environment;
