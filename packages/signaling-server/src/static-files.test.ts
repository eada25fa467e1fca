import { describe, expect, it } from 'vitest';
import { contentTypeFor, resolveStaticPath, type StaticSite } from './static-files.js';

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
