import type { Browser, BrowserContext, BrowserContextOptions, ConsoleMessage, Locator, Page, Route } from 'playwright-core';

import { readFile } from 'node:fs/promises';

import { HarnessError, HarnessErrorCode } from './errors.js';

export interface OpenPageOptions {
  /** Options for the fresh browser context the page opens in (one context = one independent "user"). */
  context?: BrowserContextOptions;
  /** What `prompt()` answers. Default: accept with the prompt's default value. */
  promptAnswer?: string;
  /** Console errors matching any of these are not counted as problems. */
  ignoreConsoleErrors?: RegExp[];
  /** Navigation timeout in ms. Default 30 000. */
  timeoutMs?: number;
  /** Runs on the new context before the page navigates, e.g. to `context.route()` requests. */
  beforeNavigate?: (context: BrowserContext) => Promise<void> | void;
}

export interface DialogRecord {
  type: string;
  message: string;
}

export interface OpenedPage {
  page: Page;
  context: BrowserContext;
  /** console.error() calls and failed resource loads the page reported, as text with their location. */
  consoleErrors: string[];
  /** Uncaught exceptions and unhandled rejections in the page. */
  pageErrors: string[];
  /**
   * Content-Security-Policy violations the page reported (`securitypolicyviolation` events). Also
   * in consoleErrors, so `problems()` is empty only for a page that runs within the server's CSP.
   */
  cspViolations: string[];
  /** Every alert/confirm/prompt/beforeunload the page raised; all are answered so the page never blocks. */
  dialogs: DialogRecord[];
  /** consoleErrors + pageErrors: assert `expect(opened.problems()).toEqual([])`. */
  problems(): string[];
  close(): Promise<void>;
}

/** How openPage reports a CSP violation in consoleErrors. */
export const CSP_PREFIX = 'Content-Security-Policy violation: ';

function describeConsole(message: ConsoleMessage): string {
  const { url, lineNumber } = message.location();
  return url ? `${message.text()} (${url}:${lineNumber})` : message.text();
}

/** Browsers request /favicon.ico on their own; its 404 is noise, not a page problem. */
function isFaviconNoise(message: ConsoleMessage): boolean {
  return /\/favicon\.ico$/.test(message.location().url ?? '');
}

/**
 * Opens `url` in a new context of `browser` and records everything that went wrong in the page, so a
 * test can assert a page ran cleanly, not just that one element appeared.
 */
export async function openPage(browser: Browser, url: string, options: OpenPageOptions = {}): Promise<OpenedPage> {
  const context = await browser.newContext(options.context);
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];
  const dialogs: DialogRecord[] = [];
  const ignored = options.ignoreConsoleErrors ?? [];

  page.on('console', (message) => {
    if (message.type() !== 'error' || isFaviconNoise(message)) return;
    const text = describeConsole(message);
    if (!ignored.some((pattern) => pattern.test(text))) consoleErrors.push(text);
  });
  page.on('pageerror', (error) => pageErrors.push(error.stack ?? String(error)));
  page.on('dialog', (dialog) => {
    dialogs.push({ type: dialog.type(), message: dialog.message() });
    const answer = dialog.type() === 'prompt' ? (options.promptAnswer ?? dialog.defaultValue()) : undefined;
    dialog.accept(answer).catch(() => {
      // The page may have navigated away and taken the dialog with it.
    });
  });

  // Browsers log CSP violations in their own words (Firefox as a warning); the DOM event is the
  // same in both. Re-logged as an error so every test that checks problems() also checks the CSP.
  await context.addInitScript((prefix: string) => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const where = event.sourceFile ? ` (${event.sourceFile}:${event.lineNumber})` : '';
      console.error(`${prefix}${event.effectiveDirective} blocked ${event.blockedURI || 'inline code'}${where}`);
    });
  }, CSP_PREFIX);
  // Tests inject axe-core with addScriptTag({ path }), an inline <script> the server's CSP refuses.
  // Evaluated through the automation protocol instead, the same code is not subject to the page's CSP.
  const addScriptTag = page.addScriptTag.bind(page);
  page.addScriptTag = async (tag = {}) => {
    if (tag.path === undefined || tag.type === 'module') return addScriptTag(tag);
    await page.evaluate(`${await readFile(tag.path, 'utf8')}\n;undefined`);
    return page.evaluateHandle(() => document.documentElement);
  };
  await options.beforeNavigate?.(context);
  await page.goto(url, { timeout: options.timeoutMs ?? 30_000 });
  return {
    page,
    context,
    consoleErrors,
    pageErrors,
    get cspViolations() {
      return consoleErrors.filter((line) => line.startsWith(CSP_PREFIX));
    },
    dialogs,
    problems: () => [...consoleErrors, ...pageErrors],
    close: () => context.close(),
  };
}

