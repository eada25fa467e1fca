/**
 * The deep pass's frames: luma, black and frozen frame detection, and `measureVideoFrames`, which
 * reads frames from a <video> in the page (the only part of the probe that needs the DOM).
 */
import type { FrameMeasurement, MeasureFrames } from './results.js';

/** A sample at most this bright on average, with no pixel brighter than BLACK_MAX_LUMA, is black. */
export const BLACK_MEAN_LUMA = 16;
export const BLACK_MAX_LUMA = 40;
/** A sample whose pixels all differ from the previous one's by at most this much is the same picture. */
export const FROZEN_MAX_DIFFERENCE = 1;

export interface FrameVerdict {
  meanLuma: number;
  maxLuma: number;
  black: boolean;
  /** False for the first frame (nothing to compare with). */
  frozen: boolean;
  /** Largest per-pixel brightness change from the previous sample; undefined for the first. */
  difference?: number;
}

/** Brightness (Rec. 709 luma, 0–255) of each pixel of RGBA data, as from `getImageData().data`. */
export function lumaOf(rgba: ArrayLike<number>): Float32Array {
  const luma = new Float32Array(Math.floor(rgba.length / 4));
  for (let pixel = 0; pixel < luma.length; pixel++) {
    const i = pixel * 4;
    luma[pixel] = 0.2126 * (rgba[i] ?? 0) + 0.7152 * (rgba[i + 1] ?? 0) + 0.0722 * (rgba[i + 2] ?? 0);
  }
  return luma;
}

/** Is this sampled frame black, and is it the same picture as `previous` (same sample size)? */
export function analyseFrame(luma: ArrayLike<number>, previous?: ArrayLike<number>): FrameVerdict {
  let sum = 0;
  let maxLuma = 0;
  for (let i = 0; i < luma.length; i++) {
    const value = luma[i] ?? 0;
    sum += value;
    if (value > maxLuma) maxLuma = value;
  }
  const meanLuma = luma.length ? sum / luma.length : 0;
  const black = meanLuma <= BLACK_MEAN_LUMA && maxLuma <= BLACK_MAX_LUMA;
  if (!previous || previous.length !== luma.length) return { meanLuma, maxLuma, black, frozen: false };
  let difference = 0;
  for (let i = 0; i < luma.length; i++) {
    const change = Math.abs((luma[i] ?? 0) - (previous[i] ?? 0));
    if (change > difference) difference = change;
  }
  return { meanLuma, maxLuma, black, frozen: difference <= FROZEN_MAX_DIFFERENCE, difference };
}

/** One frame as the deep pass saw it. */
export interface FrameSample {
  /** When it was shown, ms (the rVFC `now`). */
  at: number;
  /** The video's count of frames presented so far (rVFC metadata), which also counts frames whose callbacks were skipped. */
  presentedFrames?: number;
  verdict?: FrameVerdict;
}

/** Frame rate and black/frozen counts from the samples of one window. */
export function summariseFrames(
  samples: readonly FrameSample[],
  facts: { firstFrameMs: number | null; frameWidth: number; frameHeight: number },
): FrameMeasurement {
  const first = samples[0];
  const last = samples[samples.length - 1];
  const windowMs = first && last ? last.at - first.at : 0;
  const firstPresented = first?.presentedFrames;
  const lastPresented = last?.presentedFrames;
  const intervals =
    typeof firstPresented === 'number' && typeof lastPresented === 'number' && lastPresented > firstPresented
      ? lastPresented - firstPresented
      : samples.length - 1;
  const verdicts = samples.map((sample) => sample.verdict).filter((verdict) => verdict !== undefined);
  return {
    firstFrameMs: facts.firstFrameMs,
    fps: windowMs > 0 ? (intervals * 1000) / windowMs : 0,
    frames: samples.length,
    windowMs,
    frameWidth: facts.frameWidth,
    frameHeight: facts.frameHeight,
    blackFrames: verdicts.filter((verdict) => verdict.black).length,
    frozenFrames: verdicts.filter((verdict) => verdict.frozen).length,
    sampledFrames: verdicts.length,
    meanLuma: verdicts.length ? verdicts.reduce((sum, verdict) => sum + verdict.meanLuma, 0) / verdicts.length : 0,
  };
}

