/**
 * The setup every browser test file repeated: one workbench server and one Chromium for the file,
 * a fresh context per page, and every page closed after each test, pass or fail. Its own entry
 * point (`@workbench/testing/suite`) because it registers vitest hooks: the benchmarks import the
 * rest of the harness from plain Node, where vitest has no runner.
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';

import { launchChromium, type LaunchChromiumOptions } from './browsers.js';
import { openPage, type OpenPageOptions, type OpenedPage } from './pages.js';
import { startWorkbench, type Workbench, type WorkbenchOptions } from './workbench.js';

export interface PageSuiteOptions {
  workbench?: WorkbenchOptions;
  chromium?: LaunchChromiumOptions;
}

export interface PageSuite {
  /** The server of this file (valid inside tests and hooks, after beforeAll). */
  readonly workbench: Workbench;
  /** The Chromium of this file. */
  readonly browser: Browser;
  /** Opens a path of the workbench (or a full URL) in a new context; closed after the test. */
  open(pathOrUrl: string, options?: OpenPageOptions): Promise<OpenedPage>;
}

/** Call at the top level of a test file. */
export function pageSuite(options: PageSuiteOptions = {}): PageSuite {
  let workbench: Workbench | undefined;
  let browser: Browser | undefined;
  const opened: OpenedPage[] = [];

  beforeAll(async () => {
    workbench = await startWorkbench(options.workbench);
    browser = await launchChromium(options.chromium);
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((page) => page.close()));
  });
  afterAll(async () => {
    await browser?.close();
    await workbench?.close();
  });

  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`pageSuite: the ${what} is only there inside tests, after beforeAll.`);
    return value;
  };

  return {
    get workbench() {
      return ready(workbench, 'workbench');
    },
    get browser() {
      return ready(browser, 'browser');
    },
    async open(pathOrUrl, openOptions) {
      const url = /^https?:/.test(pathOrUrl) ? pathOrUrl : ready(workbench, 'workbench').urlFor(pathOrUrl);
      const page = await openPage(ready(browser, 'browser'), url, openOptions);
      opened.push(page);
      return page;
    },
  };
}
