import { describe, expect, it } from 'vitest';
import { describeTlsVersion, readEncryption, sdpFingerprint } from './encryption.js';

// The shape Chromium reports (trimmed): one transport, two certificates.
const REPORT = new Map<string, unknown>([
  ['T01', { type: 'transport', id: 'T01', dtlsState: 'connected', dtlsRole: 'client', tlsVersion: 'FEFD', dtlsCipher: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', srtpCipher: 'AEAD_AES_128_GCM', localCertificateId: 'CFab', remoteCertificateId: 'CFcd' }],
  ['CFab', { type: 'certificate', id: 'CFab', fingerprint: 'aa:bb:cc', fingerprintAlgorithm: 'sha-256' }],
  ['CFcd', { type: 'certificate', id: 'CFcd', fingerprint: '11:22:33', fingerprintAlgorithm: 'sha-256' }],
  ['IT01V', { type: 'inbound-rtp', id: 'IT01V', kind: 'video' }],
]);

describe('readEncryption', () => {
  it('reads role, version, ciphers and both fingerprints through the transport stat', () => {
    expect(readEncryption(REPORT)).toEqual({
      dtlsRole: 'client',
      dtlsState: 'connected',
      tlsVersion: 'DTLS 1.2 (FEFD)',
      dtlsCipher: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
      srtpCipher: 'AEAD_AES_128_GCM',
      localFingerprint: 'sha-256 AA:BB:CC',
      remoteFingerprint: 'sha-256 11:22:33',
    });
  });

  it('says "—" for what is not reported yet (before the handshake)', () => {
    const facts = readEncryption(new Map([['T01', { type: 'transport', dtlsState: 'new' }]]));
    expect(facts.dtlsState).toBe('new');
    expect(facts.srtpCipher).toBe('—');
    expect(facts.remoteFingerprint).toBe('—');
    expect(readEncryption(new Map()).dtlsRole).toBe('—');
  });
});

describe('sdpFingerprint', () => {
  it("finds a=fingerprint and writes it as getStats' certificate does", () => {
    const sdp = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=fingerprint:SHA-256 11:22:33\r\na=setup:actpass\r\n';
    expect(sdpFingerprint(sdp)).toBe('sha-256 11:22:33');
    expect(sdpFingerprint('v=0\r\n')).toBe('—');
  });

  it('names DTLS versions by their wire value', () => {
    expect(describeTlsVersion('fefc')).toBe('DTLS 1.3 (FEFC)');
    expect(describeTlsVersion('0304')).toBe('0304');
    expect(describeTlsVersion(undefined)).toBe('—');
  });
});
