/**
 * The webcam page's choices as data: which constraints a preset plus a chosen camera turn into,
 * and the display filters the codelab suggests. Kept out of the component so they are tested.
 */

/**
 * The preset's constraints, pinned to one camera when the learner picked one. `exact` because
 * the learner asked for that device: a missing device should fail visibly (OverconstrainedError
 * naming deviceId), not silently open another camera.
 */
export function constraintsFor(preset: MediaStreamConstraints, deviceId: string): MediaStreamConstraints {
  if (!deviceId) return preset;
  const video = typeof preset.video === 'object' ? preset.video : {};
  return { ...preset, video: { ...video, deviceId: { exact: deviceId } } };
}

export interface VideoFilter {
  id: string;
  label: string;
  /** The CSS `filter` value applied to the <video>. */
  css: string;
}

/** The codelab's CSS filters, plus one SVG filter (defined in the page as `#duotone`). */
export const VIDEO_FILTERS: readonly VideoFilter[] = [
  { id: 'none', label: 'None', css: 'none' },
  { id: 'blur', label: 'Blur', css: 'blur(3px)' },
  { id: 'grayscale', label: 'Grayscale', css: 'grayscale(1)' },
  { id: 'invert', label: 'Invert', css: 'invert(1)' },
  { id: 'sepia', label: 'Sepia', css: 'sepia(1)' },
  { id: 'duotone', label: 'Duotone (SVG filter)', css: 'url(#duotone)' },
];

/** Constraints as a learner would type them: `{"video":{"width":{"min":1280}}}` on one line. */
export function formatConstraints(constraints: MediaStreamConstraints): string {
  return JSON.stringify(constraints);
}
