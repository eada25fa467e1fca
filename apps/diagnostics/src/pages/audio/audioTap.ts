/**
 * The page's way into the audio: an AudioWorklet tap (tap-worklet.js) that hands the main thread
 * blocks of samples stamped with the AudioContext's clock, which core's LevelMeter and
 * MarkerDetector read. An AnalyserNode would be simpler, but reading it from a timer loses or
 * repeats samples between reads and knows the time only to a frame (16 ms), which the delay
 * measurement cannot afford.
 */
// no-inline: a data: URL would be refused by a Content-Security-Policy without data: in script-src.
import tapWorkletUrl from './tap-worklet.js?url&no-inline';

const loaded = new WeakSet<BaseAudioContext>();

/** Loads the tap's module into `context` once. */
export async function loadTapWorklet(context: BaseAudioContext): Promise<void> {
  if (loaded.has(context)) return;
  await context.audioWorklet.addModule(tapWorkletUrl);
  loaded.add(context);
}

export type BlockHandler = (samples: Float32Array, atMs: number) => void;

export class AudioTap {
  readonly node: AudioWorkletNode;
  readonly #sink: GainNode;

  /** Call {@link loadTapWorklet} first. `onBlock` gets mono blocks; `atMs` is the context time the block starts at. */
  constructor(context: BaseAudioContext, onBlock: BlockHandler, batchFrames = 1024) {
    this.node = new AudioWorkletNode(context, 'workbench-tap', {
      numberOfInputs: 1,
      numberOfOutputs: 1,
      // Downmixed to one channel by the browser: the level of a stereo microphone is its mix.
      channelCount: 1,
      channelCountMode: 'explicit',
      channelInterpretation: 'speakers',
      processorOptions: { batchFrames },
    });
    const rate = context.sampleRate;
    this.node.port.onmessage = (event: MessageEvent<{ frame: number; samples: Float32Array }>) => {
      onBlock(event.data.samples, (event.data.frame / rate) * 1000);
    };
    // A node that leads nowhere is not rendered by every browser: lead it, silenced, to the output.
    this.#sink = context.createGain();
    this.#sink.gain.value = 0;
    this.node.connect(this.#sink).connect(context.destination);
  }

  disconnect(): void {
    this.node.port.onmessage = null;
    this.node.disconnect();
    this.#sink.disconnect();
  }
}
