/**
 * The call's statistics and encryption panels, fed from getStats() once the connection is up:
 * polling earlier slowed the offer and answer down (one browser thread for both).
 */
import type { Peer } from '@workbench/core/peer';
import { StatsPoller } from '@workbench/core/stats';
import { viewCallStats, type CallStatsView } from './callStats.js';
import type { EncryptionFacts } from './encryption.js';

export class LiveCallStats {
  view: CallStatsView = $state.raw(viewCallStats(undefined));
  /** DTLS facts from getStats(), beside the a=fingerprint the other side put in its SDP. */
  encryption: (EncryptionFacts & { sdpFingerprint: string }) | null = $state.raw(null);
  #poller: StatsPoller | null = null;

  /** Polls `peer` every second from now on; reads its encryption once. */
  start(peer: Peer): void {
    this.stop();
    this.#poller = new StatsPoller(peer.pc, { intervalMs: 1000 });
    this.#poller.on('sample', (sample) => (this.view = viewCallStats(sample)));
    this.#poller.start();
    void this.#readEncryption(peer);
  }

  /** The connection is gone: the figures go back to dashes; the encryption facts stay to read. */
  stop(): void {
    this.#poller?.stop();
    this.#poller = null;
    this.view = viewCallStats(undefined);
  }

  async #readEncryption(peer: Peer): Promise<void> {
    if (peer.closed) return;
    // Read once, after the connection is up, for a panel at the bottom: its own chunk, fetched
    // beside the stats, kept /call/'s first load under 60 KB with two languages (issue 16).
    const [{ readEncryption, sdpFingerprint }, stats] = await Promise.all([import('./encryption.js'), peer.getStats()]);
    const facts = readEncryption(stats);
    this.encryption = { ...facts, sdpFingerprint: sdpFingerprint(peer.remoteDescription?.sdp) };
  }
}
