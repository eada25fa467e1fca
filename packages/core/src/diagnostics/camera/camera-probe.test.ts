// Unit tests for camera-probe: the probe's logic against an in-memory camera that behaves as Chromium's
// does (native modes, crop-and-scale down only, a running camera limited to its running mode), with a
// virtual clock; plus size parsing, frame analysis and CSV export.
import { getLocale, overwriteGetLocale } from '@workbench/i18n/runtime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ProbeCode,
  STANDARD_RESOLUTIONS,
  analyseFrame,
  exactConstraints,
  lumaOf,
  outOfRangeReason,
  parseResolutions,
  probeResolutions,
  probeResultsToCsv,
  readCapabilities,
  summariseFrames,
  type FrameMeasurement,
  type MeasureFrames,
  type ProbeClock,
  type ProbeProgress,
  type Resolution,
} from './index.js';
import { ErrorCode, WorkbenchError } from '../../errors.js';
import type { MediaDevicesLike } from '../../media/media.js';

// ---- An in-memory camera --------------------------------------------------------------------

const CHROMIUM_FAKE_NATIVE: Resolution[] = [
  { width: 320, height: 240 },
  { width: 640, height: 480 },
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
  { width: 3840, height: 2160 },
];

function mediaError(name: string, message: string, constraint?: string): Error {
  return Object.assign(new Error(message), { name }, constraint ? { constraint } : {});
}

interface FakeCameraOptions {
  id?: string;
  label?: string;
  native?: Resolution[];
  /** getUserMedia answers NotReadableError this many times first. */
  busyFor?: number;
  /** Whether InputDeviceInfo.getCapabilities exists (Chromium) or not (Firefox). */
  deviceCapabilities?: boolean;
  /** Whether the track reports resizeMode. */
  reportsResizeMode?: boolean;
  /** The track reports this size whatever was asked (a browser ignoring exact). */
  forceSize?: Resolution;
}

class FakeTrack {
  readyState: MediaStreamTrackState = 'live';
  readonly kind = 'video';
  constructor(
    readonly camera: FakeCamera,
    readonly settings: MediaTrackSettings & { resizeMode?: string },
    readonly running: Resolution,
  ) {}
  getSettings() {
    return { ...this.settings };
  }
  getCapabilities() {
    return this.camera.capabilities();
  }
  stop() {
    this.readyState = 'ended';
  }
}

class FakeCamera {
  readonly id: string;
  readonly label: string;
  readonly native: Resolution[];
  busyFor: number;
  readonly tracks: FakeTrack[] = [];
  constructor(readonly options: FakeCameraOptions = {}) {
    this.id = options.id ?? 'camera-1';
    this.label = options.label ?? 'fake_device_0';
    this.native = options.native ?? CHROMIUM_FAKE_NATIVE;
    this.busyFor = options.busyFor ?? 0;
  }
  capabilities() {
    return {
      deviceId: this.id,
      width: { min: 1, max: Math.max(...this.native.map((mode) => mode.width)) },
      height: { min: 1, max: Math.max(...this.native.map((mode) => mode.height)) },
      frameRate: { min: 1, max: 30 },
      resizeMode: ['none', 'crop-and-scale'],
    };
  }
  live(): FakeTrack[] {
    return this.tracks.filter((track) => track.readyState === 'live');
  }
  /** As Chromium: a camera already running (for anyone) offers only its running mode. */
  open(constraints: MediaTrackConstraints & { resizeMode?: unknown }): FakeTrack {
    if (this.busyFor > 0) {
      this.busyFor -= 1;
      throw mediaError('NotReadableError', 'Could not start video source');
    }
    const running = this.live()[0]?.running;
    const modes = running ? [running] : this.native;
    const exact = (value: unknown) => (value && typeof value === 'object' && 'exact' in value ? Number(value.exact) : undefined);
    const ideal = (value: unknown) => (value && typeof value === 'object' && 'ideal' in value ? Number(value.ideal) : undefined);
    const width = exact(constraints.width);
    const height = exact(constraints.height);
    let chosen: { size: Resolution; mode: Resolution; resizeMode: string } | undefined;
    if (width !== undefined && height !== undefined) {
      const native = modes.find((mode) => mode.width === width && mode.height === height);
      const larger = modes.find((mode) => mode.width >= width && mode.height >= height);
      if (native) chosen = { size: native, mode: native, resizeMode: 'none' };
      else if (larger) chosen = { size: { width, height }, mode: larger, resizeMode: 'crop-and-scale' };
      else throw mediaError('OverconstrainedError', '', 'width');
    } else {
      const wantWidth = ideal(constraints.width) ?? 640;
      const best = [...modes].sort((a, b) => Math.abs(a.width - wantWidth) - Math.abs(b.width - wantWidth))[0] ?? { width: 640, height: 480 };
      chosen = { size: best, mode: best, resizeMode: 'none' };
    }
    const size = this.options.forceSize ?? chosen.size;
    const settings = {
      deviceId: this.id,
      width: size.width,
      height: size.height,
      frameRate: 30,
      ...(this.options.reportsResizeMode === false ? {} : { resizeMode: chosen.resizeMode }),
    };
    const track = new FakeTrack(this, settings, chosen.mode);
    this.tracks.push(track);
    return track;
  }
}

