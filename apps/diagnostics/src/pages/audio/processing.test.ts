import { overwriteGetLocale, getLocale } from '@workbench/i18n/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { describeProcessing } from './processing.js';

const englishLocale = getLocale;

describe('describeProcessing', () => {
  afterEach(() => overwriteGetLocale(englishLocale));

  it('names each setting on, off, or unreported', () => {
    expect(describeProcessing({ echoCancellation: true, noiseSuppression: false, autoGainControl: true })).toBe('EC on, NS off, AGC on');
    expect(describeProcessing({ echoCancellation: false })).toBe('EC off, NS ?, AGC ?');
  });

  it('in Chinese: the acronyms stay, on/off and the separator are Chinese', () => {
    overwriteGetLocale(() => 'zh-CN');
    expect(describeProcessing({ echoCancellation: true, noiseSuppression: false, autoGainControl: true })).toBe('EC 开，NS 关，AGC 开');
  });
});
