// The audio page's tap: an AudioWorkletProcessor that copies what it hears, in batches of
// `batchFrames` frames, to the main thread with the frame number the batch starts at. The meter,
// verdicts and marker detection run there, in core, where they are unit-tested; this file only
// moves samples. It is plain JS because the worklet scope loads it as is (Vite copies it).
class TapProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.batchFrames = options?.processorOptions?.batchFrames ?? 1024;
    this.buffer = new Float32Array(this.batchFrames);
    this.filled = 0;
    this.startFrame = 0;
  }

  process(inputs) {
    const channel = inputs[0]?.[0];
    // No channel: nothing is connected yet (or the source ended). Keep the processor alive.
    if (!channel) return true;
    if (this.filled === 0) this.startFrame = currentFrame;
    this.buffer.set(channel, this.filled);
    this.filled += channel.length;
    if (this.filled >= this.batchFrames) {
      // Transferred, not copied: the main thread owns this buffer now, and a new one is made.
      this.port.postMessage({ frame: this.startFrame, samples: this.buffer }, [this.buffer.buffer]);
      this.buffer = new Float32Array(this.batchFrames);
      this.filled = 0;
    }
    return true;
  }
}

registerProcessor('workbench-tap', TapProcessor);
