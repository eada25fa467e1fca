/**
 * The client's real address behind a reverse proxy (`--trust-proxy`). Behind nginx every client
 * seems to come from the proxy's address, so one address's caps would throttle everyone and the
 * logs name nobody. The proxy says who it forwards for in `X-Forwarded-For` (or `Forwarded:
 * for=`), but anybody can send those headers: they are read only when the connection itself comes
 * from a proxy named with `--trust-proxy`, and only as far back as the hops are trusted, so a
 * client that writes its own `X-Forwarded-For` through the proxy is still seen as itself.
 */
import { BlockList, isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

import { normaliseAddress, sourceAddress } from './address-limits.js';

export class TrustedProxyError extends Error {
  override readonly name = 'TrustedProxyError';
}

/** One `--trust-proxy` value: an address (`10.0.0.5`, `::1`) or a CIDR block (`10.0.0.0/8`). */
function parseEntry(entry: string): { address: string; family: 'ipv4' | 'ipv6'; prefix: number | undefined } {
  const [address = '', prefixText, extra] = entry.trim().split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) {
    throw new TrustedProxyError(`--trust-proxy takes an IP address or a CIDR block like 10.0.0.0/8, got "${entry}".`);
  }
  const family = version === 4 ? 'ipv4' : 'ipv6';
  if (prefixText === undefined) return { address, family, prefix: undefined };
  const prefix = Number(prefixText);
  const max = version === 4 ? 32 : 128;
  if (!/^\d+$/.test(prefixText) || prefix > max) {
    throw new TrustedProxyError(`--trust-proxy "${entry}": the prefix length must be 0–${max}.`);
  }
  return { address, family, prefix };
}

/** `for=` values of a `Forwarded` header (RFC 7239), quotes, brackets and ports removed. */
function forwardedFor(header: string): string[] {
  const found: string[] = [];
  for (const element of header.split(',')) {
    for (const pair of element.split(';')) {
      const [name, ...rest] = pair.split('=');
      if (name?.trim().toLowerCase() !== 'for') continue;
      found.push(stripPort(rest.join('=').trim().replace(/^"|"$/g, '')));
    }
  }
  return found;
}

/** `203.0.113.7:4711` → `203.0.113.7`; `[2001:db8::1]:4711` → `2001:db8::1`; a bare IPv6 stays. */
function stripPort(value: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed?.[1] !== undefined) return bracketed[1];
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(value);
  return v4WithPort?.[1] ?? value;
}

export class TrustedProxies {
  readonly entries: readonly string[];
  readonly #list = new BlockList();

  constructor(entries: readonly string[] = []) {
    this.entries = entries;
    for (const entry of entries) {
      const { address, family, prefix } = parseEntry(entry);
      if (prefix === undefined) this.#list.addAddress(address, family);
      else this.#list.addSubnet(address, prefix, family);
    }
  }

  get enabled(): boolean {
    return this.entries.length > 0;
  }

  isTrusted(address: string): boolean {
    const version = isIP(address);
    return version !== 0 && this.#list.check(address, version === 4 ? 'ipv4' : 'ipv6');
  }

  /**
   * The address of whoever is behind the trusted hops. The forwarding chain is read from the
   * right (the hop nearest this server) while each hop is a trusted proxy; the first one that is
   * not is the client. A value that is not an IP address (`unknown`, an obfuscated `_node`) ends
   * the walk at the last trusted hop, the proxy itself: a malformed header cannot name anyone.
   */
  clientAddress(req: Pick<IncomingMessage, 'socket' | 'headers'>): string {
    const peer = sourceAddress(req);
    if (!this.enabled || !this.isTrusted(peer)) return peer;
    const chain = this.#chain(req.headers);
    let client = peer;
    for (let i = chain.length - 1; i >= 0; i -= 1) {
      const hop = normaliseAddress(chain[i]);
      if (isIP(hop) === 0) break;
      client = hop;
      if (!this.isTrusted(hop)) break;
    }
    return client;
  }

  /** The forwarded-for chain, client first; `Forwarded` wins over `X-Forwarded-For` when both came. */
  #chain(headers: IncomingMessage['headers']): string[] {
    const forwarded = headers.forwarded;
    if (typeof forwarded === 'string' && forwarded !== '') return forwardedFor(forwarded);
    const xff = headers['x-forwarded-for'];
    const text = Array.isArray(xff) ? xff.join(',') : (xff ?? '');
    return text
      .split(',')
      .map((part) => stripPort(part.trim()))
      .filter((part) => part !== '');
  }
}
