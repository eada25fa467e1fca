/**
 * Which language a page is shown in. One resolver, framework-free, so the order is tested
 * without a browser and the server uses the same one: `?lang=` in the address, then the choice
 * saved from an earlier `?lang=` (a cookie, so the server sees it too), then the browser's
 * languages (`navigator.languages`, or the `Accept-Language` header they become), else English.
 */

export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];
export const BASE_LOCALE: Locale = 'en';

/** Cookie that keeps the learner's last explicit choice. */
export const SAVED_LOCALE_KEY = 'workbench.lang';

/** How long the choice is kept: a year, as a language choice should outlive a session. */
export const SAVED_LOCALE_MAX_AGE_S = 365 * 24 * 3600;

/**
 * Where a built page for a language other than English lives inside an app's dist (and under the
 * app's base URL): `dist/zh-CN/call/index.html`, served at `/call/` to a Chinese reader and at
 * `/zh-CN/call/` to anyone. English is the build at the root.
 */
export function localeDirectory(locale: Locale): string | undefined {
  return locale === BASE_LOCALE ? undefined : locale;
}

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
  /** The value of the SAVED_LOCALE_KEY cookie, if any. */
  saved?: string | null;
  /** `navigator.languages`, or {@link languagesFromAcceptLanguage} of the request. */
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

/**
 * `href` with `?lang=` set to `locale`, other parameters (e.g. `room`) and the path kept, less a
 * language directory (`/zh-CN/call/` → `/call/`), so the server picks the build for `locale`.
 */
export function hrefWithLocale(href: string, locale: Locale): string {
  const url = new URL(href);
  url.pathname = withoutLocaleDirectory(url.pathname);
  url.searchParams.set(LOCALE_PARAM, locale === 'zh-CN' ? 'zh' : 'en');
  return `${url.pathname}${url.search}${url.hash}`;
}

/** `href` without a language directory in its path: `/zh-CN/call/` → `/call/`, `/diagnostics/zh-CN/ice/` → `/diagnostics/ice/`. */
function withoutLocaleDirectory(pathname: string): string {
  for (const locale of LOCALES) {
    const directory = localeDirectory(locale);
    if (directory !== undefined) pathname = pathname.replace(new RegExp(`(^|/)${directory}/`), '$1');
  }
  return pathname;
}

/**
 * The language tags of an `Accept-Language` header in the reader's order of preference (highest
 * `q` first, ties in the order written; `q=0` means "not this one"). Malformed parts are skipped.
 */
export function languagesFromAcceptLanguage(header: string | undefined): string[] {
  if (!header) return [];
  const ranked: { tag: string; q: number; at: number }[] = [];
  header.split(',').forEach((part, at) => {
    const [tag = '', ...params] = part.trim().split(';').map((piece) => piece.trim());
    if (!/^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(tag)) return;
    const qParam = params.find((param) => /^q=/i.test(param));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (Number.isFinite(q) && q > 0 && q <= 1) ranked.push({ tag, q, at });
  });
  return ranked.sort((a, b) => b.q - a.q || a.at - b.at).map(({ tag }) => tag);
}

/** The value of cookie `name` in a `Cookie` header (or `document.cookie`), if it is there. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const at = part.indexOf('=');
    if (at !== -1 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** The `Set-Cookie` value that keeps `locale` as the choice for every page of this site. */
export function savedLocaleCookie(locale: Locale): string {
  return `${SAVED_LOCALE_KEY}=${locale}; Path=/; Max-Age=${SAVED_LOCALE_MAX_AGE_S}; SameSite=Lax`;
}
