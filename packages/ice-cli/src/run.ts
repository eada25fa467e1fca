/**
 * One terminal run of the ICE test: the page's checks (one peer connection per server URL ×
 * transport, a verdict from core's `decideVerdict` within the budget; then two relay-only peer
 * connections per allocated TURN check, a data channel, RTT and 1 MiB), written as core's
 * versioned report so the page's **Import report** shows it. The peer connection is injected:
 * the command passes libwebrtc's (@roamhq/wrtc), tests may pass another.
 */
import { receiveTransfer, sendBlob, waitForOpen, type DataChannelLike } from '@workbench/core/data-channel';
import {
  ICE_REPORT_SCHEMA,
  ICE_REPORT_VERSION,
  cancelledVerdict,
  configurationErrorVerdict,
  decideVerdict,
  iceRunTargets,
  iceFindings,
  iceServerEndpoint,
  loopbackTimeoutMessage,
  natMappingOf,
  parseIceServerUrl,
  reportServer,
  skipReason,
  skippedVerdict,
  verdictStatus,
  type IceCheckTarget,
  type IcePolicy,
  type IceReport,
  type IceReportCheck,
  type IceReportGathering,
  type IceReportLoopback,
  type IceServerEntry,
  type IceVerdict,
  type ObservedCandidate,
  type ObservedIceError,
} from '@workbench/core/ice-diagnostics';
import type { RelayProtocol } from '@workbench/core/ice';
import { gatherWithAllServers } from '@workbench/core/ice-gathering';
import { normaliseStats } from '@workbench/core/stats';

import { openTlsBridge } from './tls-bridge.js';
import { checkTls, type TlsCheckResult } from './tls-check.js';

export type PeerConnectionConstructor = new (configuration?: RTCConfiguration) => RTCPeerConnection;

export interface RunSettings {
  servers: readonly IceServerEntry[];
  budgetMs: number;
  policy: IcePolicy;
  /** Prove each allocated relay end to end (default true). */
  loopback?: boolean;
  /** PEM of a private CA for turns: servers. */
  ca?: Buffer;
  PeerConnection: PeerConnectionConstructor;
  /** Shown on a terminal while waiting. */
  onProgress?: (message: string) => void;
  /** The report's userAgent field. */
  userAgent?: string;
  signal?: AbortSignal;
}

export interface RunResult {
  report: IceReport;
  /** The TLS check of each turns: check, by check id. */
  tls: Map<string, TlsCheckResult>;
}

export const LOOPBACK_BYTES = 1024 * 1024;
const MIN_LOOPBACK_TIMEOUT_MS = 10_000;

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function rtcIceServer(entry: IceServerEntry, url: string): RTCIceServer {
  return {
    urls: url,
    ...(entry.username !== undefined ? { username: entry.username } : {}),
    ...(entry.credential !== undefined ? { credential: entry.credential } : {}),
  };
}

interface CheckState {
  target: IceCheckTarget;
  server: IceServerEntry;
  startedAtMs: number;
  candidates: ObservedCandidate[];
  errors: ObservedIceError[];
  gatheringCompleteMs?: number;
  verdict: IceVerdict | null;
  /** What libwebrtc is given: the URL itself, or the loopback end of a TLS bridge. */
  connectUrl: string;
}

/**
 * The verdict for a turns: check whose TLS failed. Its kind is the one the page gives the same
 * server ("unreachable": a browser reports any TLS failure as a bare 701), so both front ends
 * agree on kinds; the title and detail say which part of TLS failed and how to fix it.
 */
function tlsVerdict(result: TlsCheckResult): IceVerdict {
  return {
    kind: 'unreachable',
    atMs: result.atMs,
    errorCode: 701,
    title: result.title,
    detail: result.detail,
    ...(result.fix ? { fix: result.fix } : {}),
  };
}

/**
 * Gathers with one server over one transport until core decides, then closes. libwebrtc in Node
 * needs an explicit offer (`setLocalDescription()` without one throws there), and puts no `url` on
 * candidates: each check is alone in its peer connection, so the check's URL is theirs.
 */
