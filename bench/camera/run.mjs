#!/usr/bin/env node
/**
 * Camera probe benchmark: the /diagnostics/camera/ quick scan of the full standard list against the
 * webrtcHacks method (./webrtchacks.mjs) on the same fake camera, in the same browser and run,
 * alternating so load on the machine hits both alike. Also times one deep test of the list.
 *
 * `npm run bench:camera -w @workbench/diagnostics`, or
 * `node bench/camera/run.mjs [--runs N] [--out FILE] [--no-deep]`. Needs the built apps (`npm run build`).
 * Writes bench/results/camera.json and prints a table.
 *
 * Quick scan time is the page's own: from the Quick scan click handler to the last result on
 * screen (window.cameraProbe.passes), so the page's rendering and logging are included.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { STANDARD_RESOLUTIONS } from '@workbench/core/camera-probe';
import { launchChromium, openPage, startWorkbench } from '@workbench/testing';

import { webrtcHacksScan } from './webrtchacks.mjs';

export const TARGETS = {
  /** Quick scan time ÷ webrtcHacks method time, full list, medians. */
  quickScanOverWebrtcHacks: 0.1,
};

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    out: { type: 'string', default: fileURLToPath(new URL('../results/camera.json', import.meta.url)) },
    'no-deep': { type: 'boolean', default: false },
  },
});
const runs = Number(args.runs);
if (!(runs >= 1)) throw new Error(`--runs must be a positive number, got "${args.runs}".`);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const round = (n) => Math.round(n * 10) / 10;
function summarise(values) {
  return { median: round(median(values)), min: round(Math.min(...values)), max: round(Math.max(...values)), runs: values.map(round) };
}

/** Clicks a pass's button and resolves with the page's record of it once it has ended. */
async function runPass(page, button) {
  const before = await page.evaluate(() => window.cameraProbe.passes.length);
  await page.getByRole('button', { name: button, exact: true }).click();
  await page.waitForFunction((count) => window.cameraProbe.passes.length > count, before, { timeout: 180_000, polling: 50 });
  return page.evaluate(() => {
    const probe = window.cameraProbe;
    return JSON.parse(JSON.stringify({ pass: probe.passes.at(-1), report: probe.report }));
  });
}

const sizeKey = (size) => `${size.width}x${size.height}`;

