/**
 * "Is WebRTC secure?", answered for this page's own call: the DTLS handshake's role, version and
 * cipher, the SRTP cipher that protects the media, and the certificates' fingerprints, from
 * getStats(). The other side's certificate is the one its SDP announced in `a=fingerprint`: that
 * match, checked by the browser during the handshake, is what ties the encryption to the
 * signaling, so the panel shows both.
 */

export interface EncryptionFacts {
  /** "client" or "server": who started the DTLS handshake (set by a=setup in the SDP). */
  dtlsRole: string;
  dtlsState: string;
  /** "FEFD" is DTLS 1.2 (the wire value; browsers report it in hex). */
  tlsVersion: string;
  dtlsCipher: string;
  srtpCipher: string;
  /** "sha-256 AB:CD:…" of this side's certificate. */
  localFingerprint: string;
  /** "sha-256 AB:CD:…" of the certificate the other side presented. */
  remoteFingerprint: string;
}

type Stat = Record<string, unknown> & { type?: string; id?: string };

const NOT_YET = '—';

function text(value: unknown): string {
  return typeof value === 'string' && value !== '' ? value : NOT_YET;
}

/** The wire version as people say it: FEFD → "DTLS 1.2 (FEFD)". */
export function describeTlsVersion(hex: unknown): string {
  const names: Record<string, string> = { FEFF: 'DTLS 1.0', FEFD: 'DTLS 1.2', FEFC: 'DTLS 1.3' };
  if (typeof hex !== 'string' || hex === '') return NOT_YET;
  const name = names[hex.toUpperCase()];
  return name ? `${name} (${hex.toUpperCase()})` : hex;
}

function fingerprintOf(stats: Map<string, Stat>, id: unknown): string {
  const certificate = typeof id === 'string' ? stats.get(id) : undefined;
  if (!certificate || typeof certificate.fingerprint !== 'string') return NOT_YET;
  return `${text(certificate.fingerprintAlgorithm)} ${certificate.fingerprint.toUpperCase()}`;
}

/** The facts from a getStats() report; "—" for whatever the browser does not report (yet). */
export function readEncryption(report: ReadonlyMap<string, unknown> | Iterable<[string, unknown]>): EncryptionFacts {
  const stats = new Map<string, Stat>();
  for (const [id, stat] of report instanceof Map ? report.entries() : report) stats.set(id, stat as Stat);
  const transport = [...stats.values()].find((s) => s.type === 'transport' && s.dtlsState === 'connected') ?? [...stats.values()].find((s) => s.type === 'transport');
  return {
    dtlsRole: text(transport?.dtlsRole),
    dtlsState: text(transport?.dtlsState),
    tlsVersion: describeTlsVersion(transport?.tlsVersion),
    dtlsCipher: text(transport?.dtlsCipher),
    srtpCipher: text(transport?.srtpCipher),
    localFingerprint: fingerprintOf(stats, transport?.localCertificateId),
    remoteFingerprint: fingerprintOf(stats, transport?.remoteCertificateId),
  };
}

/** The `a=fingerprint` of an SDP as "sha-256 AB:CD:…" (session or first media level); "—" if none. */
export function sdpFingerprint(sdp: string | undefined): string {
  const match = /^a=fingerprint:(\S+) ([0-9A-Fa-f:]+)\s*$/m.exec(sdp ?? '');
  return match ? `${match[1]?.toLowerCase()} ${match[2]?.toUpperCase()}` : NOT_YET;
}
