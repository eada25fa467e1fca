/**
 * Which room a page joins: the `?room=` of its URL, or a fresh random name written back into the
 * URL so the address bar is the link to share. Replaces the codelab's `prompt('Enter room name:')`,
 * which blocks the page and loses the name on reload.
 */
import { validateRoomName } from '@workbench/core/protocol';

/** 32 letters and digits, without l, o, 0 and 1 that read alike: 30 random bits in six characters. */
const ROOM_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
const ROOM_SUFFIX_LENGTH = 6;

/** `room-` and six random letters or digits, e.g. `room-k3x9qa`; always a valid room name. */
export function randomRoomName(randomBytes: (length: number) => Uint8Array = secureRandomBytes): string {
  const bytes = randomBytes(ROOM_SUFFIX_LENGTH);
  let suffix = '';
  // 256 is a multiple of 32, so the modulo keeps every letter equally likely.
  for (const byte of bytes) suffix += ROOM_ALPHABET[byte % ROOM_ALPHABET.length] ?? 'x';
  return `room-${suffix}`;
}

function secureRandomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

export interface RoomChoice {
  room: string;
  /** True when the URL named no room and `room` was made up here. */
  generated: boolean;
  /** Why the name from the URL is unusable (the rule it breaks); undefined when it is fine. */
  invalid?: string;
}

/**
 * The room `url` asks for. An invalid `?room=` is kept, not silently replaced, so the page can
 * explain the rule instead of quietly joining somewhere else than the link said.
 */
export function chooseRoom(url: URL, randomBytes?: (length: number) => Uint8Array): RoomChoice {
  const asked = url.searchParams.get('room');
  if (asked === null || asked === '') return { room: randomRoomName(randomBytes), generated: true };
  const checked = validateRoomName(asked);
  return checked.ok ? { room: asked, generated: false } : { room: asked, generated: false, invalid: checked.error.message };
}

/** `url` with `?room=<room>`, other parameters and the hash kept: the link that opens this room. */
export function urlWithRoom(url: URL, room: string): URL {
  const next = new URL(url.href);
  next.searchParams.set('room', room);
  return next;
}

/** Writes `room` into the address bar without a reload or a new history entry. */
export function showRoomInAddressBar(room: string): URL {
  const next = urlWithRoom(new URL(location.href), room);
  history.replaceState(history.state, '', next);
  return next;
}
