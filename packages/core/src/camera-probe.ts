/**
 * Camera probe: the standard resolution list (the one place it is defined), `probeResolutions` (the
 * quick scan, and with a frame measurer the deep pass), `measureVideoFrames` (the deep pass's in-page
 * frame rate, black and frozen frame detection) and the report's CSV/JSON export.
 */
import { ErrorCode, WorkbenchError, explainMediaError, type Explanation } from './errors.js';
import { getMedia, listDevices, stopStream, type MediaDeps, type MediaDevicesLike } from './media.js';

// ---- Sizes ---------------------------------------------------------------------------------

export interface Resolution {
  readonly width: number;
  readonly height: number;
}

export interface NamedResolution extends Resolution {
  /** What people call it ("VGA", "720p"). */
  readonly name: string;
}

/** The sizes every probe starts from, smallest first: the common webcam, video-call and TV sizes. */
export const STANDARD_RESOLUTIONS: readonly NamedResolution[] = [
  { width: 160, height: 120, name: 'QQVGA' },
  { width: 176, height: 144, name: 'QCIF' },
  { width: 320, height: 240, name: 'QVGA' },
  { width: 640, height: 360, name: '360p' },
  { width: 640, height: 480, name: 'VGA' },
  { width: 800, height: 600, name: 'SVGA' },
  { width: 1024, height: 768, name: 'XGA' },
  { width: 1280, height: 720, name: '720p HD' },
  { width: 1280, height: 960, name: '960p (4:3)' },
  { width: 1280, height: 1024, name: 'SXGA' },
  { width: 1920, height: 1080, name: '1080p Full HD' },
  { width: 2560, height: 1440, name: '1440p QHD' },
  { width: 3840, height: 2160, name: '4K UHD' },
  { width: 4096, height: 2160, name: 'DCI 4K' },
];

/** Larger than any camera sensor mode browsers expose; a typo such as 19200x1080 is caught here. */
export const MAX_DIMENSION = 16_384;

/** `1280x720`: the key of a size in maps, CSV and element attributes. */
export function resolutionKey(size: Resolution): string {
  return `${size.width}x${size.height}`;
}

/** `1280×720`: a size as a person reads it. */
export function formatResolution(size: Resolution): string {
  return `${size.width}×${size.height}`;
}

export interface ParsedResolutions {
  sizes: Resolution[];
  /** The pieces of the text that are not a size, each with why, for the page to show. */
  invalid: string[];
}

/**
 * Custom sizes typed by a person: `1000x700, 2000x1000` (also `×`, `X` or `*`, and spaces, commas,
 * semicolons or new lines between sizes). Duplicates are dropped; the order is kept.
 */
export function parseResolutions(text: string): ParsedResolutions {
  const sizes: Resolution[] = [];
  const invalid: string[] = [];
  const seen = new Set<string>();
  const tokens = text
    .replace(/\s*[x×X*]\s*/g, 'x')
    .split(/[\s,;]+/)
    .filter((token) => token !== '');
  for (const token of tokens) {
    const match = /^(\d+)x(\d+)$/.exec(token);
    if (!match) {
      invalid.push(`"${token}" is not WIDTHxHEIGHT (for example 1000x700)`);
      continue;
    }
    const width = Number(match[1]);
    const height = Number(match[2]);
    if (width < 1 || height < 1 || width > MAX_DIMENSION || height > MAX_DIMENSION) {
      invalid.push(`"${token}": width and height must be between 1 and ${MAX_DIMENSION}`);
      continue;
    }
    const size = { width, height };
    if (seen.has(resolutionKey(size))) continue;
    seen.add(resolutionKey(size));
    sizes.push(size);
  }
  return { sizes, invalid };
}

// ---- Results -------------------------------------------------------------------------------

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
      return (
        `Not requested: getCapabilities() says this camera's ${dimension} is ${limits.min}–${limits.max}, ` +
        `so ${formatResolution(size)} is impossible.`
      );
    }
  }
  return undefined;
}

// ---- The probe -----------------------------------------------------------------------------

const RETRIED_CODES: ReadonlySet<ErrorCode> = new Set([ErrorCode.DeviceBusy, ErrorCode.MediaAborted]);
/** These fail every size alike: the whole probe stops and the page explains the error. */
const FATAL_CODES: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.PermissionDenied,
  ErrorCode.InsecureOrigin,
  ErrorCode.MediaSecurity,
  ErrorCode.InvalidConstraints,
]);

