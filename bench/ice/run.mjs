#!/usr/bin/env node
/**
 * The ICE tester's benchmark: `npm run bench` at the root (turbo runs this from apps/diagnostics), or
 * `node bench/ice/run.mjs [--runs N] [--budget MS] [--out FILE]`. Needs the built apps (`npm run build`).
 *
 * Time to verdict on /diagnostics/ice/ for a healthy server, an unreachable one and a wrong password,
 * against what the browser itself reports for the same server, measured in the same page and run:
 * the first srflx/relay candidate, the first icecandidateerror, and iceGatheringState "complete"
 * (which is what a tool that waits for gathering would wait for). Both clocks start at
 * `new RTCPeerConnection()`: the page's checks time their verdict from there, and so does the baseline.
 *
 * Targets (issue 4): every verdict within the budget (5 s); unreachable ≤ 0.15 × the browser's gathering
 * time; a healthy server no slower than the browser's first relay candidate + 50 ms. Issue 17: a dead STUN
 * server next to a live one gets its first verdict ("probably unreachable") within 1.5 s, where it used to
 * wait for the budget (5 s); the budget still confirms it.
 * Writes bench/results/ice.json and prints a table; exits 1 when a target is missed.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { findChromium, freeTcpUdpPort, launchChromium, openPage, startCoturn, startWorkbench } from '@workbench/testing';

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));

export const TARGETS = {
  /** Every verdict, in ms: the default budget. */
  verdictWithinMs: 5000,
  /** Unreachable server: verdict ÷ the browser's time to iceGatheringState "complete". */
  unreachableOverGathering: 0.15,
  /** Healthy server: verdict − the browser's first relay (or srflx) candidate, in ms. */
  healthyOverFirstCandidateMs: 50,
  /** Dead STUN server run next to a live one: its first verdict, in ms. */
  deadNextToLiveFirstVerdictMs: 1500,
};

/** The browser gives up on an unanswered STUN server after ~40 s; wait a little longer than that. */
const BASELINE_LIMIT_MS = 60_000;

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '9' },
    budget: { type: 'string', default: String(TARGETS.verdictWithinMs) },
    out: { type: 'string', default: join(BENCH_DIR, 'results', 'ice.json') },
  },
});
const runs = Number(args.runs);
const budgetMs = Number(args.budget);
if (!(runs >= 1) || !(budgetMs > 0)) throw new Error('--runs and --budget must be positive numbers.');

