/** Negotiation: the W3C webrtc-pc perfect negotiation pattern (with isSettingRemoteAnswerPending), the one implementation. */
import { m } from '@workbench/i18n/messages';
import { Emitter } from '../emitter.js';
import { ErrorCode, WorkbenchError } from '../errors.js';
import { namedLogger, type Logger } from '../logger.js';
import { candidateInit, type SignalMessage } from '../signaling/protocol.js';

/** The parts of RTCPeerConnection perfect negotiation touches; a real one satisfies it. */
export interface NegotiablePeerConnection {
  readonly signalingState: RTCSignalingState;
  readonly localDescription: { type: RTCSdpType; sdp: string } | null;
  readonly iceConnectionState: RTCIceConnectionState;
  setLocalDescription(description?: RTCLocalSessionDescriptionInit): Promise<void>;
  setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void>;
  addIceCandidate(candidate?: RTCIceCandidateInit): Promise<void>;
  restartIce?(): void;
  addEventListener(type: string, listener: (event: Event) => void): void;
  removeEventListener(type: string, listener: (event: Event) => void): void;
}

export interface PerfectNegotiatorOptions {
  pc: NegotiablePeerConnection;
  /**
   * The polite peer yields on an offer collision (rolls back its own offer and answers);
   * the impolite one ignores the colliding offer. The server's join ack says which you are.
   */
  polite: boolean;
  /** Sends a message to the other peer, e.g. `(m) => signaling.send(m)`. Rejections are reported as `error`. */
  send: (message: SignalMessage) => void | Promise<unknown>;
  /** Name in log lines, e.g. "pc1". */
  name?: string;
  logger?: Logger;
  /** Call `pc.restartIce()` when ICE fails, as the spec's example does. Default true. */
  restartIceOnFailure?: boolean;
}

export type CollisionOutcome = 'ignored-their-offer' | 'rolled-back-ours';

export type PerfectNegotiatorEvents = {
  /** A description was set locally and sent to the peer. */
  'local-description': (description: { type: 'offer' | 'answer'; sdp: string }) => void;
  /** A description from the peer was applied. */
  'remote-description': (description: { type: 'offer' | 'answer'; sdp: string }) => void;
  /** Both sides offered at once ("glare"): what this side did about it. */
  collision: (outcome: CollisionOutcome) => void;
  /** Negotiation failed; `code` is NEGOTIATION_FAILED, `cause` the browser's error. */
  error: (error: WorkbenchError) => void;
};

/**
 * Perfect negotiation, as written in the webrtc-pc spec. It listens to `negotiationneeded`,
 * `icecandidate` and `iceconnectionstatechange` on `pc` (with addEventListener, so other
 * listeners keep working) and applies what the peer sends through {@link handle}:
 *
 * ```ts
 * const negotiator = new PerfectNegotiator({ pc, polite, send: (m) => signaling.send(m) });
 * signaling.on('message', (m) => void negotiator.handle(m));
 * pc.addTrack(track, stream); // negotiationneeded → offer → answer, whoever starts
 * ```
 *
 * It does not own `pc`: close() stops negotiating but leaves the connection to its owner.
 */
export class PerfectNegotiator extends Emitter<PerfectNegotiatorEvents> {
  /** Can change before the first collision, e.g. once the join ack says who joined second. */
  polite: boolean;
  readonly pc: NegotiablePeerConnection;

  readonly #send: PerfectNegotiatorOptions['send'];
  readonly #log: Logger;
  readonly #restartIceOnFailure: boolean;
  #makingOffer = false;
  #ignoreOffer = false;
  #isSettingRemoteAnswerPending = false;
  #closed = false;

