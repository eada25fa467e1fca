/**
 * A new socket.io connection wired up: its session, the limits gate in front of every event, the
 * resume it asked for, and one named handler per event, all run through its serial queue.
 */
import { SignalingErrorCode, type SocketAuth } from '@workbench/core/protocol';
import { BinaryPacketError } from '../text-only-parser.js';
import { ClientContext } from './client-context.js';
import { ClientSession, type SignalingSocket } from './client-session.js';
import { handleDisconnect } from './disconnect.js';
import type { SignalingHub } from './hub.js';
import { handleCreateOrJoin } from './join.js';
import { handleBye } from './leave.js';
import { handleMessage } from './message.js';
import type { AnyAck } from './replies.js';
import { parseResumeToken } from './resume-token.js';
import { resumeSeat } from './resume.js';

export function acceptConnection(hub: SignalingHub, socket: SignalingSocket): ClientContext {
  const { logger, metrics } = hub.options;
  socket.data.room = undefined;
  // What the client claims to be a SocketAuth; its fields are checked before use.
  const auth = socket.handshake.auth as { [K in keyof SocketAuth]?: unknown } | undefined;
  const presented = auth?.resumeToken;
  const session = new ClientSession(socket.id, typeof presented === 'string');
  const ctx = new ClientContext(hub, socket, session, hub.options.clientAddress(socket.request));
  hub.sessions.set(socket.id, ctx.member);
  logger.debug(`client ${socket.id} connected`);

  // What socket.io reports when the parser refuses a packet; it closes the connection next.
  socket.on('error', (error) => {
    if (error instanceof BinaryPacketError) {
      metrics.reject('binary_packet');
      socket.emit('signaling error', {
        code: SignalingErrorCode.InvalidPayload,
        message: `Refused: ${error.message}. Send events as JSON; the connection is closed.`,
      });
      logger.warn(`closed ${socket.id} from ${ctx.address}: ${error.message}`, { event: 'binary_refused', client: socket.id });
      return;
    }
    logger.debug(`socket ${socket.id} error: ${error.message}`);
  });

  // Limits come first, for every event, before anything is parsed or queued.
  socket.use((packet, next) => {
    // Packets that were already buffered when the client was cut off.
    if (!socket.connected) return;
    const event: unknown = packet[0];
    const last: unknown = packet.length > 1 ? packet[packet.length - 1] : undefined;
    const refusal = ctx.gate.admit(event);
    if (refusal !== undefined) {
      ctx.refuse(typeof last === 'function' ? (last as AnyAck) : undefined, refusal.failure, refusal.reason);
      ctx.strike();
      return;
    }
    next();
  });

  const token = parseResumeToken(presented);
  if (token !== undefined) ctx.queue.enqueue('resume', () => resumeSeat(ctx, token.room, token.memberId, token.secret));

  socket.on('create or join', ctx.handle('create or join', handleCreateOrJoin));
  socket.on('message', ctx.handle('message', handleMessage));
  socket.on('bye', ctx.handle('bye', handleBye));
  socket.on('disconnect', (reason) => {
    logger.debug(`client ${socket.id} disconnected (${reason})`);
    // Forced: however full the queue, the seat must be held or freed.
    ctx.queue.enqueue('disconnect', () => handleDisconnect(ctx, reason), true);
  });
  return ctx;
}
