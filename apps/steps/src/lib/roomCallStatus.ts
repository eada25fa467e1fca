/**
 * How /call/ and /photo/ show a RoomCall's status: stable words (people and the browser tests
 * look for them) and a tone for each. One list, so the two pages cannot drift apart again.
 */
import type { RoomCallStatus } from '@workbench/core/room-call';
import type { BadgeTone } from '@workbench/ui';

/** The status words; only the idle one differs between pages ("not in a call", "not in a room"). */
export function roomCallStatusWords(idle: string): Record<RoomCallStatus, string> {
  return {
    idle,
    joining: 'joining',
    waiting: 'waiting for a peer',
    'peer-left': 'peer left — waiting for a peer',
    connecting: 'connecting',
    connected: 'connected',
    interrupted: 'connection interrupted — reconnecting',
    failed: 'ICE failed',
  };
}

export const ROOM_CALL_TONE: Record<RoomCallStatus, BadgeTone> = {
  idle: 'neutral',
  joining: 'neutral',
  waiting: 'info',
  'peer-left': 'warning',
  connecting: 'info',
  connected: 'success',
  interrupted: 'warning',
  failed: 'danger',
};
