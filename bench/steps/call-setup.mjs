/**
 * Call setup on loopback. Two browser contexts in a fresh room each run: A starts and waits; the
 * clock starts at B's start (its Join click, in page B) and stops when the remote video has its
 * first decoded frame on BOTH sides. Three calls are measured that way, interleaved run by run so
 * that whatever else the machine does falls on all three alike:
 * - `call`: /call/ itself;
 * - `floor2`: the two-page floor (bench/steps/pages/floor2.js over bench/signaling/ws-relay.mjs),
 *   from B's getUserMedia call;
 * - `codelab`: the codelab's step-5 flow (bench/steps/pages/codelab.js runs the compat fixture's
 *   script) against the same server, from B's Start click.
 * Also the one-page floor (two peer connections in one page, bench/steps/pages/floor.js), kept for
 * information, and /photo/: B's Join click → the "photos" channel open on both sides.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { BENCH_PREFIX, benchContext, startWsRelay, summarise } from './lib.mjs';

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
          if (kind === 'mark') return bench.marks[name];
          return bench.channelsOpen.find((c) => c.label === name)?.at;
        };
        const check = () => {
          const at = read();
          if (typeof at === 'number') resolve(at);
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

/** Polls a condition in the page with plain evaluates (see waitForBench for why not waitForFunction). */
async function waitInPage(page, what, condition, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(condition))) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * How long the second page rests after its load event before its clock starts, in every two-page
 * benchmark alike. A person reads the page before pressing Join; a click in the same millisecond as
 * the load event also times whatever the page still does as it opens (its socket connecting, the
 * panels it fetches at idle), which no one waits through and the floor's page does not have.
 */
const REST_BEFORE_START_MS = 1000;
const rest = () => new Promise((resolve) => setTimeout(resolve, REST_BEFORE_START_MS));

/**
 * How each two-page benchmark drives its pages. `first(a, room)` returns once page A is settled in
 * the room as it is by the time a real second person opens the link; `second(b, room)` starts page
 * B and returns the in-page time its clock started; `finished` is what each page waits for (see
 * waitForBench): the figure is the later of the two minus B's start.
 */
const CALL = {
  async first(a, room, url) {
    await a.goto(url(`/call/?room=${room}`));
    await a.getByRole('button', { name: 'Join', exact: true }).click({ timeout: 10_000 });
    await waitingForPeer(a);
  },
  async second(b, room, url) {
    await b.goto(url(`/call/?room=${room}`));
    await rest();
    await b.getByRole('button', { name: 'Join', exact: true }).click({ timeout: 10_000 });
    return waitForBench(b, { kind: 'click', name: 'Join' });
  },
  finished: { kind: 'frame', name: REMOTE_VIDEO },
};

const PHOTO_JOIN = {
  async first(a, room, url) {
    await a.goto(url(`/photo/?room=${room}`));
    await a.getByRole('button', { name: 'Join', exact: true }).click({ timeout: 10_000 });
    await waitingForPeer(a);
  },
  async second(b, room, url) {
    await b.goto(url(`/photo/?room=${room}`));
    await rest();
    await b.getByRole('button', { name: 'Join', exact: true }).click({ timeout: 10_000 });
    return waitForBench(b, { kind: 'click', name: 'Join' });
  },
  finished: { kind: 'channel', name: 'photos' },
};

const CODELAB = {
  async first(a, room, url) {
    await a.goto(url(`${BENCH_PREFIX}codelab.html?room=${room}`));
    await a.getByRole('button', { name: 'Start', exact: true }).click({ timeout: 10_000 });
    // Settled as the codelab's first page is: the server said 'created' and its camera shows.
    await waitInPage(a, 'codelab page A: created', () => window.isInitiator === true);
    await waitForBench(a, { kind: 'frame', name: LOCAL_VIDEO });
  },
  async second(b, room, url) {
    await b.goto(url(`${BENCH_PREFIX}codelab.html?room=${room}`));
    await rest();
    await b.getByRole('button', { name: 'Start', exact: true }).click({ timeout: 10_000 });
    return waitForBench(b, { kind: 'click', name: 'Start' });
  },
  finished: { kind: 'frame', name: REMOTE_VIDEO },
};

