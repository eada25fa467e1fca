/**
 * The ICE test's checks, after livekit's connectionHelper: each check owns its peer
 * connection(s), moves idle → running → success/failed/skipped, and reports what it saw as
 * events. What a check *concludes* is decided in core (`decideVerdict`); this file only drives
 * the browser and records. Framework-free: the page's model turns the events into state.
 */
import { receiveTransfer, sendBlob, waitForOpen } from '@workbench/core/data-channel';
import { Emitter } from '@workbench/core/emitter';
import { gatherWithAllServers, observeCandidate, observeError, type SharedGatheringRun } from '@workbench/core/ice-gathering';
import {
  cancelledVerdict,
  configurationErrorVerdict,
  decideVerdict,
  loopbackTimeoutMessage,
  probablyUnreachableVerdict,
  skipReason,
  skippedVerdict,
  verdictStatus,
  type CheckStatus,
  type IceCheckTarget,
  type IcePolicy,
  type IceReportGathering,
  type IceReportLoopback,
  type IceServerEntry,
  type IceVerdict,
  type ObservedCandidate,
  type ObservedIceError,
} from '@workbench/core/ice-diagnostics';
import { normaliseStats } from '@workbench/core/stats';
import { m } from '@workbench/i18n/messages';

import { toRtcIceServer } from './servers.js';

export type CheckLogLevel = 'info' | 'warn' | 'error';

export type CheckerEvents = {
  /** Status, verdict or a measurement changed: re-read the checker. */
  change: () => void;
  log: (level: CheckLogLevel, message: string) => void;
};

export type PeerConnectionConstructor = new (configuration?: RTCConfiguration) => RTCPeerConnection;

export interface CheckerOptions {
  /** Where peer connections come from; the page's RTCPeerConnection by default. */
  PeerConnection?: PeerConnectionConstructor;
  signal: AbortSignal;
}

/** One check: a name, a status, and log lines; subclasses do the work in `perform`. */
export abstract class Checker extends Emitter<CheckerEvents> {
  status: CheckStatus = 'idle';
  abstract readonly name: string;
  protected readonly PeerConnection: PeerConnectionConstructor;
  protected readonly signal: AbortSignal;

  constructor(options: CheckerOptions) {
    super();
    this.PeerConnection = options.PeerConnection ?? globalThis.RTCPeerConnection;
    this.signal = options.signal;
  }

  protected setStatus(status: CheckStatus): void {
    this.status = status;
    this.emit('change');
  }

  protected log(level: CheckLogLevel, message: string): void {
    this.emit('log', level, message);
  }
}

/** Milliseconds with 0.1 ms precision: enough to order events, short in the report. */
function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

export interface GatheringCheckOptions extends CheckerOptions {
  budgetMs: number;
  policy: IcePolicy;
  /** `performance.now()` when the whole run started: the candidate table counts from it. */
  runStartedAt: number;
}

/**
 * One server URL over one transport, alone in a peer connection, so a failure is that server's
 * and nobody else's. Decides as soon as core's `decideVerdict` can, and at the budget at the
 * latest; then closes its peer connection (gathering is never awaited).
 */
export class GatheringCheck extends Checker {
  readonly name: string;
  readonly candidates: ObservedCandidate[] = [];
  readonly errors: ObservedIceError[] = [];
  verdict: IceVerdict | null = null;
  /** From the run's start to this check's start. */
  startedAtMs = 0;
  gatheringCompleteMs: number | undefined;
  pc: RTCPeerConnection | undefined;
  readonly #options: GatheringCheckOptions;
  /** performance.now() at this check's start; undefined before it runs. */
  #startedAt: number | undefined;
  /** Set by the final verdict; a provisional one (see suspectSilence) leaves the check running. */
  #final = false;

  constructor(
    readonly target: IceCheckTarget,
    readonly server: IceServerEntry,
    options: GatheringCheckOptions,
  ) {
    super(options);
    this.#options = options;
    this.name = `${target.url} (${target.transport.toUpperCase()})`;
  }

