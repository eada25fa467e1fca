// Runs the tests of a describe block with paraglide answering in Simplified Chinese, as a page built
// for zh-CN does; Node's own answer (English, for the CLI and the server) is restored after each.
import { getLocale, overwriteGetLocale } from '@workbench/i18n/runtime';
import { afterEach, beforeEach } from 'vitest';

/** Chinese characters: a translated text has them, an English one left behind does not. */
export const CHINESE = /[\u4e00-\u9fff]/;

/** Call inside a `describe`: its tests see `getLocale() === 'zh-CN'`. */
export function inChinese(): void {
  const english = getLocale;
  beforeEach(() => overwriteGetLocale(() => 'zh-CN'));
  afterEach(() => overwriteGetLocale(english));
}