interface Recorded {
  constraints: MediaStreamConstraints;
  /** Live tracks the probe itself still held when it made this request. */
  liveProbeTracks: number;
}

class FakeMediaDevices {
  readonly requests: Recorded[] = [];
  readonly probeTracks: FakeTrack[] = [];
  denied = false;
  hideLabels = false;
  gone = new Set<string>();
  constructor(readonly cameras: FakeCamera[]) {}

  asMediaDevices(): MediaDevicesLike {
    return this as unknown as MediaDevicesLike;
  }

  async enumerateDevices() {
    return this.cameras
      .filter((camera) => !this.gone.has(camera.id))
      .map((camera) => ({
        kind: 'videoinput',
        deviceId: this.hideLabels ? '' : camera.id,
        label: this.hideLabels ? '' : camera.label,
        groupId: '',
        ...(camera.options.deviceCapabilities === false ? {} : { getCapabilities: () => camera.capabilities() }),
      }));
  }

  async getUserMedia(constraints: MediaStreamConstraints) {
    this.requests.push({ constraints, liveProbeTracks: this.probeTracks.filter((track) => track.readyState === 'live').length });
    if (this.denied) throw mediaError('NotAllowedError', 'Permission denied');
    const video = (typeof constraints.video === 'object' ? constraints.video : {}) as MediaTrackConstraints;
    const wanted = video.deviceId && typeof video.deviceId === 'object' && 'exact' in video.deviceId ? video.deviceId.exact : undefined;
    const camera = wanted === undefined ? this.cameras[0] : this.cameras.find((candidate) => candidate.id === wanted && !this.gone.has(candidate.id));
    if (!camera) throw mediaError(wanted === undefined ? 'NotFoundError' : 'OverconstrainedError', 'no such device', 'deviceId');
    this.hideLabels = false;
    const track = camera.open(video);
    this.probeTracks.push(track);
    return { getTracks: () => [track], getVideoTracks: () => [track] } as unknown as MediaStream;
  }

  /** A stream someone else opened (another tab, app, or a track the page did not open). */
  holdElsewhere(camera: FakeCamera, size: Resolution): FakeTrack {
    return camera.open({ width: { exact: size.width }, height: { exact: size.height } });
  }

  sizeRequests(): Recorded[] {
    return this.requests.filter((request) => typeof request.constraints.video === 'object' && 'width' in request.constraints.video && typeof request.constraints.video.width === 'object' && 'exact' in request.constraints.video.width);
  }
}

/** Virtual time: sleeping advances it instantly; every sleep is recorded. */
function virtualClock(): ProbeClock & { sleeps: number[]; time: number } {
  const clock = {
    time: 0,
    sleeps: [] as number[],
    now: () => clock.time,
    sleep: async (ms: number, signal?: AbortSignal) => {
      signal?.throwIfAborted();
      clock.sleeps.push(ms);
      clock.time += ms;
      await Promise.resolve();
      signal?.throwIfAborted();
    },
  };
  return clock;
}

const key = (size: Resolution) => `${size.width}x${size.height}`;

// ---- The list -------------------------------------------------------------------------------

describe('STANDARD_RESOLUTIONS', () => {
  it('is the issue list, smallest first, with names', () => {
    expect(STANDARD_RESOLUTIONS.map(key)).toEqual([
      '160x120', '176x144', '320x240', '640x360', '640x480', '800x600', '1024x768',
      '1280x720', '1280x960', '1280x1024', '1920x1080', '2560x1440', '3840x2160', '4096x2160',
    ]);
    for (const size of STANDARD_RESOLUTIONS) expect(size.name).not.toBe('');
  });
});

describe('parseResolutions', () => {
  it('reads the sizes a person types, in order, without duplicates', () => {
    expect(parseResolutions('1000x700, 2000x1000')).toEqual({ sizes: [{ width: 1000, height: 700 }, { width: 2000, height: 1000 }], invalid: [] });
    expect(parseResolutions(' 1280 × 720;800X600\n1280*720  320 x 240 ').sizes.map(key)).toEqual(['1280x720', '800x600', '320x240']);
    expect(parseResolutions('')).toEqual({ sizes: [], invalid: [] });
  });

  it('names what it cannot read and why', () => {
    const parsed = parseResolutions('1000x700, big, 0x10, 20000x100, 12x');
    expect(parsed.sizes.map(key)).toEqual(['1000x700']);
    expect(parsed.invalid).toHaveLength(4);
    expect(parsed.invalid[0]).toContain('"big" is not WIDTHxHEIGHT');
    expect(parsed.invalid[1]).toContain('between 1 and 16384');
    expect(parsed.invalid[2]).toContain('"20000x100"');
    expect(parsed.invalid[3]).toContain('"12x"');
  });
});

