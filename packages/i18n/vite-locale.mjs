/**
 * One Vite build per language (issue 16: a page loads only its own language's messages).
 * Paraglide is compiled with its per-locale-build contract (`--experimental-static-locale` set to
 * the expression below), so defining that expression as a string literal turns every message into
 * that language's text and lets the bundler drop the other language. `vite build` is English at the
 * app's base; `vite build --mode zh-CN` is Chinese in `dist/zh-CN/`, served under `<base>zh-CN/`.
 * Under `vite dev` nothing is defined: both languages load and the page resolves its language.
 */
export const STATIC_LOCALE_EXPRESSION = 'globalThis.__PARAGLIDE_STATIC_LOCALE__';
export const BUILD_LOCALES = ['en', 'zh-CN'];

/** Paraglide's per-message guard against `m.key(inputs, { locale })` in a one-language build. */
const OVERRIDE_WARNING = /\n[ \t]*if \([^\n]*\) console\.warn\("Paraglide: options\.locale cannot override[^\n]*/g;

/**
 * Drops that guard from every compiled message. Each message carries its own copy (a condition
 * and a 120-character warning), which the minifier cannot remove and which cost a step page
 * about 3 KB gzipped of its 60 KB; the workbench never passes `{ locale }` to a message (the
 * language is the build's), which the build checks: a call that did would fail here.
 */
function withoutOverrideWarning() {
  return {
    name: 'workbench-static-messages',
    /** @param {string} code @param {string} id */
    transform(code, id) {
      if (id.includes('/dist/paraglide/messages/')) return { code: code.replace(OVERRIDE_WARNING, ''), map: null };
      if (/\.(svelte|ts|js)$/.test(id) && !id.includes('/node_modules/') && !id.includes('/dist/') && /\bm\.\w+\([^)]*\{\s*locale\s*:/.test(code)) {
        throw new Error(`${id}: a message is called with { locale }; in a one-language build it would be ignored`);
      }
      return null;
    },
  };
}

/**
 * @param {{ command: 'build' | 'serve', mode: string }} env Vite's config env
 * @param {string} base the app's URL base, e.g. '/' or '/diagnostics/'
 */
export function localeBuild({ command, mode }, base) {
  if (command !== 'build') return { base, outDir: 'dist', emptyOutDir: true, plugins: [] };
  const locale = BUILD_LOCALES.includes(mode) ? mode : 'en';
  if (locale === 'en') {
    return { base, outDir: 'dist', emptyOutDir: true, define: { [STATIC_LOCALE_EXPRESSION]: JSON.stringify(locale) }, plugins: [withoutOverrideWarning()] };
  }
  return {
    base: `${base}${locale}/`,
    outDir: `dist/${locale}`,
    // Only its own folder: the English build around it stays.
    emptyOutDir: true,
    define: { [STATIC_LOCALE_EXPRESSION]: JSON.stringify(locale) },
    plugins: [
      withoutOverrideWarning(),
      {
        name: 'workbench-html-lang',
        // Right before the first paint and for readers without JavaScript; the page sets it too.
        transformIndexHtml: (html) => html.replace(/<html lang="en">/, `<html lang="${locale}">`),
      },
    ],
  };
}
