/**
 * The socket.io side of rooms: turns `'create or join'`, `'message'` and `'bye'` into the
 * codelab's events, with a SeatStore deciding and the handlers only emitting. Every handler takes
 * its arguments as `unknown` because the TypeScript event map says nothing about what a hostile or
 * old client sends; nothing may throw into socket.io, and nothing one client sends can reach a
 * room it is not in.
 *
 * This file wires the pieces in connection/ together and owns the process's lifetime (shutdown):
 * - accept.ts: one connection: limits gate first, then a named handler per event, in its queue
 * - client-context.ts, client-session.ts: one client's state and how it is answered or refused
 * - serial-queue.ts: each client's events run one after another, so a join that waits for Redis is
 *   finished before the same client's next message is looked at, and relays keep their order
 * - limits-gate.ts: rates, byte budget, refusal notices and the flood cut-off
 * - join.ts, message.ts, leave.ts (bye), resume.ts, disconnect.ts: the event handlers
 * - room-notices.ts: who is in which room here, and 'join'/'ready'/'bye' exactly once each
 * - seat-holding.ts: seats of dropped resumable clients, held for the reconnect grace
 * - slow-receivers.ts, engine-output.ts: clients that stopped reading, and the engine.io internals
 * - process-events.ts: what other processes and the seat store report
 */
import type { IncomingMessage } from 'node:http';
import type { AddressLimits } from './address-limits.js';
import { acceptConnection } from './connection/accept.js';
import type { SignalingServer, SignalingSocket } from './connection/client-session.js';
import type { SignalingHub } from './connection/hub.js';
import { leaveSeat } from './connection/leave.js';
import type { ClientRateLimits } from './connection/limits-gate.js';
import { listenToOtherProcesses } from './connection/process-events.js';
import { RoomNotices } from './connection/room-notices.js';
import { SeatHolding } from './connection/seat-holding.js';
import { startQueueSweep } from './connection/slow-receivers.js';
import type { Logger } from './logger.js';
import type { SignalingMetrics } from './metrics.js';
import type { CrossProcessRelay } from './redis-relay.js';
import type { SeatStore } from './seat-store.js';

export type { SignalingServer } from './connection/client-session.js';
export { queuedBytes } from './connection/engine-output.js';
export { roomKey } from './connection/hub.js';
export { FLOOD_DISCONNECT_AFTER, FLOOD_DRAIN_PER_SECOND } from './connection/limits-gate.js';
export { resumeToken } from './connection/resume-token.js';

export interface SignalingHandlerOptions {
  maxMessageBytes: number;
  logger: Logger;
  store: SeatStore;
  metrics: SignalingMetrics;
  rateLimits: ClientRateLimits;
  /** How long a resumable client's seat outlives its connection; 0 = not at all. */
  reconnectGraceMs: number;
  /** Per-address join budget, shared by all of one address's sockets (reconnecting does not refill it). */
  addressLimits: AddressLimits;
  /** Who opened a connection: its address, or the client a trusted proxy forwards for. */
  clientAddress: (req: IncomingMessage) => string;
  /** Bytes waiting for one client past which it is disconnected as not reading. */
  maxQueuedBytes: number;
  /** With Redis: relays to peers on other processes go through it and are acked once delivered. */
  relay?: CrossProcessRelay;
}

export interface SignalingController {
  /** No new sockets from now on (the HTTP layer asks this before accepting one). */
  readonly shuttingDown: boolean;
  /**
   * Tells every client the server is going away and frees the seats nobody will come back for,
   * so their peers hear `'bye'` now; seats of resumable clients stay for them to claim elsewhere.
   */
  shutdown(timeoutMs: number): Promise<void>;
  /** Stops grace timers; after the sockets are gone. */
  dispose(): void;
}

export function registerSignalingHandlers(io: SignalingServer, options: SignalingHandlerOptions): SignalingController {
  const { logger, store, reconnectGraceMs } = options;
  let shuttingDown = false;

  const rooms = new RoomNotices((notice) => {
    if (!store.distributed) return;
    try {
      io.serverSideEmit('room notice', notice);
    } catch (error) {
      logger.warn('passing a room event to the other processes failed', error);
    }
  });
  const seats = new SeatHolding(store, reconnectGraceMs, {
    expired(room, memberId) {
      rooms.announceBye(room, memberId);
      logger.info(`client ${memberId} did not come back within ${reconnectGraceMs} ms; its seat in room ${room} is free`, {
        event: 'leave',
        room,
        client: memberId,
        reason: 'reconnect grace expired',
      });
    },
    failed(memberId, error) {
      logger.warn(`freeing the held seat of ${memberId} failed`, error);
    },
  });
  const hub: SignalingHub = {
    io,
    options,
    sessions: new Map(),
    rooms,
    seats,
    get shuttingDown() {
      return shuttingDown;
    },
  };

  listenToOtherProcesses(hub);
  // A relay from another process to a member whose seat is here but whose connection is not (it
  // dropped and may resume) reached nobody: the relay's receipt says so instead of confirming it.
  options.relay?.watchPresence((memberId) => {
    const member = hub.sessions.get(memberId);
    return member !== undefined && member.socket.connected && member.session.room !== undefined;
  });
  const sweep = startQueueSweep(hub);
  io.on('connection', (socket: SignalingSocket) => {
    acceptConnection(hub, socket);
  });

  return {
    get shuttingDown() {
      return shuttingDown;
    },
    async shutdown(timeoutMs: number) {
      shuttingDown = true;
      const leaving: Promise<void>[] = [];
      for (const member of hub.sessions.values()) {
        const { socket, session } = member;
        socket.emit('log', ['The server is shutting down; reconnect in a moment.']);
        socket.emit('server shutdown', { resumable: session.resumable && session.room !== undefined });
        if (!session.resumable && session.room !== undefined) leaving.push(leaveSeat(hub, member, 'server shutdown').catch(() => {}));
      }
      // Closing right away would discard what is still queued for the wire (engine.io drops its
      // write buffer on close): wait, bounded, until the notices and byes have gone out.
      const flushed = async () => {
        await Promise.all(leaving);
        const pending = () => [...io.of('/').sockets.values()].some((socket) => (socket.conn as unknown as { writeBuffer: unknown[] }).writeBuffer.length > 0);
        while (pending()) await new Promise((resolve) => setTimeout(resolve, 10));
      };
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        flushed(),
        new Promise((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
    },
    dispose() {
      clearInterval(sweep);
      seats.dispose();
    },
  };
}
