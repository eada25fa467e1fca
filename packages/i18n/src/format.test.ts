import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatFixed, formatList, formatMs, formatNumber, formatPercent, formatTime } from './format.js';

describe('Intl formatting per language', () => {
  it('numbers group and round per language', () => {
    expect(formatNumber(1234.56, 1, 'en')).toBe('1,234.6');
    expect(formatNumber(1234.56, 1, 'zh-CN')).toBe('1,234.6');
    expect(formatFixed(0.5, 2, 'en')).toBe('0.50');
    expect(formatNumber(Number.NaN, 0, 'en')).toBe('—');
  });

  it('durations pick their unit and speak the language', () => {
    expect(formatDuration(850, 'en')).toBe('850 ms');
    expect(formatDuration(850, 'zh-CN')).toBe('850毫秒');
    expect(formatDuration(12_340, 'en')).toBe('12.3 sec');
    expect(formatDuration(12_340, 'zh-CN')).toBe('12.3秒');
    expect(formatDuration(3_900_000, 'en')).toBe('1 hr 5 min');
    expect(formatMs(12.34, 1, 'zh-CN')).toBe('12.3毫秒');
  });

  it('percentages, sizes, lists and times', () => {
    expect(formatPercent(0.125, 1, 'en')).toBe('12.5%');
    expect(formatBytes(1536, 'en')).toBe('1.5 kB');
    // Decimal, as Intl's unit names mean: 3 MiB is 3.1 MB.
    expect(formatBytes(3 * 1024 * 1024, 'zh-CN')).toMatch(/^3\.1\s?MB$/);
    expect(formatBytes(20_000_000, 'en')).toBe('20 MB');
    expect(formatList(['VP8', 'VP9', 'H264'], 'en')).toBe('VP8, VP9, and H264');
    expect(formatList(['VP8', 'VP9', 'H264'], 'zh-CN')).toBe('VP8、VP9和H264');
    expect(formatTime(new Date(2026, 11, 6, 14, 3, 7), 'zh-CN')).toBe('14:03:07');
    expect(formatTime(new Date(2026, 11, 6, 9, 3, 7), 'en')).toBe('09:03:07');
  });

  it('defaults to the page language (English outside a page)', () => {
    expect(formatDuration(850)).toBe('850 ms');
  });
});