describe('capabilities', () => {
  it('reads ranges and resize modes from getCapabilities(), ignoring what is not a range', () => {
    expect(readCapabilities({ width: { min: 1, max: 3840 }, height: { min: 1, max: 2160 }, resizeMode: ['none', 'crop-and-scale'], frameRate: { max: 30 } })).toEqual({
      width: { min: 1, max: 3840 },
      height: { min: 1, max: 2160 },
      resizeModes: ['none', 'crop-and-scale'],
    });
    expect(readCapabilities({ deviceId: 'x' })).toBeUndefined();
    expect(readCapabilities(undefined)).toBeUndefined();
  });

  it('rules out a size outside a range, saying which and why', () => {
    const capabilities = { width: { min: 1, max: 3840 }, height: { min: 1, max: 2160 } };
    expect(outOfRangeReason({ width: 4096, height: 2160 }, capabilities)).toBe(
      "Not requested: getCapabilities() says this camera's width is 1–3840, so 4096×2160 is impossible.",
    );
    expect(outOfRangeReason({ width: 3840, height: 2160 }, capabilities)).toBeUndefined();
    expect(outOfRangeReason({ width: 4096, height: 2160 }, undefined)).toBeUndefined();
  });

  it('asks for exactly the camera and the size, preferring the native mode', () => {
    expect(exactConstraints('abc', { width: 640, height: 360 })).toEqual({
      deviceId: { exact: 'abc' },
      width: { exact: 640 },
      height: { exact: 360 },
      resizeMode: 'none',
    });
  });
});

// ---- The quick scan ---------------------------------------------------------------------------

