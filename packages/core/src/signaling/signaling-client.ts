/**
 * Signaling client: the typed socket.io-client wrapper for the protocol: join and relay with acks,
 * leave, and after a reconnect either resume the same seat (resume token) or join again.
 */
import { m } from '@workbench/i18n/messages';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { Emitter } from '../emitter.js';
import { ErrorCode, WorkbenchError } from '../errors.js';
import { namedLogger, type Logger } from '../logger.js';
import {
  validateRoomName,
  validateSignalMessage,
  type Ack,
  type ClientToServerEvents,
  type JoinResult,
  type ServerToClientEvents,
  type SignalMessage,
  type SocketAuth,
} from './protocol.js';

export type SignalingSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The server's answer to a successful join: role, own client id, whether to be polite, peers. */
export type JoinSuccess = Extract<JoinResult, { ok: true }>;

export type SignalingClientEvents = {
  /** Connected (also after each reconnect). */
  connect: () => void;
  /** The codelab's events, forwarded with their arguments. */
  created: (room: string, clientId: string) => void;
  joined: (room: string, clientId: string) => void;
  /** Someone joined the room this client is in. */
  join: (room: string, clientId: string) => void;
  ready: (room: string) => void;
  full: (room: string) => void;
  message: (payload: SignalMessage, from: string) => void;
  bye: (room: string, clientId: string) => void;
  log: (lines: string[]) => void;
  disconnect: (reason: string) => void;
  /** socket.io reconnected after losing the connection; a rejoin follows if a room was joined. */
  reconnect: (attempt: number) => void;
  /**
   * The reconnect got the same seat back (resume token, within the server's grace period): same
   * client id, role and politeness, and the peers saw no `'bye'`, so a call can carry on as it was.
   */
  resumed: (result: JoinSuccess) => void;
  /**
   * The room was joined again after a reconnect that could not resume (no token, or the seat was
   * freed): a new client id, maybe a new role; the peers saw `'bye'` and then `'join'`.
   */
  rejoined: (result: JoinSuccess) => void;
  /** The server is going away; `resumable`: this client's seat is held for its reconnect. */
  'server shutdown': (info: { resumable: boolean }) => void;
  /** The server is unreachable (each failed connection attempt). */
  connect_error: (error: WorkbenchError) => void;
  /** The server refused a request sent without acknowledgement, or a rejoin failed. */
  error: (error: WorkbenchError) => void;
};

export interface SignalingClientOptions {
  /** How long to wait for the server's acknowledgement; default 5000 ms. */
  timeoutMs?: number;
  logger?: Logger;
  /**
   * Options for socket.io's `io()`, e.g. `{ transports: ['websocket'] }`. Without `transports` of your
   * own, `connect()` tries WebSocket first (see WEBSOCKET_FIRST); without an `auth`, it sends
   * `{ resumeToken: '' }` so the server hands out a resume token.
   */
  socket?: Partial<ManagerOptions & SocketOptions>;
  /** The server's URL, named in "unreachable" messages; SignalingClient.connect sets it. */
  url?: string;
}

/**
 * What `connect()` asks of socket.io unless `socket` says otherwise: WebSocket first, long-polling as
 * the fallback (tryAllTransports) for networks that block WebSockets. socket.io's own default starts
 * with long-polling and upgrades a moment later, and every packet waits while it upgrades: a Join
 * clicked then sent its 'create or join' ~60 ms late (issue 12's /photo/ join benchmark).
 */
const WEBSOCKET_FIRST: Partial<ManagerOptions & SocketOptions> = { transports: ['websocket', 'polling'], tryAllTransports: true };

type LooseEmit = { emit(event: string, ...args: unknown[]): unknown };


/** "Could not reach the signaling server [at url] within … ms while … [(cause)]", in the page's language. */
function unreachableWithin(ms: number, doing: string, url: string | undefined, cause: string | undefined): string {
  if (url !== undefined && url !== '') {
    return cause !== undefined ? m.core_signaling_unreachable_within_url_cause({ url, ms, doing, cause }) : m.core_signaling_unreachable_within_url({ url, ms, doing });
  }
  return cause !== undefined ? m.core_signaling_unreachable_within_cause({ ms, doing, cause }) : m.core_signaling_unreachable_within({ ms, doing });
}
/**
 * A socket.io-client Socket with the protocol's events, typed, plus acknowledgement handling
 * and coded errors.
 *
 * ```ts
 * const signaling = SignalingClient.connect();          // same origin as the page
 * window.socket = signaling.socket;
 * const { polite, role } = await signaling.join('demo'); // rejects with ROOM_FULL, INVALID_ROOM_NAME…
 * signaling.on('message', (m) => void negotiator.handle(m));
 * ```
 */
