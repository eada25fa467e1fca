/**
 * The TLS half of a `turns:` check, done by Node before any TURN request: does the server's
 * certificate chain to a trusted root (the system's, or `--ca`), is it valid for the host name
 * in the URL, is it within its dates, and which protocol version was agreed (or, where the server
 * has no TLS 1.2, which older one it speaks). A browser reports all of these as one bare 701
 * ("server not reachable"); here each is a verdict with its fix.
 */
import { checkServerIdentity, connect, type ConnectionOptions, type PeerCertificate, type TLSSocket } from 'node:tls';
import { isIP } from 'node:net';

export interface TlsCertificateFacts {
  subject: string;
  issuer: string;
  /** Names the certificate is valid for (subjectAltName), as written in it. */
  altNames: string;
  /** ISO 8601 in UTC, to the second (Node gives "Dec  3 08:48:06 2026 GMT"). */
  validFrom: string;
  validTo: string;
  selfSigned: boolean;
  /** Certificates the server sent, leaf first. */
  chainLength: number;
}

export type TlsProblem = 'self-signed' | 'untrusted' | 'hostname' | 'expired' | 'not-yet-valid' | 'old-protocol' | 'handshake' | 'connect';

export interface TlsCheckResult {
  ok: boolean;
  host: string;
  port: number;
  /** TLSv1.3, TLSv1.2…, when the handshake completed. */
  protocol?: string;
  certificate?: TlsCertificateFacts;
  problem?: TlsProblem;
  /** Node's own words (e.g. DEPTH_ZERO_SELF_SIGNED_CERT), for the detail. */
  nodeCode?: string;
  title: string;
  detail: string;
  fix?: string;
  atMs: number;
}

function dn(value: PeerCertificate['subject'] | undefined): string {
  if (!value) return '';
  return Object.entries(value)
    .map(([key, v]) => `${key}=${Array.isArray(v) ? v.join('+') : String(v)}`)
    .join(', ');
}