/** What refuseRequests gives a test: the hook for openPage, a count, and the way back online. */
export interface RefusedRequests {
  /** openPage's `beforeNavigate`: from then on the context refuses the matching requests. */
  beforeNavigate: (context: BrowserContext) => Promise<void>;
  /** How many requests were refused so far: a test can check its pattern met anything. */
  readonly count: number;
  /** Lets the matching requests through again, in every context this refused them in. */
  allow(): Promise<void>;
}

/**
 * Requests whose URL matches `pattern` fail as they do offline (net::ERR_INTERNET_DISCONNECTED)
 * until `allow()`: e.g. a page's lazily loaded chunk, to see what the page says and whether it
 * recovers without a reload once the chunk can load.
 */
export function refuseRequests(pattern: RegExp): RefusedRequests {
  const contexts: BrowserContext[] = [];
  let count = 0;
  const refuse = (route: Route): Promise<void> => {
    count += 1;
    return route.abort('internetdisconnected');
  };
  return {
    beforeNavigate: async (context) => {
      contexts.push(context);
      await context.route(pattern, refuse);
    },
    get count() {
      return count;
    },
    async allow() {
      await Promise.all(contexts.map((context) => context.unroute(pattern, refuse)));
    },
  };
}

export interface VideoState {
  videoWidth: number;
  videoHeight: number;
  currentTime: number;
  paused: boolean;
  readyState: number;
}

async function readVideoState(video: Locator): Promise<VideoState> {
  return video.evaluate((element) => {
    if (!(element instanceof HTMLVideoElement)) throw new Error(`expected a <video>, got <${element.tagName.toLowerCase()}>`);
    return {
      videoWidth: element.videoWidth,
      videoHeight: element.videoHeight,
      currentTime: element.currentTime,
      paused: element.paused,
      readyState: element.readyState,
    };
  });
}

/**
 * Waits until `video` shows decoded frames (videoWidth > 0) and its currentTime advances, which is
 * what "the video plays" means: a stalled stream keeps its size but its clock stops.
 * Resolves with the last state seen; throws VideoNotPlaying with that state on timeout.
 */
export async function waitForVideoPlaying(video: Locator, options: { timeoutMs?: number; label?: string } = {}): Promise<VideoState> {
  const { timeoutMs = 20_000, label = 'video' } = options;
  const deadline = Date.now() + timeoutMs;
  let first: VideoState | undefined;
  let last: VideoState | undefined;
  while (Date.now() < deadline) {
    last = await readVideoState(video).catch(() => undefined);
    if (last && last.videoWidth > 0) {
      if (!first) first = last;
      else if (last.currentTime > first.currentTime) return last;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new HarnessError(
    HarnessErrorCode.VideoNotPlaying,
    `${label} did not play within ${timeoutMs} ms (last state: ${JSON.stringify(last ?? 'element not found')}). ` +
      'A width of 0 means no frame arrived; a width with a frozen currentTime means the stream stalled.',
  );
}
