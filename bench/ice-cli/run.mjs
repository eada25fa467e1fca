#!/usr/bin/env node
/**
 * `webrtc-workbench ice` against coturn's own client, `turnutils_uclient`, in the same run against
 * the same local coturn (TURN REST credentials, loopback). Each process is timed from spawn to
 * exit, as a script or a monitoring job would see it:
 *
 * - healthy: our full check of `turn:127.0.0.1:<port>` (allocate over UDP and over TCP, then the
 *   relay proof: two relay-only peer connections, a data channel, RTT, 1 MiB each way it
 *   allocated) against `turnutils_uclient -y -n 50` (two allocations relaying 50 messages between
 *   them) over UDP, and over TCP (`-t`). Target: ours ≤ 0.5 × uclient's UDP time.
 * - wrong credentials (a wrong --secret / -W) and a dead server (port 9): time to a verdict, side
 *   by side, ours decided within the --budget (5 s).
 *
 * Rounds alternate the tools, so load on this shared machine hits both alike; medians of --runs.
 * Writes bench/results/ice-cli.json (or --out FILE). Exits non-zero only when something could
 * not run; a missed target is `pass: false`.
 *
 *   node bench/ice-cli/run.mjs [--runs 5] [--out FILE]     (after npm run build)
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { startCoturn } from '@workbench/testing';

const { values: flags } = parseArgs({ options: { runs: { type: 'string', default: '5' }, out: { type: 'string' } } });
const RUNS = Math.max(1, Number(flags.runs));
const OUT = flags.out ?? fileURLToPath(new URL('../results/ice-cli.json', import.meta.url));
const CLI = fileURLToPath(new URL('../../packages/ice-cli/bin/webrtc-workbench.js', import.meta.url));
const SECRET = 'bench-ice-cli-secret';
const BUDGET_S = 5;

function timed(command, args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ ms: Math.round(performance.now() - started), code, output }));
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : Math.round((s[s.length / 2 - 1] + s[s.length / 2]) / 2);
};
/** The run's own duration from our --json report: the process time without Node's start and libwebrtc's load. */
function reportDuration(output) {
  try {
    return JSON.parse(output).durationMs;
  } catch {
    return undefined;
  }
}
const summary = (runs) => {
  const inRun = runs.map((r) => reportDuration(r.output)).filter((x) => typeof x === 'number');
  return {
    medianMs: median(runs.map((r) => r.ms)),
    minMs: Math.min(...runs.map((r) => r.ms)),
    maxMs: Math.max(...runs.map((r) => r.ms)),
    runsMs: runs.map((r) => r.ms),
    exitCodes: [...new Set(runs.map((r) => r.code))],
    ...(inRun.length > 0 ? { reportDurationMedianMs: median(inRun) } : {}),
  };
};
const lastLine = (text) => text.trim().split('\n').filter(Boolean).slice(-1)[0] ?? '';

const loadAtStart = os.loadavg().map((x) => Math.round(x * 100) / 100);
const coturn = await startCoturn({ authSecret: SECRET });
const port = String(coturn.port);
const turn = `turn:127.0.0.1:${port}`;
const cases = {
  'ours.healthy': () => timed(process.execPath, [CLI, 'ice', turn, '--secret', SECRET, '--json']),
  'uclient.healthy.udp': () => timed('turnutils_uclient', ['-y', '-n', '50', '-W', SECRET, '-p', port, '127.0.0.1']),
  'uclient.healthy.tcp': () => timed('turnutils_uclient', ['-y', '-t', '-n', '50', '-W', SECRET, '-p', port, '127.0.0.1']),
  'ours.wrongCredentials': () => timed(process.execPath, [CLI, 'ice', turn, '--secret', 'not-the-secret', '--json']),
  'uclient.wrongCredentials': () => timed('turnutils_uclient', ['-y', '-n', '50', '-W', 'not-the-secret', '-p', port, '127.0.0.1']),
  'ours.deadServer': () => timed(process.execPath, [CLI, 'ice', 'turn:127.0.0.1:9', '--secret', SECRET, '--budget', String(BUDGET_S), '--json']),
  'uclient.deadServer.udp': () => timed('turnutils_uclient', ['-y', '-n', '50', '-W', SECRET, '-p', '9', '127.0.0.1']),
  'uclient.deadServer.tcp': () => timed('turnutils_uclient', ['-y', '-t', '-n', '50', '-W', SECRET, '-p', '9', '127.0.0.1']),
};
const runs = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
const samples = {};
try {
  // One warm-up of ours: the first start of libwebrtc's addon reads it from disk.
  await cases['ours.healthy']();
  for (let round = 0; round < RUNS; round += 1) {
    for (const [name, run] of Object.entries(cases)) {
      const result = await run();
      runs[name].push(result);
      samples[name] ??= name.startsWith('ours') ? verdictsOf(result.output) : lastLine(result.output);
      process.stderr.write(`round ${round + 1}/${RUNS} ${name}: ${result.ms} ms (exit ${result.code})\n`);
    }
  }
} finally {
  await coturn.stop();
}

