#!/usr/bin/env node
/**
 * The call-quality page's benchmarks: `npm run bench:quality -w @workbench/diagnostics`, or
 * `node bench/quality/run.mjs [--only size,poll,core,heap] [--hour-samples 3600] [--out FILE]`.
 * Needs the built apps (`npm run build`). Writes bench/results/quality.json and prints a summary.
 *
 * - size: JS the quality page loads before it runs, gzipped (target ≤ 150 KB); the room call's
 *   lazily loaded chunk is reported apart.
 * - poll: the cost of one stats poll in the real page during a real loopback call in Chromium:
 *   getStats() on both connections, turning the reports into a sample (normalise, events), and
 *   redrawing the charts; medians and 95th percentiles.
 * - core: the same processing in Node on reports captured from that call (normaliseStats +
 *   sampleEvents + qualityOf), without the browser's noise: microseconds per poll.
 * - heap: an hour of samples, accelerated. In the page: `--hour-samples` samples (3600 = one hour
 *   at 1 s) pushed through the page's window and redrawn one by one, the JS heap read after a
 *   forced GC when the 300-sample window is first full and then every 600 samples. In Node: ten
 *   hours of samples through core's normalise → RingBuffer path. The heap must not grow.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { BUILT_APPS, launchChromium, openPage, startWorkbench } from '@workbench/testing';

import { measurePageBundle } from './bundle.mjs';

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
const ALL = ['size', 'poll', 'core', 'heap'];

export const TARGETS = {
  /** JS the quality page loads before it runs, gzipped (level 9). 150 KB = 150 000 bytes. */
  pageJsGzipBytes: 150_000,
  /** Heap growth between the first full window and the end of the accelerated hour, after GC. */
  heapGrowthBytes: 1_000_000,
};

const { values: args } = parseArgs({
  options: {
    only: { type: 'string', default: ALL.join(',') },
    'hour-samples': { type: 'string', default: '3600' },
    /** At most 60: the page keeps the cost of its last 60 polls. */
    'poll-ticks': { type: 'string', default: '60' },
    out: { type: 'string', default: join(BENCH_DIR, 'results', 'quality.json') },
  },
});
const only = new Set(args.only.split(',').map((s) => s.trim()).filter(Boolean));
for (const name of only) if (!ALL.includes(name)) throw new Error(`--only: unknown benchmark "${name}"; choose from ${ALL.join(', ')}.`);
const hourSamples = Number(args['hour-samples']);
const pollTicks = Math.min(60, Number(args['poll-ticks']));

const log = (line) => console.log(line);

function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const round = (v) => Math.round(v * 1000) / 1000;
  return { n: sorted.length, median: round(at(0.5)), p95: round(at(0.95)), min: round(sorted[0] ?? 0), max: round(sorted.at(-1) ?? 0) };
}

const results = {};
const errors = {};
async function attempt(name, run) {
  if (!only.has(name)) return;
  log(`• ${name}`);
  try {
    results[name] = await run();
  } catch (error) {
    // One broken benchmark must not hide the others' figures.
    errors[name] = error instanceof Error ? error.message.split('\n')[0] : String(error);
    log(`  FAILED: ${errors[name]}`);
  }
}

// ---- size -------------------------------------------------------------------------------------

await attempt('size', async () => {
  // Each language is its own build (English at dist/, Chinese at dist/zh-CN/, see @workbench/i18n/vite).
  const perLocale = {
    en: measurePageBundle(BUILT_APPS.diagnostics, 'quality'),
    'zh-CN': measurePageBundle(join(BUILT_APPS.diagnostics, 'zh-CN'), 'quality', '/diagnostics/zh-CN/'),
  };
  for (const [locale, measured] of Object.entries(perLocale)) {
    const ok = measured.initial.gzipBytes <= TARGETS.pageJsGzipBytes;
    log(`  quality page (${locale}): ${(measured.initial.gzipBytes / 1000).toFixed(1)} KB gzipped before it runs (target ≤ ${TARGETS.pageJsGzipBytes / 1000} KB): ${ok ? 'PASS' : 'FAIL'}`);
    log(`  loaded on Join room (${locale}): ${(measured.lazy.gzipBytes / 1000).toFixed(1)} KB`);
    log(`  in a browser that needs webrtc-adapter (${locale}): ${((measured.initial.gzipBytes + measured.adapter.gzipBytes) / 1000).toFixed(1)} KB (+ ${(measured.adapter.gzipBytes / 1000).toFixed(1)} KB adapter)`);
  }
  const pass = Object.values(perLocale).every((measured) => measured.initial.gzipBytes <= TARGETS.pageJsGzipBytes);
  return { ...perLocale.en, perLocale, targetGzipBytes: TARGETS.pageJsGzipBytes, pass };
});

// ---- the browser parts: poll cost, captured reports, heap in the page --------------------------

