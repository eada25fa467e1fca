/**
 * "Hear yourself": the microphone sent through a real loopback call (pc1 → pc2 in this page, over
 * real ICE, optionally relay-only through TURN) and played back after a chosen delay, so a person
 * hears what the far end would: codec, jitter buffer and network included.
 *
 * The delay is measured, not assumed: every few seconds a short 1.5 kHz marker is mixed into what
 * pc1 sends, and core's MarkerDetector times its arrival twice on the AudioContext clock: where pc2's
 * audio comes out (the path's own delay: encoder, network, jitter buffer) and after the DelayNode
 * (what the person hears). The DelayNode is set to the chosen delay less the measured path, so the
 * total is the chosen delay when the path is shorter than it.
 */
import { MarkerDetector, LevelMeter, fromDbfs, median } from '@workbench/core/audio-level';
import type { Logger } from '@workbench/core/logger';
import { Peer } from '@workbench/core/peer';
import { AudioTap } from './audioTap.js';

export const MARKER = { frequency: 1500, levelDbfs: -20, durationMs: 100, thresholdDbfs: -32 } as const;
/** Measurements kept for the medians. */
const KEEP = 5;

export interface HearYourselfOptions {
  context: AudioContext;
  microphone: MediaStream;
  configuration: RTCConfiguration;
  /** What the person should hear: their voice this long after they spoke, ms. */
  chosenDelayMs: number;
  /**
   * Chromium renders a remote WebRTC stream into Web Audio only while a media element plays it too
   * (muted is enough); the page passes one.
   */
  remoteElement: HTMLAudioElement;
  logger?: Logger;
  /** Each measurement, as it is made. */
  onMeasurement?: (kind: 'path' | 'total', delayMs: number) => void;
}

