/**
 * The byte and message counters of one data channel, from getStats(): the report's entries of
 * type "data-channel" (RTCDataChannelStats), which count at the SCTP layer, not in the page.
 */

export interface DataChannelCounters {
  bytesSent: number;
  bytesReceived: number;
  messagesSent: number;
  messagesReceived: number;
  /** The channel's readyState as the stats saw it. */
  state?: string;
}

/** An RTCStatsReport, or anything else with its forEach (a Map of plain objects in tests). */
export interface StatsReportLike {
  forEach(callback: (stats: unknown) => void): void;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/**
 * The counters of the channel with `label` (and, when given, SCTP stream `id`: two channels may
 * share a label). `undefined` when the report has no such entry, as in browsers without
 * data-channel stats; the page then shows its own counts.
 */
export function dataChannelCounters(report: StatsReportLike, label: string, id?: number | null): DataChannelCounters | undefined {
  let found: Record<string, unknown> | undefined;
  report.forEach((entry) => {
    if (found || !entry || typeof entry !== 'object') return;
    const stats = entry as Record<string, unknown>;
    if (stats['type'] !== 'data-channel' || stats['label'] !== label) return;
    if (id != null && typeof stats['dataChannelIdentifier'] === 'number' && stats['dataChannelIdentifier'] !== id) return;
    found = stats;
  });
  if (!found) return undefined;
  return {
    bytesSent: count(found['bytesSent']),
    bytesReceived: count(found['bytesReceived']),
    messagesSent: count(found['messagesSent']),
    messagesReceived: count(found['messagesReceived']),
    ...(typeof found['state'] === 'string' ? { state: found['state'] } : {}),
  };
}

/** The channel's counters at both ends, from one getStats() each, taken together. */
export async function bothEndsCounters(
  sender: { getStats(): Promise<StatsReportLike> },
  receiver: { getStats(): Promise<StatsReportLike> },
  label: string,
  id?: number | null,
): Promise<{ sent: DataChannelCounters | undefined; received: DataChannelCounters | undefined }> {
  const [sent, received] = await Promise.all([sender.getStats(), receiver.getStats()]);
  return { sent: dataChannelCounters(sent, label, id), received: dataChannelCounters(received, label, id) };
}