function gather(state: CheckState, settings: RunSettings, runStartedAt: number): Promise<IceVerdict> {
  const { budgetMs, policy, PeerConnection, signal } = settings;
  const started = performance.now();
  state.startedAtMs = round(started - runStartedAt);
  const since = () => round(performance.now() - started);
  const tls = state.target.transport === 'tls';
  let pc: RTCPeerConnection;
  try {
    pc = new PeerConnection({ iceServers: [rtcIceServer(state.server, state.connectUrl)], iceTransportPolicy: policy });
  } catch (error) {
    return Promise.resolve(configurationErrorVerdict(error));
  }
  return new Promise<IceVerdict>((resolve) => {
    let decided = false;
    const done = (verdict: IceVerdict) => {
      if (decided) return;
      decided = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      pc.onicecandidate = null;
      pc.onicecandidateerror = null;
      pc.onicegatheringstatechange = null;
      pc.close();
      resolve(verdict);
    };
    const evaluate = (elapsedMs = since()) => {
      const verdict = decideVerdict({
        kind: state.target.kind,
        transport: state.target.transport,
        candidates: state.candidates,
        errors: state.errors,
        elapsedMs,
        budgetMs,
        ...(state.gatheringCompleteMs !== undefined ? { gatheringCompleteMs: state.gatheringCompleteMs } : {}),
        ...(state.server.username !== undefined ? { username: state.server.username } : {}),
      });
      if (verdict) done(verdict);
    };
    const onAbort = () => done(cancelledVerdict(since()));
    const timer = setTimeout(() => evaluate(Math.max(since(), budgetMs)), budgetMs);
    signal?.addEventListener('abort', onAbort);
    pc.onicecandidate = (event) => {
      if (!event.candidate || event.candidate.candidate === '') return;
      const relayProtocol: RelayProtocol | undefined = tls && / typ relay /.test(event.candidate.candidate) ? 'tls' : undefined;
      state.candidates.push({ atMs: since(), candidate: event.candidate.candidate, url: state.target.url, ...(relayProtocol ? { relayProtocol } : {}) });
      evaluate();
    };
    pc.onicecandidateerror = (event) => {
      const e = event as RTCPeerConnectionIceErrorEvent;
      // Errors name the URL libwebrtc was given (the bridge's, for turns:); the report names the server's.
      state.errors.push({ atMs: since(), errorCode: e.errorCode, errorText: e.errorText ?? '', url: state.target.url, address: e.address ?? null, port: e.port ?? null });
      evaluate();
    };
    pc.onicegatheringstatechange = () => {
      if (pc.iceGatheringState !== 'complete') return;
      state.gatheringCompleteMs = since();
      evaluate();
    };
    pc.createDataChannel('ice-check');
    pc.createOffer()
      .then((offer) => pc.setLocalDescription(offer))
      .catch((error: unknown) => done(configurationErrorVerdict(error, since())));
  });
}

/** libwebrtc's "not set" for maxRetransmits/maxPacketLifeTime, which @roamhq/wrtc passes through instead of null. */
const UNSET = 65535;

/**
 * The channel as core's transfer code expects it: @roamhq/wrtc reports a reliable channel's
 * maxRetransmits and maxPacketLifeTime as 65535 rather than null, which `sendBlob` would refuse
 * as unreliable.
 */
function reliableView(channel: RTCDataChannel): DataChannelLike {
  return new Proxy(channel, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if ((property === 'maxRetransmits' || property === 'maxPacketLifeTime') && value === UNSET) return null;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
    set(target, property, value) {
      return Reflect.set(target, property, value, target);
    },
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

function waitForConnected(pc: RTCPeerConnection): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (pc.connectionState === 'connected') resolve();
      else if (pc.connectionState === 'failed' || pc.connectionState === 'closed') {
        reject(new Error(`the relay-only connection ${pc.connectionState}: the TURN server allocated but did not relay between its own relay addresses`));
      } else return;
      pc.onconnectionstatechange = null;
    };
    pc.onconnectionstatechange = check;
    check();
  });
}

