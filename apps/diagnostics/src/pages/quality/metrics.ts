/**
 * The quality page's metrics, defined once: what each chart line and each export column reads
 * from a StatsSample, in which unit. Charts, CSV and the latest-values table all read this list,
 * so a metric added here shows up everywhere with the same name.
 */
import { qualityOf } from '@workbench/core/quality';
import { m } from '@workbench/i18n/messages';
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
  { key: 'videoOutKbps', label: m.quality_line_video_out(), unit: 'kbps', column: 'video_out_kbps', read: (s) => kbps(s.outbound.video?.bitrate) },
  { key: 'audioOutKbps', label: m.quality_line_audio_out(), unit: 'kbps', column: 'audio_out_kbps', read: (s) => kbps(s.outbound.audio?.bitrate) },
  { key: 'videoInKbps', label: m.quality_line_video_in(), unit: 'kbps', column: 'video_in_kbps', read: (s) => kbps(s.inbound.video?.bitrate) },
  { key: 'audioInKbps', label: m.quality_line_audio_in(), unit: 'kbps', column: 'audio_in_kbps', read: (s) => kbps(s.inbound.audio?.bitrate) },
  {
    key: 'availableOutKbps',
    label: m.quality_line_available_out(),
    unit: 'kbps',
    column: 'available_outgoing_kbps',
    read: (s) => kbps(s.candidatePair?.availableOutgoingBitrate),
  },
  { key: 'sentWidth', label: m.quality_line_sent_width(), unit: 'px', column: 'sent_width', read: (s) => s.outbound.video?.frameWidth },
  { key: 'sentHeight', label: m.quality_line_sent_height(), unit: 'px', column: 'sent_height', read: (s) => s.outbound.video?.frameHeight },
  { key: 'receivedWidth', label: m.quality_line_received_width(), unit: 'px', column: 'received_width', read: (s) => s.inbound.video?.frameWidth },
  { key: 'receivedHeight', label: m.quality_line_received_height(), unit: 'px', column: 'received_height', read: (s) => s.inbound.video?.frameHeight },
  { key: 'sentFps', label: m.quality_line_sent_fps(), unit: 'fps', column: 'sent_fps', read: (s) => s.outbound.video?.framesPerSecond },
  { key: 'receivedFps', label: m.quality_line_received_fps(), unit: 'fps', column: 'received_fps', read: (s) => s.inbound.video?.framesPerSecond },
  { key: 'rttMs', label: m.quality_line_rtt(), unit: 'ms', column: 'rtt_ms', read: (s) => ms(s.candidatePair?.rtt) },
  { key: 'audioJitterMs', label: m.quality_line_audio_jitter(), unit: 'ms', column: 'audio_jitter_ms', read: (s) => ms(s.inbound.audio?.jitter) },
  { key: 'videoJitterMs', label: m.quality_line_video_jitter(), unit: 'ms', column: 'video_jitter_ms', read: (s) => ms(s.inbound.video?.jitter) },
  { key: 'audioLossPercent', label: m.quality_line_audio_loss(), unit: '%', column: 'audio_loss_percent', read: (s) => s.inbound.audio?.lossPercent },
  { key: 'videoLossPercent', label: m.quality_line_video_loss(), unit: '%', column: 'video_loss_percent', read: (s) => s.inbound.video?.lossPercent },
  {
    key: 'videoLossAfterRecoveryPercent',
    label: m.quality_line_video_loss_after_recovery(),
    unit: '%',
    column: 'video_loss_after_recovery_percent',
    read: (s) => s.inbound.video?.lossAfterRecoveryPercent,
  },
  { key: 'mos', label: m.quality_line_mos(), unit: '', column: 'mos', read: (s) => qualityOf(s)?.emodel.mos },
  // Inbound audio, from the receiver's counters as interval figures (core's stats continues them
  // across a counter restart, so none of these can go negative or saw back down).
  { key: 'audioLevelDbfs', label: m.quality_line_audio_level(), unit: 'dBFS', column: 'audio_level_dbfs', read: (s) => s.inbound.audio?.audioLevelDbfs },
  { key: 'audioConcealedPercent', label: m.quality_line_concealed(), unit: '%', column: 'audio_concealed_percent', read: (s) => s.inbound.audio?.concealedPercent },
  { key: 'audioConcealmentEvents', label: m.quality_line_concealment_events(), unit: m.quality_unit_per_interval(), column: 'audio_concealment_events', read: (s) => s.inbound.audio?.concealmentEventsDelta },
  { key: 'audioJitterBufferMs', label: m.quality_line_jitter_buffer(), unit: 'ms', column: 'audio_jitter_buffer_ms', read: (s) => ms(s.inbound.audio?.jitterBufferDelayInterval) },
  { key: 'audioPacketsDiscarded', label: m.quality_line_discarded(), unit: m.quality_unit_per_interval(), column: 'audio_packets_discarded', read: (s) => s.inbound.audio?.packetsDiscardedDelta },
  { key: 'audioInsertedPercent', label: m.quality_line_inserted(), unit: '%', column: 'audio_inserted_percent', read: (s) => s.inbound.audio?.insertedPercent },
  { key: 'audioRemovedPercent', label: m.quality_line_removed(), unit: '%', column: 'audio_removed_percent', read: (s) => s.inbound.audio?.removedPercent },
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
    title: m.quality_chart_bitrate(),
    unit: 'kbps',
    lines: [
      { metric: 'videoOutKbps', color: BLUE },
      { metric: 'audioOutKbps', color: PURPLE },
      { metric: 'videoInKbps', color: ORANGE },
      { metric: 'audioInKbps', color: GREEN },
    ],
    hint: m.quality_chart_bitrate_hint(),
    eventLabels: true,
  },
  {
    id: 'available',
    title: m.quality_chart_available(),
    unit: 'kbps',
    lines: [
      { metric: 'availableOutKbps', color: GREY, dashed: true },
      { metric: 'videoOutKbps', color: BLUE },
    ],
    hint: m.quality_chart_available_hint(),
  },
  {
    id: 'resolution',
    title: m.quality_chart_resolution(),
    unit: 'px',
    lines: [
      { metric: 'sentHeight', color: BLUE },
      { metric: 'receivedHeight', color: ORANGE },
    ],
    hint: m.quality_chart_resolution_hint(),
  },
  {
    id: 'fps',
    title: m.quality_chart_fps(),
    unit: 'fps',
    lines: [
      { metric: 'sentFps', color: BLUE },
      { metric: 'receivedFps', color: ORANGE },
    ],
    hint: m.quality_chart_fps_hint(),
  },
  {
    id: 'rtt',
    title: m.quality_chart_rtt(),
    unit: 'ms',
    lines: [{ metric: 'rttMs', color: BLUE }],
    hint: m.quality_chart_rtt_hint(),
  },
  {
    id: 'jitter',
    title: m.quality_chart_jitter(),
    unit: 'ms',
    lines: [
      { metric: 'audioJitterMs', color: GREEN },
      { metric: 'videoJitterMs', color: ORANGE },
    ],
    hint: m.quality_chart_jitter_hint(),
  },
  {
    id: 'loss',
    title: m.quality_chart_loss(),
    unit: '%',
    lines: [
      { metric: 'audioLossPercent', color: GREEN },
      { metric: 'videoLossPercent', color: ORANGE },
      { metric: 'videoLossAfterRecoveryPercent', color: ORANGE, dashed: true },
    ],
    hint: m.quality_chart_loss_hint(),
  },
  {
    id: 'mos',
    title: m.quality_chart_mos(),
    unit: 'MOS',
    lines: [{ metric: 'mos', color: PURPLE }],
    hint: m.quality_chart_mos_hint(),
    suggestedMax: 4.5,
  },
];