function isoSecond(nodeDate: string): string {
  const ms = Date.parse(nodeDate);
  return Number.isNaN(ms) ? nodeDate : `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** "3 days ago", "in 5 hours": how far a certificate date is from now, in the largest whole unit that reads well. */
function fromNow(iso: string, now = Date.now()): string {
  const ms = Date.parse(iso) - now;
  if (Number.isNaN(ms)) return '';
  const abs = Math.abs(ms);
  const [amount, unit] = abs >= 2 * 86_400_000 ? [abs / 86_400_000, 'day'] : abs >= 2 * 3_600_000 ? [abs / 3_600_000, 'hour'] : [Math.max(1, abs / 60_000), 'minute'];
  const n = Math.round(amount);
  const words = `${n} ${unit}${n === 1 ? '' : 's'}`;
  return ms < 0 ? `${words} ago` : `in ${words}`;
}

function factsOf(socket: TLSSocket): TlsCertificateFacts | undefined {
  const leaf = socket.getPeerCertificate(true);
  if (!leaf || Object.keys(leaf).length === 0) return undefined;
  let chainLength = 1;
  let cursor = leaf;
  while (cursor.issuerCertificate && cursor.issuerCertificate !== cursor && chainLength < 10) {
    cursor = cursor.issuerCertificate;
    chainLength += 1;
  }
  return {
    subject: dn(leaf.subject),
    issuer: dn(leaf.issuer),
    altNames: leaf.subjectaltname ?? '',
    validFrom: isoSecond(leaf.valid_from),
    validTo: isoSecond(leaf.valid_to),
    selfSigned: dn(leaf.subject) === dn(leaf.issuer),
    chainLength,
  };
}

const TRUST_FIX_CA = 'Give the server a certificate from a public CA (e.g. Let\'s Encrypt) so browsers trust it, or pass the private CA with --ca <file> to test it here (browsers will still refuse it unless the CA is installed on every client).';

/** Verdict words for an authorization error Node reported after the handshake. */
function explainAuthorizationError(code: string, facts: TlsCertificateFacts | undefined, host: string, caGiven: boolean): Pick<TlsCheckResult, 'problem' | 'title' | 'detail' | 'fix'> {
  const who = facts ? ` The certificate is for "${facts.subject}"${facts.altNames ? ` (${facts.altNames})` : ''}, issued by "${facts.issuer}", valid ${facts.validFrom} – ${facts.validTo}.` : '';
  if (code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'SELF_SIGNED_CERT_IN_CHAIN') {
    return {
      problem: 'self-signed',
      title: 'TLS refused: self-signed certificate',
      detail: `The server presented a self-signed certificate (${code}) that no trusted CA vouches for${caGiven ? ', and it is not the --ca given' : ''}. Browsers refuse it the same way and report only error 701.${who}`,
      fix: TRUST_FIX_CA,
    };
  }
  if (code === 'CERT_HAS_EXPIRED') {
    return {
      problem: 'expired',
      title: `TLS refused: certificate expired${facts ? ` on ${facts.validTo} (${fromNow(facts.validTo)})` : ''}`,
      detail: `The certificate's validity ended (${code}); every browser refuses it.${who}`,
      fix: 'Renew the certificate (certbot renew, or your CA), point coturn\'s cert= at the new file and restart it; check this machine\'s clock too.',
    };
  }
  if (code === 'CERT_NOT_YET_VALID') {
    return {
      problem: 'not-yet-valid',
      title: `TLS refused: certificate not valid ${facts ? `until ${facts.validFrom} (${fromNow(facts.validFrom)})` : 'yet'}`,
      detail: `The certificate's validity starts in the future (${code}); every browser refuses it until then.${who}`,
      fix: 'Check the clocks of this machine and of the machine that issued the certificate; a certificate made on a machine whose clock runs ahead needs reissuing.',
    };
  }
  return {
    problem: 'untrusted',
    title: 'TLS refused: certificate not trusted',
    detail: `The certificate does not chain to a trusted CA (${code})${caGiven ? ' nor to the --ca given' : ''}: a missing intermediate certificate is the usual cause.${who}`,
    fix: `Serve the full chain (coturn cert= should hold the leaf followed by its intermediates, e.g. Let's Encrypt's fullchain.pem). ${caGiven ? '' : 'For a private CA, pass it with --ca <file>.'}`.trim(),
  };
}

const OLD_PROTOCOL_FIX = 'Enable TLS 1.2 and newer on the TURN server: in turnserver.conf remove no-tlsv1_2 and any cipher-list with @SECLEVEL=0, add no-tlsv1 and no-tlsv1_1 so the obsolete versions are refused, and restart it.';
const BROWSERS_REFUSE = 'Current browsers refuse TLS older than 1.2 and report only error 701.';

/** A secure handshake's protocol and certificate are read at once: a server may close right after. */
type Handshake = { kind: 'secure'; socket: TLSSocket; protocol: string | undefined; certificate: TlsCertificateFacts | undefined } | { kind: 'error'; error: NodeJS.ErrnoException } | { kind: 'timeout' } | { kind: 'cancelled' };

/**
 * One TLS handshake that never rejects: ends secure (the socket left open for the caller to read
 * and destroy), in error, or at `timeoutMs`. `cancel` destroys the socket whatever the outcome.
 */
function handshake(host: string, port: number, options: ConnectionOptions, timeoutMs: number): { done: Promise<Handshake>; cancel(): void } {
  const socket = connect({
    host,
    port,
    // SNI only for names: RFC 6066 forbids IP addresses in server_name.
    ...(isIP(host) === 0 ? { servername: host } : {}),
    rejectUnauthorized: false,
    ...options,
  });
  let settle: (outcome: Handshake) => void = () => {};
  const done = new Promise<Handshake>((resolve) => {
    const timer = setTimeout(() => settle({ kind: 'timeout' }), timeoutMs);
    settle = (outcome) => {
      clearTimeout(timer);
      if (outcome.kind !== 'secure') socket.destroy();
      resolve(outcome);
    };
    socket.once('error', (error: NodeJS.ErrnoException) => settle({ kind: 'error', error }));
    socket.once('secureConnect', () => settle({ kind: 'secure', socket, protocol: socket.getProtocol() ?? undefined, certificate: factsOf(socket) }));
  });
  return {
    done,
    cancel: () => {
      settle({ kind: 'cancelled' });
      socket.destroy();
    },
  };
}

