/** Stats: getStats() reports as typed samples with delta-based rates, a poller that emits them, and a ring buffer for history. */
import { m } from '@workbench/i18n/messages';
import { Emitter } from '../emitter.js';
import { ErrorCode, WorkbenchError } from '../errors.js';
import type { Logger } from '../logger.js';

/** One entry of a stats report, as a plain record (the shapes differ between browsers). */
export type RawStats = Record<string, unknown> & { id?: string; type?: string; timestamp?: number };

/** What normaliseStats accepts: an RTCStatsReport, a Map, an iterable of entries/stats, or an id-keyed object (a JSON dump). */
export type StatsInput =
  | RTCStatsReport
  | ReadonlyMap<string, unknown>
  | Iterable<unknown>
  | Record<string, unknown>;

export interface OutboundVideoSample {
  id: string;
  timestamp: number;
  bytesSent: number;
  /** Bits per second since the previous sample; undefined on the first. */
  bitrate?: number;
  framesEncoded?: number;
  /** From the framesEncoded delta; the browser's own framesPerSecond when there is no previous sample. */
  framesPerSecond?: number;
  frameWidth?: number;
  frameHeight?: number;
  /** "none", "cpu", "bandwidth" or "other": why the encoder sends less than it could. */
  qualityLimitationReason?: string;
  encoderImplementation?: string;
  /** MIME type, e.g. "video/VP8". */
  codec?: string;
}

export interface OutboundAudioSample {
  id: string;
  timestamp: number;
  bytesSent: number;
  bitrate?: number;
  codec?: string;
}

export interface InboundVideoSample {
  id: string;
  timestamp: number;
  bytesReceived: number;
  bitrate?: number;
  framesDecoded?: number;
  framesPerSecond?: number;
  frameWidth?: number;
  frameHeight?: number;
  packetsLost?: number;
  packetsReceived?: number;
  /**
   * Percent of the sender's media packets the network dropped since the previous sample (cumulative
   * on the first), counting packets NACK or FEC recovered later (see {@link videoLossBetween}).
   */
  lossPercent?: number;
  /** NACK messages this receiver sent (each asks for one or more packets again). */
  nackCount?: number;
  /**
   * Retransmitted packets (RTX) that arrived, a subset of packetsReceived: NACK's answers, and the
   * packets the sender's bandwidth probing resent.
   */
  retransmittedPacketsReceived?: number;
  /** FEC packets that arrived, and those not needed (nothing to repair, or too late). */
  fecPacketsReceived?: number;
  fecPacketsDiscarded?: number;
  /**
   * Percent of the stream's packets still missing after NACK retransmission and FEC, since the
   * previous sample: what the decoder went without, where lossPercent is what the network dropped.
   */
  lossAfterRecoveryPercent?: number;
  /** Seconds. */
  jitter?: number;
  freezeCount?: number;
  decoderImplementation?: string;
  codec?: string;
}

export interface InboundAudioSample {
  id: string;
  timestamp: number;
  bytesReceived: number;
  bitrate?: number;
  packetsLost?: number;
  packetsReceived?: number;
  lossPercent?: number;
  jitter?: number;
  codec?: string;
  /** The received audio's level, 0–1 linear (the stats' audioLevel); see `audioLevelDbfs`. */
  audioLevel?: number;
  /** audioLevel in dBFS (20·log10), for a chart whose axis a person can read. */
  audioLevelDbfs?: number;
  /** Cumulative counters as the browser reports them (they restart when the receiver is recreated). */
  totalSamplesReceived?: number;
  concealedSamples?: number;
  concealmentEvents?: number;
  insertedSamplesForDeceleration?: number;
  removedSamplesForAcceleration?: number;
  packetsDiscarded?: number;
  jitterBufferDelay?: number;
  jitterBufferEmittedCount?: number;
  /** Percent of the interval's samples that were concealment (made up for lost or late packets). */
  concealedPercent?: number;
  /** Concealment events that started in the interval. */
  concealmentEventsDelta?: number;
  /** Percent of the interval's samples inserted to slow playout down (jitter buffer running dry). */
  insertedPercent?: number;
  /** Percent of the interval's samples removed to speed playout up (jitter buffer too full). */
  removedPercent?: number;
  /** Packets the jitter buffer threw away in the interval (too late, or to catch up). */
  packetsDiscardedDelta?: number;
  /** Mean time a sample waited in the jitter buffer over the interval, seconds. */
  jitterBufferDelayInterval?: number;
  /** How many times a counter of this stream went down (an encoder or transport change restarted it): counted and continued from, never drawn as a drop. */
  counterResets?: number;
}

