/**
 * How a page shows a RoomCall's status (/call/, /photo/, the quality page's room call): stable
 * words (people and the browser tests look for them) and a tone for each. One list, so the pages
 * cannot drift apart again.
 */
import type { RoomCallStatus } from '@workbench/core/room-call';
import { m } from '@workbench/i18n/messages';
import type { BadgeTone } from './types.js';

/**
 * The status words in the page's language; only the idle one differs between pages ("not in a
 * call", "not in a room"), so each page passes its own, already translated.
 */
export function roomCallStatusWords(idle: string): Record<RoomCallStatus, string> {
  return {
    idle,
    joining: m.call_status_joining(),
    waiting: m.call_status_waiting(),
    'peer-left': m.call_status_peer_left(),
    connecting: m.call_status_connecting(),
    connected: m.call_status_connected(),
    interrupted: m.call_status_interrupted(),
    failed: m.call_status_failed(),
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
