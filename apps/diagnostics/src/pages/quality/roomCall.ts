/**
 * A call with another device through the signaling server: join the room from the shareable
 * `?room=` link, and when the server says the room is ready, one RTCPeerConnection negotiated by
 * core's PerfectNegotiator. When the peer leaves, that connection is closed and the next one
 * that joins gets a new one. Loaded on demand (the page imports this module when Join is
 * clicked), so socket.io-client stays out of the page's first load.
 */
import { Emitter } from '@workbench/core/emitter';
import { ErrorCode, WorkbenchError } from '@workbench/core/errors';
import type { Logger } from '@workbench/core/logger';
import { PerfectNegotiator, startNegotiation } from '@workbench/core/negotiation';
import { Peer } from '@workbench/core/peer';
import type { SignalMessage } from '@workbench/core/protocol';
import { SignalingClient, type JoinSuccess } from '@workbench/core/signaling-client';
import type { StatsInput } from '@workbench/core/stats';
import { preferredCodecOrder } from './senderControls.js';

export type RoomStatus = 'waiting for a peer' | 'connecting' | 'peer left — waiting for a peer';

export type RoomCallEvents = {
  status: (status: RoomStatus) => void;
  /** A new connection for a new peer (window.pc, state events). */
  peer: (peer: Peer) => void;
  remoteStream: (stream: MediaStream) => void;
  error: (error: WorkbenchError) => void;
};

export interface RoomCallOptions {
  room: string;
  configuration: RTCConfiguration;
  stream: MediaStream;
  codec?: string | undefined;
  logger: Logger;
}

export class RoomCall extends Emitter<RoomCallEvents> {
  readonly mode = 'room' as const;
  readonly signaling: SignalingClient;
  readonly #options: RoomCallOptions;
  #membership: JoinSuccess | undefined;
  #joining: Promise<JoinSuccess> | undefined;
  #peer: Peer | undefined;
  #negotiator: PerfectNegotiator | undefined;
  /** Messages that arrived before this side's connection existed (the peer heard 'ready' first). */
  #pending: SignalMessage[] = [];
  /** Stops a polite side still waiting for the offer from adding its tracks later. */
  #cancelStart: (() => void) | undefined;
  #closed = false;

  private constructor(options: RoomCallOptions) {
    super({ logger: options.logger });
    this.#options = options;
    this.signaling = SignalingClient.connect(undefined, { logger: options.logger });
    // 'ready' can be handled before join()'s acknowledgement has resolved (both arrive in one read,
    // and the ack resolves a promise, a microtask later): wait for it, or the polite flag is unknown
    // and both sides would be impolite, each ignoring the other's offer.
    this.signaling.on('ready', () => {
      void this.#joining?.then(
        () => this.#startPeer(),
        () => {},
      );
    });
    this.signaling.on('bye', () => this.#onPeerLeft());
    this.signaling.on('message', (message) => this.#onMessage(message));
    this.signaling.on('error', (error) => this.emit('error', error));
  }

  /** Connects to the signaling server; subscribe to the events, then {@link join}. */
  static connect(options: RoomCallOptions): RoomCall {
    return new RoomCall(options);
  }

  /**
   * Joins the room; rejects with the server's coded error (ROOM_FULL, INVALID_ROOM_NAME,
   * SIGNALING_UNREACHABLE…) after closing this call.
   */
  async join(): Promise<JoinSuccess> {
    try {
      this.#joining = this.signaling.join(this.#options.room);
      this.#membership = await this.#joining;
      // The second to join hears 'ready' with the acknowledgement and is connecting already.
      if (!this.#peer) this.emit('status', 'waiting for a peer');
      return this.#membership;
    } catch (error) {
      this.close();
      throw error;
    }
  }

  get room(): string {
    return this.#options.room;
  }

  get membership(): JoinSuccess | undefined {
    return this.#membership;
  }

  get peer(): Peer | undefined {
    return this.#peer;
  }

  get connectionPc(): RTCPeerConnection | undefined {
    return this.#peer?.pc;
  }

  get videoSender(): RTCRtpSender | undefined {
    return this.#peer?.getSenders().find((sender) => sender.track?.kind === 'video');
  }

  /** The current connection's report; an empty one while waiting for a peer. */
  async getStats(): Promise<StatsInput> {
    const peer = this.#peer;
    return peer && !peer.closed ? peer.getStats() : new Map();
  }

  /** Applies a codec preference: to the next connection, and to this one at its next negotiation. */
  setCodec(mimeType: string | undefined): void {
    this.#options.codec = mimeType;
    if (mimeType && this.#peer) this.#preferCodec(this.#peer, mimeType);
  }

  #preferCodec(peer: Peer, mimeType: string): void {
    const transceiver = peer.getTransceivers().find((t) => t.sender.track?.kind === 'video');
    const codecs = RTCRtpSender.getCapabilities('video')?.codecs ?? [];
    transceiver?.setCodecPreferences(preferredCodecOrder(codecs, mimeType));
  }

  #startPeer(): void {
    if (this.#closed || (this.#peer && !this.#peer.closed)) return;
    const { configuration, stream, logger, codec } = this.#options;
    const peer = new Peer({ name: 'pc', configuration, logger });
    this.#peer = peer;
    const negotiator = new PerfectNegotiator({
      pc: peer.pc,
      polite: this.#membership?.polite ?? false,
      send: (message) => this.signaling.send(message),
      name: 'negotiation',
      logger,
    });
    this.#negotiator = negotiator;
    negotiator.on('error', (error) => this.emit('error', error));
    peer.on('track', (event) => this.emit('remoteStream', event.streams[0] ?? new MediaStream([event.track])));
    this.emit('peer', peer);
    this.emit('status', 'connecting');
    // Only the impolite side adds its tracks at once; the polite one adds them while answering the
    // offer (see startNegotiation for the Chromium bug that makes the polite side wait).
    this.#cancelStart = startNegotiation({
      negotiator,
      start: () => {
        if (peer.closed) return;
        for (const track of stream.getTracks()) peer.addTrack(track, stream);
        if (codec) this.#preferCodec(peer, codec);
      },
    });
    for (const message of this.#pending.splice(0)) void negotiator.handle(message);
  }

  #onMessage(message: SignalMessage): void {
    if (this.#negotiator && !this.#negotiator.closed) void this.#negotiator.handle(message);
    else this.#pending.push(message);
  }

  #onPeerLeft(): void {
    this.#closePeer();
    this.#pending = [];
    if (!this.#closed) this.emit('status', 'peer left — waiting for a peer');
  }

  #closePeer(): void {
    this.#cancelStart?.();
    this.#cancelStart = undefined;
    this.#negotiator?.close();
    this.#negotiator = undefined;
    if (this.#peer && !this.#peer.closed) this.#peer.close();
    this.#peer = undefined;
  }

  /** Leaves the room and closes the connection and the socket. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closePeer();
    const signaling = this.signaling;
    if (!signaling.closed) {
      signaling
        .leave()
        .catch(() => {})
        .finally(() => signaling.close());
    }
  }
}

/** A join failure as a coded error, for the page's ErrorPanel. */
export function asWorkbenchError(error: unknown): WorkbenchError {
  return error instanceof WorkbenchError
    ? error
    : new WorkbenchError(ErrorCode.SignalingUnreachable, undefined, { cause: error, context: { url: location.origin } });
}