/**
 * What the far end reports about the stream this side sends (remote-inbound-rtp, from RTCP
 * receiver reports): the other direction's jitter, loss and round trip, without access to its peer.
 */
export interface RemoteInboundSample {
  id: string;
  /** Seconds. */
  jitter?: number;
  /** Percent of packets lost in the last report interval (RTCP fractionLost × 100). */
  lossPercent?: number;
  packetsLost?: number;
  /** Seconds, from the last RTCP round trip. */
  rtt?: number;
}

export interface CandidatePairSample {
  id: string;
  /** host, srflx, prflx or relay: "relay" means the call goes through TURN. */
  localType?: string;
  remoteType?: string;
  /** Transport of the local candidate: udp or tcp. */
  protocol?: string;
  /** For relay candidates, how the browser reaches the TURN server: udp, tcp or tls. */
  relayProtocol?: string;
  /** Seconds (currentRoundTripTime). */
  rtt?: number;
  /** Bits per second the congestion controller thinks it may send. */
  availableOutgoingBitrate?: number;
  /** "address:port" ("[v6]:port" for IPv6). */
  local?: string;
  remote?: string;
  bytesSent?: number;
  bytesReceived?: number;
}

export interface StatsSample {
  /** Milliseconds (the stats clock): the newest entry's timestamp. */
  timestamp: number;
  outbound: { video?: OutboundVideoSample; audio?: OutboundAudioSample };
  inbound: { video?: InboundVideoSample; audio?: InboundAudioSample };
  /** The far end's view of what this side sends; absent until the first RTCP receiver report. */
  remoteInbound?: { video?: RemoteInboundSample; audio?: RemoteInboundSample };
  candidatePair?: CandidatePairSample;
}

const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;
const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** Copies the defined values of `fields` into `target` (keeps optional properties truly absent). */
function assignDefined<T extends object>(target: T, fields: Partial<T>): T {
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) (target as Record<string, unknown>)[key] = value;
  }
  return target;
}

function isRecord(value: unknown): value is RawStats {
  return typeof value === 'object' && value !== null;
}

/** Every entry of `report`, keyed by id. */
export function toStatsMap(report: StatsInput): Map<string, RawStats> {
  const map = new Map<string, RawStats>();
  const add = (key: unknown, value: unknown) => {
    if (!isRecord(value)) return;
    const id = str(value.id) ?? (typeof key === 'string' ? key : undefined);
    if (id !== undefined) map.set(id, value);
  };
  const maybeMap = report as { forEach?: unknown; get?: unknown };
  if (typeof maybeMap.forEach === 'function' && typeof maybeMap.get === 'function') {
    (report as ReadonlyMap<string, unknown>).forEach((value, key) => add(key, value));
  } else if (Symbol.iterator in (report as object)) {
    for (const item of report as Iterable<unknown>) {
      if (Array.isArray(item) && item.length === 2) add(item[0], item[1]);
      else add(undefined, item);
    }
  } else {
    for (const [key, value] of Object.entries(report as Record<string, unknown>)) add(key, value);
  }
  return map;
}

function kindOf(stats: RawStats): string | undefined {
  return str(stats.kind) ?? str(stats.mediaType); // mediaType: older Chromium/Safari
}

function codecOf(stats: RawStats, all: Map<string, RawStats>): string | undefined {
  const codecId = str(stats.codecId);
  return codecId ? str(all.get(codecId)?.mimeType) : undefined;
}

/** Bits per second between two byte counters; undefined when there is no usable interval. */
function rate(bytes: number, previousBytes: number | undefined, ms: number, previousMs: number | undefined): number | undefined {
  if (previousBytes === undefined || previousMs === undefined) return undefined;
  const seconds = (ms - previousMs) / 1000;
  if (seconds <= 0 || bytes < previousBytes) return undefined; // same report twice, or a counter reset
  return ((bytes - previousBytes) * 8) / seconds;
}

