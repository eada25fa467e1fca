/**
 * Audio level: sample blocks to dBFS (RMS and peak), a level meter over a sliding window with the
 * verdict a person reads (no signal, too quiet, good, clipping), and the marker-tone detector the
 * "hear yourself" loop measures its delay with. No Web Audio here: the page feeds Float32Array
 * blocks (from an AudioWorklet), the tests feed generated ones.
 *
 * dBFS here is referenced to a full-scale *peak*: a sine of amplitude 0.1 peaks at −20 dBFS and
 * its RMS reads −23.0 dBFS (RMS of a sine is amplitude / √2). Meters that follow AES17 add 3.01 dB
 * to RMS so a full-scale sine reads 0; this one does not, so a reader can check RMS ≤ peak.
 */
import { formatNumber, formatPercent } from '@workbench/i18n/format';
import { m } from '@workbench/i18n/messages';

/** What a block of pure digital silence reads: the meter's floor, not −Infinity (JSON, charts). */
export const DBFS_FLOOR = -120;

/** A sample at or above this magnitude counts as clipped (int16 32440 of 32767, −0.09 dBFS). */
export const CLIP_LEVEL = 0.99;

/** amplitude (0–1) → dBFS, floored at {@link DBFS_FLOOR}. */
export function toDbfs(amplitude: number): number {
  if (!(amplitude > 0)) return DBFS_FLOOR;
  return Math.max(DBFS_FLOOR, 20 * Math.log10(amplitude));
}

/** dBFS → amplitude (0–1). */
export function fromDbfs(dbfs: number): number {
  return 10 ** (dbfs / 20);
}

export interface BlockLevel {
  /** RMS, dBFS. */
  rmsDbfs: number;
  /** Largest |sample|, dBFS. */
  peakDbfs: number;
  /** Samples at or above {@link CLIP_LEVEL}. */
  clippedSamples: number;
  /** Samples in the block. */
  samples: number;
}

/** RMS, peak and clipped-sample count of one block. */
export function blockLevel(samples: ArrayLike<number>): BlockLevel {
  let sumSquares = 0;
  let peak = 0;
  let clipped = 0;
  for (let i = 0; i < samples.length; i += 1) {
    const value = samples[i] ?? 0;
    const magnitude = Math.abs(value);
    sumSquares += value * value;
    if (magnitude > peak) peak = magnitude;
    if (magnitude >= CLIP_LEVEL) clipped += 1;
  }
  const rms = samples.length > 0 ? Math.sqrt(sumSquares / samples.length) : 0;
  return { rmsDbfs: toDbfs(rms), peakDbfs: toDbfs(peak), clippedSamples: clipped, samples: samples.length };
}

// ---- Verdicts -------------------------------------------------------------------------------

export type LevelVerdictKind = 'waiting' | 'no-signal' | 'too-quiet' | 'good' | 'clipping';

/**
 * The verdict thresholds, as data so the page prints the numbers it decides with.
 * - no signal: the loudest peak of the window stays under −60 dBFS. A working microphone in a quiet
 *   room still picks up a noise floor around −70…−50 dBFS *peak*; an OS input level at zero, a
 *   hardware mute switch or a disconnected device gives exact zeros (−120 here) or close to them.
 * - too quiet: the loudest 100 ms RMS of the window stays under −42 dBFS: speech at a normal distance
 *   reads −30…−15 dBFS RMS on a sensibly set input, so the other side would have to turn it far up.
 * - clipping: more than 0.1 % of the window's samples sit at full scale. One stray full-scale sample
 *   is not audible; 1 in 1000 means the waveform is being flattened on every loud syllable.
 */
export const LEVEL_THRESHOLDS = {
  noSignalPeakDbfs: -60,
  quietRmsDbfs: -42,
  clippingFraction: 0.001,
  /** The window the verdict looks at, ms. */
  windowMs: 3000,
  /** The RMS the "too quiet" rule looks at is over blocks about this long, ms. */
  loudnessBlockMs: 100,
} as const;

export interface LevelVerdict {
  kind: LevelVerdictKind;
  /** One line: what the meter sees. */
  title: string;
  /** What to do (or check), in words; empty for "good". */
  advice: string;
}

