import { describe, expect, it } from 'vitest';
import {
  PHOTO_FORMATS,
  PRESET_CHOICES,
  captureChoicesFor,
  captureFromUrl,
  describeTransfer,
  explainCaptureProblem,
  extensionFor,
  formatBinaryBytes,
  formatBytes,
  photoFileName,
  shortHash,
} from './photoOptions.js';

describe('captureFromUrl', () => {
  it('turns ?w=&h= into exact constraints, video only', () => {
    const { custom, problem } = captureFromUrl(new URL('http://x/photo/?room=a&w=1280&h=720'));
    expect(problem).toBeUndefined();
    expect(custom?.constraints).toEqual({ audio: false, video: { width: { exact: 1280 }, height: { exact: 720 } } });
    expect(custom?.label).toBe('1280×720 (from the URL)');
  });

  it('means no custom size when the URL names none', () => {
    expect(captureFromUrl(new URL('http://x/photo/?room=a'))).toEqual({ custom: null });
  });

  it.each([
    ['?w=640', 'only one side'],
    ['?w=640&h=abc', 'not a number'],
    ['?w=8&h=8', 'too small'],
    ['?w=99999&h=480', 'too large'],
    ['?w=-640&h=480', 'negative'],
    ['?w=640.5&h=480', 'fractional'],
  ])('explains %s (%s) instead of ignoring it', (query) => {
    const { custom, problem } = captureFromUrl(new URL(`http://x/photo/${query}`));
    expect(custom).toBeNull();
    expect(problem).toMatch(/not a capture size.*16 to 4096/);
  });
});

describe('choices', () => {
  it('offers core’s presets without audio', () => {
    expect(PRESET_CHOICES.map((choice) => choice.id)).toEqual(['default', 'vga', 'hd']);
    for (const choice of PRESET_CHOICES) expect(choice.constraints.audio).toBe(false);
  });

  it('defaults to JPEG at quality 0.9', () => {
    expect(PHOTO_FORMATS[0]).toMatchObject({ mime: 'image/jpeg', quality: 0.9 });
    expect(extensionFor('image/png')).toBe('png');
    expect(extensionFor('application/octet-stream')).toBe('bin');
  });
});

describe('formatting', () => {
  it('names files after the photo and its size', () => {
    expect(photoFileName(3, 1280, 720, 'jpg')).toBe('photo-3-1280x720.jpg');
  });

  it('writes sizes, hashes and rates for people (in Node: English, through @workbench/i18n/format)', () => {
    // Decimal, as Intl's kB and MB mean (issue 16 moved this page onto the shared formatter).
    expect(formatBytes(999)).toBe('999 byte');
    expect(formatBytes(64 * 1024)).toBe('65.5 kB');
    expect(formatBytes(5_242_880)).toBe('5.2 MB');
    expect(formatBytes(2_000_000)).toBe('2 MB');
    expect(shortHash('a'.repeat(64))).toBe(`${'a'.repeat(12)}…`);
    // 2,000,000 bytes in 100 ms is 20,000,000 bytes a second.
    expect(describeTransfer(2_000_000, 100)).toBe('2 MB in 100 ms (20 MB/s)');
    // No rate from a clock reading of a few ms: it was "9.9 kB in 0 ms (24.8 MB/s)".
    expect(describeTransfer(9_900, 0.4)).toBe('9.9 kB in under 1 ms');
    expect(describeTransfer(9_900, 4.04)).toBe('9.9 kB in 4 ms');
    expect(describeTransfer(9_900, 4.56)).toBe('9.9 kB in 4.6 ms');
    expect(formatBinaryBytes(1024 * 1024)).toBe('1 MiB');
    expect(formatBinaryBytes(256 * 1024)).toBe('256 KiB');
    expect(formatBinaryBytes(1000)).toBe('1,000 B');
  });
});

describe('captureChoicesFor', () => {
  it('puts the size from the URL first, so Join uses it unless another is chosen', () => {
    const choices = captureChoicesFor(captureFromUrl(new URL('http://x/photo/?w=640&h=480')));
    expect(choices[0]?.id).toBe('custom');
    expect(choices.slice(1)).toEqual(PRESET_CHOICES);
    expect(captureChoicesFor(captureFromUrl(new URL('http://x/photo/')))).toBe(PRESET_CHOICES);
  });

  it('explains an unusable ?w=&h= with the problem as its detail', () => {
    const { problem } = captureFromUrl(new URL('http://x/photo/?w=abc&h=1'));
    expect(problem).toBeDefined();
    expect(explainCaptureProblem(problem ?? '')).toMatchObject({ code: 'INVALID_ARGUMENT', title: 'Capture size not understood', detail: problem });
  });
});
