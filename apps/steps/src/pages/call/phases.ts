/**
 * How long this page's call took to set up, phase by phase, counted from the server's 'ready' (the
 * moment the second person's Join filled the room), as /peer-connection/ shows for its loopback.
 */
import { m } from '@workbench/i18n/messages';

/** The phases' names: stable ids (data-phase, tests), shown through {@link phaseLabel}. */
export const PHASES = ['offer', 'answer', 'ICE connected', 'DTLS connected', 'first remote frame'] as const;
export type PhaseName = (typeof PHASES)[number];

/** A phase as the reader sees it, in the page's language (in English, its name). */
export function phaseLabel(name: PhaseName): string {
  switch (name) {
    case 'offer':
      return m.call_phase_offer();
    case 'answer':
      return m.call_phase_answer();
    case 'ICE connected':
      return m.call_phase_ice_connected();
    case 'DTLS connected':
      return m.call_phase_dtls_connected();
    case 'first remote frame':
      return m.call_phase_first_remote_frame();
  }
}

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
