/** Errors: every code core raises, the one table explaining each (what happened, what to do), and the media/connection explainers. */
import { SignalingErrorCode } from './signaling/protocol.js';

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

type Text = string | ((context: ExplainContext) => string);
interface Entry {
  title: string;
  detail: Text;
  fix: Text;
}

const SERVE_SECURELY =
  'Open the page as http://localhost:<port> on this computer, or start the server with ' +
  '`npm start -- --https` (add `--host 0.0.0.0` for phones on the LAN) and open the https:// address it prints.';

/** The one table: every code, explained for a person. Keyed by code so nothing is left out. */
const EXPLANATIONS: Record<ErrorCode, Entry> = {
  INVALID_ROOM_NAME: {
    title: 'Invalid room name',
    detail: (c) => c.message ?? 'Room names are 1–64 characters: letters, digits, "-" or "_".',
    fix: 'Pick a name made of letters, digits, "-" or "_" (for example "demo-1").',
  },
  ROOM_FULL: {
    title: 'Room is full',
    detail: (c) => `Room ${c.room ? `"${c.room}" ` : ''}already has as many people as it holds (two).`,
    fix: 'Use another room name, or wait until someone in that room leaves.',
  },
  ALREADY_IN_ROOM: {
    title: 'Already in a room',
    detail: 'This page has already joined a room; a connection can be in one room at a time.',
    fix: 'Hang up (leave) first, then join the other room.',
  },
  NOT_IN_ROOM: {
    title: 'Not in a room',
    detail: 'The server got a message from a page that has not joined a room, so there is nobody to relay it to.',
    fix: 'Join a room first.',
  },
  INVALID_PAYLOAD: {
    title: 'Message refused',
    detail: (c) => c.message ?? 'The server refused a message that does not match the signaling protocol.',
    fix: "Send {type:'offer'|'answer', sdp}, {type:'candidate', …}, {type:'text', text}, 'got user media' or 'bye'.",
  },
  PAYLOAD_TOO_LARGE: {
    title: 'Message too large',
    detail: (c) => c.message ?? 'The server refused a message larger than its limit.',
    fix: 'Send less per message; large data belongs on a data channel, not on the signaling server.',
  },
  RATE_LIMITED: {
    title: 'Too many messages',
    detail: 'The server is refusing messages because this page sends them faster than its limit.',
    fix: 'Send less often (e.g. do not resend on every keystroke) and try again in a moment.',
  },
  UNAVAILABLE: {
    title: 'Signaling server busy',
    detail: (c) =>
      c.message ?? 'The signaling server could not reach the store it keeps rooms in (Redis), so it could not answer; nothing was changed.',
    fix: 'Try again in a moment. If it keeps happening, check that redis-server is running where the server\'s --redis-url points.',
  },
  SLOW_RECEIVER: {
    title: 'Peer stopped reading',
    detail: (c) =>
      c.message ?? 'The other side stopped reading what the server sent it (a frozen tab, a stalled network), so the server disconnected it; the message was not delivered.',
    fix: 'Wait for the other side to reconnect and join again, then resend.',
  },
  INVALID_STATE: {
    title: 'Already closed',
    detail: (c) => c.message ?? 'This object was closed (or is not ready yet), so it cannot do that now.',
    fix: 'Create a new one (for example start a new call) instead of reusing the closed one.',
  },
  INVALID_ARGUMENT: {
    title: 'Invalid argument',
    detail: (c) => c.message ?? 'A function was called with a value it cannot use.',
    fix: 'Check the value passed; the message names it.',
  },
  UNSUPPORTED: {
    title: 'Not supported by this browser',
    detail: (c) => c.message ?? 'This browser lacks an API this page needs.',
    fix: 'Use a current Chrome, Firefox, Safari or Edge.',
  },
  INSECURE_ORIGIN: {
    title: 'Camera or microphone blocked: insecure page',
    detail: (c) =>
      `Browsers only let secure pages (https:// or http://localhost) use the camera or microphone` +
      `${c.origin ? `, and this page is ${c.origin}` : ''}, so navigator.mediaDevices is not available here.`,
    fix: SERVE_SECURELY,
  },
  PERMISSION_DENIED: {
    title: 'Camera or microphone access denied',
    detail:
      'The browser refused access (NotAllowedError): you clicked Block, dismissed the prompt, or the ' +
      'permission is blocked in the browser or system settings. Browsers also answer this way on insecure (http://, non-localhost) pages.',
    fix:
      'Click the site settings icon in the address bar, allow the camera or microphone, then try again. If the page ' +
      'is http:// on a LAN address, ' +
      SERVE_SECURELY.charAt(0).toLowerCase() +
      SERVE_SECURELY.slice(1),
  },
  DEVICE_NOT_FOUND: {
    title: 'No camera or microphone found',
    detail: 'The browser has no camera or microphone of the kind asked for (NotFoundError), or the selected one was unplugged.',
    fix: 'Connect a camera or microphone, or pick another one in the device list, then try again.',
  },
  DEVICE_BUSY: {
    title: 'Camera or microphone busy',
    detail:
      'The device exists but could not be started (NotReadableError): another application or browser tab is ' +
      'probably using it, or the operating system blocked access.',
    fix:
      'Close other apps and tabs that use the camera or microphone (video calls, other copies of this page), then try again. ' +
      'On macOS/Windows also check the system privacy settings allow this browser to use the camera or microphone.',
  },
  OVERCONSTRAINED: {
    title: 'No camera or microphone can satisfy the constraints',
    detail: (c) =>
      c.constraint
        ? `No device can satisfy the required constraint "${c.constraint}"` +
          `${c.requested ? ` (asked for ${c.requested})` : ''} (OverconstrainedError).`
        : 'No device can satisfy the required constraints (OverconstrainedError).',
    fix: (c) =>
      c.constraint === 'deviceId'
        ? 'The selected device is gone: pick another one from the device list.'
        : 'Ask for less (a smaller preset such as VGA), or use `ideal` instead of `min`/`max`/`exact` so the browser picks the closest match.',
  },
  MEDIA_SECURITY: {
    title: 'Camera or microphone disabled for this page',
    detail:
      'Media capture is disabled in this document (SecurityError), e.g. an iframe without allow="camera; microphone" or a Permissions-Policy that forbids it.',
    fix: 'Open the page directly in its own tab, or add allow="camera; microphone" to the iframe that embeds it.',
  },
  MEDIA_ABORTED: {
    title: 'Camera or microphone failed to start',
    detail: 'The device could not be started for a reason the browser does not name (AbortError).',
    fix: 'Try again; if it persists, reconnect the camera or microphone, or restart the browser.',
  },
  INVALID_CONSTRAINTS: {
    title: 'Invalid constraints',
    detail: (c) =>
      'getUserMedia rejected the constraints (TypeError): they must ask for audio or video (or both)' +
      `${c.message ? `. The browser said: ${c.message}` : '.'}`,
    fix: 'Pass e.g. {video: true} or {audio: true, video: {width: 640}}; {} and {audio: false, video: false} are invalid.',
  },
  MEDIA_UNKNOWN: {
    title: 'Camera or microphone failed',
    detail: (c) => `getUserMedia failed${c.message ? `: ${c.message}` : '.'}`,
    fix: 'Try again, or try another browser; the browser console may say more.',
  },
  ICE_FAILED: {
    title: 'No network path between the peers',
    detail:
      'ICE failed: every candidate pair failed its connectivity checks, so the two browsers cannot reach each ' +
      'other directly. Typical causes are a firewall, symmetric NAT, or networks that block UDP.',
    fix:
      'Configure a TURN server (TURN_SECRET and TURN URLs, see the README) so traffic can be relayed, and check ' +
      'the diagnostics ICE page: "srflx but no relay" means TURN is missing or its credentials are wrong.',
  },
  SIGNALING_UNREACHABLE: {
    title: 'Signaling server unreachable',
    detail: (c) => `Could not reach the signaling server${c.url ? ` at ${c.url}` : ''}.`,
    fix:
      'Check the server is running (`npm start`) and the address and port are right; an https:// page needs the ' +
      'server started with --https too.',
  },
  SIGNALING_TIMEOUT: {
    title: 'Signaling server did not answer',
    detail: (c) =>
      `The signaling server is connected but did not answer${c.message ? ` ${c.message}` : ''} in time.`,
    fix: 'Try again; if it keeps happening, restart the server and check its log.',
  },
  PEER_LEFT: {
    title: 'The other person left',
    detail: (c) =>
      `The other member of ${c.room ? `room "${c.room}"` : 'the room'} hung up, closed the tab or lost their connection.`,
    fix: 'Stay here: when someone joins the room again the call starts again. Share the page link to invite them.',
  },
  NEGOTIATION_FAILED: {
    title: 'Negotiation failed',
    detail: (c) => `Creating or applying a session description failed${c.message ? `: ${c.message}` : '.'}`,
    fix: 'Hang up and call again; if it repeats, the two browsers may not share a codec (check the console).',
  },
  INVALID_CANDIDATE: {
    title: 'Unreadable ICE candidate',
    detail: (c) => `The ICE candidate line could not be parsed${c.message ? `: ${c.message}` : '.'}`,
    fix: 'Pass a candidate line such as "candidate:1 1 udp 2122260223 192.168.1.2 54400 typ host".',
  },
  STATS_FAILED: {
    title: 'Statistics unavailable',
    detail: (c) => `getStats() failed${c.message ? `: ${c.message}` : '.'}`,
    fix: 'Statistics need an open peer connection; start (or restart) the call.',
  },
  CHANNEL_TIMEOUT: {
    title: 'Data channel did not open',
    detail: 'The data channel did not open in time; usually the peer connection itself never connected.',
    fix: 'Check the call connects (ICE state "connected"), then try again.',
  },
  CHANNEL_CLOSED: {
    title: 'Data channel closed',
    detail: 'The data channel closed (the peer hung up or the connection dropped).',
    fix: 'Reconnect, then open a new data channel.',
  },
  UNRELIABLE_CHANNEL: {
    title: 'Channel may drop or reorder messages',
    detail:
      'File transfers need every chunk delivered in order, but this channel was created with ordered:false, maxRetransmits or maxPacketLifeTime.',
    fix: 'Create the channel with the default options (ordered and reliable) for transfers.',
  },
  TRANSFER_ABORTED: {
    title: 'Transfer cancelled',
    detail: (c) => `The transfer was cancelled${c.message ? `: ${c.message}` : '.'}`,
    fix: 'Send it again.',
  },
  TRANSFER_TOO_LARGE: {
    title: 'Transfer too large',
    detail: (c) => c.message ?? 'The announced size is larger than the receiver accepts.',
    fix: 'Send something smaller (e.g. a JPEG instead of a PNG), or raise the receiver\'s maxSize.',
  },
  TRANSFER_SIZE_MISMATCH: {
    title: 'Transfer size mismatch',
    detail: (c) => c.message ?? 'More bytes arrived than the header announced.',
    fix: 'Send it again; if it repeats, sender and receiver run different versions of the page.',
  },
  TRANSFER_TRUNCATED: {
    title: 'Transfer incomplete',
    detail: (c) => c.message ?? 'The transfer ended before all announced bytes arrived.',
    fix: 'Send it again once the connection is stable.',
  },
  TRANSFER_HASH_MISMATCH: {
    title: 'Transfer corrupted',
    detail: (c) => c.message ?? 'The received bytes do not match the SHA-256 the sender announced.',
    fix: 'Send it again; the corrupted copy was discarded.',
  },
  TRANSFER_PROTOCOL_ERROR: {
    title: 'Unexpected transfer message',
    detail: (c) => c.message ?? 'A message broke the transfer protocol.',
    fix: 'Send it again; if it repeats, sender and receiver run different versions of the page.',
  },
  CRYPTO_UNAVAILABLE: {
    title: 'WebCrypto unavailable',
    detail: 'crypto.subtle is missing, which browsers do on insecure (http://, non-localhost) pages; it is needed to check transfers.',
    fix: SERVE_SECURELY,
  },
};

