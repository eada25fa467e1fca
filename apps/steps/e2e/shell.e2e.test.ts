// Smoke test of the steps app as a learner meets it: the index lists the six steps in order, and the
// webcam step shows the (fake) camera and stops it.
import zh from '@workbench/i18n/messages/zh-CN.json' with { type: 'json' };
import { englishLeft, waitForVideoPlaying, type OpenedPage } from '@workbench/testing';
import { pageSuite } from '@workbench/testing/suite';
import type { JSHandle, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';

const STEP_PATHS = ['/webcam/', '/peer-connection/', '/data-channel/', '/signaling/', '/call/', '/photo/'];

const suite = pageSuite();

async function open(path: string): Promise<OpenedPage> {
  const page = await suite.open(path);
  return page;
}

describe('steps index /', () => {
  it('links the six steps, in the codelab order', async () => {
    const { page, problems } = await open('/');
    const hrefs = await page.locator('a[href]').evaluateAll((links) => links.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
    const firstIndex = STEP_PATHS.map((path) => hrefs.indexOf(path));
    expect(firstIndex.every((i) => i >= 0), `links found: ${hrefs.join(' ')}`).toBe(true);
    expect([...firstIndex].sort((a, b) => a - b)).toEqual(firstIndex);
    expect(problems()).toEqual([]);
  });

  it.each(STEP_PATHS)('%s is served and has a heading', async (path) => {
    const { page, problems } = await open(path);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).count()).toBeGreaterThan(0);
    expect(problems()).toEqual([]);
  });
});

describe('webcam step /webcam/', () => {
  it('Start camera shows the fake camera playing; Stop ends its tracks', async () => {
    const { page, problems } = await open('/webcam/');
    const start = page.getByRole('button', { name: 'Start camera' });
    const stop = page.getByRole('button', { name: 'Stop', exact: true });
    await start.click();

    const video = page.getByLabel('Local camera');
    const state = await waitForVideoPlaying(video, { label: 'Local camera' });
    expect(state.videoWidth).toBeGreaterThan(0);

    // Held before Stop: the page may drop `window.stream` once the camera is off.
    const stream = (await page.evaluateHandle(() => (window as unknown as { stream?: MediaStream }).stream)) as JSHandle<MediaStream | undefined>;
    expect(await stream.evaluate((s) => s?.getVideoTracks().map((t) => t.readyState))).toEqual(['live']);

    await stop.click();
    await expect.poll(() => stream.evaluate((s) => s?.getTracks().map((t) => t.readyState))).toEqual(expect.arrayContaining(['ended']));
    expect(await stream.evaluate((s) => s?.getTracks().every((t) => t.readyState === 'ended'))).toBe(true);
    expect(problems()).toEqual([]);
  });
});

