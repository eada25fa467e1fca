/** How the page's state and candidate tables show what the loopback reports. */
import type { BadgeTone } from '@workbench/ui';
import type { PeerStateName } from '../../lib/loopback.js';

/** One state change of one connection, a row of the state timeline. */
export interface TimelineRow {
  id: number;
  at: number;
  pc: string;
  state: PeerStateName;
  value: string;
}

export const CONNECTION_TONE: Record<RTCPeerConnectionState, BadgeTone> = {
  new: 'neutral',
  connecting: 'info',
  connected: 'success',
  disconnected: 'warning',
  failed: 'danger',
  closed: 'neutral',
};

/** The number of lines of an SDP, shown beside each description. */
export function lineCount(sdp: string): number {
  return sdp.trimEnd().split(/\r?\n/).length;
}
