/**
 * RoomCall: a call with whoever joins a signaling room, from Join to Hang Up. One instance per
 * Join: it asks for the camera and the room at once, makes a fresh RTCPeerConnection for every
 * peer that comes, negotiates it with {@link PerfectNegotiator}, and ends with one
 * {@link RoomCall.close}. Pages wire their buttons to it and show what its events say.
 */
import { m } from '@workbench/i18n/messages';
import { Emitter } from '../emitter.js';
import { ErrorCode, WorkbenchError, explainMediaError } from '../errors.js';
import { namedLogger, type Logger } from '../logger.js';
import { PerfectNegotiator, startNegotiation, type NegotiationStartReason } from './negotiation.js';
import { Peer, type PeerConnectionConstructor } from './peer.js';
import type { SignalMessage } from '../signaling/protocol.js';
import type { JoinSuccess, SignalingClientEvents } from '../signaling/signaling-client.js';

/** The parts of SignalingClient a RoomCall uses; a fake in unit tests. */
export interface RoomSignaling {
  on<K extends keyof SignalingClientEvents>(event: K, listener: SignalingClientEvents[K]): () => void;
  join(room: string): Promise<JoinSuccess>;
  send(message: SignalMessage): Promise<void>;
  leave(): Promise<void>;
  /** The room joined, if any (undefined after a failed rejoin: the seat is gone). */
  readonly room: string | undefined;
}

/**
 * Where the call stands. `waiting`: in the room alone; `peer-left`: alone again after a peer
 * left; `interrupted`: ICE lost the path and is trying to get it back; `failed`: no path at all.
 */
export type RoomCallStatus = 'idle' | 'joining' | 'waiting' | 'peer-left' | 'connecting' | 'connected' | 'interrupted' | 'failed';

/** Who sent a message on the sequence diagram: this page, the signaling server, the other page. */
export type Lifeline = 'page' | 'server' | 'peer';

/** One message of the exchange, as it happened (`at` from performance.now()). */
export interface TimelineEntry {
  at: number;
  from: Lifeline;
  to: Lifeline;
  /** What the protocol calls it: 'create or join', 'created', 'ready', 'offer', 'candidate' … */
  label: string;
  /** Extra words: the candidate's type, the SDP's size. */
  detail?: string;
}

/** A negotiated data channel: both sides create it with the same id, so there is exactly one. */
export interface RoomChannel {
  label: string;
  id: number;
  init?: Omit<RTCDataChannelInit, 'negotiated' | 'id'>;
}

export interface RoomCallOptions {
  room: string;
  /** The signaling connection, or its promise (pages load socket.io-client in a chunk of its own). Not closed by the call. */
  signaling: RoomSignaling | Promise<RoomSignaling>;
  /**
   * The configuration (ICE servers, transport policy) for each new connection; called per
   * connection, so TURN credentials can be refreshed. No candidate pool: see startNegotiation.
   */
  configuration?: () => RTCConfiguration | Promise<RTCConfiguration>;
  /** Constraints to ask getUserMedia for (the call stops these tracks), or a stream the page owns. Omit for data only. */
  media?: MediaStreamConstraints | MediaStream;
  /**
   * Whether `media` goes to the peer. Default true. /photo/ opens the camera only to take
   * snapshots, which travel over its channel: sending the camera too would encode a video nobody
   * watches, and negotiating it made the channel open later.
   */
  sendMedia?: boolean;
  /** Negotiated data channels, made by both sides. */
  channels?: readonly RoomChannel[];
  /** Orders the browser's video codecs, most wanted first (setCodecPreferences). */
  codecOrder?: ((codecs: RTCRtpCodec[]) => RTCRtpCodec[]) | undefined;
  /**
   * Alone and impolite, make the offer (and gather candidates) before anyone is there, and send
   * it, candidates inside its SDP, the moment the peer is ready. Default true.
   */
  earlyOffer?: boolean;
  /** Join attempts while the room looks full: after a reload the server may not yet have seen the old page go. Default 1. */
  joinAttempts?: number;
  retryDelayMs?: number;
  /** How long the polite side waits for an offer before offering itself. */
  politeWaitMs?: number;
  logger?: Logger;
  getUserMedia?: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
  RTCPeerConnection?: PeerConnectionConstructor;
}

