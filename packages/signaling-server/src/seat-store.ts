/**
 * Where seats live. A seat is one member's place in a room: its role, its politeness, and the
 * secret that lets the same client claim it back after a network blip. One process keeps seats in
 * memory (a RoomRegistry); several processes share them in Redis (redis-seat-store.ts), where
 * capacity is enforced atomically. The socket.io layer (signaling.ts) only talks to this interface.
 */
import { randomBytes } from 'node:crypto';
import type { JoinRole } from '@workbench/core/protocol';
import type { RoomJoinOutcome, RoomLeaveOutcome, RoomRegistry } from './room-registry.js';

/** A join the store accepted, plus the seat's resume secret. */
export type SeatJoinOutcome = (Extract<RoomJoinOutcome, { ok: true }> & { secret: string }) | Extract<RoomJoinOutcome, { ok: false }>;

export interface SeatClaim {
  room: string;
  memberId: string;
  role: JoinRole;
  polite: boolean;
  /** Ids of the other members, oldest first. */
  peers: string[];
  /** The process that held the seat before this claim (this one's id when it never moved). */
  previousNode: string;
}

/** A seat that went away without its holder saying bye: a dead process's, or one lost in a restore. */
export interface FreedSeat {
  room: string;
  memberId: string;
}

export interface SeatStoreEvents {
  /** Seats of a dead process were freed; their rooms' members must hear `'bye'`. */
  seatsFreed(freed: FreedSeat[]): void;
  /** Seats this process held could not be put back after the store lost its data (Redis restart). */
  seatsLost(lost: FreedSeat[]): void;
}

export interface SeatStore {
  readonly capacity: number;
  /** This process's id in the store (seats it holds carry it). */
  readonly nodeId: string;
  /** Other processes share these seats (room events must be passed on to them). */
  readonly distributed: boolean;
  /**
   * Rooms and seats of this process's own clients. In memory this is the whole truth; with Redis it
   * is this process's view (what `/healthz` and `RunningServer.rooms` report).
   */
  readonly local: RoomRegistry;
  /** Resolves once the store can take joins; rejects with a coded ServerError if it cannot. */
  readonly ready: Promise<void>;
  /**
   * Why rooms cannot be shared with the other processes right now (Redis unreachable, stalled, or
   * still putting seats back), or `undefined` when they can. Relays to members on other processes
   * are refused while it says why, and `/healthz` answers 503 with it. A quick check only: what it
   * cannot see (Redis failing just after, another process's connection) the relay's ack waits for.
   */
  unavailableReason(): string | undefined;
  /** Takes a seat in `room` for `memberId` (room name already validated), or says why not. */
  join(room: string, memberId: string): Promise<SeatJoinOutcome>;
  /** Frees the seat if this process still holds it; `undefined` when it did not. */
  leave(room: string, memberId: string): Promise<RoomLeaveOutcome | undefined>;
  /** A reconnecting client proves it held this seat; the seat moves to this process. */
  claim(room: string, memberId: string, secret: string): Promise<SeatClaim | undefined>;
  /** Forgets a seat here without freeing it: another process's client resumed into it. */
  release(memberId: string): void;
  on<E extends keyof SeatStoreEvents>(event: E, listener: SeatStoreEvents[E]): void;
  close(): Promise<void>;
}

/** 128 random bits: the part of a resume token nobody else can guess. */
export function newSeatSecret(): string {
  return randomBytes(16).toString('base64url');
}

/** Seats of a single process, kept in a RoomRegistry; every operation is immediate. */
export class MemorySeatStore implements SeatStore {
  readonly nodeId = 'local';
  readonly distributed = false;
  readonly local: RoomRegistry;
  readonly ready = Promise.resolve();
  readonly #secrets = new Map<string, string>();

  constructor(registry: RoomRegistry) {
    this.local = registry;
  }

  get capacity(): number {
    return this.local.capacity;
  }

  unavailableReason(): undefined {
    return undefined; // one process: nothing to reach
  }

  join(room: string, memberId: string): Promise<SeatJoinOutcome> {
    const outcome = this.local.join(room, memberId);
    if (!outcome.ok) return Promise.resolve(outcome);
    let secret = this.#secrets.get(memberId);
    if (secret === undefined) {
      secret = newSeatSecret();
      this.#secrets.set(memberId, secret);
    }
    return Promise.resolve({ ...outcome, secret });
  }

  leave(room: string, memberId: string): Promise<RoomLeaveOutcome | undefined> {
    if (this.local.roomOf(memberId) !== room) return Promise.resolve(undefined);
    this.#secrets.delete(memberId);
    return Promise.resolve(this.local.leave(memberId));
  }

  claim(room: string, memberId: string, secret: string): Promise<SeatClaim | undefined> {
    if (this.local.roomOf(memberId) !== room || this.#secrets.get(memberId) !== secret) return Promise.resolve(undefined);
    const members = this.local.members(room);
    const seat = members.find((member) => member.clientId === memberId);
    if (seat === undefined) return Promise.resolve(undefined);
    return Promise.resolve({
      room,
      memberId,
      role: seat.role,
      polite: seat.polite,
      peers: members.filter((member) => member.clientId !== memberId).map((member) => member.clientId),
      previousNode: this.nodeId,
    });
  }

  release(): void {
    // One process: a seat never moves to another.
  }

  on(): void {
    // One process: no other process can die and leave seats behind, and nothing is restored.
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
