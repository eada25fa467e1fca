/** This side's ICE, in the event log: each local candidate, and each ICE server that failed. */
import type { Peer } from '@workbench/core/peer';
import type { LogSink } from '@workbench/ui';

/** "host udp 192.168.1.2:54400" from a candidate line: what a learner compares across peers. */
export function candidateSummary(line: string): string {
  const parts = line.replace(/^candidate:/, '').split(' ');
  return `${parts[parts.indexOf('typ') + 1] ?? '?'} ${parts[2]?.toLowerCase() ?? '?'} ${parts[4] ?? '?'}:${parts[5] ?? '?'}`;
}

/** Logs `peer`'s gathering until it closes. */
export function logLocalIce(peer: Peer, log: LogSink): void {
  // Firefox ends with an empty candidate before the null: one "complete" line is enough.
  peer.on('icecandidate', (candidate) => candidate?.candidate !== '' && log.info(candidate ? `local candidate: ${candidateSummary(candidate.candidate)}` : 'local candidates complete', 'ice'));
  const failedServers: string[] = []; // one line per server, not per local address
  peer.on('icecandidateerror', (event) => {
    if (failedServers.includes(event.url)) return;
    failedServers.push(event.url);
    log.warn(`ICE server ${event.url} unreachable (${event.errorCode} ${event.errorText}): harmless for a call on this machine or LAN, where host candidates connect; calls across networks need it.`, 'ice');
  });
}
