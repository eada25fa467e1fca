/**
 * The signaling error codes on their own, apart from protocol.ts: core's explanations (errors.ts,
 * loaded by every page) need the codes, not the schemas, and importing protocol.ts would put its
 * validator (valibot) in the first load of pages that never signal.
 */

/** Every error code the server sends, in acks and in the `'signaling error'` event. */
export const SignalingErrorCode = {
  /** The room name breaks `ROOM_NAME_RULE` (protocol.ts). */
  InvalidRoomName: 'INVALID_ROOM_NAME',
  /** The room already holds its capacity of members. */
  RoomFull: 'ROOM_FULL',
  /** The client is already in another room; send `'bye'` first. */
  AlreadyInRoom: 'ALREADY_IN_ROOM',
  /** A `'message'` or `'bye'` from a client that has joined no room. */
  NotInRoom: 'NOT_IN_ROOM',
  /** The payload does not match the protocol (wrong type, missing field, unknown shape). */
  InvalidPayload: 'INVALID_PAYLOAD',
  /** The payload is larger than the server's limit. */
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  /** The client sends faster than the server's rate limit allows. */
  RateLimited: 'RATE_LIMITED',
  /**
   * The server cannot decide the request right now: its shared state store (Redis) is
   * unreachable. Nothing was changed; try again in a moment.
   */
  Unavailable: 'UNAVAILABLE',
  /**
   * A recipient stopped reading what it is sent: more than the server's per-client limit was
   * waiting for it, so it was disconnected and the message not delivered (its peers hear `'bye'`).
   */
  SlowReceiver: 'SLOW_RECEIVER',
} as const;
export type SignalingErrorCode = (typeof SignalingErrorCode)[keyof typeof SignalingErrorCode];
