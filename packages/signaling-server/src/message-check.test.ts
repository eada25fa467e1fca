// The relay's fast validation must answer exactly as the protocol's validateSignalMessage does.
import { validateSignalMessage } from '@workbench/core/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkSignalMessage, payloadBytesUpperBound } from './message-check.js';

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

  it('bounds the JSON size from above for flat payloads', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.string({ unit: 'binary' }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null))), (value) => {
        expect(payloadBytesUpperBound(value)).toBeGreaterThanOrEqual(new TextEncoder().encode(JSON.stringify(value)).byteLength);
      }),
      { numRuns: 1000 },
    );
  });
});