const workbench = await startWorkbench();
const browser = await launchChromium();
const chromium = browser.version();
const log = (line) => console.log(line);
let results;
try {
  const { page, problems } = await openPage(browser, workbench.urlFor('/diagnostics/camera/'));
  await page.waitForFunction(() => window.cameraProbe !== undefined);

  // Warm-up, not counted: the first getUserMedia of a browser pays for permission and device start.
  const warm = await runPass(page, 'Quick scan');
  if (warm.pass.outcome !== 'finished') throw new Error(`The warm-up quick scan ended "${warm.pass.outcome}"; see the page's event log.`);
  const deviceId = warm.report.cameras[0].deviceId;
  const sizes = STANDARD_RESOLUTIONS.map(({ width, height }) => ({ width, height }));
  await page.evaluate(webrtcHacksScan, { sizes, deviceId });

  const quick = [];
  const quickProbe = [];
  const webrtcHacks = [];
  let lastQuick;
  let lastWebrtcHacks;
  for (let run = 1; run <= runs; run++) {
    // Alternate which goes first, so neither always follows the other's camera release.
    const order = run % 2 ? ['quick', 'webrtcHacks'] : ['webrtcHacks', 'quick'];
    for (const method of order) {
      if (method === 'quick') {
        lastQuick = await runPass(page, 'Quick scan');
        if (lastQuick.pass.outcome !== 'finished') throw new Error(`Quick scan run ${run} ended "${lastQuick.pass.outcome}".`);
        quick.push(lastQuick.pass.durationMs);
        quickProbe.push(lastQuick.report.durationMs);
      } else {
        lastWebrtcHacks = await page.evaluate(webrtcHacksScan, { sizes, deviceId });
        webrtcHacks.push(lastWebrtcHacks.ms);
      }
    }
    log(`  run ${run}/${runs}: quick scan ${quick.at(-1)} ms (probe ${quickProbe.at(-1).toFixed(0)} ms), webrtcHacks ${webrtcHacks.at(-1).toFixed(0)} ms`);
  }

  // Both methods must see the same camera: same pass/fail per size, and the sizes that passed delivered.
  const quickBySize = Object.fromEntries(lastQuick.report.results.map((result) => [sizeKey(result.requested), result]));
  const disagreements = lastWebrtcHacks.results
    .filter((result) => quickBySize[sizeKey(result)]?.status !== result.status)
    .map((result) => `${sizeKey(result)}: webrtcHacks ${result.status}, quick scan ${quickBySize[sizeKey(result)]?.status}`);

  let deep;
  if (!args['no-deep']) {
    const deepRun = await runPass(page, 'Deep test');
    const measured = deepRun.report?.results.filter((result) => result.frames) ?? [];
    deep = {
      outcome: deepRun.pass.outcome,
      durationMs: deepRun.pass.durationMs,
      windowMsPerMode: 1000,
      modesMeasured: measured.length,
      fps: Object.fromEntries(measured.map((result) => [sizeKey(result.requested), round(result.frames.fps)])),
      firstFrameMs: summarise(measured.map((result) => result.frames.firstFrameMs)),
    };
    log(`  deep test: ${deep.modesMeasured} modes in ${deep.durationMs} ms`);
  }

  const quickSummary = summarise(quick);
  const webrtcHacksSummary = summarise(webrtcHacks);
  results = {
    sizes: sizes.map(sizeKey),
    quickScan: quickSummary,
    quickScanProbeOnly: summarise(quickProbe),
    webrtcHacks: webrtcHacksSummary,
    quickScanOverWebrtcHacks: Math.round((quickSummary.median / webrtcHacksSummary.median) * 1000) / 1000,
    agreement: { sizes: lastWebrtcHacks.results.length, disagreements },
    quickScanAnswer: Object.fromEntries(lastQuick.report.results.map((result) => [sizeKey(result.requested), result.code])),
    ...(deep ? { deepTest: deep } : {}),
    pageProblems: problems(),
  };
} finally {
  await browser.close();
  await workbench.close();
}

const pass = {
  quickScan: results.quickScanOverWebrtcHacks <= TARGETS.quickScanOverWebrtcHacks && results.agreement.disagreements.length === 0,
};
const report = {
  schema: 1,
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, chromium, camera: "Chromium's fake camera (--use-fake-device-for-media-stream)" },
  runs,
  results,
  targets: TARGETS,
  pass,
};
const out = resolve(args.out);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);

const ms = (s) => `${s.median.toFixed(0)} ms (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;
const rows = [
  [`Quick scan, ${results.sizes.length} sizes (page, click → last result)`, ms(results.quickScan), `≤ ${TARGETS.quickScanOverWebrtcHacks}× webrtcHacks (${results.quickScanOverWebrtcHacks}×)`, pass.quickScan ? 'PASS' : 'FAIL'],
  ['  of which probeResolutions itself', ms(results.quickScanProbeOnly), '', ''],
  [`webrtcHacks method, ${results.sizes.length} sizes (200 ms pause, loadedmetadata)`, ms(results.webrtcHacks), '', ''],
  ['Same pass/fail per size both ways', results.agreement.disagreements.length === 0 ? 'yes' : results.agreement.disagreements.join('; '), '', ''],
];
if (results.deepTest) rows.push([`Deep test, ${results.deepTest.modesMeasured} modes × 1 s`, `${results.deepTest.durationMs} ms`, 'separate, optional pass', '']);
const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length), ['Benchmark', 'Measured', 'Target', ''][i].length));
const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
console.log(`\n${line(['Benchmark', 'Measured', 'Target', ''])}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
for (const row of rows) console.log(line(row));
console.log(`\nmachine: ${report.machine.cpus} CPUs, Node ${report.machine.node}, Chromium ${chromium}; written to ${out}`);
if (!pass.quickScan) process.exitCode = 1;
