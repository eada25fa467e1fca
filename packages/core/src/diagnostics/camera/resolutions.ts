/**
 * Capture sizes: the standard resolution list every probe starts from (the one place it is
 * defined), their names and keys, and the parser for a list a person types.
 */
import { m } from '@workbench/i18n/messages';

export interface Resolution {
  readonly width: number;
  readonly height: number;
}

export interface NamedResolution extends Resolution {
  /** What people call it ("VGA", "720p"). */
  readonly name: string;
}

/** The sizes every probe starts from, smallest first: the common webcam, video-call and TV sizes. */
export const STANDARD_RESOLUTIONS: readonly NamedResolution[] = [
  { width: 160, height: 120, name: 'QQVGA' },
  { width: 176, height: 144, name: 'QCIF' },
  { width: 320, height: 240, name: 'QVGA' },
  { width: 640, height: 360, name: '360p' },
  { width: 640, height: 480, name: 'VGA' },
  { width: 800, height: 600, name: 'SVGA' },
  { width: 1024, height: 768, name: 'XGA' },
  { width: 1280, height: 720, name: '720p HD' },
  { width: 1280, height: 960, name: '960p (4:3)' },
  { width: 1280, height: 1024, name: 'SXGA' },
  { width: 1920, height: 1080, name: '1080p Full HD' },
  { width: 2560, height: 1440, name: '1440p QHD' },
  { width: 3840, height: 2160, name: '4K UHD' },
  { width: 4096, height: 2160, name: 'DCI 4K' },
];

/** Larger than any camera sensor mode browsers expose; a typo such as 19200x1080 is caught here. */
export const MAX_DIMENSION = 16_384;

/** `1280x720`: the key of a size in maps, CSV and element attributes. */
export function resolutionKey(size: Resolution): string {
  return `${size.width}x${size.height}`;
}

/** `1280×720`: a size as a person reads it. */
export function formatResolution(size: Resolution): string {
  return `${size.width}×${size.height}`;
}

export interface ParsedResolutions {
  sizes: Resolution[];
  /** The pieces of the text that are not a size, each with why, for the page to show. */
  invalid: string[];
}

/**
 * Custom sizes typed by a person: `1000x700, 2000x1000` (also `×`, `X` or `*`, and spaces, commas,
 * semicolons or new lines between sizes). Duplicates are dropped; the order is kept.
 */
export function parseResolutions(text: string): ParsedResolutions {
  const sizes: Resolution[] = [];
  const invalid: string[] = [];
  const seen = new Set<string>();
  const tokens = text
    .replace(/\s*[x×X*]\s*/g, 'x')
    .split(/[\s,;]+/)
    .filter((token) => token !== '');
  for (const token of tokens) {
    const match = /^(\d+)x(\d+)$/.exec(token);
    if (!match) {
      invalid.push(m.camera_size_not_wxh({ token }));
      continue;
    }
    const width = Number(match[1]);
    const height = Number(match[2]);
    if (width < 1 || height < 1 || width > MAX_DIMENSION || height > MAX_DIMENSION) {
      invalid.push(m.camera_size_out_of_bounds({ token, max: MAX_DIMENSION }));
      continue;
    }
    const size = { width, height };
    if (seen.has(resolutionKey(size))) continue;
    seen.add(resolutionKey(size));
    sizes.push(size);
  }
  return { sizes, invalid };
}
