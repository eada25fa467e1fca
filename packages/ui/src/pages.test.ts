import { describe, expect, it } from 'vitest';
import { DIAGNOSTICS_PAGES, STEP_PAGES, neighbours, normalisePath, pageAt } from './pages.js';

describe('pages', () => {
  it('lists the six codelab steps in order and the four diagnostics tools', () => {
    expect(STEP_PAGES.map((page) => page.path)).toEqual([
      '/webcam/',
      '/peer-connection/',
      '/data-channel/',
      '/signaling/',
      '/call/',
      '/photo/',
    ]);
    expect(DIAGNOSTICS_PAGES.map((page) => page.path)).toEqual([
      '/diagnostics/ice/',
      '/diagnostics/quality/',
      '/diagnostics/camera/',
      '/diagnostics/audio/',
    ]);
    for (const page of [...STEP_PAGES, ...DIAGNOSTICS_PAGES]) {
      expect(page.title.length).toBeGreaterThan(0);
      expect(page.teaches.length).toBeGreaterThan(0);
    }
  });

  it('links each page to its neighbours, from the site home to the last page', () => {
    expect(neighbours('steps', '/')).toMatchObject({ prev: undefined, next: { path: '/webcam/' } });
    expect(neighbours('steps', '/webcam/')).toMatchObject({ prev: { path: '/' }, next: { path: '/peer-connection/' } });
    expect(neighbours('steps', '/photo/index.html')).toMatchObject({ prev: { path: '/call/' }, next: undefined });
    expect(neighbours('diagnostics', '/diagnostics/ice')).toMatchObject({
      prev: { path: '/diagnostics/' },
      next: { path: '/diagnostics/quality/' },
    });
    expect(neighbours('steps', '/nowhere/')).toEqual({});
  });

  it('normalises index.html and a missing trailing slash', () => {
    expect(normalisePath('/webcam/index.html')).toBe('/webcam/');
    expect(normalisePath('/webcam')).toBe('/webcam/');
    expect(normalisePath('/')).toBe('/');
  });

  it('finds a page by path in either site and names what to do for an unknown one', () => {
    expect(pageAt('/webcam/index.html').title).toBe('Stream video from your webcam');
    expect(pageAt('/diagnostics/camera/').short).toBe('Camera');
    expect(() => pageAt('/nope/')).toThrow(/add it there/);
  });
});
