/**
 * What a camera probe reports and takes: its result codes, the result per resolution, the
 * camera's capabilities, the options and clock, and the exact constraints each size is asked with.
 */
import { ErrorCode, type Explanation } from '../../errors.js';
import type { MediaDevicesLike } from '../../media/media.js';
import { m } from '@workbench/i18n/messages';
import { formatResolution, type Resolution } from './resolutions.js';

/**
 * Why a size passed or failed. Failures the browser reports keep core's getUserMedia codes
 * (`DEVICE_BUSY`, `OVERCONSTRAINED` …); the rest are the probe's own conclusions.
 */
export const ProbeCode = {
  /** Pass: the camera has this mode itself (`resizeMode` "none"). */
  Native: 'NATIVE',
  /** Pass: the browser crops and scales a larger camera mode down to it (`resizeMode` "crop-and-scale"). */
  Scaled: 'SCALED',
  /** Pass: delivered, but the browser does not report `resizeMode`, so native and scaled look alike. */
  ModeUnknown: 'MODE_UNKNOWN',
  /** Fail without a request: `getCapabilities()` says the size is outside the camera's range. */
  OutOfRange: 'OUT_OF_RANGE',
  /** Fail: OverconstrainedError although the size is within range; no mode gives it. */
  Refused: ErrorCode.Overconstrained,
  /** Fail: refused because the camera is running for another user at a smaller mode. */
  HeldElsewhere: 'HELD_ELSEWHERE',
  /** Fail: NotReadableError (or AbortError) on every attempt: another app or tab has the camera. */
  Busy: ErrorCode.DeviceBusy,
  /** Fail: the camera disappeared (unplugged) during the probe. */
  CameraGone: ErrorCode.DeviceNotFound,
  /** Fail: the browser opened the camera at another size than the exact one asked for. */
  SizeMismatch: 'SIZE_MISMATCH',
  /** Fail (deep pass): the camera opened but no frame arrived. */
  NoFrames: 'NO_FRAMES',
} as const;
export type ProbeCode = (typeof ProbeCode)[keyof typeof ProbeCode] | ErrorCode;

export type ProbePass = 'quick' | 'deep';
export type ProbeMode = 'native' | 'scaled' | 'unknown';

/** What the deep pass saw of one mode's frames. */
export interface FrameMeasurement {
  /** From the getUserMedia call to the first frame shown; null when none came. */
  firstFrameMs: number | null;
  /** Frame rate delivered over the window, frames per second. */
  fps: number;
  /** Frames counted in the window. */
  frames: number;
  /** How long frames were counted, ms. */
  windowMs: number;
  /** The size of the frames themselves (`videoWidth` × `videoHeight`), which is what a peer gets. */
  frameWidth: number;
  frameHeight: number;
  /** Sampled frames that were black (or nearly: a covered lens, a privacy shutter). */
  blackFrames: number;
  /** Sampled frames identical to the one before: the picture did not change. */
  frozenFrames: number;
  sampledFrames: number;
  /** Average brightness of the sampled frames, 0–255. */
  meanLuma: number;
}

export interface ResolutionResult {
  pass: ProbePass;
  deviceId: string;
  /** The camera's label. */
  camera: string;
  requested: Resolution;
  status: 'pass' | 'fail';
  code: ProbeCode;
  /** One sentence for a person: what happened and, for a failure, what to do. */
  reason: string;
  /** The track's `getSettings()` size and frame rate. */
  actual?: { width: number; height: number; frameRate?: number };
  mode?: ProbeMode;
  /** `getSettings().resizeMode` as the browser wrote it. */
  resizeMode?: string;
  /** getUserMedia call → track, ms (the successful attempt). */
  openMs?: number;
  /** getUserMedia calls made for this size: 0 when ruled out by capabilities, >1 after retries. */
  attempts: number;
  /** Deep pass only. */
  frames?: FrameMeasurement;
}

/** A camera's ranges, as `getCapabilities()` reports them. */
export interface CameraCapabilities {
  width?: { min: number; max: number };
  height?: { min: number; max: number };
  frameRate?: { min: number; max: number };
  resizeModes?: string[];
}

export interface ProbedCamera {
  deviceId: string;
  label: string;
  capabilities?: CameraCapabilities;
  /** `device`: InputDeviceInfo.getCapabilities(), no camera opened; `track`: from an opened track; `none`: unknown. */
  capabilitiesFrom: 'device' | 'track' | 'none';
  /** The mode the camera was found running in for another user, when the probe concluded it was held. */
  heldAt?: Resolution;
  /** Why the camera could not be probed at all (busy, gone), when that happened. */
  error?: Explanation;
}

