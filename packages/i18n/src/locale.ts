/**
 * Which language a page is shown in. One resolver, framework-free, so the order is tested
 * without a browser: `?lang=` in the address, then the choice saved from an earlier `?lang=`,
 * then the browser's languages, else English.
 */

export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];
export const BASE_LOCALE: Locale = 'en';

/** localStorage key for the learner's last explicit choice. */
export const SAVED_LOCALE_KEY = 'workbench.lang';

/** The query parameter the switcher links set: `?lang=zh` / `?lang=zh-CN` / `?lang=en`. */
export const LOCALE_PARAM = 'lang';

/**
 * `zh`, `zh-CN`, `zh-Hans-CN`, `zh-TW` … → zh-CN (the only Chinese we ship); `en`, `en-GB` … → en;
 * anything else → undefined. Case-insensitive, as language tags are.
 */
export function localeFromTag(tag: string | null | undefined): Locale | undefined {
  const lower = tag?.trim().toLowerCase();
  if (!lower) return undefined;
  if (lower === 'zh' || lower.startsWith('zh-')) return 'zh-CN';
  if (lower === 'en' || lower.startsWith('en-')) return 'en';
  return undefined;
}

export interface LocaleInputs {
  /** `location.search`, e.g. `?lang=zh&room=abc`. */
  search?: string;
  /** What was saved under SAVED_LOCALE_KEY, if anything. */
  saved?: string | null;
  /** `navigator.languages`. */
  languages?: readonly string[];
}

export interface ResolvedLocale {
  locale: Locale;
  /** Where it came from; `query` means it should be saved for the next page. */
  source: 'query' | 'saved' | 'navigator' | 'default';
}

export function resolveLocale({ search = '', saved, languages = [] }: LocaleInputs): ResolvedLocale {
  const fromQuery = localeFromTag(new URLSearchParams(search).get(LOCALE_PARAM));
  if (fromQuery) return { locale: fromQuery, source: 'query' };
  const fromSaved = localeFromTag(saved);
  if (fromSaved) return { locale: fromSaved, source: 'saved' };
  // The browser's list is the reader's order of preference: the first language we have wins
  // (['de-DE', 'zh-CN'] → Chinese; ['en-US', 'zh-CN'] → English, as the reader put English first).
  for (const tag of languages) {
    const supported = localeFromTag(tag);
    if (supported) return { locale: supported, source: 'navigator' };
  }
  return { locale: BASE_LOCALE, source: 'default' };
}

/** `href` with `?lang=` set to `locale`, other parameters (e.g. `room`) and the path kept. */
export function hrefWithLocale(href: string, locale: Locale): string {
  const url = new URL(href);
  url.searchParams.set(LOCALE_PARAM, locale === 'zh-CN' ? 'zh' : 'en');
  return `${url.pathname}${url.search}${url.hash}`;
}
