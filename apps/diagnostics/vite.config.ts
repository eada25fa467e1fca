import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** One HTML entry per tool; the server serves `dist/` at `/diagnostics/`. */
const PAGES = ['index', 'ice', 'quality', 'camera', 'audio'] as const;

function htmlEntry(page: (typeof PAGES)[number]): string {
  const file = page === 'index' ? 'index.html' : `${page}/index.html`;
  return fileURLToPath(new URL(file, import.meta.url));
}

// `npm run dev` beside `npm start`: signaling and the API go to the real server on :3000.
const SERVER = process.env.WORKBENCH_SERVER ?? 'http://127.0.0.1:3000';

export default defineConfig({
  base: '/diagnostics/',
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Vite 8's name for what Vite ≤7 called `build.rollupOptions` (that name still works, deprecated).
    rolldownOptions: {
      input: Object.fromEntries(PAGES.map((page) => [page, htmlEntry(page)])),
    },
  },
  server: {
    proxy: {
      '/socket.io': { target: SERVER, ws: true },
      '/api': { target: SERVER },
    },
  },
});
