/**
 * The one list of pages in both apps: navigation, the index pages and prev/next links all read
 * it, so adding a page is one line here, its title and nav name in packages/i18n/messages (both
 * languages) and its HTML entry in the app's Vite config.
 */
import { m } from '@workbench/i18n/messages';

export interface PageInfo {
  /** Absolute path the server serves the page at, with a trailing slash. */
  readonly path: string;
  /** In the page's language (a getter: read at render, after the language is applied). */
  readonly title: string;
  /** Name in the navigation bar, where phone width leaves room for a word or two. */
  readonly short: string;
}

export type SiteName = 'steps' | 'diagnostics';

/** The product's name, the same in every language (like the API names it teaches). */
export const SITE_TITLE = 'WebRTC Workbench';

/**
 * A page whose title and nav name are message functions. What a page teaches (one line) is in
 * teaches.ts, read only by the index pages, so step pages do not carry those sentences.
 */
function page(path: string, title: () => string, short: () => string): PageInfo {
  return {
    path,
    get title() {
      return title();
    },
    get short() {
      return short();
    },
  };
}

export const STEPS_HOME: PageInfo = page('/', m.page_steps_home_title, m.page_steps_home_short);

export const DIAGNOSTICS_HOME: PageInfo = page('/diagnostics/', m.page_diagnostics_home_title, m.page_diagnostics_home_short);

/** The codelab's six steps, in the order a learner walks them. */
export const STEP_PAGES: readonly PageInfo[] = [
  page('/webcam/', m.page_webcam_title, m.page_webcam_short),
  page('/peer-connection/', m.page_peer_connection_title, m.page_peer_connection_short),
  page('/data-channel/', m.page_data_channel_title, m.page_data_channel_short),
  page('/signaling/', m.page_signaling_title, m.page_signaling_short),
  page('/call/', m.page_call_title, m.page_call_short),
  page('/photo/', m.page_photo_title, m.page_photo_short),
];

/** The diagnostics tools, served under /diagnostics/. */
export const DIAGNOSTICS_PAGES: readonly PageInfo[] = [
  page('/diagnostics/ice/', m.page_ice_title, m.page_ice_short),
  page('/diagnostics/quality/', m.page_quality_title, m.page_quality_short),
  page('/diagnostics/camera/', m.page_camera_title, m.page_camera_short),
  page('/diagnostics/audio/', m.page_audio_title, m.page_audio_short),
];

export function homeOf(site: SiteName): PageInfo {
  return site === 'steps' ? STEPS_HOME : DIAGNOSTICS_HOME;
}

export function pagesOf(site: SiteName): readonly PageInfo[] {
  return site === 'steps' ? STEP_PAGES : DIAGNOSTICS_PAGES;
}

/**
 * The pages before and after `path` in its site's order. The first page's previous page is the
 * site's home; the home's next page is the first page, so a learner can walk the whole list. The
 * last step leads on to the diagnostics, where a learner goes once their own calls misbehave.
 */
export function neighbours(site: SiteName, path: string): { prev?: PageInfo; next?: PageInfo } {
  const home = homeOf(site);
  const sequence = site === 'steps' ? [home, ...pagesOf(site), DIAGNOSTICS_HOME] : [home, ...pagesOf(site)];
  if (site === 'steps' && normalisePath(path) === DIAGNOSTICS_HOME.path) return {};
  const index = sequence.findIndex((page) => page.path === normalisePath(path));
  if (index === -1) return {};
  return { prev: sequence[index - 1], next: sequence[index + 1] };
}

/** The page listed at `path` in either site; throws for a path pages.ts does not list. */
export function pageAt(path: string): PageInfo {
  const normal = normalisePath(path);
  const page = [STEPS_HOME, DIAGNOSTICS_HOME, ...STEP_PAGES, ...DIAGNOSTICS_PAGES].find((entry) => entry.path === normal);
  if (!page) throw new Error(`No page at ${path} in pages.ts: add it there (path, title, short) first.`);
  return page;
}

/** `/webcam/index.html` and `/webcam` are the same page as `/webcam/`. */
export function normalisePath(path: string): string {
  let normal = path.replace(/index\.html$/, '');
  if (!normal.endsWith('/')) normal += '/';
  return normal;
}