export type RoomCallEvents = {
  status: (status: RoomCallStatus) => void;
  /** The local stream is there (before the room answered, perhaps). */
  media: (stream: MediaStream) => void;
  /** In the room (again, after a rejoin following a network blip). */
  joined: (membership: JoinSuccess) => void;
  /** A new connection for a new peer; `peerId` when known. */
  peer: (peer: Peer) => void;
  /** The other side's media. */
  track: (stream: MediaStream, event: RTCTrackEvent) => void;
  /** A negotiated channel, created on this side (it opens when the connection does). */
  channel: (channel: RTCDataChannel) => void;
  /** This side added its tracks / channels: why now. */
  started: (reason: NegotiationStartReason) => void;
  /** The early offer went out to the peer that just became ready. */
  'early-offer-sent': (candidatesInSdp: number) => void;
  /** The other side left; its connection is closed and the call waits for the next peer. */
  'peer-left': (peerId: string) => void;
  /** Something went wrong: a negotiation failure, ICE failed, the seat lost after a reconnect. */
  error: (error: WorkbenchError) => void;
  timeline: (entry: TimelineEntry) => void;
  /** close() ran. */
  closed: (reason: string) => void;
};

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A promise that never rejects, so two requests run at once and are read one after the other. */
function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}

function describe(message: SignalMessage): { label: string; detail?: string } {
  if (typeof message === 'string') return { label: message };
  if (message.type === 'text') return { label: 'text' };
  if (message.type === 'candidate') {
    if (!message.candidate) return { label: 'end-of-candidates' };
    const parts = message.candidate.replace(/^candidate:/, '').split(' ');
    // "host udp 192.168.1.2:54400": what a learner compares across the two sides.
    return { label: 'candidate', detail: `${parts[parts.indexOf('typ') + 1] ?? '?'} ${parts[2]?.toLowerCase() ?? '?'} ${parts[4] ?? '?'}:${parts[5] ?? '?'}` };
  }
  return { label: message.type, detail: `${message.sdp.length} B SDP` };
}

/**
 * ```ts
 * const call = new RoomCall({ room: 'demo', signaling, media: { video: true } });
 * call.on('track', (stream) => (remoteVideo.srcObject = stream));
 * await call.join();          // rejects with a WorkbenchError: explainJoinFailure says it in words
 * call.close('hang up');      // leaves the room; the other side hears 'bye'
 * ```
 */
export class RoomCall extends Emitter<RoomCallEvents> {
  readonly room: string;
  readonly #options: RoomCallOptions;
  /** Whether the media this call opens also goes to the peer (and so must be there before a connection starts). */
  readonly #sendsMedia: boolean;
  readonly #log: Logger;
  readonly #detach: (() => void)[] = [];
  #signaling: RoomSignaling | undefined;
  #status: RoomCallStatus = 'idle';
  #membership: JoinSuccess | undefined;
  #stream: MediaStream | undefined;
  #ownsStream = false;
  #peer: Peer | undefined;
  #negotiator: PerfectNegotiator | undefined;
  #cancelStart: (() => void) | undefined;
  #channels: RTCDataChannel[] = [];
  /** The other member, once known. */
  #peerId: string | undefined;
  /** The server said 'ready' for the current pairing. */
  #ready = false;
  /** Messages from the peer that came before this side's connection existed. */
  #pending: SignalMessage[] = [];
  /** What the early offer would have sent while nobody was there; null once sent or when not offering early. */
  #held: SignalMessage[] | null = null;
  /** Bumped whenever a connection ends, so a start still awaiting its ICE servers gives up. */
  #generation = 0;
  #starting = false;
  #closed = false;

