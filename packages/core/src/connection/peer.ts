/** Peer: owns one RTCPeerConnection: typed events, early remote candidates queued, states logged by name, no use after close(). */
import { m } from '@workbench/i18n/messages';
import { Emitter } from '../emitter.js';
import { ErrorCode, WorkbenchError } from '../errors.js';
import { namedLogger, type Logger } from '../logger.js';

export type PeerConnectionConstructor = new (configuration?: RTCConfiguration) => RTCPeerConnection;

export interface PeerOptions {
  configuration?: RTCConfiguration;
  /** Shown in every log line, as webrtc/samples names its connections: "pc1", "pc2". */
  name: string;
  /** Inject an implementation (a fake in tests, a wrapped one in diagnostics); `globalThis.RTCPeerConnection` by default. */
  RTCPeerConnection?: PeerConnectionConstructor;
  logger?: Logger;
}

export type PeerEvents = {
  connectionstatechange: (state: RTCPeerConnectionState) => void;
  iceconnectionstatechange: (state: RTCIceConnectionState) => void;
  icegatheringstatechange: (state: RTCIceGatheringState) => void;
  signalingstatechange: (state: RTCSignalingState) => void;
  /** A local candidate to send to the peer; `null` when gathering is complete. */
  icecandidate: (candidate: RTCIceCandidate | null) => void;
  /** A STUN/TURN server could not be used (wrong URL, refused credentials …). */
  icecandidateerror: (event: RTCPeerConnectionIceErrorEvent) => void;
  track: (event: RTCTrackEvent) => void;
  datachannel: (channel: RTCDataChannel) => void;
  negotiationneeded: () => void;
  /** connectionState became "failed": the error explains what to do (ICE_FAILED). */
  failed: (error: WorkbenchError) => void;
  /** close() was called. */
  closed: () => void;
};

/** The states that are logged on change, as `<property>: <value>`. */
const STATE_EVENTS = {
  connectionstatechange: 'connectionState',
  iceconnectionstatechange: 'iceConnectionState',
  icegatheringstatechange: 'iceGatheringState',
  signalingstatechange: 'signalingState',
} as const;

interface QueuedCandidate {
  candidate: RTCIceCandidateInit;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Owns an RTCPeerConnection (still reachable as `peer.pc`, e.g. for `window.pc`).
 *
 * ```ts
 * const pc1 = new Peer({ name: 'pc1', configuration });
 * pc1.on('icecandidate', (c) => void pc2.addIceCandidate(c)); // safe before pc2 has a remote description
 * pc1.on('iceconnectionstatechange', (s) => log(s));
 * ```
 */
export class Peer extends Emitter<PeerEvents> {
  readonly name: string;
  readonly pc: RTCPeerConnection;

  readonly #log: Logger;
  readonly #queue: QueuedCandidate[] = [];
  readonly #listeners: [string, (event: Event) => void][] = [];
  #closed = false;

  constructor(options: PeerOptions) {
    const log = namedLogger(options.name, options.logger ?? console);
    super({ logger: log });
    this.name = options.name;
    this.#log = log;
    const Implementation =
      options.RTCPeerConnection ??
      (globalThis as { RTCPeerConnection?: PeerConnectionConstructor }).RTCPeerConnection;
    if (!Implementation) {
      throw new WorkbenchError(ErrorCode.Unsupported, m.core_peer_no_rtcpeerconnection());
    }
    this.pc = new Implementation(options.configuration);
    this.#wire();
  }

  get closed(): boolean {
    return this.#closed;
  }

  get connectionState(): RTCPeerConnectionState {
    return this.pc.connectionState;
  }
  get iceConnectionState(): RTCIceConnectionState {
    return this.pc.iceConnectionState;
  }
  get iceGatheringState(): RTCIceGatheringState {
    return this.pc.iceGatheringState;
  }
  get signalingState(): RTCSignalingState {
    return this.pc.signalingState;
  }
  get localDescription(): RTCSessionDescription | null {
    return this.pc.localDescription;
  }
  get remoteDescription(): RTCSessionDescription | null {
    return this.pc.remoteDescription;
  }
  /** Remote candidates waiting for a remote description. */
  get queuedCandidateCount(): number {
    return this.#queue.length;
  }

