#!/usr/bin/env node
/**
 * Audio meter benchmark: /diagnostics/audio/ in real Chromium with WAV files as the fake microphone.
 * - accuracy: for each generated file (sines at −20 and −40 dBFS peak, silence, a clipped square),
 *   what the meter reads over its 3 s window against what was generated, and the verdict;
 * - cost: main-thread task time per second of the page (Chromium's Performance.getMetrics
 *   TaskDuration, over 10 s) with the meter running minus with the page idle, and frames: a
 *   requestAnimationFrame loop counts frame gaps over 50 ms (3 frames at 60 Hz) as dropped.
 *
 * `npm run bench:audio -w @workbench/diagnostics`, or `node bench/audio/run.mjs [--out FILE] [--seconds N]`.
 * Needs the built apps (`npm run build`). Writes bench/results/audio.json and prints a table.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { encodeWav, sineSamples } from '@workbench/core/audio-level';
import { launchChromium, makeTempDir, openPage, startWorkbench } from '@workbench/testing';

export const TARGETS = {
  /** |measured − generated|, dB, for the sines. */
  accuracyDb: 2,
  /** Frames with a gap over 50 ms while the meter runs. */
  droppedFrames: 0,
};

const { values: args } = parseArgs({
  options: {
    out: { type: 'string', default: fileURLToPath(new URL('../results/audio.json', import.meta.url)) },
    seconds: { type: 'string', default: '10' },
  },
});
const seconds = Number(args.seconds);
if (!(seconds >= 2)) throw new Error(`--seconds must be at least 2, got "${args.seconds}".`);

/** The 1, 5 and 15 min load averages when the run began: figures only compare between idle runs. */
const LOAD_AT_START = loadavg().map((x) => Math.round(x * 100) / 100);
const RATE = 48_000;
const dir = makeTempDir('audio-bench');
const square = new Float32Array(RATE * 4);
for (let i = 0; i < square.length; i += 1) square[i] = Math.floor(i / 240) % 2 === 0 ? 1 : -1;
const FILES = [
  { name: 'sine 440 Hz, −20 dBFS peak', peak: -20, rms: -23.01, samples: sineSamples({ sampleRate: RATE, frequency: 440, amplitudeDbfs: -20, seconds: 4 }), verdict: 'good' },
  { name: 'sine 440 Hz, −40 dBFS peak', peak: -40, rms: -43.01, samples: sineSamples({ sampleRate: RATE, frequency: 440, amplitudeDbfs: -40, seconds: 4 }), verdict: 'too-quiet' },
  { name: 'silence', peak: null, rms: null, samples: new Float32Array(RATE * 4), verdict: 'no-signal' },
  { name: 'square 100 Hz, full scale', peak: 0, rms: 0, samples: square, verdict: 'clipping' },
];
for (const file of FILES) {
  file.path = join(dir.path, `${file.name.replace(/[^a-z0-9]+/gi, '-')}.wav`);
  writeFileSync(file.path, encodeWav(file.samples, RATE));
}

async function startMeter(page) {
  await page.getByRole('heading', { level: 1, name: 'Microphone and speakers' }).waitFor({ timeout: 60_000 });
  for (const name of ['echoCancellation', 'noiseSuppression', 'autoGainControl']) {
    await page.getByRole('row', { name: new RegExp(name) }).getByRole('checkbox').uncheck();
  }
  await page.getByRole('button', { name: 'Start microphone' }).click();
  await page.waitForFunction(() => (window.audioCheck?.reading?.windowMs ?? 0) >= 2900, undefined, { timeout: 60_000 });
}

/** Main-thread task ms per second, and rAF frames/dropped, over `seconds`. */
async function measure(page, cdp) {
  const metrics = async () => {
    const all = (await cdp.send('Performance.getMetrics')).metrics;
    const read = (name) => all.find((m) => m.name === name)?.value ?? 0;
    return { task: read('TaskDuration'), script: read('ScriptDuration') };
  };
  const frames = page.evaluate((ms) => new Promise((resolve) => {
    let last = performance.now();
    let count = 0;
    let dropped = 0;
    let worst = 0;
    const end = last + ms;
    const tick = (now) => {
      const gap = now - last;
      last = now;
      count += 1;
      worst = Math.max(worst, gap);
      if (gap > 50) dropped += 1;
      if (now < end) requestAnimationFrame(tick);
      else resolve({ frames: count, dropped, worstGapMs: Math.round(worst * 10) / 10 });
    };
    requestAnimationFrame(tick);
  }), seconds * 1000);
  const before = await metrics();
  const started = Date.now();
  const frameResult = await frames;
  const after = await metrics();
  const elapsed = (Date.now() - started) / 1000;
  const perSecond = (key) => Math.round((((after[key] - before[key]) * 1000) / elapsed) * 100) / 100;
  return { taskMsPerSecond: perSecond('task'), scriptMsPerSecond: perSecond('script'), ...frameResult };
}

