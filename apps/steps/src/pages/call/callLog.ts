/**
 * The event log's words for what RoomCall reports: each message of the exchange (the arrows of
 * the sequence diagram) in the codelab's words (`socket.emit('create or join')`, `created`,
 * `ready`, offer …), the seat the server gave, and which side starts the negotiation.
 */
import type { NegotiationStartReason } from '@workbench/core/negotiation';
import type { TimelineEntry } from '@workbench/core/room-call';
import type { JoinSuccess } from '@workbench/core/signaling-client';
import { m } from '@workbench/i18n/messages';

export interface ExchangeLine {
  text: string;
  source: 'ice' | 'signaling';
}

/**
 * The line for `entry`, or undefined for this page's own candidates: those are logged as they are
 * found (many ride inside the early offer, and are never sent on their own).
 */
export function describeExchange(entry: TimelineEntry, room: string): ExchangeLine | undefined {
  if (entry.from === 'page' && (entry.label === 'candidate' || entry.label === 'end-of-candidates')) return undefined;
  const source = entry.label.includes('candidate') ? 'ice' : 'signaling';
  const id = entry.detail ?? '';
  switch (entry.label) {
    case 'created':
      return { text: m.call_log_created({ room }), source };
    case 'joined':
      return { text: m.call_log_joined({ room }), source };
    case 'join':
      return { text: m.call_log_peer_join({ id, room }), source };
    case 'ready':
      return { text: m.call_log_ready({ room }), source };
    case 'bye':
      return { text: entry.from === 'page' ? m.call_log_emit_bye({ room }) : m.call_log_peer_bye({ id, room }), source };
    case 'candidate':
      return { text: m.call_log_remote_candidate({ candidate: id }), source };
    case 'end-of-candidates':
      return { text: m.call_log_remote_candidates_complete(), source };
  }
  // The message name (offer, answer …) is the protocol's and stays as it is in either language.
  const message = { label: entry.label, detail: entry.detail ? m.call_log_detail({ detail: entry.detail }) : '' };
  const text = entry.from === 'peer' ? m.call_log_received(message) : entry.to === 'peer' ? m.call_log_sent(message) : entry.from === 'server' ? m.call_log_server_event(message) : m.call_log_emitted(message);
  return { text, source };
}

/** The seat the server gave this page, and whether anyone is there yet. */
export function describeJoined(result: JoinSuccess): string {
  const who = result.peers.length > 0 ? m.call_log_peers_here({ peers: result.peers.join(', ') }) : m.call_log_alone();
  return m.call_log_joined_as({ role: result.role, room: result.room, id: result.clientId, polite: result.polite ? m.call_log_polite() : m.call_log_impolite(), who });
}

/** Why this side adds its camera now: the perfect-negotiation role it plays. */
export function describeStart(why: NegotiationStartReason): string {
  return why === 'impolite' ? m.call_log_start_impolite() : why === 'remote-offer' ? m.call_log_start_remote_offer() : m.call_log_start_no_offer();
}
