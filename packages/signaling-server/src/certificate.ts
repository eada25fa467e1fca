/**
 * The self-signed certificate behind `--https`. Phones on the LAN only get getUserMedia on a secure
 * origin, so the server makes its own certificate on first use (names: localhost, 127.0.0.1, ::1 and
 * every LAN IPv4 address) and keeps it, so a browser's "proceed anyway" exception keeps working.
 * It is made again only when it expires or no longer names a current LAN address.
 */
import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { ServerError, ServerErrorCode } from './errors.js';

export interface CertificatePair {
  key: string;
  cert: string;
}

export const CERT_FILE = 'localhost-cert.pem';
export const KEY_FILE = 'localhost-key.pem';
const VALIDITY_DAYS = 365;
/** Regenerate this long before expiry, so a session started today does not break tomorrow. */
const RENEW_BEFORE_MS = 24 * 60 * 60 * 1000;

/** Non-internal IPv4 addresses of this machine, the ones a phone on the same Wi-Fi can reach. */
export function lanIPv4Addresses(): string[] {
  const addresses: string[] = [];
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) {
      if (entry.family === 'IPv4' && !entry.internal) addresses.push(entry.address);
    }
  }
  return addresses;
}

function certificateCovers(pem: string, ips: readonly string[], now: number): boolean {
  const cert = new X509Certificate(pem);
  if (Date.parse(cert.validTo) - now < RENEW_BEFORE_MS) return false;
  const names = (cert.subjectAltName ?? '').split(/,\s*/);
  return ips.every((ip) => names.includes(`IP Address:${ip}`)) && names.includes('DNS:localhost');
}

export async function loadOrCreateCertificate(certDir: string, now: number = Date.now()): Promise<CertificatePair & { created: boolean }> {
  const certPath = join(certDir, CERT_FILE);
  const keyPath = join(certDir, KEY_FILE);
  const ips = ['127.0.0.1', ...lanIPv4Addresses()];
  try {
    const [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
    if (certificateCovers(cert, ips, now)) return { key, cert, created: false };
  } catch {
    // Missing or unreadable: make a new one below.
  }

  try {
    const notBeforeDate = new Date(now - 60_000);
    const pems = await generate([{ name: 'commonName', value: 'webrtc-workbench localhost' }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notBeforeDate,
      notAfterDate: new Date(notBeforeDate.getTime() + VALIDITY_DAYS * 24 * 60 * 60 * 1000),
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '::1' },
            ...[...new Set(ips)].map((ip) => ({ type: 7 as const, ip })),
          ],
        },
      ],
    });
    await mkdir(certDir, { recursive: true, mode: 0o700 });
    await writeFile(keyPath, pems.private, { mode: 0o600 });
    await writeFile(certPath, pems.cert, { mode: 0o644 });
    return { key: pems.private, cert: pems.cert, created: true };
  } catch (error) {
    throw new ServerError(
      ServerErrorCode.Certificate,
      `Could not create the HTTPS certificate in ${certDir}: check that the directory is writable, or pass your own key and cert.`,
      { cause: error },
    );
  }
}