  run(): Promise<IceVerdict> {
    const { budgetMs, policy, runStartedAt } = this.#options;
    const startedAt = performance.now();
    this.#startedAt = startedAt;
    this.startedAtMs = round(startedAt - runStartedAt);
    const skip = skipReason(this.target, policy);
    if (skip) return Promise.resolve(this.#finish(skippedVerdict(skip)));
    if (this.signal.aborted) return Promise.resolve(this.#finish(cancelledVerdict(0)));
    this.setStatus('running');

    let pc: RTCPeerConnection;
    try {
      pc = new this.PeerConnection({ iceServers: [toRtcIceServer(this.server, this.target.url)], iceTransportPolicy: policy });
    } catch (error) {
      return Promise.resolve(this.#finish(configurationErrorVerdict(error)));
    }
    this.pc = pc;
    const since = () => round(performance.now() - startedAt);
    // Firefox ESR has no icecandidateerror: decideVerdict then says what it cannot tell.
    const reportsErrors = 'onicecandidateerror' in this.PeerConnection.prototype;

    return new Promise<IceVerdict>((resolve) => {
      const done = (verdict: IceVerdict) => {
        if (this.#final) return;
        clearTimeout(timer);
        this.signal.removeEventListener('abort', onAbort);
        pc.onicecandidate = null;
        pc.onicecandidateerror = null;
        pc.onicegatheringstatechange = null;
        pc.close();
        resolve(this.#finish(verdict));
      };
      const evaluate = (elapsedMs = since()) => {
        const verdict = decideVerdict({
          kind: this.target.kind,
          transport: this.target.transport,
          candidates: this.candidates,
          errors: this.errors,
          elapsedMs,
          budgetMs,
          ...(this.gatheringCompleteMs !== undefined ? { gatheringCompleteMs: this.gatheringCompleteMs } : {}),
          ...(this.server.username !== undefined ? { username: this.server.username } : {}),
          reportsErrors,
        });
        if (verdict) done(verdict);
      };
      const onAbort = () => done(cancelledVerdict(since()));
      // setTimeout never fires early in browsers, but say "the budget is spent" explicitly anyway.
      const timer = setTimeout(() => evaluate(Math.max(since(), budgetMs)), budgetMs);
      this.signal.addEventListener('abort', onAbort);

      pc.onicecandidate = (event) => {
        if (!event.candidate || event.candidate.candidate === '') return;
        this.candidates.push(observeCandidate(event, event.candidate, since(), this.target.url));
        this.emit('change');
        evaluate();
      };
      pc.onicecandidateerror = (event) => {
        const error = observeError(event as RTCPeerConnectionIceErrorEvent, since());
        this.errors.push(error);
        this.log('warn', m.ice_log_error_event({ name: this.name, code: error.errorCode, text: error.errorText }));
        this.emit('change');
        evaluate();
      };
      pc.onicegatheringstatechange = () => {
        if (pc.iceGatheringState !== 'complete') return;
        this.gatheringCompleteMs = since();
        evaluate();
      };
      // A data channel gives the offer an m-line, which is what makes the browser gather.
      pc.createDataChannel('ice-check');
      pc.setLocalDescription().catch((error: unknown) => done(configurationErrorVerdict(error, since())));
    });
  }

  /** Milliseconds since this check started, or undefined when it is not waiting for an answer. */
  silentForMs(): number | undefined {
    if (this.#final || this.status !== 'running' || this.verdict || this.#startedAt === undefined) return undefined;
    return performance.now() - this.#startedAt;
  }

  /**
   * Other servers answered long ago and this one has said nothing: show "probably unreachable"
   * now, keep listening, and let an answer or the budget replace it (core's silentServerDeadlineMs).
   */
  suspectSilence(slowestAnswerMs: number): void {
    const silentFor = this.silentForMs();
    if (silentFor === undefined) return;
    this.verdict = probablyUnreachableVerdict({ transport: this.target.transport, atMs: round(silentFor), slowestAnswerMs, budgetMs: this.#options.budgetMs });
    this.log('warn', m.ice_log_provisional({ name: this.name, title: this.verdict.title, slowest: Math.round(slowestAnswerMs) }));
    this.emit('change');
  }

  #finish(verdict: IceVerdict): IceVerdict {
    this.#final = true;
    this.verdict = verdict;
    this.pc = undefined;
    // A failed check is the test working, not the page failing: warn, and keep console errors for real faults.
    const level: CheckLogLevel = verdictStatus(verdict.kind) === 'failed' ? 'warn' : 'info';
    this.log(level, m.ice_log_verdict({ name: this.name, title: verdict.title, ms: Math.round(verdict.atMs) }));
    this.setStatus(verdictStatus(verdict.kind));
    return verdict;
  }
}

/**
 * The gathering with every server together (core's `gatherWithAllServers`, which the terminal
 * check runs too) as one of the page's checks: its table redraws as candidates come.
 */
export class SharedGathering extends Checker {
  readonly name = m.ice_log_shared_name();
  readonly #servers: RTCIceServer[];
  readonly #options: GatheringCheckOptions;
  #run: SharedGatheringRun | undefined;

  constructor(servers: RTCIceServer[], options: GatheringCheckOptions) {
    super(options);
    this.#servers = servers;
    this.#options = options;
  }

  /** The peer connection while it gathers, for the console. */
  get pc(): RTCPeerConnection | undefined {
    return this.#run?.pc;
  }

  async run(): Promise<void> {
    this.setStatus('running');
    const { budgetMs, policy, runStartedAt } = this.#options;
    this.#run = gatherWithAllServers({
      PeerConnection: this.PeerConnection,
      iceServers: this.#servers,
      policy,
      budgetMs,
      runStartedAt,
      signal: this.signal,
      onChange: () => this.emit('change'),
    });
    const record = await this.#run.done;
    if (record.gatheringCompleteMs !== undefined) this.log('info', m.ice_log_shared_complete({ ms: Math.round(record.gatheringCompleteMs) }));
    this.setStatus(record.status);
  }

  toReport(): IceReportGathering {
    const record = this.#run?.record ?? { status: this.status, startedAtMs: 0, candidates: [], errors: [] };
    return { ...record, candidates: [...record.candidates], errors: [...record.errors] };
  }
}

export const LOOPBACK_BYTES = 1024 * 1024;

export interface TurnLoopbackOptions extends CheckerOptions {
  /** For connecting, and again for the transfer. */
  timeoutMs: number;
  bytes?: number;
}

function randomPayload(size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  // getRandomValues fills at most 64 KiB per call.
  for (let offset = 0; offset < size; offset += 65536) crypto.getRandomValues(bytes.subarray(offset, Math.min(size, offset + 65536)));
  return bytes;
}

function withTimeout<T>(promise: Promise<T>, ms: number, signal: AbortSignal, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(m.ice_err_took_longer({ what, seconds: ms / 1000 }))), ms);
    const onAbort = () => reject(new Error(m.ice_err_cancelled()));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    });
  });
}