export class SignalingClient extends Emitter<SignalingClientEvents> {
  readonly socket: SignalingSocket;
  readonly timeoutMs: number;
  readonly #url: string | undefined;
  readonly #log: Logger;
  readonly #detach: (() => void)[] = [];
  #joined: JoinSuccess | undefined;
  /** The others in the room, kept in the order the server's packets arrive (see `peers`). */
  #peers: string[] = [];
  #hasConnected = false;
  #lastConnectError: Error | undefined;
  #closed = false;
  /** While a reconnect is being confirmed: the id the client had, whose seat it may have resumed. */
  #resumingAs: string | undefined;

  /** Connects to `url` (the page's own origin when omitted, as the codelab's `io.connect()`). */
  static connect(url?: string, options: SignalingClientOptions = {}): SignalingClient {
    const auth: SocketAuth = { resumeToken: '' };
    const socketOptions = { auth, ...WEBSOCKET_FIRST, ...options.socket };
    const socket: SignalingSocket = url === undefined ? io(socketOptions) : io(url, socketOptions);
    const location = (globalThis as { location?: { origin?: string } }).location;
    return new SignalingClient(socket, { ...options, url: options.url ?? url ?? location?.origin ?? 'this page\'s server' });
  }

  constructor(socket: SignalingSocket, options: SignalingClientOptions = {}) {
    const log = namedLogger('signaling', options.logger ?? console);
    super({ logger: log });
    this.socket = socket;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.#url = options.url;
    this.#log = log;
    this.#wire();
  }

  /** The room joined, if any. */
  get room(): string | undefined {
    return this.#joined?.room;
  }

  /** This client's id as the server knows it (kept when a reconnect resumes the seat, new after a rejoin). */
  get clientId(): string | undefined {
    return this.#joined?.clientId;
  }

  /**
   * The others in the room as of the last packet handled: the join's acknowledgement, then each
   * 'join' and 'bye'. Read it rather than the acknowledgement's `peers` once `join()` resolves: a
   * 'join' can be handled before the awaiting code resumes (long-polling delivers the ack and the
   * next event in one response), and the acknowledgement's list does not have that peer.
   * Through a lost connection it keeps the last list until the rejoin's acknowledgement replaces it.
   */
  get peers(): readonly string[] {
    return this.#peers;
  }

