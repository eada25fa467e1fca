import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentTypeFor, resolveStaticPath, serveStatic, type StaticSite } from './static-files.js';

const sites: StaticSite[] = [
  { prefix: '/', root: '/srv/steps', workspace: 'steps' },
  { prefix: '/diagnostics/', root: '/srv/diag', workspace: 'diagnostics' },
];

describe('resolveStaticPath', () => {
  it('maps / to the steps app and /diagnostics/ to the diagnostics app', () => {
    expect(resolveStaticPath('/webcam/?x=1', sites)).toMatchObject({
      kind: 'file', relativePath: 'webcam/', query: '?x=1', directoryUrl: true, site: { workspace: 'steps' },
    });
    expect(resolveStaticPath('/diagnostics/ice/', sites)).toMatchObject({ kind: 'file', relativePath: 'ice/', site: { workspace: 'diagnostics' } });
    expect(resolveStaticPath('/diagnostics?a=b', sites)).toEqual({ kind: 'redirect', location: '/diagnostics/?a=b' });
    expect(resolveStaticPath('/assets/main-abc.js', sites)).toMatchObject({ kind: 'file', relativePath: 'assets/main-abc.js', directoryUrl: false });
  });

  it.each([
    '/../etc/passwd',
    '/webcam/../../x',
    '/%2e%2e/etc/passwd',
    '/%2E%2E%2Fetc%2Fpasswd',
    '/diagnostics/%2e%2e/%2e%2e/package.json',
    '/a%00.html',
    '/..%5c..%5cx',
    '/%E0%A4%A',
    'relative',
  ])('refuses %s', (url) => {
    expect(resolveStaticPath(url, sites)).toEqual({ kind: 'bad-request' });
  });

  it('never serves dotfiles', () => {
    expect(resolveStaticPath('/.env', sites)).toEqual({ kind: 'not-found' });
    expect(resolveStaticPath('/assets/.git/config', sites)).toEqual({ kind: 'not-found' });
  });
});

describe('contentTypeFor', () => {
  it.each([
    ['a.html', 'text/html; charset=utf-8'],
    ['a.js', 'text/javascript; charset=utf-8'],
    ['a.CSS', 'text/css; charset=utf-8'],
    ['a.svg', 'image/svg+xml'],
    ['a.wasm', 'application/wasm'],
    ['a.json', 'application/json; charset=utf-8'],
    ['a.y4m', 'video/x-yuv4mpeg'],
    ['a.unknown', 'application/octet-stream'],
  ])('%s → %s', (file, type) => {
    expect(contentTypeFor(file)).toBe(type);
  });
});

describe('serveStatic: one address per page, answered in the reader\'s language', () => {
  let root: string;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'workbench-static-'));
    const files: Record<string, string> = {
      'index.html': 'en home',
      'call/index.html': 'en call',
      'webcam/index.html': 'en webcam',
      'zh-CN/index.html': 'zh home',
      'zh-CN/call/index.html': 'zh call',
      'zh-CN/assets/call-abc.js': 'zh js',
    };
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(root, dirname(path)), { recursive: true });
      await writeFile(join(root, path), text);
    }
    const site: StaticSite[] = [{ prefix: '/', root, workspace: 'steps' }];
    server = createServer((req, res) => void serveStatic(req, res, req.url ?? '/', site));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(root, { recursive: true, force: true });
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(base + path, { headers, redirect: 'manual' });

  it('no preference: English, marked as chosen by the request', async () => {
    const res = await get('/call/');
    expect(await res.text()).toBe('en call');
    expect(res.headers.get('content-language')).toBe('en');
    expect(res.headers.get('vary')).toBe('Cookie, Accept-Language');
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it.each([
    ['zh-CN,zh;q=0.9,en;q=0.8', 'zh call'],
    ['de-DE, zh;q=0.8, en;q=0.5', 'zh call'],
    ['en-US,zh-CN;q=0.5', 'en call'],
    ['zh;q=0, en', 'en call'],
  ])('Accept-Language %s → %s', async (acceptLanguage, body) => {
    expect(await (await get('/call/', { 'Accept-Language': acceptLanguage })).text()).toBe(body);
  });

  it('?lang= wins and is saved in a cookie, which then wins over Accept-Language', async () => {
    const chosen = await get('/call/?lang=zh&room=a', { 'Accept-Language': 'en' });
    expect(await chosen.text()).toBe('zh call');
    const cookie = chosen.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^workbench\.lang=zh-CN; Path=\/; Max-Age=\d+; SameSite=Lax$/);
    const next = await get('/', { Cookie: cookie.split(';')[0] ?? '', 'Accept-Language': 'en' });
    expect(await next.text()).toBe('zh home');
    expect(next.headers.get('content-language')).toBe('zh-CN');

    const back = await get('/call/?lang=en', { Cookie: 'workbench.lang=zh-CN' });
    expect(await back.text()).toBe('en call');
    expect(back.headers.get('set-cookie')).toMatch(/^workbench\.lang=en;/);
  });

  it('a page with no Chinese build falls back to English; /zh-CN/… names the Chinese build outright', async () => {
    expect(await (await get('/webcam/?lang=zh')).text()).toBe('en webcam');
    const named = await get('/zh-CN/call/', { 'Accept-Language': 'en' });
    expect(await named.text()).toBe('zh call');
    expect(named.headers.get('content-language')).toBe('zh-CN');
    expect(named.headers.get('vary')).toBeNull();
  });

  it('hashed assets of the Chinese build are cached for good; a directory without its slash redirects to the same address', async () => {
    const asset = await get('/zh-CN/assets/call-abc.js');
    expect(await asset.text()).toBe('zh js');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const redirect = await get('/call?lang=zh');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/call/?lang=zh');
  });

  it('the ETag differs per language, so a cached English page is not revalidated as the Chinese one', async () => {
    const en = (await get('/call/')).headers.get('etag');
    const zh = (await get('/call/', { 'Accept-Language': 'zh' })).headers.get('etag');
    expect(en).not.toBeNull();
    expect(zh).not.toBe(en);
  });
});
