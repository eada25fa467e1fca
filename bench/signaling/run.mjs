#!/usr/bin/env node
/**
 * `npm run bench:signaling`: the signaling server under load, against a raw `ws` relay, in one run.
 *
 * Burst: K rooms x 2 clients; in each room one client sends an offer, 20 candidates and 50 x 1 KB
 * messages, the other answers the offer with an answer, 20 candidates and 50 x 1 KB messages.
 * Per system, the median of R rounds of delivered messages/s and of p50/p95/p99 relay latency
 * (send to receive, one clock: every client lives in this process), and server memory per client.
 * Systems: the raw `ws` relay (ws-relay.mjs, the floor), a plain socket.io room relay
 * (socketio-relay.mjs, for reference: what socket.io itself costs), this server on one process,
 * and this server on two processes sharing rooms through Redis (half the pairs split across them).
 *
 * Steady: N clients (N/2 rooms) on this server's one process (and on the raw relay and plain
 * socket.io, for the machine's own tail), sending 1 KB messages at a steady total rate for S seconds: p99 latency
 * and memory per connected client.
 *
 * Writes bench/results/signaling.json with the targets and pass/fail. Exits non-zero only
 * when a benchmark could not run; a missed target is `pass: false`.
 *
 * Options: --rooms K (200) --rounds R (5) --steady-clients N (5000) --steady-rate M (5000/s)
 *          --steady-seconds S (10) --only burst,steady --out FILE
 *          --systems ws-baseline,socketio-plain,workbench-1,workbench-2-redis (burst systems; all by default)
 *          --cpu-prof DIR (every server process writes a V8 CPU profile there on exit)
 *          --steady-systems ws-baseline,socketio-plain,workbench-1 (steady systems; all by default)
 *          --compare-cli FILE (adds a burst and steady system `workbench-1-compare`, and a burst system
 *          `workbench-2-redis-compare` when workbench-2-redis runs: another build of this server's cli.js, e.g. a
 *          copy of dist/ from before a change, run side by side with the current one)
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startRedis } from '@workbench/testing';
import { BURST_MESSAGES, burstRound, CANDIDATES, inBatches, median, MESSAGE_BYTES, percentile, round3, sentAt, text } from './burst.mjs';
import { RawRelayClient, SocketIoLite } from './clients.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = join(HERE, '..', '..');
const CLI = join(REPO_ROOT, 'packages', 'signaling-server', 'dist', 'cli.js');

const { values: flags } = parseArgs({
  options: {
    rooms: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '5' },
    'steady-clients': { type: 'string', default: '5000' },
    'steady-rate': { type: 'string', default: '5000' },
    'steady-seconds': { type: 'string', default: '10' },
    only: { type: 'string', default: 'burst,steady' },
    out: { type: 'string', default: join(REPO_ROOT, 'bench', 'results', 'signaling.json') },
    systems: { type: 'string', default: 'ws-baseline,socketio-plain,workbench-1,workbench-2-redis' },
    'cpu-prof': { type: 'string' },
    'compare-cli': { type: 'string' },
    'steady-systems': { type: 'string', default: 'ws-baseline,socketio-plain,workbench-1' },
  },
});
const ROOMS = Number(flags.rooms);
const ROUNDS = Number(flags.rounds);
const WARMUP_ROUNDS = 2;
const STEADY = { clients: Number(flags['steady-clients']), rate: Number(flags['steady-rate']), seconds: Number(flags['steady-seconds']) };
const ONLY = new Set(flags.only.split(','));

const TARGETS = {
  throughputVsWs: 0.85,
  p99VsWs: 1.5,
  steadyP99Ms: 50,
  redisScaling: 1.6,
};

// ---- processes ------------------------------------------------------------------------------

const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function startProcess(name, args, pattern) {
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH } });
  children.add(child);
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      const match = pattern.exec(output);
      if (match) {
        clearInterval(timer);
        resolve({
          name,
          url: match[1],
          pid: child.pid,
          output: () => output,
          rssBytes: () => rssOf(child.pid),
          cpuSeconds: () => cpuSecondsOf(child.pid),
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
              setTimeout(() => child.kill('SIGKILL'), 5000).unref();
            }).then(() => children.delete(child)),
        });
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`${name} exited before it was ready:\n${output}`));
      }
    }, 20);
  });
}

/** User + system CPU seconds a process has used so far. */
function cpuSecondsOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100;

function rssOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

const profileArgs = flags['cpu-prof'] === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', flags['cpu-prof']];
// Every load client comes from 127.0.0.1: the per-address caps (issue 18) would refuse all but the
// first hundred, so they are raised here and the benchmark keeps measuring the relay.
const ADDRESS_CAPS = [
  '--address-connections', '1000000', '--address-handshake-rate', '1000000', '--address-handshake-burst', '1000000',
  '--address-join-rate', '1000000', '--address-join-burst', '1000000',
];
const workbenchArgs = (extra = []) => [...profileArgs, CLI, '--port', '0', '--no-default-stun', '--log-level', 'error', '--log-format', 'json', ...ADDRESS_CAPS, ...extra];
const WORKBENCH_URL = /Local:\s+(http:\/\/127\.0\.0\.1:\d+)\//;

async function startSystem(kind) {
  if (kind === 'ws-baseline') {
    const relay = await startProcess('ws relay', [...profileArgs, join(HERE, 'ws-relay.mjs')], /listening (\d+)/);
    return { kind, urls: [`http://127.0.0.1:${relay.url}`], servers: [relay], Client: RawRelayClient, stop: () => relay.stop() };
  }
  if (kind === 'socketio-plain') {
    const relay = await startProcess('plain socket.io relay', [...profileArgs, join(HERE, 'socketio-relay.mjs')], /listening (\d+)/);
    return { kind, urls: [`http://127.0.0.1:${relay.url}`], servers: [relay], Client: SocketIoLite, stop: () => relay.stop() };
  }
  if (kind === 'workbench-1' || kind === 'workbench-1-compare') {
    const args = workbenchArgs();
    if (kind === 'workbench-1-compare') args[args.indexOf(CLI)] = flags['compare-cli'];
    const server = await startProcess(kind, args, WORKBENCH_URL);
    return { kind, urls: [server.url], servers: [server], Client: SocketIoLite, stop: () => server.stop() };
  }
  const redis = await startRedis();
  const redisArgs = () => {
    const args = workbenchArgs(['--redis-url', redis.url]);
    if (kind === 'workbench-2-redis-compare') args[args.indexOf(CLI)] = flags['compare-cli'];
    return args;
  };
  const servers = await Promise.all([0, 1].map((i) => startProcess(`${kind} ${i + 1}`, redisArgs(), WORKBENCH_URL)));
  return {
    kind,
    urls: servers.map((s) => s.url),
    servers,
    Client: SocketIoLite,
    stop: async () => {
      await Promise.all(servers.map((s) => s.stop()));
      await redis.stop();
    },
  };
}

const serverRss = (system) => system.servers.reduce((sum, server) => sum + server.rssBytes(), 0);
const serverCpu = (system) => system.servers.reduce((sum, server) => sum + server.cpuSeconds(), 0);

// ---- rooms ----------------------------------------------------------------------------------

