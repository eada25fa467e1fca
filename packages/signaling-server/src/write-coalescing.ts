/**
 * One system call per batch of outgoing WebSocket frames instead of one per frame.
 *
 * engine.io queues what a client is sent while the previous write is in flight, then hands the
 * whole queue to the transport at once (its `flush`); the WebSocket transport writes each packet
 * with its own `ws.send`, and each of those goes to the kernel as its own `writev`. In a burst (a
 * peer's offer, twenty candidates and chat arriving in one TCP read) that was a third of the
 * server's CPU. Corking the TCP socket for the length of one flush makes Node write the batch in
 * one `writev`: the same bytes in the same order, in the same event-loop turn (no added latency,
 * unlike Nagle's algorithm, which stays off).
 *
 * Uses engine.io's public `flush` and `drain` server events (emitted right before and right after
 * the transport is handed the batch) and ws's `_socket`, the TCP socket under a WebSocket, which
 * ws has kept under that name since its first versions; if it is ever missing, writes simply are
 * not coalesced.
 */
import type { Socket as NetSocket } from 'node:net';

/** The parts of engine.io's server and socket this needs. */
interface EngineLike {
  on(event: 'flush', listener: (conn: EngineSocketLike, writeBuffer: readonly unknown[]) => void): unknown;
  on(event: 'drain', listener: (conn: EngineSocketLike) => void): unknown;
}

interface EngineSocketLike {
  transport: { name: string; socket?: { _socket?: unknown } };
}

function tcpSocketOf(conn: EngineSocketLike): NetSocket | undefined {
  if (conn.transport.name !== 'websocket') return undefined; // polling writes one HTTP response anyway
  const socket = conn.transport.socket?._socket as Partial<NetSocket> | null | undefined;
  return typeof socket?.cork === 'function' && typeof socket.uncork === 'function' ? (socket as NetSocket) : undefined;
}

export function coalesceWebSocketWrites(engine: EngineLike): void {
  /** Sockets corked by the flush in progress; `drain` follows it synchronously. */
  const corked = new Map<EngineSocketLike, NetSocket>();
  engine.on('flush', (conn, writeBuffer) => {
    // A flush whose drain never came (the transport threw) must not leave the socket corked.
    corked.get(conn)?.uncork();
    corked.delete(conn);
    if (writeBuffer.length < 2) return; // one frame is one write either way
    const socket = tcpSocketOf(conn);
    if (socket === undefined || socket.destroyed) return;
    socket.cork();
    corked.set(conn, socket);
  });
  engine.on('drain', (conn) => {
    const socket = corked.get(conn);
    if (socket === undefined) return;
    corked.delete(conn);
    socket.uncork();
  });
}