/** The audio charts, beside the video ones: what the listener's jitter buffer and decoder went through. */
export const AUDIO_CHARTS: readonly ChartDefinition[] = [
  {
    id: 'audio-level',
    title: m.quality_chart_audio_level(),
    unit: 'dBFS',
    lines: [{ metric: 'audioLevelDbfs', color: GREEN }],
    hint: m.quality_chart_audio_level_hint(),
  },
  {
    id: 'audio-concealment',
    title: m.quality_chart_audio_concealment(),
    unit: m.quality_unit_percent_events(),
    lines: [
      { metric: 'audioConcealedPercent', color: GREEN },
      { metric: 'audioConcealmentEvents', color: ORANGE, dashed: true },
    ],
    hint: m.quality_chart_audio_concealment_hint(),
  },
  {
    id: 'audio-jitter-buffer',
    title: m.quality_chart_audio_jitter_buffer(),
    unit: 'ms',
    lines: [{ metric: 'audioJitterBufferMs', color: GREEN }],
    hint: m.quality_chart_audio_jitter_buffer_hint(),
  },
  {
    id: 'audio-playout',
    title: m.quality_chart_audio_playout(),
    unit: m.quality_unit_percent_packets(),
    lines: [
      { metric: 'audioInsertedPercent', color: BLUE },
      { metric: 'audioRemovedPercent', color: ORANGE },
      { metric: 'audioPacketsDiscarded', color: GREY, dashed: true },
    ],
    hint: m.quality_chart_audio_playout_hint(),
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
