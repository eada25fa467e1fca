/**
 * Seats of resumable clients that dropped: held for the reconnect grace, so a client back within it
 * (with its resume token) finds its seat, role and id unchanged and its peer hears no 'bye'. A seat
 * nobody claims in time is freed in the store, and only then do its peers hear 'bye'.
 */
import type { RoomLeaveOutcome } from '../room-registry.js';
import type { SeatStore } from '../seat-store.js';

export interface SeatHoldingEvents {
  /** The grace ran out and the store freed the seat: its peers are to hear 'bye'. */
  expired(room: string, memberId: string, left: RoomLeaveOutcome): void;
  /** Freeing an unclaimed seat failed (the store is away); it is not retried here. */
  failed(memberId: string, error: unknown): void;
}

export class SeatHolding {
  readonly #store: Pick<SeatStore, 'leave'>;
  readonly #graceMs: number;
  readonly #events: SeatHoldingEvents;
  readonly #held = new Map<string, { room: string; timer: NodeJS.Timeout }>();

  constructor(store: Pick<SeatStore, 'leave'>, graceMs: number, events: SeatHoldingEvents) {
    this.#store = store;
    this.#graceMs = graceMs;
    this.#events = events;
  }

  get graceMs(): number {
    return this.#graceMs;
  }

  /** The room whose seat is held for `memberId`, if one is. */
  roomOf(memberId: string): string | undefined {
    return this.#held.get(memberId)?.room;
  }

  /** Holds `memberId`'s seat in `room` for the grace from now (a seat held already starts over). */
  hold(room: string, memberId: string): void {
    this.drop(memberId);
    const timer = setTimeout(() => {
      this.#held.delete(memberId);
      this.#store.leave(room, memberId).then(
        (left) => {
          // Undefined: the seat had moved on meanwhile (resumed on another process).
          if (left !== undefined) this.#events.expired(room, memberId, left);
        },
        (error: unknown) => this.#events.failed(memberId, error),
      );
    }, this.#graceMs);
    // A held seat must not keep a process alive that is otherwise done.
    timer.unref();
    this.#held.set(memberId, { room, timer });
  }

  /** Stops waiting for `memberId`: it came back, or another process has it now. The seat stays taken. */
  drop(memberId: string): void {
    const entry = this.#held.get(memberId);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.#held.delete(memberId);
  }

  /** Stops every timer, freeing nothing (the process is going away). */
  dispose(): void {
    for (const { timer } of this.#held.values()) clearTimeout(timer);
    this.#held.clear();
  }
}