describe('probeResolutions: quick scan', () => {
  it("reports Chromium's fake camera modes as native, the rest as scaled, and rules out 4096×2160 without asking", async () => {
    const devices = new FakeMediaDevices([new FakeCamera()]);
    const report = await probeResolutions({ mediaDevices: devices.asMediaDevices(), clock: virtualClock() });

    expect(report.pass).toBe('quick');
    expect(report.cameras).toEqual([
      expect.objectContaining({ deviceId: 'camera-1', label: 'fake_device_0', capabilitiesFrom: 'device', capabilities: expect.objectContaining({ width: { min: 1, max: 3840 } }) }),
    ]);
    const byKey = Object.fromEntries(report.results.map((result) => [key(result.requested), result]));
    expect(report.results.map((result) => key(result.requested))).toEqual(STANDARD_RESOLUTIONS.map(key));
    for (const size of STANDARD_RESOLUTIONS) {
      const result = byKey[key(size)];
      if (key(size) === '4096x2160') {
        expect(result).toMatchObject({ status: 'fail', code: ProbeCode.OutOfRange, attempts: 0 });
        expect(result?.reason).toContain('width is 1–3840');
        continue;
      }
      const native = CHROMIUM_FAKE_NATIVE.some((mode) => key(mode) === key(size));
      expect(result, key(size)).toMatchObject({
        status: 'pass',
        code: native ? ProbeCode.Native : ProbeCode.Scaled,
        mode: native ? 'native' : 'scaled',
        resizeMode: native ? 'none' : 'crop-and-scale',
        actual: { width: size.width, height: size.height, frameRate: 30 },
        attempts: 1,
      });
    }
    // One request per size in range; 4096×2160 never requested.
    const requestedWidths = devices.sizeRequests().map((request) => (request.constraints.video as { width: { exact: number } }).width.exact);
    expect(requestedWidths).not.toContain(4096);
    expect(devices.sizeRequests()).toHaveLength(13);
  });

  it('releases every track before the next request and asks for exact width, height and deviceId', async () => {
    const devices = new FakeMediaDevices([new FakeCamera({ id: 'cam-A' })]);
    await probeResolutions({ mediaDevices: devices.asMediaDevices(), clock: virtualClock() });
    expect(devices.requests.length).toBeGreaterThan(0);
    for (const request of devices.requests) {
      expect(request.liveProbeTracks).toBe(0);
      expect(request.constraints.audio).toBeUndefined();
      expect(request.constraints.video).toMatchObject({ deviceId: { exact: 'cam-A' }, width: { exact: expect.any(Number) }, height: { exact: expect.any(Number) }, resizeMode: 'none' });
    }
    expect(devices.probeTracks.every((track) => track.readyState === 'ended')).toBe(true);
  });

  it('times each open with the injected clock', async () => {
    const clock = virtualClock();
    const devices = new FakeMediaDevices([new FakeCamera()]);
    const open = devices.getUserMedia.bind(devices);
    devices.getUserMedia = async (constraints) => {
      clock.time += 7;
      return open(constraints);
    };
    const report = await probeResolutions({ mediaDevices: devices.asMediaDevices(), clock, sizes: [{ width: 640, height: 480 }, { width: 800, height: 600 }] });
    expect(report.results.map((result) => result.openMs)).toEqual([7, 7]);
    expect(report.durationMs).toBe(14);
  });

  it('reports progress after every size, with the camera and size being tried', async () => {
    const devices = new FakeMediaDevices([new FakeCamera()]);
    const updates: ProbeProgress[] = [];
    const sizes = STANDARD_RESOLUTIONS.slice(0, 3);
    await probeResolutions({ mediaDevices: devices.asMediaDevices(), clock: virtualClock(), sizes, onProgress: (update) => updates.push(update) });
    expect(updates.map((update) => [update.done, update.total, update.current ? key(update.current.size) : null, update.result ? key(update.result.requested) : null])).toEqual([
      [0, 3, null, null],
      [0, 3, '160x120', null],
      [1, 3, null, '160x120'],
      [1, 3, '176x144', null],
      [2, 3, null, '176x144'],
      [2, 3, '320x240', null],
      [3, 3, null, '320x240'],
    ]);
  });

  it('probes every camera by default, or only the chosen ones', async () => {
    const devices = new FakeMediaDevices([new FakeCamera({ id: 'front', label: 'Front' }), new FakeCamera({ id: 'back', label: 'Back', native: [{ width: 640, height: 360 }] })]);
    const sizes = [{ width: 640, height: 360 }, { width: 1280, height: 720 }];
    const all = await probeResolutions({ mediaDevices: devices.asMediaDevices(), clock: virtualClock(), sizes });
    expect(all.results.map((result) => [result.camera, key(result.requested), result.code])).toEqual([
      ['Front', '640x360', 'SCALED'],
      ['Front', '1280x720', 'NATIVE'],
      ['Back', '640x360', 'NATIVE'],
      ['Back', '1280x720', 'OUT_OF_RANGE'],
    ]);
    const back = await probeResolutions({ mediaDevices: devices.asMediaDevices(), clock: virtualClock(), sizes, cameras: ['back'] });
    expect(back.cameras.map((camera) => camera.deviceId)).toEqual(['back']);
    expect(back.results).toHaveLength(2);
  });

  it('a camera whose only mode is 640×360 (a Y4M file) passes 640×360 native and scales down, fails up', async () => {
    const devices = new FakeMediaDevices([new FakeCamera({ native: [{ width: 640, height: 360 }] })]);
    const report = await probeResolutions({ mediaDevices: devices.asMediaDevices(), clock: virtualClock() });
    const codes = Object.fromEntries(report.results.map((result) => [key(result.requested), result.code]));
    expect(codes['640x360']).toBe(ProbeCode.Native);
    expect(codes['320x240']).toBe(ProbeCode.Scaled);
    expect(codes['640x480']).toBe(ProbeCode.OutOfRange);
    expect(codes['1280x720']).toBe(ProbeCode.OutOfRange);
    expect(report.results.filter((result) => result.code === ProbeCode.Native)).toHaveLength(1);
    expect(report.results.filter((result) => result.status === 'pass').map((result) => key(result.requested))).toEqual(['160x120', '176x144', '320x240', '640x360']);
  });

  it('says "mode unknown" where the browser does not report resizeMode, and fails a size the browser did not honour', async () => {
    const unknown = await probeResolutions({
      mediaDevices: new FakeMediaDevices([new FakeCamera({ reportsResizeMode: false })]).asMediaDevices(),
      clock: virtualClock(),
      sizes: [{ width: 640, height: 480 }],
    });
    expect(unknown.results[0]).toMatchObject({ status: 'pass', code: ProbeCode.ModeUnknown, mode: 'unknown' });

    const ignored = await probeResolutions({
      mediaDevices: new FakeMediaDevices([new FakeCamera({ forceSize: { width: 640, height: 480 } })]).asMediaDevices(),
      clock: virtualClock(),
      sizes: [{ width: 800, height: 600 }],
    });
    expect(ignored.results[0]).toMatchObject({ status: 'fail', code: ProbeCode.SizeMismatch, actual: { width: 640, height: 480 } });
    expect(ignored.results[0]?.reason).toContain('Asked for exactly 800×600 but the track reports 640×480');
  });

  it('without InputDeviceInfo.getCapabilities, opens the camera once to ask the track', async () => {
    const devices = new FakeMediaDevices([new FakeCamera({ deviceCapabilities: false })]);
    const report = await probeResolutions({ mediaDevices: devices.asMediaDevices(), clock: virtualClock(), sizes: [{ width: 4096, height: 2160 }] });
    expect(report.cameras[0]).toMatchObject({ capabilitiesFrom: 'track', capabilities: { width: { min: 1, max: 3840 } } });
    expect(report.results[0]?.code).toBe(ProbeCode.OutOfRange);
    expect(devices.requests).toHaveLength(1);
    expect(devices.probeTracks.every((track) => track.readyState === 'ended')).toBe(true);
  });

  it('asks for permission once when the browser hides camera ids and labels', async () => {
    const devices = new FakeMediaDevices([new FakeCamera()]);
    devices.hideLabels = true;
    const report = await probeResolutions({ mediaDevices: devices.asMediaDevices(), clock: virtualClock(), sizes: [{ width: 640, height: 480 }] });
    expect(devices.requests[0]?.constraints).toEqual({ video: true });
    expect(report.cameras[0]?.label).toBe('fake_device_0');
    expect(report.results[0]?.code).toBe(ProbeCode.Native);
  });
});

