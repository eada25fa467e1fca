/**
 * Clients that stopped reading. What the server queues for one only grows, so past
 * `maxQueuedBytes` it is cut off: found by a relay to it (the sender is told SLOW_RECEIVER in its
 * answer) or by a sweep over every client.
 */
import { SignalingErrorCode } from '@workbench/core/protocol';
import type { LocalMember } from './client-session.js';
import { engineConnection, queuedBytes } from './engine-output.js';
import type { SignalingHub } from './hub.js';

/** How often every client's outgoing queue is measured (relays to two local members are checked as they go). */
export const QUEUE_SWEEP_MS = 200;

/**
 * Cuts off a client that stopped reading: its TCP socket is destroyed at once (a polite close
 * would wait behind the unread bytes, for up to a minute), so what was queued for it is freed now.
 * The notice cannot reach it; its room's members on this process get SLOW_RECEIVER, everyone 'bye'.
 * `except` is the sender whose relay found it, which hears it in its own answer instead.
 */
export function evictSlowReceiver(hub: SignalingHub, member: LocalMember, bytes: number, except?: LocalMember): void {
  const { socket, session } = member;
  const { metrics, logger, maxQueuedBytes } = hub.options;
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
    for (const peer of hub.rooms.members(room)) {
      if (peer === member || peer === except) continue;
      peer.socket.emit('signaling error', {
        code: SignalingErrorCode.SlowReceiver,
        message: `Your peer ${session.memberId} stopped reading (${why}) and was disconnected; what you sent it since may not have arrived.`,
        event: 'message',
      });
    }
  }
  const conn = engineConnection(socket);
  conn.transport.socket?._socket?.destroy?.();
  conn.close(true);
  socket.disconnect(true);
}

/** Measures every client's queue every {@link QUEUE_SWEEP_MS}; the caller clears the interval. */
export function startQueueSweep(hub: SignalingHub): NodeJS.Timeout {
  const { maxQueuedBytes } = hub.options;
  const sweep = setInterval(() => {
    for (const member of hub.sessions.values()) {
      const conn = engineConnection(member.socket);
      if (conn.writeBuffer.length === 0 && (conn.transport.socket?._socket?.writableLength ?? 0) <= maxQueuedBytes) continue;
      const bytes = queuedBytes(conn);
      if (bytes > maxQueuedBytes) evictSlowReceiver(hub, member, bytes);
    }
  }, QUEUE_SWEEP_MS);
  sweep.unref();
  return sweep;
}