export interface MeasureVideoFramesOptions {
  /** A <video> on the page: browsers run frame callbacks only for video they render. */
  video: HTMLVideoElement;
  /** How long to count frames after the first one, ms. Default 1000. */
  windowMs?: number;
  /** Give up waiting for a first frame after this long, ms. Default 5000. */
  firstFrameTimeoutMs?: number;
  /** Width of the canvas frames are sampled on; small, so sampling costs well under a frame. Default 48. */
  sampleWidth?: number;
  /** The clock `requestedAt` was read from. Default performance.now. */
  now?: () => number;
}

type FrameCallbackVideo = HTMLVideoElement & {
  requestVideoFrameCallback?: (callback: (now: number, metadata: { presentedFrames?: number }) => void) => number;
  cancelVideoFrameCallback?: (handle: number) => void;
};

/**
 * The deep pass's measurement, in the page: plays `track` in `video`, times the first frame from
 * the request, counts frames with requestVideoFrameCallback over a short window, and samples each
 * frame on a small canvas to spot black and frozen pictures. Pass it as `probeResolutions`' `measure`.
 */
export function measureVideoFrames(options: MeasureVideoFramesOptions): MeasureFrames {
  const { video, windowMs = 1000, firstFrameTimeoutMs = 5000, sampleWidth = 48 } = options;
  const now = options.now ?? (() => performance.now());
  return (track, context) =>
    new Promise<FrameMeasurement>((resolve, reject) => {
      const element = video as FrameCallbackVideo;
      const canvas = document.createElement('canvas');
      const samples: FrameSample[] = [];
      let previous: Float32Array | undefined;
      let firstFrameMs: number | null = null;
      let handle: number | undefined;
      let finished = false;
      let sampling: CanvasRenderingContext2D | null = null;

      const finish = (error?: unknown) => {
        if (finished) return;
        finished = true;
        clearTimeout(timeout);
        context.signal?.removeEventListener('abort', onAbort);
        if (handle !== undefined) element.cancelVideoFrameCallback?.(handle);
        const facts = { firstFrameMs, frameWidth: element.videoWidth, frameHeight: element.videoHeight };
        element.pause();
        element.srcObject = null;
        if (error !== undefined) reject(error);
        else resolve(summariseFrames(samples, facts));
      };
      const onAbort = () => finish(context.signal?.reason);

      const sample = (): FrameVerdict | undefined => {
        if (!element.videoWidth || !element.videoHeight) return undefined;
        if (!sampling) {
          canvas.width = sampleWidth;
          canvas.height = Math.max(1, Math.round((sampleWidth * element.videoHeight) / element.videoWidth));
          sampling = canvas.getContext('2d', { willReadFrequently: true });
        }
        if (!sampling) return undefined;
        sampling.drawImage(element, 0, 0, canvas.width, canvas.height);
        const luma = lumaOf(sampling.getImageData(0, 0, canvas.width, canvas.height).data);
        const verdict = analyseFrame(luma, previous);
        previous = luma;
        return verdict;
      };

      const onFrame = (at: number, presentedFrames?: number) => {
        if (finished) return;
        if (firstFrameMs === null) firstFrameMs = now() - context.requestedAt;
        const verdict = sample();
        samples.push({ at, ...(presentedFrames !== undefined ? { presentedFrames } : {}), ...(verdict ? { verdict } : {}) });
        const elapsed = at - (samples[0]?.at ?? at);
        context.onProgress?.(Math.min(1, elapsed / windowMs));
        if (elapsed >= windowMs) finish();
        else requestNext();
      };

      // rVFC where the browser has it; otherwise every animation frame that shows a new currentTime.
      let lastTime = -1;
      const requestNext = () => {
        if (element.requestVideoFrameCallback) {
          handle = element.requestVideoFrameCallback((at, metadata) => onFrame(at, metadata.presentedFrames));
        } else {
          handle = undefined;
          requestAnimationFrame((at) => {
            if (element.videoWidth > 0 && element.currentTime !== lastTime) {
              lastTime = element.currentTime;
              onFrame(at);
            } else if (!finished) requestNext();
          });
        }
      };

      const timeout = setTimeout(() => {
        if (firstFrameMs === null) finish();
      }, firstFrameTimeoutMs);
      if (context.signal?.aborted) {
        finish(context.signal.reason);
        return;
      }
      context.signal?.addEventListener('abort', onAbort, { once: true });
      element.muted = true;
      element.playsInline = true;
      element.srcObject = new MediaStream([track]);
      requestNext();
      element.play().catch(() => {
        // A new srcObject or pause() interrupts play(); frames (or the timeout) decide the outcome.
      });
    });
}