type SettingsWithResize = MediaTrackSettings & { resizeMode?: string };
type DeviceWithCapabilities = MediaDeviceInfo & { getCapabilities?: () => unknown };

function constraintOf(error: WorkbenchError): string | undefined {
  const cause = error.cause as { constraint?: unknown } | undefined;
  return typeof cause?.constraint === 'string' ? cause.constraint : undefined;
}

function asWorkbenchError(error: unknown): WorkbenchError {
  if (error instanceof WorkbenchError) return error;
  const explanation = explainMediaError(error);
  return new WorkbenchError(explanation.code, `${explanation.detail} ${explanation.fix}`, { cause: error, explanation });
}

function noCameraError(message: string): WorkbenchError {
  const explanation = explainMediaError({ name: 'NotFoundError', message });
  return new WorkbenchError(explanation.code, `${message} ${explanation.fix}`, { explanation });
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** One probe run: the state shared by its cameras and sizes. */
class ProbeRun {
  readonly results: ResolutionResult[] = [];
  readonly cameras: ProbedCamera[] = [];
  readonly #deps: MediaDeps | undefined;
  readonly #clock: ProbeClock;
  readonly #retryDelays: readonly number[];
  readonly #pass: ProbePass;
  readonly #total: number;

  constructor(
    readonly options: ProbeOptions,
    total: number,
  ) {
    this.#deps = options.mediaDevices ? { mediaDevices: options.mediaDevices } : undefined;
    this.#clock = options.clock ?? systemClock;
    this.#retryDelays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.#pass = options.measure ? 'deep' : 'quick';
    this.#total = total;
  }

  get pass(): ProbePass {
    return this.#pass;
  }

  progress(current?: ProbeProgress['current'], result?: ResolutionResult): void {
    this.options.onProgress?.({
      pass: this.#pass,
      done: this.results.length,
      total: this.#total,
      ...(current ? { current } : {}),
      ...(result ? { result } : {}),
    });
  }

  /** getUserMedia, retried with back-off while the camera reports busy. Failures come back as errors, not throws. */
  async open(
    constraints: MediaTrackConstraints,
    retry: boolean,
  ): Promise<{ stream: MediaStream; requestedAt: number; openMs: number; attempts: number } | { error: WorkbenchError; attempts: number; waitedMs: number }> {
    const { signal } = this.options;
    let attempts = 0;
    let waitedMs = 0;
    for (;;) {
      signal?.throwIfAborted();
      attempts += 1;
      const requestedAt = this.#clock.now();
      try {
        const stream = await getMedia({ video: constraints }, this.#deps);
        if (signal?.aborted) {
          stopStream(stream);
          signal.throwIfAborted();
        }
        return { stream, requestedAt, openMs: this.#clock.now() - requestedAt, attempts };
      } catch (failure) {
        if (signal?.aborted) throw signal.reason;
        const error = asWorkbenchError(failure);
        if (FATAL_CODES.has(error.code)) throw error;
        const delay = this.#retryDelays[attempts - 1];
        if (!retry || !RETRIED_CODES.has(error.code) || delay === undefined) return { error, attempts, waitedMs };
        await this.#clock.sleep(delay, signal);
        waitedMs += delay;
      }
    }
  }

  async probeCamera(device: DeviceWithCapabilities, sizes: readonly Resolution[]): Promise<void> {
    const camera: ProbedCamera = { deviceId: device.deviceId, label: device.label || 'Unnamed camera', capabilitiesFrom: 'none' };
    this.cameras.push(camera);
    const fromDevice = readCapabilities(device.getCapabilities?.());
    if (fromDevice) {
      camera.capabilities = fromDevice;
      camera.capabilitiesFrom = 'device';
    } else {
      await this.#capabilitiesFromTrack(camera);
    }

    let retry = true;
    for (const size of sizes) {
      this.options.signal?.throwIfAborted();
      const current = { camera, size, fraction: 0 };
      this.progress(current);
      const result = camera.error ? this.#cameraFailed(camera, size) : await this.#probeSize(camera, size, retry, current);
      // A camera that stayed busy through a whole back-off is not retried for every size again
      // (14 sizes × 2 s); one attempt each still notices when it frees up.
      if (result.code === ProbeCode.Busy) retry = false;
      else if (result.attempts > 0) retry = true;
      if (result.code === ProbeCode.CameraGone && !camera.error) {
        camera.error = explainMediaError({ name: 'NotFoundError', message: result.reason });
      }
      this.results.push(result);
      this.progress(undefined, result);
    }
    await this.#checkHeldElsewhere(camera);
  }

  /** Browsers without InputDeviceInfo.getCapabilities (Firefox): open the camera once to ask its track. */
  async #capabilitiesFromTrack(camera: ProbedCamera): Promise<void> {
    const opened = await this.open({ deviceId: { exact: camera.deviceId } }, true);
    if ('error' in opened) {
      camera.error = opened.error.explanation;
      return;
    }
    const track = opened.stream.getVideoTracks()[0];
    const capabilities = readCapabilities(track?.getCapabilities?.());
    stopStream(opened.stream);
    if (capabilities) {
      camera.capabilities = capabilities;
      camera.capabilitiesFrom = 'track';
    }
  }

  #base(camera: ProbedCamera, size: Resolution): Pick<ResolutionResult, 'pass' | 'deviceId' | 'camera' | 'requested'> {
    return { pass: this.#pass, deviceId: camera.deviceId, camera: camera.label, requested: { width: size.width, height: size.height } };
  }

  #cameraFailed(camera: ProbedCamera, size: Resolution): ResolutionResult {
    const error = camera.error;
    return {
      ...this.#base(camera, size),
      status: 'fail',
      code: error?.code ?? ErrorCode.MediaUnknown,
      reason: `Not requested: ${error ? `${error.title.toLowerCase()}. ${error.fix}` : 'the camera could not be opened.'}`,
      attempts: 0,
    };
  }

  async #probeSize(camera: ProbedCamera, size: Resolution, retry: boolean, current: ProbeProgress['current']): Promise<ResolutionResult> {
    const base = this.#base(camera, size);
    const impossible = outOfRangeReason(size, camera.capabilities);
    if (impossible) return { ...base, status: 'fail', code: ProbeCode.OutOfRange, reason: impossible, attempts: 0 };

    const opened = await this.open(exactConstraints(camera.deviceId, size), retry);
    if ('error' in opened) return { ...base, status: 'fail', ...this.#openFailure(opened.error, size, opened), attempts: opened.attempts };

    // Release every track before the next request, whatever happens: a camera held at this size
    // would refuse (or only scale down to) the next one.
    try {
      const track = opened.stream.getVideoTracks()[0];
      const settings = (track?.getSettings() ?? {}) as SettingsWithResize;
      const result = this.#judge(base, settings, opened.openMs, opened.attempts);
      if (track && this.options.measure && result.status === 'pass') {
        const measurement = await this.options.measure(track, {
          requestedAt: opened.requestedAt,
          ...(this.options.signal ? { signal: this.options.signal } : {}),
          onProgress: (fraction) => {
            if (current) this.progress({ ...current, fraction: Math.min(1, Math.max(0, fraction)) });
          },
        });
        return withFrames(result, measurement);
      }
      return result;
    } finally {
      stopStream(opened.stream);
    }
  }

  #openFailure(error: WorkbenchError, size: Resolution, opened: { attempts: number; waitedMs: number }): Pick<ResolutionResult, 'code' | 'reason'> {
    if (error.code === ErrorCode.Overconstrained) {
      const constraint = constraintOf(error);
      if (constraint === 'deviceId') {
        return { code: ProbeCode.CameraGone, reason: 'The camera is gone (unplugged?): the browser no longer knows its device id. Reconnect it and probe again.' };
      }
      return {
        code: ProbeCode.Refused,
        reason: `Refused (OverconstrainedError${constraint ? ` on "${constraint}"` : ''}): no camera mode, native or scaled, gives exactly ${formatResolution(size)}.`,
      };
    }
    if (error.code === ErrorCode.DeviceBusy || error.code === ErrorCode.MediaAborted) {
      const tries = opened.attempts > 1 ? ` on ${plural(opened.attempts, 'attempt')} over ${Math.round(opened.waitedMs)} ms` : '';
      return {
        code: ProbeCode.Busy,
        reason: `Camera busy (${error.explanation.code === ErrorCode.MediaAborted ? 'AbortError' : 'NotReadableError'})${tries}: another app or tab is probably using it. Close it and probe again.`,
      };
    }
    return { code: error.code, reason: `${error.explanation.title}: ${error.explanation.detail} ${error.explanation.fix}` };
  }

  #judge(
    base: Pick<ResolutionResult, 'pass' | 'deviceId' | 'camera' | 'requested'>,
    settings: SettingsWithResize,
    openMs: number,
    attempts: number,
  ): ResolutionResult {
    const { requested } = base;
    const width = settings.width ?? 0;
    const height = settings.height ?? 0;
    const actual = { width, height, ...(typeof settings.frameRate === 'number' ? { frameRate: settings.frameRate } : {}) };
    const opened = { actual, openMs, attempts, ...(settings.resizeMode ? { resizeMode: settings.resizeMode } : {}) };
    if (width !== requested.width || height !== requested.height) {
      return {
        ...base,
        ...opened,
        status: 'fail',
        code: ProbeCode.SizeMismatch,
        reason: `Asked for exactly ${formatResolution(requested)} but the track reports ${formatResolution(actual)}: this browser did not honour the exact constraint.`,
      };
    }
    if (settings.resizeMode === 'none') {
      return {
        ...base,
        ...opened,
        status: 'pass',
        code: ProbeCode.Native,
        mode: 'native',
        reason: `The camera delivers ${formatResolution(requested)} itself (resizeMode "none"): no browser scaling.`,
      };
    }
    if (settings.resizeMode === 'crop-and-scale') {
      return {
        ...base,
        ...opened,
        status: 'pass',
        code: ProbeCode.Scaled,
        mode: 'scaled',
        reason: `The browser crops and scales a larger camera mode down to ${formatResolution(requested)} (resizeMode "crop-and-scale"): the camera has no such mode.`,
      };
    }
    return {
      ...base,
      ...opened,
      status: 'pass',
      code: ProbeCode.ModeUnknown,
      mode: 'unknown',
      reason: `Delivered ${formatResolution(requested)}; this browser does not report resizeMode, so native and scaled cannot be told apart.`,
    };
  }

  /**
   * Sizes within the camera's range that were refused usually mean the camera is running for
   * someone else (another tab, app, or a track this page did not open): browsers can then only
   * crop and scale down from that mode. Asking for the largest native mode tells which one it is.
   */
  async #checkHeldElsewhere(camera: ProbedCamera): Promise<void> {
    const mine = this.results.filter((result) => result.deviceId === camera.deviceId && result.pass === this.#pass);
    const refused = mine.filter((result) => result.code === ProbeCode.Refused);
    const width = camera.capabilities?.width;
    const height = camera.capabilities?.height;
    if (refused.length === 0 || !width || !height || camera.error) return;
    const opened = await this.open({ deviceId: { exact: camera.deviceId }, width: { ideal: width.max }, height: { ideal: height.max }, resizeMode: 'none' } as ProbeConstraints, false);
    if ('error' in opened) return;
    const settings = (opened.stream.getVideoTracks()[0]?.getSettings() ?? {}) as SettingsWithResize;
    stopStream(opened.stream);
    const running = { width: settings.width ?? 0, height: settings.height ?? 0 };
    const belowMax = running.width < width.max || running.height < height.max;
    const fits = (size: Resolution) => size.width <= running.width && size.height <= running.height;
    // Held: the camera cannot reach its own maximum now, and every refusal is a size it cannot scale down to.
    if (!belowMax || running.width === 0 || refused.some((result) => fits(result.requested))) return;
    camera.heldAt = running;
    const where = formatResolution(running);
    for (const result of refused) {
      result.code = ProbeCode.HeldElsewhere;
      result.reason =
        `Refused because the camera is already running at ${where} for another track (another tab or app, or a stream ` +
        `this page did not open), and a running camera can only be cropped and scaled down. Stop the other user and probe again.`;
    }
    for (const result of mine) {
      if (result.code === ProbeCode.Scaled) {
        result.reason += ` Scaled from the ${where} the camera is running at for another track: it may be native once the camera is free.`;
      }
    }
  }
}

