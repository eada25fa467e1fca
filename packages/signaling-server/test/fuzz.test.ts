/**
 * Fuzzing the real server process (`node dist/cli.js`, default limits): hostile clients send
 * more than 10,000 random and malformed events — values from fast-check's `anything()`, wrong
 * types, oversized and deeply nested payloads, binary, unknown events, raw garbage frames, floods,
 * join/leave storms, attempts on the honest rooms — while honest pairs run a call-like exchange.
 * The server must stay up, every honest message must arrive once and in order, nothing may cross
 * rooms, and memory and state must return to what the honest clients alone account for.
 *
 * Deterministic for a seed: FUZZ_SEED=<n> replays a run (the seed is in every failure message).
 */
import type { SignalMessage } from '@workbench/core/protocol';
import { spawnManaged, type ManagedProcess } from '@workbench/testing';
import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, settle, until, type RecordingClient } from './helpers.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;
const HOSTILE_EVENTS = 10_500;
const HOSTILE_CLIENTS = 24;
const HONEST_PAIRS = 8;
const HONEST_TAG = 'honest:';

let server: ManagedProcess;
let url: string;

beforeAll(async () => {
  server = spawnManaged('workbench-server (fuzz)', process.execPath, [
    CLI, '--port', '0', '--no-default-stun', '--log-level', 'error', '--log-format', 'json',
    // Every client here is 127.0.0.1 and hostile ones reconnect constantly: this test is about what
    // the validator does with their events; the per-address caps have their own tests.
    '--address-connections', '10000', '--address-handshake-rate', '10000', '--address-handshake-burst', '10000',
    '--address-join-rate', '10000', '--address-join-burst', '10000',
  ], {
    env: { PATH: process.env.PATH },
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    const match = /Local:\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(server.output());
    if (match?.[1] !== undefined) {
      url = match[1];
      break;
    }
    if (Date.now() > deadline || server.child.exitCode !== null) throw new Error(`server did not start:\n${server.output()}`);
    await settle(25);
  }
}, 30_000);

afterAll(async () => {
  await server?.stop();
});

/** Small deterministic PRNG (mulberry32), so one seed replays the same attack. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function scrape(): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    const at = line.lastIndexOf(' ');
    values.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return values;
}

function nested(depth: number, leaf: unknown, asArray: boolean): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i += 1) value = asArray ? [value] : { type: 'offer', sdp: value };
  return value;
}

/** The honest side of one call: what a page sends during setup, then chat. */
function callScript(room: string, who: 'a' | 'b'): SignalMessage[] {
  const tag = `${HONEST_TAG}${room}:${who}`;
  const messages: SignalMessage[] = ['got user media'];
  messages.push({ type: who === 'a' ? 'offer' : 'answer', sdp: `v=0\r\no=- ${tag} 2 IN IP4 127.0.0.1\r\n${'a=x\r\n'.repeat(600)}` });
  for (let i = 0; i < 25; i += 1) {
    messages.push({ type: 'candidate', candidate: `candidate:${i} 1 udp 2122260223 192.0.2.${i} ${50000 + i} typ host`, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: tag });
  }
  for (let i = 0; i < 40; i += 1) messages.push({ type: 'text', text: `${tag}:${i}` });
  return messages;
}

/** What a received message says about where it came from, to detect crossings. */
function tagOf(message: unknown): string {
  const json = JSON.stringify(message) ?? '';
  const match = /honest:([\w-]+):([ab])/.exec(json);
  return match === null ? '' : `${match[1]}:${match[2]}`;
}

describe('fuzzing', () => {
  it(`stays up and loses nothing for honest pairs under ${HOSTILE_EVENTS} hostile events (seed ${SEED})`, async () => {
    const random = prng(SEED);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const anything = fc.sample(fc.anything({ maxDepth: 4, withBigInt: false, withTypedArray: true, withSparseArray: true }), { seed: SEED, numRuns: 400 });
    const why = `(seed ${SEED}; replay with FUZZ_SEED=${SEED})`;

    // Honest pairs first, joined, as a call would be.
    const honest: { room: string; a: RecordingClient; b: RecordingClient; useAck: boolean }[] = [];
    for (let i = 0; i < HONEST_PAIRS; i += 1) {
      const room = `call-${i}`;
      const a = await connectClient(url);
      const b = await connectClient(url);
      expect(await a.socket.timeout(5000).emitWithAck('create or join', room)).toMatchObject({ ok: true, role: 'created' });
      expect(await b.socket.timeout(5000).emitWithAck('create or join', room)).toMatchObject({ ok: true, role: 'joined' });
      honest.push({ room, a, b, useAck: i % 2 === 0 });
    }
    await settle(200);
    const before = await scrape();

    // Hostile clients: replaced whenever the server cuts one off.
    const hostileReceived: unknown[] = [];
    const hostile: RecordingClient[] = [];
    let sent = 0;
    let flooded = 0;
    let replaced = 0;
    let hostileCount = 0;
    const newHostile = async (): Promise<RecordingClient> => {
      const c = await connectClient(url);
      c.socket.on('message', (payload: unknown) => hostileReceived.push(payload));
      // Mostly in rooms of their own, so their messages get past NOT_IN_ROOM to validation.
      c.socket.emit('create or join', `h-${(hostileCount += 1) % 12}`);
      return c;
    };
    for (let i = 0; i < HOSTILE_CLIENTS; i += 1) hostile.push(await newHostile());

    const honestRooms = honest.map((h) => h.room);
    const hostileRooms = Array.from({ length: 12 }, (_, i) => `h-${i}`);
    type Raw = { emit(event: string, ...args: unknown[]): void };
    const attack = (c: RecordingClient): number => {
      const raw = c.socket as unknown as Raw;
      const roll = random();
      if (roll < 0.3) {
        raw.emit('message', pick(anything));
        return 1;
      }
      if (roll < 0.4) {
        raw.emit(pick(['create or join', 'bye', 'message']), pick(anything), pick(anything), pick(anything));
        return 1;
      }
      if (roll < 0.5) {
        // Join storms: leave, join a hostile room, try an honest (full) room or a bad name.
        raw.emit('bye');
        raw.emit('create or join', pick(hostileRooms));
        raw.emit('create or join', pick([...honestRooms, '', '../x', 'a'.repeat(65), 42, null]));
        return 3;
      }
      if (roll < 0.62) {
        raw.emit('message', pick([
          { type: 'text', text: 'spoof', from: pick(honest).a.socket.id },
          { type: 'offer', sdp: 'x'.repeat(70_000) },
          { type: 'candidate', candidate: 'c'.repeat(3000) },
          nested(2000, 'deep', random() < 0.5),
          { type: 'text', text: Buffer.from('binary') },
          Buffer.alloc(2048, 7),
          new Uint8Array([1, 2, 3]),
          { __proto__: { polluted: true }, type: 'text', text: 'proto' },
          'got user media',
          'bye',
        ]));
        return 1;
      }
      if (roll < 0.7) {
        raw.emit(pick(['ipaddr', 'join', 'ready', 'full', 'signaling error', `x${Math.floor(random() * 1e6)}`, '']), pick(anything));
        return 1;
      }
      if (roll < 0.72) {
        // Far past the frame limit: socket.io hangs up on this one.
        raw.emit('message', { type: 'offer', sdp: 'y'.repeat(300_000) });
        return 1;
      }
      if (roll < 0.74) {
        // Raw Engine.IO frames that are not valid Socket.IO packets.
        // Reserved names too, which socket.io-client itself refuses to send.
        c.socket.io.engine.write(
          pick(['2[', '2["message"', '9', '2{"a":1}', '21[]', '5-["x"]', '0/nope,', '2["disconnect"]', '2["connect",{}]', '1', String.fromCharCode(0, 1, 2)]),
        );
        return 1;
      }
      if (roll < 0.99) {
        raw.emit('message', { type: 'text', text: `hostile ${Math.floor(random() * 1e6)}` });
        return 1;
      }
      // A flood: far more than the burst allows (counted apart, so it cannot make up the 10,000).
      for (let i = 0; i < 250; i += 1) raw.emit('message', { type: 'text', text: `flood ${i}` });
      flooded += 250;
      return 0;
    };

    const honestRun = Promise.all(
      honest.map(async ({ room, a, b, useAck }) => {
        for (const [side, socket] of [['a', a.socket], ['b', b.socket]] as const) {
          void (async () => {
            for (const message of callScript(room, side)) {
              if (useAck) expect(await socket.timeout(10_000).emitWithAck('message', message), why).toEqual({ ok: true });
              else socket.emit('message', message);
              await settle(15);
            }
          })();
        }
        const expected = callScript(room, 'a').length;
        await until(() => b.of('message').length >= expected && a.of('message').length >= expected, 60_000, `honest messages in ${room} ${why}`);
      }),
    );

    while (sent < HOSTILE_EVENTS) {
      for (const [i, c] of hostile.entries()) {
        if (!c.socket.connected) {
          hostile[i] = await newHostile();
          replaced += 1;
          continue;
        }
        sent += attack(c);
      }
      await settle(5);
    }
    await honestRun;
    await settle(500);
    expect(server.child.exitCode, `server exited ${why}\n${server.output()}`).toBeNull();

    // Every honest message arrived, once, in order, from the peer, and nothing else did.
    for (const { room, a, b } of honest) {
      for (const [receiver, sender, side] of [[b, a, 'a'], [a, b, 'b']] as const) {
        expect(receiver.of('message').map(([payload]) => payload), `${room} ${side} ${why}`).toEqual(callScript(room, side));
        expect(receiver.of('message').every(([, from]) => from === sender.socket.id), why).toBe(true);
        expect(receiver.of('signaling error'), why).toEqual([]);
        expect(receiver.of('bye'), why).toEqual([]);
        expect(receiver.of('ready'), why).toEqual([[room]]);
      }
    }
    expect(hostileReceived.filter((payload) => tagOf(payload) !== ''), `honest traffic reached a hostile client ${why}`).toEqual([]);

    // Once the hostile clients are gone, the server holds only what the honest ones account for.
    for (const c of hostile) c.socket.disconnect();
    await until(async () => (await scrape()).get('signaling_connected_clients') === HONEST_PAIRS * 2, 10_000, 'the hostile clients to be gone').catch(() => {});
    const after = await scrape();
    expect(after.get('signaling_connected_clients'), why).toBe(HONEST_PAIRS * 2);
    expect(after.get('signaling_rooms'), why).toBe(HONEST_PAIRS);
    const heapGrowth = (after.get('nodejs_heap_used_bytes') ?? 0) - (before.get('nodejs_heap_used_bytes') ?? 0);
    expect(heapGrowth, `heap grew by ${heapGrowth} bytes ${why}`).toBeLessThan(48 * 1024 * 1024);
    expect(after.get('process_resident_memory_bytes') ?? Infinity, why).toBeLessThan(400 * 1024 * 1024);
    // The attack really reached the limits and validation, not just the network.
    const rejected = [...after.entries()].filter(([name]) => name.startsWith('signaling_rejections_total')).reduce((n, [, v]) => n + v, 0);
    expect(sent).toBeGreaterThanOrEqual(HOSTILE_EVENTS);
    expect(flooded).toBeGreaterThan(0);
    console.info(`fuzz ${why}: ${sent} hostile events + ${flooded} flood messages, ${replaced} hostile clients cut off and replaced`, Object.fromEntries([...after].filter(([name]) => name.startsWith('signaling_rejections'))));
    expect(rejected, why).toBeGreaterThan(3000);
    expect(after.get('signaling_rejections_total{reason="flood_disconnect"}') ?? 0, why).toBeGreaterThan(0);
    expect(replaced, why).toBeGreaterThan(0);

    for (const { a, b } of honest) {
      a.socket.disconnect();
      b.socket.disconnect();
    }
  }, 150_000);
});
