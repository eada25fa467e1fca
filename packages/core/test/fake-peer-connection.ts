/**
 * An in-memory stand-in for the parts of RTCPeerConnection that negotiation and Peer use, faithful
 * where the logic under test depends on it: the signaling state machine of webrtc-pc (including
 * implicit and explicit rollback), an operations chain that serialises setLocalDescription /
 * setRemoteDescription / addIceCandidate, the negotiation-needed flag rules (fires only in
 * "stable", fires again after a rollback while still needed), trickled candidates after the first
 * setLocalDescription, and addIceCandidate's errors (no remote description, unknown ufrag).
 *
 * "Media" is a counter: an offer carries the offerer's local track count, and a side needs
 * negotiation while it has more local tracks than its last accepted offer carried. Answers never
 * cover the answerer's new tracks, so a glare always needs a second round: a harder test than
 * real browsers, which can attach the answerer's track to the offered m-line.
 */

interface FakeSdp {
  kind: 'fake-sdp';
  type: 'offer' | 'answer';
  origin: string;
  /** `${origin}#${version}`: lets an answer name the offer it answers. */
  id: string;
  ufrag: string;
  media: number;
  answers?: string;
}

export interface FakePeerConnectionOptions {
  name?: string;
  /** Milliseconds each chained operation takes; a function to vary it per call. */
  opDelayMs?: number | (() => number);
  /** Milliseconds between trickled candidates. */
  trickleDelayMs?: number;
  /** How many host candidates to gather. */
  candidates?: number;
}

type Description = { type: RTCSdpType; sdp: string };

let instanceCount = 0;

function domError(name: string, message: string): DOMException {
  return new DOMException(message, name);
}

function eventWith<T extends object>(type: string, fields: T): Event & T {
  return Object.assign(new Event(type), fields);
}

export class FakeRTCPeerConnection extends EventTarget {
  static readonly instances: FakeRTCPeerConnection[] = [];

  readonly name: string;
  readonly configuration: RTCConfiguration | undefined;
  signalingState: RTCSignalingState = 'stable';
  iceConnectionState: RTCIceConnectionState = 'new';
  connectionState: RTCPeerConnectionState = 'new';
  iceGatheringState: RTCIceGatheringState = 'new';

  currentLocalDescription: Description | null = null;
  currentRemoteDescription: Description | null = null;
  pendingLocalDescription: Description | null = null;
  pendingRemoteDescription: Description | null = null;

  /** Every signaling state, in order, for assertions about rollbacks. */
  readonly signalingHistory: RTCSignalingState[] = ['stable'];
  /** Every call, in order: "setLocalDescription()" vs "setLocalDescription(offer)" etc. */
  readonly calls: string[] = [];
  readonly addedCandidates: RTCIceCandidateInit[] = [];
  endOfCandidates = false;
  localTracks = 0;
  negotiatedLocalTracks = 0;
  remoteTracks = 0;
  restartIceCalls = 0;
  negotiationNeededEvents = 0;
  statsReport: Map<string, Record<string, unknown>> = new Map();

  readonly #options: FakePeerConnectionOptions;
  #chain: Promise<unknown> = Promise.resolve();
  #pendingOps = 0;
  /** Timers this fake has scheduled and not yet run (operations, negotiationneeded, candidates). */
  #timers = 0;
  #negotiationNeeded = false;
  #becameStable = false;
  #updateOnEmptyChain = false;
  #version = 0;
  #ufrag: string;
  #restartPending = false;
  #gathered = false;
  #closed = false;

  constructor(configuration?: RTCConfiguration, options: FakePeerConnectionOptions = {}) {
    super();
    instanceCount += 1;
    this.name = options.name ?? `fake${instanceCount}`;
    this.configuration = configuration;
    this.#options = options;
    this.#ufrag = `u${instanceCount}a`;
    FakeRTCPeerConnection.instances.push(this);
  }

  get localDescription(): Description | null {
    return this.pendingLocalDescription ?? this.currentLocalDescription;
  }