function withFrames(result: ResolutionResult, frames: FrameMeasurement): ResolutionResult {
  if (frames.frames === 0) {
    return {
      ...result,
      frames,
      status: 'fail',
      code: ProbeCode.NoFrames,
      reason: `The camera opened at ${formatResolution(result.requested)} but no frame arrived: is it covered, or stalled? Unplug and reconnect it, then probe again.`,
    };
  }
  const notes = [`${frames.fps.toFixed(1)} fps over ${Math.round(frames.windowMs)} ms`];
  if (frames.frameWidth !== result.requested.width || frames.frameHeight !== result.requested.height) {
    notes.push(`frames are ${frames.frameWidth}×${frames.frameHeight}, not the ${formatResolution(result.requested)} getSettings() reports`);
  }
  if (frames.blackFrames > 0) notes.push(`${frames.blackFrames} of ${frames.sampledFrames} sampled frames black`);
  if (frames.frozenFrames > 0) notes.push(`${frames.frozenFrames} of ${frames.sampledFrames} sampled frames frozen (same as the one before)`);
  return { ...result, frames, reason: `${result.reason} Deep test: ${notes.join('; ')}.` };
}

/**
 * Probes each camera at each size: release every track, ask for exactly that camera and size
 * (preferring the camera's own mode), read what the track reports, and release it again. Sizes
 * outside `getCapabilities()` are failed at once without a request; NotReadableError is retried
 * with back-off. With `measure`, each mode that opens is also measured while open (the deep pass).
 *
 * Progress goes to `onProgress` after each size, so a cancelled probe (via `signal`, which rejects
 * with the signal's reason) has already reported everything it finished. Failures that make every
 * size fail (permission denied, no camera, insecure page) reject with a WorkbenchError whose
 * `explanation` says what to do; a camera-level failure (busy, gone) fails that camera's sizes.
 */