function render(text: Text, context: ExplainContext): string {
  return typeof text === 'function' ? text(context) : text;
}

/** Looks up `code` in the table and fills in `context`. Unknown codes fall back to a generic entry. */
export function explain(code: string, context: ExplainContext = {}): Explanation {
  const known = (code in EXPLANATIONS ? code : undefined) as ErrorCode | undefined;
  if (!known) {
    return {
      code: code as ErrorCode,
      title: 'Something went wrong',
      detail: context.message ?? `Error ${code}.`,
      fix: 'Try again; the browser console may say more.',
    };
  }
  const entry = EXPLANATIONS[known];
  return { code: known, title: entry.title, detail: render(entry.detail, context), fix: render(entry.fix, context) };
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
 * "camera or microphone", and this names the one device the constraints asked for, in the title,
 * the detail and the fix alike.
 */
function nameAskedDevice(explanation: MediaErrorExplanation, constraints: MediaStreamConstraints | undefined): MediaErrorExplanation {
  const video = Boolean(constraints?.video);
  if (video === Boolean(constraints?.audio)) return explanation;
  const device = video ? 'camera' : 'microphone';
  const say = (text: string): string => text.replace(/camera or microphone/gi, (found) => (found[0] === 'C' ? device.charAt(0).toUpperCase() + device.slice(1) : device));
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
