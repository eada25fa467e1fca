/**
 * How long this page's call took to set up, phase by phase, counted from the server's 'ready' (the
 * moment the second person's Join filled the room), as /peer-connection/ shows for its loopback.
 */

/** The phases' names: stable ids (data-phase, tests); SetupAndEncryption.svelte shows them in the page's language. */
export const PHASES = ['offer', 'answer', 'ICE connected', 'DTLS connected', 'first remote frame'] as const;
export type PhaseName = (typeof PHASES)[number];

export interface SetupPhase {
  name: PhaseName;
  /** Milliseconds after 'ready'; undefined until it happened. */
  at?: number;
}

/**
 * The phases from the times they happened (performance.now()). An offer made ahead of time, while
 * alone, counts as sent at 'ready', when it left this page; the answer likewise.
 */
export function setupPhases(readyAt: number | undefined, times: Partial<Record<PhaseName, number>>): SetupPhase[] {
  return PHASES.map((name) => {
    const time = times[name];
    return readyAt === undefined || time === undefined ? { name } : { name, at: Math.max(0, Math.round(time - readyAt)) };
  });
}