export async function probeResolutions(options: ProbeOptions = {}): Promise<ProbeReport> {
  const { signal } = options;
  const clock = options.clock ?? systemClock;
  const sizes = options.sizes ?? STANDARD_RESOLUTIONS;
  const deps: MediaDeps | undefined = options.mediaDevices ? { mediaDevices: options.mediaDevices } : undefined;
  const startedAt = new Date().toISOString();
  const started = clock.now();
  signal?.throwIfAborted();

  const devices = await chooseCameras(options.cameras, deps);
  const run = new ProbeRun(options, devices.length * sizes.length);
  run.progress();
  for (const device of devices) await run.probeCamera(device, sizes);
  return { pass: run.pass, startedAt, durationMs: clock.now() - started, cameras: run.cameras, results: run.results };
}

/** The cameras to probe; asks for permission once if the browser still hides their ids and labels. */
async function chooseCameras(ids: readonly string[] | undefined, deps: MediaDeps | undefined): Promise<DeviceWithCapabilities[]> {
  let cameras = await listDevices('videoinput', deps);
  if (cameras.length === 0) throw noCameraError('No camera is connected (enumerateDevices lists no videoinput).');
  if (cameras.some((camera) => camera.deviceId === '' || camera.label === '')) {
    stopStream(await getMedia({ video: true }, deps));
    cameras = await listDevices('videoinput', deps);
  }
  if (!ids || ids.length === 0) return cameras;
  const chosen = ids.map((id) => cameras.find((camera) => camera.deviceId === id));
  const missing = ids.filter((_, index) => !chosen[index]);
  if (missing.length > 0) throw noCameraError(`The chosen camera is no longer connected (id ${missing.join(', ')}).`);
  return chosen.filter((camera): camera is MediaDeviceInfo => camera !== undefined);
}