function perSecond(count: number | undefined, previousCount: number | undefined, ms: number, previousMs: number | undefined): number | undefined {
  if (count === undefined || previousCount === undefined || previousMs === undefined) return undefined;
  const seconds = (ms - previousMs) / 1000;
  if (seconds <= 0 || count < previousCount) return undefined;
  return (count - previousCount) / seconds;
}

/**
 * A cumulative counter's increase over an interval, continued across a restart: when the counter
 * went down (an encoder, receiver or transport change starts it again from 0), the increase is the
 * new value, counted from that 0. A chart of the increase therefore never dips below 0, and a total
 * built from increases never saws back down. `reset` says a restart was detected.
 */
export function counterDelta(current: number | undefined, previous: number | undefined): { delta: number | undefined; reset: boolean } {
  if (current === undefined || previous === undefined) return { delta: undefined, reset: false };
  if (current < previous) return { delta: current, reset: true };
  return { delta: current - previous, reset: false };
}

/** The stream with the most bytes, so simulcast layers or a stale SSRC don't hide the live one. */
function busiest(entries: RawStats[], counter: 'bytesSent' | 'bytesReceived'): RawStats | undefined {
  let best: RawStats | undefined;
  for (const entry of entries) {
    if (!best || (num(entry[counter]) ?? 0) > (num(best[counter]) ?? 0)) best = entry;
  }
  return best;
}

function lossPercent(
  lost: number | undefined,
  received: number | undefined,
  previous: { packetsLost?: number; packetsReceived?: number } | undefined,
): number | undefined {
  if (lost === undefined || received === undefined) return undefined;
  let dLost = lost;
  let dReceived = received;
  if (previous?.packetsLost !== undefined && previous.packetsReceived !== undefined && received >= previous.packetsReceived) {
    dLost = lost - previous.packetsLost;
    dReceived = received - previous.packetsReceived;
  }
  const total = dLost + dReceived;
  // packetsLost can go down (duplicates make it negative over an interval): clamp to 0–100.
  return total > 0 ? Math.min(100, Math.max(0, (dLost / total) * 100)) : 0;
}

/** The counters {@link videoLossBetween} reads, cumulative as getStats() reports them. */
export interface RecoveryCounters {
  packetsLost?: number | undefined;
  packetsReceived?: number | undefined;
  retransmittedPacketsReceived?: number | undefined;
  fecPacketsReceived?: number | undefined;
  fecPacketsDiscarded?: number | undefined;
}

/** Video loss over an interval, both ways of counting it (see {@link videoLossBetween}). */
export interface VideoLoss {
  /** Packets the sender's media stream put on the wire in the interval (lost + arrived first time). */
  packets: number;
  /** Percent of them the network dropped: what a loss-injecting router would say. */
  wirePercent: number;
  /** Percent still missing after RTX retransmission and FEC; undefined when the browser reports neither. */
  afterRecoveryPercent?: number;
}

/**
 * Video loss between two readings of the counters (`previous` undefined: since the stream started).
 *
 * The spec makes retransmittedPacketsReceived "a subset of packetsReceived": packetsReceived
 * counts RTX packets too, and so does Chromium, while its packetsLost counts the media packets
 * whose first transmission never arrived (libwebrtc's RtxReceiveStream passes a retransmitted
 * packet on as "recovered", and recovered packets do not update the loss). So the packets the
 * sender put on the wire are lost + (received − retransmitted), and the wire loss is lost over
 * that. Dividing by lost + received instead read low by as much as RTX traffic is heavy: the
 * quality lab measured 5.5 % at 10 % injected loss, with 1,691 RTX packets beside 3,779 received
 * (corrected: 9.5 %; audio, which has no RTX, said 8.9 %).
 *
 * After recovery subtracts what came back: each retransmission that arrived and each FEC packet
 * used (received − discarded). That is an upper bound on repairs, since retransmittedPacketsReceived
 * also counts RTX packets the sender's bandwidth probing resent, so it is clamped to 0–100 % and
 * reads 0 while NACK keeps up, which is what the decoder saw then (no freezes).
 */
