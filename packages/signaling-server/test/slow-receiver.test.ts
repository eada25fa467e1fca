/**
 * Memory a client can make the server hold (issue 18, finding 5): a receiver that stops reading
 * while its peer keeps sending, and a sender pushing more bytes per second than signaling needs.
 * The receiver here is a real socket.io client whose TCP socket is paused: it stays connected and
 * never reads, which is what a frozen tab or a hostile client looks like from the server.
 */
import type { Socket as NetSocket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectClient, settle, startTestServer, until, type RecordingClient, type TestServer } from './helpers.js';

let server: TestServer | undefined;
let clients: RecordingClient[] = [];
let timers: NodeJS.Timeout[] = [];

afterEach(async () => {
  for (const timer of timers) clearInterval(timer);
  timers = [];
  for (const client of clients) client.socket.disconnect();
  clients = [];
  await server?.stop();
  server = undefined;
});

async function client(url: string): Promise<RecordingClient> {
  const connected = await connectClient(url);
  clients.push(connected);
  return connected;
}

/** The TCP socket under a Node socket.io client's WebSocket (engine.io-client on `ws`). */
function tcpOf(c: RecordingClient): NetSocket {
  const transport = c.socket.io.engine.transport as unknown as { ws?: { _socket?: NetSocket } };
  const socket = transport.ws?._socket;
  if (socket === undefined) throw new Error('no TCP socket under the client (not on the websocket transport?)');
  return socket;
}

/** What the server holds for one client: engine.io's unsent packets and the TCP socket's unflushed bytes. */
function queuedBytes(conn: unknown): number {
  const engine = conn as { writeBuffer: { data?: unknown }[]; transport: { socket?: { _socket?: { writableLength?: number } } } };
  let bytes = engine.transport.socket?._socket?.writableLength ?? 0;
  for (const packet of engine.writeBuffer) if (typeof packet.data === 'string') bytes += packet.data.length;
  return bytes;
}

type Answer = { ok: true } | { ok: false; error: { code: string; message: string } };

const TEXT = 'x'.repeat(4000);
const CAP = 512 * 1024;

describe('a receiver that stops reading', () => {
  it('is disconnected once more than the cap waits for it, its queue never grows past about the cap, and the sender is told SLOW_RECEIVER', async () => {
    server = await startTestServer({
      maxQueuedBytes: CAP,
      // The attack as found: the sender pushes ~6 MB/s, far past the default byte budget, so that
      // the queue cap (not the sender's budget) is what this test exercises.
      rateLimits: { messages: { burst: 5000, perSecond: 5000 }, messageBytes: { burst: 64 * 1024 * 1024, perSecond: 64 * 1024 * 1024 } },
    });
    const sender = await client(server.url);
    const receiver = await client(server.url);
    await sender.socket.timeout(5000).emitWithAck('create or join', 'slow');
    await receiver.socket.timeout(5000).emitWithAck('create or join', 'slow');
    const receiverId = receiver.socket.id as string;
    tcpOf(receiver).pause();

    const answers: Answer[] = [];
    timers.push(
      setInterval(() => {
        for (let i = 0; i < 30; i += 1) {
          void sender.socket
            .timeout(20_000)
            .emitWithAck('message', { type: 'text', text: TEXT })
            .then((answer) => answers.push(answer as Answer), () => {});
        }
      }, 20),
    );

    // What the server holds for the receiver, sampled while the sender keeps going.
    let largest = 0;
    const io = server.io;
    await until(
      () => {
        const held = io.of('/').sockets.get(receiverId);
        if (held === undefined) return true;
        largest = Math.max(largest, queuedBytes(held.conn));
        return false;
      },
      20_000,
      'the server to cut off the receiver that does not read',
    );
    for (const timer of timers) clearInterval(timer);

    // Bounded by the cap: a batch already handed to TCP plus one checked queue, plus one message.
    expect(largest).toBeLessThanOrEqual(2 * CAP + 64 * 1024);
    await until(() => answers.some((a) => !a.ok), 10_000, 'a refusal to the sender');
    const refusals = answers.filter((a): a is Extract<Answer, { ok: false }> => !a.ok);
    expect(refusals[0]?.error).toMatchObject({ code: 'SLOW_RECEIVER', message: expect.stringContaining(receiverId) });
    await until(() => sender.of('bye').length > 0, 10_000, "the sender hearing the receiver's bye");
    expect(sender.of('bye')).toEqual([['slow', receiverId]]);
    expect(server.metrics.rejected('slow_receiver')).toBeGreaterThanOrEqual(1);
    expect(server.rooms.members('slow').map((m) => m.clientId)).toEqual([sender.socket.id]);
  }, 60_000);
});

describe('bytes per second per sender', () => {
  it('refuses messages past the byte budget with RATE_LIMITED and relays only those within it', async () => {
    server = await startTestServer({ rateLimits: { messageBytes: { burst: 70_000, perSecond: 1000 } } });
    const a = await client(server.url);
    const b = await client(server.url);
    await a.socket.timeout(5000).emitWithAck('create or join', 'bytes');
    await b.socket.timeout(5000).emitWithAck('create or join', 'bytes');

    const answers: Answer[] = [];
    for (let i = 0; i < 30; i += 1) answers.push((await a.socket.timeout(5000).emitWithAck('message', { type: 'text', text: `${i} ${TEXT}` })) as Answer);
    const accepted = answers.filter((x) => x.ok).length;
    // 70,000 bytes of budget, each message a little over 4,000: 17 fit, and the refill (1,000/s) adds none in time.
    expect(accepted).toBeGreaterThanOrEqual(16);
    expect(accepted).toBeLessThanOrEqual(18);
    const refused = answers.slice(accepted);
    for (const answer of refused) expect(answer).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', message: expect.stringMatching(/at most 1000 bytes of messages per second/) } });
    await until(() => b.of('message').length >= accepted, 5000, 'every accepted message');
    await settle(300);
    expect(b.of('message')).toHaveLength(accepted);
  }, 30_000);
});
