/**
 * What every steps benchmark shares: the in-page clock, first-frame detection, statistics, and the
 * bench-only pages (built with Vite from bench/steps/pages/ and served on the workbench's own origin
 * through a Playwright route, so they reach the same socket.io server and the same WebCrypto).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { FIXTURES } from '@workbench/testing';

export const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PAGES_DIR = fileURLToPath(new URL('./pages/', import.meta.url));

/** URL prefix of the bench-only pages on the workbench origin; the real server never serves it. */
export const BENCH_PREFIX = '/__bench/';

/**
 * Installed in every bench context before any page script runs. Times are `performance.timeOrigin +
 * performance.now()`: milliseconds since the Unix epoch with sub-millisecond resolution, comparable
 * between two pages of one browser, so "click in page B" and "frame in page A" share one clock.
 *
 * A frame counts as decoded when the <video> reports a size (videoWidth > 0): for a WebRTC stream
 * that happens only once the first frame came out of the decoder. The earliest of
 * requestVideoFrameCallback, loadedmetadata, resize and an animation-frame poll wins, so no single
 * event's quirks decide the figure; `how` records which one it was.
 */
export const IN_PAGE_CLOCK = `(() => {
  const epoch = () => performance.timeOrigin + performance.now();
  const firstFrame = (video) => {
    if (video.__benchFirstFrame) return video.__benchFirstFrame;
    video.__benchFirstFrame = new Promise((resolve) => {
      let done = false;
      const finish = (how) => {
        if (done || video.videoWidth === 0) return false;
        done = true;
        resolve({ at: epoch(), how, width: video.videoWidth, height: video.videoHeight });
        return true;
      };
      if (typeof video.requestVideoFrameCallback === 'function') {
        const onFrame = () => { if (!finish('rvfc')) video.requestVideoFrameCallback(onFrame); };
        video.requestVideoFrameCallback(onFrame);
      }
      video.addEventListener('loadedmetadata', () => finish('loadedmetadata'));
      video.addEventListener('resize', () => finish('resize'));
      const poll = () => { if (!finish('poll')) requestAnimationFrame(poll); };
      requestAnimationFrame(poll);
    });
    return video.__benchFirstFrame;
  };
  // marks: moments a bench page records itself, by name (the two-page floor's start).
  const bench = { epoch, firstFrame, clicks: [], frames: {}, channelsOpen: [], marks: {} };
  window.__bench = bench;
  // When each data channel opens, whichever page code created it (negotiated channels included).
  if (window.RTCPeerConnection) {
    const create = RTCPeerConnection.prototype.createDataChannel;
    RTCPeerConnection.prototype.createDataChannel = function (...args) {
      const channel = create.apply(this, args);
      channel.addEventListener('open', () => bench.channelsOpen.push({ label: channel.label, at: epoch() }));
      return channel;
    };
  }
  // The real click event's time: Playwright's own round trip is not part of what a user waits for.
  document.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('button') : null;
    if (button) bench.clicks.push({ name: button.textContent.trim(), at: epoch() });
  }, true);
  // Every <video aria-label="…">: the first decoded frame, by label, as soon as one exists.
  const watch = () => {
    for (const video of document.querySelectorAll('video[aria-label]')) {
      const label = video.getAttribute('aria-label');
      if (video.__benchWatched) continue;
      video.__benchWatched = true;
      firstFrame(video).then((frame) => { bench.frames[label] ??= frame; });
    }
  };
  new MutationObserver(watch).observe(document, { childList: true, subtree: true });
  document.addEventListener('DOMContentLoaded', watch);
})();`;

export function median(values) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * How precisely median(a) ÷ median(b) is known: the 2.5th and 97.5th percentiles of that ratio over
 * `rounds` bootstrap resamples (each set drawn again with replacement, at its own size). Seeded, so
 * the same runs always give the same interval. Call setup on this 2-core machine spreads ±20 % run
 * to run, and a 5 % target is only judged where the interval says the ratio is known that well.
 */
