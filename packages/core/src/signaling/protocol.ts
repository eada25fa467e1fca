/**
 * The signaling protocol: the one definition of every event and payload that crosses the wire
 * between the browser pages and the signaling server. Both sides import these types
 * (`Server<ClientToServerEvents, ServerToClientEvents, …>` and `Socket<ServerToClientEvents,
 * ClientToServerEvents>`), and the server validates every inbound payload with the schemas below,
 * because TypeScript types say nothing about what a hostile or buggy client actually sends.
 *
 * The vocabulary is the codelab's ("create or join", "created", "joined", "join", "full",
 * "ready", "message", "bye", "log") with the same argument order, so a learner can map each step
 * one to one and the original codelab pages still work against this server. What is new is
 * additive: an optional acknowledgement on requests, the sender's id on relayed messages, and a
 * coded error event.
 */
import * as v from 'valibot';
import { SignalingErrorCode } from './error-codes.js';

/** Room names: 1–64 letters, digits, `-` or `_` (safe in URLs, logs and Redis keys). */
export const ROOM_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const ROOM_NAME_RULE = '1–64 characters: letters, digits, "-" or "_"';

/** Default number of members a room holds; the codelab's rooms hold two. */
export const DEFAULT_ROOM_CAPACITY = 2;

/** Default largest relayed message, as UTF-8 JSON bytes: room for real SDP with many candidates. */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;

/** Longest text in a `{type:'text'}` chat message. */
export const MAX_TEXT_LENGTH = 4096;

/** Every error code the server sends (error-codes.ts, re-exported here with the rest of the protocol). */
export { SignalingErrorCode };

export interface SignalingErrorPayload {
  code: SignalingErrorCode;
  /** A sentence for a person: what went wrong and what to do. */
  message: string;
  /** The event that caused it, e.g. `'create or join'`. */
  event?: string;
}

// ---- Relayed message payloads -------------------------------------------------------------

const sessionDescriptionSchema = v.object({
  type: v.picklist(['offer', 'answer']),
  sdp: v.string(),
});

/**
 * A trickled ICE candidate. Current clients send `sdpMid`/`sdpMLineIndex` (the fields of
 * `RTCIceCandidateInit`); the codelab sends `label` (= sdpMLineIndex) and `id` (= sdpMid).
 * Both are accepted. An empty `candidate` string means "end of candidates".
 */
const candidateSchema = v.object({
  type: v.literal('candidate'),
  candidate: v.pipe(v.string(), v.maxLength(2048)),
  sdpMid: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(64)))),
  sdpMLineIndex: v.optional(v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1024)))),
  usernameFragment: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(256)))),
  label: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1024))),
  id: v.optional(v.pipe(v.string(), v.maxLength(64))),
});

const textSchema = v.object({
  type: v.literal('text'),
  text: v.pipe(v.string(), v.maxLength(MAX_TEXT_LENGTH)),
});

/** The schema of everything `'message'` may carry. */
export const signalMessageSchema = v.union([
  v.literal('got user media'),
  v.literal('bye'),
  v.variant('type', [sessionDescriptionSchema, candidateSchema, textSchema]),
]);

export type SessionDescriptionMessage = v.InferOutput<typeof sessionDescriptionSchema>;
export type CandidateMessage = v.InferOutput<typeof candidateSchema>;
export type TextMessage = v.InferOutput<typeof textSchema>;
export type SignalMessage = v.InferOutput<typeof signalMessageSchema>;

export const roomNameSchema = v.pipe(
  v.string('The room name must be a string.'),
  v.regex(ROOM_NAME_PATTERN, `Room names are ${ROOM_NAME_RULE}.`),
);

// ---- Acknowledgements ---------------------------------------------------------------------

export type Failure = { ok: false; error: SignalingErrorPayload };

export type JoinRole = 'created' | 'joined';

