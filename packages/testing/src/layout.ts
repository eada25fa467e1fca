/**
 * What a newcomer sees, as checks a browser test can make on any page (issue 13): nothing cut off
 * or pushing the page sideways, the first control on the first phone screen, an event log that
 * follows its newest line and does not repeat itself, and screenshots for a person to look at.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

/** The two widths every page is checked at: a laptop and a phone (iPhone 12-14 CSS size). */
export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

export type ViewportName = keyof typeof VIEWPORTS;

/**
 * Every element whose content is cut or spills: its text wider than its own box, or its box
 * outside an ancestor that hides overflow, text outside its SVG drawing, and the page itself
 * scrolling sideways. A scroll container (`overflow-x: auto | scroll`) is deliberate and ends the
 * search for that element.
 * Returns one line per problem, naming the element by tag, class and start of its text.
 */
export async function clippedContent(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth + 1) problems.push(`the page scrolls sideways: ${root.scrollWidth} px of content in ${root.clientWidth} px`);
    const name = (el: Element): string => {
      const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
      const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 40);
      return `<${el.tagName.toLowerCase()}${cls}> "${text}"`;
    };
    const scrolls = (style: CSSStyleDeclaration): boolean => style.overflowX === 'auto' || style.overflowX === 'scroll';
    const selector = 'h1, h2, h3, h4, p, li, dt, dd, th, td, button, label, summary, legend, figcaption, pre, select, a, code, canvas, video, img, table';
    for (const el of Array.from(document.querySelectorAll(selector))) {
      // Screen-reader-only text is clipped on purpose; so is the skip link until it has focus.
      if (el.closest('.visually-hidden, .skip-link, [hidden]')) continue;
      const style = getComputedStyle(el);
      if (style.display === 'none' || style.visibility === 'hidden') continue;
      const rect = el.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0) continue;
      const inline = style.display === 'inline';
      if (!inline && !scrolls(style) && el.tagName !== 'SELECT' && el.scrollWidth > el.clientWidth + 1) {
        problems.push(`${name(el)}: content ${el.scrollWidth} px wide in a ${el.clientWidth} px box`);
        continue;
      }
      if (rect.right > root.clientWidth + 1 || rect.left < -1) {
        // Only a problem when no scroll container between it and the page holds it.
        let held = false;
        for (let up = el.parentElement; up && up !== root; up = up.parentElement) {
          if (scrolls(getComputedStyle(up))) {
            held = true;
            break;
          }
        }
        if (!held) problems.push(`${name(el)}: reaches ${Math.round(rect.left)}…${Math.round(rect.right)} px, outside the ${root.clientWidth} px page`);
        continue;
      }
      for (let up = el.parentElement; up && up !== root; up = up.parentElement) {
        const upStyle = getComputedStyle(up);
        if (upStyle.overflowX === 'visible') continue;
        if (scrolls(upStyle)) break;
        const box = up.getBoundingClientRect();
        if (rect.right > box.right + 1 || rect.left < box.left - 1) problems.push(`${name(el)}: cut off by ${name(up)}`);
        break;
      }
    }
    // SVG clips what falls outside its own box (the sequence diagram's third lifeline name read
    // "other pag"): every text in a drawing must lie within the drawing.
    for (const text of Array.from(document.querySelectorAll('svg text'))) {
      const svg = text.closest('svg');
      const rect = text.getBoundingClientRect();
      if (!svg || rect.width === 0) continue;
      const box = svg.getBoundingClientRect();
      if (rect.right > box.right + 1 || rect.left < box.left - 1) problems.push(`${name(text)}: cut off by its <svg> (${Math.round(rect.left)}…${Math.round(rect.right)} px in ${Math.round(box.left)}…${Math.round(box.right)})`);
    }
    return problems;
  });
}

/**
 * Tables whose scroll container has to scroll sideways to show every column: at laptop width a
 * results table should fit (the ICE page's "Relay protocol" and the camera probe's "Reason" sat
 * off to the right, issue 13). clippedContent() accepts any scroll container as deliberate, so
 * this is its check for tables. One line per table, naming the columns past the right edge.
 */