/**
 * Hellos a browser would not send, only to learn what an old server speaks: Node, like browsers,
 * offers TLS 1.2 and 1.3 alone, and a server without them just fails the handshake. SECLEVEL=0
 * because OpenSSL 3 refuses TLS 1.0/1.1's MD5+SHA-1 signatures at its default level. One hello per
 * ceiling, all at once: coturn picks its TLS context by the version in the ClientHello and leaves a
 * hello for a version it has switched off unanswered, where OpenSSL would negotiate down, so a
 * TLS 1.0-only coturn answers only a TLS 1.0 hello, and a TLS 1.2 hello to a coturn with
 * no-tlsv1_2 stalls (so the probes cannot wait for the real handshake to fail first).
 */
const OLD_PROTOCOL_PROBES = [
  { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' },
  { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' },
] as const satisfies readonly ConnectionOptions[];

/**
 * Connects with TLS, completes the handshake without rejecting, then judges the certificate
 * itself, so a refusal says why. Resolves within `timeoutMs` (plus the moment old-protocol
 * probes take to finish after a fast failure); never rejects.
 */
export async function checkTls(host: string, port: number, options: { ca?: Buffer; timeoutMs: number }): Promise<TlsCheckResult> {
  const started = performance.now();
  const since = () => Math.round((performance.now() - started) * 10) / 10;
  const result = (fields: Omit<TlsCheckResult, 'host' | 'port' | 'atMs'>): TlsCheckResult => ({ host, port, atMs: since(), ...fields });

  const main = handshake(host, port, options.ca ? { ca: options.ca } : {}, options.timeoutMs);
  const probes = OLD_PROTOCOL_PROBES.map((probe) => handshake(host, port, probe, options.timeoutMs));
  const outcome = await main.done;

  if (outcome.kind === 'secure') {
    for (const probe of probes) probe.cancel();
    try {
      return result(judge(outcome, host, options.ca !== undefined));
    } finally {
      outcome.socket.destroy();
    }
  }
  const error = outcome.kind === 'error' ? outcome.error : undefined;
  const refused = error?.code === 'ECONNREFUSED';
  const dns = error?.code === 'ENOTFOUND' || error?.code === 'EAI_AGAIN';
  if (refused || dns) {
    for (const probe of probes) probe.cancel();
    return result({
      ok: false,
      problem: 'connect',
      nodeCode: error?.code ?? '',
      title: refused ? 'Unreachable: TCP connection refused' : 'Unreachable: the host name does not resolve',
      detail: refused ? `Nothing accepts TCP connections on ${host}:${port}.` : `The name ${host} did not resolve (${error?.code}).`,
      fix: 'Check the host name and port, and that the TURN server has tls-listening-port set.',
    });
  }

  // The TLS 1.2+ handshake failed or stalled: did the server answer an old hello instead?
  const answers = await Promise.all(probes.map((probe) => probe.done));
  for (const probe of probes) probe.cancel();
  const old = answers.flatMap((answer) => (answer.kind === 'secure' && answer.protocol ? [{ protocol: answer.protocol, certificate: answer.certificate }] : []));
  // The highest version a probe agreed on is the newest the server speaks.
  const newest = old.find((answer) => answer.protocol === 'TLSv1.1') ?? old[0];
  if (newest) {
    const failed = error ? `failed (${error.code ?? error.message.trim()})` : `got no answer within ${options.timeoutMs / 1000} s`;
    return result({
      ok: false,
      problem: 'old-protocol',
      protocol: newest.protocol,
      ...(newest.certificate ? { certificate: newest.certificate } : {}),
      nodeCode: error?.code ?? 'timeout',
      title: `TLS refused: the server speaks only ${newest.protocol}`,
      detail: `A TLS 1.2/1.3 handshake with ${host}:${port} ${failed}, but one offering only TLS 1.0/1.1 completed with ${newest.protocol}. ${BROWSERS_REFUSE}`,
      fix: OLD_PROTOCOL_FIX,
    });
  }
  if (!error) {
    return result({
      ok: false,
      problem: 'connect',
      title: `Unreachable: no TLS handshake within ${options.timeoutMs / 1000} s`,
      detail: `The TCP connection to ${host}:${port} or the TLS handshake stalled: a firewall dropping packets, or the server does not speak TLS on that port.`,
      fix: 'Check the host and port (5349 or 443 for turns:), that the TURN server has tls-listening-port set, and that a firewall allows it.',
    });
  }
  return result({
    ok: false,
    problem: 'handshake',
    nodeCode: error.code ?? error.message,
    title: `TLS handshake failed (${error.code ?? error.message})`,
    detail: `The TLS handshake with ${host}:${port} failed: ${error.message.trim()}. It did not complete with TLS 1.0/1.1 either, so the port may serve plain TURN (no TLS) or something else.`,
    fix: "Check that the port is coturn's tls-listening-port and that it offers TLS 1.2 or newer.",
  });
}

/** The verdict on a completed handshake: the certificate's trust, dates and names, then the version agreed. */
function judge({ socket, protocol, certificate }: Extract<Handshake, { kind: 'secure' }>, host: string, caGiven: boolean): Omit<TlsCheckResult, 'host' | 'port' | 'atMs'> {
  const base = { ...(protocol ? { protocol } : {}), ...(certificate ? { certificate } : {}) };
  // Node folds a hostname mismatch into authorizationError too; it gets its own verdict below.
  if (!socket.authorized && String(socket.authorizationError) !== 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const code = String(socket.authorizationError ?? 'UNKNOWN');
    return { ok: false, ...base, nodeCode: code, ...explainAuthorizationError(code, certificate, host, caGiven) };
  }
  const identity = checkServerIdentity(host, socket.getPeerCertificate());
  if (identity) {
    return {
      ok: false,
      ...base,
      problem: 'hostname',
      nodeCode: (identity as NodeJS.ErrnoException).code ?? 'ERR_TLS_CERT_ALTNAME_INVALID',
      title: `TLS refused: certificate is not for ${host}`,
      detail: `The certificate is trusted but names ${certificate?.altNames || certificate?.subject || 'other hosts'}, not "${host}": browsers refuse it and report only error 701. (${identity.message})`,
      fix: `Use the host name the certificate is for in the turns: URL, or get a certificate whose subjectAltName includes ${isIP(host) ? `IP:${host}` : `DNS:${host}`}.`,
    };
  }
  // Only where Node itself was allowed old versions (--tls-min-v1.0): by default the handshake
  // above fails instead, and checkTls's probes name the version.
  if (protocol === 'TLSv1' || protocol === 'TLSv1.1') {
    return {
      ok: false,
      ...base,
      problem: 'old-protocol',
      title: `TLS refused: the server speaks only ${protocol}`,
      detail: `The server agreed on ${protocol} although TLS 1.3 was offered. ${BROWSERS_REFUSE}`,
      fix: OLD_PROTOCOL_FIX,
    };
  }
  return {
    ok: true,
    ...base,
    title: `TLS OK (${protocol ?? 'TLS'})`,
    detail: `The certificate for "${certificate?.subject ?? host}" is trusted${caGiven ? ' (through --ca)' : ''}, valid for ${host} until ${certificate?.validTo ?? '?'}.`,
  };
}