  constructor(options: RoomCallOptions) {
    const log = options.logger ?? console;
    super({ logger: log });
    this.room = options.room;
    this.#options = options;
    this.#sendsMedia = options.media !== undefined && options.sendMedia !== false;
    this.#log = log;
  }

  get status(): RoomCallStatus {
    return this.#status;
  }
  get membership(): JoinSuccess | undefined {
    return this.#membership;
  }
  get stream(): MediaStream | undefined {
    return this.#stream;
  }
  /** The current connection; undefined while waiting for a peer. */
  get peer(): Peer | undefined {
    return this.#peer && !this.#peer.closed ? this.#peer : undefined;
  }
  get peerId(): string | undefined {
    return this.#peerId;
  }
  get channels(): readonly RTCDataChannel[] {
    return this.#channels;
  }
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Asks for the camera and the room at once (neither needs the other, and a camera that takes
   * half a second to start must not hold up signaling), then waits for a peer. Rejects with a
   * WorkbenchError after closing the call: the media explanation when the camera failed, the
   * server's code (ROOM_FULL, INVALID_ROOM_NAME …) when the room did.
   */
  async join(): Promise<JoinSuccess> {
    if (this.#closed || this.#status !== 'idle') throw new WorkbenchError(ErrorCode.InvalidState, m.core_room_call_join_twice());
    this.#setStatus('joining');
    const media = this.#options.media;
    const camera = settle(this.#openMedia());
    const room = settle(this.#enterRoom());

    const cameraResult = await camera;
    if (!cameraResult.ok) {
      this.close('camera failed');
      const constraints = media && !('getTracks' in media) ? media : undefined;
      const explanation = explainMediaError(cameraResult.error, constraints);
      throw new WorkbenchError(explanation.code, undefined, { cause: cameraResult.error, explanation });
    }
    const roomResult = await room;
    if (!roomResult.ok) {
      this.close('join failed');
      throw roomResult.error instanceof WorkbenchError
        ? roomResult.error
        : new WorkbenchError(ErrorCode.SignalingUnreachable, undefined, { cause: roomResult.error });
    }
    if (this.#closed) throw new WorkbenchError(ErrorCode.InvalidState, m.core_room_call_closed_while_joining());
    this.#onJoined(roomResult.value);
    return roomResult.value;
  }

  /** Prefers another codec: for the next connection, and for this one at its next negotiation. */
  setCodecOrder(order: ((codecs: RTCRtpCodec[]) => RTCRtpCodec[]) | undefined): void {
    this.#options.codecOrder = order;
    if (order && this.peer) this.#applyCodecOrder(this.peer, order);
  }

  /**
   * Ends the call: the connection and its channels closed, the room left (the peer hears 'bye'),
   * camera tracks this call opened stopped. Calling it again does nothing.
   */
  close(reason = 'closed'): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#endPeer();
    for (const detach of this.#detach.splice(0)) detach();
    const signaling = this.#signaling;
    if (signaling && signaling.room === this.room) {
      this.#note('page', 'server', 'bye');
      signaling.leave().catch((error: unknown) => this.#log.warn(m.core_log_goodbye_unconfirmed({ message: error instanceof Error ? error.message : String(error) })));
    }
    if (this.#ownsStream) for (const track of this.#stream?.getTracks() ?? []) track.stop();
    this.#setStatus('idle');
    this.emit('closed', reason);
  }

  // ---- Joining --------------------------------------------------------------------------

  async #openMedia(): Promise<MediaStream | undefined> {
    const media = this.#options.media;
    if (media === undefined) return undefined;
    let stream: MediaStream;
    if ('getTracks' in media) stream = media;
    else {
      const getUserMedia = this.#options.getUserMedia ?? ((c: MediaStreamConstraints) => navigator.mediaDevices.getUserMedia(c));
      stream = await getUserMedia(media);
      this.#ownsStream = true;
    }
    if (this.#closed) {
      if (this.#ownsStream) for (const track of stream.getTracks()) track.stop();
      return undefined;
    }
    this.#stream = stream;
    this.emit('media', stream);
    return stream;
  }

  async #enterRoom(): Promise<JoinSuccess> {
    const signaling = await this.#options.signaling;
    if (this.#closed) throw new WorkbenchError(ErrorCode.InvalidState, m.core_room_call_closed_while_joining());
    this.#signaling = signaling;
    this.#listen(signaling);
    const attempts = this.#options.joinAttempts ?? 1;
    for (let attempt = 1; ; attempt += 1) {
      this.#note('page', 'server', 'create or join', this.room);
      try {
        const result = await signaling.join(this.room);
        if (this.#closed) {
          // Hung up (or the camera failed) while the server was letting us in: out again.
          void signaling.leave().catch(() => {});
          throw new WorkbenchError(ErrorCode.InvalidState, m.core_room_call_closed_while_joining());
        }
        return result;
      } catch (error) {
        if (attempt >= attempts || this.#closed || !(error instanceof WorkbenchError && error.code === ErrorCode.RoomFull)) throw error;
        this.#note('server', 'page', 'full');
        this.#log.info(m.core_log_room_still_full({ attempt, attempts: attempts - 1 }));
        await new Promise((resolve) => setTimeout(resolve, this.#options.retryDelayMs ?? 600));
      }
    }
  }

  #listen(signaling: RoomSignaling): void {
    this.#detach.push(
      // The server's role event comes before its acknowledgement and 'ready' (which can be handled
      // before the acknowledgement's promise resumes join()), so the diagram takes it from here.
      signaling.on('created', (_room, id) => this.#note('server', 'page', 'created', id)),
      signaling.on('joined', (_room, id) => this.#note('server', 'page', 'joined', id)),
      signaling.on('join', (_room, id) => this.#onPeerJoined(id)),
      signaling.on('ready', () => this.#onReady()),
      signaling.on('bye', (_room, id) => this.#onBye(id)),
      signaling.on('message', (message) => this.#onMessage(message)),
      signaling.on('rejoined', (result) => this.#onRejoined(result)),
      signaling.on('error', (error) => this.#onSignalingError(error)),
    );
  }

  #onJoined(result: JoinSuccess): void {
    this.#membership = result;
    // A peer's 'join' (and 'ready') can be handled before join() resumes, when long-polling
    // delivers them in one response with the acknowledgement, whose list does not have that peer.
    this.#peerId = result.peers[0] ?? this.#peerId;
    // The second one in hears 'ready' right behind its acknowledgement, maybe already handled.
    if (this.#status === 'joining') this.#setStatus(this.#peerId !== undefined || this.#ready ? 'connecting' : 'waiting');
    this.emit('joined', result);
    this.#maybeStart();
  }

  // ---- The server's notices ---------------------------------------------------------------

  #onPeerJoined(id: string): void {
    this.#note('server', 'page', 'join', id);
    this.#peerId = id;
    if (this.#membership) this.#setStatus('connecting');
  }

  #onReady(): void {
    this.#note('server', 'page', 'ready');
    if (this.#closed) return;
    if (this.#held) {
      this.#ready = true;
      this.#setStatus('connecting');
      this.#sendHeld();
      return;
    }
    // Each 'ready' is a new pairing (a new peer, or this page back after a reconnect): a new connection.
    if (this.#starting) this.#endPeer();
    this.#ready = true;
    if (this.#membership) this.#setStatus('connecting');
    this.#maybeStart();
  }

  #onBye(id: string): void {
    if (id === this.#membership?.clientId) return;
    this.#note('server', 'page', 'bye', id);
    this.#endPeer();
    this.#peerId = undefined;
    if (!this.#membership) return;
    this.#setStatus('peer-left');
    this.emit('peer-left', id);
    this.#maybeStart(); // alone and impolite: the next peer's offer is made ahead again
  }

  #onMessage(message: SignalMessage): void {
    const { label, detail } = describe(message);
    this.#note('peer', 'page', label, detail);
    if (typeof message === 'string' || message.type === 'text') return;
    if (this.#negotiator && !this.#negotiator.closed) void this.#negotiator.handle(message);
    // The offer can beat this page's camera (or its join acknowledgement): keep it for the call.
    else if (!this.#closed) this.#pending.push(message);
  }

  /** After a network blip the server may see a new member: new id, perhaps the other politeness. */
  #onRejoined(result: JoinSuccess): void {
    this.#membership = result;
    if (this.#negotiator) this.#negotiator.polite = result.polite;
    this.emit('joined', result);
  }

  /** A rejoin that failed (someone took the seat meanwhile) ends the call; other refusals are reported. */
  #onSignalingError(error: WorkbenchError): void {
    this.emit('error', error);
    if (this.#membership && this.#signaling?.room === undefined) this.close('seat lost');
  }

  // ---- The connection ---------------------------------------------------------------------

  /** Starts negotiating once in the room with the media ready, and either the room is full or this side may offer early. */
  #maybeStart(): void {
    const membership = this.#membership;
    if (this.#closed || !membership || this.#starting) return;
    if (this.#sendsMedia && !this.#stream) return;
    // The first one in, impolite, offers ahead of time: its peer's Join then costs one round trip
    // (offer made, candidates gathered), not offer creation and gathering too.
    const early = !this.#ready && !membership.polite && this.#peerId === undefined && (this.#options.earlyOffer ?? true);
    if (!this.#ready && !early) return;
    void this.#startPeer(membership, early);
  }

  async #startPeer(membership: JoinSuccess, early: boolean): Promise<void> {
    this.#starting = true;
    this.#held = early ? [] : null;
    const generation = this.#generation;
    const signaling = this.#signaling as RoomSignaling;
    const configuration = (await this.#options.configuration?.()) ?? {};
    if (this.#closed || generation !== this.#generation) return;
    const peer = new Peer({
      name: 'pc',
      configuration,
      logger: this.#log,
      ...(this.#options.RTCPeerConnection ? { RTCPeerConnection: this.#options.RTCPeerConnection } : {}),
    });
    this.#peer = peer;
    const negotiator = new PerfectNegotiator({
      pc: peer.pc,
      polite: membership.polite,
      send: (message) => {
        if (this.#held) return void this.#held.push(message);
        const { label, detail } = describe(message);
        this.#note('page', 'peer', label, detail);
        return signaling.send(message);
      },
      logger: namedLogger('negotiation', this.#log),
    });
    this.#negotiator = negotiator;
    negotiator.on('error', (error) => this.emit('error', error));
    peer.on('connectionstatechange', (state) => {
      if (state === 'connected') this.#setStatus('connected');
      else if (state === 'connecting' && this.#ready) this.#setStatus('connecting');
      else if (state === 'disconnected') this.#setStatus('interrupted');
    });
    peer.on('failed', (error) => {
      this.#setStatus('failed');
      this.emit('error', error);
    });
    peer.on('track', (event) => this.emit('track', event.streams[0] ?? new MediaStream([event.track]), event));
    this.#sayFailedIceServers(peer);
    this.emit('peer', peer);
    // Only the impolite side adds its media at once; the polite one while answering the offer
    // (see startNegotiation for the Chromium bug that makes the polite side wait).
    this.#cancelStart = startNegotiation({
      negotiator,
      start: (reason) => this.#addMedia(peer, reason),
      ...(this.#options.politeWaitMs !== undefined ? { politeWaitMs: this.#options.politeWaitMs } : {}),
    });
    for (const message of this.#pending.splice(0)) void negotiator.handle(message);
  }

  /**
   * One line per ICE server that failed in this connection's gathering, in one wording, for every
   * page that calls (issue 13). Offline, the default STUN server's lookup fails with 701 once per
   * local address: said twice in two wordings ("pc: ICE candidate error 701" and "ice: ICE server …
   * failed"), with no word on whether it mattered, it taught that the call was broken.
   */
  #sayFailedIceServers(peer: Peer): void {
    const said = new Set<string>();
    const ice = namedLogger('ice', this.#log);
    peer.on('icecandidateerror', ({ url, errorCode, errorText }) => {
      if (said.has(url)) return;
      said.add(url);
      ice.warn(
        errorCode === 701
          ? `ICE server ${url} unreachable (701 ${errorText}): harmless for a call on this machine or LAN, where host candidates connect; calls across networks need it.`
          : `ICE server ${url} answered ${errorCode} ${errorText}: this call goes on without it; /diagnostics/ice/ explains the code.`,
      );
    });
  }

  #addMedia(peer: Peer, reason: NegotiationStartReason): void {
    if (peer.closed) return;
    const stream = this.#sendsMedia ? this.#stream : undefined;
    for (const track of stream?.getTracks() ?? []) peer.addTrack(track, stream as MediaStream);
    if (this.#options.codecOrder) this.#applyCodecOrder(peer, this.#options.codecOrder);
    for (const { label, id, init } of this.#options.channels ?? []) {
      // negotiated + the same id on both sides: however the offers cross, exactly one channel each.
      const channel = peer.createDataChannel(label, { ...init, negotiated: true, id });
      this.#channels.push(channel);
      this.emit('channel', channel);
    }
    this.emit('started', reason);
  }

  #applyCodecOrder(peer: Peer, order: (codecs: RTCRtpCodec[]) => RTCRtpCodec[]): void {
    const transceiver = peer.getTransceivers().find((t) => t.sender.track?.kind === 'video');
    const codecs = RTCRtpSender.getCapabilities('video')?.codecs ?? [];
    if (transceiver && codecs.length > 0) transceiver.setCodecPreferences(order(codecs));
  }

  /**
   * Sends what the early offer held back, now that the peer is there. The offer goes as the
   * connection's current local description, which by now holds every candidate gathered while
   * alone: one message to relay and apply instead of the offer and one per candidate arriving
   * while the peer is busy applying it. End-of-candidates still goes (it is not in the SDP).
   */
  #sendHeld(): void {
    const held = this.#held ?? [];
    this.#held = null;
    const signaling = this.#signaling;
    if (!signaling) return;
    const isOffer = (m: SignalMessage) => typeof m !== 'string' && m.type === 'offer';
    const isCandidate = (m: SignalMessage) => typeof m !== 'string' && m.type === 'candidate' && m.candidate !== '';
    const local = this.peer?.pc.localDescription;
    const offerSdp = local?.type === 'offer' && held.some(isOffer) ? local.sdp : null;
    const toSend: SignalMessage[] = offerSdp !== null ? [{ type: 'offer', sdp: offerSdp }, ...held.filter((m) => !isOffer(m) && !isCandidate(m))] : held;
    if (offerSdp !== null) this.emit('early-offer-sent', held.filter(isCandidate).length);
    for (const message of toSend) {
      const { label, detail } = describe(message);
      this.#note('page', 'peer', label, detail);
      signaling.send(message).catch((error: unknown) => {
        this.emit('error', new WorkbenchError(ErrorCode.NegotiationFailed, m.core_early_offer_failed({ message: error instanceof Error ? error.message : String(error) }), { cause: error }));
      });
    }
  }

  /** Ends the connection with the current peer (not the room membership). */
  #endPeer(): void {
    this.#generation += 1;
    this.#starting = false;
    this.#held = null;
    this.#cancelStart?.();
    this.#cancelStart = undefined;
    this.#negotiator?.close();
    this.#negotiator = undefined;
    if (this.#peer && !this.#peer.closed) this.#peer.close();
    this.#peer = undefined;
    this.#channels = [];
    this.#ready = false;
    this.#pending = [];
  }

  #setStatus(status: RoomCallStatus): void {
    if (this.#status === status || (this.#closed && status !== 'idle')) return;
    this.#status = status;
    this.emit('status', status);
  }

  #note(from: Lifeline, to: Lifeline, label: string, detail?: string): void {
    this.emit('timeline', { at: performance.now(), from, to, label, ...(detail !== undefined ? { detail } : {}) });
  }
}
