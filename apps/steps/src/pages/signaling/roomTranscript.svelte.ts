/**
 * What /signaling/ shows of its room: the server's events (the codelab's names, then what they
 * meant), the chat, and every message to and from the server as arrows for the sequence diagram.
 */
import type { Lifeline, TimelineEntry } from '@workbench/core/room-call';
import { m } from '@workbench/i18n/messages';
import type { BadgeTone, LogSink } from '@workbench/ui';

export type Phase = 'not joined' | 'joining' | 'in room' | 'disconnected';

export const PHASE_TONE: Record<Phase, BadgeTone> = {
  'not joined': 'neutral',
  joining: 'info',
  'in room': 'success',
  disconnected: 'danger',
};

/** The phase in the page's language; the Phase values themselves stay as the code's names. */
export function phaseWord(phase: Phase): string {
  switch (phase) {
    case 'not joined':
      return m.signaling_phase_not_joined();
    case 'joining':
      return m.signaling_phase_joining();
    case 'in room':
      return m.signaling_phase_in_room();
    case 'disconnected':
      return m.signaling_phase_disconnected();
  }
}

/** One server event as the state list shows it: the codelab's event name, then what it meant. */
export interface RoomEvent {
  id: number;
  at: number;
  name: string;
  detail: string;
}

export interface ChatLine {
  id: number;
  at: number;
  /** The sender's client id, or null for what this page sent. */
  from: string | null;
  text: string;
}

export class RoomTranscript {
  events: RoomEvent[] = $state([]);
  chat: ChatLine[] = $state([]);
  /** Every message to and from the server, for the sequence diagram. */
  exchange: TimelineEntry[] = $state.raw([]);
  #nextId = 1;

  constructor(private readonly log: LogSink) {}

  /**
   * A server event: listed, logged, and drawn as an arrow unless `arrow` is false (this page's own
   * leaving, listed beside the server's events but not sent by the server). A flag, not a look at
   * the words: the detail is in the page's language.
   */
  serverEvent(name: string, detail: string, { arrow = true }: { arrow?: boolean } = {}): void {
    this.events = [...this.events, { id: this.#nextId++, at: performance.now(), name, detail }];
    this.log.info(`${name}: ${detail}`, 'signaling');
    if (arrow) this.arrow('server', 'page', name);
  }

  arrow(from: Lifeline, to: Lifeline, label: string): void {
    this.exchange = [...this.exchange, { at: performance.now(), from, to, label }];
  }

  /** A chat message, `from` a peer's id or null for this page's own. */
  chatLine(from: string | null, text: string): void {
    this.chat = [...this.chat, { id: this.#nextId++, at: performance.now(), from, text }];
  }
}