export async function cutTables(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    for (const table of Array.from(document.querySelectorAll('main table'))) {
      let scroller: HTMLElement | null = table.parentElement;
      while (scroller && !['auto', 'scroll'].includes(getComputedStyle(scroller).overflowX)) scroller = scroller.parentElement;
      if (!scroller || scroller.scrollWidth <= scroller.clientWidth + 1) continue;
      const edge = scroller.getBoundingClientRect().left + scroller.clientWidth;
      const hidden = Array.from(table.querySelectorAll('thead th'))
        .filter((th) => th.getBoundingClientRect().right > edge + 1)
        .map((th) => `"${(th.textContent ?? '').replace(/\s+/g, ' ').trim()}"`);
      problems.push(`table "${table.querySelector('caption')?.textContent?.trim() ?? ''}": ${scroller.scrollWidth} px in a ${scroller.clientWidth} px scroller; cut off: ${hidden.join(', ')}`);
    }
    return problems;
  });
}

/**
 * The rows the site header takes (issue 16: with the language switcher it must stay one row at
 * phone width, the nav scrolling sideways, so the page is not pushed down): distinct vertical
 * centres of the header's items and nav entries, a few pixels apart counting as one row.
 */
export async function headerRows(page: Page): Promise<number[]> {
  const centres = await page.locator('.site-header .bar > *, .site-header nav li').evaluateAll((items) =>
    items.map((item) => {
      const box = item.getBoundingClientRect();
      return Math.round(box.top + box.height / 2);
    }),
  );
  return [...new Set(centres)].sort((a, b) => a - b).filter((centre, i, all) => i === 0 || centre - (all[i - 1] ?? 0) > 4);
}

/**
 * The first button, field or select in the page's main content (or the first labelled `named`,
 * e.g. the Join a page is about): where its bottom edge is, and what it is, so a test can say
 * "Join is 1.4 screens down". Undefined when the page has none.
 */
export async function firstControl(page: Page, named?: string): Promise<{ label: string; bottom: number } | undefined> {
  return page.evaluate((wanted) => {
    const controls = Array.from(document.querySelectorAll('main button, main input, main select, main textarea'));
    for (const control of controls) {
      const rect = control.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0) continue;
      const label = (
        control.getAttribute('aria-label') ??
        (control.id ? document.querySelector(`label[for="${control.id}"]`)?.textContent : undefined) ??
        control.textContent ??
        control.tagName
      ).trim();
      if (wanted !== null && label !== wanted) continue;
      return { label, bottom: rect.bottom + window.scrollY };
    }
    return undefined;
  }, named ?? null);
}

/** One value of a key/value list (`dl.facts`) as laid out: its label, its text, its lines. */
export interface FactBox {
  label: string;
  value: string;
  /** Lines of text the value takes (its height over its line height, rounded). */
  lines: number;
  width: number;
  /** The width of the list it is in. */
  listWidth: number;
}

