/**
 * `probeResolutions`: asks each camera for each size with exact constraints, retries a busy
 * device, tells native from scaled, and with a frame measurer runs the deep pass.
 */
import { ErrorCode, explainMediaError, WorkbenchError } from '../../errors.js';
import { getMedia, listDevices, type MediaDeps, stopStream } from '../../media/media.js';
import { formatFixed, formatMs } from '@workbench/i18n/format';
import { m } from '@workbench/i18n/messages';
import { formatResolution, type Resolution, STANDARD_RESOLUTIONS } from './resolutions.js';
import { DEFAULT_RETRY_DELAYS_MS, exactConstraints, type FrameMeasurement, outOfRangeReason, type ProbeClock, ProbeCode, type ProbeConstraints, type ProbedCamera, type ProbeOptions, type ProbePass, type ProbeProgress, type ProbeReport, readCapabilities, type ResolutionResult, systemClock } from './results.js';

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

/** What the probe asks for: explanations name the camera alone, not "camera or microphone". */
const VIDEO_ONLY: MediaStreamConstraints = { video: true };

function asWorkbenchError(error: unknown): WorkbenchError {
  if (error instanceof WorkbenchError) return error;
  const explanation = explainMediaError(error, VIDEO_ONLY);
  return new WorkbenchError(explanation.code, `${explanation.detail} ${explanation.fix}`, { cause: error, explanation });
}

function noCameraError(message: string): WorkbenchError {
  const explanation = explainMediaError({ name: 'NotFoundError', message }, VIDEO_ONLY);
  return new WorkbenchError(explanation.code, `${message} ${explanation.fix}`, { explanation });
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
    const camera: ProbedCamera = { deviceId: device.deviceId, label: device.label || m.camera_unnamed(), capabilitiesFrom: 'none' };
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
        camera.error = explainMediaError({ name: 'NotFoundError', message: result.reason }, VIDEO_ONLY);
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
      reason: error ? m.camera_reason_camera_failed({ title: error.title.toLowerCase(), fix: error.fix }) : m.camera_reason_camera_not_opened(),
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
        return { code: ProbeCode.CameraGone, reason: m.camera_reason_camera_gone() };
      }
      return {
        code: ProbeCode.Refused,
        reason: constraint
          ? m.camera_reason_refused_on({ constraint, size: formatResolution(size) })
          : m.camera_reason_refused({ size: formatResolution(size) }),
      };
    }
    if (error.code === ErrorCode.DeviceBusy || error.code === ErrorCode.MediaAborted) {
      const name = error.explanation.code === ErrorCode.MediaAborted ? 'AbortError' : 'NotReadableError';
      return {
        code: ProbeCode.Busy,
        reason:
          opened.attempts > 1
            ? m.camera_reason_busy_retried({ error: name, attempts: opened.attempts, ms: formatMs(opened.waitedMs) })
            : m.camera_reason_busy({ error: name }),
      };
    }
    return { code: error.code, reason: m.camera_reason_error({ title: error.explanation.title, detail: error.explanation.detail, fix: error.explanation.fix }) };
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
        reason: m.camera_reason_size_mismatch({ requested: formatResolution(requested), actual: formatResolution(actual) }),
      };
    }
    if (settings.resizeMode === 'none') {
      return {
        ...base,
        ...opened,
        status: 'pass',
        code: ProbeCode.Native,
        mode: 'native',
        reason: m.camera_reason_native({ size: formatResolution(requested) }),
      };
    }
    if (settings.resizeMode === 'crop-and-scale') {
      return {
        ...base,
        ...opened,
        status: 'pass',
        code: ProbeCode.Scaled,
        mode: 'scaled',
        reason: m.camera_reason_scaled({ size: formatResolution(requested) }),
      };
    }
    return {
      ...base,
      ...opened,
      status: 'pass',
      code: ProbeCode.ModeUnknown,
      mode: 'unknown',
      reason: m.camera_reason_mode_unknown({ size: formatResolution(requested) }),
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
      result.reason = m.camera_reason_held_elsewhere({ where });
    }
    for (const result of mine) {
      if (result.code === ProbeCode.Scaled) {
        result.reason = m.camera_reason_scaled_while_held({ reason: result.reason, where });
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
      reason: m.camera_reason_no_frames({ size: formatResolution(result.requested) }),
    };
  }
  const notes = [m.camera_deep_fps({ fps: formatFixed(frames.fps, 1), window: formatMs(frames.windowMs) })];
  if (frames.frameWidth !== result.requested.width || frames.frameHeight !== result.requested.height) {
    notes.push(m.camera_deep_frame_size({ frames: formatResolution({ width: frames.frameWidth, height: frames.frameHeight }), size: formatResolution(result.requested) }));
  }
  if (frames.blackFrames > 0) notes.push(m.camera_deep_black({ count: frames.blackFrames, sampled: frames.sampledFrames }));
  if (frames.frozenFrames > 0) notes.push(m.camera_deep_frozen({ count: frames.frozenFrames, sampled: frames.sampledFrames }));
  return { ...result, frames, reason: m.camera_reason_with_deep({ reason: result.reason, notes: notes.join(m.camera_notes_separator()) }) };
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
  if (cameras.length === 0) throw noCameraError(m.camera_no_camera_connected());
  if (cameras.some((camera) => camera.deviceId === '' || camera.label === '')) {
    stopStream(await getMedia({ video: true }, deps));
    cameras = await listDevices('videoinput', deps);
  }
  if (!ids || ids.length === 0) return cameras;
  const chosen = ids.map((id) => cameras.find((camera) => camera.deviceId === id));
  const missing = ids.filter((_, index) => !chosen[index]);
  if (missing.length > 0) throw noCameraError(m.camera_chosen_camera_gone({ ids: missing.join(', ') }));
  return chosen.filter((camera): camera is MediaDeviceInfo => camera !== undefined);
}
