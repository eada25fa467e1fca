/**
 * The quality page's metrics, defined once: what each chart line and each export column reads
 * from a StatsSample, in which unit. Charts, CSV and the latest-values table all read this list,
 * so a metric added here shows up everywhere with the same name.
 */
import { qualityOf } from '@workbench/core/quality';
import type { StatsSample } from '@workbench/core/stats';

export type MetricKey =
  | 'videoOutKbps'
  | 'audioOutKbps'
  | 'videoInKbps'
  | 'audioInKbps'
  | 'availableOutKbps'
  | 'sentWidth'
  | 'sentHeight'
  | 'receivedWidth'
  | 'receivedHeight'
  | 'sentFps'
  | 'receivedFps'
  | 'rttMs'
  | 'audioJitterMs'
  | 'videoJitterMs'
  | 'audioLossPercent'
  | 'videoLossPercent'
  | 'videoLossAfterRecoveryPercent'
  | 'mos'
  | 'audioLevelDbfs'
  | 'audioConcealedPercent'
  | 'audioConcealmentEvents'
  | 'audioJitterBufferMs'
  | 'audioPacketsDiscarded'
  | 'audioInsertedPercent'
  | 'audioRemovedPercent';

export interface Metric {
  key: MetricKey;
  /** Legend and column header words. */
  label: string;
  unit: string;
  /** The CSV column name. */
  column: string;
  read(sample: StatsSample): number | undefined;
}

const kbps = (bps: number | undefined) => (bps === undefined ? undefined : bps / 1000);
const ms = (seconds: number | undefined) => (seconds === undefined ? undefined : seconds * 1000);

export const METRICS: readonly Metric[] = [
  { key: 'videoOutKbps', label: 'Video out', unit: 'kbps', column: 'video_out_kbps', read: (s) => kbps(s.outbound.video?.bitrate) },
  { key: 'audioOutKbps', label: 'Audio out', unit: 'kbps', column: 'audio_out_kbps', read: (s) => kbps(s.outbound.audio?.bitrate) },
  { key: 'videoInKbps', label: 'Video in', unit: 'kbps', column: 'video_in_kbps', read: (s) => kbps(s.inbound.video?.bitrate) },
  { key: 'audioInKbps', label: 'Audio in', unit: 'kbps', column: 'audio_in_kbps', read: (s) => kbps(s.inbound.audio?.bitrate) },
  {
    key: 'availableOutKbps',
    label: 'Available outgoing',
    unit: 'kbps',
    column: 'available_outgoing_kbps',
    read: (s) => kbps(s.candidatePair?.availableOutgoingBitrate),
  },
  { key: 'sentWidth', label: 'Sent width', unit: 'px', column: 'sent_width', read: (s) => s.outbound.video?.frameWidth },
  { key: 'sentHeight', label: 'Sent height', unit: 'px', column: 'sent_height', read: (s) => s.outbound.video?.frameHeight },
  { key: 'receivedWidth', label: 'Received width', unit: 'px', column: 'received_width', read: (s) => s.inbound.video?.frameWidth },
  { key: 'receivedHeight', label: 'Received height', unit: 'px', column: 'received_height', read: (s) => s.inbound.video?.frameHeight },
  { key: 'sentFps', label: 'Sent', unit: 'fps', column: 'sent_fps', read: (s) => s.outbound.video?.framesPerSecond },
  { key: 'receivedFps', label: 'Received', unit: 'fps', column: 'received_fps', read: (s) => s.inbound.video?.framesPerSecond },
  { key: 'rttMs', label: 'Round-trip time', unit: 'ms', column: 'rtt_ms', read: (s) => ms(s.candidatePair?.rtt) },
  { key: 'audioJitterMs', label: 'Audio jitter', unit: 'ms', column: 'audio_jitter_ms', read: (s) => ms(s.inbound.audio?.jitter) },
  { key: 'videoJitterMs', label: 'Video jitter', unit: 'ms', column: 'video_jitter_ms', read: (s) => ms(s.inbound.video?.jitter) },
  { key: 'audioLossPercent', label: 'Audio loss', unit: '%', column: 'audio_loss_percent', read: (s) => s.inbound.audio?.lossPercent },
  { key: 'videoLossPercent', label: 'Video loss on the wire', unit: '%', column: 'video_loss_percent', read: (s) => s.inbound.video?.lossPercent },
  {
    key: 'videoLossAfterRecoveryPercent',
    label: 'Video loss after recovery',
    unit: '%',
    column: 'video_loss_after_recovery_percent',
    read: (s) => s.inbound.video?.lossAfterRecoveryPercent,
  },
  { key: 'mos', label: 'MOS (E-model)', unit: '', column: 'mos', read: (s) => qualityOf(s)?.emodel.mos },
  // Inbound audio, from the receiver's counters as interval figures (core's stats continues them
  // across a counter restart, so none of these can go negative or saw back down).
  { key: 'audioLevelDbfs', label: 'Audio level in', unit: 'dBFS', column: 'audio_level_dbfs', read: (s) => s.inbound.audio?.audioLevelDbfs },
  { key: 'audioConcealedPercent', label: 'Concealed samples', unit: '%', column: 'audio_concealed_percent', read: (s) => s.inbound.audio?.concealedPercent },
  { key: 'audioConcealmentEvents', label: 'Concealment events', unit: 'per interval', column: 'audio_concealment_events', read: (s) => s.inbound.audio?.concealmentEventsDelta },
  { key: 'audioJitterBufferMs', label: 'Jitter buffer delay', unit: 'ms', column: 'audio_jitter_buffer_ms', read: (s) => ms(s.inbound.audio?.jitterBufferDelayInterval) },
  { key: 'audioPacketsDiscarded', label: 'Packets discarded', unit: 'per interval', column: 'audio_packets_discarded', read: (s) => s.inbound.audio?.packetsDiscardedDelta },
  { key: 'audioInsertedPercent', label: 'Inserted (deceleration)', unit: '%', column: 'audio_inserted_percent', read: (s) => s.inbound.audio?.insertedPercent },
  { key: 'audioRemovedPercent', label: 'Removed (acceleration)', unit: '%', column: 'audio_removed_percent', read: (s) => s.inbound.audio?.removedPercent },
];

