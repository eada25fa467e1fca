import { describe, expect, it } from 'vitest';
import { MAX_RETRANSMITS_LIMIT, channelInit, describeReliability, parseMaxRetransmits } from './channelOptions.js';

describe('parseMaxRetransmits', () => {
  it('reads empty (and blank) as reliable', () => {
    expect(parseMaxRetransmits('')).toEqual({ ok: true, value: null });
    expect(parseMaxRetransmits('  ')).toEqual({ ok: true, value: null });
  });

  it('accepts whole numbers from 0 to the SCTP limit', () => {
    expect(parseMaxRetransmits('0')).toEqual({ ok: true, value: 0 });
    expect(parseMaxRetransmits(' 3 ')).toEqual({ ok: true, value: 3 });
    expect(parseMaxRetransmits(String(MAX_RETRANSMITS_LIMIT))).toEqual({ ok: true, value: MAX_RETRANSMITS_LIMIT });
  });

  it.each(['-1', '1.5', 'abc', '1e3', '0x10'])('refuses %j and says what to type', (text) => {
    const result = parseMaxRetransmits(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/leave it empty for a reliable channel/);
  });

  it('refuses numbers SCTP cannot count', () => {
    const result = parseMaxRetransmits(String(MAX_RETRANSMITS_LIMIT + 1));
    expect(result).toMatchObject({ ok: false });
  });
});

describe('channelInit', () => {
  it('leaves maxRetransmits out for a reliable channel', () => {
    expect(channelInit(true, null)).toEqual({ ordered: true });
    expect('maxRetransmits' in channelInit(false, null)).toBe(false);
  });

  it('passes 0 through (0 is unreliable, not "unset")', () => {
    expect(channelInit(false, 0)).toEqual({ ordered: false, maxRetransmits: 0 });
  });
});

describe('describeReliability', () => {
  it('names the three kinds of channel', () => {
    expect(describeReliability(true, null)).toMatch(/^Reliable, in order/);
    expect(describeReliability(false, 0)).toMatch(/^Unreliable, possibly out of order: .*never resent/);
    expect(describeReliability(true, 1)).toMatch(/at most 1 time,/);
    expect(describeReliability(true, 5)).toMatch(/at most 5 times,/);
  });
});
