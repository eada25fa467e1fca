/**
 * The probe's results as CSV, one row per camera and resolution.
 */
import type { ResolutionResult } from './results.js';

/** The CSV columns, in order; one row per camera and size. */
export const CSV_COLUMNS = [
  'pass',
  'camera',
  'deviceId',
  'width',
  'height',
  'status',
  'code',
  'reason',
  'actualWidth',
  'actualHeight',
  'frameRate',
  'mode',
  'resizeMode',
  'openMs',
  'attempts',
  'firstFrameMs',
  'fps',
  'frameWidth',
  'frameHeight',
  'blackFrames',
  'frozenFrames',
  'sampledFrames',
] as const;

function csvCell(value: string | number | undefined | null): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'number' ? String(Math.round(value * 10) / 10) : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The results as CSV (RFC 4180: commas, quotes doubled, CRLF), for spreadsheets. */
export function probeResultsToCsv(results: readonly ResolutionResult[]): string {
  const rows = results.map((result) => {
    const frames = result.frames;
    const cells: Record<(typeof CSV_COLUMNS)[number], string | number | undefined | null> = {
      pass: result.pass,
      camera: result.camera,
      deviceId: result.deviceId,
      width: result.requested.width,
      height: result.requested.height,
      status: result.status,
      code: result.code,
      reason: result.reason,
      actualWidth: result.actual?.width,
      actualHeight: result.actual?.height,
      frameRate: result.actual?.frameRate,
      mode: result.mode,
      resizeMode: result.resizeMode,
      openMs: result.openMs,
      attempts: result.attempts,
      firstFrameMs: frames?.firstFrameMs,
      fps: frames?.fps,
      frameWidth: frames?.frameWidth,
      frameHeight: frames?.frameHeight,
      blackFrames: frames?.blackFrames,
      frozenFrames: frames?.frozenFrames,
      sampledFrames: frames?.sampledFrames,
    };
    return CSV_COLUMNS.map((column) => csvCell(cells[column])).join(',');
  });
  return `${[CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}
