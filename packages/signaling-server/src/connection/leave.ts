/** Leaving a room: `'bye'` from the client, and the seat given up on a disconnect or a shutdown. */
import { SignalingErrorCode } from '@workbench/core/protocol';
import { RedisUnavailableError } from '../redis-seat-store.js';
import type { LocalMember } from './client-session.js';
import type { ClientContext } from './client-context.js';
import { roomKey, type SignalingHub } from './hub.js';
import { describeValue, failure, type AnyAck } from './replies.js';

/**
 * Frees `member`'s seat: at once on this process, then in the store, and its peers hear 'bye' once
 * the store has let go. Rejects with RedisUnavailableError when the store is away (the seat is
 * gone here all the same, and the store applies the leave when it is back).
 */
export async function leaveSeat(hub: SignalingHub, member: LocalMember, reason: string): Promise<void> {
  const { socket, session } = member;
  const { store, logger } = hub.options;
  const room = session.room;
  if (room === undefined) return;
  hub.rooms.remove(room, member);
  session.room = undefined;
  session.secret = undefined;
  session.knownPeers.clear();
  void socket.leave(roomKey(room));
  const left = await store.leave(room, session.memberId);
  if (left === undefined) return; // the seat had already moved to a resumed connection
  hub.rooms.announceBye(room, session.memberId);
  logger.info(`client ${session.memberId} left room ${room} (${reason}); ${left.remaining.length} remain`, {
    event: 'leave',
    room,
    client: session.memberId,
    reason,
  });
}

/** `'bye'` with no room, or with the client's own: leaves it. Any other room is refused. */
export async function handleBye(ctx: ClientContext, named: unknown, ack: AnyAck | undefined): Promise<void> {
  const { session, socket } = ctx;
  const current = session.room;
  const wrongRoom = named !== undefined && named !== null && named !== current;
  if (current === undefined || wrongRoom) {
    ctx.refuse(
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
    await leaveSeat(ctx.hub, ctx.member, 'bye');
  } catch (error) {
    // The seat is gone locally; the store applies the leave when it is back.
    if (!(error instanceof RedisUnavailableError)) throw error;
    ctx.hub.options.logger.warn(`'bye' from ${session.memberId} is waiting for Redis`, error);
  }
  socket.data.room = undefined;
  ctx.log(`Client ID ${session.memberId} left room ${current}`);
  ctx.answer(ack, { ok: true });
}
