/**
 * The call's statistics and encryption panels, fed from getStats() once the connection is up and
 * its first frame shown: polling earlier slowed the offer, the answer and that frame down (the
 * browser's threads are shared).
 */
import type { Peer } from '@workbench/core/peer';
import type { StatsPoller } from '@workbench/core/stats';
import { viewCallStats, type CallStatsView } from './callStats.js';
import type { EncryptionFacts } from './encryption.js';

export class LiveCallStats {
  view: CallStatsView = $state.raw(viewCallStats(undefined));
  /** DTLS facts from getStats(), beside the a=fingerprint the other side put in its SDP. */
  encryption: (EncryptionFacts & { sdpFingerprint: string }) | null = $state.raw(null);
  #poller: StatsPoller | null = null;
  #pending: { peer: Peer; timer: ReturnType<typeof setTimeout> } | null = null;
  /** Bumped by each start and stop: a poller whose module arrives after a stop() is not started. */
  #run = 0;

  /**
   * Starts once the first remote frame is shown ({@link firstFrame}) or after `latestMs`, whichever
   * comes first. getStats() the moment DTLS connects runs on the threads that are about to decode
   * that first frame, on both sides, and the first frame on both sides is what setup time waits for.
   */
  startSoon(peer: Peer, latestMs = 1000): void {
    this.stop();
    this.#pending = { peer, timer: setTimeout(() => this.#startPending(), latestMs) };
  }

  /**
   * The first remote frame is on screen: a start that {@link startSoon} held back happens
   * `afterMs` later, as the other side may still be decoding its own first frame (this side's
   * sending runs on the threads getStats() would take).
   */
  firstFrame(afterMs = 300): void {
    const pending = this.#pending;
    if (!pending) return;
    clearTimeout(pending.timer);
    pending.timer = setTimeout(() => this.#startPending(), afterMs);
  }

  #startPending(): void {
    const pending = this.#pending;
    this.#pending = null;
    if (pending && !pending.peer.closed) this.start(pending.peer);
  }

  /**
   * Polls `peer` every second from now on; reads its encryption once. The poller (core's stats
   * normaliser) is a chunk of its own, fetched now: it kept /call/'s first load inside 60 KB once
   * the page had words in two languages (issue 16).
   */
  start(peer: Peer): void {
    this.stop();
    const run = this.#run;
    void import('@workbench/core/stats').then(({ StatsPoller }) => {
      if (run !== this.#run || peer.closed) return;
      this.#poller = new StatsPoller(peer.pc, { intervalMs: 1000 });
      this.#poller.on('sample', (sample) => (this.view = viewCallStats(sample)));
      this.#poller.start();
    });
    void this.#readEncryption(peer);
  }

  /** The connection is gone: the figures go back to dashes; the encryption facts stay to read. */
  stop(): void {
    this.#run += 1;
    if (this.#pending) clearTimeout(this.#pending.timer);
    this.#pending = null;
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
