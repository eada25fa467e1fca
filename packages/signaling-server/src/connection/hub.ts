/**
 * What every connection's handlers share on one process: the options, the clients by member id,
 * the rooms and their notices, the held seats, and whether the process is shutting down.
 */
import type { SignalingHandlerOptions } from '../signaling.js';
import type { LocalMember, SignalingServer } from './client-session.js';
import type { RoomNotices } from './room-notices.js';
import type { SeatHolding } from './seat-holding.js';

export interface SignalingHub {
  readonly io: SignalingServer;
  readonly options: SignalingHandlerOptions;
  /** Connected clients of this process by member id (a resumed client under its old id). */
  readonly sessions: Map<string, LocalMember>;
  readonly rooms: RoomNotices;
  /** Seats of clients that dropped and may come back. */
  readonly seats: SeatHolding;
  /** Set once by the controller's shutdown(); seats are no longer held from then on. */
  readonly shuttingDown: boolean;
}

/**
 * socket.io rooms share one namespace with socket ids, and ids match the room-name rule; without a
 * prefix a client could "join" another client's id and receive its private traffic.
 * The braces are a Redis Cluster hash tag: the sharded adapter's channel for this room
 * (`<prefix>socket.io#/#{room:<room>}#`) then hashes to the slot of the room's seats
 * (`<prefix>{room:<room>}`): the relay script, run on the master holding the seats, publishes on
 * it with SPUBLISH, and Redis refuses a script a channel of another master (one slot also stays on
 * one master when slots move). Harmless on one Redis.
 */
export function roomKey(room: string): string {
  return `{room:${room}}`;
}

/** The signaling room a socket.io room stands for; undefined for a socket's own room. */
export function roomOfKey(key: string): string | undefined {
  return /^\{room:(.+)\}$/.exec(key)?.[1];
}
