/**
 * Export JSON and Export CSV: the samples in the window as a file a person can keep, diff or load
 * into a spreadsheet. JSON keeps every sample field and the events; CSV flattens each sample into
 * the page's metrics (one row a poll), plus the text fields a spreadsheet filter needs.
 */
import type { QualityEvent } from '@workbench/core/quality';
import type { StatsSample } from '@workbench/core/stats';
import { METRICS, secondsSince } from './metrics.js';

/** Bumped when the JSON's shape changes, so a reader can tell old exports apart. */
export const EXPORT_FORMAT_VERSION = 1;

export interface QualityExport {
  format: 'webrtc-workbench/quality';
  version: number;
  exportedAt: string;
  /** "loopback", "room <name>" or "import <file name>". */
  source: string;
  userAgent?: string;
  samples: StatsSample[];
  events: QualityEvent[];
}

export function samplesToJson(
  samples: readonly StatsSample[],
  events: readonly QualityEvent[],
  meta: { source: string; userAgent?: string; now?: Date },
): string {
  const document: QualityExport = {
    format: 'webrtc-workbench/quality',
    version: EXPORT_FORMAT_VERSION,
    exportedAt: (meta.now ?? new Date()).toISOString(),
    source: meta.source,
    ...(meta.userAgent !== undefined ? { userAgent: meta.userAgent } : {}),
    samples: [...samples],
    events: [...events],
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** RFC 4180: quote a field holding a comma, quote or line break; double the quotes inside. */
function csvField(value: string | number | undefined): string {
  if (value === undefined) return '';
  const text = typeof value === 'number' ? (Number.isInteger(value) ? String(value) : String(Math.round(value * 1000) / 1000)) : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const TEXT_COLUMNS: readonly { column: string; read(sample: StatsSample): string | undefined }[] = [
  { column: 'quality_limitation', read: (s) => s.outbound.video?.qualityLimitationReason },
  { column: 'send_video_codec', read: (s) => s.outbound.video?.codec },
  { column: 'receive_video_codec', read: (s) => s.inbound.video?.codec },
  { column: 'encoder', read: (s) => s.outbound.video?.encoderImplementation },
  { column: 'pair', read: (s) => (s.candidatePair ? `${s.candidatePair.localType ?? '?'}->${s.candidatePair.remoteType ?? '?'}` : undefined) },
];

/** One header row, then one row per sample: time since the first sample, the stats timestamp, the metrics, the text columns. */
export function samplesToCsv(samples: readonly StatsSample[]): string {
  const origin = samples[0]?.timestamp ?? 0;
  const header = ['time_s', 'timestamp_ms', ...METRICS.map((m) => m.column), ...TEXT_COLUMNS.map((c) => c.column)];
  const rows = samples.map((sample) =>
    [
      csvField(secondsSince(origin, sample.timestamp)),
      csvField(sample.timestamp),
      ...METRICS.map((metric) => csvField(metric.read(sample))),
      ...TEXT_COLUMNS.map((column) => csvField(column.read(sample))),
    ].join(','),
  );
  return `${[header.join(','), ...rows].join('\r\n')}\r\n`;
}

/** A file name with the date and time, so repeated exports do not overwrite each other. */
export function exportFileName(extension: 'json' | 'csv', now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/\.\d+Z$/, '').replace(/:/g, '-');
  return `call-quality-${stamp}.${extension}`;
}
