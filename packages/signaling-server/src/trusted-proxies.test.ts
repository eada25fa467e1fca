import { describe, expect, it } from 'vitest';

import { TrustedProxies, TrustedProxyError } from './trusted-proxies.js';

function request(remoteAddress: string, headers: Record<string, string> = {}) {
  return { socket: { remoteAddress }, headers } as unknown as Parameters<TrustedProxies['clientAddress']>[0];
}

describe('TrustedProxies', () => {
  const proxies = new TrustedProxies(['127.0.0.1', '10.0.0.0/8', '::1']);

  it('reads the forwarded client only when the connection comes from a trusted proxy', () => {
    expect(proxies.clientAddress(request('127.0.0.1', { 'x-forwarded-for': '198.51.100.7' }))).toBe('198.51.100.7');
    expect(proxies.clientAddress(request('::ffff:127.0.0.1', { 'x-forwarded-for': '198.51.100.7' }))).toBe('198.51.100.7');
    // Anyone else may write the header: it is ignored, the connection's own address counts.
    expect(proxies.clientAddress(request('203.0.113.9', { 'x-forwarded-for': '198.51.100.7' }))).toBe('203.0.113.9');
    // Without the header a trusted proxy is just itself.
    expect(proxies.clientAddress(request('127.0.0.1'))).toBe('127.0.0.1');
  });

  it('does not let a client behind the proxy choose its address by sending its own X-Forwarded-For', () => {
    // nginx appends the address it saw: "<what the client wrote>, <the client>".
    expect(proxies.clientAddress(request('127.0.0.1', { 'x-forwarded-for': '6.6.6.6, 198.51.100.7' }))).toBe('198.51.100.7');
  });

  it('walks back through several trusted hops to the first untrusted one', () => {
    expect(proxies.clientAddress(request('127.0.0.1', { 'x-forwarded-for': '6.6.6.6, 198.51.100.7, 10.1.2.3' }))).toBe('198.51.100.7');
    // Every hop trusted: the leftmost is as far as anyone vouches for.
    expect(proxies.clientAddress(request('127.0.0.1', { 'x-forwarded-for': '10.9.9.9, 10.1.2.3' }))).toBe('10.9.9.9');
  });

  it('stops at a value that is not an address, so a malformed header names nobody', () => {
    expect(proxies.clientAddress(request('127.0.0.1', { 'x-forwarded-for': 'unknown' }))).toBe('127.0.0.1');
    expect(proxies.clientAddress(request('127.0.0.1', { 'x-forwarded-for': '198.51.100.7, garbage' }))).toBe('127.0.0.1');
  });

  it('reads RFC 7239 Forwarded, with quotes, ports and IPv6 brackets, before X-Forwarded-For', () => {
    const forwarded = 'for=192.0.2.60;proto=http;by=203.0.113.43, for="[2001:db8:cafe::17]:4711"';
    expect(proxies.clientAddress(request('127.0.0.1', { forwarded, 'x-forwarded-for': '198.51.100.7' }))).toBe('2001:db8:cafe::17');
    expect(proxies.clientAddress(request('::1', { 'x-forwarded-for': '198.51.100.7:5000' }))).toBe('198.51.100.7');
  });

  it('is off by default, and refuses what is not an address or a block', () => {
    expect(new TrustedProxies().clientAddress(request('127.0.0.1', { 'x-forwarded-for': '198.51.100.7' }))).toBe('127.0.0.1');
    expect(() => new TrustedProxies(['nginx.local'])).toThrow(TrustedProxyError);
    expect(() => new TrustedProxies(['10.0.0.0/33'])).toThrow(/prefix length must be 0–32/);
    expect(() => new TrustedProxies(['10.0.0.0/8/1'])).toThrow(/IP address or a CIDR block/);
  });
});
