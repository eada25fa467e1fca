/**
 * TURN REST API credentials (draft-uberti-behave-turn-rest, coturn `use-auth-secret`): the server
 * shares a secret with coturn and hands browsers short-lived username/password pairs, so no
 * long-lived TURN password ever reaches a page. One definition for the two that mint them: the
 * signaling server (`/api/ice-servers`) and `webrtc-workbench ice --secret`. Node only (node:crypto,
 * synchronous), so it is not re-exported from core's index, which browsers bundle.
 */
import { createHmac } from 'node:crypto';

export interface TurnCredentials {
  /** `<expiry>:<user>`, the expiry in Unix seconds; coturn rejects it after that second. */
  username: string;
  /** base64(HMAC-SHA1(secret, username)), which coturn recomputes from its copy of the secret. */
  credential: string;
  /** When the credential stops working, in Unix milliseconds (comparable with `Date.now()`). */
  expiresAt: number;
}

export function turnRestCredentials(
  secret: string,
  user: string,
  ttlSeconds: number,
  now: number = Date.now(),
): TurnCredentials {
  if (secret === '') throw new RangeError('The TURN secret is empty: set the same static-auth-secret as coturn.');
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    throw new RangeError(`TURN credential TTL must be a positive number of seconds, got ${String(ttlSeconds)}.`);
  }
  const expirySeconds = Math.floor(now / 1000) + Math.floor(ttlSeconds);
  const username = `${expirySeconds}:${user}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential, expiresAt: expirySeconds * 1000 };
}
