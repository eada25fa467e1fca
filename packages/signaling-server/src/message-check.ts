/**
 * The relay's validation, on the hot path: the protocol's schema (valibot) decides what a message
 * may be, and its byte limit is checked without serialising the message when a cheap upper bound
 * already proves it small. `validateSignalMessage` from the protocol stringifies and encodes every
 * payload to measure it, which under load cost more server CPU than the relay itself; here that
 * exact measurement, and the protocol's own error messages, are kept for the rare payload that
 * might be too large or is invalid.
 */
import { signalMessageSchema, validateSignalMessage, type SignalMessage, type Validated } from '@workbench/core/protocol';
import * as v from 'valibot';

/** Bytes a JSON-encoded string can take at most: 3 per UTF-16 unit (or 6 for an escape), plus quotes. */
function stringBound(value: string): number {
  return value.length * 6 + 2;
}

/**
 * An upper bound on `payloadBytes(value)` for a string or a flat object of strings, numbers,
 * booleans and null; `Infinity` for anything else (which then gets measured exactly).
 */
export function payloadBytesUpperBound(value: unknown): number {
  if (typeof value === 'string') return stringBound(value);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return Number.POSITIVE_INFINITY;
  let bound = 2;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const field = (value as Record<string, unknown>)[key];
    bound += stringBound(key) + 2;
    if (typeof field === 'string') bound += stringBound(field);
    else if (typeof field === 'number' || typeof field === 'boolean' || field === null || field === undefined) bound += 24;
    else return Number.POSITIVE_INFINITY;
  }
  return bound;
}

/** Same answers as the protocol's `validateSignalMessage(input, maxBytes)`, cheaper for the common case. */
export function checkSignalMessage(input: unknown, maxBytes: number): Validated<SignalMessage> {
  if (payloadBytesUpperBound(input) <= maxBytes) {
    const result = v.safeParse(signalMessageSchema, input);
    if (result.success) return { ok: true, value: result.output };
  }
  return validateSignalMessage(input, maxBytes);
}
