/** The event log's words for what RoomCall reports on /photo/: the seat, the channel, the room's notices. */
import type { NegotiationStartReason } from '@workbench/core/negotiation';
import type { TimelineEntry } from '@workbench/core/room-call';
import type { JoinSuccess } from '@workbench/core/signaling-client';
import type { LogSink } from '@workbench/ui';

/** The seat the server gave this page, and who is already there. */
export function describeJoined(result: JoinSuccess): string {
  return `${result.role} room ${result.room} as ${result.clientId} (${result.polite ? 'polite' : 'impolite'}); ${result.peers.length > 0 ? `${result.peers.join(', ')} is here.` : 'nobody else yet: share the link.'}`;
}

/** The "photos" channel made, and which side offers. */
export function describeStart(why: NegotiationStartReason): string {
  return `createDataChannel('photos', {negotiated: true, id: 0}) ${why === 'impolite' ? '(this side offers)' : why === 'remote-offer' ? '(answering their offer)' : '(no offer came: offering instead)'} → window.dataChannel`;
}

/** Logs the server's notices and the offer/answer that arrive; candidates stay out of this page's log. */
export function logExchange(entry: TimelineEntry, room: string, log: LogSink): void {
  if (entry.label === 'join') log.info(`join: ${entry.detail ?? ''} joined room ${room}`, 'signaling');
  else if (entry.label === 'ready') log.info(`ready: room ${room} now has two members; connecting the data channel`, 'signaling');
  else if (entry.from === 'peer' && (entry.label === 'offer' || entry.label === 'answer')) log.info(`received ${entry.label}`, 'signaling');
  // A peer leaving is part of the flow: a normal line, not a warning (issue 13).
  else if (entry.label === 'bye' && entry.from === 'server') log.info(`bye: ${entry.detail ?? ''} left room ${room}; closing the peer connection`, 'signaling');
}