// ---- Failures ---------------------------------------------------------------------------------

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('probeResolutions: failures', () => {
  it('retries NotReadableError with back-off, then passes', async () => {
    const clock = virtualClock();
    const devices = new FakeMediaDevices([new FakeCamera({ busyFor: 2 })]);
    const report = await probeResolutions({ mediaDevices: devices.asMediaDevices(), clock, sizes: [{ width: 640, height: 480 }] });
    expect(report.results[0]).toMatchObject({ status: 'pass', code: ProbeCode.Native, attempts: 3 });
    expect(clock.sleeps).toEqual([100, 250]);
  });

  it('fails a size as busy after the whole back-off, then tries the next sizes once each', async () => {
    const clock = virtualClock();
    const devices = new FakeMediaDevices([new FakeCamera({ busyFor: 6 })]);
    const report = await probeResolutions({
      mediaDevices: devices.asMediaDevices(),
      clock,
      sizes: [{ width: 320, height: 240 }, { width: 640, height: 480 }, { width: 1280, height: 720 }],
    });
    expect(report.results.map((result) => [result.code, result.attempts])).toEqual([
      [ProbeCode.Busy, 5],
      [ProbeCode.Busy, 1],
      [ProbeCode.Native, 1],
    ]);
    expect(clock.sleeps).toEqual([100, 250, 500, 1000]);
    expect(report.results[0]?.reason).toBe('Camera busy (NotReadableError) on 5 attempts over 1,850 ms: another app or tab is probably using it. Close it and probe again.');
  });

  it('takes the back-off delays it is given', async () => {
    const clock = virtualClock();
    const devices = new FakeMediaDevices([new FakeCamera({ busyFor: 9 })]);
    const report = await probeResolutions({ mediaDevices: devices.asMediaDevices(), clock, retryDelaysMs: [5, 10], sizes: [{ width: 640, height: 480 }] });
    expect(report.results[0]).toMatchObject({ code: ProbeCode.Busy, attempts: 3 });
    expect(clock.sleeps).toEqual([5, 10]);
  });

  it('stops the whole probe on a denied permission, with the explanation', async () => {
    const devices = new FakeMediaDevices([new FakeCamera()]);
    devices.denied = true;
    const error = await rejection(probeResolutions({ mediaDevices: devices.asMediaDevices(), clock: virtualClock() }));
    expect(error).toBeInstanceOf(WorkbenchError);
    expect((error as WorkbenchError).code).toBe(ErrorCode.PermissionDenied);
    expect((error as WorkbenchError).explanation.fix).toContain('allow the camera');
    expect(devices.requests).toHaveLength(1);
  });

  it('says there is no camera when none is connected', async () => {
    const error = await rejection(probeResolutions({ mediaDevices: new FakeMediaDevices([]).asMediaDevices(), clock: virtualClock() }));
    expect(error).toBeInstanceOf(WorkbenchError);
    expect((error as WorkbenchError).code).toBe(ErrorCode.DeviceNotFound);
    expect((error as WorkbenchError).message).toContain('No camera is connected');
  });

  it('fails the rest of a camera that disappears mid-probe, without asking again', async () => {
    const camera = new FakeCamera();
    const devices = new FakeMediaDevices([camera]);
    const report = await probeResolutions({
      mediaDevices: devices.asMediaDevices(),
      clock: virtualClock(),
      sizes: STANDARD_RESOLUTIONS.slice(0, 4),
      onProgress: (update) => {
        if (update.result && key(update.result.requested) === '176x144') devices.gone.add(camera.id);
      },
    });
    expect(report.results.map((result) => result.code)).toEqual([ProbeCode.Scaled, ProbeCode.Scaled, ProbeCode.CameraGone, ProbeCode.CameraGone]);
    expect(report.results[3]?.attempts).toBe(0);
    expect(report.cameras[0]?.error?.code).toBe(ErrorCode.DeviceNotFound);
  });

  it('explains refusals by a camera held elsewhere at a smaller mode, and finishes the probe', async () => {
    const camera = new FakeCamera();
    const devices = new FakeMediaDevices([camera]);
    const held = devices.holdElsewhere(camera, { width: 640, height: 480 });
    const report = await probeResolutions({ mediaDevices: devices.asMediaDevices(), clock: virtualClock() });
    expect(report.cameras[0]?.heldAt).toEqual({ width: 640, height: 480 });
    const codes = Object.fromEntries(report.results.map((result) => [key(result.requested), result.code]));
    expect(codes).toMatchObject({
      '320x240': ProbeCode.Scaled,
      '640x360': ProbeCode.Scaled,
      '640x480': ProbeCode.Native,
      '800x600': ProbeCode.HeldElsewhere,
      '1280x720': ProbeCode.HeldElsewhere,
      '4096x2160': ProbeCode.OutOfRange,
    });
    expect(report.results.find((result) => key(result.requested) === '1280x720')?.reason).toContain('already running at 640×480 for another track');
    expect(report.results.find((result) => key(result.requested) === '320x240')?.reason).toContain('may be native once the camera is free');
    expect(held.readyState).toBe('live');

    // Once the other user lets go, the same probe gives the camera's real answer.
    held.stop();
    const free = await probeResolutions({ mediaDevices: devices.asMediaDevices(), clock: virtualClock() });
    expect(free.cameras[0]?.heldAt).toBeUndefined();
    expect(free.results.filter((result) => result.code === ProbeCode.Native).map((result) => key(result.requested))).toEqual(CHROMIUM_FAKE_NATIVE.map(key));
  });
});

