/**
 * The one list of pages in both apps: navigation, the index pages and prev/next links all read
 * it, so adding a page is one line here plus its HTML entry in the app's Vite config.
 */

export interface PageInfo {
  /** Absolute path the server serves the page at, with a trailing slash. */
  path: string;
  title: string;
  /** Name in the navigation bar, where phone width leaves room for a word or two. */
  short: string;
  /** One line: what a learner gets out of the page. */
  teaches: string;
}

export type SiteName = 'steps' | 'diagnostics';

export const SITE_TITLE = 'WebRTC Workbench';

export const STEPS_HOME: PageInfo = {
  path: '/',
  title: 'Codelab steps',
  short: 'Overview',
  teaches: "Google's WebRTC codelab, one working page per step.",
};

export const DIAGNOSTICS_HOME: PageInfo = {
  path: '/diagnostics/',
  title: 'Diagnostics',
  short: 'Diagnostics',
  teaches: 'Tools for debugging real calls: ICE servers, call quality, camera capabilities, microphone and speakers.',
};

/** The codelab's six steps, in the order a learner walks them. */
export const STEP_PAGES: readonly PageInfo[] = [
  {
    path: '/webcam/',
    title: 'Stream video from your webcam',
    short: 'Webcam',
    teaches: 'getUserMedia: ask for the camera, choose constraints, see what the browser actually gave you.',
  },
  {
    path: '/peer-connection/',
    title: 'Stream video with RTCPeerConnection',
    short: 'Peer connection',
    teaches: 'Two peer connections in one page: offer, answer, ICE candidates and the connection states between them.',
  },
  {
    path: '/data-channel/',
    title: 'Exchange data with RTCDataChannel',
    short: 'Data channel',
    teaches: 'Send text over a data channel; ordered and maxRetransmits, readyState and bufferedAmount.',
  },
  {
    path: '/signaling/',
    title: 'Set up a signaling service',
    short: 'Signaling',
    teaches: 'Join a room on the socket.io server and see the created / joined / ready / full / bye messages.',
  },
  {
    path: '/call/',
    title: 'Combine peer connection and signaling',
    short: 'Call',
    teaches:
      'A real call between two browsers: perfect negotiation (either side may offer; on a clash the polite one yields), ' +
      'trickle ICE (addresses sent as they are found), STUN/TURN, rejoin after a peer leaves.',
  },
  {
    path: '/photo/',
    title: 'Take a photo and share it via a data channel',
    short: 'Photo',
    teaches:
      'Snap a frame to a canvas and send it in chunks with back-pressure (pausing while the send buffer is full) and an integrity check.',
  },
];

/** The diagnostics tools, served under /diagnostics/. */
export const DIAGNOSTICS_PAGES: readonly PageInfo[] = [
  {
    path: '/diagnostics/ice/',
    title: 'ICE server test',
    short: 'ICE server test',
    teaches: 'Gather candidates against your STUN/TURN servers and read why a relay did or did not appear.',
  },
  {
    path: '/diagnostics/quality/',
    title: 'Call quality',
    short: 'Call quality',
    teaches: 'Live getStats charts of a call: bitrate, packet loss, jitter, round-trip time, frame rate.',
  },
  {
    path: '/diagnostics/camera/',
    title: 'Camera probe',
    short: 'Camera probe',
    teaches: 'Which resolutions and frame rates each camera really delivers, and what the browser reports.',
  },
  {
    path: '/diagnostics/audio/',
    title: 'Microphone and speakers',
    short: 'Microphone and speakers',
    teaches: 'Microphone level and verdict in dBFS, the processing applied, a speaker test, and hearing yourself through a real peer connection.',
  },
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
  if (!page) throw new Error(`No page at ${path} in pages.ts: add it there (path, title, short, teaches) first.`);
  return page;
}

/** `/webcam/index.html` and `/webcam` are the same page as `/webcam/`. */
export function normalisePath(path: string): string {
  let normal = path.replace(/index\.html$/, '');
  if (!normal.endsWith('/')) normal += '/';
  return normal;
}