/** K pairs joined to rooms; with two servers, a on i%2 and b on (i>>1)%2: half the pairs split. */
async function connectPairs(system, pairs, prefix) {
  const { urls, Client } = system;
  const connected = await inBatches(pairs, 50, async (i) => {
    const a = await Client.connect(urls[i % urls.length]);
    const b = await Client.connect(urls[(i >> 1) % urls.length]);
    return { room: `${prefix}-${i}`, a, b };
  });
  await inBatches(pairs, 100, async (i) => {
    const { room, a, b } = connected[i];
    const first = await a.join(room);
    const second = await b.join(room);
    if (!first.ok || !second.ok) throw new Error(`join of ${room} failed: ${JSON.stringify([first, second])}`);
  });
  return connected;
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * All systems run side by side and their rounds interleave (a round of each in turn, the order
 * rotating), so a change in the machine's load during the run hits every system alike: this
 * machine is shared, and back-to-back blocks measured minutes apart are not comparable.
 */
async function burstAll(kinds) {
  const states = [];
  try {
    for (const kind of kinds) {
      const system = await startSystem(kind);
      states.push({ kind, system, pairs: [], rounds: [] });
      await pause(500);
      const idle = serverRss(system);
      states.at(-1).pairs = await connectPairs(system, ROOMS, 'burst');
      await pause(500);
      states.at(-1).memoryPerClientKB = round3((serverRss(system) - idle) / (ROOMS * 2) / 1024);
    }
    // Unmeasured rounds first: JIT warm-up costs a big server more than a 60-line relay, and a
    // long-running server is warm.
    for (let r = 0; r < WARMUP_ROUNDS; r += 1) {
      for (const state of states) {
        await burstRound(state.pairs);
        await pause(300);
      }
    }
    for (let r = 0; r < ROUNDS; r += 1) {
      const order = states.map((_, i) => states[(i + r) % states.length]);
      for (const state of order) {
        const serverBefore = serverCpu(state.system);
        const driverBefore = process.cpuUsage();
        const round = await burstRound(state.pairs);
        const driver = process.cpuUsage(driverBefore);
        round.serverCpuMicrosPerMessage = round3(((serverCpu(state.system) - serverBefore) * 1e6) / round.delivered);
        round.loadGeneratorCpuMicrosPerMessage = round3((driver.user + driver.system) / round.delivered);
        round.loadAverage1m = round3(os.loadavg()[0]);
        state.rounds.push(round);
        // Lets rate limits refill (100/s per client) and the server settle between rounds.
        await pause(400);
      }
    }
  } finally {
    for (const state of states) {
      for (const { a, b } of state.pairs) {
        a.close();
        b.close();
      }
      await state.system.stop();
    }
  }
  const results = {};
  for (const { kind, system, rounds, memoryPerClientKB } of states) {
    const result = {
      processes: system.servers.length,
      clients: ROOMS * 2,
      messagesPerSecond: median(rounds.map((r) => r.messagesPerSecond)),
      latencyMs: {
        p50: median(rounds.map((r) => r.latencyMs.p50)),
        p95: median(rounds.map((r) => r.latencyMs.p95)),
        p99: median(rounds.map((r) => r.latencyMs.p99)),
      },
      serverCpuMicrosPerMessage: median(rounds.map((r) => r.serverCpuMicrosPerMessage)),
      loadGeneratorCpuMicrosPerMessage: median(rounds.map((r) => r.loadGeneratorCpuMicrosPerMessage)),
      delivered: rounds.reduce((n, r) => n + r.delivered, 0),
      expected: rounds.reduce((n, r) => n + r.expected, 0),
      serverMemoryPerClientKB: memoryPerClientKB,
      rounds,
    };
    console.log(
      `burst ${kind.padEnd(18)} ${String(result.messagesPerSecond).padStart(7)} msg/s  p50 ${result.latencyMs.p50} p95 ${result.latencyMs.p95} p99 ${result.latencyMs.p99} ms  ` +
        `${result.delivered}/${result.expected} delivered  ${result.serverMemoryPerClientKB} KB/client  ` +
        `CPU/msg server ${result.serverCpuMicrosPerMessage} us, load generator ${result.loadGeneratorCpuMicrosPerMessage} us`,
    );
    results[kind] = result;
  }
  return results;
}

async function steady(kind) {
  const system = await startSystem(kind);
  try {
    await pause(500);
    const idle = serverRss(system);
    const pairs = await connectPairs(system, STEADY.clients / 2, 'steady');
    await pause(1000);
    const connectedRss = serverRss(system);
    const senders = pairs.flatMap(({ a, b }) => [a, b]);
    const latencies = [];
    let measuring = false;
    let delivered = 0;
    for (const client of senders) {
      client.onMessage((message) => {
        delivered += 1;
        if (measuring) latencies.push(performance.now() - sentAt(message));
      });
    }
    const warmupMs = 1000;
    const startedAt = performance.now();
    let sent = 0;
    let cursor = 0;
    let measuredFrom = 0;
    let deliveredAtStart = 0;
    await new Promise((resolve) => {
      const tick = setInterval(() => {
        const elapsed = performance.now() - startedAt;
        if (!measuring && elapsed >= warmupMs) {
          measuring = true;
          measuredFrom = performance.now();
          deliveredAtStart = delivered;
        }
        if (elapsed >= warmupMs + STEADY.seconds * 1000) {
          clearInterval(tick);
          resolve();
          return;
        }
        const due = Math.floor((elapsed / 1000) * STEADY.rate);
        for (; sent < due; sent += 1) {
          senders[cursor].send(text(performance.now(), sent));
          cursor = (cursor + 1) % senders.length;
        }
      }, 5);
    });
    const measuredSeconds = (performance.now() - measuredFrom) / 1000;
    const deliveredInWindow = delivered - deliveredAtStart;
    await pause(1000);
    measuring = false;
    const sorted = Float64Array.from(latencies).sort();
    for (const client of senders) client.close();
    const result = {
      clients: STEADY.clients,
      targetMessagesPerSecond: STEADY.rate,
      deliveredMessagesPerSecond: Math.round(deliveredInWindow / measuredSeconds),
      seconds: STEADY.seconds,
      latencyMs: { p50: round3(percentile(sorted, 50)), p95: round3(percentile(sorted, 95)), p99: round3(percentile(sorted, 99)), max: round3(sorted.at(-1) ?? Number.NaN) },
      serverMemoryPerClientKB: round3((connectedRss - idle) / STEADY.clients / 1024),
      serverRssMB: round3(connectedRss / 1024 / 1024),
    };
    console.log(
      `steady ${kind.padEnd(17)} ${result.clients} clients, ${result.deliveredMessagesPerSecond}/${STEADY.rate} msg/s  p50 ${result.latencyMs.p50} p95 ${result.latencyMs.p95} p99 ${result.latencyMs.p99} ms  ${result.serverMemoryPerClientKB} KB/client`,
    );
    return result;
  } finally {
    await system.stop();
  }
}

// ---- run ------------------------------------------------------------------------------------

const loadAtStart = os.loadavg().map(round3);
let results = { burst: {}, steady: {} };
if (ONLY.has('burst')) {
  const systems = flags.systems.split(',');
  if (flags['compare-cli'] !== undefined) {
    if (systems.includes('workbench-1')) systems.push('workbench-1-compare');
    if (systems.includes('workbench-2-redis')) systems.push('workbench-2-redis-compare');
  }
  results.burst = await burstAll(systems);
}
if (ONLY.has('steady')) {
  // The raw relay and plain socket.io under the same steady load tell how much of the tail is this machine's.
  const kinds = flags['steady-systems'].split(',');
  if (flags['compare-cli'] !== undefined) kinds.push('workbench-1-compare');
  for (const kind of kinds) results.steady[kind] = await steady(kind);
}

const targets = [];
const ws = results.burst['ws-baseline'];
const one = results.burst['workbench-1'];
const two = results.burst['workbench-2-redis'];
if (ws && one) {
  const ratio = one.messagesPerSecond / ws.messagesPerSecond;
  targets.push({ name: 'throughput, one process, vs raw ws relay', target: `>= ${TARGETS.throughputVsWs}x`, measured: round3(ratio), pass: ratio >= TARGETS.throughputVsWs });
  const p99 = one.latencyMs.p99 / ws.latencyMs.p99;
  targets.push({ name: 'p99 relay latency, one process, vs raw ws relay', target: `<= ${TARGETS.p99VsWs}x`, measured: round3(p99), pass: p99 <= TARGETS.p99VsWs });
}
const steadyOne = results.steady['workbench-1'];
if (steadyOne) {
  const rateHeld = steadyOne.deliveredMessagesPerSecond >= 0.95 * STEADY.rate;
  targets.push({
    name: `p99 relay latency with ${steadyOne.clients} clients at a steady ${STEADY.rate} msg/s`,
    target: `<= ${TARGETS.steadyP99Ms} ms`,
    measured: steadyOne.latencyMs.p99,
    pass: steadyOne.clients >= 5000 && rateHeld && steadyOne.latencyMs.p99 <= TARGETS.steadyP99Ms,
  });
}
if (one && two) {
  const scaling = two.messagesPerSecond / one.messagesPerSecond;
  const cores = os.cpus().length;
  // Two server processes, Redis and this load generator need more cores than two to scale at all.
  const applicable = cores >= 8;
  targets.push({
    name: 'throughput, two processes with Redis, vs one process',
    target: `>= ${TARGETS.redisScaling}x where cores allow`,
    measured: round3(scaling),
    pass: applicable ? scaling >= TARGETS.redisScaling : null,
    ...(applicable ? {} : { note: `not applicable on ${cores} cores: both server processes, Redis and the load generator share them` }),
  });
}

const plain = results.burst['socketio-plain'];
const comparisons = {};
if (ws && plain && one) {
  comparisons.throughputVsWs = { 'socketio-plain': round3(plain.messagesPerSecond / ws.messagesPerSecond), 'workbench-1': round3(one.messagesPerSecond / ws.messagesPerSecond) };
  comparisons.p99VsWs = { 'socketio-plain': round3(plain.latencyMs.p99 / ws.latencyMs.p99), 'workbench-1': round3(one.latencyMs.p99 / ws.latencyMs.p99) };
  comparisons.serverCpuPerMessageVsWs = {
    'socketio-plain': round3(plain.serverCpuMicrosPerMessage / ws.serverCpuMicrosPerMessage),
    'workbench-1': round3(one.serverCpuMicrosPerMessage / ws.serverCpuMicrosPerMessage),
  };
}

const report = {
  schema: 1,
  date: new Date().toISOString(),
  machine: {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim(),
    node: process.version,
    loadAverage: { atStart: loadAtStart, atEnd: os.loadavg().map(round3) },
  },
  config: {
    burst: { rooms: ROOMS, clientsPerRoom: 2, rounds: ROUNDS, warmupRounds: WARMUP_ROUNDS, perRoomPerRound: { offer: 1, answer: 1, candidates: 2 * CANDIDATES, messages: 2 * BURST_MESSAGES }, messageBytes: MESSAGE_BYTES },
    steady: { ...STEADY, warmupSeconds: 1, messageBytes: MESSAGE_BYTES },
    clients: 'thin ws clients in this process for every system (Socket.IO protocol spoken directly for the workbench server), so client cost is the same on both sides',
    redisPairs: 'with two processes, half the rooms have one member on each process',
  },
  results,
  targets,
  comparisons,
};
mkdirSync(dirname(flags.out), { recursive: true });
writeFileSync(flags.out, `${JSON.stringify(report, null, 2)}\n`);
console.log('\ntarget'.padEnd(70), 'measured', 'pass');
for (const t of targets) console.log(`${t.name} (${t.target})`.padEnd(69), String(t.measured).padEnd(8), t.pass === null ? 'n/a' : t.pass ? 'PASS' : 'FAIL');
console.log(`\nwrote ${flags.out}`);
process.exit(0);
