/**
 * Built JS per step page and language (each language is its own build), gzipped (level 9). `gzipBytes`, what the target applies to, is the JS a
 * page loads before it runs: its entry script plus every chunk that entry imports statically (Vite
 * also lists them as modulepreload links). Chunks behind `import()` (the source-panel text, loaded
 * after the page works) are counted apart, as `lazyGzipBytes`, so nothing is hidden. One lazy chunk
 * is not "after": webrtc-adapter, which a browser that needs it (older Chrome or Firefox, Safari;
 * @workbench/core/adapter-need) loads before the page runs. `adapterGzipBytes` is that chunk, and
 * `gzipBytes + adapterGzipBytes` what such a browser loads first.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Static `import … from "./x.js"` / `import "./x.js"` in minified output, not `import("…")`. */
const STATIC_IMPORT = /(?:^|[;}\n])\s*(?:import|export)\s*(?:[\w$*{}\s,]+?\s*from\s*)?["'](\.{1,2}\/[^"']+\.js)["']/g;
/** `import("./x.js")` as Vite/Rolldown emit it for lazy chunks. */
const DYNAMIC_IMPORT = /\bimport\(\s*["'`](\.{1,2}\/[^"'`]+\.js)["'`]\s*\)/g;

function scriptsOf(html) {
  const found = [];
  for (const match of html.matchAll(/<script\b[^>]*\btype="module"[^>]*\bsrc="([^"]+)"/g)) found.push(match[1]);
  for (const match of html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g)) found.push(match[1]);
  return found;
}

/** Every existing file reachable from `entry` through imports matching `patterns`. */
function closure(entry, patterns) {
  const files = new Set();
  const queue = [...entry];
  while (queue.length > 0) {
    const file = queue.shift();
    if (files.has(file) || !existsSync(file)) continue;
    files.add(file);
    const code = readFileSync(file, 'utf8');
    for (const pattern of patterns) {
      for (const match of code.matchAll(pattern)) {
        const imported = join(dirname(file), match[1]);
        // Source text shown in a page (SourcePanel) contains import lines too; only real files count.
        if (existsSync(imported)) queue.push(imported);
      }
    }
  }
  return files;
}

function gzipBytes(buffer) {
  return gzipSync(buffer, { level: 9 }).byteLength;
}

/**
 * @param {string} distDir  apps/steps/dist, or apps/steps/dist/zh-CN for the Chinese build
 * @param {string[]} pages  directory names: 'webcam', …; 'index' means dist/index.html
 * @param {string} base     the build's URL base: '/' or '/zh-CN/'
 */
export function measureBundles(distDir, pages, base = '/') {
  const result = {};
  for (const page of pages) {
    const htmlFile = page === 'index' ? join(distDir, 'index.html') : join(distDir, page, 'index.html');
    if (!existsSync(htmlFile)) throw new Error(`${htmlFile} does not exist: run \`npm run build\` first.`);
    const entry = scriptsOf(readFileSync(htmlFile, 'utf8')).map((src) => join(distDir, posix.normalize(src).slice(base.length)));
    const files = closure(entry, [STATIC_IMPORT]);
    const everything = closure(entry, [STATIC_IMPORT, DYNAMIC_IMPORT]);
    const lazy = [...everything].filter((file) => !files.has(file));
    const sum = (list) => [...list].reduce((total, file) => total + gzipBytes(readFileSync(file)), 0);
    const raw = [...files].reduce((total, file) => total + readFileSync(file).byteLength, 0);
    const relative = (list) => [...list].map((f) => f.slice(distDir.length + 1)).sort();
    const adapter = lazy.filter((file) => /\/adapter_core-[^/]+\.js$/.test(file));
    result[page] = { files: relative(files), rawBytes: raw, gzipBytes: sum(files), lazyFiles: relative(lazy), lazyGzipBytes: sum(lazy), adapterGzipBytes: sum(adapter) };
  }
  return result;
}
