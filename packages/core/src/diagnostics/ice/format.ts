/**
 * How the ICE verdicts, findings and report write numbers, addresses and joined sentences: shared
 * by those files, and not re-exported by the package (index.ts leaves it out), so these short
 * names stay internal.
 */
import { m } from '@workbench/i18n/messages';
import type { IceCheckTransport } from './server-urls.js';

export const TRANSPORT_LABEL: Record<IceCheckTransport, string> = { udp: 'UDP', tcp: 'TCP', tls: 'TLS' };

/**
 * 1234 ms → "1.2 s" ("1.2 秒"). The number without grouping ("3600 s", as the CLI has always
 * written it): both languages write these digits the same way.
 */
export function seconds(ms: number): string {
  return m.ice_seconds({ s: String(Number((ms / 1000).toFixed(1))) });
}

/** An address and port as a URL writes them: IPv6 in brackets. */
export function endpoint(address: string, port: number): string {
  return `${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/**
 * Sentences from separate messages, as one text: English puts a space between them, Chinese none
 * after its full-width punctuation (。：）). Empty parts are left out.
 */
export function sentences(...parts: readonly (string | undefined | false)[]): string {
  let text = '';
  for (const part of parts) {
    if (!part) continue;
    text = text === '' || /[\u3000-\u303f\uff00-\uffef]$/.test(text) ? text + part : `${text} ${part}`;
  }
  return text;
}
