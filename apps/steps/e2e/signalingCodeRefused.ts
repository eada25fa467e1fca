/**
 * How the chunk-refetch tests of /call/ and /signaling/ begin: the page opens while its socket.io
 * chunk cannot load, as when the server was down, and must say the server is unreachable; then
 * the chunk may load again and the person presses Join. What Join must lead to, without a reload,
 * is each test's own.
 */
import { openPage, refuseRequests, type OpenedPage } from '@workbench/testing';
import type { Browser, Locator } from 'playwright-core';
import { expect } from 'vitest';

/** The socket.io chunk: Vite names it after its module. */
const SIGNALING_CHUNK = /\/assets\/signaling-client-[\w-]+\.js$/;

export interface RefusedThenJoined {
  member: OpenedPage;
  /** The page's alert: the unreachable-server panel, until Join worked. */
  alert: Locator;
}

/**
 * Opens `url` in `browser` with the chunk refused, checks the page says the server is unreachable
 * and that the chunk really was asked for, lets it load, and presses Join. The page goes into
 * `opened` (the file's list of pages to close) before anything is checked.
 */
export async function joinAfterSignalingCodeFailed(
  browser: Browser,
  url: string,
  opened: OpenedPage[],
  ignoreConsoleErrors: RegExp[] = [],
): Promise<RefusedThenJoined> {
  const chunk = refuseRequests(SIGNALING_CHUNK);
  const member = await openPage(browser, url, {
    beforeNavigate: chunk.beforeNavigate,
    ignoreConsoleErrors: [/^Failed to load resource: net::ERR_INTERNET_DISCONNECTED/, ...ignoreConsoleErrors],
  });
  opened.push(member);
  const alert = member.page.getByRole('alert');
  await expect.poll(() => alert.innerText().catch(() => ''), { timeout: 15_000 }).toContain('Signaling server unreachable');

  expect(chunk.count, 'the signaling client chunk was requested, and refused').toBeGreaterThan(0);
  await chunk.allow();
  await member.page.getByRole('button', { name: 'Join', exact: true }).click();
  return { member, alert };
}