export type JoinResult =
  | {
      ok: true;
      role: JoinRole;
      room: string;
      clientId: string;
      /** Perfect negotiation: the peer that joined second is polite and yields on collisions. */
      polite: boolean;
      /** Ids of the members that were already in the room. */
      peers: string[];
      capacity: number;
      /**
       * Present only when the client connected with `auth: { resumeToken: '' }` (see
       * {@link SocketAuth}). Set it as `socket.auth = { resumeToken }` so that a socket.io reconnect
       * within the server's grace period gets this seat, role and `clientId` back, with no `'bye'`
       * to the peers. Codelab clients, which send no auth, never get one.
       */
      resumeToken?: string;
    }
  | Failure;

/**
 * The socket.io handshake `auth` this server reads. `resumeToken: ''` asks for a token in the join
 * ack; the token from that ack, presented on a later connection, claims the held seat back. A
 * connection without it (the codelab's) gets no token and its seat is freed as soon as it drops.
 */
export interface SocketAuth {
  resumeToken?: string;
}

export type Ack = { ok: true } | Failure;

// ---- Event maps ---------------------------------------------------------------------------

export interface ClientToServerEvents {
  /** Join `room`, creating it when empty. The ack is optional: codelab clients pass none. */
  'create or join': (room: string, ack?: (res: JoinResult) => void) => void;
  /** Relay `payload` to the other member(s) of the sender's room, and nobody else. */
  message: (payload: SignalMessage, ack?: (res: Ack) => void) => void;
  /** Leave the room; the others get `'bye'`. */
  bye: (room?: string, ack?: (res: Ack) => void) => void;
}

export interface ServerToClientEvents {
  /** To the first member: the room did not exist and now holds only them. */
  created: (room: string, clientId: string) => void;
  /** To a member that joined a room someone was already in. */
  joined: (room: string, clientId: string) => void;
  /** To the members already in the room when someone else joins. */
  join: (room: string, clientId: string) => void;
  /** To a client whose join was refused because the room is at capacity. */
  full: (room: string) => void;
  /** Exactly once to each member each time the room reaches capacity. */
  ready: (room: string) => void;
  /** A payload relayed from `from`, a member of the same room. */
  message: (payload: SignalMessage, from: string) => void;
  /** A member left (or disconnected). The room can be filled again. */
  bye: (room: string, clientId: string) => void;
  /** Server log lines about this client's requests (the codelab prints these). */
  log: (lines: string[]) => void;
  /** A request was refused; sent when the request carried no ack to answer. */
  'signaling error': (error: SignalingErrorPayload) => void;
  /**
   * The server process is going away. `resumable`: this client's seat is held for it, so a
   * reconnect with its resume token (to another process of the same cluster) gets it back;
   * otherwise the seat is freed now and a reconnect has to join again.
   */
  'server shutdown': (info: { resumable: boolean }) => void;
}

/**
 * A room event passed between server processes sharing Redis, so that each process can deliver
 * `'join'`/`'ready'` and `'bye'` to its own members of the room. `filled`: the join brought the
 * room to capacity (its members also get `'ready'`).
 */
export type RoomNotice =
  | { kind: 'join'; room: string; memberId: string; filled: boolean }
  | { kind: 'bye'; room: string; memberId: string };

/** Between server processes only (socket.io's `serverSideEmit`); browsers never see these. */
export interface InterServerEvents {
  /** Deliver this room event to your own members of the room. */
  'room notice': (notice: RoomNotice) => void;
  /**
   * A client resumed seat `memberId` on the sending process: stop holding it here, drop any
   * connection of it still open here without a `'bye'`, and forget the seat locally.
   */
  'seat moved': (memberId: string) => void;
}

export interface SocketData {
  room: string | undefined;
}

// ---- Validation helpers -------------------------------------------------------------------

export type Validated<T> = { ok: true; value: T } | Failure;

function failure(code: SignalingErrorCode, message: string, event?: string): Failure {
  return { ok: false, error: event === undefined ? { code, message } : { code, message, event } };
}

