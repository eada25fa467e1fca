/**
 * The event log's words for what RoomCall reports: each message of the exchange (the arrows of
 * the sequence diagram) in the codelab's words (`socket.emit('create or join')`, `created`,
 * `ready`, offer …), the seat the server gave, and which side starts the negotiation.
 */
import type { NegotiationStartReason } from '@workbench/core/negotiation';
import type { TimelineEntry } from '@workbench/core/room-call';
import type { JoinSuccess } from '@workbench/core/signaling-client';

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
  const verb = entry.from === 'peer' ? 'received' : entry.to === 'peer' ? 'sent' : entry.from === 'server' ? `${entry.label}:` : 'socket.emit';
  const what = entry.label === 'candidate' ? `remote candidate: ${entry.detail ?? ''}` : entry.label === 'end-of-candidates' ? 'remote candidates complete' : `${verb} ${entry.label}${entry.detail ? ` (${entry.detail})` : ''}`;
  const words: Record<string, string> = {
    created: `created: this page is the first in room ${room}`,
    joined: `joined: this page is the second in room ${room}`,
    join: `join: ${entry.detail ?? ''} joined room ${room}`,
    ready: `ready: room ${room} now has two members, the call starts`,
    bye: entry.from === 'page' ? `socket.emit('bye', '${room}'): the other side gets 'bye'.` : `bye: ${entry.detail ?? ''} left room ${room}; closing the peer connection`,
  };
  return { text: words[entry.label] ?? what, source: entry.label.includes('candidate') ? 'ice' : 'signaling' };
}

/** The seat the server gave this page, and whether anyone is there yet. */
export function describeJoined(result: JoinSuccess): string {
  const who = result.peers.length > 0 ? `${result.peers.join(', ')} is here.` : 'nobody else yet: share the link. Alone and impolite, this side makes its offer now; it goes out when a peer is ready.';
  return `${result.role} room ${result.room} as ${result.clientId} (${result.polite ? 'polite: waits for the offer' : 'impolite'}); ${who}`;
}

/** Why this side adds its camera now: the perfect-negotiation role it plays. */
export function describeStart(why: NegotiationStartReason): string {
  return why === 'impolite' ? 'impolite side: adding the camera now, so this side makes the offer' : why === 'remote-offer' ? 'polite side: offer applied, adding the camera to the answer' : 'polite side: no offer came, offering itself';
}
