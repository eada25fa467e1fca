/**
 * Soak test (issue 18, "signaling under attack"): the real server process, `node dist/cli.js` with
 * its default limits, carries five honest pairs while a slow consumer, an attachment hoarder and a
 * connection flood run at once. What it bounds: no honest message is lost, the honest p99 relay
 * latency under attack stays within 3× the idle p99, and the server's RSS (read from /proc, which
 * is why the server is a process of its own) stays under a fixed bound for the whole run.
 *
 * Every actor has its own source address (Linux routes all of 127/8 to lo; each client binds one as
 * its local address), because the per-address caps are part of the defence: the flood must meet
 * them, and the honest pairs must not share a budget with it.
 *
 * vitest.config.ts runs this file alone, after all the others: its verdict compares two phases of
 * one run, and another test file on the same two cores during one phase would decide it.
 */
import { SignalingErrorCode, type Ack, type SignalMessage } from '@workbench/core/protocol';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Socket as NetSocket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Client } from './helpers.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

const HONEST_ADDRESS = '127.0.0.3';
const FLOOD_ADDRESS = '127.0.0.2';
const HOARDER_ADDRESS = '127.0.0.4';
const SLOW_ADDRESS = '127.0.0.5';

const PAIRS = 5;
/** Each member of each honest pair sends one message every 50 ms: 20 a second each way. */
const HONEST_INTERVAL_MS = 50;
/** Samples from the first second are dropped: they time JIT warm-up, not the server. */
const WARM_UP_MS = 1_000;
const IDLE_MS = 10_000;
const ATTACK_MS = 35_000;
const RSS_SAMPLE_MS = 250;

/**
 * The attack p99 may be 3× the idle p99, and never has to be under idle + this. The idle p99 on
 * loopback is 3–7 ms, where 3× is one scheduler hiccup: two cores carry the server, the honest
 * clients and every attacker here, so some of the delay is the test's own. With the fixes the
 * attack p99 measured 4–5 ms on a quiet machine (it does not rise at all); the unfixed server gave
 * 107 ms against an idle 6.9 ms, but on a machine with nothing else running only 9.4 against 3.3,
 * so the memory and cap checks below, not this one, are what reliably catch that server.
 */
const P99_FLOOR_MS = 15;
/**
 * The server's RSS must stay under this for the whole run. With the fixes it starts near 72 MB,
 * is about 82 MB after the idle phase and peaks at 105–111 MB under this attack (the V8 heap grows
 * with the attack's garbage until a major GC). Before the fixes the same run reached 305–329 MB
 * within the 35 s and was still climbing ~5 MB/s (the issue measured +270 MB in 45 s behind one
 * slow receiver, and 460 MB with 300 hoarders).
 */
const RSS_LIMIT_MB = 150;

let server: ChildProcess | undefined;
const cleanups: (() => void)[] = [];

afterAll(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  if (server?.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
});

