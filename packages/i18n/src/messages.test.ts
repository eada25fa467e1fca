// The same check `npm run build` runs before compiling (scripts/check-messages.mjs), here so a
// missing translation also fails `npm test` with the key named.
import { describe, expect, it } from 'vitest';
import { checkMessages } from '../scripts/check-messages.mjs';
import en from '../messages/en.json' with { type: 'json' };
import zh from '../messages/zh-CN.json' with { type: 'json' };
import { m } from '../dist/paraglide/messages.js';

describe('messages', () => {
  it('every key is in both languages, non-empty, with the same parameters, and used', () => {
    expect(checkMessages()).toEqual([]);
  });

  it('the compiled Chinese messages are the zh-CN.json text, not an English fallback', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    expect(m.page_webcam_title({}, { locale: 'zh-CN' })).toBe(zh.page_webcam_title);
    expect(m.page_webcam_title({}, { locale: 'en' })).toBe(en.page_webcam_title);
    expect(m.other_site_link({ title: 'X' }, { locale: 'zh-CN' })).toBe('X →');
  });
});
