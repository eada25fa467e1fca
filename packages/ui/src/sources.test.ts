import { getLocale, overwriteGetLocale } from '@workbench/i18n/runtime';
import { describe, expect, it } from 'vitest';
import { loadSources } from './sources.js';

function sink() {
  const warnings: string[] = [];
  return { warnings, log: { info: () => undefined, warn: (message: string) => warnings.push(message), error: () => undefined } };
}

describe('loadSources', () => {
  it('gives the texts in the order the imports were passed', async () => {
    const { log, warnings } = sink();
    const texts = await loadSources([Promise.resolve({ default: 'a' }), Promise.resolve({ default: 'b' })], log);
    expect(texts).toEqual(['a', 'b']);
    expect(warnings).toEqual([]);
  });

  it('warns once, in the singular or plural the page used to write, when a chunk cannot be fetched', async () => {
    const one = sink();
    expect(await loadSources([Promise.reject(new Error('offline'))], one.log)).toBeUndefined();
    expect(one.warnings).toEqual(['Could not load the source panel (offline?); the page itself works.']);
    const two = sink();
    await loadSources([Promise.resolve({ default: 'a' }), Promise.reject(new Error('offline'))], two.log);
    expect(two.warnings).toEqual(['Could not load the source panels (offline?); the page itself works.']);
  });

  it('warns in the page\'s language: Chinese on a Chinese page', async () => {
    const english = getLocale;
    overwriteGetLocale(() => 'zh-CN');
    try {
      const one = sink();
      await loadSources([Promise.reject(new Error('offline'))], one.log);
      expect(one.warnings).toEqual(['无法加载源代码面板（是否离线？）；页面本身仍可正常使用。']);
    } finally {
      overwriteGetLocale(english);
    }
  });
});
