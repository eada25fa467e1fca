/**
 * A connection gone. Leaving on purpose (the client's disconnect(), the server cutting it off, an
 * eviction) frees the seat at once; a resumable client that dropped keeps it for the grace.
 */
import type { ClientContext } from './client-context.js';
import { leaveSeat } from './leave.js';

/** Disconnect reasons that mean the connection was ended on purpose, not lost. */
const ON_PURPOSE = new Set(['client namespace disconnect', 'server namespace disconnect']);

export async function handleDisconnect(ctx: ClientContext, reason: string): Promise<void> {
  const { hub, socket, session, member } = ctx;
  const { logger, store, reconnectGraceMs } = hub.options;
  if (hub.sessions.get(session.memberId)?.socket === socket) hub.sessions.delete(session.memberId);
  if (session.replaced || session.room === undefined) return;
  const onPurpose = ON_PURPOSE.has(reason) || session.evicted;
  if (session.resumable && reconnectGraceMs > 0 && !onPurpose) {
    const room = session.room;
    hub.rooms.remove(room, member);
    session.room = undefined;
    if (!hub.shuttingDown) hub.seats.hold(room, session.memberId);
    logger.info(
      hub.shuttingDown && store.distributed
        ? `client ${session.memberId} may resume its seat in room ${room} on another process; unclaimed, it is freed within the seat TTL`
        : hub.shuttingDown
          ? `client ${session.memberId} disconnected by the shutdown; its seat in room ${room} ends with this process`
          : `client ${session.memberId} dropped (${reason}); holding its seat in room ${room} for ${reconnectGraceMs} ms`,
      { event: 'hold', room, client: session.memberId },
    );
    return;
  }
  await leaveSeat(hub, member, `disconnect: ${reason}`);
}