  constructor(options: PerfectNegotiatorOptions) {
    const log = options.name ? namedLogger(options.name, options.logger ?? console) : (options.logger ?? console);
    super({ logger: log });
    this.pc = options.pc;
    this.polite = options.polite;
    this.#send = options.send;
    this.#log = log;
    this.#restartIceOnFailure = options.restartIceOnFailure ?? true;
    this.pc.addEventListener('negotiationneeded', this.#onNegotiationNeeded);
    this.pc.addEventListener('icecandidate', this.#onIceCandidate);
    this.pc.addEventListener('iceconnectionstatechange', this.#onIceConnectionStateChange);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Applies an offer, answer or candidate from the peer. Other messages ('got user media',
   * 'bye', text) are not negotiation and are ignored, so every relayed message can be passed in.
   * Never rejects for negotiation failures: those are logged and emitted as `error`.
   */
  async handle(message: SignalMessage): Promise<void> {
    if (this.#closed) {
      throw new WorkbenchError(ErrorCode.InvalidState, m.core_negotiator_closed());
    }
    if (typeof message === 'string' || message.type === 'text') return;
    const pc = this.pc;
    try {
      if (message.type === 'offer' || message.type === 'answer') {
        const description = { type: message.type, sdp: message.sdp };
        // An answer being applied is as good as "stable": the offer that follows it is no collision.
        const readyForOffer =
          !this.#makingOffer && (pc.signalingState === 'stable' || this.#isSettingRemoteAnswerPending);
        const offerCollision = description.type === 'offer' && !readyForOffer;
        this.#ignoreOffer = !this.polite && offerCollision;
        if (this.#ignoreOffer) {
          this.#log.info(m.core_log_collision_impolite());
          this.emit('collision', 'ignored-their-offer');
          return;
        }
        if (offerCollision) {
          this.#log.info(m.core_log_collision_polite());
          this.emit('collision', 'rolled-back-ours');
        }
        this.#isSettingRemoteAnswerPending = description.type === 'answer';
        try {
          await pc.setRemoteDescription(description); // rolls back our offer implicitly on collision
        } finally {
          this.#isSettingRemoteAnswerPending = false;
        }
        if (this.#closed) return;
        this.#log.info(m.core_log_remote_description_applied({ type: description.type }));
        this.emit('remote-description', description);
        if (description.type === 'offer') {
          await pc.setLocalDescription(); // no arguments: the browser creates the right answer
          this.#sendLocalDescription();
        }
      } else if (message.type === 'candidate') {
        // Candidates of an offer we ignored cannot be added; anything else is a real failure.
        // Unlike the spec's example, ignoreOffer is read when the candidate arrives, not when
        // addIceCandidate fails: by then the next description may already have reset it, and a
        // stale candidate would be reported as an error (the randomized test caught this).
        const belongsToIgnoredOffer = this.#ignoreOffer;
        try {
          await pc.addIceCandidate(candidateInit(message));
        } catch (error) {
          if (!belongsToIgnoredOffer) throw error;
        }
      }
    } catch (error) {
      this.#fail(error, m.core_doing_applying_description({ type: message.type }));
    }
  }

  /** Stops listening to `pc` and sending; the connection itself stays open. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.pc.removeEventListener('negotiationneeded', this.#onNegotiationNeeded);
    this.pc.removeEventListener('icecandidate', this.#onIceCandidate);
    this.pc.removeEventListener('iceconnectionstatechange', this.#onIceConnectionStateChange);
  }

  readonly #onNegotiationNeeded = async (): Promise<void> => {
    if (this.#closed) return;
    try {
      this.#makingOffer = true;
      await this.pc.setLocalDescription(); // no arguments: an offer, or an answer if one is due
      this.#sendLocalDescription();
    } catch (error) {
      this.#fail(error, m.core_doing_creating_offer());
    } finally {
      this.#makingOffer = false;
    }
  };

  readonly #onIceCandidate = (event: Event): void => {
    if (this.#closed) return;
    const { candidate } = event as RTCPeerConnectionIceEvent;
    if (candidate === null) {
      // Gathering finished: an empty candidate string is the wire form of end-of-candidates.
      this.#transmit({ type: 'candidate', candidate: '' });
      return;
    }
    // Some browsers also fire a per-section empty candidate; the null event above covers it.
    if (candidate.candidate === '') return;
    this.#transmit({
      type: 'candidate',
      candidate: candidate.candidate,
      sdpMid: candidate.sdpMid,
      sdpMLineIndex: candidate.sdpMLineIndex,
      usernameFragment: candidate.usernameFragment,
    });
  };

  readonly #onIceConnectionStateChange = (): void => {
    if (this.#closed || !this.#restartIceOnFailure) return;
    if (this.pc.iceConnectionState === 'failed' && this.pc.restartIce) {
      this.#log.warn(m.core_log_ice_restart());
      this.pc.restartIce();
    }
  };

  #sendLocalDescription(): void {
    const description = this.pc.localDescription;
    if (this.#closed || !description) return;
    if (description.type !== 'offer' && description.type !== 'answer') return;
    const message = { type: description.type, sdp: description.sdp };
    this.#log.info(m.core_log_sending_description({ type: message.type }));
    this.#transmit(message);
    this.emit('local-description', message);
  }

  #transmit(message: SignalMessage): void {
    try {
      const sent = this.#send(message);
      if (sent && typeof (sent as Promise<unknown>).catch === 'function') {
        (sent as Promise<unknown>).catch((error: unknown) => this.#fail(error, m.core_doing_sending_to_peer()));
      }
    } catch (error) {
      this.#fail(error, m.core_doing_sending_to_peer());
    }
  }

  #fail(error: unknown, doing: string): void {
    if (this.#closed) return;
    const failure =
      error instanceof WorkbenchError
        ? error
        : new WorkbenchError(
            ErrorCode.NegotiationFailed,
            m.core_negotiation_failed_while({ doing, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }),
            { cause: error },
          );
    this.#log.error(failure.message);
    this.emit('error', failure);
  }
}

/** How long the polite side waits for the other side's offer before starting anyway. */
export const POLITE_OFFER_WAIT_MS = 3000;

/**
 * Why {@link startNegotiation} called `start`: `'impolite'` at once, `'remote-offer'` when the
 * polite side has applied the peer's offer (its answer is not yet made), `'no-offer'` when the
 * polite side waited `politeWaitMs` for an offer in vain.
 */
export type NegotiationStartReason = 'impolite' | 'remote-offer' | 'no-offer';

export interface StartNegotiationOptions {
  /** Its `polite` flag, read once when called, decides when `start` runs. */
  negotiator: PerfectNegotiator;
  /**
   * What makes this side negotiate: add tracks, create a data channel. Called at most once. For the
   * polite side answering an offer it runs inside `remote-description`, so what it adds rides on
   * the answer (a real browser fills the offered m-lines; the rest needs one more round, which
   * perfect negotiation does by itself).
   */
  start: (reason: NegotiationStartReason) => void;
  /** How long the polite side waits for an offer before starting anyway. Default {@link POLITE_OFFER_WAIT_MS}. */
  politeWaitMs?: number;
}

/**
 * Starts one side of a call so that the two sides do not offer at the same moment: the impolite
 * side calls `start` at once, the polite side when the peer's offer has been applied (before its
 * answer is created), or after `politeWaitMs` if no offer comes (a peer that never offers must not
 * leave it waiting forever). Returns a cancel: after it (or after `negotiator.close()`), `start`
 * is not called. Call it from the page that owns the negotiator, once per negotiator:
 *
 * ```ts
 * const cancel = startNegotiation({ negotiator, start: () => pc.addTrack(track, stream) });
 * ```
 *
 * Why not let both sides start at once? Perfect negotiation does settle that glare, but Chromium
 * (seen in 156) can then stay in iceGatheringState 'gathering' for good when the polite side rolls
 * back its own offer before it has gathered its first candidate: its answer carries no candidates
 * and ICE never starts (about 1 fresh call in 3 failed). Letting the impolite side offer first
 * means the polite side normally never has an offer to roll back. The same hang was seen when
 * the polite side's connection had `iceCandidatePoolSize > 0` and the offer arrived while the pool
 * was still gathering, so pages that use this leave the pool at 0.
 */
export function startNegotiation(options: StartNegotiationOptions): () => void {
  const { negotiator, start } = options;
  const politeWaitMs = options.politeWaitMs ?? POLITE_OFFER_WAIT_MS;
  if (!negotiator.polite) {
    start('impolite');
    return () => {};
  }
  let done = false;
  const finish = (reason: NegotiationStartReason | null): void => {
    if (done) return;
    done = true;
    clearTimeout(fallback);
    stopWaiting();
    if (reason && !negotiator.closed) start(reason);
  };
  const stopWaiting = negotiator.on('remote-description', (description) => {
    if (description.type === 'offer') finish('remote-offer');
  });
  const fallback = setTimeout(() => finish('no-offer'), politeWaitMs);
  return () => finish(null);
}
