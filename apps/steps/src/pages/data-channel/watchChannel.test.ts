import { describe, expect, it } from 'vitest';
import { messageSize } from './watchChannel.js';

describe('messageSize', () => {
  it('counts text in UTF-8 bytes, as SCTP carries it, not in UTF-16 code units', () => {
    expect(messageSize('hé')).toBe(3);
    expect(messageSize('😀')).toBe(4);
  });

  it('counts binary messages by their own size', () => {
    expect(messageSize(new ArrayBuffer(7))).toBe(7);
    expect(messageSize(new Blob(['abcd']))).toBe(4);
    expect(messageSize(undefined)).toBe(0);
  });
});