/** Every shown value of the page's key/value lists (`dl.facts`), as laid out now. */
export async function factBoxes(page: Page): Promise<FactBox[]> {
  return page.evaluate(() => {
    const text = (node: Element | null): string => (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
    const facts: FactBox[] = [];
    for (const dd of Array.from(document.querySelectorAll('dl.facts > dd'))) {
      const list = dd.parentElement;
      const box = dd.getBoundingClientRect();
      if (!list || box.width === 0 || box.height === 0) continue;
      const style = getComputedStyle(dd);
      const lineHeight = Number.parseFloat(style.lineHeight) || Number.parseFloat(style.fontSize) * 1.2;
      let label = dd.previousElementSibling;
      while (label && label.tagName !== 'DT') label = label.previousElementSibling;
      facts.push({ label: text(label), value: text(dd), lines: Math.round(box.height / lineHeight), width: box.width, listWidth: list.getBoundingClientRect().width });
    }
    return facts;
  });
}

/**
 * Key/value lists (`dl.facts`) whose values are squeezed: a value that wraps onto several lines in
 * a box under half its list's width, because a long label took the rest. At phone width
 * "TLS_AES_128_GCM_SHA256" broke into 9-character pieces beside "The other side's certificate".
 * One line per squeezed value, naming its label.
 */
export async function squeezedFacts(page: Page): Promise<string[]> {
  return (await factBoxes(page))
    .filter((fact) => fact.lines > 1 && fact.width < fact.listWidth / 2)
    .map((fact) => `"${fact.label}": "${fact.value.slice(0, 30)}" wraps onto ${fact.lines} lines in ${Math.round(fact.width)} px of the list's ${Math.round(fact.listWidth)} px`);
}

export interface LogView {
  /** The last line's bottom edge is inside the log's visible box. */
  lastLineVisible: boolean;
  /** The "new lines ↓" button is shown. */
  newLinesButton: boolean;
  lines: number;
}

/** Where the event log (`role="log"`) stands: is its newest line in view? */
export async function logView(page: Page): Promise<LogView> {
  return page.evaluate(() => {
    const scroller = document.querySelector('[role="log"]');
    if (!scroller) throw new Error('No event log (role="log") on this page.');
    const items = scroller.querySelectorAll('li');
    const last = items[items.length - 1];
    const box = scroller.getBoundingClientRect();
    const lastBox = last?.getBoundingClientRect();
    const button = Array.from(scroller.parentElement?.querySelectorAll('button') ?? []).find((b) => /new lines?/.test(b.textContent ?? ''));
    return {
      lastLineVisible: lastBox !== undefined && lastBox.bottom <= box.bottom + 1 && lastBox.top >= box.top - 1,
      newLinesButton: button !== undefined,
      lines: items.length,
    };
  });
}

/** Polls until the log shows its newest line (or `deadlineMs` passes), then says where it stands. */
export async function waitForLogToFollow(page: Page, deadlineMs = 5_000): Promise<LogView> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const view = await logView(page);
    if (view.lastLineVisible || Date.now() > until) return view;
    await page.waitForTimeout(100);
  }
}

export interface LogLine {
  atMs: number;
  level: string;
  source: string;
  message: string;
}

/** The event log's lines as the page shows them. */
export async function logLines(page: Page): Promise<LogLine[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('[role="log"] li:not(.empty)'), (li) => ({
      // The log prints "1234.5 ms" (formatTime in packages/ui).
      atMs: Number((li.querySelector('.time')?.textContent ?? '').replace(/[^\d.]/g, '')),
      level: li.querySelector('.level')?.textContent?.trim() ?? '',
      source: li.querySelector('.source')?.textContent?.trim() ?? '',
      message: li.querySelector('.message')?.textContent?.trim() ?? '',
    })),
  );
}

/**
 * Whether a log line speaks of the unreachable STUN server the newcomer suites configure
 * (`stun:stun.invalid`, the 701): every wording it ever had names the server or says "candidate
 * error". Not a bare /701/, which also matches SDP sizes such as "sent offer (4701 B SDP)"; not
 * the line listing the ICE servers the page was given.
 */
export function isUnreachableStunLine(line: LogLine): boolean {
  return /stun\.invalid|candidate error/i.test(line.message) && !line.message.startsWith('ICE servers from');
}

/**
 * Pairs of identical lines (same source and message) less than `withinMs` apart: noise. A line
 * for which `startsAnew` is true begins a new flow (a peer left; the next peer's connection goes
 * through the same steps, and saying them again is right, however soon it comes).
 */
export function repeatedLines(lines: readonly LogLine[], withinMs = 1_000, startsAnew?: (line: LogLine) => boolean): string[] {
  const repeats: string[] = [];
  const lastSeen = new Map<string, number>();
  for (const line of lines) {
    if (startsAnew?.(line)) lastSeen.clear();
    const key = `${line.source} ${line.message}`;
    const before = lastSeen.get(key);
    if (before !== undefined && line.atMs - before < withinMs) repeats.push(`${key} (again after ${Math.round(line.atMs - before)} ms)`);
    lastSeen.set(key, line.atMs);
  }
  return repeats;
}

/**
 * Empties `dir` (the suites call it before their first screenshot): pictures left by an earlier
 * run, of a page since fixed or renamed, would mislead whoever looks at them (issue 13).
 */
export function clearScreenshots(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

/** Saves a full-page screenshot under `dir` (created), named `name.png`; returns its path. */
export async function saveScreenshot(page: Page, dir: string, name: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
