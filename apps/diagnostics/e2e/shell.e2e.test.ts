// Smoke test of the diagnostics app: served under /diagnostics/, its index links the four tools,
// and each tool page loads without errors.
import zh from '@workbench/i18n/messages/zh-CN.json' with { type: 'json' };
import { axeFindings, englishLeft, type OpenedPage } from '@workbench/testing';
import { pageSuite } from '@workbench/testing/suite';
import { describe, expect, it } from 'vitest';

const TOOL_PATHS = ['/diagnostics/ice/', '/diagnostics/quality/', '/diagnostics/camera/', '/diagnostics/audio/'];

const suite = pageSuite();

async function open(path: string): Promise<OpenedPage> {
  const page = await suite.open(path);
  return page;
}

describe('diagnostics index /diagnostics/', () => {
  it('loads and links the ICE, quality, camera and audio tools', async () => {
    const { page, problems } = await open('/diagnostics/');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).count()).toBeGreaterThan(0);
    const hrefs = await page.locator('a[href]').evaluateAll((links) => links.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
    for (const path of TOOL_PATHS) expect(hrefs, `links found: ${hrefs.join(' ')}`).toContain(path);
    expect(problems()).toEqual([]);
  });

  it.each(TOOL_PATHS)('%s is served and has a heading', async (path) => {
    const { page, problems } = await open(path);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).count()).toBeGreaterThan(0);
    expect(problems()).toEqual([]);
  });
});

// Issue 16: the diagnostics shell in Chinese, found by Chinese names; the choice carries over.
describe('the diagnostics in Chinese', () => {
  const ZH_TITLES: Record<string, string> = {
    '/diagnostics/ice/': zh.page_ice_title,
    '/diagnostics/quality/': zh.page_quality_title,
    '/diagnostics/camera/': zh.page_camera_title,
    '/diagnostics/audio/': zh.page_audio_title,
  };

  it('/diagnostics/?lang=zh-CN: nav, switcher, title, heading and tool list in Chinese', async () => {
    const { page, problems } = await open('/diagnostics/?lang=zh-CN');
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    const nav = page.getByRole('navigation', { name: '诊断工具' });
    expect(await nav.getByRole('link', { name: /Codelab 步骤/ }).getAttribute('href')).toBe('/');
    expect(await page.getByRole('group', { name: '语言' }).getByRole('link', { name: '中文' }).getAttribute('aria-current')).toBe('true');
    expect(await page.title()).toBe('WebRTC Workbench · 诊断工具');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('诊断工具');
    for (const [path, title] of Object.entries(ZH_TITLES)) {
      expect(await page.getByRole('main').getByRole('link', { name: title, exact: true }).getAttribute('href')).toBe(path);
    }
    // The whole index is translated: no English left anywhere in it (names of APIs aside).
    expect(await englishLeft(page, ['head title', 'body'])).toEqual([]);
    expect(problems()).toEqual([]);
  });

  it.each(Object.keys(ZH_TITLES))('%s: reached from the Chinese index by a plain link, still Chinese', async (path) => {
    const { page, problems } = await open('/diagnostics/?lang=zh');
    const title = ZH_TITLES[path] ?? '';
    await page.getByRole('navigation', { name: '诊断工具' }).getByRole('link', { name: title }).click();
    await page.waitForURL((url) => url.pathname === path && url.search === '');
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(title);
    expect(await page.title()).toBe(`${title} · WebRTC Workbench`);
    // The translated frame: header, nav, page heading, previous/next and footer.
    expect(await englishLeft(page, ['head title', '.site-header', 'main h1', '.pager', '.site-footer'])).toEqual([]);
    expect(problems()).toEqual([]);
  });

  it('?lang=en switches back, and a zh-CN browser starts in Chinese', async () => {
    const { page, problems } = await suite.open('/diagnostics/ice/', { context: { locale: 'zh-CN' } });
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(zh.page_ice_title);
    await page.getByRole('group', { name: '语言' }).getByRole('link', { name: 'English' }).click();
    await page.waitForURL((url) => url.searchParams.get('lang') === 'en');
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('ICE server test');
    // Saved: the next page is English although the browser still prefers Chinese.
    await page.goto(new URL('/diagnostics/camera/', page.url()).href);
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await page.title()).toBe('Camera probe · WebRTC Workbench');
    expect(problems()).toEqual([]);
  });
});

// Issue 16: axe on every diagnostics page in Chinese: lang="zh-CN" on <html> before the page
// runs, and no serious or critical violation in the Chinese page.
describe('axe-core on every diagnostics page in Chinese', () => {
  it.each(['/diagnostics/', ...TOOL_PATHS])('%s?lang=zh has no serious or critical violations', async (path) => {
    const { page, problems } = await open(`${path}?lang=zh`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    const { blocking, report } = await axeFindings(page, `${path}?lang=zh`);
    if (report) console.error(report);
    expect(blocking.map((v) => `${v.id} (${v.nodes.length})`), report).toEqual([]);
    expect(problems()).toEqual([]);
  });
});
