/**
 * The socket.io side of rooms: turns `'create or join'`, `'message'` and `'bye'` into the
 * codelab's events, with the RoomRegistry deciding and this file only emitting. Every handler
 * takes its arguments as `unknown[]` because the TypeScript event map says nothing about what a
 * hostile or old client sends; nothing here may throw into socket.io, and nothing one client sends
 * can reach a room it is not in.
 */
import {
  SignalingErrorCode,
  validateSignalMessage,
  type ClientToServerEvents,
  type Failure,
  type InterServerEvents,
  type JoinResult,
  type ServerToClientEvents,
  type SocketData,
} from '@workbench/core/protocol';
import type { Server, Socket } from 'socket.io';
import type { Logger } from './logger.js';
import type { RoomRegistry } from './room-registry.js';

export type SignalingServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
type SignalingSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
type AnyAck = (response: unknown) => void;

/**
 * socket.io rooms share one namespace with socket ids, and ids match the room-name rule; without a
 * prefix a client could "join" another client's id and receive its private traffic.
 */
export function roomKey(room: string): string {
  return `room:${room}`;
}

/** Socket.io passes the acknowledgement callback last; JSON from a client can never be a function. */
function splitAck(args: unknown[]): { values: unknown[]; ack: AnyAck | undefined } {
  const last = args.at(-1);
  if (typeof last === 'function') return { values: args.slice(0, -1), ack: last as AnyAck };
  return { values: args, ack: undefined };
}

/** How a client-sent value appears in log lines, without echoing a megabyte or an object graph. */
function describeValue(value: unknown): string {
  if (typeof value === 'string') return value.length > 64 ? `${JSON.stringify(value.slice(0, 64))}…` : value;
  return `(${value === null ? 'null' : typeof value})`;
}

export interface SignalingHandlerOptions {
  maxMessageBytes: number;
  logger: Logger;
}

export function registerSignalingHandlers(io: SignalingServer, rooms: RoomRegistry, options: SignalingHandlerOptions): void {
  const { logger, maxMessageBytes } = options;

  io.on('connection', (socket: SignalingSocket) => {
    socket.data.room = undefined;
    logger.debug(`client ${socket.id} connected`);

    const log = (...lines: string[]) => socket.emit('log', lines);

    const answer = (ack: AnyAck | undefined, response: unknown) => {
      try {
        ack?.(response);
      } catch (error) {
        logger.warn(`acknowledgement to ${socket.id} failed`, error);
      }
    };

    /** Codelab clients pass no ack, so a refusal without one arrives as an event instead. */
    const refuse = (ack: AnyAck | undefined, failure: Failure) => {
      if (ack !== undefined) answer(ack, failure);
      else socket.emit('signaling error', failure.error);
    };

    /** Runs a handler so that nothing it throws or rejects escapes into socket.io. */
    const guarded =
      (event: string, handler: (args: unknown[]) => void | Promise<void>) =>
      (...args: unknown[]) => {
        try {
          const pending = handler(args);
          if (pending !== undefined) pending.catch((error: unknown) => logger.error(`'${event}' from ${socket.id} failed`, error));
        } catch (error) {
          logger.error(`'${event}' from ${socket.id} failed`, error);
        }
      };

    const leaveRoom = (reason: string) => {
      const left = rooms.leave(socket.id);
      socket.data.room = undefined;
      if (left === undefined) return undefined;
      const key = roomKey(left.room);
      void socket.leave(key);
      io.to(key).emit('bye', left.room, socket.id);
      logger.info(`client ${socket.id} left room ${left.room} (${reason}); ${left.remaining.length} remain`);
      return left;
    };

    socket.on(
      'create or join',
      guarded('create or join', async (args) => {
        const { values, ack } = splitAck(args);
        const requested = values[0];
        log(`Received request to create or join room ${describeValue(requested)}`);

        const outcome = rooms.join(requested, socket.id);
        if (!outcome.ok) {
          if (outcome.error.code === SignalingErrorCode.RoomFull && typeof requested === 'string') {
            log(`Room ${requested} is full`);
            logger.info(`client ${socket.id} turned away: room ${requested} is full`);
            socket.emit('full', requested);
            answer(ack, outcome);
          } else {
            refuse(ack, outcome);
          }
          return;
        }

        const { room, role, polite, peers, capacity } = outcome;
        const result: JoinResult = { ok: true, role, room, clientId: socket.id, polite, peers, capacity };
        if (outcome.repeated) {
          // Idempotent: the same answer again, and nobody else hears about it.
          socket.emit(role, room, socket.id);
          answer(ack, result);
          return;
        }

        const key = roomKey(room);
        socket.data.room = room;
        // Order matters to codelab pages: the members already there hear 'join' before the
        // newcomer hears 'joined', and 'ready' comes last, to everyone, once.
        socket.to(key).emit('join', room, socket.id);
        const joining = socket.join(key);
        if (joining instanceof Promise) {
          await joining;
          // With an asynchronous adapter the client may have left meanwhile.
          if (!socket.connected || rooms.roomOf(socket.id) !== room) return;
        }
        log(`Client ID ${socket.id} ${role} room ${room}`, `Room ${room} now has ${peers.length + 1} client(s)`);
        socket.emit(role, room, socket.id);
        answer(ack, result);
        if (outcome.filled) io.to(key).emit('ready', room);
        logger.info(`client ${socket.id} ${role} room ${room} (${peers.length + 1}/${capacity})`);
      }),
    );

    socket.on(
      'message',
      guarded('message', (args) => {
        const { values, ack } = splitAck(args);
        const room = rooms.roomOf(socket.id);
        if (room === undefined) {
          refuse(ack, {
            ok: false,
            error: {
              code: SignalingErrorCode.NotInRoom,
              message: "You are not in a room, so there is nobody to send to: join one with 'create or join' first.",
              event: 'message',
            },
          });
          return;
        }
        const checked = validateSignalMessage(values[0], maxMessageBytes);
        if (!checked.ok) {
          refuse(ack, checked);
          return;
        }
        // Only the sender's room, never a broadcast: the codelab's socket.broadcast reached every room.
        socket.to(roomKey(room)).emit('message', checked.value, socket.id);
        answer(ack, { ok: true });
      }),
    );

    socket.on(
      'bye',
      guarded('bye', (args) => {
        const { values, ack } = splitAck(args);
        const named = values[0];
        const current = rooms.roomOf(socket.id);
        const wrongRoom = named !== undefined && named !== null && named !== current;
        if (current === undefined || wrongRoom) {
          refuse(ack, {
            ok: false,
            error: {
              code: SignalingErrorCode.NotInRoom,
              message:
                current === undefined
                  ? 'You are not in a room, so there is nothing to leave.'
                  : `You are in room "${current}", not ${describeValue(named)}: send 'bye' with no room, or with "${current}".`,
              event: 'bye',
            },
          });
          return;
        }
        leaveRoom('bye');
        log(`Client ID ${socket.id} left room ${current}`);
        answer(ack, { ok: true });
      }),
    );

    socket.on('disconnect', (reason) => {
      try {
        leaveRoom(`disconnect: ${reason}`);
      } catch (error) {
        logger.error(`cleaning up after ${socket.id} failed`, error);
      }
      logger.debug(`client ${socket.id} disconnected (${reason})`);
    });
  });
}
