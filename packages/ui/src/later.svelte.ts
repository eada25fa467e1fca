/**
 * A chunk a page fetches as it opens but does not need for its first paint: a panel below the fold,
 * the words of a log that first speaks after Join, the networking code a click runs. Each is a
 * dynamic import, which Vite puts in a chunk of its own, so it stays out of the page's first load
 * (the 60 KB budget) yet is usually there before anyone clicks.
 *
 * `value` is undefined until the chunk has loaded, and reactive, so `{#if panel.value}` shows a
 * lazily loaded component as soon as it arrives. A click that needs it reads `value` first (no
 * await, so work it starts stays in the click's task) and only awaits `get()` when it is not there
 * yet. A chunk that failed to load (offline) is fetched again by the next `get()`.
 *
 * `{ idle: true }` waits for the first idle moment (requestIdleCallback, at most `IDLE_WITHIN_MS`)
 * before fetching: for reading material below the fold, so its download and compile never fall
 * between a Join clicked right after opening the page and that call's first frame.
 */
import { whenIdle } from './idle.js';

const IDLE_WITHIN_MS = 2000;

export class Later<T> {
  value: T | undefined = $state.raw();
  readonly #load: () => Promise<T>;
  #loading: Promise<T> | undefined;

  constructor(load: () => Promise<T>, { idle = false }: { idle?: boolean } = {}) {
    this.#load = load;
    // A failure here is not yet anyone's: get() reports it to whoever asks.
    const start = (): void => void this.get().catch(() => undefined);
    if (idle) whenIdle(start, IDLE_WITHIN_MS);
    else start();
  }

  /** The chunk, loading it (again, after a failure) if it is not there yet. */
  get(): Promise<T> {
    if (this.value !== undefined) return Promise.resolve(this.value);
    this.#loading ??= this.#load().then(
      (loaded) => (this.value = loaded),
      (failure: unknown) => {
        this.#loading = undefined;
        throw failure;
      },
    );
    return this.#loading;
  }
}