/** As the page's TurnLoopbackCheck: two relay-only peer connections through one server, 1 MiB across. */
async function loopback(state: CheckState, settings: RunSettings, bytes: number): Promise<IceReportLoopback> {
  const timeoutMs = Math.max(MIN_LOOPBACK_TIMEOUT_MS, settings.budgetMs);
  let result: IceReportLoopback = { checkId: state.target.id, url: state.target.url, status: 'running' };
  const config: RTCConfiguration = { iceServers: [rtcIceServer(state.server, state.connectUrl)], iceTransportPolicy: 'relay' };
  let a: RTCPeerConnection | undefined;
  let b: RTCPeerConnection | undefined;
  try {
    a = new settings.PeerConnection(config);
    b = new settings.PeerConnection(config);
    const [pa, pb] = [a, b];
    pa.onicecandidate = (event) => void (event.candidate && pb.addIceCandidate(event.candidate).catch(() => {}));
    pb.onicecandidate = (event) => void (event.candidate && pa.addIceCandidate(event.candidate).catch(() => {}));
    const channel = pa.createDataChannel('turn-loopback');
    channel.binaryType = 'arraybuffer';
    const remoteChannel = new Promise<RTCDataChannel>((resolve) => {
      pb.ondatachannel = (event) => resolve(event.channel);
    });
    const startedAt = performance.now();
    await pa.setLocalDescription(await pa.createOffer());
    await pb.setRemoteDescription(pa.localDescription as RTCSessionDescription);
    await pb.setLocalDescription(await pb.createAnswer());
    await pa.setRemoteDescription(pb.localDescription as RTCSessionDescription);
    await withTimeout(waitForConnected(pa), timeoutMs, 'Connecting through the relay');
    result = { ...result, connectedMs: round(performance.now() - startedAt) };
    await waitForOpen(channel, timeoutMs);
    const receiving = await withTimeout(remoteChannel, timeoutMs, 'Opening the data channel');
    receiving.binaryType = 'arraybuffer';

    for (let attempt = 0; attempt < 20; attempt += 1) {
      const pair = normaliseStats(await pa.getStats()).candidatePair;
      if (pair?.localType) {
        result = {
          ...result,
          localCandidateType: pair.localType,
          ...(pair.remoteType ? { remoteCandidateType: pair.remoteType } : {}),
          ...(pair.relayProtocol ? { relayProtocol: pair.relayProtocol } : {}),
        };
      }
      if (pair?.rtt !== undefined) {
        result = { ...result, rttMs: round(pair.rtt * 1000) };
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    const payload = new Uint8Array(bytes);
    for (let offset = 0; offset < bytes; offset += 65536) crypto.getRandomValues(payload.subarray(offset, Math.min(bytes, offset + 65536)));
    const sentAt = performance.now();
    const received = receiveTransfer(receiving, { timeoutMs, timedOut: (arrived) => loopbackTimeoutMessage(arrived, bytes, timeoutMs) });
    await sendBlob(reliableView(channel), payload, { mime: 'application/octet-stream', name: 'loopback' });
    const transfer = await received;
    const transferMs = round(performance.now() - sentAt);
    result = {
      ...result,
      bytes: transfer.bytes.byteLength,
      transferMs,
      throughputMbps: Math.round(((transfer.bytes.byteLength * 8) / (transferMs / 1000) / 1e6) * 10) / 10,
      status: 'success',
    };
  } catch (error) {
    result = { ...result, status: 'failed', error: error instanceof Error ? error.message : String(error) };
  } finally {
    a?.close();
    b?.close();
  }
  return result;
}

/**
 * Each UDP server once, as `stun:`: a TURN server answers Binding requests as well, and asked that
 * way it allocates no relay, so a monitoring run holds only the allocations its checks need. Those
 * are released when their peer connections close (libwebrtc sends a Refresh with LIFETIME 0 from
 * `close()`): 25 runs in a row left none on coturn. The failures once blamed on leaked allocations
 * ("Unreachable" after about nine runs) were the test harness's coturn blocked on its stdout pipe
 * (issue 14).
 */
function bindingServers(states: readonly CheckState[]): RTCIceServer[] {
  const endpoints = new Set(states.map((s) => iceServerEndpoint(parseIceServerUrl(s.target.url))));
  return [...endpoints].map((endpoint) => ({ urls: `stun:${endpoint}` }));
}

/**
 * The gathering with every UDP server in one peer connection (core's, as the page runs it), beside
 * the checks and within the same budget: what NAT-mapping inference compares. libwebrtc in Node
 * names no server on a candidate, so its srflx reach core unattributed; one mapping or several for
 * one socket still tells endpoint-independent from endpoint-dependent.
 */
function sharedGathering(states: readonly CheckState[], settings: RunSettings, runStartedAt: number): Promise<IceReportGathering | null> {
  const udp = states.filter((s) => s.target.transport === 'udp' && !skipReason(s.target, settings.policy));
  if (settings.policy === 'relay' || udp.length === 0) return Promise.resolve(null);
  const { PeerConnection, policy, budgetMs, signal } = settings;
  return gatherWithAllServers({ PeerConnection, iceServers: bindingServers(udp), policy, budgetMs, runStartedAt, signal }).done;
}

/** Runs every check, then the loopbacks one at a time (parallel transfers would share the machine). */
export async function runIceChecks(settings: RunSettings): Promise<RunResult> {
  const runStartedAt = performance.now();
  const createdAt = new Date().toISOString();
  const progress = settings.onProgress ?? (() => {});
  const tls = new Map<string, TlsCheckResult>();
  const bridges: { close(): Promise<void> }[] = [];
  // One check per entry × transport with its own id, so one URL given twice (e.g. with two
  // passwords) gives two checks, as on the page.
  const entries = new Map(settings.servers.map((server) => [server.id, server]));
  const states: CheckState[] = iceRunTargets(settings.servers).flatMap((target) => {
    const server = entries.get(target.serverId);
    return server ? [{ target, server, startedAtMs: 0, candidates: [], errors: [], verdict: null, connectUrl: target.url }] : [];
  });
  const gathering = sharedGathering(states, settings, runStartedAt);
  let decided = 0;
  const note = () => progress(`${decided} of ${states.length} verdicts · ${((performance.now() - runStartedAt) / 1000).toFixed(1)} s of ${settings.budgetMs / 1000} s budget`);
  const ticker = setInterval(note, 250);
  note();
  try {
    await Promise.all(
      states.map(async (state) => {
        const skip = skipReason(state.target, settings.policy);
        if (skip) {
          state.verdict = skippedVerdict(skip);
        } else if (state.target.transport === 'tls') {
          const { host, port } = parseIceServerUrl(state.target.url);
          const result = await checkTls(host, port, { ...(settings.ca ? { ca: settings.ca } : {}), timeoutMs: settings.budgetMs });
          tls.set(state.target.id, result);
          if (!result.ok) {
            state.verdict = tlsVerdict(result);
          } else {
            const bridge = await openTlsBridge(host, port, settings.ca);
            bridges.push(bridge);
            state.connectUrl = bridge.url;
            state.verdict = await gather(state, { ...settings, budgetMs: Math.max(1, settings.budgetMs - result.atMs) }, runStartedAt);
            // The verdict's clock starts at the TLS check: that is when this check started.
            state.verdict = { ...state.verdict, atMs: round(state.verdict.atMs + result.atMs) };
          }
        } else {
          state.verdict = await gather(state, settings, runStartedAt);
        }
        decided += 1;
        note();
      }),
    );
  } finally {
    clearInterval(ticker);
  }

  const loopbacks: IceReportLoopback[] = [];
  try {
    if (settings.loopback !== false && !settings.signal?.aborted) {
      const allocated = states.filter((s) => s.verdict?.kind === 'relay-allocated');
      for (const [index, state] of allocated.entries()) {
        progress(`relay proof ${index + 1} of ${allocated.length}: ${state.target.url} (two relay-only peer connections, 1 MiB)`);
        loopbacks.push(await loopback(state, settings, LOOPBACK_BYTES));
      }
    }
  } finally {
    await Promise.all(bridges.map((bridge) => bridge.close()));
  }

  // Done long before: it shares the checks' budget, and the loopbacks ran after both.
  const shared = await gathering;
  const checks: IceReportCheck[] = states.map((state) => ({
    id: state.target.id,
    serverId: state.server.id,
    url: state.target.url,
    serverUrl: state.target.serverUrl,
    kind: state.target.kind,
    transport: state.target.transport,
    status: state.verdict ? verdictStatus(state.verdict.kind) : 'failed',
    startedAtMs: state.startedAtMs,
    verdict: state.verdict,
    candidates: state.candidates,
    errors: state.errors,
    ...(state.gatheringCompleteMs !== undefined ? { gatheringCompleteMs: state.gatheringCompleteMs } : {}),
  }));
  const report: IceReport = {
    schema: ICE_REPORT_SCHEMA,
    version: ICE_REPORT_VERSION,
    createdAt,
    userAgent: settings.userAgent ?? `webrtc-workbench ice (Node ${process.version}, libwebrtc via @roamhq/wrtc)`,
    settings: { budgetMs: settings.budgetMs, iceTransportPolicy: settings.policy, includesCredentials: false },
    durationMs: Math.round(performance.now() - runStartedAt),
    servers: settings.servers.map((server) => reportServer(server, false)),
    checks,
    gathering: shared,
    loopbacks,
    natMapping: natMappingOf(checks, shared, settings.policy),
    findings: iceFindings({ candidates: [...checks.flatMap((c) => c.candidates), ...(shared?.candidates ?? [])], checks }),
  };
  return { report, tls };
}

/** How a run went, for the exit code: pass, some failed or degraded, or nothing works. */
export type RunOutcome = 'pass' | 'degraded' | 'fail';

export function runOutcome(report: IceReport): RunOutcome {
  const decided = report.checks.filter((c) => c.verdict && verdictStatus(c.verdict.kind) !== 'skipped');
  const loopbackFailed = new Set(report.loopbacks.filter((l) => l.status !== 'success').map((l) => l.checkId));
  const works = decided.filter((c) => c.verdict && verdictStatus(c.verdict.kind) === 'success' && !loopbackFailed.has(c.id));
  if (decided.length === 0 || works.length === 0) return 'fail';
  return works.length === decided.length ? 'pass' : 'degraded';
}
