/**
 * The one way pages cancel stale async work: each new run of a flow (a Join, a Start) gets a fresh
 * AbortSignal and aborts the previous one, so an await that outlived its click checks
 * `signal.aborted` and does nothing, and anything that takes a signal (fetch) stops by itself.
 */
export class LatestRun {
  #controller: AbortController | undefined;

  /** Aborts the previous run's signal and returns this run's. */
  next(): AbortSignal {
    this.#controller?.abort();
    this.#controller = new AbortController();
    return this.#controller.signal;
  }

  /** Aborts the current run (Hang Up, Stop). */
  cancel(): void {
    this.#controller?.abort();
    this.#controller = undefined;
  }
}
