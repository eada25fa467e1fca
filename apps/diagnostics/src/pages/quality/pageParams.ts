/**
 * What the quality page reads from its URL: `?room=` (the shareable link of a room call) and
 * `?interval=` (the stats poll interval in ms; 1000 like webrtc-internals, lower for benchmarks
 * that push an hour of samples through the page in minutes).
 */
import { validateRoomName } from '@workbench/core/protocol';

export const DEFAULT_INTERVAL_MS = 1000;
export const MIN_INTERVAL_MS = 50;
export const MAX_INTERVAL_MS = 10_000;

export interface PageParams {
  /** The room from `?room=`, if any. */
  room?: string;
  /** Why `?room=` is unusable, in words. */
  roomProblem?: string;
  intervalMs: number;
  /** Why `?interval=` was ignored, in words. */
  intervalProblem?: string;
}

export function readPageParams(url: URL): PageParams {
  const params: PageParams = { intervalMs: DEFAULT_INTERVAL_MS };
  const room = url.searchParams.get('room');
  if (room !== null && room !== '') {
    const checked = validateRoomName(room);
    params.room = room;
    if (!checked.ok) params.roomProblem = checked.error.message;
  }
  const interval = url.searchParams.get('interval');
  if (interval !== null) {
    const ms = Number(interval);
    if (Number.isInteger(ms) && ms >= MIN_INTERVAL_MS && ms <= MAX_INTERVAL_MS) params.intervalMs = ms;
    else params.intervalProblem = `?interval=${interval} ignored: give whole milliseconds from ${MIN_INTERVAL_MS} to ${MAX_INTERVAL_MS}.`;
  }
  return params;
}

/** `quality-` and six random letters or digits, a valid room name nobody else is likely to pick. */
export function randomRoomName(random: (length: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n))): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
  let suffix = '';
  for (const byte of random(6)) suffix += alphabet[byte % alphabet.length] ?? 'x';
  return `quality-${suffix}`;
}

/** The page's URL with `?room=<room>` (other parameters kept): the link to send the other person. */
export function roomLink(url: URL, room: string): URL {
  const next = new URL(url.href);
  next.searchParams.set('room', room);
  return next;
}
