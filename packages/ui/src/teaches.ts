/**
 * One line per page: what a learner gets out of it, in the page's language. Only the index pages
 * list these, so they live apart from pages.ts: every step page imports pages.ts for its nav, and
 * would otherwise carry twelve sentences in two languages it never shows.
 */
import { m } from '@workbench/i18n/messages';

const TEACHES: Readonly<Record<string, () => string>> = {
  '/': m.teaches_steps_home,
  '/diagnostics/': m.teaches_diagnostics_home,
  '/webcam/': m.teaches_webcam,
  '/peer-connection/': m.teaches_peer_connection,
  '/data-channel/': m.teaches_data_channel,
  '/signaling/': m.teaches_signaling,
  '/call/': m.teaches_call,
  '/photo/': m.teaches_photo,
  '/diagnostics/ice/': m.teaches_ice,
  '/diagnostics/quality/': m.teaches_quality,
  '/diagnostics/camera/': m.teaches_camera,
  '/diagnostics/audio/': m.teaches_audio,
};

/** What the page at `path` (as listed in pages.ts) teaches; throws for a path with no line. */
export function teachesOf(path: string): string {
  const line = TEACHES[path];
  if (!line) throw new Error(`No "teaches" line for ${path}: add one here and in packages/i18n/messages.`);
  return line();
}