  addTrack(track: MediaStreamTrack, ...streams: MediaStream[]): RTCRtpSender {
    this.#assertOpen('addTrack');
    return this.pc.addTrack(track, ...streams);
  }

  removeTrack(sender: RTCRtpSender): void {
    this.#assertOpen('removeTrack');
    this.pc.removeTrack(sender);
  }

  addTransceiver(trackOrKind: MediaStreamTrack | string, init?: RTCRtpTransceiverInit): RTCRtpTransceiver {
    this.#assertOpen('addTransceiver');
    return this.pc.addTransceiver(trackOrKind, init);
  }

  createDataChannel(label: string, init?: RTCDataChannelInit): RTCDataChannel {
    this.#assertOpen('createDataChannel');
    return this.pc.createDataChannel(label, init);
  }

  async createOffer(options?: RTCOfferOptions): Promise<RTCSessionDescriptionInit> {
    this.#assertOpen('createOffer');
    return this.pc.createOffer(options);
  }

  async createAnswer(options?: RTCAnswerOptions): Promise<RTCSessionDescriptionInit> {
    this.#assertOpen('createAnswer');
    return this.pc.createAnswer(options);
  }

  /** With no argument the browser creates the offer or answer that is due (perfect negotiation style). */
  async setLocalDescription(description?: RTCLocalSessionDescriptionInit): Promise<void> {
    this.#assertOpen('setLocalDescription');
    await (description === undefined ? this.pc.setLocalDescription() : this.pc.setLocalDescription(description));
    this.#log.info(m.core_log_local_description_set({ type: this.pc.localDescription?.type ?? 'description' }));
  }

  /** Applies the peer's description, then adds the candidates that arrived before it. */
  async setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    this.#assertOpen('setRemoteDescription');
    await this.pc.setRemoteDescription(description);
    this.#log.info(m.core_log_remote_description_set({ type: description.type }));
    await this.#flushCandidates();
  }