let capturedReports;
const needBrowser = only.has('poll') || only.has('core') || only.has('heap');
if (needBrowser) {
  const workbench = await startWorkbench();
  const browser = await launchChromium();
  try {
    // 250 ms polls: four times webrtc-internals' rate, so a minute of polls takes 15 s.
    const opened = await openPage(browser, workbench.urlFor('/diagnostics/quality/?interval=250'));
    const { page } = opened;
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    // The page keeps the cost of its last 60 polls; wait until they are all from the running call.
    await page.waitForFunction((n) => (window.samples?.length ?? 0) >= n, pollTicks + 5, { timeout: 120_000, polling: 250 });

    await attempt('poll', async () => {
      const cost = await page.evaluate(() => window.quality.pollCost());
      const last = (list) => list.slice(-pollTicks);
      const figures = {
        intervalMs: 250,
        getStatsMs: summary(last(cost.getStatsMs)),
        processMs: summary(last(cost.processMs)),
        chartsMs: summary(last(cost.renderMs)),
      };
      figures.totalMedianMs = Math.round((figures.getStatsMs.median + figures.processMs.median + figures.chartsMs.median) * 1000) / 1000;
      log(
        `  per poll (median / p95): getStats ${figures.getStatsMs.median} / ${figures.getStatsMs.p95} ms, processing ${figures.processMs.median} / ${figures.processMs.p95} ms, ` +
          `charts ${figures.chartsMs.median} / ${figures.chartsMs.p95} ms`,
      );
      return figures;
    });

    // Real reports of this call, for the Node measurement: pc1 (sender) and pc2 (receiver), a second apart.
    capturedReports = await page.evaluate(async () => {
      const grab = async () => ({
        sender: [...(await window.pc1.getStats()).values()],
        receiver: [...(await window.pc2.getStats()).values()],
      });
      const first = await grab();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return [first, await grab()];
    });

    const template = await page.evaluate(() => window.samples.at(-1));
    await page.getByRole('button', { name: 'Stop' }).click();
    await opened.close();

    await attempt('heap', async () => {
      // A fresh page at the default 1 s interval and 300 s window: 300 samples, as a person gets it.
      const heapPage = await openPage(browser, workbench.urlFor('/diagnostics/quality/'));
      const page = heapPage.page;
      await page.getByRole('button', { name: 'Start', exact: true }).waitFor();
      const cdp = await page.context().newCDPSession(page);
      const heapAfterGc = async () => {
        await cdp.send('HeapProfiler.collectGarbage');
        await cdp.send('HeapProfiler.collectGarbage');
        return (await cdp.send('Runtime.getHeapUsage')).usedSize;
      };
      const checkpoints = [];
      const capacity = await page.evaluate(() => window.quality.timeline.capacity);
      const started = Date.now();
      // One sample at a time, each a second after the last, through the page's own timeline and charts:
      // the same path as a live poll minus getStats(). Values vary so events and bands keep coming.
      for (let done = 0; done < hourSamples; ) {
        const next = done === 0 ? 300 : Math.min(hourSamples, done + 600);
        await page.evaluate(
          async ([from, to, template]) => {
            const timeline = window.quality.timeline;
            for (let i = from; i < to; i += 1) {
              const timestamp = template.timestamp + (i + 1) * 1000;
              const height = i % 120 < 60 ? 480 : 240;
              const sample = structuredClone(template);
              sample.timestamp = timestamp;
              if (sample.outbound.video) {
                Object.assign(sample.outbound.video, {
                  timestamp,
                  bitrate: 300_000 + ((i * 7919) % 500_000),
                  frameHeight: height,
                  frameWidth: (height * 4) / 3,
                  qualityLimitationReason: i % 120 < 60 ? 'none' : 'bandwidth',
                });
              }
              if (sample.inbound.video) Object.assign(sample.inbound.video, { timestamp, bitrate: 290_000 + ((i * 104729) % 500_000), frameHeight: height });
              timeline.push(sample);
              // Let Svelte flush and the charts redraw, as they do after every live poll.
              await new Promise((resolve) => setTimeout(resolve, 0));
            }
          },
          [done, next, template],
        );
        done = next;
        const heap = await heapAfterGc();
        const length = await page.evaluate(() => window.samples.length);
        checkpoints.push({ samples: done, windowLength: length, heapBytes: heap, elapsedMs: Date.now() - started });
        log(`  ${String(done).padStart(5)} samples: heap ${(heap / 1e6).toFixed(2)} MB, window ${length}/${capacity}`);
      }
      const first = checkpoints[0]?.heapBytes ?? 0;
      const lastHeap = checkpoints.at(-1)?.heapBytes ?? 0;
      const growth = lastHeap - first;
      // A bounded page reaches a plateau (logs and console buffers fill to their limits): the second
      // half of the run must be flat, where a leak would keep climbing.
      const middle = checkpoints.find((c) => c.samples >= hourSamples / 2)?.heapBytes ?? first;
      const secondHalfGrowth = lastHeap - middle;
      const pass = growth <= TARGETS.heapGrowthBytes && checkpoints.every((c) => c.windowLength <= capacity);
      log(`  growth from the first full window to ${hourSamples} samples: ${(growth / 1e6).toFixed(2)} MB (target ≤ ${TARGETS.heapGrowthBytes / 1e6} MB): ${pass ? 'PASS' : 'FAIL'}`);
      log(`  growth over the second half: ${(secondHalfGrowth / 1e6).toFixed(2)} MB`);
      await heapPage.close();
      return { page: { windowCapacity: capacity, checkpoints, growthBytes: growth, secondHalfGrowthBytes: secondHalfGrowth, targetGrowthBytes: TARGETS.heapGrowthBytes, pass } };
    });
  } finally {
    await browser.close();
    await workbench.close();
  }
}

