/** What the TURN loopback (two relay-only peer connections through one server) says when its transfer times out. */
import { m } from '@workbench/i18n/messages';

const MIB = 1024 * 1024;
const kib = (bytes: number): number => Math.round(bytes / 1024);
const size = (bytes: number): string => (bytes >= MIB && bytes % MIB === 0 ? `${bytes / MIB} MiB` : `${kib(bytes)} KiB`);

/**
 * Why the loopback's transfer did not finish within `timeoutMs`, from how much of it arrived.
 * Nothing at all over an open relay-only connection means the server accepts data but does not
 * forward it. A transfer that stops part-way is loss at the relay or on the path (SCTP's
 * retransmission timer doubles on each loss) or a per-session cap, which drops what exceeds it.
 * On a 2-core test machine against local coturn the kernel counted about 300 UDP receive-buffer
 * drops (RcvbufErrors) per 1 MiB loopback; most transfers took 0.1 s, and with three runs at once
 * one in 180 took more than 10 s.
 */
export function loopbackTimeoutMessage(receivedBytes: number, totalBytes: number, timeoutMs: number): string {
  const seconds = Math.round(timeoutMs / 100) / 10;
  if (receivedBytes <= 0) {
    return m.ice_loopback_nothing({ size: size(totalBytes), seconds });
  }
  return m.ice_loopback_partial({ size: size(totalBytes), received: kib(receivedBytes), seconds });
}
