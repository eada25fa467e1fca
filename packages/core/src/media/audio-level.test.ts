import { getLocale, overwriteGetLocale } from '@workbench/i18n/runtime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DBFS_FLOOR,
  LevelMeter,
  MarkerDetector,
  blockLevel,
  encodeWav,
  fromDbfs,
  median,
  sineSamples,
  toDbfs,
  toneAmplitude,
} from './audio-level.js';

const RATE = 48_000;

/** Feeds `samples` to `meter` in 128-sample render quanta, as the AudioWorklet does. */
function feed(meter: LevelMeter, samples: Float32Array, startMs = 0): void {
  for (let i = 0; i + 128 <= samples.length; i += 128) meter.push(samples.subarray(i, i + 128), startMs + (i / RATE) * 1000);
}

// Issue 16: the verdict a person reads, in Chinese. In Node paraglide is English; a Chinese page
// resolves zh-CN, which overwriteGetLocale stands in for here. `kind` stays English for code.
describe('LevelMeter verdicts in Chinese', () => {
  const english = getLocale;
  beforeEach(() => overwriteGetLocale(() => 'zh-CN'));
  afterEach(() => overwriteGetLocale(english));

  const square = () => {
    const samples = new Float32Array(RATE);
    for (let i = 0; i < samples.length; i += 1) samples[i] = Math.floor(i / 240) % 2 === 0 ? 1 : -1;
    return samples;
  };

  it('says each verdict and what to check in Chinese, keeping dBFS, RMS and the OS menu paths', () => {
    const verdictOf = (samples: Float32Array) => {
      const meter = new LevelMeter({ sampleRate: RATE });
      feed(meter, samples);
      return meter.reading().verdict;
    };
    const silence = verdictOf(new Float32Array(RATE));
    expect(silence).toMatchObject({ kind: 'no-signal', title: '无信号：麦克风送来的是纯粹的数字静音' });
    expect(silence.advice).toContain('输入音量');
    expect(silence.advice).toContain('pavucontrol');

    const good = verdictOf(sineSamples({ sampleRate: RATE, frequency: 440, amplitudeDbfs: -20, seconds: 1 }));
    expect(good).toEqual({ kind: 'good', title: '电平良好：最响 -23 dBFS RMS，峰值 -20 dBFS', advice: '' });

    const quiet = verdictOf(sineSamples({ sampleRate: RATE, frequency: 440, amplitudeDbfs: -50, seconds: 1 }));
    expect(quiet).toMatchObject({ kind: 'too-quiet', title: '太小声：最响时只有 -53 dBFS RMS' });
    expect(quiet.advice).toContain('调高输入音量');

    // 100 % clipped, 12 000 clip events a minute, in Chinese digits and percent.
    const clipping = verdictOf(square());
    expect(clipping).toMatchObject({ kind: 'clipping', title: '削波：100% 的采样达到满刻度，每分钟 12,000 次' });
    expect(clipping.advice).toContain('自动增益控制');

    const waiting = new LevelMeter({ sampleRate: RATE });
    feed(waiting, new Float32Array(RATE / 10));
    expect(waiting.reading().verdict).toMatchObject({ kind: 'waiting', title: '正在聆听…' });
  });

  it('goes back to English when the locale does', () => {
    overwriteGetLocale(english);
    const meter = new LevelMeter({ sampleRate: RATE });
    feed(meter, square());
    expect(meter.reading().verdict.title).toBe('Clipping: 100% of samples at full scale, 12,000 times a minute');
  });
});

describe('dBFS', () => {
  it('converts amplitude and back, with silence at the floor rather than -Infinity', () => {
    expect(toDbfs(1)).toBe(0);
    expect(toDbfs(0.1)).toBeCloseTo(-20, 10);
    expect(fromDbfs(-20)).toBeCloseTo(0.1, 12);
    expect(toDbfs(0)).toBe(DBFS_FLOOR);
    expect(toDbfs(Number.NaN)).toBe(DBFS_FLOOR);
  });

  it('reads a -20 dBFS sine as peak -20 and RMS -23.01 (amplitude 0.1, RMS 0.1/sqrt 2)', () => {
    // 20·log10(0.1/√2) = −20 − 3.0103 = −23.0103.
    const level = blockLevel(sineSamples({ sampleRate: RATE, frequency: 1000, amplitudeDbfs: -20, seconds: 0.1 }));
    expect(level.peakDbfs).toBeCloseTo(-20, 2);
    expect(level.rmsDbfs).toBeCloseTo(-23.01, 2);
    expect(level.clippedSamples).toBe(0);
  });
});

