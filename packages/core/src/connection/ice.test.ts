// Unit tests for ice: real Chromium/Firefox candidate lines, priority split, relay protocol, address classes.
import { describe, expect, it } from 'vitest';
import { inChinese } from '../../test/in-chinese.js';
import { ErrorCode, WorkbenchError } from '../errors.js';
import { classifyAddress, parseCandidate, relayProtocolFromPriority, splitPriority } from './ice.js';

// Lines as Chromium and Firefox print them in RTCIceCandidate.candidate (addresses anonymised).
const CHROME_HOST_MDNS =
  'candidate:1467250027 1 udp 2122260223 3f6a2e6e-7c44-4e6b-9a5d-1c2b9f0e8a11.local 54400 typ host generation 0 ufrag Hm5P network-id 1 network-cost 10';
const CHROME_SRFLX =
  'candidate:842163049 1 udp 1686052607 203.0.113.7 61723 typ srflx raddr 192.168.1.23 rport 54400 generation 0 ufrag Hm5P network-id 1 network-cost 10';
const CHROME_RELAY_UDP =
  'candidate:3221430289 1 udp 41885439 198.51.100.20 50123 typ relay raddr 203.0.113.7 rport 61723 generation 0 ufrag Hm5P network-id 1 network-cost 10';
const CHROME_RELAY_TLS =
  'candidate:1928572 1 udp 8331263 198.51.100.20 50200 typ relay raddr 0.0.0.0 rport 0 generation 0 ufrag Hm5P network-cost 999';
const CHROME_HOST_TCP =
  'candidate:4233069003 1 tcp 1518280447 192.168.1.23 9 typ host tcptype active generation 0 ufrag Hm5P network-id 1 network-cost 10';
const FIREFOX_HOST = 'candidate:0 1 UDP 2122252543 192.168.1.23 52136 typ host';
const FIREFOX_TCP_PASSIVE = 'candidate:1 1 TCP 2105524479 192.168.1.23 9 typ host tcptype passive';
const FIREFOX_SRFLX_IPV6 =
  'candidate:3 1 UDP 1686052863 2001:db8:85a3::8a2e:370:7334 52136 typ srflx raddr 2001:db8:85a3::8a2e:370:7334 rport 52136';