  /** Whether to be the polite peer in perfect negotiation (the one that joined second). */
  get polite(): boolean | undefined {
    return this.#joined?.polite;
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Joins `room` ('create or join'). Resolves with the server's acknowledgement; rejects with a
   * WorkbenchError carrying the server's code (ROOM_FULL, INVALID_ROOM_NAME, ALREADY_IN_ROOM …),
   * SIGNALING_UNREACHABLE when no connection could be made in time, or SIGNALING_TIMEOUT.
   */
  async join(room: string): Promise<JoinSuccess> {
    this.#assertOpen('join');
    const name = validateRoomName(room);
    if (!name.ok) throw new WorkbenchError(name.error.code, name.error.message, { context: { room } });
    // The membership is recorded inside the ack callback, not after the await: the server sends
    // 'ready' right behind the ack, and a 'ready' handler must already see `polite` and `room`.
    const result = await this.#request<JoinResult>('create or join', m.core_doing_joining_room({ room }), room, (answer) => {
      if (!answer.ok) return;
      this.#joined = answer;
      this.#peers = [...answer.peers];
      // Presented on socket.io's next automatic reconnect, so the server gives this seat back.
      if (answer.resumeToken !== undefined) this.#setResumeToken(answer.resumeToken);
    });
    if (!result.ok) {
      throw new WorkbenchError(result.error.code, result.error.message, { context: { room, message: result.error.message } });
    }
    this.#log.info(
      m.core_log_joined_as({
        role: result.role === 'created' ? m.core_role_created() : m.core_role_joined(),
        room: result.room,
        clientId: result.clientId,
        politeness: result.polite ? m.core_polite() : m.core_impolite(),
      }),
    );
    return result;
  }

  /** Relays `message` to the other member(s) of the room; resolves when the server has accepted it. */
  async send(message: SignalMessage): Promise<void> {
    this.#assertOpen('send');
    const valid = validateSignalMessage(message);
    if (!valid.ok) throw new WorkbenchError(valid.error.code, valid.error.message);
    const ack = await this.#request<Ack>('message', m.core_doing_relaying(), message);
    if (!ack.ok) throw new WorkbenchError(ack.error.code, ack.error.message, this.room ? { context: { room: this.room } } : {});
  }

  /** Leaves the room (the others get 'bye'). Does nothing when not in a room or not connected. */
  async leave(): Promise<void> {
    this.#assertOpen('leave');
    const room = this.#joined?.room;
    this.#joined = undefined; // first, so a reconnect meanwhile does not rejoin
    this.#peers = [];
    if (!room) return;
    this.#forgetResumeToken();
    if (!this.socket.connected) return;
    const ack = await this.#request<Ack>('bye', m.core_doing_leaving_room({ room }), room);
    if (!ack.ok) throw new WorkbenchError(ack.error.code, ack.error.message, { context: { room } });
    this.#log.info(m.core_log_left_room({ room }));
  }

  /** Disconnects for good: the server treats it as leaving. Later calls throw INVALID_STATE. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#joined = undefined;
    this.#peers = [];
    for (const detach of this.#detach.splice(0)) detach();
    this.socket.disconnect();
  }

  #assertOpen(method: string): void {
    if (this.#closed) {
      throw new WorkbenchError(ErrorCode.InvalidState, m.core_signaling_called_after_close({ call: `SignalingClient.${method}()` }));
    }
  }

  #request<T>(event: keyof ClientToServerEvents, doing: string, argument: unknown, onAnswer?: (response: T) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // socket.io's emitWithAck types cannot see through the protocol's optional ack parameter.
      const timed = this.socket.timeout(this.timeoutMs) as unknown as LooseEmit;
      timed.emit(event, argument, (error: Error | null, response: T) => {
        if (!error) {
          onAnswer?.(response);
          resolve(response);
          return;
        }
        if (!this.socket.connected) {
          reject(
            new WorkbenchError(
              ErrorCode.SignalingUnreachable,
              unreachableWithin(this.timeoutMs, doing, this.#url, this.#lastConnectError?.message),
              { cause: this.#lastConnectError ?? error, context: this.#url ? { url: this.#url } : {} },
            ),
          );
        } else {
          reject(
            new WorkbenchError(
              ErrorCode.SignalingTimeout,
              m.core_signaling_no_answer_within({ ms: this.timeoutMs, doing }),
              { cause: error },
            ),
          );
        }
      });
    });
  }

  #on<E extends keyof ServerToClientEvents>(event: E, listener: ServerToClientEvents[E]): void {
    // socket.io's listener types are stricter than the protocol map they come from.
    const socket = this.socket as unknown as { on(e: string, l: unknown): void; off(e: string, l: unknown): void };
    socket.on(event, listener);
    this.#detach.push(() => socket.off(event, listener));
  }

  #wire(): void {
    // Confirming a resumed seat is a repeated join, which the server answers with the role event
    // again; the page already had it, and nothing about its membership changed.
    this.#on('created', (room, clientId) => {
      if (clientId !== this.#resumingAs) this.emit('created', room, clientId);
    });
    this.#on('joined', (room, clientId) => {
      if (clientId !== this.#resumingAs) this.emit('joined', room, clientId);
    });
    this.#on('join', (room, clientId) => {
      if (clientId !== this.#joined?.clientId && !this.#peers.includes(clientId)) this.#peers = [...this.#peers, clientId];
      this.#log.info(m.core_log_peer_joined_room({ clientId, room }));
      this.emit('join', room, clientId);
    });
    this.#on('ready', (room) => this.emit('ready', room));
    this.#on('full', (room) => this.emit('full', room));
    this.#on('message', (payload, from) => this.emit('message', payload, from));
    this.#on('bye', (room, clientId) => {
      this.#peers = this.#peers.filter((peer) => peer !== clientId);
      this.#log.info(m.core_log_peer_left_room({ clientId, room }));
      this.emit('bye', room, clientId);
    });
    this.#on('log', (lines) => this.emit('log', lines));
    this.#on('signaling error', (error) => {
      this.#log.warn(
        error.event !== undefined
          ? m.core_log_server_refused({ event: error.event, message: error.message })
          : m.core_log_server_refused_request({ message: error.message }),
      );
      this.emit('error', new WorkbenchError(error.code, error.message));
    });
    this.#on('server shutdown', (info) => {
      this.#log.warn(info.resumable ? m.core_log_server_shutdown_resumable() : m.core_log_server_shutdown());
      this.emit('server shutdown', info);
    });

    const socket = this.socket;
    const onConnect = () => {
      this.#lastConnectError = undefined;
      const reconnected = this.#hasConnected;
      this.#hasConnected = true;
      this.#log.info(reconnected ? m.core_log_reconnected() : m.core_log_connected());
      this.emit('connect');
      // A new connection is a new member to the server unless it resumed the seat with its token;
      // either way #rejoin finds out which, with one join (see there). Nothing to do when
      // socket.io's connection-state recovery already restored the membership.
      if (reconnected && this.#joined && !socket.recovered) void this.#rejoin(this.#joined);
    };
    const onDisconnect = (reason: string) => {
      this.#log.warn(m.core_log_disconnected({ reason }));
      this.emit('disconnect', reason);
    };
    const onConnectError = (error: Error) => {
      this.#lastConnectError = error;
      this.emit(
        'connect_error',
        new WorkbenchError(ErrorCode.SignalingUnreachable, undefined, {
          cause: error,
          context: this.#url ? { url: this.#url } : {},
        }),
      );
    };
    const onReconnect = (attempt: number) => this.emit('reconnect', attempt);
    socket.on('connect', onConnect);
    socket.on('disconnect', onDisconnect);
    socket.on('connect_error', onConnectError);
    socket.io.on('reconnect', onReconnect);
    this.#detach.push(
      () => socket.off('connect', onConnect),
      () => socket.off('disconnect', onDisconnect),
      () => socket.off('connect_error', onConnectError),
      () => socket.io.off('reconnect', onReconnect),
    );
    if (socket.connected) this.#hasConnected = true;
  }

  /**
   * After a reconnect, sends 'create or join' for the room it was in. The server claims the seat
   * for a presented resume token before it looks at this client's first event, so when the resume
   * worked this join is a repeat of the seat already held: the server answers with the same id,
   * role and politeness and tells the peers nothing (no double join). When it did not (no token,
   * grace period over, a restarted server), this is an ordinary join under the new id.
   */
  async #rejoin(previous: JoinSuccess): Promise<void> {
    const { room } = previous;
    const resuming = this.#resumeToken() !== undefined;
    if (resuming) this.#resumingAs = previous.clientId;
    try {
      const result = await this.join(room);
      if (resuming && result.clientId === previous.clientId) {
        this.#log.info(m.core_log_resumed_seat({ room, clientId: result.clientId }));
        this.emit('resumed', result);
      } else {
        this.emit('rejoined', result);
      }
    } catch (error) {
      const failure =
        error instanceof WorkbenchError
          ? error
          : new WorkbenchError(ErrorCode.SignalingUnreachable, undefined, { cause: error });
      // A refusal (e.g. ROOM_FULL: someone took the place) ends the membership; a timeout
      // keeps it, so the next reconnect tries again.
      if (failure.code !== ErrorCode.SignalingTimeout && failure.code !== ErrorCode.SignalingUnreachable) {
        this.#joined = undefined;
        this.#peers = [];
        this.#forgetResumeToken();
      }
      this.#log.warn(m.core_log_rejoin_failed({ room, message: failure.message }));
      this.emit('error', failure);
    } finally {
      if (this.#resumingAs === previous.clientId) this.#resumingAs = undefined;
    }
  }

  /** The token socket.io will present on its next connection, if the server handed one out. */
  #resumeToken(): string | undefined {
    const auth = this.socket.auth;
    if (typeof auth !== 'object') return undefined;
    const token = (auth as SocketAuth).resumeToken;
    return token ? token : undefined;
  }

  #setResumeToken(resumeToken: string): void {
    // Other auth fields a caller passed stay; only a callback-style auth is replaced (it asked
    // for a token too, or the server would not have sent one).
    const auth = typeof this.socket.auth === 'object' ? this.socket.auth : {};
    this.socket.auth = { ...auth, resumeToken };
  }

  /** Back to asking for a token: the seat is gone, and presenting its token would only be refused. */
  #forgetResumeToken(): void {
    if (this.#resumeToken() !== undefined) this.#setResumeToken('');
  }
}