export interface LevelReading {
  /** RMS over the last block fed, dBFS. */
  rmsDbfs: number;
  /** Peak over the last block fed, dBFS. */
  peakDbfs: number;
  /** RMS over the whole window, dBFS: the steady level, what the tests compare. */
  windowRmsDbfs: number;
  /** Largest peak in the window, dBFS. */
  windowPeakDbfs: number;
  /** Loudest ~100 ms RMS in the window, dBFS. */
  loudestRmsDbfs: number;
  /** Clipped samples / all samples in the window, 0–1. */
  clippedFraction: number;
  /** Runs of clipped samples that started in the window (each a flattened wave top). */
  clipEvents: number;
  /** Clip events per minute, over the window. */
  clipEventsPerMinute: number;
  /** ms of audio the window holds. */
  windowMs: number;
  verdict: LevelVerdict;
}

interface WindowBlock {
  at: number;
  durationMs: number;
  sumSquares: number;
  samples: number;
  peak: number;
  clipped: number;
  clipEvents: number;
}

export interface LevelMeterOptions {
  sampleRate: number;
  windowMs?: number;
}

/**
 * A meter over the last `windowMs` of audio. Feed it blocks in order with `push(samples, atMs)`;
 * `reading()` gives the last block's level, the window's, and the verdict. Cost is O(block) per push
 * and O(blocks in window) per reading, with no allocation per sample.
 */
export class LevelMeter {
  readonly sampleRate: number;
  readonly windowMs: number;
  #blocks: WindowBlock[] = [];
  #last: BlockLevel = { rmsDbfs: DBFS_FLOOR, peakDbfs: DBFS_FLOOR, clippedSamples: 0, samples: 0 };
  /** The sign of the clipped run the previous block ended in (0: none), so a run across blocks counts once. */
  #clipSign = 0;

  constructor(options: LevelMeterOptions) {
    if (!(options.sampleRate > 0)) throw new RangeError(`LevelMeter needs a positive sampleRate, got ${options.sampleRate}.`);
    this.sampleRate = options.sampleRate;
    this.windowMs = options.windowMs ?? LEVEL_THRESHOLDS.windowMs;
  }

