/**
 * Built JS per step page, gzipped: the page's entry script plus every chunk it loads before it
 * runs (Vite lists them as modulepreload links; static imports are followed too, in case a chunk
 * is missing from the list). Lazy `import()` chunks are not counted: the page does not wait for them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Static `import … from "./x.js"` / `import "./x.js"` in minified output, not `import("…")`. */
const STATIC_IMPORT = /(?:^|[;}\n])\s*(?:import|export)\s*(?:[\w$*{}\s,]+?\s*from\s*)?["'](\.{1,2}\/[^"']+\.js)["']/g;

function scriptsOf(html) {
  const found = [];
  for (const match of html.matchAll(/<script\b[^>]*\btype="module"[^>]*\bsrc="([^"]+)"/g)) found.push(match[1]);
  for (const match of html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g)) found.push(match[1]);
  return found;
}

function gzipBytes(buffer) {
  return gzipSync(buffer, { level: 9 }).byteLength;
}

/**
 * @param {string} distDir  apps/steps/dist
 * @param {string[]} pages  directory names: 'webcam', …; 'index' means dist/index.html
 */
export function measureBundles(distDir, pages) {
  const result = {};
  for (const page of pages) {
    const htmlFile = page === 'index' ? join(distDir, 'index.html') : join(distDir, page, 'index.html');
    if (!existsSync(htmlFile)) throw new Error(`${htmlFile} does not exist: run \`npm run build\` first.`);
    const files = new Set();
    const queue = scriptsOf(readFileSync(htmlFile, 'utf8')).map((src) => join(distDir, posix.normalize(src).replace(/^\/+/, '')));
    while (queue.length > 0) {
      const file = queue.shift();
      if (files.has(file) || !existsSync(file)) continue;
      files.add(file);
      const code = readFileSync(file, 'utf8');
      for (const match of code.matchAll(STATIC_IMPORT)) {
        const imported = join(dirname(file), match[1]);
        // Source text shown in a page (SourcePanel's ?raw) contains import lines too; only real files count.
        if (existsSync(imported)) queue.push(imported);
      }
    }
    let raw = 0;
    let gzip = 0;
    for (const file of files) {
      const buffer = readFileSync(file);
      raw += buffer.byteLength;
      gzip += gzipBytes(buffer);
    }
    result[page] = { files: [...files].map((f) => f.slice(distDir.length + 1)).sort(), rawBytes: raw, gzipBytes: gzip };
  }
  return result;
}