  get remoteDescription(): Description | null {
    return this.pendingRemoteDescription ?? this.currentRemoteDescription;
  }

  /** Adds a "track": the next offer carries it, so negotiation becomes needed. */
  addTrack(): { track: null } {
    this.#assertOpen();
    this.localTracks += 1;
    this.calls.push('addTrack');
    this.#updateNegotiationNeeded();
    return { track: null };
  }

  createDataChannel(label: string): { label: string } {
    this.#assertOpen();
    // Only the first channel adds an m=application section; later ones reuse it.
    if (!this.calls.includes('createDataChannel')) this.localTracks += 1;
    this.calls.push('createDataChannel');
    this.#updateNegotiationNeeded();
    return { label };
  }

  restartIce(): void {
    this.restartIceCalls += 1;
    this.#restartPending = true;
    this.#updateNegotiationNeeded();
  }

  setLocalDescription(description?: RTCLocalSessionDescriptionInit): Promise<void> {
    this.calls.push(description ? `setLocalDescription(${description.type ?? ''})` : 'setLocalDescription()');
    return this.#enqueue(() => this.#setLocal(description));
  }

  setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    this.calls.push(`setRemoteDescription(${description.type})`);
    return this.#enqueue(() => this.#setRemote(description));
  }

  addIceCandidate(candidate?: RTCIceCandidateInit | null): Promise<void> {
    this.calls.push('addIceCandidate');
    return this.#enqueue(() => this.#addCandidate(candidate ?? undefined));
  }

  getStats(): Promise<Map<string, Record<string, unknown>>> {
    return this.#closed ? Promise.reject(domError('InvalidStateError', 'closed')) : Promise.resolve(this.statsReport);
  }

  close(): void {
    this.#closed = true;
    // Per spec, close() changes states without firing events.
    this.signalingState = 'closed';
    this.iceConnectionState = 'closed';
    this.connectionState = 'closed';
  }

  /** Test hook: move a state and fire its change event, as the browser would. */
  simulate(
    state: 'iceConnectionState' | 'connectionState' | 'iceGatheringState',
    value: string,
  ): void {
    (this as Record<string, unknown>)[state] = value;
    this.dispatchEvent(new Event(`${state.toLowerCase()}change`));
  }

  /** Parsed SDP of a description this fake produced. */
  static parse(sdp: string | undefined): FakeSdp {
    let parsed: unknown;
    try {
      parsed = JSON.parse(sdp ?? '');
    } catch {
      throw domError('OperationError', `Failed to parse SessionDescription: ${String(sdp).slice(0, 40)}`);
    }
    if (!parsed || typeof parsed !== 'object' || (parsed as FakeSdp).kind !== 'fake-sdp') {
      throw domError('OperationError', 'Failed to parse SessionDescription.');
    }
    return parsed as FakeSdp;
  }

  // ---- internals ------------------------------------------------------------------------

  #assertOpen(): void {
    if (this.#closed) throw domError('InvalidStateError', "The RTCPeerConnection's signalingState is 'closed'.");
  }

  /** setTimeout, counted, so a test can tell "nothing more will happen" from "the loop stalled". */
  #later(run: () => void, ms: number): void {
    this.#timers += 1;
    setTimeout(() => {
      this.#timers -= 1;
      run();
    }, ms);
  }

  /**
   * Work this connection still has scheduled: operations queued or running and timers not yet run.
   * A test waiting for a call to settle checks it is 0; "no event for 60 ms" alone was fooled by a
   * loaded machine stalling the event loop with an operation's timer still pending.
   */
  get pendingWork(): number {
    return this.#pendingOps + this.#timers;
  }

  #delay(): Promise<void> {
    const option = this.#options.opDelayMs ?? 0;
    const ms = typeof option === 'function' ? option() : option;
    return new Promise((resolve) => this.#later(resolve, ms));
  }

  #enqueue(operation: () => void): Promise<void> {
    if (this.#closed) return Promise.reject(domError('InvalidStateError', 'closed'));
    this.#pendingOps += 1;
    const result = this.#chain.then(async () => {
      await this.#delay();
      this.#assertOpen();
      operation();
    });
    this.#chain = result.then(
      () => this.#operationDone(),
      () => this.#operationDone(),
    );
    return result;
  }

  #operationDone(): void {
    this.#pendingOps -= 1;
    if (this.#pendingOps === 0 && this.#updateOnEmptyChain) {
      this.#updateOnEmptyChain = false;
      this.#updateNegotiationNeeded();
    }
  }

  #setSignalingState(state: RTCSignalingState): void {
    this.signalingState = state;
    this.signalingHistory.push(state);
    if (state === 'stable') this.#becameStable = true;
    this.dispatchEvent(new Event('signalingstatechange'));
    if (state === 'stable') this.#updateNegotiationNeeded();
  }

  #needsNegotiation(): boolean {
    return this.localTracks > this.negotiatedLocalTracks || this.#restartPending;
  }

  /** webrtc-pc §4.7.3, "update the negotiation-needed flag", including its re-fire after stable. */
  #updateNegotiationNeeded(): void {
    if (this.#closed) return;
    if (this.#pendingOps > 0) {
      this.#updateOnEmptyChain = true;
      return;
    }
    this.#later(() => {
      if (this.#closed) return;
      if (this.#pendingOps > 0) {
        this.#updateOnEmptyChain = true;
        return;
      }
      if (this.signalingState !== 'stable') return;
      const refire = this.#becameStable;
      this.#becameStable = false;
      if (!this.#needsNegotiation()) {
        this.#negotiationNeeded = false;
        return;
      }
      if (this.#negotiationNeeded && !refire) return;
      this.#negotiationNeeded = true;
      this.negotiationNeededEvents += 1;
      this.dispatchEvent(new Event('negotiationneeded'));
    }, 0);
  }

  #makeSdp(type: 'offer' | 'answer', answers?: string): Description {
    this.#version += 1;
    const sdp: FakeSdp = {
      kind: 'fake-sdp',
      type,
      origin: this.name,
      id: `${this.name}#${this.#version}`,
      ufrag: this.#ufrag,
      media: this.localTracks,
      ...(answers ? { answers } : {}),
    };
    return { type, sdp: JSON.stringify(sdp) };
  }

  #setLocal(description: RTCLocalSessionDescriptionInit | undefined): void {
    const state = this.signalingState;
    const type =
      description?.type ??
      (state === 'stable' || state === 'have-local-offer' || state === 'have-remote-pranswer' ? 'offer' : 'answer');
    if (type === 'rollback') {
      if (state !== 'have-local-offer' && state !== 'have-remote-offer') {
        throw domError('InvalidStateError', `Called in wrong state: ${state}`);
      }
      this.pendingLocalDescription = null;
      this.pendingRemoteDescription = null;
      this.#setSignalingState('stable');
      return;
    }
    if (type === 'offer') {
      if (state !== 'stable' && state !== 'have-local-offer') {
        throw domError('InvalidStateError', `Failed to set local offer sdp: Called in wrong state: ${state}`);
      }
      if (this.#restartPending) {
        this.#restartPending = false;
        this.#ufrag = `${this.#ufrag.slice(0, -1)}${String.fromCharCode(this.#ufrag.charCodeAt(this.#ufrag.length - 1) + 1)}`;
        this.#gathered = false;
      }
      this.pendingLocalDescription = this.#makeSdp('offer');
      this.#setSignalingState('have-local-offer');
    } else if (type === 'answer') {
      if (state !== 'have-remote-offer') {
        throw domError('InvalidStateError', `Failed to set local answer sdp: Called in wrong state: ${state}`);
      }
      const offer = FakeRTCPeerConnection.parse(this.pendingRemoteDescription?.sdp);
      this.currentLocalDescription = this.#makeSdp('answer', offer.id);
      this.currentRemoteDescription = this.pendingRemoteDescription;
      this.pendingRemoteDescription = null;
      this.pendingLocalDescription = null;
      this.#setSignalingState('stable');
    } else {
      throw domError('InvalidStateError', `The fake does not model ${type}.`);
    }
    this.#gather();
  }

  #setRemote(description: RTCSessionDescriptionInit): void {
    if (description.type === 'rollback') {
      if (this.signalingState !== 'have-remote-offer') {
        throw domError('InvalidStateError', `Called in wrong state: ${this.signalingState}`);
      }
      this.pendingRemoteDescription = null;
      this.#setSignalingState('stable');
      return;
    }
    const parsed = FakeRTCPeerConnection.parse(description.sdp);
    if (parsed.type !== description.type) throw domError('OperationError', 'SDP type does not match description type.');
    if (description.type === 'offer') {
      if (this.signalingState === 'have-local-offer') {
        // Implicit rollback (webrtc-pc: setRemoteDescription(offer) in have-local-offer).
        this.pendingLocalDescription = null;
        this.#setSignalingState('stable');
      }
      if (this.signalingState !== 'stable' && this.signalingState !== 'have-remote-offer') {
        throw domError('InvalidStateError', `Failed to set remote offer sdp: Called in wrong state: ${this.signalingState}`);
      }
      this.pendingRemoteDescription = { type: 'offer', sdp: description.sdp ?? '' };
      this.remoteTracks = parsed.media;
      this.#setSignalingState('have-remote-offer');
    } else if (description.type === 'answer') {
      if (this.signalingState !== 'have-local-offer') {
        throw domError('InvalidStateError', `Failed to set remote answer sdp: Called in wrong state: ${this.signalingState}`);
      }
      const offer = FakeRTCPeerConnection.parse(this.pendingLocalDescription?.sdp);
      if (parsed.answers !== offer.id) {
        throw domError('InvalidAccessError', `Answer ${parsed.id} answers ${parsed.answers ?? '?'}, not our offer ${offer.id}.`);
      }
      this.currentRemoteDescription = { type: 'answer', sdp: description.sdp ?? '' };
      this.currentLocalDescription = this.pendingLocalDescription;
      this.pendingLocalDescription = null;
      this.negotiatedLocalTracks = offer.media;
      this.#setSignalingState('stable');
    } else {
      throw domError('InvalidStateError', `The fake does not model ${String(description.type)}.`);
    }
  }

  #addCandidate(candidate: RTCIceCandidateInit | undefined): void {
    const remote = this.remoteDescription;
    if (!remote) throw domError('InvalidStateError', 'The remote description was null');
    if (!candidate || !candidate.candidate) {
      this.endOfCandidates = true;
      return;
    }
    if (candidate.sdpMid == null && candidate.sdpMLineIndex == null) {
      throw new TypeError('Candidate missing values for both sdpMid and sdpMLineIndex');
    }
    const ufrag = FakeRTCPeerConnection.parse(remote.sdp).ufrag;
    if (candidate.usernameFragment && candidate.usernameFragment !== ufrag) {
      throw domError('OperationError', `Unknown ufrag (${candidate.usernameFragment})`);
    }
    this.addedCandidates.push(candidate);
  }

  #gather(): void {
    if (this.#gathered) return;
    this.#gathered = true;
    const ufrag = this.#ufrag;
    const count = this.#options.candidates ?? 2;
    const delay = this.#options.trickleDelayMs ?? 1;
    this.iceGatheringState = 'gathering';
    this.dispatchEvent(new Event('icegatheringstatechange'));
    for (let i = 0; i <= count; i += 1) {
      this.#later(() => {
        if (this.#closed) return;
        const candidate =
          i < count
            ? {
                candidate: `candidate:${i + 1} 1 udp 2122260223 10.0.0.${i + 1} ${50000 + i} typ host generation 0 ufrag ${ufrag}`,
                sdpMid: '0',
                sdpMLineIndex: 0,
                usernameFragment: ufrag,
              }
            : null;
        this.dispatchEvent(eventWith('icecandidate', { candidate }));
        if (!candidate) {
          this.iceGatheringState = 'complete';
          this.dispatchEvent(new Event('icegatheringstatechange'));
        }
      }, delay * (i + 1));
    }
  }
}
