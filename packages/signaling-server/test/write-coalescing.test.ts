// A burst relayed to one client leaves the server as one corked batch, complete and in order.
import type { Socket as NetSocket } from 'node:net';
import { expect, it } from 'vitest';
import { connectClient, startTestServer, until, type RecordingClient } from './helpers.js';

interface EngineConn {
  id: string;
  transport: { name: string; socket?: { _socket?: NetSocket } };
}

it('writes a queued batch of frames to a WebSocket client with the TCP socket corked, and uncorks it right after', async () => {
  const server = await startTestServer();
  const clients: RecordingClient[] = [];
  try {
    const a = await connectClient(server.url, { transports: ['websocket'] });
    clients.push(a);
    const b = await connectClient(server.url, { transports: ['websocket'] });
    clients.push(b);
    await a.socket.timeout(5000).emitWithAck('create or join', 'burst');
    await b.socket.timeout(5000).emitWithAck('create or join', 'burst');

    // Listeners added after the server's own run after them: inside a flush, and after its drain.
    const corkedDuringFlush: number[] = [];
    const corkedAfterDrain: number[] = [];
    const tcp = (conn: EngineConn) => conn.transport.socket?._socket;
    server.io.engine.on('flush', (conn: EngineConn, writeBuffer: unknown[]) => {
      if (conn.id === b.socket.io.engine.id && writeBuffer.length > 1) corkedDuringFlush.push(tcp(conn)?.writableCorked ?? -1);
    });
    server.io.engine.on('drain', (conn: EngineConn) => {
      if (conn.id === b.socket.io.engine.id) corkedAfterDrain.push(tcp(conn)?.writableCorked ?? -1);
    });

    const burst = 60;
    for (let i = 0; i < burst; i += 1) a.socket.emit('message', { type: 'text', text: `m${i}` });
    await until(() => b.of('message').length === burst, 10_000, 'the whole burst');

    expect(b.of('message').map(([message]) => (message as { text: string }).text)).toEqual(Array.from({ length: burst }, (_, i) => `m${i}`));
    // At least one flush carried several frames (they queue behind the first write) and was corked.
    expect(corkedDuringFlush.length).toBeGreaterThan(0);
    expect(corkedDuringFlush.every((count) => count === 1)).toBe(true);
    expect(corkedAfterDrain.every((count) => count === 0)).toBe(true);
  } finally {
    for (const client of clients) client.socket.disconnect();
    await server.stop();
  }
});