export const METRIC: Readonly<Record<MetricKey, Metric>> = Object.fromEntries(METRICS.map((m) => [m.key, m])) as Record<MetricKey, Metric>;

export interface ChartLine {
  metric: MetricKey;
  color: string;
  /** Drawn dashed: an estimate or a limit rather than a measurement. */
  dashed?: boolean;
}

export interface ChartDefinition {
  id: string;
  title: string;
  /** The y axis title. */
  unit: string;
  lines: ChartLine[];
  /** What a person should read in it, under the chart. */
  hint: string;
  /** y axis upper bound when the data stays under it (MOS: 4.5). */
  suggestedMax?: number;
  /** Shows the event labels (the other charts show only the marker lines, to stay readable). */
  eventLabels?: boolean;
}

// Colours with 3:1 contrast on both the light and the dark surface.
const BLUE = '#3b82f6';
const ORANGE = '#f97316';
const GREEN = '#16a34a';
const PURPLE = '#a855f7';
const GREY = '#8b949e';

/** The charts, top to bottom. */
export const CHARTS: readonly ChartDefinition[] = [
  {
    id: 'bitrate',
    title: 'Bitrate',
    unit: 'kbps',
    lines: [
      { metric: 'videoOutKbps', color: BLUE },
      { metric: 'audioOutKbps', color: PURPLE },
      { metric: 'videoInKbps', color: ORANGE },
      { metric: 'audioInKbps', color: GREEN },
    ],
    hint: 'Out is what this side sends, in what it receives, from the byte counters. A bitrate cap holds video out under it within a second or two.',
    eventLabels: true,
  },
  {
    id: 'available',
    title: 'Available outgoing bitrate',
    unit: 'kbps',
    lines: [
      { metric: 'availableOutKbps', color: GREY, dashed: true },
      { metric: 'videoOutKbps', color: BLUE },
    ],
    hint: "What the congestion controller estimates it may send (the selected pair's availableOutgoingBitrate), with video out for comparison: the encoder stays under the estimate, and far under it when capped.",
  },
  {
    id: 'resolution',
    title: 'Resolution: frame height',
    unit: 'px',
    lines: [
      { metric: 'sentHeight', color: BLUE },
      { metric: 'receivedHeight', color: ORANGE },
    ],
    hint: 'Frame height sent and received. The encoder drops resolution when bandwidth or CPU run short (the shaded bands say which), and when you scale it down.',
  },
  {
    id: 'fps',
    title: 'Frame rate',
    unit: 'fps',
    lines: [
      { metric: 'sentFps', color: BLUE },
      { metric: 'receivedFps', color: ORANGE },
    ],
    hint: 'Frames encoded and decoded per second. Received below sent means frames are lost or dropped on the way.',
  },
  {
    id: 'rtt',
    title: 'Round-trip time',
    unit: 'ms',
    lines: [{ metric: 'rttMs', color: BLUE }],
    hint: "The selected candidate pair's currentRoundTripTime (STUN consent checks). A relay adds the trip to the TURN server.",
  },
  {
    id: 'jitter',
    title: 'Jitter',
    unit: 'ms',
    lines: [
      { metric: 'audioJitterMs', color: GREEN },
      { metric: 'videoJitterMs', color: ORANGE },
    ],
    hint: 'Variation in packet arrival times (inbound-rtp jitter). The jitter buffer waits this much longer, which adds delay.',
  },
  {
    id: 'loss',
    title: 'Packet loss',
    unit: '%',
    lines: [
      { metric: 'audioLossPercent', color: GREEN },
      { metric: 'videoLossPercent', color: ORANGE },
      { metric: 'videoLossAfterRecoveryPercent', color: ORANGE, dashed: true },
    ],
    hint:
      'Packets lost in each interval, from the packetsLost and packetsReceived deltas: what the network dropped. Video has a second, ' +
      'dashed line, loss after recovery: the packets still missing once NACK retransmission and FEC brought the others back, which ' +
      'is what the decoder went without. Audio is not retransmitted, so its one line is both.',
  },
  {
    id: 'mos',
    title: 'MOS (E-model)',
    unit: 'MOS',
    lines: [{ metric: 'mos', color: PURPLE }],
    hint: 'The estimated voice quality from RTT, jitter and loss, 1 (bad) to 4.5 (best): the formula is in the MOS panel above the charts.',
    suggestedMax: 4.5,
  },
];

