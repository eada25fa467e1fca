/**
 * Who is in which room on this process, and the room events ('join', 'ready', 'bye') they hear.
 * Each member hears about each peer once, through its `knownPeers`, whatever order the processes
 * learn of a join or a leave in; a join still waiting for the store keeps the events that arrive
 * meanwhile and applies them once it is decided.
 */
import type { RoomNotice } from '@workbench/core/protocol';
import type { LocalMember } from './client-session.js';

/** A join waiting for the store: room events arriving meanwhile are kept for when it is decided. */
export interface PendingJoin {
  readonly member: LocalMember;
  readonly notices: RoomNotice[];
}

/**
 * Emits a room event to one member unless it already knows (or never knew) the peer concerned.
 * The newcomer's own join is not news to it, nor an event about a room it has left.
 */
export function applyNotice({ socket, session }: LocalMember, notice: RoomNotice): void {
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
}

/**
 * A room event from another process, checked: it is typed by the protocol, but another process may
 * run another version. Undefined when it is not one.
 */
export function parseRoomNotice(notice: unknown): RoomNotice | undefined {
  const candidate = notice as Partial<RoomNotice> | null;
  if (typeof candidate?.room !== 'string' || typeof candidate.memberId !== 'string') return undefined;
  if (candidate.kind === 'join') return { kind: 'join', room: candidate.room, memberId: candidate.memberId, filled: candidate.filled === true };
  if (candidate.kind === 'bye') return { kind: 'bye', room: candidate.room, memberId: candidate.memberId };
  return undefined;
}

export class RoomNotices {
  /** This process's members of each room (not the other processes'). */
  readonly #rooms = new Map<string, Set<LocalMember>>();
  /** Joins in flight on this process, by room. */
  readonly #pending = new Map<string, Set<PendingJoin>>();
  readonly #share: (notice: RoomNotice) => void;

  /** @param share passes a notice to the other processes (a no-op for one process). */
  constructor(share: (notice: RoomNotice) => void = () => {}) {
    this.#share = share;
  }

  /** This process's members of `room`; empty when it has none. */
  members(room: string): ReadonlySet<LocalMember> {
    return this.#rooms.get(room) ?? new Set();
  }

  add(room: string, member: LocalMember): void {
    let members = this.#rooms.get(room);
    if (members === undefined) this.#rooms.set(room, (members = new Set()));
    members.add(member);
  }

  remove(room: string, member: LocalMember): void {
    const members = this.#rooms.get(room);
    if (members === undefined) return;
    members.delete(member);
    if (members.size === 0) this.#rooms.delete(room);
  }

  /** Starts keeping `room`'s events for a join the store has not yet decided. */
  startPending(room: string, member: LocalMember): PendingJoin {
    const waiting: PendingJoin = { member, notices: [] };
    let pending = this.#pending.get(room);
    if (pending === undefined) this.#pending.set(room, (pending = new Set()));
    pending.add(waiting);
    return waiting;
  }

  stopPending(room: string, waiting: PendingJoin): void {
    const pending = this.#pending.get(room);
    pending?.delete(waiting);
    if (pending?.size === 0) this.#pending.delete(room);
  }

  /** Tells this process's members of the room (and keeps it for its pending joins). */
  deliver(notice: RoomNotice): void {
    for (const member of this.#rooms.get(notice.room) ?? []) applyNotice(member, notice);
    for (const pending of this.#pending.get(notice.room) ?? []) pending.notices.push(notice);
  }

  /** Tells every member of the room, on every process. */
  announce(notice: RoomNotice): void {
    this.deliver(notice);
    this.#share(notice);
  }

  announceBye(room: string, memberId: string): void {
    this.announce({ kind: 'bye', room, memberId });
  }
}
