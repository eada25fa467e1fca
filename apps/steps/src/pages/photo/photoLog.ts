/** The event log's words for what RoomCall reports on /photo/: the seat, the channel, the room's notices. */
import type { NegotiationStartReason } from '@workbench/core/negotiation';
import type { TimelineEntry } from '@workbench/core/room-call';
import type { JoinSuccess } from '@workbench/core/signaling-client';
import { formatList } from '@workbench/i18n/format';
import { m } from '@workbench/i18n/messages';
import type { LogSink } from '@workbench/ui';

/** The seat the server gave this page, and who is already there. */
export function describeJoined(result: JoinSuccess): string {
  return m.photo_log_seat({
    role: result.role === 'created' ? m.photo_log_created() : m.photo_log_joined(),
    room: result.room,
    client: result.clientId,
    manner: result.polite ? m.photo_log_polite() : m.photo_log_impolite(),
    others: result.peers.length > 0 ? m.photo_log_peers_here({ peers: formatList(result.peers) }) : m.photo_log_nobody_yet(),
  });
}

/** The "photos" channel made, and which side offers. */
export function describeStart(why: NegotiationStartReason): string {
  // The call is code, the same in every language (and its braces would be a parameter in a message).
  const call = "createDataChannel('photos', {negotiated: true, id: 0})";
  if (why === 'impolite') return m.photo_log_start_offers({ call });
  return why === 'remote-offer' ? m.photo_log_start_answering({ call }) : m.photo_log_start_fallback({ call });
}

/** Logs the server's notices and the offer/answer that arrive; candidates stay out of this page's log. */
export function logExchange(entry: TimelineEntry, room: string, log: LogSink): void {
  if (entry.label === 'join') log.info(m.photo_log_join_notice({ peer: entry.detail ?? '', room }), 'signaling');
  else if (entry.label === 'ready') log.info(m.photo_log_ready({ room }), 'signaling');
  else if (entry.from === 'peer' && (entry.label === 'offer' || entry.label === 'answer')) log.info(m.photo_log_received_description({ kind: entry.label }), 'signaling');
  // A peer leaving is part of the flow: a normal line, not a warning (issue 13).
  else if (entry.label === 'bye' && entry.from === 'server') log.info(m.photo_log_bye({ peer: entry.detail ?? '', room }), 'signaling');
}