// ---- Node: processing per poll and the core path's heap ------------------------------------------

await attempt('core', async () => {
  if (!capturedReports) throw new Error('no reports were captured from the browser run (run it with poll or heap)');
  const { normaliseStats, RingBuffer } = await import('@workbench/core/stats');
  const { sampleEvents, qualityOf } = await import('@workbench/core/quality');
  // As the page does for a loopback call: pc1's report plus pc2's inbound streams (ids kept apart).
  const merge = ({ sender, receiver }) => {
    const merged = sender.map((s) => [s.id, s]);
    for (const s of receiver) {
      if (s.type !== 'inbound-rtp') continue;
      const codec = receiver.find((c) => c.id === s.codecId);
      if (codec) merged.push([`pc2:${codec.id}`, { ...codec, id: `pc2:${codec.id}` }]);
      merged.push([`pc2:${s.id}`, { ...s, id: `pc2:${s.id}`, codecId: `pc2:${s.codecId}` }]);
    }
    return new Map(merged);
  };
  const [a, b] = capturedReports.map(merge);
  const reports = [a, b];
  const iterations = 20_000;
  let previous;
  const tick = (i) => {
    const sample = normaliseStats(reports[i % 2], previous);
    sampleEvents(previous, sample);
    qualityOf(sample);
    previous = i % 2 === 1 ? undefined : sample; // keep rates computable without reports going backwards
    return sample;
  };
  for (let i = 0; i < 2000; i += 1) tick(i); // warm-up
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i += 1) tick(i);
  const perTickUs = Number(process.hrtime.bigint() - started) / 1000 / iterations;
  log(`  normaliseStats + sampleEvents + qualityOf: ${perTickUs.toFixed(1)} µs per poll (${a.size} stats in the merged report)`);

  // Ten hours of 1 s samples through the core path into a 300-sample RingBuffer, heap read after GC.
  setFlagsFromString('--expose_gc');
  const gc = runInNewContext('gc');
  const buffer = new RingBuffer(300);
  const heapAt = [];
  let last;
  const base = reports[0];
  for (let i = 0; i < 36_000; i += 1) {
    const report = new Map([...base].map(([id, s]) => [id, { ...s, timestamp: (s.timestamp ?? 0) + i * 1000, bytesSent: typeof s.bytesSent === 'number' ? s.bytesSent + i * 50_000 : s.bytesSent, bytesReceived: typeof s.bytesReceived === 'number' ? s.bytesReceived + i * 50_000 : s.bytesReceived }]));
    const sample = normaliseStats(report, last);
    sampleEvents(last, sample);
    buffer.push(sample);
    last = sample;
    if (i === 299 || (i + 1) % 6000 === 0) {
      gc();
      heapAt.push({ samples: i + 1, heapBytes: process.memoryUsage().heapUsed });
    }
  }
  const growth = (heapAt.at(-1)?.heapBytes ?? 0) - (heapAt[0]?.heapBytes ?? 0);
  log(`  36 000 samples (10 h at 1 s) through normalise → RingBuffer(300): heap growth ${(growth / 1e6).toFixed(2)} MB after the window filled`);
  return { perPollMicroseconds: Math.round(perTickUs * 10) / 10, statsInReport: a.size, iterations, nodeHeap: { checkpoints: heapAt, growthBytes: growth } };
});

// ---- write -------------------------------------------------------------------------------------

const output = {
  benchmark: 'quality',
  date: new Date().toISOString(),
  machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown' },
  targets: TARGETS,
  results,
  ...(Object.keys(errors).length > 0 ? { errors } : {}),
};
mkdirSync(dirname(args.out), { recursive: true });
writeFileSync(args.out, `${JSON.stringify(output, null, 2)}\n`);
log(`Wrote ${args.out}`);
if (Object.keys(errors).length > 0) process.exitCode = 1;
