// The relay's fast validation must answer exactly as the protocol's validateSignalMessage does.
import { signalMessageSchema, validateSignalMessage } from '@workbench/core/protocol';
import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { checkSignalMessage, isExactSignalMessage, payloadBytesEstimate, payloadBytesUpperBound } from './message-check.js';

const messages = fc.oneof(
  fc.anything(),
  fc.constantFrom('got user media', 'bye'),
  fc.record({ type: fc.constantFrom('offer', 'answer'), sdp: fc.string({ unit: 'binary', maxLength: 3000 }) }),
  fc.record({ type: fc.constant('text'), text: fc.string({ unit: 'grapheme', maxLength: 5000 }) }),
  fc.record(
    {
      type: fc.constant('candidate'),
      candidate: fc.string({ maxLength: 2100 }),
      sdpMid: fc.option(fc.string({ maxLength: 70 })),
      sdpMLineIndex: fc.option(fc.oneof(fc.integer(), fc.double())),
      label: fc.integer({ min: -1, max: 1100 }),
      id: fc.string({ maxLength: 70 }),
    },
    { requiredKeys: ['type', 'candidate'] },
  ),
  // Right shapes with one field too many, or a field of the wrong kind: valibot strips or refuses.
  fc
    .tuple(fc.constantFrom({ type: 'text', text: 'hi' }, { type: 'offer', sdp: 'v=0' }, { type: 'candidate', candidate: '' }), fc.string(), fc.anything())
    .map(([base, key, value]) => ({ ...base, [key]: value })),
);

describe('checkSignalMessage', () => {
  it('agrees with validateSignalMessage on any input and any limit', () => {
    fc.assert(
      fc.property(messages, fc.integer({ min: 1024, max: 8192 }), (input, maxBytes) => {
        expect(checkSignalMessage(input, maxBytes)).toEqual(validateSignalMessage(input, maxBytes));
      }),
      { numRuns: 2000 },
    );
  });

  it('pre-checks only what valibot accepts unchanged', () => {
    fc.assert(
      fc.property(messages, (input) => {
        if (!isExactSignalMessage(input)) return;
        const result = v.safeParse(signalMessageSchema, input);
        expect(result.success).toBe(true);
        expect(result.output).toStrictEqual(input);
      }),
      { numRuns: 3000 },
    );
  });

  it('pre-checks every message shape real clients send, so the relay skips valibot for them', () => {
    const sent = [
      'got user media',
      'bye',
      { type: 'offer', sdp: 'v=0\r\n' },
      { type: 'answer', sdp: 'v=0\r\n' },
      { type: 'candidate', candidate: 'candidate:1 1 udp 1 192.0.2.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'abcd' },
      { type: 'candidate', candidate: '', sdpMid: null, sdpMLineIndex: null, usernameFragment: null },
      { type: 'candidate', label: 0, id: 'audio', candidate: 'candidate:1 1 udp 1 192.0.2.1 5000 typ host' },
      { type: 'text', text: 'hello' },
    ];
    for (const message of sent) expect(isExactSignalMessage(message), JSON.stringify(message)).toBe(true);
    const refused = [
      'hello',
      { type: 'candidate', candidate: 'c', sdpMLineIndex: 1.5 },
      { type: 'candidate', candidate: 'c', sdpMid: 'x'.repeat(65) },
      { type: 'text', text: 'x'.repeat(4097) },
      { type: 'offer' },
      { type: 'text', text: 'hi', extra: 1 },
      Object.assign(Object.create(null) as object, { type: 'text', text: 'hi' }),
    ];
    for (const message of refused) expect(isExactSignalMessage(message), JSON.stringify(message)).toBe(false);
  });

  it('bounds the JSON size from above for flat payloads', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.string({ unit: 'binary' }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null))), (value) => {
        expect(payloadBytesUpperBound(value)).toBeGreaterThanOrEqual(new TextEncoder().encode(JSON.stringify(value)).byteLength);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('payloadBytesEstimate', () => {
  it('is within a few bytes of the JSON size of an ASCII message, never six times it', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({ type: fc.constantFrom('offer', 'answer'), sdp: fc.string({ unit: fc.constantFrom('a', 'v', '=', '0', ' '), maxLength: 3000 }) }),
          fc.record({ type: fc.constant('candidate'), candidate: fc.string({ unit: fc.constantFrom('1', 'u', 'd', 'p'), maxLength: 200 }), label: fc.nat(4) }),
          fc.string({ unit: fc.constantFrom('x', 'y'), maxLength: 100 }),
        ),
        (message) => {
          const json = JSON.stringify(message).length;
          expect(Math.abs(payloadBytesEstimate(message) - json)).toBeLessThanOrEqual(12);
        },
      ),
      { numRuns: 500 },
    );
  });
});