function floor2(relayPort) {
  const address = (room, role) => `${BENCH_PREFIX}floor2.html?relay=${relayPort}&room=${room}&role=${role}`;
  return {
    permissions: ['local-network-access'], // its socket goes to another loopback port (see benchContext)
    async first(a, room, url) {
      await a.goto(url(address(room, 'waiting')));
      await a.evaluate(() => window.floor2.wait());
    },
    async second(b, room, url) {
      await b.goto(url(address(room, 'joining')));
      // Its socket open first, as /call/'s is by the time anyone clicks Join.
      await b.evaluate(async () => {
        await window.floor2.connected;
      });
      await rest();
      await b.evaluate(() => {
        window.floor2.start(); // not awaited: the clock runs in the page
      });
      return waitForBench(b, { kind: 'mark', name: 'start' });
    },
    finished: { kind: 'frame', name: REMOTE_VIDEO },
  };
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
 * One two-page benchmark: two contexts (two renderer processes, like two people), one fresh room
 * per `once(run)`. Run 0 is a warm-up, logged and not counted. After each run both pages go to
 * about:blank, so no call keeps encoding while the next benchmark runs.
 */
async function twoPageBench(browser, { url: ownUrl, benchPages, log }, label, spec) {
  const url = spec.url ?? ownUrl; // another build's server, for the before/after comparison
  const contexts = [await benchContext(browser, benchPages, spec), await benchContext(browser, benchPages, spec)];
  const [a, b] = await Promise.all(contexts.map((c) => c.newPage()));
  const times = [];
  return {
    label,
    times,
    async once(run, runs) {
      const room = roomName(label, run);
      try {
        await spec.first(a, room, url);
        const startedAt = await spec.second(b, room, url);
        const [doneA, doneB] = await Promise.all([waitForBench(a, spec.finished), waitForBench(b, spec.finished)]);
        const ms = Math.max(doneA, doneB) - startedAt;
        if (run > 0) times.push(ms);
        log(`  ${label} run ${run}/${runs}${run === 0 ? ' (warm-up)' : ''}: ${ms.toFixed(0)} ms (A +${(doneA - startedAt).toFixed(0)}, B +${(doneB - startedAt).toFixed(0)})`);
      } catch (error) {
        // What the pages showed is the quickest way to see why a run got stuck.
        const shots = join(tmpdir(), `workbench-bench-${label}-run${run}`);
        await a.screenshot({ path: `${shots}-a.png`, fullPage: true }).catch(() => undefined);
        await b.screenshot({ path: `${shots}-b.png`, fullPage: true }).catch(() => undefined);
        throw new Error(`${label} run ${run} (room ${room}): ${error instanceof Error ? error.message.split('\n')[0] : error}; screenshots: ${shots}-{a,b}.png`);
      } finally {
        // Leave the room cleanly: no socket or call outlives the run.
        await Promise.all([a, b].map((p) => p.goto('about:blank').catch(() => undefined)));
      }
    },
    close: () => Promise.all(contexts.map((c) => c.close())),
  };
}

/** The two-page calls this file measures interleaved, by the name `--only` knows them by. */
export const CALL_SETUPS = ['floor2', 'codelab', 'call'];

/**
 * /call/ and /photo/'s join as another build serves them (`beforeUrl` maps a path to that
 * server), to be measured interleaved with this build's: `call-before`, `photo-join-before`.
 */
export function beforeSpecs(beforeUrl) {
  return { 'call-before': { ...CALL, url: beforeUrl }, 'photo-join-before': { ...PHOTO_JOIN, url: beforeUrl } };
}

/**
 * `floor2`, `codelab` and `call` (those of them in `names`), interleaved: every run does one room of
 * each, in the next of all their orders (six for three), so no benchmark always follows the same
 * one: rotating by one would keep the cycle, each always after the same neighbour. Resolves
 * with `{ results: { name: summary }, errors: { name: message } }`: a benchmark that fails drops out
 * of the rotation with its error, the others go on.
 */
export async function benchCallSetups(browser, options, names, extraSpecs = {}) {
  const { runs, log } = options;
  const relay = names.includes('floor2') ? await startWsRelay() : undefined;
  const specs = { floor2: relay && floor2(relay.port), codelab: CODELAB, call: CALL, ...extraSpecs };
  const benches = [];
  const errors = {};
  try {
    for (const name of [...CALL_SETUPS, ...Object.keys(extraSpecs)]) if (names.includes(name)) benches.push(await twoPageBench(browser, options, name, specs[name]));
    const failed = new Set();
    const orders = permutations(benches);
    for (let run = 0; run <= runs; run++) {
      const order = orders[run % orders.length];
      for (const bench of order) {
        if (failed.has(bench)) continue;
        try {
          await bench.once(run, runs);
        } catch (error) {
          failed.add(bench);
          errors[bench.label] = error instanceof Error ? error.message : String(error);
          log(`  ${bench.label} FAILED: ${errors[bench.label]}`);
        }
      }
    }
    const results = {};
    for (const bench of benches) if (!(bench.label in errors)) results[bench.label] = summarise(bench.times);
    return { results, errors };
  } finally {
    await Promise.all(benches.map((bench) => bench.close()));
    await relay?.close();
  }
}

/** Every order of `items`: [[a, b], [b, a]] for two. */
function permutations(items) {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

/**
 * /photo/'s join: B's Join click → the "photos" channel open on both sides. With `before` (a spec
 * from beforeSpecs), that build's /photo/ too, run by run in turns; resolves with
 * `{ 'photo-join': summary, 'photo-join-before'?: summary }`.
 */
export async function benchPhotoJoin(browser, options, before) {
  const benches = [await twoPageBench(browser, options, 'photo-join', PHOTO_JOIN)];
  if (before) benches.push(await twoPageBench(browser, options, 'photo-join-before', before));
  try {
    for (let run = 0; run <= options.runs; run++) {
      for (const bench of run % 2 === 0 ? benches : [...benches].reverse()) await bench.once(run, options.runs);
    }
    return Object.fromEntries(benches.map((bench) => [bench.label, summarise(bench.times)]));
  } finally {
    await Promise.all(benches.map((bench) => bench.close()));
  }
}
