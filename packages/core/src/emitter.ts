/** Emitter: a tiny event emitter typed by an event map; listener exceptions are caught and logged. */
import type { Logger } from './logger.js';

/**
 * An event map: event name → listener signature, e.g.
 * `type Events = { message: (text: string) => void; closed: () => void }`.
 */
export type EventMap<Events> = { [K in keyof Events]: (...args: never[]) => unknown };

type Args<F> = F extends (...args: infer A) => unknown ? A : never;

interface Registration<L> {
  listener: L;
  once: boolean;
}

export interface EmitterOptions {
  /** Where listener exceptions are reported; `console` by default. */
  logger?: Logger;
}

/**
 * A typed event emitter. A throwing listener is logged and skipped: one broken handler on a page
 * must not stop the other listeners (or the library code that emitted) from running.
 */
export class Emitter<Events extends EventMap<Events>> {
  readonly #listeners = new Map<keyof Events, Registration<Events[keyof Events]>[]>();
  readonly #logger: Logger;

  constructor(options: EmitterOptions = {}) {
    this.#logger = options.logger ?? console;
  }

  /** Adds `listener`; returns a function that removes it (handy as an `$effect` teardown). */
  on<K extends keyof Events>(event: K, listener: Events[K]): () => void {
    this.#add(event, listener, false);
    return () => this.off(event, listener);
  }

  /** Adds `listener` for the next `event` only. */
  once<K extends keyof Events>(event: K, listener: Events[K]): () => void {
    this.#add(event, listener, true);
    return () => this.off(event, listener);
  }

  off<K extends keyof Events>(event: K, listener: Events[K]): void {
    const list = this.#listeners.get(event);
    if (!list) return;
    const index = list.findIndex((r) => r.listener === listener);
    if (index >= 0) list.splice(index, 1);
    if (list.length === 0) this.#listeners.delete(event);
  }

  /** Calls every listener of `event` in order; returns whether there was any. */
  emit<K extends keyof Events>(event: K, ...args: Args<Events[K]>): boolean {
    const list = this.#listeners.get(event);
    if (!list || list.length === 0) return false;
    // A snapshot, so listeners that add or remove listeners don't change this round.
    for (const registration of [...list]) {
      if (registration.once) this.off(event, registration.listener as Events[K]);
      try {
        (registration.listener as unknown as (...a: unknown[]) => unknown)(...args);
      } catch (error) {
        this.#logger.error(`A listener for "${String(event)}" threw; the other listeners still ran.`, error);
      }
    }
    return true;
  }

  listenerCount(event: keyof Events): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  removeAllListeners(event?: keyof Events): void {
    if (event === undefined) this.#listeners.clear();
    else this.#listeners.delete(event);
  }

  #add<K extends keyof Events>(event: K, listener: Events[K], once: boolean): void {
    const list = this.#listeners.get(event) ?? [];
    list.push({ listener, once });
    this.#listeners.set(event, list);
  }
}
