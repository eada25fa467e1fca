/**
 * Numbers, durations, sizes and times in the page's language, through `Intl` (issue 16): one
 * place, so "1,234 ms" / "1,234 毫秒" and "14:03:07" read the same on every page. The locale is the
 * one the page was built or resolved for (paraglide's `getLocale()`); in Node (the CLI, the
 * server) that is English. Each function takes an optional locale for tests and for text that
 * must stay English (reports, exports).
 */
import { getLocale } from '@workbench/i18n/runtime';

type Locale = ReturnType<typeof getLocale>;

const cache = new Map<string, Intl.NumberFormat>();

function numberFormat(locale: Locale, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = cache.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, options);
    cache.set(key, format);
  }
  return format;
}

/** A plain number with the language's grouping: `formatNumber(1234.5, 1)` → "1,234.5". At most `digits` decimals. */
export function formatNumber(value: number, digits = 0, locale: Locale = getLocale()): string {
  if (!Number.isFinite(value)) return '—';
  return numberFormat(locale, { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(value);
}

/** Exactly `digits` decimals: `formatFixed(0.5, 2)` → "0.50" (for aligned columns and measurements). */
export function formatFixed(value: number, digits: number, locale: Locale = getLocale()): string {
  if (!Number.isFinite(value)) return '—';
  return numberFormat(locale, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(value);
}

/** A share as a percentage: `formatPercent(0.125, 1)` → "12.5%". */
export function formatPercent(ratio: number, digits = 0, locale: Locale = getLocale()): string {
  if (!Number.isFinite(ratio)) return '—';
  return numberFormat(locale, { style: 'percent', maximumFractionDigits: digits }).format(ratio);
}

/**
 * A duration in milliseconds, in the unit a reader expects: under 10 s as ms ("850 ms" /
 * "850毫秒"), else seconds with one decimal ("12.3 s" / "12.3秒"), from an hour on as h/min.
 */
export function formatDuration(ms: number, locale: Locale = getLocale()): string {
  if (!Number.isFinite(ms)) return '—';
  const unit = (value: number, name: string, digits = 0): string =>
    numberFormat(locale, { style: 'unit', unit: name, unitDisplay: 'short', maximumFractionDigits: digits }).format(value);
  if (Math.abs(ms) < 10_000) return unit(Math.round(ms), 'millisecond');
  if (Math.abs(ms) < 3_600_000) return unit(ms / 1000, 'second', 1);
  const minutes = Math.round(ms / 60_000);
  return `${unit(Math.floor(minutes / 60), 'hour')} ${unit(minutes % 60, 'minute')}`;
}

/** Milliseconds, always as ms (for timings compared side by side): `formatMs(12.34, 1)` → "12.3 ms" / "12.3毫秒". */
export function formatMs(ms: number, digits = 0, locale: Locale = getLocale()): string {
  if (!Number.isFinite(ms)) return '—';
  return numberFormat(locale, { style: 'unit', unit: 'millisecond', unitDisplay: 'short', maximumFractionDigits: digits }).format(ms);
}

/**
 * A byte count with the language's digits and unit: "1.5 MB" / "1.5MB". Decimal (1 kB = 1000 B),
 * because that is what Intl's kilobyte and megabyte units mean and what bitrates use; a figure shown
 * as "MB" must not be MiB. Powers of two that are limits (buffer sizes) are written as KiB/MiB
 * where they are shown.
 */
export function formatBytes(bytes: number, locale: Locale = getLocale()): string {
  if (!Number.isFinite(bytes)) return '—';
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
  let value = bytes;
  let index = 0;
  while (Math.abs(value) >= 1000 && index < units.length - 1) {
    value /= 1000;
    index += 1;
  }
  return numberFormat(locale, { style: 'unit', unit: units[index], unitDisplay: 'short', maximumFractionDigits: index === 0 ? 0 : 1 }).format(value);
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();

/** A wall-clock time with seconds, as the event logs show it: "14:03:07" (24-hour in both languages). */
export function formatTime(date: Date | number, locale: Locale = getLocale()): string {
  let format = timeFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    timeFormats.set(locale, format);
  }
  return format.format(date);
}

/** A date and time, e.g. for "valid until" and export headers: "Dec 6, 2026, 14:03" / "2026年12月6日 14:03". */
export function formatDateTime(date: Date | number, locale: Locale = getLocale()): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' }).format(date);
}

/** A list in the language's way: "VP8, VP9 and H264" / "VP8、VP9和H264". */
export function formatList(items: readonly string[], locale: Locale = getLocale()): string {
  return new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }).format(items);
}
