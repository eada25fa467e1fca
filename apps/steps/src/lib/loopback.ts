/**
 * Two Peers in one page (steps 2 and 3): the page itself carries the offer, the answer and every
 * ICE candidate from one connection to the other, which step 5 does through the server.
 */
import { parseCandidate, type ParsedCandidate } from '@workbench/core/ice';
import type { Peer } from '@workbench/core/peer';
import { m } from '@workbench/i18n/messages';

/** One candidate handed from one connection to the other, as the page's table shows it. */
export interface ExchangedCandidate {
  /** Unique in the page; the table's key. */
  id: number;
  /** Milliseconds since the call started. */
  at: number;
  from: string;
  to: string;
  line: string;
  /** `undefined` when the line cannot be parsed (the raw line is still shown). */
  parsed?: ParsedCandidate;
  /**
   * `queued`: the receiving connection had no remote description yet, so the candidate waits in
   * Peer's queue (the codelab dropped it with an InvalidStateError). `added` once the browser took it.
   */
  status: 'queued' | 'added' | 'failed';
  /** Whether it had to wait, kept after it is added so the table can say "queued → added". */
  waited: boolean;
  error?: string;
}

let nextCandidateId = 1;

/**
 * Forwards `from`'s local candidates to `to` until the returned function is called. `report` is
 * called once per candidate when it is handed over, and again when its status changes.
 */
export function forwardCandidates(
  from: Peer,
  to: Peer,
  sinceCall: () => number,
  report: (candidate: ExchangedCandidate) => void,
): () => void {
  return from.on('icecandidate', (candidate) => {
    // null = gathering complete; Peer turns it into end-of-candidates for the other side.
    if (to.closed) return;
    if (!candidate || candidate.candidate === '') {
      to.addIceCandidate(null).catch(() => {
        // Older browsers reject end-of-candidates; the connection does not depend on it.
      });
      return;
    }
    let parsed: ParsedCandidate | undefined;
    try {
      parsed = parseCandidate(candidate.candidate);
    } catch {
      parsed = undefined;
    }
    const waited = to.remoteDescription === null;
    const entry: ExchangedCandidate = {
      id: nextCandidateId++,
      at: sinceCall(),
      from: from.name,
      to: to.name,
      line: candidate.candidate,
      ...(parsed ? { parsed } : {}),
      status: waited ? 'queued' : 'added',
      waited,
    };
    report(entry);
    to.addIceCandidate(candidate).then(
      () => {
        if (waited) report({ ...entry, status: 'added' });
      },
      (error: unknown) => {
        // Rejected because Hang Up closed the connection first: nothing went wrong.
        if (to.closed) return;
        report({ ...entry, status: 'failed', error: error instanceof Error ? error.message : String(error) });
      },
    );
  });
}

export interface NegotiationSteps {
  /** The offer, once `offerer` has set it as its local description. */
  onOffer?: (offer: RTCSessionDescriptionInit) => void;
  /** The answer, once `answerer` has set it as its local description. */
  onAnswer?: (answer: RTCSessionDescriptionInit) => void;
  /** Each step as it starts, for the event log ("pc1 createOffer()"), in the page's language. */
  onStep?: (peer: string, step: string) => void;
}

/**
 * Offer/answer between two Peers in one page, in the only safe order: each description is
 * handed to the other side only after `setLocalDescription` has resolved on its own side. (The
 * codelab passed the answer on from createAnswer's callback, racing setLocalDescription.)
 */
export async function negotiateLocally(offerer: Peer, answerer: Peer, steps: NegotiationSteps = {}): Promise<void> {
  steps.onStep?.(offerer.name, m.pc_step_create_offer());
  const offer = await offerer.createOffer();
  steps.onStep?.(offerer.name, m.pc_step_set_local_offer());
  await offerer.setLocalDescription(offer);
  steps.onOffer?.(offer);

  steps.onStep?.(answerer.name, m.pc_step_set_remote_offer());
  await answerer.setRemoteDescription(offer);
  steps.onStep?.(answerer.name, m.pc_step_create_answer());
  const answer = await answerer.createAnswer();
  steps.onStep?.(answerer.name, m.pc_step_set_local_answer());
  await answerer.setLocalDescription(answer);
  steps.onAnswer?.(answer);

  steps.onStep?.(offerer.name, m.pc_step_set_remote_answer());
  await offerer.setRemoteDescription(answer);
}

/** The four states a timeline follows, in the order a table shows them. */
export const PEER_STATES = ['signalingState', 'iceGatheringState', 'iceConnectionState', 'connectionState'] as const;
export type PeerStateName = (typeof PEER_STATES)[number];

/** Calls `onChange` for every change of the four states of `peer`; returns the unsubscribe. */
export function watchStates(peer: Peer, onChange: (state: PeerStateName, value: string) => void): () => void {
  const stops = [
    peer.on('signalingstatechange', (value) => onChange('signalingState', value)),
    peer.on('icegatheringstatechange', (value) => onChange('iceGatheringState', value)),
    peer.on('iceconnectionstatechange', (value) => onChange('iceConnectionState', value)),
    peer.on('connectionstatechange', (value) => onChange('connectionState', value)),
  ];
  return () => {
    for (const stop of stops) stop();
  };
}
