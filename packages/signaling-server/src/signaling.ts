/**
 * The socket.io side of rooms: turns `'create or join'`, `'message'` and `'bye'` into the
 * codelab's events, with a SeatStore deciding and this file only emitting. Every handler takes its
 * arguments as `unknown[]` because the TypeScript event map says nothing about what a hostile or
 * old client sends; nothing here may throw into socket.io, and nothing one client sends can reach
 * a room it is not in.
 *
 * Each client's events run one after another (a per-client queue), so a join that waits for Redis
 * is finished before the same client's next message is looked at, and relays keep their order.
 */
import { performance } from 'node:perf_hooks';
import {
  SignalingErrorCode,
  validateRoomName,
  type ClientToServerEvents,
  type Failure,
  type InterServerEvents,
  type JoinResult,
  type RoomNotice,
  type ServerToClientEvents,
  type SignalingErrorPayload,
  type SocketAuth,
  type SocketData,
} from '@workbench/core/protocol';
import type { Server, Socket } from 'socket.io';
import type { Logger } from './logger.js';
import { checkSignalMessage, payloadBytesEstimate } from './message-check.js';
import type { RejectionReason, SignalingMetrics } from './metrics.js';
import type { IncomingMessage } from 'node:http';
import type { AddressLimits } from './address-limits.js';
import { FloodMeter, TokenBucket, type RateLimit } from './rate-limit.js';
import type { CrossProcessRelay } from './redis-relay.js';
import { RedisUnavailableError } from './redis-seat-store.js';
import type { FreedSeat, SeatStore } from './seat-store.js';
import { BinaryPacketError } from './text-only-parser.js';

export type SignalingServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
type SignalingSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
type AnyAck = (response: unknown) => void;

/** Events a client may send; anything else is refused with INVALID_PAYLOAD. */
const CLIENT_EVENTS = new Set(['create or join', 'message', 'bye']);

/** The acknowledgement of a relayed message; one object, since socket.io only serialises it. */
const RELAYED = Object.freeze({ ok: true as const });

/**
 * Refused events within the flood window after which a client is cut off: it is not reading its
 * errors. The count drains at {@link FLOOD_DRAIN_PER_SECOND}, so the window is about 10 s: a client
 * refused now and then is never cut, one flooding at any pace above its limit is, within seconds.
 */
export const FLOOD_DISCONNECT_AFTER = 100;
export const FLOOD_DRAIN_PER_SECOND = 10;
/** Events one client may have waiting behind a slow join; more are refused as a flood. */
const MAX_QUEUED_EVENTS = 256;
/** Refusals without an ack arrive as events; past this rate they are dropped, so errors cannot amplify a flood. */
const REFUSAL_NOTICES: RateLimit = { burst: 20, perSecond: 10 };
/** How often every client's outgoing queue is measured (relays to two local members are checked as they go). */
const QUEUE_SWEEP_MS = 200;

