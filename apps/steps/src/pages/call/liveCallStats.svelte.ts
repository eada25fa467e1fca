/**
 * The call's statistics and encryption panels, fed from getStats() once the connection is up:
 * polling earlier slowed the offer and answer down (one browser thread for both).
 */
import type { Peer } from '@workbench/core/peer';
import { StatsPoller } from '@workbench/core/stats';
import { viewCallStats, type CallStatsView } from './callStats.js';
import { readEncryption, sdpFingerprint, type EncryptionFacts } from './encryption.js';

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
    const facts = readEncryption(await peer.getStats());
    this.encryption = { ...facts, sdpFingerprint: sdpFingerprint(peer.remoteDescription?.sdp) };
  }
}
