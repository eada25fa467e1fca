/**
 * The photo page's choices as data: capture size (the codelab presets, or an exact `?w=&h=` from
 * the URL so two tabs can run at different sizes), the image formats, and how sizes and hashes are
 * written for a person. Kept out of the component so they are tested.
 */
import { ErrorCode, type Explanation } from '@workbench/core/errors';
import { CONSTRAINT_PRESETS } from '@workbench/core/media';
import { formatBytes as formatSize, formatMs, formatNumber } from '@workbench/i18n/format';
import { m } from '@workbench/i18n/messages';
import type { Progress } from './photoTransfers.svelte.js';

export interface CaptureChoice {
  /** `default`, `vga`, `hd` (core's presets) or `custom` for a size from the URL. */
  id: string;
  label: string;
  constraints: MediaStreamConstraints;
}

/** Widths and heights outside this range are refused rather than passed to getUserMedia. */
export const MIN_SIDE = 16;
export const MAX_SIDE = 4096;

/** The photo step sends no audio: a page without a microphone still works. */
function videoOnly(constraints: MediaStreamConstraints): MediaStreamConstraints {
  return { audio: false, video: constraints.video ?? true };
}

export const PRESET_CHOICES: readonly CaptureChoice[] = CONSTRAINT_PRESETS.map((preset) => ({
  id: preset.id,
  label: preset.label,
  constraints: videoOnly(preset.constraints),
}));

export interface CaptureFromUrl {
  /** The `custom` choice when the URL names a usable size. */
  custom: CaptureChoice | null;
  /** Why `?w=&h=` could not be used: shown, not silently ignored. */
  problem?: string;
}

function side(value: string | null): number | null {
  if (value === null || !/^\d{1,5}$/.test(value)) return null;
  const n = Number(value);
  return n >= MIN_SIDE && n <= MAX_SIDE ? n : null;
}

/**
 * `?w=1280&h=720` → exactly that capture size (`exact`, so the photo really is that size; browsers
 * crop and scale a camera that has no such mode). Both or neither must be given.
 */
export function captureFromUrl(url: URL): CaptureFromUrl {
  const w = url.searchParams.get('w');
  const h = url.searchParams.get('h');
  if (w === null && h === null) return { custom: null };
  const width = side(w);
  const height = side(h);
  if (width === null || height === null) {
    return {
      custom: null,
      // Plain digits, not Intl's "4,096": they are what the reader types into the address.
      problem: m.photo_capture_problem({ w: w ?? '', h: h ?? '', min: String(MIN_SIDE), max: String(MAX_SIDE) }),
    };
  }
  return {
    custom: {
      id: 'custom',
      label: m.photo_custom_size({ width, height }),
      constraints: { audio: false, video: { width: { exact: width }, height: { exact: height } } },
    },
  };
}

/** The Capture size list: the size from the URL (when it names one) first, then the presets. */
export function captureChoicesFor(fromUrl: CaptureFromUrl): readonly CaptureChoice[] {
  return fromUrl.custom ? [fromUrl.custom, ...PRESET_CHOICES] : PRESET_CHOICES;
}

/** Why ?w=&h= was not used, as the error panel shows it on arrival. */
export function explainCaptureProblem(problem: string): Explanation {
  return { code: ErrorCode.InvalidArgument, title: m.photo_capture_problem_title(), detail: problem, fix: m.photo_capture_problem_fix() };
}

export interface PhotoFormat {
  mime: 'image/jpeg' | 'image/png';
  label: string;
  /** canvas.toBlob's quality argument; PNG is lossless and ignores it. */
  quality?: number;
  extension: string;
}

export const PHOTO_FORMATS: readonly PhotoFormat[] = [
  { mime: 'image/jpeg', label: m.photo_format_jpeg({ quality: formatNumber(0.9, 1) }), quality: 0.9, extension: 'jpg' },
  { mime: 'image/png', label: m.photo_format_png(), extension: 'png' },
];

/** `photo-3-1280x720.jpg`: the download name says which photo and its size. */
export function photoFileName(index: number, width: number, height: number, extension: string): string {
  return `photo-${index}-${width}x${height}.${extension}`;
}

/** The extension for a MIME type the peer announced; `bin` for anything unknown. */
export function extensionFor(mime: string): string {
  return PHOTO_FORMATS.find((format) => format.mime === mime)?.extension ?? 'bin';
}

/**
 * A size for a person, in the page's language: i18n's formatBytes (decimal kB and MB, as Intl
 * names them), so the photo page does not keep a second convention.
 */
export function formatBytes(bytes: number): string {
  return formatSize(bytes);
}

/** Buffer limits are powers of two: 1048576 → "1 MiB", 65536 → "64 KiB". */
export function formatBinaryBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${formatNumber(bytes / (1024 * 1024))} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${formatNumber(bytes / 1024)} KiB`;
  return `${formatNumber(bytes)} B`;
}

/** The first 12 hex digits: enough to compare two hashes by eye. */
export function shortHash(sha256: string): string {
  return sha256.length > 12 ? `${sha256.slice(0, 12)}…` : sha256;
}

/** "photo-1-640x480.jpg: 12 kB of 40 kB" under a progress bar. */
export function describeProgress(progress: Progress): string {
  return m.photo_progress({ name: progress.name, bytes: formatBytes(progress.bytes), total: formatBytes(progress.total) });
}

/**
 * Throughput for the log: "2.2 MB in 104 ms (21.2 MB/s)". Under 10 ms the clock's rounding is
 * most of the figure ("9.9 kB in 0 ms (24.8 MB/s)" read as nonsense), so a small photo says only
 * that it was quick.
 */
export function describeTransfer(bytes: number, ms: number): string {
  const size = formatBytes(bytes);
  if (ms < 1) return m.photo_transfer_under({ size, ms: formatMs(1) });
  if (ms < 10) return m.photo_transfer_in({ size, ms: formatMs(ms, 1) });
  return m.photo_transfer_rate({ size, ms: formatMs(Math.round(ms)), rate: formatBytes((bytes / ms) * 1000) });
}
