/** Errors: every code core raises, the one table explaining each (what happened, what to do), and the media/connection explainers. */
import { m } from '@workbench/i18n/messages';
import { baseLocale, getLocale } from '@workbench/i18n/runtime';
import { SignalingErrorCode } from './signaling/error-codes.js';

/**
 * Stable error codes: callers branch on these, never on messages. The signaling server's codes
 * are included unchanged, so a refused join surfaces as e.g. `ROOM_FULL` on the page too.
 */
export const ErrorCode = {
  ...SignalingErrorCode,
  /** A method was called on an object that is closed (or not yet ready). */
  InvalidState: 'INVALID_STATE',
  /** A caller passed a value the function cannot use. */
  InvalidArgument: 'INVALID_ARGUMENT',
  /** The browser lacks an API (no RTCPeerConnection, no WebCrypto…). */
  Unsupported: 'UNSUPPORTED',

  // getUserMedia, by DOMException name
  /** `navigator.mediaDevices` is missing because the page is not a secure context. */
  InsecureOrigin: 'INSECURE_ORIGIN',
  /** NotAllowedError: the user or the browser denied camera/microphone access. */
  PermissionDenied: 'PERMISSION_DENIED',
  /** NotFoundError: no device of the requested kind. */
  DeviceNotFound: 'DEVICE_NOT_FOUND',
  /** NotReadableError: the device exists but could not be started (usually in use elsewhere). */
  DeviceBusy: 'DEVICE_BUSY',
  /** OverconstrainedError: no device can satisfy a required constraint. */
  Overconstrained: 'OVERCONSTRAINED',
  /** SecurityError: media capture is disabled for this document. */
  MediaSecurity: 'MEDIA_SECURITY',
  /** AbortError: the device failed to start for a reason the browser does not name. */
  MediaAborted: 'MEDIA_ABORTED',
  /** TypeError: the constraints ask for no media at all (or are malformed). */
  InvalidConstraints: 'INVALID_CONSTRAINTS',
  /** Any other getUserMedia failure. */
  MediaUnknown: 'MEDIA_UNKNOWN',

  // Connections
  /** ICE found no working candidate pair (connectionState / iceConnectionState "failed"). */
  IceFailed: 'ICE_FAILED',
  /** The signaling server could not be reached. */
  SignalingUnreachable: 'SIGNALING_UNREACHABLE',
  /** The signaling server is connected but did not answer a request in time. */
  SignalingTimeout: 'SIGNALING_TIMEOUT',
  /** The other member of the room left or disconnected. */
  PeerLeft: 'PEER_LEFT',
  /** Applying or creating a session description failed. */
  NegotiationFailed: 'NEGOTIATION_FAILED',
  /** An ICE candidate line could not be parsed. */
  InvalidCandidate: 'INVALID_CANDIDATE',
  /** getStats() failed. */
  StatsFailed: 'STATS_FAILED',

  // Data channels and transfers
  /** A data channel did not open in time. */
  ChannelTimeout: 'CHANNEL_TIMEOUT',
  /** A data channel closed while something was waiting on it. */
  ChannelClosed: 'CHANNEL_CLOSED',
  /** A transfer was attempted over a channel that may drop or reorder messages. */
  UnreliableChannel: 'UNRELIABLE_CHANNEL',
  /** The sender (or the local caller) cancelled a transfer. */
  TransferAborted: 'TRANSFER_ABORTED',
  /** A transfer is larger than the receiver accepts. */
  TransferTooLarge: 'TRANSFER_TOO_LARGE',
  /** More bytes arrived than the header announced. */
  TransferSizeMismatch: 'TRANSFER_SIZE_MISMATCH',
  /** The transfer ended (or its channel closed) before all announced bytes arrived. */
  TransferTruncated: 'TRANSFER_TRUNCATED',
  /** The received bytes do not hash to the sha256 in the header. */
  TransferHashMismatch: 'TRANSFER_HASH_MISMATCH',
  /** A message broke the transfer protocol (bad header, unknown transfer, duplicate id). */
  TransferProtocol: 'TRANSFER_PROTOCOL_ERROR',
  /** WebCrypto (`crypto.subtle`) is missing, as on insecure origins. */
  CryptoUnavailable: 'CRYPTO_UNAVAILABLE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** An error in words: a short title, what happened, and what to do about it. */
export interface Explanation {
  code: ErrorCode;
  title: string;
  detail: string;
  fix: string;
}

/** A getUserMedia failure explained; `name` is the DOMException name the browser gave. */
export interface MediaErrorExplanation extends Explanation {
  name: string;
}

/** Facts that make an explanation specific ("room demo is full", "the constraint width"). */
export interface ExplainContext {
  room?: string;
  url?: string;
  /** The origin the page was served from, for insecure-origin explanations. */
  origin?: string;
  /** OverconstrainedError: the constraint the browser named, and what was asked for it. */
  constraint?: string;
  requested?: string;
  /** A message from the underlying error or the server, shown where nothing better exists. */
  message?: string;
}

type Text = (context: ExplainContext) => string;
interface Entry {
  title: () => string;
  detail: Text;
  fix: Text;
}

/**
 * The server's own English text for its refusals (a payload's size, the store it could not reach):
 * more specific than the generic sentence, so English shows it; another language shows the
 * translated sentence instead of English in the middle of a Chinese page.
 */
function serverSaid(message: string | undefined, translated: string): string {
  return message !== undefined && getLocale() === baseLocale ? message : translated;
}

/** The room name as validateRoomName quotes it, so the English sentence reads as the server's. */
function quotedRoom(room: string): string {
  return JSON.stringify(room.slice(0, 80));
}

/**
 * The one table: every code, explained for a person. Keyed by code so nothing is left out. The
 * words are messages (`m.core_…`), looked up when an explanation is made, so a page shows them in
 * its language and Node (the CLI, the server) in English.
 */
const EXPLANATIONS: Record<ErrorCode, Entry> = {
  INVALID_ROOM_NAME: {
    title: () => m.core_invalid_room_name_title(),
    // The server and signaling client say validateRoomName's sentence; with the room known this
    // is the same sentence, in the page's language.
    detail: (c) =>
      typeof c.room === 'string'
        ? m.core_invalid_room_name_detail_room({ room: quotedRoom(c.room) })
        : serverSaid(c.message, m.core_invalid_room_name_detail()),
    fix: () => m.core_invalid_room_name_fix(),
  },
  ROOM_FULL: {
    title: () => m.core_room_full_title(),
    detail: (c) => (c.room ? m.core_room_full_detail_room({ room: c.room }) : m.core_room_full_detail()),
    fix: () => m.core_room_full_fix(),
  },
  ALREADY_IN_ROOM: {
    title: () => m.core_already_in_room_title(),
    detail: () => m.core_already_in_room_detail(),
    fix: () => m.core_already_in_room_fix(),
  },
  NOT_IN_ROOM: {
    title: () => m.core_not_in_room_title(),
    detail: () => m.core_not_in_room_detail(),
    fix: () => m.core_not_in_room_fix(),
  },
  INVALID_PAYLOAD: {
    title: () => m.core_invalid_payload_title(),
    detail: (c) => serverSaid(c.message, m.core_invalid_payload_detail()),
    // The message shapes are code, the same in every language.
    fix: () => m.core_invalid_payload_fix({ shapes: "{type:'offer'|'answer', sdp}, {type:'candidate', …}, {type:'text', text}, 'got user media' or 'bye'" }),
  },
  PAYLOAD_TOO_LARGE: {
    title: () => m.core_payload_too_large_title(),
    detail: (c) => serverSaid(c.message, m.core_payload_too_large_detail()),
    fix: () => m.core_payload_too_large_fix(),
  },
  RATE_LIMITED: {
    title: () => m.core_rate_limited_title(),
    detail: () => m.core_rate_limited_detail(),
    fix: () => m.core_rate_limited_fix(),
  },
  UNAVAILABLE: {
    title: () => m.core_unavailable_title(),
    detail: (c) => serverSaid(c.message, m.core_unavailable_detail()),
    fix: () => m.core_unavailable_fix(),
  },
  SLOW_RECEIVER: {
    title: () => m.core_slow_receiver_title(),
    detail: (c) => serverSaid(c.message, m.core_slow_receiver_detail()),
    fix: () => m.core_slow_receiver_fix(),
  },
  INVALID_STATE: {
    title: () => m.core_invalid_state_title(),
    detail: (c) => c.message ?? m.core_invalid_state_detail(),
    fix: () => m.core_invalid_state_fix(),
  },
  INVALID_ARGUMENT: {
    title: () => m.core_invalid_argument_title(),
    detail: (c) => c.message ?? m.core_invalid_argument_detail(),
    fix: () => m.core_invalid_argument_fix(),
  },
  UNSUPPORTED: {
    title: () => m.core_unsupported_title(),
    detail: (c) => c.message ?? m.core_unsupported_detail(),
    fix: () => m.core_unsupported_fix(),
  },
  INSECURE_ORIGIN: {
    title: () => m.core_insecure_origin_title(),
    detail: (c) => (c.origin ? m.core_insecure_origin_detail_origin({ origin: c.origin }) : m.core_insecure_origin_detail()),
    fix: () => m.core_serve_securely(),
  },
  PERMISSION_DENIED: {
    title: () => m.core_permission_denied_title(),
    detail: () => m.core_permission_denied_detail(),
    fix: () => m.core_permission_denied_fix(),
  },
  DEVICE_NOT_FOUND: {
    title: () => m.core_device_not_found_title(),
    detail: () => m.core_device_not_found_detail(),
    fix: () => m.core_device_not_found_fix(),
  },
  DEVICE_BUSY: {
    title: () => m.core_device_busy_title(),
    detail: () => m.core_device_busy_detail(),
    fix: () => m.core_device_busy_fix(),
  },
  OVERCONSTRAINED: {
    title: () => m.core_overconstrained_title(),
    detail: (c) =>
      c.constraint
        ? c.requested
          ? m.core_overconstrained_detail_requested({ constraint: c.constraint, requested: c.requested })
          : m.core_overconstrained_detail_constraint({ constraint: c.constraint })
        : m.core_overconstrained_detail(),
    fix: (c) => (c.constraint === 'deviceId' ? m.core_overconstrained_fix_device() : m.core_overconstrained_fix()),
  },
  MEDIA_SECURITY: {
    title: () => m.core_media_security_title(),
    detail: () => m.core_media_security_detail(),
    fix: () => m.core_media_security_fix(),
  },
  MEDIA_ABORTED: {
    title: () => m.core_media_aborted_title(),
    detail: () => m.core_media_aborted_detail(),
    fix: () => m.core_media_aborted_fix(),
  },
  INVALID_CONSTRAINTS: {
    title: () => m.core_invalid_constraints_title(),
    detail: (c) =>
      c.message ? m.core_invalid_constraints_detail_message({ message: c.message }) : m.core_invalid_constraints_detail(),
    fix: () =>
      m.core_invalid_constraints_fix({
        valid: '{video: true}',
        example: '{audio: true, video: {width: 640}}',
        empty: '{}',
        off: '{audio: false, video: false}',
      }),
  },
  MEDIA_UNKNOWN: {
    title: () => m.core_media_unknown_title(),
    detail: (c) => (c.message ? m.core_media_unknown_detail_message({ message: c.message }) : m.core_media_unknown_detail()),
    fix: () => m.core_media_unknown_fix(),
  },
  ICE_FAILED: {
    title: () => m.core_ice_failed_title(),
    detail: () => m.core_ice_failed_detail(),
    fix: () => m.core_ice_failed_fix(),
  },
  SIGNALING_UNREACHABLE: {
    title: () => m.core_signaling_unreachable_title(),
    detail: (c) => (c.url ? m.core_signaling_unreachable_detail_url({ url: c.url }) : m.core_signaling_unreachable_detail()),
    fix: () => m.core_signaling_unreachable_fix(),
  },
  SIGNALING_TIMEOUT: {
    title: () => m.core_signaling_timeout_title(),
    detail: (c) => (c.message ? m.core_signaling_timeout_detail_message({ message: c.message }) : m.core_signaling_timeout_detail()),
    fix: () => m.core_signaling_timeout_fix(),
  },
  PEER_LEFT: {
    title: () => m.core_peer_left_title(),
    detail: (c) => (c.room ? m.core_peer_left_detail_room({ room: c.room }) : m.core_peer_left_detail()),
    fix: () => m.core_peer_left_fix(),
  },
  NEGOTIATION_FAILED: {
    title: () => m.core_negotiation_failed_title(),
    detail: (c) => (c.message ? m.core_negotiation_failed_detail_message({ message: c.message }) : m.core_negotiation_failed_detail()),
    fix: () => m.core_negotiation_failed_fix(),
  },
  INVALID_CANDIDATE: {
    title: () => m.core_invalid_candidate_title(),
    detail: (c) => (c.message ? m.core_invalid_candidate_detail_message({ message: c.message }) : m.core_invalid_candidate_detail()),
    fix: () => m.core_invalid_candidate_fix({ example: 'candidate:1 1 udp 2122260223 192.168.1.2 54400 typ host' }),
  },
  STATS_FAILED: {
    title: () => m.core_stats_failed_title(),
    detail: (c) => (c.message ? m.core_stats_failed_detail_message({ message: c.message }) : m.core_stats_failed_detail()),
    fix: () => m.core_stats_failed_fix(),
  },
  CHANNEL_TIMEOUT: {
    title: () => m.core_channel_timeout_title(),
    detail: () => m.core_channel_timeout_detail(),
    fix: () => m.core_channel_timeout_fix(),
  },
  CHANNEL_CLOSED: {
    title: () => m.core_channel_closed_title(),
    detail: () => m.core_channel_closed_detail(),
    fix: () => m.core_channel_closed_fix(),
  },
  UNRELIABLE_CHANNEL: {
    title: () => m.core_unreliable_channel_title(),
    detail: () => m.core_unreliable_channel_detail(),
    fix: () => m.core_unreliable_channel_fix(),
  },
  TRANSFER_ABORTED: {
    title: () => m.core_transfer_aborted_title(),
    detail: (c) => (c.message ? m.core_transfer_aborted_detail_message({ message: c.message }) : m.core_transfer_aborted_detail()),
    fix: () => m.core_transfer_aborted_fix(),
  },
  TRANSFER_TOO_LARGE: {
    title: () => m.core_transfer_too_large_title(),
    detail: (c) => c.message ?? m.core_transfer_too_large_detail(),
    fix: () => m.core_transfer_too_large_fix(),
  },
  TRANSFER_SIZE_MISMATCH: {
    title: () => m.core_transfer_size_mismatch_title(),
    detail: (c) => c.message ?? m.core_transfer_size_mismatch_detail(),
    fix: () => m.core_transfer_versions_fix(),
  },
  TRANSFER_TRUNCATED: {
    title: () => m.core_transfer_truncated_title(),
    detail: (c) => c.message ?? m.core_transfer_truncated_detail(),
    fix: () => m.core_transfer_truncated_fix(),
  },
  TRANSFER_HASH_MISMATCH: {
    title: () => m.core_transfer_hash_mismatch_title(),
    detail: (c) => c.message ?? m.core_transfer_hash_mismatch_detail(),
    fix: () => m.core_transfer_hash_mismatch_fix(),
  },
  TRANSFER_PROTOCOL_ERROR: {
    title: () => m.core_transfer_protocol_error_title(),
    detail: (c) => c.message ?? m.core_transfer_protocol_error_detail(),
    fix: () => m.core_transfer_versions_fix(),
  },
  CRYPTO_UNAVAILABLE: {
    title: () => m.core_crypto_unavailable_title(),
    detail: () => m.core_crypto_unavailable_detail(),
    fix: () => m.core_serve_securely(),
  },
};

/** Looks up `code` in the table and fills in `context`. Unknown codes fall back to a generic entry. */
export function explain(code: string, context: ExplainContext = {}): Explanation {
  const known = (code in EXPLANATIONS ? code : undefined) as ErrorCode | undefined;
  if (!known) {
    return {
      code: code as ErrorCode,
      title: m.core_unknown_title(),
      detail: context.message ?? m.core_unknown_detail({ code }),
      fix: m.core_unknown_fix(),
    };
  }
  const entry = EXPLANATIONS[known];
  return { code: known, title: entry.title(), detail: entry.detail(context), fix: entry.fix(context) };
}

export interface WorkbenchErrorOptions {
  cause?: unknown;
  /** Facts for the explanation (room, url, constraint …). */
  context?: ExplainContext;
  /** A ready explanation (explainMediaError builds one); otherwise it is looked up by code. */
  explanation?: Explanation;
}

/**
 * The one error class core throws. Branch on `code`; show `explanation` (title, detail, fix)
 * to a person. `message` defaults to "detail fix", a sentence that says what to do.
 */
export class WorkbenchError extends Error {
  override readonly name = 'WorkbenchError';
  readonly code: ErrorCode;
  readonly explanation: Explanation;

  constructor(code: ErrorCode, message?: string, options: WorkbenchErrorOptions = {}) {
    const explanation =
      options.explanation ??
      explain(code, message !== undefined ? { message, ...options.context } : (options.context ?? {}));
    super(message ?? `${explanation.detail} ${explanation.fix}`, { cause: options.cause });
    this.code = code;
    this.explanation = explanation;
  }
}

export function isWorkbenchError(error: unknown, code?: ErrorCode): error is WorkbenchError {
  return error instanceof WorkbenchError && (code === undefined || error.code === code);
}

// ---- getUserMedia ------------------------------------------------------------------------

/** Environment facts the media explanations depend on; read from the page when not given. */
export interface MediaEnvironment {
  /** `window.isSecureContext`. */
  isSecureContext?: boolean;
  /** Whether `navigator.mediaDevices` exists (it does not on insecure origins). */
  mediaDevicesAvailable?: boolean;
  /** `location.origin`, for the explanation's wording. */
  origin?: string;
}

function pageEnvironment(): MediaEnvironment {
  const g = globalThis as { isSecureContext?: boolean; location?: { origin?: string } };
  return {
    ...(typeof g.isSecureContext === 'boolean' ? { isSecureContext: g.isSecureContext } : {}),
    ...(typeof g.location?.origin === 'string' ? { origin: g.location.origin } : {}),
  };
}

const MEDIA_CODE_BY_NAME: Record<string, ErrorCode> = {
  NotAllowedError: ErrorCode.PermissionDenied,
  PermissionDeniedError: ErrorCode.PermissionDenied, // Chrome < 64
  NotFoundError: ErrorCode.DeviceNotFound,
  DevicesNotFoundError: ErrorCode.DeviceNotFound, // Chrome < 64
  NotReadableError: ErrorCode.DeviceBusy,
  TrackStartError: ErrorCode.DeviceBusy, // Chrome < 64
  OverconstrainedError: ErrorCode.Overconstrained,
  ConstraintNotSatisfiedError: ErrorCode.Overconstrained, // Chrome < 64
  SecurityError: ErrorCode.MediaSecurity,
  AbortError: ErrorCode.MediaAborted,
  TypeError: ErrorCode.InvalidConstraints,
};

/** What was asked of `constraint` in `constraints`, as text: `{"min":1280}` or `"abc"`. */
function requestedValue(constraints: MediaStreamConstraints | undefined, constraint: string): string | undefined {
  for (const kind of ['video', 'audio'] as const) {
    const track = constraints?.[kind];
    if (track && typeof track === 'object' && constraint in track) {
      return JSON.stringify((track as Record<string, unknown>)[constraint]);
    }
  }
  return undefined;
}

function errorName(error: unknown): string {
  if (error instanceof WorkbenchError) return error.explanation.code;
  if (error && typeof error === 'object' && 'name' in error && typeof error.name === 'string') return error.name;
  return 'Error';
}

function errorMessage(error: unknown): string | undefined {
  if (error && typeof error === 'object' && 'message' in error && typeof error.message === 'string') {
    return error.message || undefined;
  }
  return typeof error === 'string' ? error : undefined;
}

/**
 * Explains a getUserMedia failure by its `error.name`, in words a learner understands.
 * Pass the constraints that were requested so an OverconstrainedError can name what was asked.
 */
export function explainMediaError(
  error: unknown,
  constraints?: MediaStreamConstraints,
  environment: MediaEnvironment = pageEnvironment(),
): MediaErrorExplanation {
  if (error instanceof WorkbenchError && 'name' in error.explanation) {
    return error.explanation as MediaErrorExplanation;
  }
  const name = errorName(error);
  const message = errorMessage(error);
  const context: ExplainContext = {
    ...(environment.origin ? { origin: environment.origin } : {}),
    ...(message ? { message } : {}),
  };
  const insecure = environment.mediaDevicesAvailable === false || environment.isSecureContext === false;

  let code = MEDIA_CODE_BY_NAME[name] ?? ErrorCode.MediaUnknown;
  if (name === ErrorCode.InsecureOrigin) code = ErrorCode.InsecureOrigin;
  // On an insecure origin, browsers either lack mediaDevices (a TypeError when called) or deny.
  if (insecure && (code === ErrorCode.PermissionDenied || code === ErrorCode.InvalidConstraints)) {
    code = ErrorCode.InsecureOrigin;
  }
  if (code === ErrorCode.Overconstrained) {
    const constraint =
      error && typeof error === 'object' && 'constraint' in error && typeof error.constraint === 'string'
        ? error.constraint
        : undefined;
    if (constraint) {
      context.constraint = constraint;
      const requested = requestedValue(constraints, constraint);
      if (requested !== undefined) context.requested = requested;
    }
  }
  return nameAskedDevice({ ...explain(code, context), name }, constraints);
}

/**
 * "Camera or microphone access denied" (or "No camera or microphone found") when only the camera
 * was asked read as if the page had wanted the microphone too (issue 13): every media text says
 * "camera or microphone" (in Chinese "摄像头或麦克风", the same message), and this names the one
 * device the constraints asked for, in the title, the detail and the fix alike.
 */
function nameAskedDevice(explanation: MediaErrorExplanation, constraints: MediaStreamConstraints | undefined): MediaErrorExplanation {
  const video = Boolean(constraints?.video);
  if (video === Boolean(constraints?.audio)) return explanation;
  const device = video ? m.core_device_camera() : m.core_device_microphone();
  const either = new RegExp(m.core_device_either().replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi');
  // A capitalised "Camera or microphone" at the start of a title becomes "Camera".
  const say = (text: string): string =>
    text.replace(either, (found) => (found[0] !== found[0]?.toLowerCase() ? device.charAt(0).toUpperCase() + device.slice(1) : device));
  return { ...explanation, title: say(explanation.title), detail: say(explanation.detail), fix: say(explanation.fix) };
}

// ---- Connections -------------------------------------------------------------------------

/** The connection failures pages explain; any other ErrorCode is accepted too. */
export type ConnectionFailure =
  | typeof ErrorCode.IceFailed
  | typeof ErrorCode.SignalingUnreachable
  | typeof ErrorCode.SignalingTimeout
  | typeof ErrorCode.RoomFull
  | typeof ErrorCode.PeerLeft
  | ErrorCode;

/**
 * Explains a connection failure (ICE failed, signaling unreachable, room full, peer left …) in
 * plain language. Accepts a code, a WorkbenchError, or anything with a string `code`.
 */
export function explainConnectionFailure(
  failure: ConnectionFailure | WorkbenchError | { code: string; message?: string },
  context: ExplainContext = {},
): Explanation {
  if (failure instanceof WorkbenchError) {
    return Object.keys(context).length === 0 ? failure.explanation : explain(failure.code, context);
  }
  if (typeof failure === 'string') return explain(failure, context);
  return explain(failure.code, failure.message ? { message: failure.message, ...context } : context);
}

/**
 * Explains why Join failed, once for every page that joins a room: the camera's explanation when
 * getUserMedia failed (RoomCall wraps it), the server's refusal (ROOM_FULL, INVALID_ROOM_NAME …)
 * with the room named, or "signaling unreachable" for anything that is not a coded error.
 */
export function explainJoinFailure(failure: unknown, context: { room: string; url?: string }): Explanation {
  const where: ExplainContext = { room: context.room, ...(context.url !== undefined ? { url: context.url } : {}) };
  if (!(failure instanceof WorkbenchError)) return explain(ErrorCode.SignalingUnreachable, where);
  if ('name' in failure.explanation) return failure.explanation;
  // These two have their own wording; the server's message would only repeat it less clearly.
  if (failure.code === ErrorCode.RoomFull || failure.code === ErrorCode.SignalingUnreachable) return explain(failure.code, where);
  return explain(failure.code, { ...where, message: failure.message });
}
