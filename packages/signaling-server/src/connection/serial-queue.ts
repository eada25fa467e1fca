/**
 * One client's events, one after another. A join that waits for Redis is finished before the same
 * client's next message is looked at, so a relay never overtakes the join that gives it a room, and
 * relays keep their order. An idle queue runs a task at once (synchronously), so the common case
 * costs no promise and no tick.
 */
export class SerialQueue {
  readonly #maxQueued: number;
  readonly #onError: (event: string, error: unknown) => void;
  /** The last task's completion while any is pending; undefined when the queue is idle. */
  #tail: Promise<void> | undefined;
  #queued = 0;

  /**
   * @param maxQueued tasks that may wait behind a running one; more are refused (a flood).
   * @param onError told about a task that threw or rejected; the queue goes on with the next.
   */
  constructor(maxQueued: number, onError: (event: string, error: unknown) => void) {
    this.#maxQueued = maxQueued;
    this.#onError = onError;
  }

  /** Tasks waiting behind the running one. */
  get queued(): number {
    return this.#queued;
  }

  /** Nothing running and nothing waiting. */
  get idle(): boolean {
    return this.#tail === undefined;
  }

  /**
   * Runs `task` after the earlier ones; immediately when none is pending. False when the queue is
   * full and the task was dropped; `force` queues it anyway (a disconnect must always run).
   */
  enqueue(event: string, task: () => void | Promise<void>, force = false): boolean {
    if (this.#tail === undefined) {
      const pending = this.#invoke(event, task);
      if (pending !== undefined) {
        const tail: Promise<void> = pending.then(() => {
          if (this.#tail === tail) this.#tail = undefined;
        });
        this.#tail = tail;
      }
      return true;
    }
    if (!force && this.#queued >= this.#maxQueued) return false;
    this.#queued += 1;
    const tail: Promise<void> = this.#tail
      .then(() => {
        this.#queued -= 1;
        return this.#invoke(event, task);
      })
      .then(() => {
        if (this.#tail === tail) this.#tail = undefined;
      });
    this.#tail = tail;
    return true;
  }

  /** Runs one task; what it throws, now or later, goes to onError and never breaks the chain. */
  #invoke(event: string, task: () => void | Promise<void>): Promise<void> | undefined {
    try {
      const pending = task();
      if (pending === undefined) return undefined;
      return pending.catch((error: unknown) => this.#onError(event, error));
    } catch (error) {
      this.#onError(event, error);
      return undefined;
    }
  }
}