/** The audio charts, beside the video ones: what the listener's jitter buffer and decoder went through. */
export const AUDIO_CHARTS: readonly ChartDefinition[] = [
  {
    id: 'audio-level',
    title: 'Inbound audio level',
    unit: 'dBFS',
    lines: [{ metric: 'audioLevelDbfs', color: GREEN }],
    hint: "The received audio's level (inbound-rtp audioLevel, as dBFS). Flat near −100 while the other side is silent or muted; speech sits around −30 to −10.",
  },
  {
    id: 'audio-concealment',
    title: 'Audio concealment',
    unit: '% / events',
    lines: [
      { metric: 'audioConcealedPercent', color: GREEN },
      { metric: 'audioConcealmentEvents', color: ORANGE, dashed: true },
    ],
    hint: 'Concealed samples as % of those played in each interval: audio the decoder made up for packets lost or late. A few % is heard as crackle; events count the separate gaps.',
  },
  {
    id: 'audio-jitter-buffer',
    title: 'Audio jitter buffer delay',
    unit: 'ms',
    lines: [{ metric: 'audioJitterBufferMs', color: GREEN }],
    hint: 'How long each sample waited in the jitter buffer in the interval (jitterBufferDelay / jitterBufferEmittedCount deltas): the delay the receiver adds to ride out jitter.',
  },
  {
    id: 'audio-playout',
    title: 'Audio playout adjustments',
    unit: '% / packets',
    lines: [
      { metric: 'audioInsertedPercent', color: BLUE },
      { metric: 'audioRemovedPercent', color: ORANGE },
      { metric: 'audioPacketsDiscarded', color: GREY, dashed: true },
    ],
    hint: 'Samples inserted (slowing playout when the buffer runs dry) and removed (speeding up when it is too full), as % of the interval, and packets discarded as too late.',
  },
];

/** Seconds since `origin` (ms, stats clock), the charts' x axis. */
export function secondsSince(origin: number, timestamp: number): number {
  return (timestamp - origin) / 1000;
}

/** One chart line's points, {x: seconds since origin, y}; gaps where the sample lacks the metric. */
export function pointsOf(samples: Iterable<StatsSample>, metric: MetricKey, origin: number): { x: number; y: number | null }[] {
  const read = METRIC[metric].read;
  const points: { x: number; y: number | null }[] = [];
  for (const sample of samples) points.push({ x: secondsSince(origin, sample.timestamp), y: read(sample) ?? null });
  return points;
}

/** How many samples of a running call must lack a metric before it counts as not reported. */
export const UNREPORTED_AFTER_SAMPLES = 5;

/**
 * The metrics no sample of a running call has: this browser does not report them (Firefox has no
 * availableOutgoingBitrate, for one). Shown as "not reported by this browser", never as zero or an
 * empty line without a word. Samples without any outbound or inbound stream (before the call
 * connects) do not count.
 */
export function unreportedMetrics(samples: readonly StatsSample[], metrics: readonly MetricKey[], minSamples = UNREPORTED_AFTER_SAMPLES): MetricKey[] {
  const live = samples.filter((s) => Object.keys(s.outbound).length > 0 || Object.keys(s.inbound).length > 0);
  if (live.length < minSamples) return [];
  return metrics.filter((metric) => live.every((sample) => METRIC[metric].read(sample) === undefined));
}