export function videoLossBetween(current: RecoveryCounters, previous?: RecoveryCounters): VideoLoss | undefined {
  const { packetsLost: lost, packetsReceived: received } = current;
  if (lost === undefined || received === undefined) return undefined;
  const usable = previous?.packetsLost !== undefined && previous.packetsReceived !== undefined && received >= previous.packetsReceived;
  const before = usable ? previous : undefined;
  const fecUsed = (c: RecoveryCounters | undefined) => Math.max(0, (c?.fecPacketsReceived ?? 0) - (c?.fecPacketsDiscarded ?? 0));
  const dLost = lost - (before?.packetsLost ?? 0);
  const dReceived = received - (before?.packetsReceived ?? 0);
  const dRetransmitted = Math.max(0, (current.retransmittedPacketsReceived ?? 0) - (before?.retransmittedPacketsReceived ?? 0));
  // Never negative, should a browser count RTX apart from packetsReceived after all.
  const firstTime = Math.max(0, dReceived - dRetransmitted);
  const packets = dLost + firstTime;
  const clamp = (x: number) => Math.min(100, Math.max(0, x));
  const wirePercent = packets > 0 ? clamp((dLost / packets) * 100) : 0;
  // Nothing says what was recovered when the browser reports neither counter: "no recovery" would be a guess.
  if (current.retransmittedPacketsReceived === undefined && current.fecPacketsReceived === undefined) return { packets, wirePercent };
  const dRecovered = dRetransmitted + Math.max(0, fecUsed(current) - fecUsed(before));
  return { packets, wirePercent, afterRecoveryPercent: packets > 0 ? clamp(((dLost - dRecovered) / packets) * 100) : 0 };
}

function endpoint(candidate: RawStats | undefined): string | undefined {
  if (!candidate) return undefined;
  const address = str(candidate.address) ?? str(candidate.ip);
  const port = num(candidate.port);
  if (!address) return undefined;
  const host = address.includes(':') ? `[${address}]` : address;
  return port === undefined ? host : `${host}:${port}`;
}

/** The pair ICE is using: transport.selectedCandidatePairId, else Firefox's `selected`, else nominated + succeeded. */
function selectedPair(all: Map<string, RawStats>): RawStats | undefined {
  for (const stats of all.values()) {
    if (stats.type !== 'transport') continue;
    const pair = all.get(str(stats.selectedCandidatePairId) ?? '');
    if (pair) return pair;
  }
  const pairs = [...all.values()].filter((s) => s.type === 'candidate-pair');
  return (
    pairs.find((p) => p.selected === true) ??
    pairs.find((p) => p.nominated === true && p.state === 'succeeded') ??
    undefined
  );
}

/**
 * Turns a getStats() report into a {@link StatsSample}. Pass the previous sample to get rates
 * (bitrate, frames per second, loss) over the interval between the two; without it the rates
 * are undefined (frame rate falls back to the browser's framesPerSecond, loss to the cumulative).
 */
