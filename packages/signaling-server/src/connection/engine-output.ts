/**
 * The parts of engine.io and socket.io internals the server reaches into: how many bytes wait for
 * one client, and holding a client's output back while its join is decided. Kept in one file so
 * that an upgrade of socket.io has one place to check.
 */
import type { SignalingSocket } from './client-session.js';

/** The parts of engine.io's socket that say how much is waiting to be written to a client. */
export interface EngineConnection {
  writeBuffer: { data?: unknown }[];
  transport: { socket?: { _socket?: { writableLength?: number; destroy?: () => void } } };
  close(discard?: boolean): void;
}

export function engineConnection(socket: SignalingSocket): EngineConnection {
  return socket.conn as unknown as EngineConnection;
}

/**
 * Bytes the server holds for one client: packets engine.io has not yet handed to the transport,
 * plus what the TCP socket has not yet passed to the kernel. While a client reads, both are empty
 * between writes; behind a client that stopped reading they only grow.
 */
export function queuedBytes(conn: EngineConnection): number {
  let bytes = conn.transport.socket?._socket?.writableLength ?? 0;
  for (const packet of conn.writeBuffer) {
    const data = packet.data;
    if (typeof data === 'string') bytes += data.length;
    else if (data instanceof Uint8Array) bytes += data.byteLength;
  }
  return bytes;
}

type EngineWriter = { writeToEngine(packets: unknown, options: unknown): void };

/** Packets socket.io meant for one client, with their write options, in order. */
export type HeldPackets = [unknown, unknown][];

export interface HeldOutput {
  /** Stops holding and hands over what was held, unsent (to send later, or to drop). */
  take(): HeldPackets;
  /** Stops holding and sends what was held, in order. */
  flush(): void;
}

/**
 * Holds back everything socket.io would write to this client until released. A joining client is
 * put in the socket.io room before the store decides (so no relay published after its seat was
 * taken can miss it, however Redis orders the reply and the pub/sub stream), and held like this so
 * that, if the room turns out to be full, it never sees a byte of that room's traffic.
 */
export function holdOutput(socket: SignalingSocket): HeldOutput {
  const client = socket.client as unknown as EngineWriter;
  const held: HeldPackets = [];
  client.writeToEngine = (packets, options) => {
    held.push([packets, options]);
  };
  const release = () => {
    // The own property shadowed the prototype's method; removing it restores normal writes.
    delete (client as Partial<EngineWriter>).writeToEngine;
  };
  return {
    take() {
      release();
      return held.splice(0);
    },
    flush() {
      release();
      for (const [packets, options] of held.splice(0)) client.writeToEngine(packets, options);
    },
  };
}

/** Sends packets taken from a {@link HeldOutput} earlier, after what was sent since. */
export function writeHeld(socket: SignalingSocket, packets: HeldPackets): void {
  const writer = socket.client as unknown as EngineWriter;
  for (const [packet, options] of packets) writer.writeToEngine(packet, options);
}