describe('parseCandidate', () => {
  it('parses a Chromium mDNS host candidate with its extensions', () => {
    expect(parseCandidate(CHROME_HOST_MDNS)).toEqual({
      foundation: '1467250027',
      component: 1,
      protocol: 'udp',
      priority: 2122260223,
      address: '3f6a2e6e-7c44-4e6b-9a5d-1c2b9f0e8a11.local',
      port: 54400,
      type: 'host',
      generation: 0,
      ufrag: 'Hm5P',
      networkId: 1,
      networkCost: 10,
      extensions: {},
    });
  });

  it('reads raddr/rport of srflx and relay candidates', () => {
    const srflx = parseCandidate(CHROME_SRFLX);
    expect(srflx).toMatchObject({ type: 'srflx', address: '203.0.113.7', port: 61723, relatedAddress: '192.168.1.23', relatedPort: 54400 });
    const relay = parseCandidate(CHROME_RELAY_UDP);
    expect(relay).toMatchObject({ type: 'relay', relatedAddress: '203.0.113.7', relatedPort: 61723 });
  });

  it('accepts the prefix-less and a=candidate: forms and upper-case transports', () => {
    const withoutPrefix = parseCandidate(CHROME_SRFLX.slice('candidate:'.length));
    expect(withoutPrefix).toEqual(parseCandidate(CHROME_SRFLX));
    expect(parseCandidate(`a=${FIREFOX_HOST}`)).toMatchObject({ foundation: '0', protocol: 'udp', address: '192.168.1.23' });
  });

  it('reads tcptype for active and passive TCP candidates', () => {
    expect(parseCandidate(CHROME_HOST_TCP)).toMatchObject({ protocol: 'tcp', tcpType: 'active', port: 9 });
    expect(parseCandidate(FIREFOX_TCP_PASSIVE)).toMatchObject({ protocol: 'tcp', tcpType: 'passive' });
  });

  it('keeps IPv6 addresses and unknown extensions', () => {
    const parsed = parseCandidate(`${FIREFOX_SRFLX_IPV6} foo bar`);
    expect(parsed.address).toBe('2001:db8:85a3::8a2e:370:7334');
    expect(parsed.extensions).toEqual({ foo: 'bar' });
  });

  it.each([
    ['', 'Too few fields'],
    ['candidate:1 1 udp 100 1.2.3.4 5000 type host', 'Expected "typ"'],
    ['candidate:1 1 sctp 100 1.2.3.4 5000 typ host', 'Unknown transport'],
    ['candidate:1 1 udp 100 1.2.3.4 5000 typ magic', 'Unknown candidate type'],
    ['candidate:1 1 udp -5 1.2.3.4 5000 typ host', '"priority"'],
    ['candidate:1 1 udp 100 1.2.3.4 70000 typ host', 'out of range'],
    ['candidate:1 1 tcp 100 1.2.3.4 9 typ host tcptype sideways', 'Unknown tcptype'],
    ['candidate:1 1 udp 100 1.2.3.4 5000 typ srflx raddr', 'has no value'],
  ])('rejects %j with INVALID_CANDIDATE', (line, why) => {
    let caught: unknown;
    try {
      parseCandidate(line);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(WorkbenchError);
    expect((caught as WorkbenchError).code).toBe(ErrorCode.InvalidCandidate);
    expect((caught as WorkbenchError).message).toContain(why);
  });
});

describe('splitPriority', () => {
  it('splits a Chromium host priority into 126 / local pref / component 1', () => {
    // 2122260223 = 0x7E7F1EFF
    expect(splitPriority(2122260223)).toEqual({ typePreference: 126, localPreference: 0x7f1e, componentId: 1 });
  });

  it('handles priorities above 2^31 without sign trouble', () => {
    const priority = 0xfe_ffff_fe; // type pref 254, local pref 0xffff, component 256 − 0xfe = 2
    expect(splitPriority(priority)).toEqual({ typePreference: 254, localPreference: 0xffff, componentId: 2 });
  });

  it('round-trips the RFC 8445 formula', () => {
    const typePreference = 100;
    const localPreference = 65535;
    const componentId = 1;
    const priority = 2 ** 24 * typePreference + 2 ** 8 * localPreference + (256 - componentId);
    expect(splitPriority(priority)).toEqual({ typePreference, localPreference, componentId });
    expect(splitPriority(parseCandidate(CHROME_SRFLX).priority).typePreference).toBe(100);
  });
});

describe('relayProtocolFromPriority', () => {
  it('reads Chromium relay type preferences: 2 udp, 1 tcp, 0 tls', () => {
    expect(relayProtocolFromPriority(parseCandidate(CHROME_RELAY_UDP).priority)).toBe('udp');
    expect(relayProtocolFromPriority(2 ** 24 * 1 + 2 ** 8 * 32542 + 255)).toBe('tcp');
    expect(relayProtocolFromPriority(parseCandidate(CHROME_RELAY_TLS).priority)).toBe('tls');
  });

  it('returns undefined for non-relay type preferences', () => {
    expect(relayProtocolFromPriority(parseCandidate(CHROME_HOST_MDNS).priority)).toBeUndefined();
    expect(relayProtocolFromPriority(92217343)).toBeUndefined(); // Firefox relay, type pref 5
  });
});

describe('classifyAddress', () => {
  it.each([
    ['3f6a2e6e-7c44-4e6b-9a5d-1c2b9f0e8a11.local', 'mdns', 'mdns'],
    ['10.1.2.3', 'ipv4', 'private'],
    ['172.16.0.1', 'ipv4', 'private'],
    ['172.31.255.255', 'ipv4', 'private'],
    ['172.32.0.1', 'ipv4', 'public'],
    ['192.168.1.23', 'ipv4', 'private'],
    ['100.64.0.1', 'ipv4', 'cgnat'],
    ['100.127.255.254', 'ipv4', 'cgnat'],
    ['100.128.0.1', 'ipv4', 'public'],
    ['127.0.0.1', 'ipv4', 'loopback'],
    ['169.254.10.20', 'ipv4', 'link-local'],
    ['0.0.0.0', 'ipv4', 'unspecified'],
    ['203.0.113.7', 'ipv4', 'public'],
    ['::1', 'ipv6', 'loopback'],
    ['::', 'ipv6', 'unspecified'],
    ['fe80::1c2b:3dff:fe4e:5f60%en0', 'ipv6', 'link-local'],
    ['fd12:3456:789a::1', 'ipv6', 'unique-local'],
    ['2001:db8:85a3::8a2e:370:7334', 'ipv6', 'public'],
    ['::ffff:192.168.1.23', 'ipv6', 'private'],
    ['::ffff:c0a8:0117', 'ipv6', 'private'],
    ['[2a00:1450:4001:82b::200e]', 'ipv6', 'public'],
    ['999.1.1.1', 'unknown', 'invalid'],
    ['1::2::3', 'unknown', 'invalid'],
    ['turn.example.com', 'unknown', 'invalid'],
  ])('%s is %s/%s', (ip, family, kind) => {
    const result = classifyAddress(ip);
    expect(result).toMatchObject({ family, kind });
    expect(result.label.length).toBeGreaterThan(0);
  });
});

describe('ice in Chinese', () => {
  inChinese();

  it('labels addresses and explains a bad candidate line in Chinese', () => {
    expect(classifyAddress('192.168.1.2').label).toBe('私有地址（RFC 1918）');
    const error = (() => {
      try {
        parseCandidate('candidate:1 1 sctp 1 1.2.3.4 5 typ host');
      } catch (caught) {
        return caught as WorkbenchError;
      }
      throw new Error('parsed');
    })();
    expect(error.code).toBe(ErrorCode.InvalidCandidate);
    expect(error.explanation.detail).toMatch(/^无法解析这一行 ICE 候选地址：未知的传输协议“sctp”，出现在 /);
  });
});
