/** The data channel options step 3 offers, read from the form into an RTCDataChannelInit. */

/** The SCTP limit: retransmission counts are 16-bit. */
export const MAX_RETRANSMITS_LIMIT = 65535;

export type MaxRetransmitsField = { ok: true; value: number | null } | { ok: false; message: string };

/**
 * The `maxRetransmits` field: empty means reliable (no limit, `null`); otherwise a whole number
 * from 0 (sent once, never resent) to 65535. The message says what to type instead.
 */
export function parseMaxRetransmits(text: string): MaxRetransmitsField {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: null };
  if (!/^\d+$/.test(trimmed)) {
    return { ok: false, message: `"${trimmed}" is not a whole number: type 0 to ${MAX_RETRANSMITS_LIMIT}, or leave it empty for a reliable channel.` };
  }
  const value = Number(trimmed);
  if (value > MAX_RETRANSMITS_LIMIT) {
    return { ok: false, message: `${value} is above ${MAX_RETRANSMITS_LIMIT}, the most SCTP can count: type a smaller number, or leave it empty for a reliable channel.` };
  }
  return { ok: true, value };
}

/** `maxRetransmits` is left out entirely when null: passing `null` is not the same in every browser. */
export function channelInit(ordered: boolean, maxRetransmits: number | null): RTCDataChannelInit {
  return maxRetransmits === null ? { ordered } : { ordered, maxRetransmits };
}

/** A person's summary of what the options mean together. */
export function describeReliability(ordered: boolean, maxRetransmits: number | null): string {
  const order = ordered ? 'in order' : 'possibly out of order';
  if (maxRetransmits === null) return `Reliable, ${order}: every message arrives, like TCP.`;
  if (maxRetransmits === 0) return `Unreliable, ${order}: each message is sent once and never resent, like UDP.`;
  return `Partially reliable, ${order}: a lost message is resent at most ${maxRetransmits} time${maxRetransmits === 1 ? '' : 's'}, then dropped.`;
}
