import { describe, expect, it } from 'vitest';
import { cookieValue, hrefWithLocale, languagesFromAcceptLanguage, localeFromTag, resolveLocale, savedLocaleCookie } from './locale.js';

describe('localeFromTag', () => {
  it.each([
    ['zh', 'zh-CN'],
    ['zh-CN', 'zh-CN'],
    ['ZH-cn', 'zh-CN'],
    ['zh-Hans-CN', 'zh-CN'],
    ['zh-TW', 'zh-CN'],
    ['en', 'en'],
    ['en-GB', 'en'],
    ['de', undefined],
    ['', undefined],
    ['zhx', undefined],
    [null, undefined],
  ])('%s → %s', (tag, locale) => {
    expect(localeFromTag(tag)).toBe(locale);
  });
});

describe('resolveLocale: query, then saved, then navigator.languages, then English', () => {
  it('?lang=zh wins over a saved English choice and English browser languages', () => {
    expect(resolveLocale({ search: '?room=a&lang=zh', saved: 'en', languages: ['en-US'] })).toEqual({ locale: 'zh-CN', source: 'query' });
  });

  it('?lang=en wins over a saved Chinese choice and Chinese browser languages', () => {
    expect(resolveLocale({ search: '?lang=en', saved: 'zh-CN', languages: ['zh-CN'] })).toEqual({ locale: 'en', source: 'query' });
  });

  it('an unknown ?lang= is ignored, not an error', () => {
    expect(resolveLocale({ search: '?lang=fr', saved: 'zh-CN' })).toEqual({ locale: 'zh-CN', source: 'saved' });
  });

  it('the saved choice wins over navigator.languages', () => {
    expect(resolveLocale({ saved: 'en', languages: ['zh-CN'] })).toEqual({ locale: 'en', source: 'saved' });
  });

  it('navigator.languages in the reader\'s order: the first language we have wins', () => {
    expect(resolveLocale({ languages: ['zh-TW', 'en-US'] })).toEqual({ locale: 'zh-CN', source: 'navigator' });
    expect(resolveLocale({ languages: ['de-DE', 'zh-CN', 'en'] })).toEqual({ locale: 'zh-CN', source: 'navigator' });
    expect(resolveLocale({ languages: ['en-US', 'zh-CN'] })).toEqual({ locale: 'en', source: 'navigator' });
  });

  it('nothing Chinese anywhere: English', () => {
    expect(resolveLocale({ search: '', saved: null, languages: ['de-DE', 'fr'] })).toEqual({ locale: 'en', source: 'default' });
  });
});

describe('hrefWithLocale', () => {
  it('sets lang and keeps the path, other parameters and the hash', () => {
    expect(hrefWithLocale('http://x.test/call/?room=abc#log', 'zh-CN')).toBe('/call/?room=abc&lang=zh#log');
    expect(hrefWithLocale('http://x.test/call/?lang=zh&room=abc', 'en')).toBe('/call/?lang=en&room=abc');
  });

  it('drops a language directory, so the server picks the build for the new language', () => {
    expect(hrefWithLocale('http://x.test/zh-CN/call/?room=a', 'en')).toBe('/call/?room=a&lang=en');
    expect(hrefWithLocale('http://x.test/diagnostics/zh-CN/ice/', 'en')).toBe('/diagnostics/ice/?lang=en');
    expect(hrefWithLocale('http://x.test/zh-CN/', 'zh-CN')).toBe('/?lang=zh');
  });
});

describe('languagesFromAcceptLanguage', () => {
  it.each([
    ['zh-CN,zh;q=0.9,en;q=0.8', ['zh-CN', 'zh', 'en']],
    ['en;q=0.5, zh-TW', ['zh-TW', 'en']],
    ['de, en;q=0.7, fr;q=0.7', ['de', 'en', 'fr']],
    ['zh;q=0, en', ['en']],
    ['*;q=0.1, en', ['en']],
    ['zh;q=abc, en;q=2, fr;q=0.3', ['fr']],
    ['', []],
    [undefined, []],
  ])('%s → %j', (header, tags) => {
    expect(languagesFromAcceptLanguage(header)).toEqual(tags);
  });

  it('feeds the same resolver the pages use: an English-first browser that also lists Chinese gets English', () => {
    expect(resolveLocale({ languages: languagesFromAcceptLanguage('en-US,en;q=0.9,zh-CN;q=0.8') }).locale).toBe('en');
    expect(resolveLocale({ languages: languagesFromAcceptLanguage('en;q=0.4,zh-CN;q=0.8') }).locale).toBe('zh-CN');
  });
});

describe('the saved choice is a cookie', () => {
  it('is read from a Cookie header among others, and written for the whole site for a year', () => {
    expect(cookieValue('a=1; workbench.lang=zh-CN; b=2', 'workbench.lang')).toBe('zh-CN');
    expect(cookieValue('xworkbench.lang=zh-CN', 'workbench.lang')).toBeUndefined();
    expect(cookieValue(undefined, 'workbench.lang')).toBeUndefined();
    expect(savedLocaleCookie('zh-CN')).toBe('workbench.lang=zh-CN; Path=/; Max-Age=31536000; SameSite=Lax');
  });
});