export function normaliseStats(report: StatsInput, previous?: StatsSample): StatsSample {
  const all = toStatsMap(report);
  const entries = [...all.values()];
  let timestamp = 0;
  for (const entry of entries) timestamp = Math.max(timestamp, num(entry.timestamp) ?? 0);
  const sample: StatsSample = { timestamp, outbound: {}, inbound: {} };
  const of = (type: string, kind: string) => entries.filter((e) => e.type === type && kindOf(e) === kind);
  const time = (entry: RawStats) => num(entry.timestamp) ?? timestamp;

  const outVideo = busiest(of('outbound-rtp', 'video'), 'bytesSent');
  if (outVideo) {
    const prev = previous?.outbound.video?.id === str(outVideo.id) ? previous?.outbound.video : undefined;
    const t = time(outVideo);
    const bytesSent = num(outVideo.bytesSent) ?? 0;
    const framesEncoded = num(outVideo.framesEncoded);
    sample.outbound.video = assignDefined<OutboundVideoSample>(
      { id: str(outVideo.id) ?? '', timestamp: t, bytesSent },
      {
        bitrate: rate(bytesSent, prev?.bytesSent, t, prev?.timestamp),
        framesEncoded,
        framesPerSecond: perSecond(framesEncoded, prev?.framesEncoded, t, prev?.timestamp) ?? num(outVideo.framesPerSecond),
        frameWidth: num(outVideo.frameWidth),
        frameHeight: num(outVideo.frameHeight),
        qualityLimitationReason: str(outVideo.qualityLimitationReason),
        encoderImplementation: str(outVideo.encoderImplementation),
        codec: codecOf(outVideo, all),
      },
    );
  }

  const outAudio = busiest(of('outbound-rtp', 'audio'), 'bytesSent');
  if (outAudio) {
    // One audio sender: a restarted counter (or a new SSRC) continues from 0 instead of leaving a gap.
    const prev = previous?.outbound.audio;
    const t = time(outAudio);
    const bytesSent = num(outAudio.bytesSent) ?? 0;
    const seconds = prev ? (t - prev.timestamp) / 1000 : 0;
    const { delta } = prev?.id === str(outAudio.id) ? counterDelta(bytesSent, prev?.bytesSent) : { delta: prev ? bytesSent : undefined };
    sample.outbound.audio = assignDefined<OutboundAudioSample>(
      { id: str(outAudio.id) ?? '', timestamp: t, bytesSent },
      { bitrate: delta !== undefined && seconds > 0 ? (delta * 8) / seconds : undefined, codec: codecOf(outAudio, all) },
    );
  }

  const inVideo = busiest(of('inbound-rtp', 'video'), 'bytesReceived');
  if (inVideo) {
    const prev = previous?.inbound.video?.id === str(inVideo.id) ? previous?.inbound.video : undefined;
    const t = time(inVideo);
    const bytesReceived = num(inVideo.bytesReceived) ?? 0;
    const framesDecoded = num(inVideo.framesDecoded);
    const packetsLost = num(inVideo.packetsLost);
    const packetsReceived = num(inVideo.packetsReceived);
    const recovery = {
      retransmittedPacketsReceived: num(inVideo.retransmittedPacketsReceived),
      fecPacketsReceived: num(inVideo.fecPacketsReceived),
      fecPacketsDiscarded: num(inVideo.fecPacketsDiscarded),
    };
    const loss = videoLossBetween({ packetsLost, packetsReceived, ...recovery }, prev);
    sample.inbound.video = assignDefined<InboundVideoSample>(
      { id: str(inVideo.id) ?? '', timestamp: t, bytesReceived },
      {
        bitrate: rate(bytesReceived, prev?.bytesReceived, t, prev?.timestamp),
        framesDecoded,
        framesPerSecond: perSecond(framesDecoded, prev?.framesDecoded, t, prev?.timestamp) ?? num(inVideo.framesPerSecond),
        frameWidth: num(inVideo.frameWidth),
        frameHeight: num(inVideo.frameHeight),
        packetsLost,
        packetsReceived,
        lossPercent: loss?.wirePercent,
        nackCount: num(inVideo.nackCount),
        ...recovery,
        lossAfterRecoveryPercent: loss?.afterRecoveryPercent,
        jitter: num(inVideo.jitter),
        freezeCount: num(inVideo.freezeCount),
        decoderImplementation: str(inVideo.decoderImplementation),
        codec: codecOf(inVideo, all),
      },
    );
  }

  const inAudio = busiest(of('inbound-rtp', 'audio'), 'bytesReceived');
  if (inAudio) {
    // Unlike video's, audio's previous sample is used across an id change too: one audio stream is
    // received at a time, so a new id is the same stream restarted (new SSRC), and its counters
    // continue from the reset rather than leaving a hole.
    const prev = previous?.inbound.audio;
    const t = time(inAudio);
    const bytesReceived = num(inAudio.bytesReceived) ?? 0;
    const packetsLost = num(inAudio.packetsLost);
    const packetsReceived = num(inAudio.packetsReceived);
    const audioLevel = num(inAudio.audioLevel);
    const counters = {
      totalSamplesReceived: num(inAudio.totalSamplesReceived),
      concealedSamples: num(inAudio.concealedSamples),
      concealmentEvents: num(inAudio.concealmentEvents),
      insertedSamplesForDeceleration: num(inAudio.insertedSamplesForDeceleration),
      removedSamplesForAcceleration: num(inAudio.removedSamplesForAcceleration),
      packetsDiscarded: num(inAudio.packetsDiscarded),
      jitterBufferDelay: num(inAudio.jitterBufferDelay),
      jitterBufferEmittedCount: num(inAudio.jitterBufferEmittedCount),
    };
    const sameStream = prev !== undefined && prev.id === str(inAudio.id);
    const interval = prev !== undefined && t > prev.timestamp;
    let resets = prev?.counterResets ?? 0;
    let anyReset = !sameStream && prev !== undefined;
    const delta = (key: keyof typeof counters | 'bytesReceived' | 'packetsReceived' | 'packetsLost'): number | undefined => {
      if (!interval) return undefined;
      const current = key === 'bytesReceived' ? bytesReceived : key === 'packetsReceived' ? packetsReceived : key === 'packetsLost' ? packetsLost : counters[key];
      // A new stream id: every counter starts again, so the increase is the whole new value.
      const { delta: d, reset } = sameStream ? counterDelta(current, prev?.[key]) : { delta: current, reset: false };
      if (reset && key !== 'packetsLost') anyReset = true; // packetsLost may legitimately go down (duplicates)
      return d;
    };
    const dBytes = delta('bytesReceived');
    const dSamples = delta('totalSamplesReceived');
    const dConcealed = delta('concealedSamples');
    const dEvents = delta('concealmentEvents');
    const dInserted = delta('insertedSamplesForDeceleration');
    const dRemoved = delta('removedSamplesForAcceleration');
    const dDiscarded = delta('packetsDiscarded');
    const dBufferDelay = delta('jitterBufferDelay');
    const dEmitted = delta('jitterBufferEmittedCount');
    const percentOfSamples = (part: number | undefined) =>
      part !== undefined && dSamples !== undefined && dSamples > 0 ? Math.min(100, (part / dSamples) * 100) : undefined;
    const seconds = prev !== undefined ? (t - prev.timestamp) / 1000 : 0;
    if (anyReset) resets += 1;
    sample.inbound.audio = assignDefined<InboundAudioSample>(
      { id: str(inAudio.id) ?? '', timestamp: t, bytesReceived },
      {
        bitrate: dBytes !== undefined && seconds > 0 ? (dBytes * 8) / seconds : undefined,
        packetsLost,
        packetsReceived,
        lossPercent: lossPercent(packetsLost, packetsReceived, sameStream ? prev : undefined),
        jitter: num(inAudio.jitter),
        codec: codecOf(inAudio, all),
        audioLevel,
        audioLevelDbfs: audioLevel === undefined ? undefined : audioLevel > 0 ? 20 * Math.log10(audioLevel) : -120,
        ...counters,
        concealedPercent: percentOfSamples(dConcealed),
        concealmentEventsDelta: dEvents,
        insertedPercent: percentOfSamples(dInserted),
        removedPercent: percentOfSamples(dRemoved),
        packetsDiscardedDelta: dDiscarded,
        jitterBufferDelayInterval: dBufferDelay !== undefined && dEmitted !== undefined && dEmitted > 0 ? dBufferDelay / dEmitted : undefined,
        counterResets: resets > 0 ? resets : undefined,
      },
    );
  }

  for (const kind of ['audio', 'video'] as const) {
    const remote = of('remote-inbound-rtp', kind)[0];
    if (!remote) continue;
    const fractionLost = num(remote.fractionLost);
    sample.remoteInbound ??= {};
    sample.remoteInbound[kind] = assignDefined<RemoteInboundSample>(
      { id: str(remote.id) ?? '' },
      {
        jitter: num(remote.jitter),
        lossPercent: fractionLost === undefined ? undefined : fractionLost * 100,
        packetsLost: num(remote.packetsLost),
        rtt: num(remote.roundTripTime),
      },
    );
  }

  const pair = selectedPair(all);
  if (pair) {
    const local = all.get(str(pair.localCandidateId) ?? '');
    const remote = all.get(str(pair.remoteCandidateId) ?? '');
    sample.candidatePair = assignDefined<CandidatePairSample>(
      { id: str(pair.id) ?? '' },
      {
        localType: str(local?.candidateType),
        remoteType: str(remote?.candidateType),
        protocol: str(local?.protocol),
        relayProtocol: str(local?.relayProtocol),
        rtt: num(pair.currentRoundTripTime),
        availableOutgoingBitrate: num(pair.availableOutgoingBitrate),
        local: endpoint(local),
        remote: endpoint(remote),
        bytesSent: num(pair.bytesSent),
        bytesReceived: num(pair.bytesReceived),
      },
    );
  }
  return sample;
}

