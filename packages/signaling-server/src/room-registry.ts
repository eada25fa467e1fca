/**
 * Who is in which room: the server's one source of truth for membership, seats and roles.
 * Pure logic with no socket.io inside, so every rule (capacity, roles, politeness, rejoin after
 * leave) is unit-tested without a network. The socket.io layer asks it first and only then
 * emits events, which is what keeps `'ready'` to exactly once per fill and per room.
 */
import {
  DEFAULT_ROOM_CAPACITY,
  SignalingErrorCode,
  validateRoomName,
  type Failure,
  type JoinRole,
} from '@workbench/core/protocol';

export interface RoomMember {
  clientId: string;
  role: JoinRole;
  /** Perfect negotiation: this member yields when both sides offer at once. */
  polite: boolean;
}

export type RoomJoinOutcome =
  | {
      ok: true;
      room: string;
      clientId: string;
      role: JoinRole;
      polite: boolean;
      /** Ids of the other members, oldest first. */
      peers: string[];
      capacity: number;
      /** This join filled the room: every member gets `'ready'` now, once. */
      filled: boolean;
      /** The client was already a member of this room; nothing changed. */
      repeated: boolean;
    }
  | Failure;

export interface RoomLeaveOutcome {
  room: string;
  clientId: string;
  /** Members still in the room, oldest first; they get `'bye'`. */
  remaining: string[];
}

function fail(code: SignalingErrorCode, message: string): Failure {
  return { ok: false, error: { code, message, event: 'create or join' } };
}

export class RoomRegistry {
  readonly capacity: number;
  /** Members in join order; Map iteration order is insertion order. */
  readonly #rooms = new Map<string, Map<string, RoomMember>>();
  readonly #roomOfClient = new Map<string, string>();

  constructor(capacity: number = DEFAULT_ROOM_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 2) {
      throw new RangeError(`Room capacity must be an integer of at least 2, got ${String(capacity)}.`);
    }
    this.capacity = capacity;
  }

  /** Rooms with at least one member. */
  get roomCount(): number {
    return this.#rooms.size;
  }

  /** Clients that are in a room. */
  get clientCount(): number {
    return this.#roomOfClient.size;
  }

  roomOf(clientId: string): string | undefined {
    return this.#roomOfClient.get(clientId);
  }

  /** Members of `room`, oldest first (empty when the room does not exist). */
  members(room: string): RoomMember[] {
    return [...(this.#rooms.get(room)?.values() ?? [])];
  }

  join(roomInput: unknown, clientId: string): RoomJoinOutcome {
    const name = validateRoomName(roomInput);
    if (!name.ok) return name;
    const room = name.value;

    const current = this.#roomOfClient.get(clientId);
    if (current !== undefined && current !== room) {
      return fail(
        SignalingErrorCode.AlreadyInRoom,
        `You are already in room "${current}". Send 'bye' to leave it before joining "${room}".`,
      );
    }

    const members = this.#rooms.get(room) ?? new Map<string, RoomMember>();
    const existing = members.get(clientId);
    if (existing !== undefined) {
      return {
        ok: true,
        room,
        clientId,
        role: existing.role,
        polite: existing.polite,
        peers: [...members.keys()].filter((id) => id !== clientId),
        capacity: this.capacity,
        filled: false,
        repeated: true,
      };
    }

    if (members.size >= this.capacity) {
      return fail(
        SignalingErrorCode.RoomFull,
        `Room "${room}" is full (${this.capacity} of ${this.capacity}). Pick another room name, or wait until someone leaves.`,
      );
    }

    const peers = [...members.values()];
    // The newcomer's politeness must differ from the member already there, or a glare between two
    // polite (or two impolite) peers never resolves. Usually the creator stays and the joiner is
    // polite; after the creator leaves, the polite survivor's next partner has to be impolite.
    const polite = peers.length > 0 && !peers.every((peer) => peer.polite);
    const member: RoomMember = { clientId, role: peers.length === 0 ? 'created' : 'joined', polite };
    members.set(clientId, member);
    this.#rooms.set(room, members);
    this.#roomOfClient.set(clientId, room);

    return {
      ok: true,
      room,
      clientId,
      role: member.role,
      polite,
      peers: peers.map((peer) => peer.clientId),
      capacity: this.capacity,
      filled: members.size === this.capacity,
      repeated: false,
    };
  }

  /** Frees the client's seat; `undefined` when it was in no room. */
  leave(clientId: string): RoomLeaveOutcome | undefined {
    const room = this.#roomOfClient.get(clientId);
    if (room === undefined) return undefined;
    this.#roomOfClient.delete(clientId);
    const members = this.#rooms.get(room);
    members?.delete(clientId);
    if (members === undefined || members.size === 0) this.#rooms.delete(room);
    return { room, clientId, remaining: [...(members?.keys() ?? [])] };
  }
}
