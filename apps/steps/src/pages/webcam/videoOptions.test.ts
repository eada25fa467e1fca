import { describe, expect, it } from 'vitest';
import { VIDEO_FILTERS, constraintsFor, formatConstraints } from './videoOptions.js';

describe('constraintsFor', () => {
  it('returns the preset unchanged when the browser may pick the camera', () => {
    const preset = { video: { width: { min: 1280 } } };
    expect(constraintsFor(preset, '')).toBe(preset);
  });

  it('pins {video: true} to the chosen camera', () => {
    expect(constraintsFor({ video: true }, 'cam-2')).toEqual({ video: { deviceId: { exact: 'cam-2' } } });
  });

  it('keeps the preset size and audio when pinning a camera, without changing the preset', () => {
    const preset: MediaStreamConstraints = { audio: false, video: { width: { exact: 640 }, height: { exact: 480 } } };
    expect(constraintsFor(preset, 'cam-1')).toEqual({
      audio: false,
      video: { width: { exact: 640 }, height: { exact: 480 }, deviceId: { exact: 'cam-1' } },
    });
    expect(preset.video).toEqual({ width: { exact: 640 }, height: { exact: 480 } });
  });
});

describe('VIDEO_FILTERS', () => {
  it("offers the codelab's CSS filters and one SVG filter, with unique ids", () => {
    expect(VIDEO_FILTERS.map((filter) => filter.id)).toEqual(['none', 'blur', 'grayscale', 'invert', 'sepia', 'duotone']);
    expect(VIDEO_FILTERS.find((filter) => filter.id === 'duotone')?.css).toBe('url(#duotone)');
  });
});

describe('formatConstraints', () => {
  it('prints constraints on one line as JSON', () => {
    expect(formatConstraints({ video: { width: { min: 1280 } } })).toBe('{"video":{"width":{"min":1280}}}');
  });
});
