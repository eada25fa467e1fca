/**
 * How the ICE verdicts, findings and report write numbers and addresses: shared by those files,
 * and not re-exported by the package (index.ts leaves it out), so these short names stay internal.
 */
import type { IceCheckTransport } from './server-urls.js';

export const TRANSPORT_LABEL: Record<IceCheckTransport, string> = { udp: 'UDP', tcp: 'TCP', tls: 'TLS' };

/** 1234 ms → "1.2 s". */
export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/** An address and port as a URL writes them: IPv6 in brackets. */
export function endpoint(address: string, port: number): string {
  return `${address.includes(':') ? `[${address}]` : address}:${port}`;
}