  /**
   * Adds a remote candidate, or queues it while there is no remote description yet (the
   * codelab dropped such early candidates). `null`/`undefined` or an empty candidate string
   * mean end-of-candidates. Settles when the candidate is really added.
   */
  addIceCandidate(candidate?: RTCIceCandidateInit | RTCIceCandidate | null): Promise<void> {
    this.#assertOpen('addIceCandidate');
    const init: RTCIceCandidateInit =
      candidate == null
        ? { candidate: '' }
        : 'toJSON' in candidate && typeof candidate.toJSON === 'function'
          ? candidate.toJSON()
          : candidate;
    if (this.pc.remoteDescription) return this.pc.addIceCandidate(init);
    this.#log.debug(m.core_log_candidate_queued({ count: this.#queue.length + 1 }));
    return new Promise<void>((resolve, reject) => this.#queue.push({ candidate: init, resolve, reject }));
  }

  getStats(selector?: MediaStreamTrack | null): Promise<RTCStatsReport> {
    this.#assertOpen('getStats');
    return this.pc.getStats(selector);
  }

  restartIce(): void {
    this.#assertOpen('restartIce');
    this.pc.restartIce();
  }

  getSenders(): RTCRtpSender[] {
    this.#assertOpen('getSenders');
    return this.pc.getSenders();
  }

  getReceivers(): RTCRtpReceiver[] {
    this.#assertOpen('getReceivers');
    return this.pc.getReceivers();
  }

  getTransceivers(): RTCRtpTransceiver[] {
    this.#assertOpen('getTransceivers');
    return this.pc.getTransceivers();
  }

  /**
   * Closes the connection, rejects queued candidates, stops forwarding events and emits
   * `closed`. Calling it again does nothing, so Hang Up and page unload can both call it.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const [type, listener] of this.#listeners) this.pc.removeEventListener(type, listener);
    this.#listeners.length = 0;
    const queued = this.#queue.splice(0);
    for (const entry of queued) entry.reject(this.#closedError('addIceCandidate'));
    this.pc.close();
    this.#log.info(m.core_log_closed());
    this.emit('closed');
  }

  #assertOpen(method: string): void {
    if (this.#closed) throw this.#closedError(method);
  }

  #closedError(method: string): WorkbenchError {
    return new WorkbenchError(
      ErrorCode.InvalidState,
      m.core_called_after_close_peer({ call: `${this.name}.${method}()` }),
    );
  }

  async #flushCandidates(): Promise<void> {
    const queued = this.#queue.splice(0);
    if (queued.length > 0) this.#log.debug(m.core_log_adding_queued_candidates({ count: queued.length }));
    for (const entry of queued) {
      try {
        await this.pc.addIceCandidate(entry.candidate);
        entry.resolve();
      } catch (error) {
        this.#log.warn(m.core_log_queued_candidate_rejected({ message: error instanceof Error ? error.message : String(error) }));
        entry.reject(error);
      }
    }
  }

  #listen(type: string, listener: (event: Event) => void): void {
    this.pc.addEventListener(type, listener);
    this.#listeners.push([type, listener]);
  }

  #wire(): void {
    for (const [type, property] of Object.entries(STATE_EVENTS) as [keyof typeof STATE_EVENTS, (typeof STATE_EVENTS)[keyof typeof STATE_EVENTS]][]) {
      this.#listen(type, () => {
        const state = this.pc[property];
        this.#log.info(m.core_log_state({ property, state }));
        switch (type) {
          case 'connectionstatechange':
            this.emit(type, state as RTCPeerConnectionState);
            if (state === 'failed') this.emit('failed', new WorkbenchError(ErrorCode.IceFailed));
            break;
          case 'iceconnectionstatechange':
            this.emit(type, state as RTCIceConnectionState);
            break;
          case 'icegatheringstatechange':
            this.emit(type, state as RTCIceGatheringState);
            break;
          case 'signalingstatechange':
            // Also flush here: a negotiator may call pc.setRemoteDescription directly.
            if (this.#queue.length > 0 && this.pc.remoteDescription) void this.#flushCandidates();
            this.emit(type, state as RTCSignalingState);
            break;
        }
      });
    }
    this.#listen('icecandidate', (event) => {
      const { candidate } = event as RTCPeerConnectionIceEvent;
      this.#log.debug(candidate ? m.core_log_local_candidate({ candidate: candidate.candidate }) : m.core_log_local_candidates_complete());
      this.emit('icecandidate', candidate);
    });
    this.#listen('icecandidateerror', (event) => {
      const error = event as RTCPeerConnectionIceErrorEvent;
      // Debug, not a warning: pages explain these in their own words (an unreachable STUN server
      // is harmless for a call on one machine or LAN), and one warning per local address and
      // server in two wordings taught that something was broken.
      this.#log.debug(m.core_log_ice_candidate_error({ code: error.errorCode, url: error.url, text: error.errorText }));
      this.emit('icecandidateerror', error);
    });
    this.#listen('track', (event) => {
      const trackEvent = event as RTCTrackEvent;
      this.#log.info(m.core_log_remote_track({ kind: trackEvent.track.kind }));
      this.emit('track', trackEvent);
    });
    this.#listen('datachannel', (event) => {
      const { channel } = event as RTCDataChannelEvent;
      this.#log.info(m.core_log_remote_data_channel({ label: channel.label }));
      this.emit('datachannel', channel);
    });
    this.#listen('negotiationneeded', () => {
      this.#log.info(m.core_log_negotiation_needed());
      this.emit('negotiationneeded');
    });
  }
}
