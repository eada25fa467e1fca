/**
 * The setup-time clock of this page's call: started by the server's 'ready' (the second Join),
 * each phase marked the first time it happens after that.
 */
import { setupPhases, type PhaseName, type SetupPhase } from './phases.js';

export class SetupClock {
  #marks: Partial<Record<PhaseName | 'ready', number>> = $state.raw({});
  readonly phases: SetupPhase[] = $derived(setupPhases(this.#marks.ready, this.#marks));

  /** When 'ready' arrived (performance.now()), if it has since the last reset. */
  get readyAt(): number | undefined {
    return this.#marks.ready;
  }

  /** A new Join: nothing measured yet. */
  reset(): void {
    this.#marks = {};
  }

  /** 'ready': the clock starts (again, when a next peer joins). */
  start(at: number): void {
    this.#marks = { ready: at };
  }

  /** The first `name` since 'ready'; later ones (a renegotiation) and any before it do not count. */
  mark(name: PhaseName, at = performance.now()): void {
    if (this.#marks.ready !== undefined && this.#marks[name] === undefined) this.#marks = { ...this.#marks, [name]: at };
  }
}
