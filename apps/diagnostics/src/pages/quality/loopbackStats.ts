/**
 * A loopback call has two connections in the page: pc1 sends, pc2 receives. The charts want one
 * sample with both directions, so this joins the two getStats() reports: everything from pc1 (its
 * outbound streams, its transport and selected pair: the sender's RTT and available bitrate) plus
 * pc2's inbound streams and the codecs they name. Ids are renamed apart first: both connections
 * have a "T01" transport, and a merged report must not let pc2's replace pc1's.
 */
import { toStatsMap, type RawStats, type StatsInput } from '@workbench/core/stats';

/** Prefix given to the receiver's stat ids in the merged report. */
export const RECEIVER_PREFIX = 'pc2:';

export function mergeLoopbackReports(sender: StatsInput, receiver: StatsInput): Map<string, RawStats> {
  const merged = toStatsMap(sender);
  const received = toStatsMap(receiver);
  for (const [id, stats] of received) {
    if (stats.type !== 'inbound-rtp') continue;
    const codecId = typeof stats.codecId === 'string' ? stats.codecId : undefined;
    const renamed: RawStats = { ...stats, id: RECEIVER_PREFIX + id };
    if (codecId !== undefined) {
      renamed.codecId = RECEIVER_PREFIX + codecId;
      const codec = received.get(codecId);
      if (codec) merged.set(RECEIVER_PREFIX + codecId, { ...codec, id: RECEIVER_PREFIX + codecId });
    }
    merged.set(RECEIVER_PREFIX + id, renamed);
  }
  return merged;
}