export function validateRoomName(input: unknown): Validated<string> {
  const result = v.safeParse(roomNameSchema, input);
  if (result.success) return { ok: true, value: result.output };
  const shown = typeof input === 'string' ? JSON.stringify(input.slice(0, 80)) : typeof input;
  return failure(
    SignalingErrorCode.InvalidRoomName,
    `Invalid room name ${shown}: room names are ${ROOM_NAME_RULE}.`,
    'create or join',
  );
}

const utf8 = new TextEncoder();

/**
 * UTF-8 JSON bytes of `payload` without recursion. JSON.stringify recurses, so a value nested a few
 * thousand levels deep (a 40 KB `[[[[…]]]]`, which JSON.parse reads happily) overflows its stack;
 * this walks it with a stack of its own. Follows JSON.stringify's rules for what plain data can
 * hold (toJSON methods are not called: parsed JSON has none). Infinity for a cycle.
 */
function measureIteratively(payload: unknown): number {
  let bytes = 0;
  const seen = new Set<object>();
  const pending: { value: unknown; inArray: boolean }[] = [{ value: payload, inArray: true }];
  while (pending.length > 0) {
    const { value, inArray } = pending.pop() as { value: unknown; inArray: boolean };
    if (value === null || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') {
      bytes += utf8.encode(JSON.stringify(value)).byteLength;
    } else if (typeof value === 'object') {
      if (seen.has(value)) return Number.POSITIVE_INFINITY;
      seen.add(value);
      if (Array.isArray(value)) {
        bytes += 2 + Math.max(0, value.length - 1);
        for (const item of value) pending.push({ value: item, inArray: true });
      } else {
        const entries = Object.entries(value).filter(([, field]) => field !== undefined && typeof field !== 'function' && typeof field !== 'symbol');
        bytes += 2 + Math.max(0, entries.length - 1);
        for (const [key, field] of entries) {
          bytes += utf8.encode(JSON.stringify(key)).byteLength + 1;
          pending.push({ value: field, inArray: false });
        }
      }
    } else if (inArray) {
      bytes += 4; // undefined, functions and symbols are written as null inside arrays
    }
  }
  return bytes;
}

/** Byte length of a payload as socket.io would send it (JSON, UTF-8); Infinity only for a cyclic value. */
export function payloadBytes(payload: unknown): number {
  try {
    const json = JSON.stringify(payload);
    return json === undefined ? 0 : utf8.encode(json).byteLength;
  } catch {
    return measureIteratively(payload); // nested too deep for JSON.stringify's recursion, or cyclic
  }
}

export function validateSignalMessage(
  input: unknown,
  maxBytes: number = DEFAULT_MAX_MESSAGE_BYTES,
): Validated<SignalMessage> {
  const bytes = payloadBytes(input);
  if (bytes === Number.POSITIVE_INFINITY) {
    return failure(SignalingErrorCode.InvalidPayload, 'Not a signaling message: it refers to itself, so it cannot be sent as JSON.', 'message');
  }
  if (bytes > maxBytes) {
    return failure(
      SignalingErrorCode.PayloadTooLarge,
      `Message of ${bytes} bytes is larger than the ${maxBytes}-byte limit.`,
      'message',
    );
  }
  const result = v.safeParse(signalMessageSchema, input);
  if (result.success) return { ok: true, value: result.output };
  const issue = result.issues[0];
  const where = issue?.path?.map((p) => String(p.key)).join('.') ?? '';
  return failure(
    SignalingErrorCode.InvalidPayload,
    `Not a signaling message${where ? ` (at "${where}")` : ''}: send {type:'offer'|'answer', sdp}, ` +
      `{type:'candidate', candidate, sdpMid, sdpMLineIndex}, {type:'text', text}, 'got user media' or 'bye'.`,
    'message',
  );
}

/** Candidate fields in `RTCIceCandidateInit` form, whichever naming the sender used. */
export function candidateInit(message: CandidateMessage): RTCIceCandidateInit {
  return {
    candidate: message.candidate,
    sdpMid: message.sdpMid ?? message.id ?? null,
    sdpMLineIndex: message.sdpMLineIndex ?? message.label ?? null,
    ...(message.usernameFragment != null ? { usernameFragment: message.usernameFragment } : {}),
  };
}
