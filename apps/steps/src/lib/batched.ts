/**
 * Collects items and hands them over together, `delayMs` after the first of a batch: for a view
 * that need not redraw per event. /call/'s sequence diagram is drawn this way: redrawn per message,
 * it cost the second page about 25 ms of its call setup (issue 12's before/after trace), and
 * arrows 10 ms apart cannot be read one by one anyway.
 */
export class Batched<T> {
  #items: T[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly deliver: (items: T[]) => void,
    private readonly delayMs: number,
  ) {}

  push(item: T): void {
    this.#items.push(item);
    this.#timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  /** Hands over what is waiting now. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const items = this.#items.splice(0);
    if (items.length > 0) this.deliver(items);
  }

  /** Drops what is waiting (a new Join starts a new diagram). */
  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#items = [];
  }
}