// Issue 16: the shell (header, nav, switcher, titles) in Chinese. Controls are found by their
// Chinese names, so a page that stayed English, or fell back to English, fails here.
describe('the steps in Chinese (?lang=zh, the saved choice, navigator.languages)', () => {
  const ZH_TITLES: Record<string, string> = {
    '/webcam/': zh.page_webcam_title,
    '/peer-connection/': zh.page_peer_connection_title,
    '/data-channel/': zh.page_data_channel_title,
    '/signaling/': zh.page_signaling_title,
    '/call/': zh.page_call_title,
    '/photo/': zh.page_photo_title,
  };

  async function expectShellInChinese(page: Page): Promise<void> {
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    await expect(page.getByRole('navigation', { name: 'Codelab 步骤' }).isVisible()).resolves.toBe(true);
    const switcher = page.getByRole('group', { name: '语言' });
    expect(await switcher.getByRole('link', { name: 'English' }).getAttribute('lang')).toBe('en');
    expect(await switcher.getByRole('link', { name: '中文' }).getAttribute('aria-current')).toBe('true');
  }

  it('/?lang=zh: the index, its nav, switcher, title and headings are Chinese', async () => {
    const { page, problems } = await open('/?lang=zh');
    await expectShellInChinese(page);
    expect(await page.title()).toBe('WebRTC Workbench · Codelab 步骤');
    expect(await page.getByRole('heading', { level: 2 }).allInnerTexts()).toEqual(['六个步骤', '正在排查真实的通话？']);
    // Every step is linked under its Chinese title, with its Chinese line under it.
    for (const [path, title] of Object.entries(ZH_TITLES)) {
      expect(await page.getByRole('main').getByRole('link', { name: title, exact: true }).getAttribute('href')).toBe(path);
    }
    await expect(page.getByText(zh.teaches_webcam).isVisible()).resolves.toBe(true);
    // The whole index is translated: no English left anywhere in it (names of APIs aside).
    expect(await englishLeft(page, ['head title', 'body'])).toEqual([]);
    expect(problems()).toEqual([]);
  });

  it('without JavaScript, every page says in both languages why it needs it', async () => {
    for (const path of ['/', ...STEP_PATHS]) {
      const { page } = await suite.open(path, { context: { javaScriptEnabled: false } });
      expect(await page.locator('noscript p[lang="en"]').innerText(), path).toContain('needs JavaScript');
      expect(await page.locator('noscript p[lang="zh-CN"]').innerText(), path).toContain('需要启用 JavaScript');
    }
  });

  it('the same walk finds the English of the English index (the check can fail)', async () => {
    const { page } = await open('/?lang=en');
    const left = await englishLeft(page, ['main']);
    expect(left.length).toBeGreaterThan(5);
    expect(left.join('\n')).toContain('Stream video from your webcam');
  });

  it.each(Object.keys(ZH_TITLES))('%s?lang=zh: heading, title and lang in Chinese', async (path) => {
    const { page, problems } = await open(`${path}?lang=zh`);
    await expectShellInChinese(page);
    const title = ZH_TITLES[path] ?? '';
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(title);
    expect(await page.title()).toBe(`${title} · WebRTC Workbench`);
    // The translated frame: header, nav, page heading, previous/next and footer.
    expect(await englishLeft(page, ['head title', '.site-header', 'main h1', '.pager', '.site-footer'])).toEqual([]);
    expect(problems()).toEqual([]);
  });

  it('the choice is kept on the next page (a plain link), and ?lang=en switches back for good', async () => {
    const { page, problems } = await open('/?lang=zh');
    await page.getByRole('navigation', { name: 'Codelab 步骤' }).getByRole('link', { name: zh.page_webcam_short }).click();
    await page.waitForURL((url) => url.pathname === '/webcam/' && url.search === '');
    await expectShellInChinese(page);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(zh.page_webcam_title);

    await page.getByRole('group', { name: '语言' }).getByRole('link', { name: 'English' }).click();
    await page.waitForURL((url) => url.pathname === '/webcam/' && url.searchParams.get('lang') === 'en');
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Stream video from your webcam');

    await page.getByRole('navigation', { name: 'Previous and next page' }).getByRole('link', { name: /Next/ }).click();
    await page.waitForURL((url) => url.pathname === '/peer-connection/' && url.search === '');
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await page.title()).toBe('Stream video with RTCPeerConnection · WebRTC Workbench');
    expect(problems()).toEqual([]);
  });

  /** The text of every script this page loaded (its entry, the chunks it imports, the lazy ones). */
  async function loadedScripts(page: Page): Promise<string> {
    return page.evaluate(async () => {
      const urls = performance.getEntriesByType('resource').map((entry) => entry.name).filter((url) => url.endsWith('.js'));
      const texts = await Promise.all(urls.map(async (url) => (await fetch(url)).text()));
      return texts.join('\n');
    });
  }

  it('each language is its own build: a page loads only its own language, and its HTML says which before any script runs', async () => {
    const zhPage = (await open('/call/?lang=zh')).page;
    await expectShellInChinese(zhPage);
    const zhScripts = await loadedScripts(zhPage);
    expect(zhScripts).toContain(zh.page_call_title);
    expect(zhScripts).not.toContain('Combine peer connection and signaling');

    const enPage = (await open('/call/?lang=en')).page;
    const enScripts = await loadedScripts(enPage);
    expect(enScripts).toContain('Combine peer connection and signaling');
    expect(enScripts).not.toContain(zh.page_call_title);

    const { page: noScript } = await suite.open('/call/?lang=zh', { context: { javaScriptEnabled: false } });
    expect(await noScript.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
  });

  it('a browser set to Chinese (navigator.languages zh-CN) gets Chinese with no ?lang', async () => {
    const { page, problems } = await suite.open('/call/', { context: { locale: 'zh-CN' } });
    expect(await page.evaluate(() => navigator.languages)).toContain('zh-CN');
    await expectShellInChinese(page);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(zh.page_call_title);
    expect(problems()).toEqual([]);
  });

  it('a browser set to English gets English, the switcher offering 中文', async () => {
    const { page, problems } = await suite.open('/call/', { context: { locale: 'en-US' } });
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Combine peer connection and signaling');
    const href = await page.getByRole('group', { name: 'Language' }).getByRole('link', { name: '中文' }).getAttribute('href');
    expect(new URL(href ?? '', 'http://x.test').pathname).toBe('/call/');
    expect(new URL(href ?? '', 'http://x.test').searchParams.get('lang')).toBe('zh');
    expect(problems()).toEqual([]);
  });
});