  /** Adds one block of samples that starts at `atMs` (any clock, as long as it is the same one). */
  push(samples: ArrayLike<number>, atMs: number): void {
    let sumSquares = 0;
    let peak = 0;
    let clipped = 0;
    let clipEvents = 0;
    let clipSign = this.#clipSign;
    for (let i = 0; i < samples.length; i += 1) {
      const value = samples[i] ?? 0;
      const magnitude = Math.abs(value);
      sumSquares += value * value;
      if (magnitude > peak) peak = magnitude;
      if (magnitude >= CLIP_LEVEL) {
        clipped += 1;
        // A new event per flattened top or bottom: a square wave jumps from +1 to −1 with no
        // unclipped sample between, and that is two flattened half-waves, not one.
        const sign = value > 0 ? 1 : -1;
        if (sign !== clipSign) clipEvents += 1;
        clipSign = sign;
      } else {
        clipSign = 0;
      }
    }
    this.#clipSign = clipSign;
    const durationMs = (samples.length / this.sampleRate) * 1000;
    this.#blocks.push({ at: atMs, durationMs, sumSquares, samples: samples.length, peak, clipped, clipEvents });
    const oldest = atMs + durationMs - this.windowMs;
    while (this.#blocks.length > 0 && (this.#blocks[0]?.at ?? 0) + (this.#blocks[0]?.durationMs ?? 0) <= oldest) this.#blocks.shift();
    const rms = samples.length > 0 ? Math.sqrt(sumSquares / samples.length) : 0;
    this.#last = { rmsDbfs: toDbfs(rms), peakDbfs: toDbfs(peak), clippedSamples: clipped, samples: samples.length };
  }

  /** Forgets the window (a new device or new processing settings). */
  reset(): void {
    this.#blocks = [];
    this.#clipSign = 0;
    this.#last = { rmsDbfs: DBFS_FLOOR, peakDbfs: DBFS_FLOOR, clippedSamples: 0, samples: 0 };
  }

  reading(): LevelReading {
    let sumSquares = 0;
    let samples = 0;
    let peak = 0;
    let clipped = 0;
    let clipEvents = 0;
    let windowMs = 0;
    // Loudness in ~100 ms groups of blocks, so one loud 3 ms block does not count as "loud enough".
    let loudest = 0;
    let groupSquares = 0;
    let groupSamples = 0;
    let groupMs = 0;
    for (const block of this.#blocks) {
      sumSquares += block.sumSquares;
      samples += block.samples;
      peak = Math.max(peak, block.peak);
      clipped += block.clipped;
      clipEvents += block.clipEvents;
      windowMs += block.durationMs;
      groupSquares += block.sumSquares;
      groupSamples += block.samples;
      groupMs += block.durationMs;
      if (groupMs >= LEVEL_THRESHOLDS.loudnessBlockMs) {
        loudest = Math.max(loudest, Math.sqrt(groupSquares / groupSamples));
        groupSquares = 0;
        groupSamples = 0;
        groupMs = 0;
      }
    }
    if (groupSamples > 0 && (loudest === 0 || groupMs >= LEVEL_THRESHOLDS.loudnessBlockMs / 2)) {
      loudest = Math.max(loudest, Math.sqrt(groupSquares / groupSamples));
    }
    const clippedFraction = samples > 0 ? clipped / samples : 0;
    const measured = {
      rmsDbfs: this.#last.rmsDbfs,
      peakDbfs: this.#last.peakDbfs,
      windowRmsDbfs: toDbfs(samples > 0 ? Math.sqrt(sumSquares / samples) : 0),
      windowPeakDbfs: toDbfs(peak),
      loudestRmsDbfs: toDbfs(loudest),
      clippedFraction,
      clipEvents,
      clipEventsPerMinute: windowMs > 0 ? (clipEvents * 60_000) / windowMs : 0,
      windowMs,
    };
    return { ...measured, verdict: levelVerdict(measured) };
  }
}

/**
 * The verdict for a window's figures; see {@link LEVEL_THRESHOLDS} for why each number. Title and
 * advice are in the page's language (messages/audio); `kind` is what code and tests branch on.
 */
export function levelVerdict(reading: Omit<LevelReading, 'verdict'>): LevelVerdict {
  if (reading.windowMs < 500) {
    return { kind: 'waiting', title: m.audio_verdict_waiting_title(), advice: m.audio_verdict_waiting_advice() };
  }
  if (reading.windowPeakDbfs < LEVEL_THRESHOLDS.noSignalPeakDbfs) {
    const silent = reading.windowPeakDbfs <= DBFS_FLOOR;
    return {
      kind: 'no-signal',
      title: silent ? m.audio_verdict_silence_title() : m.audio_verdict_no_signal_title({ dbfs: formatNumber(reading.windowPeakDbfs, 0) }),
      advice: m.audio_verdict_no_signal_advice(),
    };
  }
  if (reading.clippedFraction > LEVEL_THRESHOLDS.clippingFraction) {
    return {
      kind: 'clipping',
      title: m.audio_verdict_clipping_title({
        percent: formatPercent(reading.clippedFraction, reading.clippedFraction >= 0.01 ? 1 : 2),
        perMinute: formatNumber(reading.clipEventsPerMinute, 0),
      }),
      advice: m.audio_verdict_clipping_advice(),
    };
  }
  if (reading.loudestRmsDbfs < LEVEL_THRESHOLDS.quietRmsDbfs) {
    return {
      kind: 'too-quiet',
      title: m.audio_verdict_too_quiet_title({ dbfs: formatNumber(reading.loudestRmsDbfs, 0) }),
      advice: m.audio_verdict_too_quiet_advice(),
    };
  }
  return {
    kind: 'good',
    title: m.audio_verdict_good_title({ loudest: formatNumber(reading.loudestRmsDbfs, 0), peak: formatNumber(reading.windowPeakDbfs, 0) }),
    advice: '',
  };
}

// ---- Delay measurement --------------------------------------------------------------------

/**
 * The amplitude (0–1) of the `frequency` component of `samples` (Goertzel with a Hann window): a
 * marker tone's level, largely blind to the speech or test tone it is mixed with.
 */
export function toneAmplitude(samples: ArrayLike<number>, frequency: number, sampleRate: number): number {
  const n = samples.length;
  if (n === 0) return 0;
  const coefficient = 2 * Math.cos((2 * Math.PI * frequency) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  let windowSum = 0;
  for (let i = 0; i < n; i += 1) {
    const w = n > 1 ? 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1)) : 1;
    windowSum += w;
    const s0 = (samples[i] ?? 0) * w + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
  return (2 * Math.sqrt(Math.max(0, power))) / windowSum;
}

export interface MarkerDetectorOptions {
  sampleRate: number;
  /** The marker tone's frequency, Hz. */
  frequency: number;
  /** It counts as arrived when its amplitude first exceeds this, dBFS. */
  thresholdDbfs: number;
  /** Samples per analysis step; the arrival time is known to within one step. Default 128 (one render quantum). */
  stepSamples?: number;
}

/**
 * Finds when a marker tone arrives in a stream of blocks. `expect(emittedAtMs)` arms it after the
 * marker is sent; `push(samples, atMs)` returns the delay (arrival − emission, ms) on the block in
 * which the tone first rises over the threshold, and disarms. Blocks before an `expect` are ignored,
 * so speech at the marker frequency between markers does not count.
 */
export class MarkerDetector {
  readonly options: Required<MarkerDetectorOptions>;
  #emittedAt: number | undefined;
  #threshold: number;

