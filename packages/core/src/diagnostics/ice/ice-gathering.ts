/**
 * Driving an ICE gathering and recording what it saw in the report's terms: the ICE page (the
 * browser's RTCPeerConnection) and the terminal check (libwebrtc in Node) run the same code, so
 * both record candidates, errors and the gathering with all servers alike.
 */
import { m } from '@workbench/i18n/messages';
import type { ObservedIceError } from './ice-errors.js';
import type { IceReportGathering } from './report.js';
import type { IcePolicy } from './server-urls.js';
import { configurationErrorVerdict, type ObservedCandidate } from './verdicts.js';
import type { RelayProtocol } from '../../connection/ice.js';
import type { PeerConnectionConstructor } from '../../connection/peer.js';

/** Milliseconds with 0.1 ms precision: enough to order events, short in the report. */
function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function relayProtocolOf(candidate: RTCIceCandidate): RelayProtocol | undefined {
  const value = (candidate as RTCIceCandidate & { relayProtocol?: string | null }).relayProtocol;
  return value === 'udp' || value === 'tcp' || value === 'tls' ? value : undefined;
}

/**
 * One candidate as the report keeps it. `serverUrl`: the only server the peer connection has, for
 * a srflx/relay candidate whose URL the stack does not say. Firefox ESR 153 gives neither
 * `candidate.url` nor the event's, nor `relayProtocol`; libwebrtc in Node gives none of them.
 */
export function observeCandidate(event: RTCPeerConnectionIceEvent, candidate: RTCIceCandidate, atMs: number, serverUrl?: string): ObservedCandidate {
  const relayProtocol = relayProtocolOf(candidate);
  // `url` is on RTCIceCandidate in Chromium; older Firefox has it only on the event.
  const url =
    (candidate as RTCIceCandidate & { url?: string | null }).url ??
    (event as RTCPeerConnectionIceEvent & { url?: string | null }).url ??
    (serverUrl !== undefined && / typ (srflx|relay)( |$)/.test(candidate.candidate) ? serverUrl : undefined);
  return { atMs, candidate: candidate.candidate, ...(url ? { url } : {}), ...(relayProtocol ? { relayProtocol } : {}) };
}

/** One icecandidateerror as the report keeps it; libwebrtc in Node may leave text and URL unset. */
export function observeError(event: RTCPeerConnectionIceErrorEvent, atMs: number): ObservedIceError {
  return { atMs, errorCode: event.errorCode, errorText: event.errorText ?? '', url: event.url ?? '', address: event.address ?? null, port: event.port ?? null };
}

export interface SharedGatheringOptions {
  PeerConnection: PeerConnectionConstructor;
  iceServers: RTCIceServer[];
  policy: IcePolicy;
  budgetMs: number;
  /** `performance.now()` when the whole run started: the record's `startedAtMs` counts from it. */
  runStartedAt: number;
  signal?: AbortSignal | undefined;
  /** A candidate or an error was recorded (the page redraws its table). */
  onChange?: () => void;
}

export interface SharedGatheringRun {
  /** What was seen so far; candidates and errors grow while it runs, the status is final at `done`. */
  readonly record: IceReportGathering;
  /** The peer connection while it gathers, for the console; undefined once closed. */
  readonly pc: RTCPeerConnection | undefined;
  readonly done: Promise<IceReportGathering>;
}

/**
 * One gathering with every server together, as a real call would gather: its srflx candidates
 * share one local socket per network, which is what NAT-mapping inference compares. Ends when
 * gathering completes, at the budget (a server that never answers holds gathering open for ~40 s),
 * or when `signal` aborts. An explicit offer, since libwebrtc in Node refuses a bare
 * `setLocalDescription()`.
 */
export function gatherWithAllServers(options: SharedGatheringOptions): SharedGatheringRun {
  const { PeerConnection, iceServers, policy, budgetMs, runStartedAt, signal, onChange } = options;
  const startedAt = performance.now();
  const since = () => round(performance.now() - startedAt);
  const record: IceReportGathering = { status: 'running', startedAtMs: round(startedAt - runStartedAt), candidates: [], errors: [] };
  let pc: RTCPeerConnection | undefined;
  try {
    pc = new PeerConnection({ iceServers, iceTransportPolicy: policy });
  } catch (error) {
    Object.assign(record, { status: 'failed', note: configurationErrorVerdict(error).detail });
    return { record, pc: undefined, done: Promise.resolve(record) };
  }
  const connection = pc;
  const done = new Promise<IceReportGathering>((resolve) => {
    const finish = (status: IceReportGathering['status'], note?: string) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      connection.onicecandidate = null;
      connection.onicecandidateerror = null;
      connection.onicegatheringstatechange = null;
      connection.close();
      pc = undefined;
      record.status = status;
      if (note) record.note = note;
      resolve(record);
    };
    const onAbort = () => finish('skipped', m.ice_gathering_cancelled());
    const timer = setTimeout(() => finish('success', m.ice_gathering_budget()), budgetMs);
    signal?.addEventListener('abort', onAbort);
    connection.onicecandidate = (event) => {
      if (!event.candidate || event.candidate.candidate === '') return;
      record.candidates.push(observeCandidate(event, event.candidate, since()));
      onChange?.();
    };
    connection.onicecandidateerror = (event) => {
      record.errors.push(observeError(event as RTCPeerConnectionIceErrorEvent, since()));
      onChange?.();
    };
    connection.onicegatheringstatechange = () => {
      if (connection.iceGatheringState !== 'complete') return;
      record.gatheringCompleteMs = since();
      finish('success');
    };
    connection.createDataChannel('ice-check');
    connection
      .createOffer()
      .then((offer) => connection.setLocalDescription(offer))
      .catch((error: unknown) => finish('failed', configurationErrorVerdict(error).detail));
  });
  return {
    record,
    get pc() {
      return pc;
    },
    done,
  };
}