// ---- Cancel -----------------------------------------------------------------------------------

describe('probeResolutions: cancel', () => {
  it('rejects with the signal reason after the size in progress, releasing its track', async () => {
    const devices = new FakeMediaDevices([new FakeCamera()]);
    const controller = new AbortController();
    const finished: string[] = [];
    const error = await rejection(
      probeResolutions({
        mediaDevices: devices.asMediaDevices(),
        clock: virtualClock(),
        signal: controller.signal,
        onProgress: (update) => {
          if (update.result) finished.push(key(update.result.requested));
          if (update.done === 3) controller.abort();
        },
      }),
    );
    expect((error as DOMException).name).toBe('AbortError');
    expect(finished).toEqual(['160x120', '176x144', '320x240']);
    expect(devices.sizeRequests()).toHaveLength(3);
    expect(devices.probeTracks.every((track) => track.readyState === 'ended')).toBe(true);
  });

  it('stops waiting in a back-off at once', async () => {
    const controller = new AbortController();
    const devices = new FakeMediaDevices([new FakeCamera({ busyFor: 99 })]);
    const clock = virtualClock();
    const sleep = clock.sleep;
    clock.sleep = (ms, signal) => {
      controller.abort(new DOMException('Cancelled by the user', 'AbortError'));
      return sleep(ms, signal);
    };
    const error = await rejection(probeResolutions({ mediaDevices: devices.asMediaDevices(), clock, signal: controller.signal }));
    expect((error as DOMException).message).toBe('Cancelled by the user');
    expect(devices.requests).toHaveLength(1);
  });

  it('releases a track that arrives after the cancel', async () => {
    const controller = new AbortController();
    const devices = new FakeMediaDevices([new FakeCamera()]);
    const open = devices.getUserMedia.bind(devices);
    devices.getUserMedia = async (constraints) => {
      const stream = await open(constraints);
      controller.abort();
      return stream;
    };
    await rejection(probeResolutions({ mediaDevices: devices.asMediaDevices(), clock: virtualClock(), signal: controller.signal }));
    expect(devices.probeTracks).toHaveLength(1);
    expect(devices.probeTracks[0]?.readyState).toBe('ended');
  });

  it('rejects before asking anything when already cancelled', async () => {
    const devices = new FakeMediaDevices([new FakeCamera()]);
    await rejection(probeResolutions({ mediaDevices: devices.asMediaDevices(), signal: AbortSignal.abort() }));
    expect(devices.requests).toHaveLength(0);
  });
});

// ---- Deep pass --------------------------------------------------------------------------------

function measurement(overrides: Partial<FrameMeasurement> = {}): FrameMeasurement {
  return { firstFrameMs: 80, fps: 29.9, frames: 30, windowMs: 1000, frameWidth: 640, frameHeight: 480, blackFrames: 0, frozenFrames: 0, sampledFrames: 30, meanLuma: 100, ...overrides };
}