/** A fixed-size buffer that keeps the newest `capacity` items (a chart's last N samples). */
export class RingBuffer<T> implements Iterable<T> {
  readonly capacity: number;
  readonly #items: (T | undefined)[];
  #start = 0;
  #length = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new WorkbenchError(ErrorCode.InvalidArgument, m.core_ring_buffer_capacity({ capacity }));
    }
    this.capacity = capacity;
    this.#items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.#length;
  }

  /** Adds `item`, dropping the oldest when full. */
  push(item: T): void {
    const end = (this.#start + this.#length) % this.capacity;
    this.#items[end] = item;
    if (this.#length < this.capacity) this.#length += 1;
    else this.#start = (this.#start + 1) % this.capacity;
  }

  /** The item `index` places from the oldest; negative counts from the newest (-1 = newest). */
  at(index: number): T | undefined {
    const i = index < 0 ? this.#length + index : index;
    if (i < 0 || i >= this.#length) return undefined;
    return this.#items[(this.#start + i) % this.capacity];
  }

  last(): T | undefined {
    return this.at(-1);
  }

  clear(): void {
    this.#items.fill(undefined);
    this.#start = 0;
    this.#length = 0;
  }

  /** Oldest first. */
  toArray(): T[] {
    return Array.from(this);
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.#length; i += 1) yield this.#items[(this.#start + i) % this.capacity] as T;
  }
}

export interface StatsSource {
  getStats(): Promise<StatsInput>;
}

export interface StatsPollerOptions {
  /** Default 1000 ms, as chrome://webrtc-internals. */
  intervalMs?: number;
  /** Samples kept in `history`; default 120 (two minutes at 1 s). */
  historySize?: number;
  logger?: Logger;
}

export type StatsPollerEvents = {
  sample: (sample: StatsSample) => void;
  error: (error: WorkbenchError) => void;
};

/**
 * Polls `source.getStats()` (a Peer or an RTCPeerConnection) every `intervalMs`, normalises each
 * report against the previous one and emits `sample`. A poll never overlaps the previous one, and
 * a failing poll emits `error` without stopping the poller.
 */
export class StatsPoller extends Emitter<StatsPollerEvents> {
  readonly history: RingBuffer<StatsSample>;
  readonly intervalMs: number;
  readonly #source: StatsSource;
  #timer: ReturnType<typeof setInterval> | undefined;
  #polling = false;

  constructor(source: StatsSource, options: StatsPollerOptions = {}) {
    super(options.logger ? { logger: options.logger } : {});
    this.#source = source;
    this.intervalMs = options.intervalMs ?? 1000;
    this.history = new RingBuffer<StatsSample>(options.historySize ?? 120);
  }

  get running(): boolean {
    return this.#timer !== undefined;
  }

  get latest(): StatsSample | undefined {
    return this.history.last();
  }

  /** Starts polling (and polls once right away). Returns stop, for an `$effect` teardown. */
  start(): () => void {
    if (!this.#timer) {
      this.#timer = setInterval(() => void this.poll(), this.intervalMs);
      void this.poll();
    }
    return () => this.stop();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One poll now; resolves with the sample, or undefined when a poll is already running or failed. */
  async poll(): Promise<StatsSample | undefined> {
    if (this.#polling) return undefined;
    this.#polling = true;
    try {
      const report = await this.#source.getStats();
      const sample = normaliseStats(report, this.history.last());
      this.history.push(sample);
      this.emit('sample', sample);
      return sample;
    } catch (error) {
      const failure =
        error instanceof WorkbenchError
          ? error
          : new WorkbenchError(ErrorCode.StatsFailed, undefined, {
              cause: error,
              context: { message: error instanceof Error ? error.message : String(error) },
            });
      this.emit('error', failure);
      return undefined;
    } finally {
      this.#polling = false;
    }
  }
}
