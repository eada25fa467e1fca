// webrtc-adapter where it does something, and only there (@workbench/core/adapter-need): today's
// Chromium and Firefox run the pages without fetching it; a browser that lacks a feature one of its
// shims adds (here Chromium with RTCIceCandidate.relayProtocol removed) fetches it before the page
// runs, the shim is installed, and the page works.
import { launchFirefox, openPage, type OpenedPage } from '@workbench/testing';
import { pageSuite } from '@workbench/testing/suite';
import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';

const suite = pageSuite();
let firefox: Browser | undefined;
const firefoxPages: OpenedPage[] = [];

afterAll(async () => {
  for (const opened of firefoxPages) await opened.close();
  await firefox?.close();
});

/** Every JS file the page fetched, by name. */
function scriptsFetched(page: Page): string[] {
  const names: string[] = [];
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (path.endsWith('.js')) names.push(path.slice(path.lastIndexOf('/') + 1));
  });
  return names;
}

/** /data-channel/'s Start → Send: the page works with or without the adapter. */
async function sendsText(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  const send = page.getByRole('button', { name: 'Send', exact: true });
  await expect.poll(() => send.isEnabled(), { timeout: 15_000 }).toBe(true);
  await page.getByLabel('Data to send').fill('hello');
  await send.click();
  await expect.poll(() => page.getByLabel('Data received').inputValue()).toBe('hello');
}

const adapterState = (page: Page) => page.evaluate(() => document.documentElement.dataset.webrtcAdapter);

describe('webrtc-adapter is loaded only where it shims something', () => {
  it('today\'s Chromium: not fetched, and the page works', async () => {
    const { page, problems } = await suite.open('/data-channel/');
    const fetched = scriptsFetched(page);
    await page.reload();
    await expect.poll(() => adapterState(page)).toBe('not needed');
    await sendsText(page);
    expect(fetched.length).toBeGreaterThan(0);
    expect(await page.evaluate(() => Object.prototype.hasOwnProperty.call(RTCPeerConnection.prototype, 'addEventListener'))).toBe(false);
    expect(fetched.filter((name) => name.startsWith('adapter_core-'))).toEqual([]);
    expect(problems()).toEqual([]);
  });

  it('a browser missing a feature the adapter adds: fetched before the page runs, its shim installed, the page works', async () => {
    const { page, problems } = await suite.open('/data-channel/', {
      beforeNavigate: async (context) => {
        await context.addInitScript(() => {
          delete (RTCIceCandidate.prototype as { relayProtocol?: unknown }).relayProtocol;
        });
      },
    });
    const fetched = scriptsFetched(page);
    await page.reload();
    await expect.poll(() => adapterState(page)).toBe('loaded');
    expect(fetched.filter((name) => name.startsWith('adapter_core-'))).toHaveLength(1);
    // The adapter's shimRTCIceCandidateRelayProtocol ran: it wraps the connection's icecandidate
    // listeners (to set relayProtocol on relay candidates) with an addEventListener of its own.
    expect(await page.evaluate(() => Object.prototype.hasOwnProperty.call(RTCPeerConnection.prototype, 'addEventListener'))).toBe(true);
    await sendsText(page);
    expect(problems()).toEqual([]);
  });

  it('today\'s Firefox ESR: not fetched, and the page works', async () => {
    firefox = await launchFirefox();
    const opened = await openPage(firefox, suite.workbench.urlFor('/data-channel/'));
    firefoxPages.push(opened);
    const { page, problems } = opened;
    const fetched = scriptsFetched(page);
    await page.reload();
    await expect.poll(() => adapterState(page)).toBe('not needed');
    await sendsText(page);
    expect(fetched.filter((name) => name.startsWith('adapter_core-'))).toEqual([]);
    expect(problems()).toEqual([]);
  });
});
