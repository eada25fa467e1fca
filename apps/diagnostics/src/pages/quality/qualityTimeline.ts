/**
 * What the charts draw: the samples of the last `windowSeconds` in core's RingBuffer, and the
 * timeline events inside that window. Bounded by construction, so a call left running for hours
 * holds the same memory as one five minutes long. Framework-free: the page subscribes and
 * redraws; imports replace the contents wholesale.
 */
import { m } from '@workbench/i18n/messages';
import { sampleEvents, type QualityEvent } from '@workbench/core/quality';
import { RingBuffer, type StatsSample } from '@workbench/core/stats';

export const DEFAULT_WINDOW_SECONDS = 300;
export const MIN_WINDOW_SECONDS = 5;
/** A day at 1 s: beyond it the charts stop being readable anyway. */
export const MAX_WINDOW_SECONDS = 86_400;

export interface QualityTimelineOptions {
  windowSeconds?: number;
  /** Poll interval, ms: the window holds windowSeconds × 1000 / intervalMs samples. Default 1000. */
  intervalMs?: number;
}

export class QualityTimeline {
  #samples: RingBuffer<StatsSample>;
  #events: QualityEvent[] = [];
  #windowSeconds: number;
  #intervalMs: number;
  /** Where the x axis starts (ms, stats clock): the first sample of the call, kept as the window scrolls. */
  #origin: number | undefined;
  readonly #listeners = new Set<() => void>();

  constructor(options: QualityTimelineOptions = {}) {
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#windowSeconds = QualityTimeline.checkWindow(options.windowSeconds ?? DEFAULT_WINDOW_SECONDS);
    this.#samples = new RingBuffer(this.#capacityFor(this.#windowSeconds));
  }

  /** Throws a RangeError a person can act on for a window outside 5 s – 1 day. */
  static checkWindow(seconds: number): number {
    if (!Number.isFinite(seconds) || seconds < MIN_WINDOW_SECONDS || seconds > MAX_WINDOW_SECONDS) {
      throw new RangeError(m.quality_error_window_range({ min: MIN_WINDOW_SECONDS, max: MAX_WINDOW_SECONDS, value: String(seconds) }));
    }
    return Math.round(seconds);
  }

  #capacityFor(seconds: number): number {
    return Math.max(1, Math.round((seconds * 1000) / this.#intervalMs));
  }

  get windowSeconds(): number {
    return this.#windowSeconds;
  }

  /** How many samples the window holds at most. */
  get capacity(): number {
    return this.#samples.capacity;
  }

  get length(): number {
    return this.#samples.length;
  }

  get origin(): number | undefined {
    return this.#origin;
  }

  get latest(): StatsSample | undefined {
    return this.#samples.last();
  }

  /** The samples, oldest first (a new array: the caller may keep it). */
  samples(): StatsSample[] {
    return this.#samples.toArray();
  }

  /** Iterates the samples without copying them, oldest first. */
  [Symbol.iterator](): Iterator<StatsSample> {
    return this.#samples[Symbol.iterator]();
  }

  /** The events inside the window, oldest first. */
  events(): readonly QualityEvent[] {
    return this.#events;
  }

  /** Adds a polled sample, and the events it shows against the previous one. Returns those events. */
  push(sample: StatsSample): QualityEvent[] {
    const derived = sampleEvents(this.#samples.last(), sample);
    this.#origin ??= sample.timestamp;
    this.#samples.push(sample);
    for (const event of derived) this.#insert(event);
    this.#prune();
    this.#changed();
    return derived;
  }

  /** Adds an event from outside the samples (a connection state change). */
  addEvent(event: QualityEvent): void {
    this.#insert(event);
    this.#prune();
    this.#changed();
  }

  /**
   * Keeps the list in time order. A sample's events carry the stats timestamp, which can be older
   * than a state change the page already added (getStats answers after the event that followed it),
   * so both paths insert by time; an event at the same time goes after those already there.
   */
  #insert(event: QualityEvent): void {
    let index = this.#events.length;
    while (index > 0 && (this.#events[index - 1]?.at ?? 0) > event.at) index -= 1;
    this.#events.splice(index, 0, event);
  }

  /** Changes the window; the newest samples that fit are kept. */
  setWindow(seconds: number): void {
    const checked = QualityTimeline.checkWindow(seconds);
    const capacity = this.#capacityFor(checked);
    this.#windowSeconds = checked;
    if (capacity === this.#samples.capacity) return;
    const kept = this.#samples.toArray().slice(-capacity);
    this.#samples = new RingBuffer(capacity);
    for (const sample of kept) this.#samples.push(sample);
    this.#prune();
    this.#changed();
  }

  /** Replaces everything with an imported recording; the window grows to hold all of it. */
  load(samples: readonly StatsSample[], events: readonly QualityEvent[]): void {
    const first = samples[0];
    const last = samples[samples.length - 1];
    const span = first && last ? Math.ceil((last.timestamp - first.timestamp) / 1000) + 1 : 0;
    this.#windowSeconds = Math.max(this.#windowSeconds, Math.min(MAX_WINDOW_SECONDS, span));
    this.#samples = new RingBuffer(Math.max(1, samples.length, this.#capacityFor(this.#windowSeconds)));
    for (const sample of samples) this.#samples.push(sample);
    this.#events = [...events].sort((a, b) => a.at - b.at);
    this.#origin = first?.timestamp;
    this.#changed();
  }

  clear(): void {
    this.#samples.clear();
    this.#events = [];
    this.#origin = undefined;
    this.#changed();
  }

  /** Calls `listener` after every change; returns the unsubscribe function (an `$effect` teardown). */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Events from before the oldest sample scroll out with it; state changes before the first sample stay until then. */
  #prune(): void {
    const oldest = this.#samples.at(0);
    if (!oldest || this.#samples.length < this.#samples.capacity) return;
    const firstKept = this.#events.findIndex((event) => event.at >= oldest.timestamp);
    if (firstKept > 0) this.#events.splice(0, firstKept);
    else if (firstKept === -1) this.#events.length = 0;
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}
