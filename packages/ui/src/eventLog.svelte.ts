/**
 * The model behind every page's event log: what happened, when (ms since the page started, so
 * entries line up with `performance.now()` in the console and in getStats timestamps) and how
 * bad it was. Components render it; pages and core callbacks only call `info`/`warn`/`error`.
 */
import { m } from '@workbench/i18n/messages';
import { getLocale } from '@workbench/i18n/runtime';
import { whenIdle } from './idle.js';

export type LogLevel = 'info' | 'warn' | 'error';

export interface LogEntry {
  /** Unique within one model; the key for `{#each}`. */
  readonly id: number;
  /** Milliseconds since the page started (`performance.now()` time origin). */
  readonly at: number;
  readonly level: LogLevel;
  /** Who logged it, e.g. `'pc1'` or `'camera'`, as webrtc/samples names each connection. */
  readonly source?: string;
  readonly message: string;
}

export interface EventLogOptions {
  /** Oldest entries are dropped beyond this many, so a long call cannot grow the page forever. */
  limit?: number;
  /** Clock in ms since page start; injectable for tests. */
  now?: () => number;
  /**
   * Also write each entry to the browser console, where learners already look. Warnings and
   * errors are written at once; info lines are written together when the page is next idle,
   * still in order and before any later warning, because a console call with DevTools (or a
   * test driver) attached costs about a millisecond, and a call's setup logs dozens of them
   * right while the page should be answering its peer.
   */
  mirrorToConsole?: boolean;
}

export const DEFAULT_LOG_LIMIT = 500;

export class EventLogModel {
  /** Replaced wholesale on every change: entries are immutable, so deep proxies would be waste. */
  entries: readonly LogEntry[] = $state.raw([]);
  /** How many entries fell off the front because of `limit`. */
  dropped = $state(0);
  /**
   * The entries as the log draws them: `entries`, except while a page holds the drawing (see
   * holdDrawing).
   */
  drawn: readonly LogEntry[] = $state.raw([]);

  readonly limit: number;
  readonly #now: () => number;
  readonly #mirrorToConsole: boolean;
  /** Set while drawing is held: ends the hold. */
  #holdUntil: ReturnType<typeof setTimeout> | undefined;
  /** Info lines formatted for the console, waiting for the page to be idle. */
  #mirrorQueue: string[] = [];
  #nextId = 1;

  constructor(options: EventLogOptions = {}) {
    const limit = options.limit ?? DEFAULT_LOG_LIMIT;
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`EventLogModel limit must be a positive integer, got ${limit}.`);
    }
    this.limit = limit;
    this.#now = options.now ?? (() => performance.now());
    this.#mirrorToConsole = options.mirrorToConsole ?? false;
  }

  info(message: string, source?: string): LogEntry {
    return this.add('info', message, source);
  }

  warn(message: string, source?: string): LogEntry {
    return this.add('warn', message, source);
  }

  error(message: string, source?: string): LogEntry {
    return this.add('error', message, source);
  }

  add(level: LogLevel, message: string, source?: string): LogEntry {
    const entry: LogEntry = { id: this.#nextId++, at: this.#now(), level, message, ...(source ? { source } : {}) };
    const overflow = this.entries.length + 1 - this.limit;
    if (overflow > 0) {
      this.entries = [...this.entries.slice(overflow), entry];
      this.dropped += overflow;
    } else {
      this.entries = [...this.entries, entry];
    }
    if (this.#mirrorToConsole) this.#mirror(entry);
    if (level !== 'info' || this.#holdUntil === undefined) this.drawn = this.entries;
    return entry;
  }

  /**
   * Info lines wait to be drawn until draw() is called or `maxMs` pass; then each is drawn as it
   * comes again. A warning or an error is drawn at once, with everything before it. For a burst
   * that races the page's own work: /call/ logs about two dozen lines in the 100 ms its setup takes, and
   * drawing each as it came cost that setup 10–15 ms of a 2-core machine (issue 12's per-phase
   * measurements), as redrawing the sequence diagram per arrow did. /call/ holds them while joining
   * and connecting and draws whenever its status word changes, so the log is never behind it;
   * each line keeps its time.
   */
  holdDrawing(maxMs: number): void {
    clearTimeout(this.#holdUntil);
    this.#holdUntil = setTimeout(() => this.draw(), maxMs);
  }

  /** Draws what is waiting and ends a hold (see holdDrawing). */
  draw(): void {
    clearTimeout(this.#holdUntil);
    this.#holdUntil = undefined;
    this.drawn = this.entries;
  }

  /** Writes the info lines still waiting for an idle moment to the console now. */
  flushConsole(): void {
    const lines = this.#mirrorQueue.splice(0);
    for (const line of lines) console.info(line);
  }

  #mirror(entry: LogEntry): void {
    if (entry.level !== 'info') {
      this.flushConsole();
      console[entry.level](formatEntry(entry));
      return;
    }
    this.#mirrorQueue.push(formatEntry(entry));
    if (this.#mirrorQueue.length === 1) whenIdle(() => this.flushConsole(), CONSOLE_IDLE_TIMEOUT_MS);
  }

  clear(): void {
    this.entries = [];
    this.dropped = 0;
    this.draw();
  }

  /** The whole log as plain text, one entry a line: what "Copy log" puts on the clipboard. */
  toText(): string {
    const lines = this.entries.map(formatEntry);
    if (this.dropped > 0) lines.unshift(m.ui_event_log_dropped_text({ dropped: this.dropped }));
    return lines.join('\n');
  }
}

/** Longest an info line waits for the console when the page is never idle. */
const CONSOLE_IDLE_TIMEOUT_MS = 500;

/** The last locale's formatter: a page has one language, tests ask for two (a plain slot, not reactive state). */
let timeFormat: { locale: string; format: Intl.NumberFormat } | undefined;

/**
 * Milliseconds with one decimal, in the page's language: "1234.6 ms" / "1234.6毫秒". Enough to
 * order events, short enough to scan. Without digit grouping, unlike formatMs in
 * @workbench/i18n/format: the log's column reads as one number per line, and the browser suites
 * read it back by keeping only digits and the point (logLines in @workbench/testing).
 */
export function formatTime(ms: number, locale: string = getLocale()): string {
  if (timeFormat?.locale !== locale) {
    const format = new Intl.NumberFormat(locale, {
      style: 'unit',
      unit: 'millisecond',
      unitDisplay: 'short',
      useGrouping: false,
      minimumFractionDigits: 1,
      maximumFractionDigits: 1,
    });
    timeFormat = { locale, format };
  }
  return timeFormat.format.format(ms);
}

/** The level as the log shows it, in the page's language ("warn" / "警告"). */
export function levelLabel(level: LogLevel): string {
  return level === 'error' ? m.ui_log_level_error() : level === 'warn' ? m.ui_log_level_warn() : m.ui_log_level_info();
}

/** One entry as a line of text, for the console and "Copy log": time, [level], source and message. */
export function formatEntry(entry: LogEntry): string {
  const source = entry.source ? ` ${entry.source}:` : '';
  return `${formatTime(entry.at).padStart(12)} [${levelLabel(entry.level)}]${source} ${entry.message}`;
}