export class HearYourself {
  readonly pc1: Peer;
  readonly pc2: Peer;
  readonly chosenDelayMs: number;
  /** Path delays (pc1's input to pc2's output), ms, newest last. */
  readonly pathDelays: number[] = [];
  /** Total delays (pc1's input to what is played), ms, newest last. */
  readonly totalDelays: number[] = [];
  /** The level of what is played back. */
  readonly played: LevelMeter;
  readonly #options: HearYourselfOptions;
  readonly #nodes: AudioNode[] = [];
  readonly #taps: AudioTap[] = [];
  readonly #delay: DelayNode;
  readonly #markerGain: GainNode;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  private constructor(options: HearYourselfOptions) {
    this.#options = options;
    this.chosenDelayMs = options.chosenDelayMs;
    const { context } = options;
    const common = { configuration: options.configuration, ...(options.logger ? { logger: options.logger } : {}) };
    this.pc1 = new Peer({ name: 'pc1', ...common });
    this.pc2 = new Peer({ name: 'pc2', ...common });
    this.played = new LevelMeter({ sampleRate: context.sampleRate });
    this.#delay = context.createDelay(10);
    this.#delay.delayTime.value = options.chosenDelayMs / 1000;
    this.#markerGain = context.createGain();
    this.#markerGain.gain.value = 0;
  }

  static async start(options: HearYourselfOptions): Promise<HearYourself> {
    const call = new HearYourself(options);
    try {
      await call.#start();
      return call;
    } catch (error) {
      call.close();
      throw error;
    }
  }

  /** The median path and total delay, ms; undefined until measured. */
  get pathDelayMs(): number | undefined {
    return median(this.pathDelays);
  }

  get totalDelayMs(): number | undefined {
    return median(this.totalDelays);
  }

  /** What the DelayNode adds now, ms. */
  get addedDelayMs(): number {
    return this.#delay.delayTime.value * 1000;
  }

  async #start(): Promise<void> {
    const { context, microphone, remoteElement } = this.#options;
    // What pc1 sends: the microphone with the marker mixed in.
    const micSource = context.createMediaStreamSource(microphone);
    const marker = context.createOscillator();
    marker.frequency.value = MARKER.frequency;
    const mix = context.createMediaStreamDestination();
    micSource.connect(mix);
    marker.connect(this.#markerGain).connect(mix);
    marker.start();
    this.#nodes.push(micSource, marker, this.#markerGain, mix);
    const [sent] = mix.stream.getAudioTracks();
    if (!sent) throw new Error('The Web Audio mix produced no audio track.');

    const received = new Promise<MediaStream>((resolve) => {
      this.pc2.on('track', (event) => resolve(event.streams[0] ?? new MediaStream([event.track])));
    });
    this.pc1.on('icecandidate', (candidate) => void (candidate && this.pc2.addIceCandidate(candidate).catch(() => {})));
    this.pc2.on('icecandidate', (candidate) => void (candidate && this.pc1.addIceCandidate(candidate).catch(() => {})));
    this.pc1.addTrack(sent, mix.stream);
    await this.pc1.setLocalDescription();
    if (!this.pc1.localDescription) throw new Error('pc1 has no offer after setLocalDescription().');
    await this.pc2.setRemoteDescription(this.pc1.localDescription);
    await this.pc2.setLocalDescription();
    if (!this.pc2.localDescription) throw new Error('pc2 has no answer after setLocalDescription().');
    await this.pc1.setRemoteDescription(this.pc2.localDescription);

    const remote = await received;
    remoteElement.srcObject = remote;
    remoteElement.muted = true;
    await remoteElement.play().catch(() => {});
    const remoteSource = context.createMediaStreamSource(remote);
    this.#nodes.push(remoteSource, this.#delay);
    remoteSource.connect(this.#delay).connect(context.destination);

    const path = new MarkerDetector({ sampleRate: context.sampleRate, frequency: MARKER.frequency, thresholdDbfs: MARKER.thresholdDbfs });
    const total = new MarkerDetector({ sampleRate: context.sampleRate, frequency: MARKER.frequency, thresholdDbfs: MARKER.thresholdDbfs });
    const pathTap = new AudioTap(context, (samples, atMs) => {
      const delay = path.push(samples, atMs);
      if (delay !== undefined) this.#onPath(delay);
    });
    // The first marker's total is timed through the unadjusted DelayNode: only markers sent after
    // the path was measured (and the DelayNode set from it) count towards the total.
    let countTotal = false;
    const playedTap = new AudioTap(context, (samples, atMs) => {
      this.played.push(samples, atMs);
      const delay = total.push(samples, atMs);
      if (delay !== undefined && countTotal) this.#remember(this.totalDelays, 'total', delay);
    });
    remoteSource.connect(pathTap.node);
    this.#delay.connect(playedTap.node);
    this.#taps.push(pathTap, playedTap);

    // A marker must arrive before the next is sent, or the detector would time the wrong one.
    const everyMs = this.chosenDelayMs + 1500;
    const sendMarker = () => {
      const at = context.currentTime + 0.05;
      this.#markerGain.gain.setValueAtTime(fromDbfs(MARKER.levelDbfs), at);
      this.#markerGain.gain.setValueAtTime(0, at + MARKER.durationMs / 1000);
      countTotal = this.pathDelays.length > 0;
      path.expect(at * 1000);
      total.expect(at * 1000);
    };
    sendMarker();
    this.#timer = setInterval(sendMarker, everyMs);
  }

  #onPath(delayMs: number): void {
    this.#remember(this.pathDelays, 'path', delayMs);
    const pathMs = this.pathDelayMs ?? 0;
    // Ramped, not set: a jump in delayTime is heard as a click.
    const target = Math.max(0, this.chosenDelayMs - pathMs) / 1000;
    this.#delay.delayTime.setTargetAtTime(target, this.#options.context.currentTime, 0.05);
  }

  #remember(list: number[], kind: 'path' | 'total', delayMs: number): void {
    list.push(delayMs);
    if (list.length > KEEP) list.shift();
    this.#options.onMeasurement?.(kind, delayMs);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    for (const tap of this.#taps) tap.disconnect();
    for (const node of this.#nodes) {
      if (node instanceof OscillatorNode) node.stop();
      node.disconnect();
    }
    if (!this.pc1.closed) this.pc1.close();
    if (!this.pc2.closed) this.pc2.close();
    this.#options.remoteElement.srcObject = null;
  }
}
