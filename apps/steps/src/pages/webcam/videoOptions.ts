/**
 * The webcam page's choices as data: which constraints a preset plus a chosen camera turn into,
 * and the display filters the codelab suggests. Kept out of the component so they are tested.
 */
import { m } from '@workbench/i18n/messages';

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
  /** In the page's language (a getter: read at render, after the language is applied). */
  readonly label: string;
  /** The CSS `filter` value applied to the <video>. */
  css: string;
}

/** The codelab's CSS filters, plus one SVG filter (defined in the page as `#duotone`). */
export const VIDEO_FILTERS: readonly VideoFilter[] = [
  filter('none', m.webcam_filter_none, 'none'),
  filter('blur', m.webcam_filter_blur, 'blur(3px)'),
  filter('grayscale', m.webcam_filter_grayscale, 'grayscale(1)'),
  filter('invert', m.webcam_filter_invert, 'invert(1)'),
  filter('sepia', m.webcam_filter_sepia, 'sepia(1)'),
  filter('duotone', m.webcam_filter_duotone, 'url(#duotone)'),
];

function filter(id: string, label: () => string, css: string): VideoFilter {
  return {
    id,
    get label() {
      return label();
    },
    css,
  };
}

/**
 * Core's constraint presets (`CONSTRAINT_PRESETS`) named and described in the page's language, by
 * id; a preset added in core without a line here shows core's own English words.
 */
const PRESET_TEXT: Readonly<Record<string, { label: () => string; description: () => string }>> = {
  default: { label: m.webcam_preset_default, description: m.webcam_preset_default_description },
  vga: { label: m.webcam_preset_vga, description: m.webcam_preset_vga_description },
  hd: { label: m.webcam_preset_hd, description: m.webcam_preset_hd_description },
};

export function presetText(preset: { id: string; label: string; description: string }): { label: string; description: string } {
  const text = PRESET_TEXT[preset.id];
  return text ? { label: text.label(), description: text.description() } : { label: preset.label, description: preset.description };
}

/** Constraints as a learner would type them: `{"video":{"width":{"min":1280}}}` on one line. */
export function formatConstraints(constraints: MediaStreamConstraints): string {
  return JSON.stringify(constraints);
}