describe('probeResolutions: deep pass', () => {
  it('measures each mode that opens while its track is live, then releases it', async () => {
    const devices = new FakeMediaDevices([new FakeCamera()]);
    const clock = virtualClock();
    const seen: { live: boolean; width: number | undefined; requestedAt: number }[] = [];
    const measure: MeasureFrames = async (track, context) => {
      seen.push({ live: track.readyState === 'live', width: track.getSettings().width, requestedAt: context.requestedAt });
      context.onProgress?.(0.5);
      return measurement({ frameWidth: track.getSettings().width ?? 0, frameHeight: track.getSettings().height ?? 0 });
    };
    const updates: ProbeProgress[] = [];
    const report = await probeResolutions({
      mediaDevices: devices.asMediaDevices(),
      clock,
      measure,
      sizes: [{ width: 640, height: 480 }, { width: 4096, height: 2160 }],
      onProgress: (update) => updates.push(update),
    });
    expect(report.pass).toBe('deep');
    expect(seen).toEqual([{ live: true, width: 640, requestedAt: 0 }]);
    expect(report.results[0]).toMatchObject({ pass: 'deep', status: 'pass', code: ProbeCode.Native, frames: { fps: 29.9, firstFrameMs: 80 } });
    expect(report.results[0]?.reason).toContain('Deep test: 29.9 fps over 1,000 ms.');
    expect(report.results[1]?.frames).toBeUndefined();
    expect(updates.some((update) => update.current?.fraction === 0.5)).toBe(true);
    expect(devices.probeTracks.every((track) => track.readyState === 'ended')).toBe(true);
  });

  it('fails a mode that delivers no frames and describes black, frozen and mis-sized frames', async () => {
    const sizes = [{ width: 640, height: 480 }];
    const none = await probeResolutions({
      mediaDevices: new FakeMediaDevices([new FakeCamera()]).asMediaDevices(),
      clock: virtualClock(),
      sizes,
      measure: async () => measurement({ frames: 0, fps: 0, firstFrameMs: null, sampledFrames: 0 }),
    });
    expect(none.results[0]).toMatchObject({ status: 'fail', code: ProbeCode.NoFrames });

    const odd = await probeResolutions({
      mediaDevices: new FakeMediaDevices([new FakeCamera()]).asMediaDevices(),
      clock: virtualClock(),
      sizes,
      measure: async () => measurement({ frameWidth: 480, frameHeight: 360, blackFrames: 30, frozenFrames: 29 }),
    });
    expect(odd.results[0]?.status).toBe('pass');
    expect(odd.results[0]?.reason).toContain('frames are 480×360, not the 640×480 getSettings() reports');
    expect(odd.results[0]?.reason).toContain('30 of 30 sampled frames black');
    expect(odd.results[0]?.reason).toContain('29 of 30 sampled frames frozen');
  });

  it('releases the track when the measurement is cancelled', async () => {
    const devices = new FakeMediaDevices([new FakeCamera()]);
    const controller = new AbortController();
    const measure: MeasureFrames = async () => {
      controller.abort();
      throw controller.signal.reason;
    };
    await rejection(probeResolutions({ mediaDevices: devices.asMediaDevices(), clock: virtualClock(), signal: controller.signal, measure }));
    expect(devices.probeTracks.every((track) => track.readyState === 'ended')).toBe(true);
  });
});

describe('frame analysis', () => {
  const rgba = (...lumas: number[]) => lumas.flatMap((value) => [value, value, value, 255]);

  it('computes Rec. 709 luma per pixel', () => {
    expect(Array.from(lumaOf([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255])).map((value) => Math.round(value * 100) / 100)).toEqual([54.21, 182.38, 18.41]);
  });

  it('calls a dark sample black and a lit or bright-spotted one not', () => {
    expect(analyseFrame(lumaOf(rgba(0, 3, 8, 2))).black).toBe(true);
    expect(analyseFrame(lumaOf(rgba(90, 100, 110, 120))).black).toBe(false);
    // A dark room with one lamp: the average is low but one pixel is bright.
    expect(analyseFrame(lumaOf(rgba(0, 0, 0, 200))).black).toBe(false);
  });

  it('calls a sample identical (within rounding) to the previous one frozen', () => {
    const first = lumaOf(rgba(10, 50, 90, 130));
    expect(analyseFrame(first).frozen).toBe(false);
    expect(analyseFrame(lumaOf(rgba(10, 50, 90, 130)), first)).toMatchObject({ frozen: true, difference: 0 });
    expect(analyseFrame(lumaOf(rgba(11, 50, 90, 130)), first).frozen).toBe(true);
    expect(analyseFrame(lumaOf(rgba(10, 50, 95, 130)), first)).toMatchObject({ frozen: false, difference: 5 });
  });

  it('summarises fps from presented frames (counting skipped callbacks) and counts verdicts', () => {
    const verdict = (black: boolean, frozen: boolean) => ({ meanLuma: black ? 0 : 100, maxLuma: 100, black, frozen });
    const samples = [
      { at: 1000, presentedFrames: 10, verdict: verdict(false, false) },
      { at: 1500, presentedFrames: 20, verdict: verdict(true, false) },
      { at: 2000, presentedFrames: 40, verdict: verdict(false, true) },
    ];
    expect(summariseFrames(samples, { firstFrameMs: 60, frameWidth: 640, frameHeight: 480 })).toEqual({
      firstFrameMs: 60,
      fps: 30,
      frames: 3,
      windowMs: 1000,
      frameWidth: 640,
      frameHeight: 480,
      blackFrames: 1,
      frozenFrames: 1,
      sampledFrames: 3,
      meanLuma: 200 / 3,
    });
    expect(summariseFrames([{ at: 0 }, { at: 500 }, { at: 1000 }], { firstFrameMs: 1, frameWidth: 1, frameHeight: 1 }).fps).toBe(2);
    expect(summariseFrames([], { firstFrameMs: null, frameWidth: 0, frameHeight: 0 })).toMatchObject({ fps: 0, frames: 0, windowMs: 0 });
  });
});