function verdictsOf(json) {
  try {
    const report = JSON.parse(json);
    return {
      verdicts: report.checks.map((c) => `${c.transport}: ${c.verdict?.kind} (${c.verdict?.title}) at ${Math.round(c.verdict?.atMs ?? 0)} ms`),
      loopbacks: report.loopbacks.map((l) => `${l.url}: ${l.status}, RTT ${l.rttMs} ms, ${l.throughputMbps} Mbit/s`),
      durationMs: report.durationMs,
    };
  } catch {
    return json.slice(0, 300);
  }
}

const results = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, summary(v)]));
const ratio = (a, b) => Math.round((results[a].medianMs / results[b].medianMs) * 100) / 100;
const healthyRatio = ratio('ours.healthy', 'uclient.healthy.udp');
const oursHealthyOk = runs['ours.healthy'].every((r) => r.code === 0);
const report = {
  schema: 'webrtc-workbench/bench-ice-cli',
  date: new Date().toISOString(),
  machine: {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim(),
    node: process.version,
    loadAverage: { atStart: loadAtStart, atEnd: os.loadavg().map((x) => Math.round(x * 100) / 100) },
  },
  config: { runs: RUNS, budgetSeconds: BUDGET_S, coturn: 'local, use-auth-secret, 127.0.0.1', uclientMessages: 50 },
  results,
  samples,
  comparisons: {
    healthyOverUclientUdp: healthyRatio,
    healthyOverUclientTcp: ratio('ours.healthy', 'uclient.healthy.tcp'),
    wrongCredentialsOverUclient: ratio('ours.wrongCredentials', 'uclient.wrongCredentials'),
    deadServerOverUclientUdp: ratio('ours.deadServer', 'uclient.deadServer.udp'),
  },
  targets: {
    healthy: { rule: 'ours (UDP + TCP + relay proof) ≤ 0.5 × turnutils_uclient -y over UDP', value: healthyRatio, pass: oursHealthyOk && healthyRatio <= 0.5 },
    wrongCredentials: { rule: 'decided (exit 2) within the budget', pass: runs['ours.wrongCredentials'].every((r) => r.code === 2 && r.ms <= BUDGET_S * 1000 + 3000) },
    deadServer: { rule: 'decided (exit 2) within the budget (+ process start)', pass: runs['ours.deadServer'].every((r) => r.code === 2 && r.ms <= BUDGET_S * 1000 + 3000) },
  },
};
writeFileSync(OUT, `${JSON.stringify(report, null, 2)}\n`);
const row = (name) => `${name.padEnd(26)} ${String(results[name].medianMs).padStart(6)} ms  (${results[name].minMs}–${results[name].maxMs})`;
console.log(Object.keys(results).map(row).join('\n'));
console.log(`healthy: ours / uclient UDP = ${healthyRatio} (target ≤ 0.5: ${report.targets.healthy.pass ? 'PASS' : 'FAIL'}); wrote ${OUT}`);
