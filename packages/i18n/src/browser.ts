/**
 * Applies the page's language before anything renders. A built page was compiled for one
 * language (apps build once per language; the server picks the build, see localeDirectory), so
 * its language is a constant and the other language's messages are not in its JS at all. Under
 * `vite dev` both languages are loaded and the language is resolved here, in the same order the
 * server uses. Either way a `?lang=` choice is saved in a cookie, so the next page (reached by a
 * plain link) keeps it. Safe to call more than once.
 */
import { experimentalStaticLocale, overwriteGetLocale } from '../dist/paraglide/runtime.js';
import { SAVED_LOCALE_KEY, cookieValue, resolveLocale, savedLocaleCookie, type Locale } from './locale.js';

let applied: Locale | undefined;

export function applyLocale(): Locale {
  if (applied) return applied;
  const { locale: resolved, source } = resolveLocale({
    search: location.search,
    saved: cookieValue(document.cookie, SAVED_LOCALE_KEY),
    languages: navigator.languages,
  });
  if (source === 'query') document.cookie = savedLocaleCookie(resolved);
  const locale: Locale = experimentalStaticLocale ?? resolved;
  if (experimentalStaticLocale === undefined) overwriteGetLocale(() => locale);
  document.documentElement.lang = locale;
  applied = locale;
  return locale;
}
