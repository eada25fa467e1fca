/**
 * The default call: two peer connections in this page, pc1 sending the media to pc2, connected
 * through real ICE (host candidates, or TURN relays with relay-only), so the charts show a real
 * encoder, congestion controller and jitter buffer without a second device.
 */
import type { Logger } from '@workbench/core/logger';
import { Peer } from '@workbench/core/peer';
import type { StatsInput } from '@workbench/core/stats';
import { mergeLoopbackReports } from './loopbackStats.js';
import { preferredCodecOrder } from './senderControls.js';

export interface LoopbackCallOptions {
  configuration: RTCConfiguration;
  stream: MediaStream;
  /** Preferred video codec mime type, e.g. "video/VP9"; the browser's order when undefined. */
  codec?: string | undefined;
  logger?: Logger;
  /** Called with the received stream, for the remote <video>. */
  onRemoteStream?: (stream: MediaStream) => void;
}

export class LoopbackCall {
  readonly mode = 'loopback' as const;
  readonly pc1: Peer;
  readonly pc2: Peer;

  private constructor(pc1: Peer, pc2: Peer) {
    this.pc1 = pc1;
    this.pc2 = pc2;
  }

  /** Creates both connections, adds the tracks to pc1 and negotiates; resolves once the answer is applied. */
  static async start(options: LoopbackCallOptions): Promise<LoopbackCall> {
    const common = { configuration: options.configuration, ...(options.logger ? { logger: options.logger } : {}) };
    const pc1 = new Peer({ name: 'pc1', ...common });
    const pc2 = new Peer({ name: 'pc2', ...common });
    const call = new LoopbackCall(pc1, pc2);
    try {
      // Peer queues candidates that arrive before the remote description, so these can go at once.
      pc1.on('icecandidate', (candidate) => void (candidate && pc2.addIceCandidate(candidate).catch(() => {})));
      pc2.on('icecandidate', (candidate) => void (candidate && pc1.addIceCandidate(candidate).catch(() => {})));
      pc2.on('track', (event) => options.onRemoteStream?.(event.streams[0] ?? new MediaStream([event.track])));
      for (const track of options.stream.getTracks()) pc1.addTrack(track, options.stream);
      if (options.codec) call.#preferCodec(options.codec);
      await call.negotiate();
      return call;
    } catch (error) {
      call.close();
      throw error;
    }
  }

  /** The sender of the video track: what the bitrate cap and resolution scale act on. */
  get videoSender(): RTCRtpSender | undefined {
    return this.pc1.getSenders().find((sender) => sender.track?.kind === 'video');
  }

  get connectionPc(): RTCPeerConnection {
    return this.pc1.pc;
  }

  /** Offer from pc1, answer from pc2, in the order the codelab's step 2 teaches. */
  async negotiate(): Promise<void> {
    await this.pc1.setLocalDescription();
    const offer = this.pc1.localDescription;
    if (!offer) throw new Error('pc1 has no local description after setLocalDescription().');
    await this.pc2.setRemoteDescription(offer);
    await this.pc2.setLocalDescription();
    const answer = this.pc2.localDescription;
    if (!answer) throw new Error('pc2 has no local description after setLocalDescription().');
    await this.pc1.setRemoteDescription(answer);
  }

  /** Switches the video codec: preferences on pc1's transceiver, then a new offer/answer. */
  async changeCodec(mimeType: string): Promise<void> {
    this.#preferCodec(mimeType);
    await this.negotiate();
  }

  #preferCodec(mimeType: string): void {
    const transceiver = this.pc1.getTransceivers().find((t) => t.sender.track?.kind === 'video');
    const codecs = RTCRtpSender.getCapabilities('video')?.codecs ?? [];
    transceiver?.setCodecPreferences(preferredCodecOrder(codecs, mimeType));
  }

  /** pc1's report (sending side, selected pair) with pc2's inbound streams: one sample per poll. */
  async getStats(): Promise<StatsInput> {
    const [sender, receiver] = await Promise.all([this.pc1.getStats(), this.pc2.getStats()]);
    return mergeLoopbackReports(sender, receiver);
  }

  close(): void {
    if (!this.pc1.closed) this.pc1.close();
    if (!this.pc2.closed) this.pc2.close();
  }
}