/** The parts of engine.io's socket that say how much is waiting to be written to a client. */
interface EngineConnection {
  writeBuffer: { data?: unknown }[];
  transport: { socket?: { _socket?: { writableLength?: number; destroy?: () => void } } };
  close(discard?: boolean): void;
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

/**
 * socket.io rooms share one namespace with socket ids, and ids match the room-name rule; without a
 * prefix a client could "join" another client's id and receive its private traffic.
 */
export function roomKey(room: string): string {
  return `room:${room}`;
}

/** `<room>.<memberId>.<secret>`: handed out in the join ack, presented in `auth.resumeToken` on reconnect. */
const RESUME_TOKEN = /^([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{16,64})$/;

export function resumeToken(room: string, memberId: string, secret: string): string {
  return `${room}.${memberId}.${secret}`;
}

/**
 * Socket.io passes the acknowledgement callback last; JSON from a client can never be a function.
 * Every client event has at most one argument besides it (what follows is ignored).
 */
function splitAck(args: unknown[]): { value: unknown; ack: AnyAck | undefined } {
  const last = args[args.length - 1];
  if (typeof last !== 'function') return { value: args[0], ack: undefined };
  return { value: args.length > 1 ? args[0] : undefined, ack: last as AnyAck };
}

/** How a client-sent value appears in log lines, without echoing a megabyte or an object graph. */
function describeValue(value: unknown): string {
  if (typeof value === 'string') return value.length > 64 ? `${JSON.stringify(value.slice(0, 64))}…` : value;
  return `(${value === null ? 'null' : typeof value})`;
}

const REASONS: Record<string, RejectionReason> = {
  [SignalingErrorCode.InvalidRoomName]: 'invalid_room_name',
  [SignalingErrorCode.RoomFull]: 'room_full',
  [SignalingErrorCode.AlreadyInRoom]: 'already_in_room',
  [SignalingErrorCode.NotInRoom]: 'not_in_room',
  [SignalingErrorCode.InvalidPayload]: 'invalid_payload',
  [SignalingErrorCode.PayloadTooLarge]: 'payload_too_large',
  [SignalingErrorCode.RateLimited]: 'rate_limited',
  [SignalingErrorCode.Unavailable]: 'unavailable',
  [SignalingErrorCode.SlowReceiver]: 'slow_receiver',
};

export interface SignalingHandlerOptions {
  maxMessageBytes: number;
  logger: Logger;
  store: SeatStore;
  metrics: SignalingMetrics;
  rateLimits: { messages: RateLimit; joins: RateLimit; messageBytes: RateLimit };
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

/** What the server keeps per connected client. */
class ClientSession {
  /** The id peers know this client by: its first socket's id, kept across a resume. */
  memberId: string;
  room: string | undefined;
  secret: string | undefined;
  /** Connected with `auth.resumeToken`, so its seat is held through a short disconnect. */
  readonly resumable: boolean;
  readonly messages: TokenBucket;
  readonly joins: TokenBucket;
  /** Relayed bytes: the message limit alone would let 64 KB messages through at 6 MB/s. */
  readonly bytes: TokenBucket;
  readonly notices = new TokenBucket(REFUSAL_NOTICES);
  /** Disconnected for not reading: its seat is freed at once, not held for a resume. */
  evicted = false;
  tail: Promise<void> | undefined;
  queued = 0;
  readonly flood = new FloodMeter(FLOOD_DISCONNECT_AFTER, FLOOD_DRAIN_PER_SECOND);
  /** Another connection took over this seat (a resume); this one leaves without a 'bye'. */
  replaced = false;
  /**
   * The other members as this client knows them. Room events are delivered through it, so that
   * each 'join', 'ready' and 'bye' reaches a client exactly once whatever order processes hear of them.
   */
  knownPeers = new Set<string>();

  constructor(memberId: string, resumable: boolean, limits: { messages: RateLimit; joins: RateLimit; messageBytes: RateLimit }) {
    this.memberId = memberId;
    this.resumable = resumable;
    this.messages = new TokenBucket(limits.messages);
    this.joins = new TokenBucket(limits.joins);
    this.bytes = new TokenBucket(limits.messageBytes);
  }
}

interface LocalMember {
  socket: SignalingSocket;
  session: ClientSession;
}

/** A join waiting for the store: room events arriving meanwhile are kept for when it is decided. */
interface PendingJoin {
  member: LocalMember;
  notices: RoomNotice[];
}

type EngineWriter = { writeToEngine(packets: unknown, options: unknown): void };

/**
 * Holds back everything socket.io would write to this client until released. A joining client is
 * put in the socket.io room before the store decides (so no relay published after its seat was
 * taken can miss it, however Redis orders the reply and the pub/sub stream), and held like this so
 * that, if the room turns out to be full, it never sees a byte of that room's traffic.
 */
function holdOutput(socket: SignalingSocket): { take(): [unknown, unknown][]; flush(): void } {
  const client = socket.client as unknown as EngineWriter;
  const held: [unknown, unknown][] = [];
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

function failure(code: SignalingErrorCode, message: string, event?: string): Failure {
  const error: SignalingErrorPayload = { code, message, ...(event !== undefined ? { event } : {}) };
  return { ok: false, error };
}

export function registerSignalingHandlers(io: SignalingServer, options: SignalingHandlerOptions): SignalingController {
  const { logger, maxMessageBytes, store, metrics, reconnectGraceMs, maxQueuedBytes, relay } = options;
  /** Connected clients of this process by member id (a resumed client under its old id). */
  const sessions = new Map<string, { socket: SignalingSocket; session: ClientSession }>();
  /** Seats of clients that dropped and may come back, with the timer that gives up on them. */
  const held = new Map<string, { room: string; timer: NodeJS.Timeout }>();
  let shuttingDown = false;

  /** This process's members of each room (not the other processes'). */
  const localRooms = new Map<string, Set<LocalMember>>();
  /** Joins in flight on this process, by room. */
  const pendingJoins = new Map<string, Set<PendingJoin>>();

  const addLocal = (room: string, member: LocalMember) => {
    let members = localRooms.get(room);
    if (members === undefined) localRooms.set(room, (members = new Set()));
    members.add(member);
  };
  const removeLocal = (room: string, member: LocalMember) => {
    const members = localRooms.get(room);
    if (members === undefined) return;
    members.delete(member);
    if (members.size === 0) localRooms.delete(room);
  };

  /** Emits a room event to one member unless it already knows (or never knew) the peer concerned. */
  const applyNotice = ({ socket, session }: LocalMember, notice: RoomNotice) => {
    if (notice.memberId === session.memberId || session.room !== notice.room) return;
    if (notice.kind === 'join') {
      if (session.knownPeers.has(notice.memberId)) return;
      session.knownPeers.add(notice.memberId);
      socket.emit('join', notice.room, notice.memberId);
      if (notice.filled) socket.emit('ready', notice.room);
    } else {
      if (!session.knownPeers.delete(notice.memberId)) return;
      socket.emit('bye', notice.room, notice.memberId);
    }
  };

  const deliverNotice = (notice: RoomNotice) => {
    for (const member of localRooms.get(notice.room) ?? []) applyNotice(member, notice);
    for (const pending of pendingJoins.get(notice.room) ?? []) pending.notices.push(notice);
  };

  /** Tells every member of the room, on every process. */
  const announce = (notice: RoomNotice) => {
    deliverNotice(notice);
    if (!store.distributed) return;
    try {
      io.serverSideEmit('room notice', notice);
    } catch (error) {
      logger.warn('passing a room event to the other processes failed', error);
    }
  };

  // Typed by the protocol, but still checked: another process may run another version.
  io.on('room notice', (notice: unknown) => {
    const candidate = notice as Partial<RoomNotice> | null;
    if (typeof candidate?.room !== 'string' || typeof candidate.memberId !== 'string') return;
    if (candidate.kind === 'join') deliverNotice({ kind: 'join', room: candidate.room, memberId: candidate.memberId, filled: candidate.filled === true });
    else if (candidate.kind === 'bye') deliverNotice({ kind: 'bye', room: candidate.room, memberId: candidate.memberId });
  });

  const announceBye = (room: string, memberId: string) => announce({ kind: 'bye', room, memberId });

  const dropHeld = (memberId: string) => {
    const entry = held.get(memberId);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    held.delete(memberId);
  };

  store.on('seatsFreed', (freed: FreedSeat[]) => {
    metrics.ghostSeatsFreed += freed.length;
    for (const { room, memberId } of freed) announceBye(room, memberId);
  });

  store.on('seatsLost', (lost: FreedSeat[]) => {
    for (const { room, memberId } of lost) {
      dropHeld(memberId);
      const entry = sessions.get(memberId);
      if (entry !== undefined && entry.session.room === room) {
        removeLocal(room, entry);
        entry.session.room = undefined;
        entry.session.knownPeers.clear();
        void entry.socket.leave(roomKey(room));
        entry.socket.emit('signaling error', {
          code: SignalingErrorCode.RoomFull,
          message: `Your seat in room "${room}" was given to someone else while the server's room store restarted. Join again, or pick another room.`,
          event: 'create or join',
        });
      }
      announceBye(room, memberId);
    }
  });

  // Another process resumed a client whose seat this one held: stop waiting for it here.
  io.on('seat moved', (memberId: unknown) => {
    if (typeof memberId !== 'string') return;
    dropHeld(memberId);
    const entry = sessions.get(memberId);
    if (entry !== undefined) {
      entry.session.replaced = true;
      if (entry.session.room !== undefined) removeLocal(entry.session.room, entry);
      sessions.delete(memberId);
      entry.socket.disconnect(true);
    }
    store.release(memberId);
  });

  const leaveSeat = async (member: LocalMember, reason: string): Promise<void> => {
    const { socket, session } = member;
    const room = session.room;
    if (room === undefined) return;
    removeLocal(room, member);
    session.room = undefined;
    session.secret = undefined;
    session.knownPeers.clear();
    void socket.leave(roomKey(room));
    const left = await store.leave(room, session.memberId);
    if (left === undefined) return; // the seat had already moved to a resumed connection
    announceBye(room, session.memberId);
    logger.info(`client ${session.memberId} left room ${room} (${reason}); ${left.remaining.length} remain`, {
      event: 'leave',
      room,
      client: session.memberId,
      reason,
    });
  };

  const holdSeat = (session: ClientSession, room: string) => {
    const { memberId } = session;
    dropHeld(memberId);
    const timer = setTimeout(() => {
      held.delete(memberId);
      store.leave(room, memberId).then(
        (left) => {
          if (left === undefined) return;
          announceBye(room, memberId);
          logger.info(`client ${memberId} did not come back within ${reconnectGraceMs} ms; its seat in room ${room} is free`, {
            event: 'leave',
            room,
            client: memberId,
            reason: 'reconnect grace expired',
          });
        },
        (error: unknown) => logger.warn(`freeing the held seat of ${memberId} failed`, error),
      );
    }, reconnectGraceMs);
    timer.unref();
    held.set(memberId, { room, timer });
  };

  /**
   * Cuts off a client that stopped reading: its TCP socket is destroyed at once (a polite close
   * would wait behind the unread bytes, for up to a minute), so what was queued for it is freed now.
   * The notice cannot reach it; its room's members on this process get SLOW_RECEIVER, everyone 'bye'.
   */
  const evict = (member: LocalMember, bytes: number, except?: LocalMember) => {
    const { socket, session } = member;
    if (session.evicted) return;
    session.evicted = true;
    // Counted here when no refused message counts it (the sweep found it, not a relay).
    if (except === undefined) metrics.reject('slow_receiver');
    const why = `${bytes} bytes were waiting for it to read (limit ${maxQueuedBytes})`;
    logger.warn(`disconnected client ${session.memberId}: it stopped reading; ${why}`, {
      event: 'slow_receiver',
      client: session.memberId,
      room: session.room,
      queuedBytes: bytes,
    });
    const room = session.room;
    if (room !== undefined) {
      for (const peer of localRooms.get(room) ?? []) {
        if (peer === member || peer === except) continue;
        peer.socket.emit('signaling error', {
          code: SignalingErrorCode.SlowReceiver,
          message: `Your peer ${session.memberId} stopped reading (${why}) and was disconnected; what you sent it since may not have arrived.`,
          event: 'message',
        });
      }
    }
    const conn = socket.conn as unknown as EngineConnection;
    conn.transport.socket?._socket?.destroy?.();
    conn.close(true);
    socket.disconnect(true);
  };

  const sweep = setInterval(() => {
    for (const member of sessions.values()) {
      const conn = member.socket.conn as unknown as EngineConnection;
      if (conn.writeBuffer.length === 0 && (conn.transport.socket?._socket?.writableLength ?? 0) <= maxQueuedBytes) continue;
      const bytes = queuedBytes(conn);
      if (bytes > maxQueuedBytes) evict(member, bytes);
    }
  }, QUEUE_SWEEP_MS);
  sweep.unref();

  io.on('connection', (socket: SignalingSocket) => {
    socket.data.room = undefined;
    // What the client claims to be a SocketAuth; its fields are checked before use.
    const auth = socket.handshake.auth as { [K in keyof SocketAuth]?: unknown } | undefined;
    const presented = auth?.resumeToken;
    const session = new ClientSession(socket.id, typeof presented === 'string', options.rateLimits);
    const member: LocalMember = { socket, session };
    sessions.set(socket.id, member);
    logger.debug(`client ${socket.id} connected`);

    const log = (...lines: string[]) => socket.emit('log', lines);
    const address = options.clientAddress(socket.request);

    // What socket.io reports when the parser refuses a packet; it closes the connection next.
    socket.on('error', (error) => {
      if (error instanceof BinaryPacketError) {
        metrics.reject('binary_packet');
        socket.emit('signaling error', {
          code: SignalingErrorCode.InvalidPayload,
          message: `Refused: ${error.message}. Send events as JSON; the connection is closed.`,
        });
        logger.warn(`closed ${socket.id} from ${address}: ${error.message}`, { event: 'binary_refused', client: socket.id });
        return;
      }
      logger.debug(`socket ${socket.id} error: ${error.message}`);
    });

    const answer = (ack: AnyAck | undefined, response: unknown) => {
      try {
        ack?.(response);
      } catch (error) {
        logger.warn(`acknowledgement to ${socket.id} failed`, error);
      }
    };

    /** Codelab clients pass no ack, so a refusal without one arrives as an event instead. */
    const refuse = (ack: AnyAck | undefined, refusal: Failure, reason?: RejectionReason) => {
      metrics.reject(reason ?? REASONS[refusal.error.code] ?? 'invalid_payload');
      if (ack !== undefined) answer(ack, refusal);
      else if (session.notices.take()) socket.emit('signaling error', refusal.error);
    };

    /** One more refusal in the window; a client that keeps going regardless is disconnected. */
    const strike = (): boolean => {
      if (!session.flood.add()) return false;
      metrics.reject('flood_disconnect');
      logger.warn(`disconnected client ${session.memberId}: ${FLOOD_DISCONNECT_AFTER} refused events within about ${FLOOD_DISCONNECT_AFTER / FLOOD_DRAIN_PER_SECOND} s`, {
        event: 'flood_disconnect',
        client: session.memberId,
      });
      socket.emit('signaling error', {
        code: SignalingErrorCode.RateLimited,
        message: 'Disconnected: this client kept sending after being told it was over the rate limit. Slow down and reconnect.',
      });
      socket.disconnect(true);
      return true;
    };

    const invoke = (event: string, task: () => void | Promise<void>): Promise<void> | undefined => {
      try {
        const pending = task();
        if (pending === undefined) return undefined;
        return pending.catch((error: unknown) => logger.error(`'${event}' from ${session.memberId} failed`, error));
      } catch (error) {
        logger.error(`'${event}' from ${session.memberId} failed`, error);
        return undefined;
      }
    };

    /** Runs `task` after this client's earlier events; immediately when none is pending. */
    const enqueue = (event: string, task: () => void | Promise<void>, force = false): boolean => {
      if (session.tail === undefined) {
        const pending = invoke(event, task);
        if (pending !== undefined) {
          const tail: Promise<void> = pending.then(() => {
            if (session.tail === tail) session.tail = undefined;
          });
          session.tail = tail;
        }
        return true;
      }
      if (!force && session.queued >= MAX_QUEUED_EVENTS) return false;
      session.queued += 1;
      const tail: Promise<void> = session.tail
        .then(() => {
          session.queued -= 1;
          return invoke(event, task);
        })
        .then(() => {
          if (session.tail === tail) session.tail = undefined;
        });
      session.tail = tail;
      return true;
    };

    // Limits come first, for every event, before anything is parsed or queued.
    socket.use((packet, next) => {
      // Packets that were already buffered when the client was cut off.
      if (!socket.connected) return;
      const event: unknown = packet[0];
      const last: unknown = packet.length > 1 ? packet[packet.length - 1] : undefined;
      const ack = typeof last === 'function' ? (last as AnyAck) : undefined;
      if (typeof event !== 'string' || !CLIENT_EVENTS.has(event)) {
        refuse(
          ack,
          failure(
            SignalingErrorCode.InvalidPayload,
            `Unknown event ${describeValue(event)}: this server understands 'create or join', 'message' and 'bye'.`,
          ),
          'unknown_event',
        );
        strike();
        return;
      }
      const bucket = event === 'message' ? session.messages : session.joins;
      if (!bucket.take()) {
        refuse(
          ack,
          failure(
            SignalingErrorCode.RateLimited,
            event === 'message'
              ? `Too many messages: at most ${options.rateLimits.messages.perSecond} per second (bursts of ${options.rateLimits.messages.burst}). This one was dropped; slow down.`
              : `Too many joins and leaves: at most ${options.rateLimits.joins.perSecond} per second (bursts of ${options.rateLimits.joins.burst}). Wait a moment and try again.`,
            event,
          ),
        );
        strike();
        return;
      }
      if (event !== 'message' && !options.addressLimits.takeJoin(address)) {
        const { perSecond, burst } = options.addressLimits.options.joins;
        refuse(
          ack,
          failure(
            SignalingErrorCode.RateLimited,
            `Too many joins and leaves from your address: at most ${perSecond} per second (bursts of ${burst}), however many connections they come on. Wait a moment and try again.`,
            event,
          ),
          'address_joins',
        );
        strike();
        return;
      }
      next();
    });

    /** Wraps a handler so it runs in this client's queue and nothing it throws reaches socket.io. */
    const handle =
      (event: string, handler: (value: unknown, ack: AnyAck | undefined, arrivedAt: number) => void | Promise<void>) =>
      (...args: unknown[]) => {
        const arrivedAt = performance.now();
        const { value, ack } = splitAck(args);
        const accepted = enqueue(event, () => handler(value, ack, arrivedAt));
        if (!accepted) {
          refuse(ack, failure(SignalingErrorCode.RateLimited, 'Too many requests waiting for the server; this one was dropped. Slow down.', event));
          strike();
        }
      };

    const unavailable = (ack: AnyAck | undefined, error: unknown, event: string): boolean => {
      if (!(error instanceof RedisUnavailableError)) return false;
      refuse(ack, failure(SignalingErrorCode.Unavailable, error.message, event));
      return true;
    };

    // A client coming back with the token from its join ack gets its seat, role and id back.
    const token = typeof presented === 'string' ? RESUME_TOKEN.exec(presented) : null;
    if (token !== null) {
      const [, room = '', memberId = '', secret = ''] = token;
      enqueue('resume', async () => {
        const claim = await store.claim(room, memberId, secret).catch((error: unknown) => {
          logger.warn(`resuming ${memberId} in room ${room} failed`, error);
          return undefined;
        });
        if (claim === undefined) {
          log(`Could not resume your seat in room ${room}: it was freed, or the token is not valid. Join again.`);
          return;
        }
        if (!socket.connected) {
          // Dropped again before the claim landed: keep holding the seat for the rest of the grace.
          if (reconnectGraceMs > 0 && !shuttingDown) holdSeat(new ClientSession(memberId, true, options.rateLimits), room);
          return;
        }
        dropHeld(memberId);
        const previous = sessions.get(memberId);
        if (previous !== undefined && previous.socket !== socket) {
          // A connection the server had not yet noticed was dead: it goes quietly, the seat stays.
          previous.session.replaced = true;
          if (previous.session.room !== undefined) removeLocal(previous.session.room, previous);
          previous.socket.disconnect(true);
        }
        if (claim.previousNode !== store.nodeId) {
          try {
            io.serverSideEmit('seat moved', memberId);
          } catch (error) {
            logger.warn('telling the other processes about a resumed seat failed', error);
          }
        }
        sessions.delete(socket.id);
        sessions.set(memberId, member);
        session.memberId = memberId;
        session.room = room;
        session.secret = secret;
        session.knownPeers = new Set(claim.peers);
        socket.data.room = room;
        addLocal(room, member);
        await socket.join(roomKey(room));
        metrics.resumedSessions += 1;
        log(`Resumed seat in room ${room} as ${memberId} (${claim.role})`);
        logger.info(`client ${memberId} resumed its seat in room ${room} (${claim.role})`, {
          event: 'resume',
          room,
          client: memberId,
          socket: socket.id,
        });
      });
    }

    socket.on(
      'create or join',
      handle('create or join', async (requested, ack) => {
        log(`Received request to create or join room ${describeValue(requested)}`);
        const name = validateRoomName(requested);
        if (!name.ok) {
          refuse(ack, name);
          return;
        }
        const room = name.value;
        if (session.room !== undefined && session.room !== room) {
          refuse(
            ack,
            failure(
              SignalingErrorCode.AlreadyInRoom,
              `You are already in room "${session.room}". Send 'bye' to leave it before joining "${room}".`,
              'create or join',
            ),
          );
          return;
        }

        const key = roomKey(room);
        const alreadyMember = session.room === room;
        let output: ReturnType<typeof holdOutput> | undefined;
        let waiting: PendingJoin | undefined;
        if (!alreadyMember) {
          output = holdOutput(socket);
          await socket.join(key);
          waiting = { member, notices: [] };
          let pending = pendingJoins.get(room);
          if (pending === undefined) pendingJoins.set(room, (pending = new Set()));
          pending.add(waiting);
        }
        const stopWaiting = () => {
          if (waiting === undefined) return;
          const pending = pendingJoins.get(room);
          pending?.delete(waiting);
          if (pending?.size === 0) pendingJoins.delete(room);
        };
        const notAdmitted = () => {
          if (alreadyMember) return;
          void socket.leave(key);
          output?.take(); // the room's traffic meanwhile is not for this client
        };

        let outcome;
        try {
          outcome = await store.join(room, session.memberId);
        } catch (error) {
          stopWaiting();
          notAdmitted();
          if (unavailable(ack, error, 'create or join')) return;
          throw error;
        }
        stopWaiting();
        if (!outcome.ok) {
          notAdmitted();
          if (outcome.error.code === SignalingErrorCode.RoomFull) {
            log(`Room ${room} is full`);
            logger.info(`client ${session.memberId} turned away: room ${room} is full`, { event: 'full', room, client: session.memberId });
            socket.emit('full', room);
            metrics.reject('room_full');
            answer(ack, outcome);
          } else {
            refuse(ack, outcome);
          }
          return;
        }

        const { role, polite, peers, capacity, secret } = outcome;
        const clientId = session.memberId;
        const result: JoinResult = {
          ok: true,
          role,
          room,
          clientId,
          polite,
          peers,
          capacity,
          ...(session.resumable ? { resumeToken: resumeToken(room, clientId, secret) } : {}),
        };
        session.secret = secret;
        socket.data.room = room;
        if (!alreadyMember) {
          session.room = room;
          session.knownPeers = new Set(peers);
          addLocal(room, member);
        }
        if (outcome.repeated) {
          // Idempotent: the same answer again, and nobody else hears about it.
          output?.flush();
          socket.emit(role, room, clientId);
          answer(ack, result);
          return;
        }

        metrics.joins += 1;
        const heldBack = output?.take() ?? [];
        // Order matters to codelab pages: the members already there hear 'join' before the
        // newcomer hears 'joined', and 'ready' comes last, to everyone, once.
        announce({ kind: 'join', room, memberId: clientId, filled: outcome.filled });
        log(`Client ID ${clientId} ${role} room ${room}`, `Room ${room} now has ${peers.length + 1} client(s)`);
        socket.emit(role, room, clientId);
        answer(ack, result);
        if (outcome.filled) socket.emit('ready', room);
        // Then what reached the room while the store was deciding: relays, and later joins or byes.
        const writer = socket.client as unknown as EngineWriter;
        for (const [packets, packetOptions] of heldBack) writer.writeToEngine(packets, packetOptions);
        for (const notice of waiting?.notices ?? []) applyNotice(member, notice);
        logger.info(`client ${clientId} ${role} room ${room} (${peers.length + 1}/${capacity})`, {
          event: 'join',
          room,
          client: clientId,
          role,
        });
      }),
    );

    socket.on(
      'message',
      handle('message', (message, ack, arrivedAt) => {
        const room = session.room;
        if (room === undefined) {
          refuse(
            ack,
            failure(
              SignalingErrorCode.NotInRoom,
              "You are not in a room, so there is nobody to send to: join one with 'create or join' first.",
              'message',
            ),
          );
          return;
        }
        const checked = checkSignalMessage(message, maxMessageBytes);
        if (!checked.ok) {
          refuse(ack, checked);
          return;
        }
        if (!session.bytes.take(payloadBytesEstimate(checked.value))) {
          const limit = options.rateLimits.messageBytes;
          refuse(
            ack,
            failure(
              SignalingErrorCode.RateLimited,
              `Too many bytes: at most ${limit.perSecond} bytes of messages per second (bursts of ${limit.burst}). This one was dropped; send less, or put bulk data on a data channel.`,
              'message',
            ),
          );
          strike();
          return;
        }
        // Only the sender's room, never a broadcast: the codelab's socket.broadcast reached every room.
        const local = localRooms.get(room);
        // Every peer this client knows is a client of this process: no other process needs the
        // message (with Redis, no publish at all), and one peer gets it without socket.io's
        // broadcast machinery.
        const allLocal = local !== undefined && local.size - 1 === session.knownPeers.size;
        if (allLocal && local.size === 2) {
          for (const peer of local) {
            if (peer === member) continue;
            // Cheap while the peer reads (its buffer is empty between writes); measured only when not.
            const conn = peer.socket.conn as unknown as EngineConnection;
            if (conn.writeBuffer.length !== 0) {
              const bytes = queuedBytes(conn);
              if (bytes > maxQueuedBytes) {
                evict(peer, bytes, member);
                refuse(
                  ack,
                  failure(
                    SignalingErrorCode.SlowReceiver,
                    `Not delivered: your peer ${peer.session.memberId} stopped reading (${bytes} bytes were waiting for it, limit ${maxQueuedBytes}) and was disconnected.`,
                    'message',
                  ),
                );
                return;
              }
            }
            peer.socket.emit('message', checked.value, session.memberId);
          }
        } else if (allLocal) {
          socket.to(roomKey(room)).local.emit('message', checked.value, session.memberId);
        } else {
          // A peer on another process is reached through Redis: while Redis is away the message
          // would be acknowledged and lost, so it is refused instead and the client can resend.
          const down = store.unavailableReason();
          if (down !== undefined) {
            refuse(
              ack,
              failure(
                SignalingErrorCode.Unavailable,
                `Not delivered: your peer is on another server process and ${down}. Send it again in a moment.`,
                'message',
              ),
            );
            return;
          }
          if (relay !== undefined) {
            // Redis can still fail after that check (stall, then restart), or the peer's process
            // alone can be deaf: the ack waits until Redis says the relay reached the peer's
            // process. Not awaited, so this client's next message is not held behind the round trip.
            const remote: string[] = [];
            for (const id of session.knownPeers) {
              const peer = sessions.get(id);
              if (peer === undefined || local?.has(peer) !== true) remote.push(id);
            }
            const sender = session.memberId;
            void relay
              .send(room, remote, () => socket.to(roomKey(room)).emit('message', checked.value, sender))
              .then((verdict) => {
                if (!verdict.delivered) {
                  refuse(ack, failure(SignalingErrorCode.Unavailable, verdict.reason, 'message'));
                  return;
                }
                metrics.relayedMessages += 1;
                metrics.relayLatency.observe((performance.now() - arrivedAt) / 1000);
                if (ack !== undefined) answer(ack, RELAYED);
              })
              .catch((error: unknown) => logger.error(`answering a relay from ${sender} failed`, error));
            return;
          }
          socket.to(roomKey(room)).emit('message', checked.value, session.memberId);
        }
        metrics.relayedMessages += 1;
        metrics.relayLatency.observe((performance.now() - arrivedAt) / 1000);
        if (ack !== undefined) answer(ack, RELAYED);
      }),
    );

    socket.on(
      'bye',
      handle('bye', async (named, ack) => {
        const current = session.room;
        const wrongRoom = named !== undefined && named !== null && named !== current;
        if (current === undefined || wrongRoom) {
          refuse(
            ack,
            failure(
              SignalingErrorCode.NotInRoom,
              current === undefined
                ? 'You are not in a room, so there is nothing to leave.'
                : `You are in room "${current}", not ${describeValue(named)}: send 'bye' with no room, or with "${current}".`,
              'bye',
            ),
          );
          return;
        }
        try {
          await leaveSeat(member, 'bye');
        } catch (error) {
          // The seat is gone locally; the store applies the leave when it is back.
          if (!(error instanceof RedisUnavailableError)) throw error;
          logger.warn(`'bye' from ${session.memberId} is waiting for Redis`, error);
        }
        socket.data.room = undefined;
        log(`Client ID ${session.memberId} left room ${current}`);
        answer(ack, { ok: true });
      }),
    );

    socket.on('disconnect', (reason) => {
      logger.debug(`client ${socket.id} disconnected (${reason})`);
      enqueue(
        'disconnect',
        async () => {
          if (sessions.get(session.memberId)?.socket === socket) sessions.delete(session.memberId);
          if (session.replaced || session.room === undefined) return;
          // Leaving on purpose frees the seat at once; a dropped connection may come back.
          const onPurpose = reason === 'client namespace disconnect' || reason === 'server namespace disconnect' || session.evicted;
          if (session.resumable && reconnectGraceMs > 0 && !onPurpose) {
            const room = session.room;
            removeLocal(room, member);
            session.room = undefined;
            if (!shuttingDown) holdSeat(session, room);
            logger.info(
              shuttingDown && store.distributed
                ? `client ${session.memberId} may resume its seat in room ${room} on another process; unclaimed, it is freed within the seat TTL`
                : shuttingDown
                  ? `client ${session.memberId} disconnected by the shutdown; its seat in room ${room} ends with this process`
                  : `client ${session.memberId} dropped (${reason}); holding its seat in room ${room} for ${reconnectGraceMs} ms`,
              { event: 'hold', room, client: session.memberId },
            );
            return;
          }
          await leaveSeat(member, `disconnect: ${reason}`);
        },
        true,
      );
    });
  });

  return {
    get shuttingDown() {
      return shuttingDown;
    },
    async shutdown(timeoutMs: number) {
      shuttingDown = true;
      const leaving: Promise<void>[] = [];
      for (const member of sessions.values()) {
        const { socket, session } = member;
        socket.emit('log', ['The server is shutting down; reconnect in a moment.']);
        socket.emit('server shutdown', { resumable: session.resumable && session.room !== undefined });
        if (!session.resumable && session.room !== undefined) leaving.push(leaveSeat(member, 'server shutdown').catch(() => {}));
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
      for (const { timer } of held.values()) clearTimeout(timer);
      held.clear();
    },
  };
}
