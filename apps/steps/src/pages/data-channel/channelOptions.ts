/** The data channel options step 3 offers, read from the form into an RTCDataChannelInit. */
import { m } from '@workbench/i18n/messages';

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
    // The limit stays ungrouped (65535, not 65,535): it is what the number field accepts.
    return { ok: false, message: m.dc_max_retransmits_not_whole({ text: trimmed, limit: String(MAX_RETRANSMITS_LIMIT) }) };
  }
  const value = Number(trimmed);
  if (value > MAX_RETRANSMITS_LIMIT) {
    return { ok: false, message: m.dc_max_retransmits_too_big({ value: String(value), limit: String(MAX_RETRANSMITS_LIMIT) }) };
  }
  return { ok: true, value };
}

/** `maxRetransmits` is left out entirely when null: passing `null` is not the same in every browser. */
export function channelInit(ordered: boolean, maxRetransmits: number | null): RTCDataChannelInit {
  return maxRetransmits === null ? { ordered } : { ordered, maxRetransmits };
}

/** A person's summary of what the options mean together. */
export function describeReliability(ordered: boolean, maxRetransmits: number | null): string {
  const order = ordered ? m.dc_order_in_order() : m.dc_order_maybe_out_of_order();
  if (maxRetransmits === null) return m.dc_reliable({ order });
  if (maxRetransmits === 0) return m.dc_unreliable({ order });
  return m.dc_partially_reliable({ count: maxRetransmits, order });
}
