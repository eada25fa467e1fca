// Every page of both built apps runs within the server's Content-Security-Policy: loaded in
// Chromium, none reports a `securitypolicyviolation` (openPage turns each into a console error).
// A control page with an inline script proves the detector sees a violation when there is one.
import { readdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';

import { BUILT_APPS, launchChromium, openPage, startWorkbench, type Workbench } from '@workbench/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** URL paths of every index.html under `dir`, mounted at `prefix`. */
async function pagesUnder(dir: string, prefix: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name === 'index.html')
    .map((entry) => {
      const folder = relative(dir, entry.parentPath).split(sep).filter(Boolean).join('/');
      return `${prefix}${folder === '' ? '' : `${folder}/`}`;
    })
    .sort();
}

let workbench: Workbench;
let browser: Browser;
beforeAll(async () => {
  workbench = await startWorkbench();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await workbench?.close();
});

describe('Content-Security-Policy', () => {
  it('is sent with every page of both apps, and no page violates it', async () => {
    const paths = [...(await pagesUnder(BUILT_APPS.steps, '/')), ...(await pagesUnder(BUILT_APPS.diagnostics, '/diagnostics/'))];
    expect(paths).toContain('/call/');
    expect(paths).toContain('/diagnostics/ice/');
    const report: Record<string, string[]> = {};
    for (const path of paths) {
      const opened = await openPage(browser, workbench.urlFor(path));
      try {
        const response = await opened.page.request.get(workbench.urlFor(path));
        expect(response.headers()['content-security-policy'], path).toMatch(/script-src 'self'/);
        await opened.page.waitForLoadState('load');
        // Scripts that run after load (the page's own start-up) get a moment to do so.
        await opened.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 300))));
        report[path] = opened.cspViolations;
      } finally {
        await opened.close();
      }
    }
    expect(report).toEqual(Object.fromEntries(paths.map((path) => [path, []])));
  }, 300_000); // a dozen pages, one after another, on a loaded two-core machine

  it('reports a violation when a page breaks it (an inline script)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'csp-control-'));
    await writeFile(join(root, 'index.html'), '<!doctype html><title>control</title><script>document.title = "ran"</script>');
    const control = await startWorkbench({ staticRoots: { steps: root } });
    try {
      const opened = await openPage(browser, control.urlFor('/'));
      try {
        const deadline = Date.now() + 10_000;
        while (opened.cspViolations.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
        expect(opened.cspViolations[0]).toMatch(/script-src/);
        expect(await opened.page.title()).toBe('control');
      } finally {
        await opened.close();
      }
    } finally {
      await control.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
