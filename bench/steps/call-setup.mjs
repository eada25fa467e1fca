/**
 * Call setup on loopback. Two browser contexts on /call/ in a fresh room each run: A joins and
 * waits; the clock starts at B's Join click (the click event, in page B) and stops when the remote
 * video has its first decoded frame on BOTH sides. Against the floor measured in the same browser
 * and run: two peer connections in one page (bench/steps/pages/floor.js), getUserMedia → first
 * remote frame. Also /photo/: B's Join click → the "photos" channel open on both sides.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { BENCH_PREFIX, benchContext, summarise } from './lib.mjs';

const REMOTE_VIDEO = 'Remote video';
const LOCAL_VIDEO = 'Local video';

function roomName(prefix, run) {
  return `${prefix}-${Date.now().toString(36)}-${run}`;
}

/**
 * Resolves with what the page recorded, polling inside the page. Not page.waitForFunction: its first
 * use after a navigation evaluates Playwright's injected script (~330 KB) in the page's main world:
 * a trace showed it taking ~27 ms of the second page's main thread 80–120 ms after its Join click,
 * in the middle of the call being timed (the floor pays it before its clock starts). A plain
 * evaluate returning a promise injects nothing. Polling only decides when Node hears of it; the
 * time itself was taken in the page.
 */
function waitForBench(page, what, timeoutMs = 20_000) {
  return page.evaluate(
    ({ kind, name, timeoutMs, pollMs }) =>
      new Promise((resolve, reject) => {
        const started = performance.now();
        const read = () => {
          const bench = window.__bench;
          if (kind === 'click') return bench.clicks.find((c) => c.name === name)?.at;
          if (kind === 'frame') return bench.frames[name]?.at;
          return bench.channelsOpen.find((c) => c.label === name)?.at;
        };
        const check = () => {
          const at = read();
          if (at !== undefined) resolve(at);
          else if (performance.now() - started > timeoutMs) reject(new Error(`no ${kind} "${name}" within ${timeoutMs} ms`));
          else setTimeout(check, pollMs);
        };
        check();
      }),
    { ...what, timeoutMs, pollMs: 20 },
  );
}

/** In-page floor: fresh page per run, so each run pays for getUserMedia as /call/ does. */
export async function benchFloor(browser, { url, benchPages, runs, log }) {
  const context = await benchContext(browser, benchPages);
  try {
    const page = await context.newPage();
    const media = [];
    const dataChannel = [];
    for (let run = 0; run <= runs; run++) {
      await page.goto(url(`${BENCH_PREFIX}floor.html`));
      await page.waitForFunction(() => window.floor !== undefined);
      const result = await page.evaluate(() => window.floor.mediaFloor());
      const channel = await page.evaluate(() => window.floor.dataChannelFloor());
      // Run 0 warms up the browser (codec and network stack initialisation) and is not counted.
      if (run === 0) continue;
      media.push(result.ms);
      dataChannel.push(channel.ms);
      log(`  floor run ${run}/${runs}: media ${result.ms.toFixed(0)} ms (getUserMedia ${result.getUserMediaMs.toFixed(0)}, frame by ${result.how}), data channel ${channel.ms.toFixed(0)} ms`);
    }
    return { media: summarise(media), dataChannel: summarise(dataChannel) };
  } finally {
    await context.close();
  }
}

/**
 * Waits until the first page is settled in its room, as it is by the time a real second person
 * opens the link: it says it waits for a peer, and its own camera shows (a frame was decoded).
 */
async function waitingForPeer(page) {
  await page.getByText('waiting for a peer').first().waitFor({ timeout: 20_000 });
  await waitForBench(page, { kind: 'frame', name: LOCAL_VIDEO });
}

/**
 * Two contexts, `runs` + 1 rooms (the first is a warm-up). `finished` says what each page waits for
 * (see waitForBench), whose in-page time is the time it reached the goal; the figure is the later of the
 * two minus B's Join click.
 */
async function twoPeerRuns(browser, { url, benchPages, runs, log }, { path, label, finished }) {
  const contexts = [await benchContext(browser, benchPages), await benchContext(browser, benchPages)];
  try {
    const [a, b] = await Promise.all(contexts.map((c) => c.newPage()));
    const times = [];
    for (let run = 0; run <= runs; run++) {
      const room = roomName(label, run);
      try {
        await a.goto(url(`${path}?room=${room}`));
        await a.getByRole('button', { name: 'Join', exact: true }).click({ timeout: 10_000 });
        await waitingForPeer(a);
        await b.goto(url(`${path}?room=${room}`));
        await b.getByRole('button', { name: 'Join', exact: true }).click({ timeout: 10_000 });
        const clickedAt = await waitForBench(b, { kind: 'click', name: 'Join' });
        const [doneA, doneB] = await Promise.all([waitForBench(a, finished), waitForBench(b, finished)]);
        const ms = Math.max(doneA, doneB) - clickedAt;
        if (run > 0) times.push(ms);
        log(`  ${label} run ${run}/${runs}${run === 0 ? ' (warm-up)' : ''}: ${ms.toFixed(0)} ms (A +${(doneA - clickedAt).toFixed(0)}, B +${(doneB - clickedAt).toFixed(0)})`);
      } catch (error) {
        // What the pages showed is the quickest way to see why a run got stuck.
        const shots = join(tmpdir(), `workbench-bench-${label}-run${run}`);
        await a.screenshot({ path: `${shots}-a.png`, fullPage: true }).catch(() => undefined);
        await b.screenshot({ path: `${shots}-b.png`, fullPage: true }).catch(() => undefined);
        throw new Error(`${label} run ${run} (room ${room}): ${error instanceof Error ? error.message.split('\n')[0] : error}; screenshots: ${shots}-{a,b}.png`);
      }
    }
    // Leave the last room cleanly so no socket outlives the contexts.
    await Promise.all([a, b].map((p) => p.goto('about:blank')));
    return summarise(times);
  } finally {
    await Promise.all(contexts.map((c) => c.close()));
  }
}

export function benchCallSetup(browser, options) {
  return twoPeerRuns(browser, options, {
    path: '/call/',
    label: 'call',
    finished: { kind: 'frame', name: REMOTE_VIDEO },
  });
}

export function benchPhotoJoin(browser, options) {
  return twoPeerRuns(browser, options, {
    path: '/photo/',
    label: 'photo-join',
    finished: { kind: 'channel', name: 'photos' },
  });
}
