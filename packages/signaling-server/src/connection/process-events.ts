/**
 * What other processes and the seat store tell this process: room events from elsewhere, a seat
 * resumed on another process, seats of a dead process freed, and seats lost in a Redis restart.
 */
import { SignalingErrorCode } from '@workbench/core/protocol';
import type { FreedSeat } from '../seat-store.js';
import { roomKey, type SignalingHub } from './hub.js';
import { parseRoomNotice } from './room-notices.js';

export function listenToOtherProcesses(hub: SignalingHub): void {
  const { io, sessions, rooms, seats } = hub;
  const { store, metrics } = hub.options;

  io.on('room notice', (notice: unknown) => {
    const parsed = parseRoomNotice(notice);
    if (parsed !== undefined) rooms.deliver(parsed);
  });

  store.on('seatsFreed', (freed: FreedSeat[]) => {
    metrics.ghostSeatsFreed += freed.length;
    for (const { room, memberId } of freed) rooms.announceBye(room, memberId);
  });

  store.on('seatsLost', (lost: FreedSeat[]) => {
    for (const { room, memberId } of lost) {
      seats.drop(memberId);
      const entry = sessions.get(memberId);
      if (entry !== undefined && entry.session.room === room) {
        rooms.remove(room, entry);
        entry.session.room = undefined;
        entry.session.knownPeers.clear();
        void entry.socket.leave(roomKey(room));
        entry.socket.emit('signaling error', {
          code: SignalingErrorCode.RoomFull,
          message: `Your seat in room "${room}" was given to someone else while the server's room store restarted. Join again, or pick another room.`,
          event: 'create or join',
        });
      }
      rooms.announceBye(room, memberId);
    }
  });

  // Another process resumed a client whose seat this one held: stop waiting for it here.
  io.on('seat moved', (memberId: unknown) => {
    if (typeof memberId !== 'string') return;
    seats.drop(memberId);
    const entry = sessions.get(memberId);
    if (entry !== undefined) {
      entry.session.replaced = true;
      if (entry.session.room !== undefined) rooms.remove(entry.session.room, entry);
      sessions.delete(memberId);
      entry.socket.disconnect(true);
    }
    store.release(memberId);
  });
}
