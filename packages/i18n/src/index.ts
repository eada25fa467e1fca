/**
 * @workbench/i18n: the workbench's messages in English and Simplified Chinese (messages/<area>/<locale>.json,
 * compiled by paraglide at build into dist/paraglide: one tree-shakable function per message),
 * the language resolver and the step that applies it to a page. `import { m } from
 * '@workbench/i18n/messages'` for the messages themselves.
 */
export {
  BASE_LOCALE,
  LOCALES,
  LOCALE_PARAM,
  SAVED_LOCALE_KEY,
  cookieValue,
  hrefWithLocale,
  languagesFromAcceptLanguage,
  localeDirectory,
  localeFromTag,
  resolveLocale,
  savedLocaleCookie,
} from './locale.js';
export type { Locale, LocaleInputs, ResolvedLocale } from './locale.js';
export { applyLocale } from './browser.js';
