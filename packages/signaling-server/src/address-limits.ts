/**
 * Limits per source address, on top of the per-client ones. A per-client limit alone is reset by
 * reconnecting (a fresh socket gets a full join bucket), and nothing stopped one address opening
 * thousands of sockets or minting thousands of TURN credentials a second. Loopback is not exempt:
 * the tests exercise these from 127.0.0.2 and 127.0.0.3 as two sources. Behind a reverse proxy
 * every client has the proxy's address unless the proxy is named with --trust-proxy
 * (trusted-proxies.ts), which then hands these limits the client it forwards for.
 */
import type { IncomingMessage } from 'node:http';
import { TokenBucket, type RateLimit } from './rate-limit.js';

export interface AddressLimitOptions {
  /** Open socket.io connections from one address. */
  connections: number;
  /** socket.io handshakes (new connections) from one address. */
  handshakes: RateLimit;
  /** `'create or join'` and `'bye'` from one address, whatever socket they come on. */
  joins: RateLimit;
  /** `GET /api/ice-servers` from one address: each answer may mint TURN credentials. */
  iceServers: RateLimit;
}

/**
 * Generous for people (a classroom behind one NAT, a test suite opening pages), tight for scripts:
 * one address cannot hold more than 100 sockets or mint credentials faster than 2 a second.
 */
export const DEFAULT_ADDRESS_LIMITS: Readonly<AddressLimitOptions> = {
  connections: 100,
  handshakes: { burst: 50, perSecond: 10 },
  joins: { burst: 50, perSecond: 10 },
  iceServers: { burst: 60, perSecond: 2 },
};

/** Why a handshake was refused, for the error text and the metrics label. */
export type HandshakeRefusal = 'too_many_connections' | 'too_many_handshakes';

interface AddressEntry {
  connections: number;
  handshakes: TokenBucket;
  joins: TokenBucket;
  iceServers: TokenBucket;
  lastUsed: number;
}

/** The address a request came from: IPv4-mapped IPv6 (`::ffff:127.0.0.2`) as the IPv4 it is. */
export function sourceAddress(req: Pick<IncomingMessage, 'socket'>): string {
  return normaliseAddress(req.socket.remoteAddress);
}

export function normaliseAddress(address: string | undefined): string {
  if (address === undefined || address === '') return 'unknown';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

export class AddressLimits {
  readonly options: AddressLimitOptions;
  readonly #entries = new Map<string, AddressEntry>();
  readonly #idleMs: number;
  readonly #sweeper: NodeJS.Timeout;

  constructor(options: AddressLimitOptions) {
    this.options = options;
    // An entry idle this long has full buckets again, so forgetting it changes nothing.
    const refill = [options.handshakes, options.joins, options.iceServers].map((limit) => (limit.burst / limit.perSecond) * 1000);
    this.#idleMs = Math.max(60_000, ...refill);
    this.#sweeper = setInterval(() => this.sweep(), 30_000);
    this.#sweeper.unref();
  }

  #entry(address: string): AddressEntry {
    let entry = this.#entries.get(address);
    if (entry === undefined) {
      entry = {
        connections: 0,
        handshakes: new TokenBucket(this.options.handshakes),
        joins: new TokenBucket(this.options.joins),
        iceServers: new TokenBucket(this.options.iceServers),
        lastUsed: Date.now(),
      };
      this.#entries.set(address, entry);
    }
    entry.lastUsed = Date.now();
    return entry;
  }

  /** Asked before a new connection is accepted: a refusal, or undefined to accept. */
  admitHandshake(address: string): HandshakeRefusal | undefined {
    const entry = this.#entry(address);
    if (entry.connections >= this.options.connections) return 'too_many_connections';
    if (!entry.handshakes.take()) return 'too_many_handshakes';
    return undefined;
  }

  connected(address: string): void {
    this.#entry(address).connections += 1;
  }

  disconnected(address: string): void {
    const entry = this.#entries.get(address);
    if (entry !== undefined && entry.connections > 0) entry.connections -= 1;
  }

  takeJoin(address: string): boolean {
    return this.#entry(address).joins.take();
  }

  takeIceServers(address: string): boolean {
    return this.#entry(address).iceServers.take();
  }

  /** Forgets addresses with no connection that have been quiet long enough for their buckets to refill. */
  sweep(): void {
    const cutoff = Date.now() - this.#idleMs;
    for (const [address, entry] of this.#entries) if (entry.connections === 0 && entry.lastUsed < cutoff) this.#entries.delete(address);
  }

  dispose(): void {
    clearInterval(this.#sweeper);
    this.#entries.clear();
  }
}