describe('probeResultsToCsv', () => {
  it('writes one quoted, CRLF-separated row per result under a header', async () => {
    const report = await probeResolutions({
      mediaDevices: new FakeMediaDevices([new FakeCamera({ label: 'Cam "HD", front' })]).asMediaDevices(),
      clock: virtualClock(),
      sizes: [{ width: 640, height: 480 }, { width: 4096, height: 2160 }],
    });
    const csv = probeResultsToCsv(report.results);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'pass,camera,deviceId,width,height,status,code,reason,actualWidth,actualHeight,frameRate,mode,resizeMode,openMs,attempts,firstFrameMs,fps,frameWidth,frameHeight,blackFrames,frozenFrames,sampledFrames',
    );
    expect(lines[1]).toBe(
      'quick,"Cam ""HD"", front",camera-1,640,480,pass,NATIVE,"The camera delivers 640×480 itself (resizeMode ""none""): no browser scaling.",640,480,30,native,none,0,1,,,,,,,',
    );
    expect(lines[2]?.startsWith('quick,"Cam ""HD"", front",camera-1,4096,2160,fail,OUT_OF_RANGE,')).toBe(true);
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
  });
});

// Issue 16: the probe's sentences in the page's language. In Node paraglide is English; a Chinese
// page resolves zh-CN, which overwriteGetLocale stands in for here. Codes, API names and sizes stay.
describe('probe results in Chinese', () => {
  const english = getLocale;
  beforeEach(() => overwriteGetLocale(() => 'zh-CN'));
  afterEach(() => overwriteGetLocale(english));

  it('says native, scaled and out of range in Chinese, with getCapabilities() and the sizes as they are', async () => {
    const report = await probeResolutions({
      mediaDevices: new FakeMediaDevices([new FakeCamera()]).asMediaDevices(),
      clock: virtualClock(),
      sizes: [{ width: 640, height: 480 }, { width: 640, height: 360 }, { width: 4096, height: 2160 }],
    });
    expect(report.results.map((result) => result.code)).toEqual([ProbeCode.Native, ProbeCode.Scaled, ProbeCode.OutOfRange]);
    expect(report.results[0]?.reason).toBe('摄像头自身就能输出 640×480（resizeMode 为 "none"）：浏览器没有做缩放。');
    expect(report.results[1]?.reason).toContain('裁剪并缩小到 640×360');
    expect(report.results[2]?.reason).toBe('未请求：getCapabilities() 表明这个摄像头的宽度范围是 1–3840，所以 4096×2160 不可能实现。');
    // The machine-readable fields do not change with the language.
    expect(report.results[0]).toMatchObject({ status: 'pass', mode: 'native', resizeMode: 'none' });
  });

  it('describes a busy camera, and the deep test\'s frames, in Chinese with Chinese units', async () => {
    const busy = await probeResolutions({ mediaDevices: new FakeMediaDevices([new FakeCamera({ busyFor: 6 })]).asMediaDevices(), clock: virtualClock(), sizes: [{ width: 640, height: 480 }] });
    expect(busy.results[0]?.reason).toBe('摄像头忙（NotReadableError），在 1,850毫秒 内尝试了 5 次：很可能有别的应用或标签页正在使用它。请关闭它们后再探测一次。');

    const deep = await probeResolutions({
      mediaDevices: new FakeMediaDevices([new FakeCamera()]).asMediaDevices(),
      clock: virtualClock(),
      sizes: [{ width: 640, height: 480 }],
      measure: async () => measurement({ frameWidth: 480, frameHeight: 360, blackFrames: 30, frozenFrames: 29 }),
    });
    const reason = deep.results[0]?.reason ?? '';
    expect(reason).toContain('深度测试：1,000毫秒 内 29.9 fps');
    expect(reason).toContain('画面实际为 480×360，而不是 getSettings() 报告的 640×480');
    expect(reason).toContain('抽样的 30 帧中有 30 帧是黑的');
    expect(reason).toContain('抽样的 30 帧中有 29 帧冻结');
    expect(reason).not.toMatch(/Deep test|sampled|frames are/);
  });

  it('names what it cannot read in a typed size list in Chinese', () => {
    expect(parseResolutions('big, 20000x100').invalid).toEqual(['“big”不是“宽x高”格式（例如 1000x700）', '“20000x100”：宽和高都必须在 1 到 16384 之间']);
  });
});