export interface ProbeReport {
  pass: ProbePass;
  /** ISO time the probe started. */
  startedAt: string;
  durationMs: number;
  cameras: ProbedCamera[];
  results: ResolutionResult[];
}

export interface ProbeProgress {
  pass: ProbePass;
  /** Sizes finished, over all cameras. */
  done: number;
  total: number;
  /** The camera and size being tried; `fraction` is how far the deep pass is through its frame window. */
  current?: { camera: ProbedCamera; size: Resolution; fraction: number };
  /** Set when this update announces a finished size. */
  result?: ResolutionResult;
}

/** The clock and timers the probe waits with; injected in tests so back-off takes no real time. */
export interface ProbeClock {
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when it is aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface MeasureContext {
  /** `clock.now()` when getUserMedia was called, so the first frame can be timed from the request. */
  requestedAt: number;
  signal?: AbortSignal;
  /** Tell the probe how far through its window the measurement is, 0–1. */
  onProgress?: (fraction: number) => void;
}

/** The deep pass's measurement of one live track; `measureVideoFrames` is the browser's. */
export type MeasureFrames = (track: MediaStreamTrack, context: MeasureContext) => Promise<FrameMeasurement>;

export interface ProbeOptions {
  /** `navigator.mediaDevices` when omitted. */
  mediaDevices?: MediaDevicesLike;
  /** Device ids to probe; every camera when omitted. */
  cameras?: readonly string[];
  /** STANDARD_RESOLUTIONS when omitted. */
  sizes?: readonly Resolution[];
  /** Given: the deep pass, measuring each mode's frames while it is open. */
  measure?: MeasureFrames;
  signal?: AbortSignal;
  onProgress?: (progress: ProbeProgress) => void;
  clock?: ProbeClock;
  /** Waits before each retry of a NotReadableError/AbortError; their count is the number of retries. */
  retryDelaysMs?: readonly number[];
}

/**
 * Back-off for a camera that is still closing (a real camera can take a moment after the previous
 * track stopped) or is briefly held: ~1.85 s in all before a size is declared busy.
 */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [100, 250, 500, 1000];

export const systemClock: ProbeClock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** Constraints with `resizeMode`, which TypeScript's DOM types do not list yet. */
export type ProbeConstraints = MediaTrackConstraints & { resizeMode?: ConstrainDOMString };

/**
 * What the probe asks for one size: exactly this camera and exactly this size. `resizeMode: 'none'`
 * is only preferred (ideal), so the browser picks the camera's own mode when it has one and scales
 * otherwise; `getSettings().resizeMode` then says which it did.
 */
export function exactConstraints(deviceId: string, size: Resolution): ProbeConstraints {
  return { deviceId: { exact: deviceId }, width: { exact: size.width }, height: { exact: size.height }, resizeMode: 'none' };
}

function range(value: unknown): { min: number; max: number } | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const { min, max } = value as { min?: unknown; max?: unknown };
  return typeof min === 'number' && typeof max === 'number' ? { min, max } : undefined;
}

/** The parts of a `getCapabilities()` answer the probe uses; undefined when it says nothing about size. */
export function readCapabilities(raw: unknown): CameraCapabilities | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const source = raw as Record<string, unknown>;
  const capabilities: CameraCapabilities = {};
  const width = range(source['width']);
  const height = range(source['height']);
  const frameRate = range(source['frameRate']);
  if (width) capabilities.width = width;
  if (height) capabilities.height = height;
  if (frameRate) capabilities.frameRate = frameRate;
  const modes = source['resizeMode'];
  if (Array.isArray(modes)) capabilities.resizeModes = modes.filter((mode): mode is string => typeof mode === 'string');
  return width || height ? capabilities : undefined;
}

/** Why `size` cannot be delivered by a camera with these capabilities, or undefined if it might be. */
export function outOfRangeReason(size: Resolution, capabilities: CameraCapabilities | undefined): string | undefined {
  for (const dimension of ['width', 'height'] as const) {
    const limits = capabilities?.[dimension];
    const value = size[dimension];
    if (limits && (value < limits.min || value > limits.max)) {
      // Pixel counts stay ungrouped ("1–3840", as in 3840×2160): they are sizes, not quantities.
      const range = `${limits.min}–${limits.max}`;
      const where = { range, size: formatResolution(size) };
      return dimension === 'width' ? m.camera_reason_out_of_range_width(where) : m.camera_reason_out_of_range_height(where);
    }
  }
  return undefined;
}
