// Unit tests for media: getMedia errors explained, insecure origin, devices, track descriptions, presets.
import { describe, expect, it } from 'vitest';
import { ErrorCode, WorkbenchError } from '../errors.js';
import { CHINESE, inChinese } from '../../test/in-chinese.js';
import { CONSTRAINT_PRESETS, describeTrack, getMedia, listDevices, stopStream, type MediaDevicesLike } from './media.js';

function fakeTrack(kind: 'audio' | 'video', settings: MediaTrackSettings & { resizeMode?: string }) {
  const track = {
    id: `${kind}-1`,
    kind,
    label: kind === 'video' ? 'fake_device_0' : 'Fake Default Audio Input',
    enabled: true,
    muted: false,
    readyState: 'live' as MediaStreamTrackState,
    getSettings: () => settings,
    stop() {
      track.readyState = 'ended';
    },
  };
  return track;
}

function fakeStream(...tracks: ReturnType<typeof fakeTrack>[]): MediaStream {
  return { getTracks: () => tracks } as unknown as MediaStream;
}

function devicesRejecting(error: unknown): MediaDevicesLike {
  return {
    getUserMedia: () => Promise.reject(error),
    enumerateDevices: () => Promise.resolve([]),
  };
}

async function rejection(promise: Promise<unknown>): Promise<WorkbenchError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WorkbenchError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('getMedia', () => {
  it('returns the stream getUserMedia gives, defaulting to {video: true}', async () => {
    const stream = fakeStream(fakeTrack('video', { width: 640, height: 480 }));
    let asked: MediaStreamConstraints | undefined;
    const mediaDevices: MediaDevicesLike = {
      getUserMedia: (c) => ((asked = c), Promise.resolve(stream)),
      enumerateDevices: () => Promise.resolve([]),
    };
    await expect(getMedia(undefined, { mediaDevices })).resolves.toBe(stream);
    expect(asked).toEqual({ video: true });
  });

  it('throws INSECURE_ORIGIN when navigator.mediaDevices is missing, saying how to fix it', async () => {
    const error = await rejection(getMedia({ video: true }, { mediaDevices: undefined, origin: 'http://10.0.0.2:3000' }));
    expect(error.code).toBe(ErrorCode.InsecureOrigin);
    expect(error.message).toContain('http://10.0.0.2:3000');
    expect(error.message).toContain('--https');
    expect(error.explanation.title).toMatch(/insecure/i);
  });

  it('wraps a denial in a WorkbenchError with the explanation and the original cause', async () => {
    const denied = new DOMException('Permission denied', 'NotAllowedError');
    const error = await rejection(getMedia({ video: true }, { mediaDevices: devicesRejecting(denied), isSecureContext: true }));
    expect(error.code).toBe(ErrorCode.PermissionDenied);
    expect(error.cause).toBe(denied);
    expect(error.explanation).toMatchObject({ code: ErrorCode.PermissionDenied, name: 'NotAllowedError' });
  });

  it('names the impossible constraint of the HD preset', async () => {
    const hd = CONSTRAINT_PRESETS.find((p) => p.id === 'hd');
    const overconstrained = Object.assign(new Error(''), { name: 'OverconstrainedError', constraint: 'height' });
    const error = await rejection(getMedia(hd?.constraints, { mediaDevices: devicesRejecting(overconstrained), isSecureContext: true }));
    expect(error.code).toBe(ErrorCode.Overconstrained);
    expect(error.message).toContain('"height"');
    expect(error.message).toContain('{"min":720}');
  });

  it('explains a busy camera', async () => {
    const busy = new DOMException('Could not start video source', 'NotReadableError');
    const error = await rejection(getMedia({ video: true }, { mediaDevices: devicesRejecting(busy), isSecureContext: true }));
    expect(error.code).toBe(ErrorCode.DeviceBusy);
  });
});

