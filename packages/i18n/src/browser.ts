/**
 * Applies the resolved language to this page before anything renders: paraglide's message
 * functions read `getLocale()` at call time, so overwriting it here is enough. A `?lang=` choice
 * is saved so the next page (reached by a plain link) keeps it. Safe to call more than once.
 */
import { overwriteGetLocale } from '../dist/paraglide/runtime.js';
import { SAVED_LOCALE_KEY, resolveLocale, type Locale } from './locale.js';

let applied: Locale | undefined;

function readSaved(): string | null {
  try {
    return localStorage.getItem(SAVED_LOCALE_KEY);
  } catch {
    return null; // storage blocked (private mode, sandboxed iframe): the query or navigator decides
  }
}

export function applyLocale(): Locale {
  if (applied) return applied;
  const { locale, source } = resolveLocale({ search: location.search, saved: readSaved(), languages: navigator.languages });
  if (source === 'query') {
    try {
      localStorage.setItem(SAVED_LOCALE_KEY, locale);
    } catch {
      // not saved: this page is still shown in the chosen language
    }
  }
  overwriteGetLocale(() => locale);
  document.documentElement.lang = locale;
  applied = locale;
  return locale;
}