// ---- Deep pass: frames -----------------------------------------------------------------------

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

// ---- Export --------------------------------------------------------------------------------

/** The CSV columns, in order; one row per camera and size. */
export const CSV_COLUMNS = [
  'pass',
  'camera',
  'deviceId',
  'width',
  'height',
  'status',
  'code',
  'reason',
  'actualWidth',
  'actualHeight',
  'frameRate',
  'mode',
  'resizeMode',
  'openMs',
  'attempts',
  'firstFrameMs',
  'fps',
  'frameWidth',
  'frameHeight',
  'blackFrames',
  'frozenFrames',
  'sampledFrames',
] as const;

function csvCell(value: string | number | undefined | null): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'number' ? String(Math.round(value * 10) / 10) : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The results as CSV (RFC 4180: commas, quotes doubled, CRLF), for spreadsheets. */
export function probeResultsToCsv(results: readonly ResolutionResult[]): string {
  const rows = results.map((result) => {
    const frames = result.frames;
    const cells: Record<(typeof CSV_COLUMNS)[number], string | number | undefined | null> = {
      pass: result.pass,
      camera: result.camera,
      deviceId: result.deviceId,
      width: result.requested.width,
      height: result.requested.height,
      status: result.status,
      code: result.code,
      reason: result.reason,
      actualWidth: result.actual?.width,
      actualHeight: result.actual?.height,
      frameRate: result.actual?.frameRate,
      mode: result.mode,
      resizeMode: result.resizeMode,
      openMs: result.openMs,
      attempts: result.attempts,
      firstFrameMs: frames?.firstFrameMs,
      fps: frames?.fps,
      frameWidth: frames?.frameWidth,
      frameHeight: frames?.frameHeight,
      blackFrames: frames?.blackFrames,
      frozenFrames: frames?.frozenFrames,
      sampledFrames: frames?.sampledFrames,
    };
    return CSV_COLUMNS.map((column) => csvCell(cells[column])).join(',');
  });
  return `${[CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}