export function ratioInterval(a, b, { rounds = 4000, seed = 12 } = {}) {
  let state = seed >>> 0;
  const random = () => {
    // mulberry32: small, seedable, good enough to draw indices
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const resample = (values) => values.map(() => values[Math.floor(random() * values.length)]);
  const ratios = [];
  for (let round = 0; round < rounds; round++) ratios.push(median(resample(a)) / median(resample(b)));
  ratios.sort((x, y) => x - y);
  const at = (q) => Math.round(ratios[Math.min(rounds - 1, Math.floor(q * rounds))] * 100) / 100;
  return [at(0.025), at(0.975)];
}

/** Median, min, max and the raw runs, rounded to 0.1 ms: what goes into the JSON. */
export function summarise(values) {
  const round = (n) => Math.round(n * 10) / 10;
  return {
    median: round(median(values)),
    min: round(Math.min(...values)),
    max: round(Math.max(...values)),
    runs: values.map(round),
  };
}

/**
 * The codelab-protocol page's files that are not built (codelab.js loads them): the compat
 * fixture's script, its fixed room 'foo' replaced by `?room=` (one fresh room per run, as /call/
 * gets), and adapter.js, which the codelab's page loads from webrtc.github.io (offline here, as in
 * the compat test). Anything else in the fixture's script runs as written.
 */
async function codelabFiles() {
  const fixtureRoom = "var room = 'foo';";
  const main = await readFile(join(FIXTURES.codelabStep05, 'js', 'main.js'), 'utf8');
  if (!main.includes(fixtureRoom)) throw new Error(`The codelab fixture's main.js no longer has \`${fixtureRoom}\`: update codelabFiles() in bench/steps/lib.mjs.`);
  const adapterPath = createRequire(join(REPO_ROOT, 'apps', 'steps', 'package.json')).resolve('webrtc-adapter/out/adapter.js');
  return {
    'codelab/main.js': main.replace(fixtureRoom, "var room = new URLSearchParams(location.search).get('room');"),
    'codelab/adapter.js': await readFile(adapterPath),
  };
}

const CONTENT_TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css' };

/**
 * Builds the bench-only pages with Vite (they import @workbench/core by name, like the app does)
 * and routes BENCH_PREFIX on every page of `context` to the build. Returns a cleanup function.
 */
export async function buildBenchPages() {
  // Vite is the steps app's devDependency (npm may keep it under apps/steps/node_modules): resolve it from there.
  const vitePath = createRequire(join(REPO_ROOT, 'apps', 'steps', 'package.json')).resolve('vite');
  const { build } = await import(pathToFileURL(vitePath).href);
  const outDir = await mkdtemp(join(tmpdir(), 'workbench-bench-'));
  await build({
    root: PAGES_DIR,
    base: BENCH_PREFIX,
    logLevel: 'warn',
    configFile: false,
    build: {
      outDir,
      emptyOutDir: true,
      minify: false,
      rolldownOptions: { input: Object.fromEntries(['floor', 'floor2', 'codelab', 'photo'].map((name) => [name, join(PAGES_DIR, `${name}.html`)])) },
    },
  });
  const extraFiles = await codelabFiles();
  return {
    outDir,
    /** Serves the built bench pages under BENCH_PREFIX to every page of `context`. */
    async route(context) {
      await context.route(`**${BENCH_PREFIX}**`, async (route) => {
        const path = new URL(route.request().url()).pathname.slice(BENCH_PREFIX.length);
        if (Object.hasOwn(extraFiles, path)) return route.fulfill({ status: 200, body: extraFiles[path], contentType: CONTENT_TYPES[extname(path)] });
        const file = normalize(join(outDir, path || 'index.html'));
        if (!file.startsWith(outDir + sep)) return route.fulfill({ status: 400 });
        try {
          const body = await readFile(file);
          return route.fulfill({ status: 200, body, contentType: CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
        } catch {
          return route.fulfill({ status: 404, body: 'not found' });
        }
      });
    },
    close: () => rm(outDir, { recursive: true, force: true }),
  };
}

/**
 * A new context with the in-page clock and the bench pages routed. `permissions` are granted to
 * every origin: the two-page floor needs 'local-network-access', because a page fulfilled by a
 * Playwright route has no address of its own, so Chromium counts it as public and blocks its
 * WebSocket to the relay on 127.0.0.1 (net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS).
 */
export async function benchContext(browser, benchPages, { permissions = [] } = {}) {
  const context = await browser.newContext({ permissions });
  await context.addInitScript(IN_PAGE_CLOCK);
  await benchPages.route(context);
  context.on('weberror', (error) => console.error(`  page error: ${error.error().message}`));
  return context;
}

/**
 * A bench server in a process of its own: `node <script> [...args]`, resolved once it prints
 * `listening <address>`, with that address and a `close()` that stops it.
 */
function startListening(what, script, args = []) {
  const child = spawn(process.execPath, [script, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`${what} did not start within 10 s`)), 10_000);
    const fail = (error) => {
      clearTimeout(timer);
      child.kill('SIGTERM');
      reject(error);
    };
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`${what} exited (${code}) before listening`)));
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const address = /listening (\S+)/.exec(output)?.[1];
      if (address === undefined) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({
        address,
        close: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

/**
 * The two-page floor's signaling: bench/signaling/ws-relay.mjs (the signaling benchmark's floor, raw
 * `ws` on loopback) in a process of its own, as the workbench server runs (startWorkbenchProcess).
 * Resolves with its port once it listens.
 */
export async function startWsRelay() {
  const relay = await startListening('the ws relay', join(BENCH_DIR, 'signaling', 'ws-relay.mjs'), ['0']);
  return { port: Number(relay.address), close: relay.close };
}

/**
 * The workbench server (bench/steps/workbench-server.mjs) in a process of its own, serving the built
 * apps, or `stepsDir` as the steps app. Resolves with `{ url, urlFor(path), close() }`.
 */
export async function startWorkbenchProcess(stepsDir) {
  const server = await startListening('the workbench server', join(BENCH_DIR, 'steps', 'workbench-server.mjs'), stepsDir ? ['--steps', stepsDir] : []);
  return { url: server.address, urlFor: (path) => new URL(path, `${server.address}/`).href, close: server.close };
}
