/** This side's ICE, in the event log: each local candidate. */
import type { Peer } from '@workbench/core/peer';
import { m } from '@workbench/i18n/messages';
import type { LogSink } from '@workbench/ui';

/** "host udp 192.168.1.2:54400" from a candidate line: what a learner compares across peers. */
export function candidateSummary(line: string): string {
  const parts = line.replace(/^candidate:/, '').split(' ');
  return `${parts[parts.indexOf('typ') + 1] ?? '?'} ${parts[2]?.toLowerCase() ?? '?'} ${parts[4] ?? '?'}:${parts[5] ?? '?'}`;
}

/** Logs `peer`'s local candidates until it closes (RoomCall says which ICE servers failed). */
export function logLocalIce(peer: Peer, log: LogSink): void {
  // Firefox ends with an empty candidate before the null: one "complete" line is enough.
  peer.on('icecandidate', (candidate) => candidate?.candidate !== '' && log.info(candidate ? m.call_log_local_candidate({ candidate: candidateSummary(candidate.candidate) }) : m.call_log_local_candidates_complete(), 'ice'));
}