describe('listDevices', () => {
  it('filters by kind', async () => {
    const devices = [
      { kind: 'videoinput', deviceId: 'v1', label: 'cam', groupId: 'g' },
      { kind: 'audioinput', deviceId: 'a1', label: 'mic', groupId: 'g' },
    ] as MediaDeviceInfo[];
    const mediaDevices: MediaDevicesLike = {
      getUserMedia: () => Promise.reject(new Error('unused')),
      enumerateDevices: () => Promise.resolve(devices),
    };
    expect((await listDevices('videoinput', { mediaDevices })).map((d) => d.deviceId)).toEqual(['v1']);
    expect(await listDevices(undefined, { mediaDevices })).toHaveLength(2);
    await expect(listDevices('videoinput', { mediaDevices: undefined })).rejects.toMatchObject({ code: ErrorCode.InsecureOrigin });
  });
});

describe('stopStream and describeTrack', () => {
  it('stops every track and tolerates null', () => {
    const video = fakeTrack('video', {});
    const audio = fakeTrack('audio', {});
    stopStream(fakeStream(video, audio));
    expect([video.readyState, audio.readyState]).toEqual(['ended', 'ended']);
    expect(() => stopStream(null)).not.toThrow();
  });

  it('reports what the camera actually delivers', () => {
    const track = fakeTrack('video', {
      width: 1280,
      height: 720,
      frameRate: 29.97,
      deviceId: 'abc',
      resizeMode: 'crop-and-scale',
      groupId: 'ignored',
    });
    expect(describeTrack(track)).toEqual({
      id: 'video-1',
      kind: 'video',
      label: 'fake_device_0',
      enabled: true,
      muted: false,
      readyState: 'live',
      settings: { width: 1280, height: 720, frameRate: 29.97, deviceId: 'abc', resizeMode: 'crop-and-scale' },
      summary: '1280×720 @ 30 fps',
    });
    expect(describeTrack(fakeTrack('audio', { sampleRate: 48000, channelCount: 1 })).summary).toBe('48000 Hz, 1 channel');
  });
});

describe('CONSTRAINT_PRESETS', () => {
  it('holds the codelab presets, HD exactly as the codelab writes it', () => {
    expect(CONSTRAINT_PRESETS.map((p) => p.id)).toEqual(['default', 'vga', 'hd']);
    expect(CONSTRAINT_PRESETS[0]?.constraints).toEqual({ video: true });
    expect(CONSTRAINT_PRESETS[1]?.constraints).toEqual({ video: { width: { exact: 640 }, height: { exact: 480 } } });
    expect(CONSTRAINT_PRESETS[2]).toMatchObject({
      label: 'HD (min 1280×720)',
      constraints: { video: { width: { min: 1280 }, height: { min: 720 } } },
    });
  });
});

describe('in Chinese', () => {
  inChinese();

  it('summarises tracks and names the presets in Chinese, keeping the numbers', () => {
    expect(describeTrack(fakeTrack('audio', { sampleRate: 48000, channelCount: 2 })).summary).toBe('48000 Hz，2 个声道');
    expect(describeTrack(fakeTrack('video', {})).summary).toBe('尺寸未知');
    expect(describeTrack(fakeTrack('video', { width: 640, height: 480, frameRate: 30 })).summary).toBe('640×480，30 fps');
    expect(CONSTRAINT_PRESETS.map((p) => p.label)).toEqual(['默认', 'VGA（640×480）', '高清（至少 1280×720）']);
    for (const preset of CONSTRAINT_PRESETS) expect(preset.description).toMatch(CHINESE);
  });

  it('explains a denied camera in Chinese', async () => {
    const denied: MediaDevicesLike = {
      getUserMedia: () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError')),
      enumerateDevices: () => Promise.resolve([]),
    };
    const error = await getMedia({ video: true }, { mediaDevices: denied, isSecureContext: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkbenchError);
    expect((error as WorkbenchError).explanation.title).toBe('摄像头访问被拒绝');
    expect((error as WorkbenchError).message).toMatch(/^浏览器拒绝了访问（NotAllowedError）/);
  });
});
