/**
 * English left on a page shown in Chinese (issue 16): every text a reader meets under the given
 * parts of the page (text nodes, and the aria-label, title, placeholder and alt attributes), with
 * the pieces that stay in English on purpose taken out: code, anything marked with another
 * `lang` (the switcher's "English"), API and protocol names, units and product names. A text with
 * Chinese characters in it passes (a Chinese sentence may name `offer` or ICE); a text that is
 * only English words is what a missed translation looks like.
 */
import type { Page } from 'playwright-core';

/** A text the reader meets, and where: the element's tag, class and, for an attribute, its name. */
export interface ReadText {
  text: string;
  where: string;
}

/** Names that are the same in every language: products, projects, organisations. */
const PROPER_NAMES = new Set([
  'Workbench', 'Codelab', 'Google', 'MDN', 'Chromium', 'Chrome', 'Firefox', 'ESR', 'Safari', 'Node',
  'Svelte', 'Vite', 'GitHub', 'Redis', 'coturn', 'nginx', 'Prometheus', 'English',
]);

/** Units written the same way in Chinese technical text. */
const UNITS = new Set(['ms', 's', 'px', 'fps', 'kbit', 'Mbit', 'kbps', 'Mbps', 'kB', 'KB', 'MB', 'MiB', 'KiB', 'dB', 'Hz', 'kHz', 'x']);

const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
const WORD = /[A-Za-z][A-Za-z0-9.'’_-]*[A-Za-z0-9]|[A-Za-z]/g;

/**
 * Whether `word` stays in English on purpose: an acronym or a name with inner capitals (ICE,
 * STUN, WebRTC, RTCPeerConnection), an identifier (getUserMedia, socket.io, max_bitrate), a
 * word with digits (H264, VP8), a unit or a proper name.
 */
export function keptInEnglish(word: string): boolean {
  return (
    /[A-Z].*[A-Z]/.test(word) ||
    /^[a-z]+[A-Z]/.test(word) ||
    /[0-9._]/.test(word) ||
    UNITS.has(word) ||
    PROPER_NAMES.has(word)
  );
}

/**
 * The English words in `text` that should have been translated, in order; none when the text has
 * Chinese in it or every word is one {@link keptInEnglish} allows.
 */
export function untranslatedWords(text: string): string[] {
  if (CJK.test(text)) return [];
  return (text.match(WORD) ?? []).filter((word) => !keptInEnglish(word));
}

/**
 * Every text under `selectors` (each matching one or more parts of the page) a reader sees or a
 * screen reader says, except code, `pre`, `kbd`, `samp`, `[hidden]` and anything under a `lang`
 * other than Chinese; a selector that matches nothing is an error. Text folded away (a closed
 * `<details>`, phone-only or visually hidden) is kept: a reader opens it, a screen reader says it.
 */
export async function readTexts(page: Page, selectors: readonly string[]): Promise<ReadText[]> {
  return page.evaluate((selectors) => {
    const found: ReadText[] = [];
    const name = (el: Element): string => {
      const cls = typeof el.className === 'string' && el.className.trim() ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
      return `<${el.tagName.toLowerCase()}${cls}>`;
    };
    const skipped = (el: Element): boolean => {
      if (el.closest('code, pre, kbd, samp, script, style, template, [translate="no"], [hidden]')) return true;
      const marked = el.closest('[lang]');
      return marked !== null && marked !== document.documentElement && !marked.getAttribute('lang')?.startsWith('zh');
    };
    for (const selector of selectors) {
      const roots = Array.from(document.querySelectorAll(selector));
      // A renamed class must not make the check pass on nothing.
      if (roots.length === 0) throw new Error(`readTexts: nothing on ${location.pathname} matches "${selector}"`);
      for (const root of roots) {
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const parent = node.parentElement;
          const text = (node.textContent ?? '').replace(/\s+/g, ' ').trim();
          if (!parent || text === '' || skipped(parent)) continue;
          found.push({ text, where: name(parent) });
        }
        for (const el of [root, ...Array.from(root.querySelectorAll('*'))]) {
          for (const attribute of ['aria-label', 'title', 'placeholder', 'alt']) {
            const value = el.getAttribute(attribute)?.trim();
            if (value && !skipped(el)) found.push({ text: value, where: `${name(el)}[${attribute}]` });
          }
        }
      }
    }
    return found;
  }, selectors);
}

/**
 * English left untranslated under `selectors` on a page shown in Chinese: one line per text,
 * naming where it is and the words, e.g. `<a.next> "Next: Stream video" (Next, Stream, video)`.
 */
export async function englishLeft(page: Page, selectors: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const { text, where } of await readTexts(page, selectors)) {
    const words = untranslatedWords(text);
    if (words.length > 0) problems.push(`${where} "${text.slice(0, 60)}" (${words.join(', ')})`);
  }
  return problems;
}
