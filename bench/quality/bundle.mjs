/**
 * JS the quality page loads before it runs, gzipped: its entry script, the chunks Vite lists as
 * modulepreload, and every chunk those import statically. Chunks loaded with import() (the room
 * call's socket.io client) are reported apart: the page does not wait for them. webrtc-adapter is
 * the one import() a page does wait for, in a browser that needs it (@workbench/core/adapter-need):
 * it is reported on its own, as `adapter`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Static `import … from "./x.js"` / `import "./x.js"` / `export … from` in minified output, not `import("…")`. */
const STATIC_IMPORT = /(?:^|[;}\n])\s*(?:import|export)\s*(?:[\w$*{}\s,]+?\s*from\s*)?["'`](\.{1,2}\/[^"'`]+\.js)["'`]/g;
const DYNAMIC_IMPORT = /import\(\s*["'`](\.{1,2}\/[^"'`]+\.js)["'`]\s*\)/g;

const gzipBytes = (buffer) => gzipSync(buffer, { level: 9 }).byteLength;

function entryScripts(html) {
  const found = [];
  for (const match of html.matchAll(/<script\b[^>]*\btype="module"[^>]*\bsrc="([^"]+)"/g)) found.push(match[1]);
  for (const match of html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g)) found.push(match[1]);
  return found;
}

/**
 * @param {string} distDir apps/diagnostics/dist
 * @param {string} page    'quality'
 * @param {string} base    the app's URL base, '/diagnostics/'
 */
export function measurePageBundle(distDir, page, base = '/diagnostics/') {
  const htmlFile = join(distDir, page, 'index.html');
  if (!existsSync(htmlFile)) throw new Error(`${htmlFile} does not exist: run \`npm run build\` first.`);
  const toFile = (src) => join(distDir, posix.normalize(src).replace(new RegExp(`^${base}`), '').replace(/^\/+/, ''));
  const initial = new Set();
  const lazy = new Set();
  const queue = entryScripts(readFileSync(htmlFile, 'utf8')).map(toFile);
  while (queue.length > 0) {
    const file = queue.shift();
    if (initial.has(file) || !existsSync(file)) continue;
    initial.add(file);
    const code = readFileSync(file, 'utf8');
    for (const match of code.matchAll(STATIC_IMPORT)) {
      const imported = join(dirname(file), match[1]);
      // Source text shown in a page (SourcePanel's ?raw) contains import lines too; only real files count.
      if (existsSync(imported)) queue.push(imported);
    }
    for (const match of code.matchAll(DYNAMIC_IMPORT)) {
      const imported = join(dirname(file), match[1]);
      if (existsSync(imported)) lazy.add(imported);
    }
  }
  const describe = (files) =>
    [...files]
      .filter((file) => !initial.has(file) || files === initial)
      .sort()
      .map((file) => {
        const buffer = readFileSync(file);
        return { file: file.slice(distDir.length + 1), rawBytes: buffer.byteLength, gzipBytes: gzipBytes(buffer) };
      });
  const isAdapter = (file) => /\/adapter_core-[^/]+\.js$/.test(file);
  const initialFiles = describe(initial);
  const lazyFiles = describe(new Set([...lazy].filter((file) => !isAdapter(file))));
  const adapterFiles = describe(new Set([...lazy].filter(isAdapter)));
  const sum = (files, key) => files.reduce((total, file) => total + file[key], 0);
  return {
    initial: { files: initialFiles, rawBytes: sum(initialFiles, 'rawBytes'), gzipBytes: sum(initialFiles, 'gzipBytes') },
    lazy: { files: lazyFiles, rawBytes: sum(lazyFiles, 'rawBytes'), gzipBytes: sum(lazyFiles, 'gzipBytes') },
    adapter: { files: adapterFiles, rawBytes: sum(adapterFiles, 'rawBytes'), gzipBytes: sum(adapterFiles, 'gzipBytes') },
  };
}
