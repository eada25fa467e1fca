import { describe, expect, it } from 'vitest';
import { m } from '@workbench/i18n/messages';
import { DIAGNOSTICS_HOME, DIAGNOSTICS_PAGES, STEPS_HOME, STEP_PAGES, neighbours, normalisePath, pageAt } from './pages.js';
import { teachesOf } from './teaches.js';

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
      // A tool's nav name is its title, so a newcomer recognises the page they land on (issue 13).
      if (DIAGNOSTICS_PAGES.includes(page)) expect(page.short).toBe(page.title);
    }
    for (const page of [STEPS_HOME, DIAGNOSTICS_HOME, ...STEP_PAGES, ...DIAGNOSTICS_PAGES]) expect(teachesOf(page.path).length).toBeGreaterThan(0);
    expect(() => teachesOf('/nope/')).toThrow(/add one here/);
  });

  it('a tool keeps its nav name equal to its title in Chinese too', () => {
    expect(m.page_ice_short({}, { locale: 'zh-CN' })).toBe(m.page_ice_title({}, { locale: 'zh-CN' }));
    expect(m.page_quality_short({}, { locale: 'zh-CN' })).toBe(m.page_quality_title({}, { locale: 'zh-CN' }));
    expect(m.page_camera_short({}, { locale: 'zh-CN' })).toBe(m.page_camera_title({}, { locale: 'zh-CN' }));
    expect(m.page_audio_short({}, { locale: 'zh-CN' })).toBe(m.page_audio_title({}, { locale: 'zh-CN' }));
  });

  it('links each page to its neighbours, from the site home to the last page', () => {
    expect(neighbours('steps', '/')).toMatchObject({ prev: undefined, next: { path: '/webcam/' } });
    expect(neighbours('steps', '/webcam/')).toMatchObject({ prev: { path: '/' }, next: { path: '/peer-connection/' } });
    expect(neighbours('steps', '/photo/index.html')).toMatchObject({ prev: { path: '/call/' }, next: { path: '/diagnostics/' } });
    expect(neighbours('steps', '/diagnostics/')).toEqual({});
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
    expect(pageAt('/diagnostics/camera/').short).toBe('Camera probe');
    expect(() => pageAt('/nope/')).toThrow(/add it there/);
  });
});
