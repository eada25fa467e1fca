// Wire compatibility with the original codelab: a page that speaks the codelab's step-05 protocol
// exactly (fixtures/codelab-step-05, written here rather than copied), served by our server, must
// make a call between two browsers. The page loads /socket.io/socket.io.js from the
// server, calls io.connect(), joins room 'foo' with 'create or join' and relays offer/answer/candidates
// (with the codelab's label/id fields) through 'message' — the exact protocol the server promises.
import { createRequire } from 'node:module';

import { FIXTURES, launchChromium, launchFirefox, openPage, startWorkbench, waitForVideoPlaying, type OpenedPage, type Workbench } from '@workbench/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

// The page fetches adapter.js from webrtc.github.io; tests run offline, so that one request is
// answered with the same library from node_modules (see fixtures/codelab-step-05/README.md).
const ADAPTER_URL = 'https://webrtc.github.io/adapter/adapter-latest.js';
const adapterPath = createRequire(import.meta.url).resolve('webrtc-adapter/out/adapter.js');
async function serveAdapterOffline(context: BrowserContext): Promise<void> {
  await context.route(ADAPTER_URL, (route) => route.fulfill({ path: adapterPath, contentType: 'text/javascript' }));
}

/** The codelab keeps its state in top-level `var`s, which live on `window`. */
function codelabState(page: Page): Promise<{ isInitiator: boolean; isChannelReady: boolean; isStarted: boolean; hasPc: boolean }> {
  return page.evaluate(() => {
    const w = window as unknown as Record<string, unknown>;
    return { isInitiator: w['isInitiator'] === true, isChannelReady: w['isChannelReady'] === true, isStarted: w['isStarted'] === true, hasPc: Boolean(w['pc']) };
  });
}

let workbench: Workbench;
// `localhost`, not 127.0.0.1: on any other hostname the codelab first fetches a TURN server from
// computeengineondemand.appspot.com, a service long gone.
let pageUrl: string;
beforeAll(async () => {
  workbench = await startWorkbench({ staticRoots: { steps: FIXTURES.codelabStep05, diagnostics: FIXTURES.harnessPage } });
  pageUrl = `http://localhost:${workbench.port}/`;
});
afterAll(() => workbench?.close());

describe('a codelab step-5 client against this server', () => {
  const browsers: Browser[] = [];
  const pages: OpenedPage[] = [];
  afterEach(async () => {
    await Promise.all(pages.splice(0).map((p) => p.close().catch(() => undefined)));
    await Promise.all(browsers.splice(0).map((b) => b.close()));
  });

  async function openCodelab(browser: Browser): Promise<OpenedPage> {
    const opened = await openPage(browser, pageUrl, { beforeNavigate: serveAdapterOffline, promptAnswer: 'foo' });
    pages.push(opened);
    // Its own camera first: the codelab only reacts to a peer once it has a local stream.
    await waitForVideoPlaying(opened.page.locator('#localVideo'), { label: 'codelab #localVideo' });
    return opened;
  }

  it('serves the page and the socket.io client it loads from this server', async () => {
    const html = await (await fetch(pageUrl)).text();
    expect(html).toContain('<script src="/socket.io/socket.io.js"></script>');
    expect(html).toContain('<script src="js/main.js"></script>');
    expect((await fetch(`${workbench.url}/socket.io/socket.io.js`)).status).toBe(200);
    expect((await fetch(`${workbench.url}/js/main.js`)).status).toBe(200);
  });

  it('two Chromium pages in room foo call each other: both remote videos play', async () => {
    const browser = await launchChromium();
    browsers.push(browser);
    const first = await openCodelab(browser);
    await expect.poll(() => codelabState(first.page)).toMatchObject({ isInitiator: true, isChannelReady: false });
    const second = await openCodelab(browser);

    const [firstRemote, secondRemote] = await Promise.all([
      waitForVideoPlaying(first.page.locator('#remoteVideo'), { label: 'first page #remoteVideo' }),
      waitForVideoPlaying(second.page.locator('#remoteVideo'), { label: 'second page #remoteVideo' }),
    ]);
    expect(firstRemote.videoWidth).toBeGreaterThan(0);
    expect(secondRemote.videoWidth).toBeGreaterThan(0);
    expect(await codelabState(first.page)).toEqual({ isInitiator: true, isChannelReady: true, isStarted: true, hasPc: true });
    expect(await codelabState(second.page)).toEqual({ isInitiator: false, isChannelReady: true, isStarted: true, hasPc: true });
    expect([...first.problems(), ...second.problems()]).toEqual([]);
    expect([...first.dialogs, ...second.dialogs]).toEqual([]);
  });

  it("a page leaving sends the codelab's 'bye' through the server and the other page hangs up", async () => {
    const browser = await launchChromium();
    browsers.push(browser);
    const first = await openCodelab(browser);
    const second = await openCodelab(browser);
    await waitForVideoPlaying(first.page.locator('#remoteVideo'));
    // Closing runs onbeforeunload, which is where the codelab sends 'bye'.
    await second.page.close({ runBeforeUnload: true });
    await expect.poll(() => codelabState(first.page), { timeout: 10_000 }).toMatchObject({ isStarted: false, hasPc: false });
  });

  it('Chromium calls Firefox ESR through the server: both remote videos play', async () => {
    const [chromium, firefox] = await Promise.all([launchChromium(), launchFirefox()]);
    browsers.push(chromium, firefox);
    const first = await openCodelab(chromium);
    const second = await openCodelab(firefox);
    await Promise.all([
      waitForVideoPlaying(first.page.locator('#remoteVideo'), { label: 'Chromium #remoteVideo' }),
      waitForVideoPlaying(second.page.locator('#remoteVideo'), { label: 'Firefox #remoteVideo' }),
    ]);
    expect(first.pageErrors).toEqual([]);
    expect(second.pageErrors).toEqual([]);
  });
});