const workbench = await startWorkbench();
const accuracy = [];
let cost;
try {
  for (const file of FILES) {
    const browser = await launchChromium({ fakeAudioFile: file.path });
    try {
      const { page, close } = await openPage(browser, workbench.urlFor('/diagnostics/audio/'));
      if (file === FILES[0]) {
        const cdp = await page.context().newCDPSession(page);
        await cdp.send('Performance.enable');
        await page.getByRole('heading', { level: 1, name: 'Microphone and speakers' }).waitFor({ timeout: 60_000 });
        const idle = await measure(page, cdp);
        await startMeter(page);
        const running = await measure(page, cdp);
        cost = {
          idleTaskMsPerSecond: idle.taskMsPerSecond,
          meterTaskMsPerSecond: running.taskMsPerSecond,
          meterCostMsPerSecond: Math.round((running.taskMsPerSecond - idle.taskMsPerSecond) * 100) / 100,
          idleScriptMsPerSecond: idle.scriptMsPerSecond,
          meterScriptMsPerSecond: running.scriptMsPerSecond,
          idleFrames: idle.frames,
          idleDroppedFrames: idle.dropped,
          frames: running.frames,
          droppedFrames: running.dropped,
          worstFrameGapMs: running.worstGapMs,
          seconds,
        };
      } else {
        await startMeter(page);
      }
      const reading = await page.evaluate(() => JSON.parse(JSON.stringify(window.audioCheck.reading)));
      const round = (v) => Math.round(v * 100) / 100;
      accuracy.push({
        file: file.name,
        generatedPeakDbfs: file.peak,
        generatedRmsDbfs: file.rms,
        measuredPeakDbfs: round(reading.windowPeakDbfs),
        measuredRmsDbfs: round(reading.windowRmsDbfs),
        peakErrorDb: file.peak === null ? null : round(reading.windowPeakDbfs - file.peak),
        rmsErrorDb: file.rms === null ? null : round(reading.windowRmsDbfs - file.rms),
        clippedPercent: round(reading.clippedFraction * 100),
        expectedVerdict: file.verdict,
        verdict: reading.verdict.kind,
      });
      await close();
    } finally {
      await browser.close();
    }
  }
} finally {
  await workbench.close();
  dir.remove();
}

const sines = accuracy.filter((row) => row.file.startsWith('sine'));
const pass = {
  accuracy: sines.every((row) => Math.abs(row.peakErrorDb) <= TARGETS.accuracyDb && Math.abs(row.rmsErrorDb) <= TARGETS.accuracyDb),
  verdicts: accuracy.every((row) => row.verdict === row.expectedVerdict),
  droppedFrames: cost.droppedFrames <= TARGETS.droppedFrames,
};
const results = {
  measuredAt: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version, loadAverage: { atStart: LOAD_AT_START, atEnd: loadavg().map((x) => Math.round(x * 100) / 100) } },
  targets: TARGETS,
  cost,
  accuracy,
  pass,
};
mkdirSync(dirname(args.out), { recursive: true });
writeFileSync(args.out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`Meter main-thread cost: ${cost.meterCostMsPerSecond} ms/s of tasks (${cost.meterTaskMsPerSecond} running − ${cost.idleTaskMsPerSecond} idle), script ${cost.meterScriptMsPerSecond} ms/s running vs ${cost.idleScriptMsPerSecond} idle; ${cost.frames} frames in ${seconds} s, ${cost.droppedFrames} over 50 ms (worst ${cost.worstFrameGapMs} ms); idle: ${cost.idleFrames} frames, ${cost.idleDroppedFrames} over 50 ms.`);
console.table(accuracy);
console.log(`pass: ${JSON.stringify(pass)}; written to ${args.out}`);