/** Starts `node dist/cli.js --port 0` and resolves with its URL once it prints one. */
async function startServerProcess(): Promise<{ pid: number; url: string; port: number }> {
  // A clean environment: a PORT or a limit in the developer's shell must not change what is measured.
  const child = spawn(process.execPath, [CLI, '--port', '0', '--no-default-stun', '--log-level', 'error'], {
    env: { PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server = child;
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 15_000;
  for (;;) {
    const match = /Local:\s+(http:\/\/127\.0\.0\.1:(\d+))\//.exec(output);
    if (match?.[1] !== undefined && child.pid !== undefined) return { pid: child.pid, url: match[1], port: Number(match[2]) };
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output}`);
    if (Date.now() > deadline) throw new Error(`server printed no URL within 15 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Resident memory of `pid` in MB, from the kernel's own accounting. */
function rssMb(pid: number): number {
  const line = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (line?.[1] === undefined) throw new Error(`no VmRSS for ${pid}`);
  return Number(line[1]) / 1024;
}

/** CPU seconds `pid` has used (user + system), for the figures: how hard the attack made it work. */
function cpuSeconds(pid: number): number {
  // Fields after the command name, which is in parentheses and may hold spaces; utime and stime are the 12th and 13th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function connect(url: string, localAddress: string): Promise<Client> {
  const socket: Client = io(url, { forceNew: true, reconnection: false, transports: ['websocket'], localAddress } as Parameters<typeof io>[1]);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

async function join(socket: Client, room: string): Promise<void> {
  const answer = await socket.timeout(5000).emitWithAck('create or join', room);
  if (!answer.ok) throw new Error(`join ${room} refused: ${answer.error.message}`);
}

/** One direction of an honest pair. */
interface Direction {
  sent: number;
  acked: number;
  refused: string[];
  received: number;
  /** Arrivals whose sequence number was not the next one: a relay that drops or reorders shows here. */
  misordered: number;
}

interface Sample {
  sentAt: number;
  ms: number;
}

/**
 * Five rooms of two, every member sending a small text (about a candidate's size) to its peer every
 * 50 ms with its send time in it; the peer records send → receive. Same process, same clock.
 */
async function startHonestPairs(url: string, samples: Sample[]): Promise<{ directions: Direction[]; stop(): void; disconnect(): void }> {
  const directions: Direction[] = [];
  const clients: Client[] = [];
  const timers: NodeJS.Timeout[] = [];
  for (let pair = 0; pair < PAIRS; pair += 1) {
    const a = await connect(url, HONEST_ADDRESS);
    const b = await connect(url, HONEST_ADDRESS);
    clients.push(a, b);
    await join(a, `soak-honest-${pair}`);
    await join(b, `soak-honest-${pair}`);
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      const direction: Direction = { sent: 0, acked: 0, refused: [], received: 0, misordered: 0 };
      directions.push(direction);
      to.on('message', (message: SignalMessage) => {
        const receivedAt = performance.now();
        if (typeof message !== 'object' || message.type !== 'text') return;
        const [seq = Number.NaN, sentAt = Number.NaN] = message.text.split(' ').map(Number);
        if (seq !== direction.received) direction.misordered += 1;
        direction.received += 1;
        samples.push({ sentAt, ms: receivedAt - sentAt });
      });
      timers.push(
        setInterval(() => {
          const seq = direction.sent;
          direction.sent += 1;
          from.emit('message', { type: 'text', text: `${seq} ${performance.now()} ${'c'.repeat(200)}` }, (answer: Ack) => {
            if (answer.ok) direction.acked += 1;
            else direction.refused.push(answer.error.code);
          });
        }, HONEST_INTERVAL_MS),
      );
    }
  }
  return {
    directions,
    stop: () => timers.forEach(clearInterval),
    disconnect: () => clients.forEach((c) => c.disconnect()),
  };
}

/** The TCP socket under a Node socket.io client's WebSocket (engine.io-client on `ws`). */
function tcpOf(socket: Client): NetSocket {
  const transport = socket.io.engine.transport as unknown as { ws?: { _socket?: NetSocket } };
  const tcp = transport.ws?._socket;
  if (tcp === undefined) throw new Error('no TCP socket under the client (not on the websocket transport?)');
  return tcp;
}

/**
 * (a) A slow consumer: a receiver whose TCP socket is paused (connected, never reading: a frozen
 * tab, or a client that wants the server to keep its mail), and its peer pushing 48 KB offers as
 * fast as the server lets it: two every 20 ms (the message rate limit, 100/s), backing off for a
 * second whenever it is told RATE_LIMITED, so that the byte budget slows it without getting it cut
 * off for flooding. Each receiver the server evicts is replaced, so the pressure lasts the phase.
 */
function startSlowConsumer(url: string): { stats: { evictions: number; notices: number; receivers: number; senderCut: boolean }; stop(): void } {
  const stats = { evictions: 0, notices: 0, receivers: 0, senderCut: false };
  const big: SignalMessage = { type: 'offer', sdp: 'v=0\r\n'.padEnd(48_000, 'a') };
  let running = true;
  let sender: Client | undefined;
  let receiver: Client | undefined;
  let backoffUntil = 0;
  let timer: NodeJS.Timeout | undefined;

  const addReceiver = async () => {
    const next = await connect(url, SLOW_ADDRESS);
    if (!running) {
      next.disconnect();
      return;
    }
    await join(next, 'soak-slow');
    tcpOf(next).pause();
    receiver = next;
    stats.receivers += 1;
  };
  // The server's 'bye' for the paused receiver means it was cut off: it cannot leave by itself.
  // Matched by id, so that a late 'bye' for one receiver is not counted against its successor.
  const onBye = (_room: string, clientId: string) => {
    if (!running || receiver === undefined || clientId !== receiver.id) return;
    stats.evictions += 1;
    tcpOf(receiver).destroy();
    receiver.disconnect();
    receiver = undefined;
    void addReceiver();
  };

  void (async () => {
    sender = await connect(url, SLOW_ADDRESS);
    sender.on('disconnect', () => (stats.senderCut ||= running));
    // The reason comes as an event when the server's sweep found the receiver, in the refused ack when a relay did.
    sender.on('signaling error', (error) => {
      if (error.code === SignalingErrorCode.SlowReceiver) stats.notices += 1;
    });
    sender.on('bye', onBye);
    await join(sender, 'soak-slow');
    await addReceiver();
    timer = setInterval(() => {
      if (receiver === undefined || performance.now() < backoffUntil) return;
      for (let i = 0; i < 2; i += 1) {
        sender?.emit('message', big, (answer: Ack) => {
          if (answer.ok) return;
          if (answer.error.code === SignalingErrorCode.RateLimited) backoffUntil = performance.now() + 1000;
          if (answer.error.code === SignalingErrorCode.SlowReceiver) stats.notices += 1;
        });
      }
    }, 20);
  })();

  return {
    stats,
    stop: () => {
      running = false;
      clearInterval(timer);
      if (receiver !== undefined) tcpOf(receiver).destroy();
      receiver?.disconnect();
      sender?.disconnect();
    },
  };
}

/**
 * A raw engine.io WebSocket from `localAddress`, with no socket.io client in the way, so that any
 * frame can be written. It answers the server's pings, as a patient attacker would. `onOpen` runs
 * when the upgrade is accepted, `onRefused` when the handshake is refused.
 */
function rawSocket(
  port: number,
  localAddress: string,
  handlers: { onOpen?(ws: WebSocket): void; onText?(ws: WebSocket, text: string): void; onClose?(): void; onRefused?(): void },
): WebSocket {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`, { localAddress });
  let opened = false;
  ws.on('open', () => {
    opened = true;
    handlers.onOpen?.(ws);
  });
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) return;
    const text = data.toString();
    if (text === '2') ws.send('3');
    else handlers.onText?.(ws, text);
  });
  ws.on('error', () => {}); // a refusal or a reset; 'close' follows and says which
  ws.on('close', () => (opened ? handlers.onClose?.() : handlers.onRefused?.()));
  return ws;
}

/**
 * (b) An attachment hoarder: 50 sockets, each announcing a binary event with 9 attachments, then
 * trickling 120 KB attachment frames, one every 50 ms, never the ninth. The stock socket.io parser
 * keeps every attachment until the last one arrives; this server refuses the header and closes
 * the socket. A closed hoarder reconnects, so the per-address handshake cap keeps meeting it.
 */
function startHoarders(port: number): {
  stats: { headers: number; closedByServer: number; refused: number; slowestCloseMs: number; open(): number };
  stop(): void;
} {
  const attachment = Buffer.alloc(120 * 1024, 0x61);
  const open = new Set<WebSocket>();
  const stats = { headers: 0, closedByServer: 0, refused: 0, slowestCloseMs: 0, open: () => open.size };
  const timers = new Set<NodeJS.Timeout>();
  let running = true;
  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  const hoard = () => {
    if (!running) return;
    let headerAt: number | undefined;
    const ws = rawSocket(port, HOARDER_ADDRESS, {
      onOpen: (socket) => {
        // Opened after the phase ended: not part of the attack.
        if (!running) {
          socket.terminate();
          return;
        }
        open.add(socket);
        socket.send('40'); // socket.io CONNECT to the main namespace
      },
      onText: (socket, text) => {
        if (!text.startsWith('40')) return; // CONNECT accepted
        headerAt = performance.now();
        stats.headers += 1;
        // engine.io MESSAGE (4) carrying socket.io BINARY_EVENT (5) with 9 attachments to follow.
        socket.send('459-["message",{"_placeholder":true,"num":0}]');
        let sent = 0;
        const trickle = () => {
          if (socket.readyState !== WebSocket.OPEN || sent === 8) return;
          socket.send(attachment);
          sent += 1;
          later(50, trickle);
        };
        later(50, trickle);
      },
      onClose: () => {
        open.delete(ws);
        if (!running) return;
        if (headerAt !== undefined) {
          stats.closedByServer += 1;
          stats.slowestCloseMs = Math.max(stats.slowestCloseMs, performance.now() - headerAt);
        }
        later(100, hoard);
      },
      onRefused: () => {
        stats.refused += 1;
        later(1000, hoard);
      },
    });
  };
  for (let i = 0; i < 50; i += 1) hoard();

  return {
    stats,
    stop: () => {
      running = false;
      for (const timer of timers) clearTimeout(timer);
      for (const ws of open) ws.terminate();
    },
  };
}

/**
 * (c) A connection flood: five new WebSockets every 100 ms (50/s) from one address, each kept open
 * once accepted. The defaults let one address hold 100 connections and open 10 a second after a
 * burst of 50, so nearly all of these must be refused.
 */
function startFlood(port: number): { stats: { attempts: number; accepted: number; refused: number; mostOpen: number }; stop(): void } {
  const open = new Set<WebSocket>();
  const stats = { attempts: 0, accepted: 0, refused: 0, mostOpen: 0 };
  let running = true;
  const timer = setInterval(() => {
    for (let i = 0; i < 5; i += 1) {
      stats.attempts += 1;
      const ws: WebSocket = rawSocket(port, FLOOD_ADDRESS, {
        onOpen: () => {
          if (!running) {
            ws.terminate();
            return;
          }
          stats.accepted += 1;
          open.add(ws);
          stats.mostOpen = Math.max(stats.mostOpen, open.size);
        },
        onClose: () => open.delete(ws),
        onRefused: () => (stats.refused += 1),
      });
    }
  }, 100);
  return {
    stats,
    stop: () => {
      running = false;
      clearInterval(timer);
      for (const ws of open) ws.terminate();
    },
  };
}

describe.sequential('soak: honest pairs while a slow consumer, an attachment hoarder and a connection flood run', () => {
  it('loses no honest message, keeps their p99 within 3× idle and the server RSS under the bound', async () => {
    const { pid, url, port } = await startServerProcess();
    const rss: number[] = [rssMb(pid)];
    const sampler = setInterval(() => rss.push(rssMb(pid)), RSS_SAMPLE_MS);
    cleanups.push(() => clearInterval(sampler));

    // Phase 1: the honest pairs alone.
    const samples: Sample[] = [];
    const honest = await startHonestPairs(url, samples);
    cleanups.push(honest.stop, honest.disconnect);
    await sleep(WARM_UP_MS);
    const idleFrom = performance.now();
    const idleCpuFrom = cpuSeconds(pid);
    await sleep(IDLE_MS);
    const idleRss = rss.at(-1) ?? Number.NaN;
    const attackCpuFrom = cpuSeconds(pid);

    // Phase 2: the same, with all three attacks at once.
    const attackFrom = performance.now();
    const slow = startSlowConsumer(url);
    const hoarders = startHoarders(port);
    const flood = startFlood(port);
    cleanups.push(slow.stop, hoarders.stop, flood.stop);
    await sleep(ATTACK_MS);
    const attackUntil = performance.now();
    const attackCpu = cpuSeconds(pid) - attackCpuFrom;
    // Counted before teardown: a hoarder still open now is one the server never closed.
    const hoardersOpen = hoarders.stats.open();
    honest.stop();
    slow.stop();
    hoarders.stop();
    flood.stop();

    // The last honest messages arrive within a few ms; a lost one never does, and the wait ends at the deadline.
    const deadline = performance.now() + 5_000;
    const pending = () => honest.directions.some((d) => d.received < d.sent || d.acked + d.refused.length < d.sent);
    while (pending() && performance.now() < deadline) await sleep(20);
    clearInterval(sampler);

    const idle = samples.filter((s) => s.sentAt >= idleFrom && s.sentAt < attackFrom).map((s) => s.ms);
    const attacked = samples.filter((s) => s.sentAt >= attackFrom && s.sentAt < attackUntil).map((s) => s.ms);
    const idleP99 = percentile(idle, 99);
    const attackP99 = percentile(attacked, 99);
    const maxRss = Math.max(...rss);
    const round = (_key: string, value: unknown) => (typeof value === 'number' ? Math.round(value * 10) / 10 : value);
    const figures = {
      idleMs: { samples: idle.length, p50: percentile(idle, 50), p99: idleP99 },
      attackMs: { samples: attacked.length, p50: percentile(attacked, 50), p99: attackP99, max: Math.max(...attacked) },
      rssMb: { start: rss[0], idle: idleRss, max: maxRss, end: rss.at(-1) },
      serverCpuPercent: { idle: ((attackCpuFrom - idleCpuFrom) / (IDLE_MS / 1000)) * 100, attack: (attackCpu / (ATTACK_MS / 1000)) * 100 },
      slow: slow.stats,
      hoarders: { ...hoarders.stats, open: hoardersOpen },
      flood: flood.stats,
    };
    console.info(`soak figures: ${JSON.stringify(figures, round)}`);

    // Soft: one run takes a minute, so a failing one reports every bound it broke.
    // No honest message lost, refused or reordered, under attack or not.
    const totals = honest.directions.reduce((t, d) => ({ sent: t.sent + d.sent, acked: t.acked + d.acked, received: t.received + d.received, misordered: t.misordered + d.misordered }), {
      sent: 0,
      acked: 0,
      received: 0,
      misordered: 0,
    });
    expect.soft(honest.directions.flatMap((d) => d.refused), 'honest messages refused').toEqual([]);
    expect.soft(totals, 'honest messages lost or reordered').toEqual({ sent: totals.sent, acked: totals.sent, received: totals.sent, misordered: 0 });
    // Both phases really ran at the honest rate (a stalled test process would send less and prove nothing).
    expect.soft(idle.length).toBeGreaterThan(PAIRS * 2 * (IDLE_MS / HONEST_INTERVAL_MS) * 0.8);
    expect.soft(attacked.length).toBeGreaterThan(PAIRS * 2 * (ATTACK_MS / HONEST_INTERVAL_MS) * 0.8);

    // (a) the slow consumer was cut off, and its sender told why.
    expect.soft(slow.stats.evictions, 'slow consumers evicted').toBeGreaterThanOrEqual(1);
    expect.soft(slow.stats.notices, 'SLOW_RECEIVER notices to the sender').toBeGreaterThanOrEqual(1);
    // (b) every hoarder that announced attachments was closed, within a second of its header.
    expect.soft(hoarders.stats.headers, 'hoarder headers sent').toBeGreaterThan(0);
    expect.soft(hoardersOpen, 'hoarders the server left open').toBe(0);
    expect.soft(hoarders.stats.slowestCloseMs, 'slowest hoarder close (ms)').toBeLessThan(1000);
    // (c) the flood met the per-address caps: never more than 100 open, nearly every attempt refused.
    expect.soft(flood.stats.mostOpen, 'flood connections open at once').toBeLessThanOrEqual(100);
    expect.soft(flood.stats.refused / flood.stats.attempts, 'share of the flood refused').toBeGreaterThan(0.9);

    expect.soft(attackP99, `honest p99 under attack (idle p99 ${idleP99.toFixed(1)} ms)`).toBeLessThanOrEqual(Math.max(3 * idleP99, idleP99 + P99_FLOOR_MS));
    expect.soft(maxRss, 'server RSS, MB').toBeLessThan(RSS_LIMIT_MB);
  }, 75_000);
});