  constructor(options: MarkerDetectorOptions) {
    this.options = { stepSamples: 128, ...options };
    this.#threshold = fromDbfs(options.thresholdDbfs);
  }

  get armed(): boolean {
    return this.#emittedAt !== undefined;
  }

  expect(emittedAtMs: number): void {
    this.#emittedAt = emittedAtMs;
  }

  cancel(): void {
    this.#emittedAt = undefined;
  }

  push(samples: ArrayLike<number>, atMs: number): number | undefined {
    const emittedAt = this.#emittedAt;
    if (emittedAt === undefined) return undefined;
    const { stepSamples, sampleRate, frequency } = this.options;
    for (let start = 0; start + stepSamples <= samples.length; start += stepSamples) {
      const stepAt = atMs + (start / sampleRate) * 1000;
      if (stepAt + (stepSamples / sampleRate) * 1000 < emittedAt) continue;
      const step = Array.prototype.slice.call(samples, start, start + stepSamples) as number[];
      if (toneAmplitude(step, frequency, sampleRate) >= this.#threshold) {
        this.#emittedAt = undefined;
        return stepAt - emittedAt;
      }
    }
    return undefined;
  }
}

/** The median of `values` (undefined for none): a delay figure one late detection cannot skew. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

// ---- Test signals -------------------------------------------------------------------------

/** A sine of `amplitudeDbfs` peak (−20 → amplitude 0.1), as samples: the page's test tone and the tests' input. */
export function sineSamples(options: { sampleRate: number; frequency: number; amplitudeDbfs: number; seconds: number }): Float32Array {
  const count = Math.round(options.sampleRate * options.seconds);
  const amplitude = fromDbfs(options.amplitudeDbfs);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 1) out[i] = amplitude * Math.sin((2 * Math.PI * options.frequency * i) / options.sampleRate);
  return out;
}

/**
 * A 16-bit PCM mono WAV file of `samples` (−1…1), as Chromium's `--use-file-for-fake-audio-capture`
 * reads it. Values are clamped to full scale: a sample of 1 is written as 32767.
 */
export function encodeWav(samples: ArrayLike<number>, sampleRate: number): Uint8Array {
  const dataBytes = samples.length * 2;
  const buffer = new ArrayBuffer(44 + dataBytes);
  const view = new DataView(buffer);
  const text = (offset: number, value: string) => {
    for (let i = 0; i < value.length; i += 1) view.setUint8(offset + i, value.charCodeAt(i));
  };
  text(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  view.setUint32(16, 16, true); // PCM header size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true); // bytes per second
  view.setUint16(32, 2, true); // bytes per frame
  view.setUint16(34, 16, true); // bits per sample
  text(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < samples.length; i += 1) {
    const value = Math.max(-1, Math.min(1, samples[i] ?? 0));
    view.setInt16(44 + i * 2, Math.round(value < 0 ? value * 32768 : value * 32767), true);
  }
  return new Uint8Array(buffer);
}
