/**
 * The camera page's table and exports, kept out of the component so they are unit-tested: which
 * sizes are chosen, how a deep result replaces a quick one, and what Export JSON writes.
 */
import {
  formatResolution,
  resolutionKey,
  type NamedResolution,
  type ProbePass,
  type ProbedCamera,
  type Resolution,
  type ResolutionResult,
} from '@workbench/core/camera-probe';
import { formatNumber } from '@workbench/i18n/format';
import { m } from '@workbench/i18n/messages';

/** One line of the results table: the latest result for a camera and size. */
export interface ResultRow {
  /** `deviceId|1280x720`: the keyed-each id. */
  key: string;
  result: ResolutionResult;
}

export function rowKey(result: Pick<ResolutionResult, 'deviceId' | 'requested'>): string {
  return `${result.deviceId}|${resolutionKey(result.requested)}`;
}

/**
 * The rows after `result`: it replaces the row for the same camera and size (a deep result
 * supersedes the quick one: it opened the mode again and measured more), or is appended.
 */
export function mergeResult(rows: readonly ResultRow[], result: ResolutionResult): ResultRow[] {
  const key = rowKey(result);
  const index = rows.findIndex((row) => row.key === key);
  if (index === -1) return [...rows, { key, result }];
  return rows.map((row, at) => (at === index ? { key, result } : row));
}

/** The standard sizes that are ticked, in list order, then the custom ones not already among them. */
export function selectSizes(standard: readonly NamedResolution[], ticked: Readonly<Record<string, boolean>>, custom: readonly Resolution[]): Resolution[] {
  const chosen: Resolution[] = standard.filter((size) => ticked[resolutionKey(size)]);
  const keys = new Set(chosen.map(resolutionKey));
  for (const size of custom) {
    if (keys.has(resolutionKey(size))) continue;
    keys.add(resolutionKey(size));
    chosen.push(size);
  }
  return chosen;
}

/** `640×360 (360p)` for a standard size, `1000×700` for a custom one. */
export function sizeLabel(size: Resolution, standard: readonly NamedResolution[]): string {
  const named = standard.find((entry) => entry.width === size.width && entry.height === size.height);
  return named ? `${formatResolution(size)} (${named.name})` : formatResolution(size);
}

/** A time in ms for the table (the unit is in the column's heading): whole milliseconds in the page's digits, or a dash when there is none. */
export function formatMs(ms: number | null | undefined): string {
  return typeof ms === 'number' && Number.isFinite(ms) ? formatNumber(Math.round(ms)) : '—';
}

/** Native / scaled / unknown in the page's language; `result.mode` itself stays English for code and exports. */
export function modeLabel(result: ResolutionResult): string {
  if (result.mode === 'native') return m.camera_mode_native();
  if (result.mode === 'scaled') return m.camera_mode_scaled();
  if (result.mode === 'unknown') return m.camera_mode_unknown();
  return '—';
}

/** Pass / fail in the page's language ("pass" / "通过"); `result.status` stays English. */
export function statusLabel(result: ResolutionResult): string {
  return result.status === 'pass' ? m.camera_status_pass() : m.camera_status_fail();
}

/** One pass as the export records it, finished or cancelled. */
export interface PassRecord {
  pass: ProbePass;
  startedAt: string;
  durationMs: number;
  outcome: 'finished' | 'cancelled' | 'failed';
  sizes: number;
  cameras: number;
}

export interface ProbeExport {
  tool: 'webrtc-workbench camera probe';
  exportedAt: string;
  userAgent: string;
  cameras: ProbedCamera[];
  passes: PassRecord[];
  results: ResolutionResult[];
}

/** What Export JSON writes: the table's results plus the cameras and passes they came from. */
export function buildExport(input: { rows: readonly ResultRow[]; cameras: readonly ProbedCamera[]; passes: readonly PassRecord[]; userAgent: string; now: Date }): ProbeExport {
  return {
    tool: 'webrtc-workbench camera probe',
    exportedAt: input.now.toISOString(),
    userAgent: input.userAgent,
    cameras: [...input.cameras],
    passes: [...input.passes],
    results: input.rows.map((row) => row.result),
  };
}

/** `camera-probe-2025-01-31T10-20-30-000Z.csv`: sortable, and valid on every file system. */
export function exportFileName(now: Date, extension: 'csv' | 'json'): string {
  return `camera-probe-${now.toISOString().replace(/[:.]/g, '-')}.${extension}`;
}