function waitForConnected(pc: RTCPeerConnection): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (pc.connectionState === 'connected') resolve();
      else if (pc.connectionState === 'failed' || pc.connectionState === 'closed') {
        reject(new Error(m.ice_err_relay_failed({ state: pc.connectionState })));
      } else return;
      pc.removeEventListener('connectionstatechange', check);
    };
    pc.addEventListener('connectionstatechange', check);
    check();
  });
}

/**
 * Proof that a TURN server relays traffic, not only that it allocates: two relay-only peer
 * connections in this page, a data channel between them, then time to connected, the selected
 * pair's RTT, and the throughput of 1 MiB sent with back-pressure and checked by SHA-256.
 */
export class TurnLoopbackCheck extends Checker {
  readonly name: string;
  result: IceReportLoopback;
  pcs: [RTCPeerConnection, RTCPeerConnection] | undefined;
  readonly #options: TurnLoopbackOptions;

  constructor(
    readonly target: IceCheckTarget,
    readonly server: IceServerEntry,
    options: TurnLoopbackOptions,
  ) {
    super(options);
    this.#options = options;
    this.name = m.ice_loopback_name({ url: target.url });
    this.result = { checkId: target.id, url: target.url, status: 'idle' };
  }

  async run(): Promise<IceReportLoopback> {
    const { timeoutMs, bytes = LOOPBACK_BYTES } = this.#options;
    this.#update({ status: 'running' });
    this.setStatus('running');
    const config: RTCConfiguration = { iceServers: [toRtcIceServer(this.server, this.target.url)], iceTransportPolicy: 'relay' };
    let pc1: RTCPeerConnection | undefined;
    let pc2: RTCPeerConnection | undefined;
    try {
      pc1 = new this.PeerConnection(config);
      pc2 = new this.PeerConnection(config);
      this.pcs = [pc1, pc2];
      const [a, b] = [pc1, pc2];
      // Candidates go straight across; errors are ignored because a closing run may race them.
      a.onicecandidate = (event) => void (event.candidate && b.addIceCandidate(event.candidate).catch(() => {}));
      b.onicecandidate = (event) => void (event.candidate && a.addIceCandidate(event.candidate).catch(() => {}));
      const channel = a.createDataChannel('turn-loopback');
      const remoteChannel = new Promise<RTCDataChannel>((resolve) => {
        b.ondatachannel = (event) => resolve(event.channel);
      });

      const startedAt = performance.now();
      await a.setLocalDescription();
      await b.setRemoteDescription(a.localDescription as RTCSessionDescription);
      await b.setLocalDescription();
      await a.setRemoteDescription(b.localDescription as RTCSessionDescription);
      await withTimeout(waitForConnected(a), timeoutMs, this.signal, m.ice_step_connecting());
      this.#update({ connectedMs: round(performance.now() - startedAt) });
      this.log('info', m.ice_log_loopback_connected({ name: this.name, ms: Math.round(this.result.connectedMs ?? 0) }));
      await waitForOpen(channel, timeoutMs, this.signal);
      const receiving = await withTimeout(remoteChannel, timeoutMs, this.signal, m.ice_step_opening());

      await this.#readPair(a);

      const sentAt = performance.now();
      const received = receiveTransfer(receiving, { timeoutMs, signal: this.signal, timedOut: (arrived) => loopbackTimeoutMessage(arrived, bytes, timeoutMs) });
      await sendBlob(channel, randomPayload(bytes), { mime: 'application/octet-stream', name: 'loopback' }, { signal: this.signal });
      const transfer = await received;
      const transferMs = round(performance.now() - sentAt);
      this.#update({
        bytes: transfer.bytes.byteLength,
        transferMs,
        throughputMbps: Math.round(((transfer.bytes.byteLength * 8) / (transferMs / 1000) / 1e6) * 10) / 10,
        status: 'success',
      });
      this.log('info', m.ice_log_loopback_done({ name: this.name, bytes: transfer.bytes.byteLength, ms: Math.round(transferMs), mbps: this.result.throughputMbps ?? 0 }));
      this.setStatus('success');
    } catch (error) {
      const cancelled = this.signal.aborted;
      const message = error instanceof Error ? error.message : String(error);
      this.#update({ status: cancelled ? 'skipped' : 'failed', error: cancelled ? m.ice_gathering_cancelled() : message });
      if (!cancelled) this.log('warn', `${this.name}: ${message}`);
      this.setStatus(cancelled ? 'skipped' : 'failed');
    } finally {
      pc1?.close();
      pc2?.close();
      this.pcs = undefined;
    }
    return this.result;
  }

  /** The selected pair's RTT and types; currentRoundTripTime can lag connected by a moment. */
  async #readPair(pc: RTCPeerConnection): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const pair = normaliseStats(await pc.getStats()).candidatePair;
      if (pair?.localType) {
        this.#update({
          localCandidateType: pair.localType,
          ...(pair.remoteType ? { remoteCandidateType: pair.remoteType } : {}),
          ...(pair.relayProtocol ? { relayProtocol: pair.relayProtocol } : {}),
        });
      }
      if (pair?.rtt !== undefined) {
        this.#update({ rttMs: round(pair.rtt * 1000) });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  #update(fields: Partial<IceReportLoopback>): void {
    this.result = { ...this.result, ...fields };
    this.emit('change');
  }
}
