/**
 * `GET /metrics`: the server's counters in the Prometheus text format (version 0.0.4). Written by
 * hand rather than with prom-client because five metric families do not need a dependency, and
 * the relay path must stay allocation-light: counting a relayed message is one addition.
 */

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Why an inbound event was refused; the `reason` label of `signaling_rejections_total`. */
export type RejectionReason =
  | 'invalid_room_name'
  | 'room_full'
  | 'already_in_room'
  | 'not_in_room'
  | 'invalid_payload'
  | 'payload_too_large'
  | 'rate_limited'
  | 'unknown_event'
  | 'unavailable'
  | 'origin'
  | 'host'
  | 'jsonp'
  | 'binary_packet'
  | 'address_connections'
  | 'address_handshakes'
  | 'address_joins'
  | 'ice_servers_rate'
  | 'flood_disconnect'
  | 'slow_receiver';

/** Upper bounds of the relay-latency buckets, in seconds: sub-millisecond up to a second. */
export const RELAY_LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] as const;

export class Histogram {
  readonly bounds: readonly number[];
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
    this.counts = new Array<number>(bounds.length).fill(0);
  }

  observe(value: number): void {
    this.sum += value;
    this.count += 1;
    // Non-cumulative per bucket; exposition adds them up. Values past the last bound only count in +Inf.
    for (let i = 0; i < this.bounds.length; i += 1) {
      if (value <= (this.bounds[i] as number)) {
        this.counts[i] = (this.counts[i] as number) + 1;
        return;
      }
    }
  }
}

export interface MetricsSnapshotSource {
  /** Sockets connected to this process. */
  connectedClients: () => number;
  /** Rooms with a member on this process. */
  rooms: () => number;
}

export class SignalingMetrics {
  relayedMessages = 0;
  joins = 0;
  readonly rejections = new Map<RejectionReason, number>();
  readonly relayLatency = new Histogram(RELAY_LATENCY_BUCKETS);
  /** Seats of dead processes this process freed (Redis mode). */
  ghostSeatsFreed = 0;
  /** Clients that came back within the reconnect grace and got their seat again. */
  resumedSessions = 0;

  reject(reason: RejectionReason): void {
    this.rejections.set(reason, (this.rejections.get(reason) ?? 0) + 1);
  }

  rejected(reason: RejectionReason): number {
    return this.rejections.get(reason) ?? 0;
  }

  /** The exposition text; `source` supplies the gauges, which are read at scrape time. */
  render(source: MetricsSnapshotSource): string {
    const lines: string[] = [];
    const family = (name: string, type: string, help: string) => lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);

    family('signaling_connected_clients', 'gauge', 'Socket.IO clients connected to this process.');
    lines.push(`signaling_connected_clients ${source.connectedClients()}`);
    family('signaling_rooms', 'gauge', 'Rooms with at least one member on this process.');
    lines.push(`signaling_rooms ${source.rooms()}`);
    family('signaling_relayed_messages_total', 'counter', "Messages relayed to a room's other members.");
    lines.push(`signaling_relayed_messages_total ${this.relayedMessages}`);
    family('signaling_joins_total', 'counter', 'Successful room joins.');
    lines.push(`signaling_joins_total ${this.joins}`);
    family('signaling_resumed_sessions_total', 'counter', 'Clients that reconnected within the grace period and kept their seat.');
    lines.push(`signaling_resumed_sessions_total ${this.resumedSessions}`);
    family('signaling_ghost_seats_freed_total', 'counter', 'Seats of dead server processes freed by this process.');
    lines.push(`signaling_ghost_seats_freed_total ${this.ghostSeatsFreed}`);
    family('signaling_rejections_total', 'counter', 'Inbound events refused, by reason.');
    for (const [reason, count] of [...this.rejections.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`signaling_rejections_total{reason="${reason}"} ${count}`);
    }
    family('signaling_relay_latency_seconds', 'histogram', "Time from a message's arrival to its hand-off for delivery.");
    let cumulative = 0;
    for (const [i, bound] of this.relayLatency.bounds.entries()) {
      cumulative += this.relayLatency.counts[i] as number;
      lines.push(`signaling_relay_latency_seconds_bucket{le="${bound}"} ${cumulative}`);
    }
    lines.push(`signaling_relay_latency_seconds_bucket{le="+Inf"} ${this.relayLatency.count}`);
    lines.push(`signaling_relay_latency_seconds_sum ${this.relayLatency.sum}`);
    lines.push(`signaling_relay_latency_seconds_count ${this.relayLatency.count}`);
    const memory = process.memoryUsage();
    family('process_resident_memory_bytes', 'gauge', 'Resident memory of this process.');
    lines.push(`process_resident_memory_bytes ${memory.rss}`);
    family('nodejs_heap_used_bytes', 'gauge', 'V8 heap in use.');
    lines.push(`nodejs_heap_used_bytes ${memory.heapUsed}`);
    return `${lines.join('\n')}\n`;
  }
}