const log = (line) => console.log(line);
const median = (values) => {
  const sorted = values.filter((v) => typeof v === 'number').sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const round = (value) => (value === null || value === undefined ? null : Math.round(value * 10) / 10);
const summary = (values) => ({ median: round(median(values)), min: round(Math.min(...values)), max: round(Math.max(...values)), runs: values.map(round) });

/**
 * In the page: one bare RTCPeerConnection with `server`, as any page would create it, timing what the
 * browser reports until gathering completes (or `limitMs`).
 */
function browserBaseline(page, server, limitMs) {
  return page.evaluate(
    async ({ server, limitMs }) => {
      const t0 = performance.now();
      const pc = new RTCPeerConnection({ iceServers: [server] });
      const at = () => performance.now() - t0;
      const result = { firstSrflxMs: null, firstRelayMs: null, firstError: null, gatheringCompleteMs: null };
      pc.onicecandidate = (event) => {
        const type = event.candidate?.type;
        if (type === 'srflx' && result.firstSrflxMs === null) result.firstSrflxMs = at();
        if (type === 'relay' && result.firstRelayMs === null) result.firstRelayMs = at();
      };
      pc.onicecandidateerror = (event) => {
        result.firstError ??= { code: event.errorCode, text: event.errorText, atMs: at() };
      };
      const complete = new Promise((resolve) => {
        pc.onicegatheringstatechange = () => {
          if (pc.iceGatheringState === 'complete') resolve((result.gatheringCompleteMs = at()));
        };
      });
      pc.createDataChannel('bench');
      await pc.setLocalDescription();
      await Promise.race([complete, new Promise((resolve) => setTimeout(resolve, limitMs))]);
      pc.close();
      return result;
    },
    { server, limitMs },
  );
}

/** The page's own run (window.iceRun, what Run does) for one server; returns that server's check verdicts. */
async function toolRun(page, entry) {
  return page.evaluate(
    async ({ entry, budgetMs }) => {
      const report = await window.iceRun.start({ servers: [{ id: 'bench', source: 'user', ...entry }], budgetMs, policy: 'all' });
      return report.checks.map((check) => ({ url: check.url, kind: check.verdict?.kind ?? null, atMs: check.verdict?.atMs ?? null, title: check.verdict?.title ?? null }));
    },
    { entry, budgetMs },
  );
}

/**
 * A live and a dead STUN server in one run: the dead one's first verdict (the early "probably
 * unreachable", read from window.iceRun.report while the run goes on) and its confirmed one.
 */
async function deadNextToLiveRun(page, liveUrl, deadUrl) {
  return page.evaluate(
    async ({ liveUrl, deadUrl, budgetMs }) => {
      let first = null;
      const poll = setInterval(() => {
        const verdict = window.iceRun.report?.checks.find((c) => c.url === deadUrl)?.verdict;
        if (!first && verdict) first = { atMs: verdict.atMs, title: verdict.title, provisional: verdict.provisional === true };
      }, 5);
      const report = await window.iceRun.start({
        servers: [
          { id: 'live', source: 'user', url: liveUrl },
          { id: 'dead', source: 'user', url: deadUrl },
        ],
        budgetMs,
        policy: 'all',
      });
      clearInterval(poll);
      const live = report.checks.find((c) => c.url === liveUrl)?.verdict;
      const confirmed = report.checks.find((c) => c.url === deadUrl)?.verdict;
      return { first, live: { kind: live?.kind, atMs: live?.atMs }, confirmed: { kind: confirmed?.kind, atMs: confirmed?.atMs, provisional: confirmed?.provisional === true } };
    },
    { liveUrl, deadUrl, budgetMs },
  );
}

function chromiumVersion() {
  try {
    return execFileSync(findChromium(), ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

const user = { name: 'bench', password: 'bench-password' };
log('Starting coturn, the workbench and Chromium (no camera permission, as a visitor opens the page)…');
const coturn = await startCoturn({ users: [user] });
const workbench = await startWorkbench();
const browser = await launchChromium({ fakeMedia: false });
const closedPort = await freeTcpUdpPort('127.0.0.1');

const turnUdp = `turn:127.0.0.1:${coturn.port}?transport=udp`;
const CASES = [
  {
    name: 'healthy TURN over UDP',
    id: 'healthy-turn',
    entry: { url: turnUdp, username: user.name, credential: user.password },
    iceServer: { urls: turnUdp, username: user.name, credential: user.password },
    expect: 'relay-allocated',
    browserFirst: 'firstRelayMs',
  },
  {
    name: 'healthy STUN',
    id: 'healthy-stun',
    entry: { url: coturn.stunUrl },
    iceServer: { urls: coturn.stunUrl },
    expect: 'reachable',
    browserFirst: 'firstSrflxMs',
  },
  {
    name: 'wrong TURN password',
    id: 'wrong-password',
    entry: { url: turnUdp, username: user.name, credential: 'not-the-password' },
    iceServer: { urls: turnUdp, username: user.name, credential: 'not-the-password' },
    expect: 'auth-failed',
  },
  {
    name: 'unreachable STUN (closed UDP port)',
    id: 'unreachable',
    entry: { url: `stun:127.0.0.1:${closedPort}` },
    iceServer: { urls: `stun:127.0.0.1:${closedPort}` },
    expect: 'unreachable',
  },
];

const results = {};
const failures = [];
try {
  const opened = await openPage(browser, workbench.urlFor('/diagnostics/ice/'));
  const { page } = opened;
  await page.waitForFunction(() => window.iceRun !== undefined);

  // The unreachable server's baseline takes ~40 s: it runs in a second page of the same browser while
  // everything else is measured, so the whole benchmark costs one wait instead of several.
  const slowPage = (await openPage(browser, workbench.urlFor('/diagnostics/'))).page;
  const unreachableCase = CASES.find((c) => c.id === 'unreachable');
  const slowBaseline = browserBaseline(slowPage, unreachableCase.iceServer, BASELINE_LIMIT_MS);

  for (const testCase of CASES) {
    log(`• ${testCase.name}`);
    const verdicts = [];
    const baselines = [];
    for (let i = 0; i < runs; i += 1) {
      const [check] = await toolRun(page, testCase.entry);
      if (check?.kind !== testCase.expect) failures.push(`${testCase.name}: run ${i + 1} gave "${check?.title}", expected ${testCase.expect}`);
      verdicts.push(check.atMs);
      // Alternate tool and baseline so both see the same machine state; the unreachable case shares the one slow baseline.
      if (testCase.id !== 'unreachable') baselines.push(await browserBaseline(page, testCase.iceServer, BASELINE_LIMIT_MS));
    }
    if (testCase.id === 'unreachable') baselines.push(await slowBaseline);
    const field = (name) => baselines.map((b) => b[name]).filter((v) => v !== null);
    const gathering = field('gatheringCompleteMs');
    results[testCase.id] = {
      case: testCase.name,
      url: testCase.entry.url,
      expectedVerdict: testCase.expect,
      verdictMs: summary(verdicts),
      // Each tool run against the baseline run right after it: on a loaded machine, the median of these
      // differences is steadier than the difference of the two medians.
      ...(testCase.browserFirst
        ? { pairedExcessMs: summary(verdicts.map((v, i) => v - (baselines[i]?.[testCase.browserFirst] ?? Number.NaN)).filter(Number.isFinite)) }
        : {}),
      browser: {
        ...(testCase.browserFirst ? { [testCase.browserFirst]: summary(field(testCase.browserFirst)) } : {}),
        firstError: baselines[0]?.firstError ?? null,
        gatheringCompleteMs: gathering.length > 0 ? summary(gathering) : { median: null, note: `not complete after ${BASELINE_LIMIT_MS} ms` },
      },
    };
    const r = results[testCase.id];
    log(`  verdict median ${r.verdictMs.median} ms (max ${r.verdictMs.max}); browser gathering complete ${r.browser.gatheringCompleteMs.median ?? `> ${BASELINE_LIMIT_MS}`} ms` +
      (testCase.browserFirst ? `, first ${testCase.browserFirst === 'firstRelayMs' ? 'relay' : 'srflx'} ${r.browser[testCase.browserFirst].median} ms` : '') +
      (r.browser.firstError ? `, first error ${r.browser.firstError.code} at ${round(r.browser.firstError.atMs)} ms` : ''));
  }

  log('• dead STUN next to a live one');
  const dead = { first: [], confirmed: [], live: [] };
  for (let i = 0; i < runs; i += 1) {
    const run = await deadNextToLiveRun(page, coturn.stunUrl, `stun:127.0.0.1:${closedPort}`);
    // The live server's answer sets the deadline (10x it, at least 1 s): on a loaded machine a slow
    // answer pushes it past the budget, and the first verdict is then the confirmed one.
    const deadline = Math.max(1000, 10 * (run.live.atMs ?? 0));
    if (!run.first?.provisional && deadline < budgetMs) failures.push(`dead next to live: run ${i + 1}'s first verdict was "${run.first?.title ?? run.confirmed.kind}" (live server answered in ${round(run.live.atMs)} ms), not an early "probably unreachable"`);
    if (run.confirmed.kind !== 'unreachable' || run.confirmed.provisional) failures.push(`dead next to live: run ${i + 1} confirmed "${run.confirmed.kind}"`);
    if (run.live.kind !== 'reachable') failures.push(`dead next to live: run ${i + 1}'s live server gave "${run.live.kind}"`);
    dead.first.push(run.first?.atMs ?? run.confirmed.atMs);
    dead.confirmed.push(run.confirmed.atMs);
    dead.live.push(run.live.atMs);
  }
  results['dead-next-to-live'] = {
    case: 'dead STUN (closed UDP port) next to a live STUN, one run',
    url: `stun:127.0.0.1:${closedPort}`,
    expectedVerdict: 'unreachable (provisional, then confirmed at the budget)',
    verdictMs: summary(dead.first),
    confirmedMs: summary(dead.confirmed),
    liveVerdictMs: summary(dead.live),
    note: 'verdictMs is the first verdict shown for the dead server (max(1 s, 10 x the slowest answer)); before issue 17 it was the budget, i.e. confirmedMs',
  };
  log(`  first verdict median ${results['dead-next-to-live'].verdictMs.median} ms (max ${results['dead-next-to-live'].verdictMs.max}); confirmed at ${results['dead-next-to-live'].confirmedMs.median} ms; live server answered in ${results['dead-next-to-live'].liveVerdictMs.median} ms`);
  await opened.close();
} finally {
  await browser.close();
  await workbench.close();
  await coturn.stop();
}

const allVerdicts = Object.values(results).flatMap((r) => r.verdictMs.runs);
const unreachable = results.unreachable;
// A gathering that never completed within the limit is at least the limit: the ratio is then an upper bound.
const unreachableGathering = unreachable.browser.gatheringCompleteMs.median ?? BASELINE_LIMIT_MS;
const targets = [
  {
    name: 'every verdict within the budget',
    value: Math.max(...allVerdicts),
    limit: TARGETS.verdictWithinMs,
    unit: 'ms',
    pass: Math.max(...allVerdicts) <= TARGETS.verdictWithinMs,
  },
  {
    name: "unreachable: verdict ÷ browser's gathering time",
    value: Math.round((unreachable.verdictMs.median / unreachableGathering) * 1000) / 1000,
    limit: TARGETS.unreachableOverGathering,
    unit: '×',
    pass: unreachable.verdictMs.median / unreachableGathering <= TARGETS.unreachableOverGathering,
  },
  ...[['healthy-turn', 'firstRelayMs', 'relay'], ['healthy-stun', 'firstSrflxMs', 'srflx']].map(([id, field, type]) => {
    const excess = results[id].pairedExcessMs.median;
    return {
      name: `${results[id].case}: verdict − browser's first ${type} candidate (median of paired runs)`,
      value: round(excess),
      limit: TARGETS.healthyOverFirstCandidateMs,
      unit: 'ms',
      pass: excess <= TARGETS.healthyOverFirstCandidateMs,
      differenceOfMedians: round(results[id].verdictMs.median - results[id].browser[field].median),
    };
  }),
  {
    // The median, as for the other targets: the deadline is 10x the live server's answer, so on a
    // loaded machine a run whose live answer took 300 ms rightly waits 3 s (max is recorded too).
    name: 'dead STUN next to a live one: first verdict (median of runs)',
    value: results['dead-next-to-live'].verdictMs.median,
    max: results['dead-next-to-live'].verdictMs.max,
    limit: TARGETS.deadNextToLiveFirstVerdictMs,
    unit: 'ms',
    pass: results['dead-next-to-live'].verdictMs.median <= TARGETS.deadNextToLiveFirstVerdictMs,
    before: `${budgetMs} ms (the budget)`,
  },
];

const output = {
  benchmark: 'ice',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, browser: chromiumVersion() },
  settings: { runs, budgetMs, baselineLimitMs: BASELINE_LIMIT_MS, note: 'coturn on 127.0.0.1; Chromium without camera permission (mDNS host candidates); medians over the runs' },
  loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  cases: results,
  targets,
  pass: targets.every((t) => t.pass) && failures.length === 0,
  ...(failures.length > 0 ? { failures } : {}),
};
mkdirSync(dirname(args.out), { recursive: true });
writeFileSync(args.out, `${JSON.stringify(output, null, 2)}\n`);

log('');
for (const t of targets) log(`${t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.value} ${t.unit} (target ≤ ${t.limit} ${t.unit})`);
for (const f of failures) log(`FAIL  ${f}`);
log(`\nWrote ${args.out}`);
process.exit(output.pass ? 0 : 1);
