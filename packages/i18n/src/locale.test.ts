import { describe, expect, it } from 'vitest';
import { hrefWithLocale, localeFromTag, resolveLocale } from './locale.js';

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
});