describe('LevelMeter verdicts', () => {
  it('says no-signal for digital silence, and explains what to check', () => {
    const meter = new LevelMeter({ sampleRate: RATE });
    feed(meter, new Float32Array(RATE));
    const reading = meter.reading();
    expect(reading.verdict.kind).toBe('no-signal');
    expect(reading.verdict.advice).toMatch(/input level/);
    expect(reading.windowPeakDbfs).toBe(DBFS_FLOOR);
  });

  it('says good for a -20 dBFS sine and too-quiet for a -50 dBFS one', () => {
    const good = new LevelMeter({ sampleRate: RATE });
    feed(good, sineSamples({ sampleRate: RATE, frequency: 440, amplitudeDbfs: -20, seconds: 1 }));
    expect(good.reading().verdict.kind).toBe('good');
    expect(good.reading().windowRmsDbfs).toBeCloseTo(-23.01, 1);
    const quiet = new LevelMeter({ sampleRate: RATE });
    // Peak −50 is over the −60 no-signal line; RMS −53 is under the −42 quiet line.
    feed(quiet, sineSamples({ sampleRate: RATE, frequency: 440, amplitudeDbfs: -50, seconds: 1 }));
    expect(quiet.reading().verdict.kind).toBe('too-quiet');
  });

  it('says clipping for a full-scale square wave, counting each flattened half-wave once', () => {
    const meter = new LevelMeter({ sampleRate: RATE });
    // 100 Hz square: 480 samples per period, 240 at +1 then 240 at −1: 200 runs per second.
    const square = new Float32Array(RATE);
    for (let i = 0; i < square.length; i += 1) square[i] = Math.floor(i / 240) % 2 === 0 ? 1 : -1;
    feed(meter, square);
    const reading = meter.reading();
    expect(reading.verdict.kind).toBe('clipping');
    expect(reading.clippedFraction).toBe(1);
    // 100 periods, each a flattened top and a flattened bottom: 200 events, 12 000 a minute.
    expect(reading.clipEvents).toBe(200);
    expect(reading.clipEventsPerMinute).toBeCloseTo(12_000, 0);
    expect(reading.verdict.advice).toMatch(/input level/);
  });

  it('counts separate clipped peaks as separate events and tolerates one stray full-scale sample', () => {
    const meter = new LevelMeter({ sampleRate: RATE });
    const samples = sineSamples({ sampleRate: RATE, frequency: 440, amplitudeDbfs: -20, seconds: 1 });
    samples[1000] = 1; // one stray sample: 1 in 48 000 is under the 0.1 % line
    feed(meter, samples);
    expect(meter.reading().clipEvents).toBe(1);
    expect(meter.reading().verdict.kind).toBe('good');
  });

  it('keeps only the window: silence after a tone turns into no-signal once the tone has left it', () => {
    const meter = new LevelMeter({ sampleRate: RATE, windowMs: 1000 });
    feed(meter, sineSamples({ sampleRate: RATE, frequency: 440, amplitudeDbfs: -20, seconds: 1 }), 0);
    feed(meter, new Float32Array(RATE / 2), 1000);
    expect(meter.reading().verdict.kind).toBe('good');
    feed(meter, new Float32Array(RATE), 1500);
    expect(meter.reading().verdict.kind).toBe('no-signal');
    expect(meter.reading().windowMs).toBeLessThanOrEqual(1000);
  });

  it('waits for half a second before judging', () => {
    const meter = new LevelMeter({ sampleRate: RATE });
    feed(meter, new Float32Array(RATE / 10));
    expect(meter.reading().verdict.kind).toBe('waiting');
  });
});

describe('marker detection', () => {
  it('measures a 1.5 kHz tone mixed into a 440 Hz one, blind to the 440 Hz', () => {
    const bed = sineSamples({ sampleRate: RATE, frequency: 440, amplitudeDbfs: -20, seconds: 0.01 });
    expect(toneAmplitude(bed, 1500, RATE)).toBeLessThan(fromDbfs(-50));
    const marker = sineSamples({ sampleRate: RATE, frequency: 1500, amplitudeDbfs: -12, seconds: 0.01 });
    expect(toDbfs(toneAmplitude(marker, 1500, RATE))).toBeCloseTo(-12, 0);
  });

  it('reports arrival minus emission, to within one 128-sample step', () => {
    const detector = new MarkerDetector({ sampleRate: RATE, frequency: 1500, thresholdDbfs: -30 });
    // A 1 s stream: the bed tone, with the marker starting at 300 ms.
    const stream = sineSamples({ sampleRate: RATE, frequency: 440, amplitudeDbfs: -20, seconds: 1 });
    const marker = sineSamples({ sampleRate: RATE, frequency: 1500, amplitudeDbfs: -12, seconds: 0.1 });
    stream.set(marker.map((m, i) => m + (stream[14_400 + i] ?? 0)), 14_400);
    // Nothing before expect(): the detector is not armed.
    expect(detector.push(stream.subarray(0, 19_200), 0)).toBeUndefined();
    detector.expect(100);
    let delay: number | undefined;
    for (let i = 0; i < stream.length && delay === undefined; i += 1024) delay = detector.push(stream.subarray(i, i + 1024), (i / RATE) * 1000);
    // Emitted at 100 ms, arrives at 300 ms: 200 ms, less up to one step (2.67 ms) of early onset.
    expect(delay).toBeGreaterThan(200 - 128 / 48);
    expect(delay).toBeLessThanOrEqual(200 + 0.01);
    expect(detector.armed).toBe(false);
  });

  it('takes the median of measurements', () => {
    expect(median([300, 100, 200])).toBe(200);
    expect(median([1, 2, 3, 10])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });
});

describe('encodeWav', () => {
  it('writes a 16-bit mono PCM header and clamps full scale', () => {
    const wav = encodeWav([0, 1, -1, 2], 48_000);
    const view = new DataView(wav.buffer);
    expect(String.fromCharCode(...wav.slice(0, 4))).toBe('RIFF');
    expect(String.fromCharCode(...wav.slice(8, 12))).toBe('WAVE');
    expect(view.getUint16(22, true)).toBe(1);
    expect(view.getUint32(24, true)).toBe(48_000);
    expect(view.getUint32(40, true)).toBe(8);
    expect([view.getInt16(44, true), view.getInt16(46, true), view.getInt16(48, true), view.getInt16(50, true)]).toEqual([0, 32767, -32768, 32767]);
  });
});
