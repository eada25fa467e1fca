/**
 * A client coming back with the token from its join ack gets its seat, role and id back, on this
 * process or another: runs first in its queue, before any event it sends.
 */
import type { ClientContext } from './client-context.js';
import { roomKey } from './hub.js';

export async function resumeSeat(ctx: ClientContext, room: string, memberId: string, secret: string): Promise<void> {
  const { hub, socket, session, member } = ctx;
  const { store, logger, metrics } = hub.options;
  const claim = await store.claim(room, memberId, secret).catch((error: unknown) => {
    logger.warn(`resuming ${memberId} in room ${room} failed`, error);
    return undefined;
  });
  if (claim === undefined) {
    ctx.log(`Could not resume your seat in room ${room}: it was freed, or the token is not valid. Join again.`);
    return;
  }
  if (!socket.connected) {
    // Dropped again before the claim landed: keep holding the seat for the rest of the grace.
    if (hub.seats.graceMs > 0 && !hub.shuttingDown) hub.seats.hold(room, memberId);
    return;
  }
  hub.seats.drop(memberId);
  const previous = hub.sessions.get(memberId);
  if (previous !== undefined && previous.socket !== socket) {
    // A connection the server had not yet noticed was dead: it goes quietly, the seat stays.
    previous.session.replaced = true;
    if (previous.session.room !== undefined) hub.rooms.remove(previous.session.room, previous);
    previous.socket.disconnect(true);
  }
  if (claim.previousNode !== store.nodeId) {
    try {
      hub.io.serverSideEmit('seat moved', memberId);
    } catch (error) {
      logger.warn('telling the other processes about a resumed seat failed', error);
    }
  }
  hub.sessions.delete(socket.id);
  hub.sessions.set(memberId, member);
  session.memberId = memberId;
  session.room = room;
  session.secret = secret;
  session.knownPeers = new Set(claim.peers);
  socket.data.room = room;
  hub.rooms.add(room, member);
  await socket.join(roomKey(room));
  metrics.resumedSessions += 1;
  ctx.log(`Resumed seat in room ${room} as ${memberId} (${claim.role})`);
  logger.info(`client ${memberId} resumed its seat in room ${room} (${claim.role})`, {
    event: 'resume',
    room,
    client: memberId,
    socket: socket.id,
  });
}
