/** Media: getUserMedia / enumerateDevices helpers, track descriptions, and the codelab's constraint presets. */
import { m } from '@workbench/i18n/messages';
import { ErrorCode, WorkbenchError, explainMediaError } from '../errors.js';

/** The parts of `navigator.mediaDevices` used here; inject a fake in tests. */
export type MediaDevicesLike = Pick<MediaDevices, 'getUserMedia' | 'enumerateDevices'>;

export interface MediaDeps {
  /** `navigator.mediaDevices`; pass `undefined` explicitly to simulate an insecure origin. */
  mediaDevices?: MediaDevicesLike | undefined;
  isSecureContext?: boolean;
  /** `location.origin`, named in the insecure-origin explanation. */
  origin?: string;
}

function pageDeps(): MediaDeps {
  const g = globalThis as {
    navigator?: { mediaDevices?: MediaDevicesLike };
    isSecureContext?: boolean;
    location?: { origin?: string };
  };
  return {
    mediaDevices: g.navigator?.mediaDevices,
    ...(typeof g.isSecureContext === 'boolean' ? { isSecureContext: g.isSecureContext } : {}),
    ...(typeof g.location?.origin === 'string' ? { origin: g.location.origin } : {}),
  };
}

function resolveDeps(deps: MediaDeps | undefined): MediaDeps {
  if (!deps) return pageDeps();
  const page = pageDeps();
  return { ...page, ...deps, mediaDevices: 'mediaDevices' in deps ? deps.mediaDevices : page.mediaDevices };
}

function insecureOriginError(deps: MediaDeps): WorkbenchError {
  const explanation = explainMediaError(
    { name: ErrorCode.InsecureOrigin, message: m.core_media_no_media_devices() },
    undefined,
    { mediaDevicesAvailable: false, ...(deps.origin ? { origin: deps.origin } : {}) },
  );
  return new WorkbenchError(ErrorCode.InsecureOrigin, `${explanation.detail} ${explanation.fix}`, { explanation });
}

/**
 * getUserMedia that never fails silently: on an insecure origin (no `navigator.mediaDevices`)
 * and on every rejection it throws a WorkbenchError whose `explanation` says, by the browser's
 * error name, what happened and what to do. The original error is its `cause`.
 */
export async function getMedia(
  constraints: MediaStreamConstraints = { video: true },
  deps?: MediaDeps,
): Promise<MediaStream> {
  const resolved = resolveDeps(deps);
  if (!resolved.mediaDevices) throw insecureOriginError(resolved);
  try {
    return await resolved.mediaDevices.getUserMedia(constraints);
  } catch (error) {
    const explanation = explainMediaError(error, constraints, {
      mediaDevicesAvailable: true,
      ...(resolved.isSecureContext !== undefined ? { isSecureContext: resolved.isSecureContext } : {}),
      ...(resolved.origin ? { origin: resolved.origin } : {}),
    });
    throw new WorkbenchError(explanation.code, `${explanation.detail} ${explanation.fix}`, {
      cause: error,
      explanation,
    });
  }
}

/**
 * The devices of `kind` (all when omitted). Labels are empty strings until the page has been
 * granted camera/microphone access once, so list again after getMedia succeeds.
 */
export async function listDevices(kind?: MediaDeviceKind, deps?: MediaDeps): Promise<MediaDeviceInfo[]> {
  const resolved = resolveDeps(deps);
  if (!resolved.mediaDevices) throw insecureOriginError(resolved);
  const devices = await resolved.mediaDevices.enumerateDevices();
  return kind ? devices.filter((d) => d.kind === kind) : devices;
}

/** Stops every track of `stream` so the camera light goes off (the codelab's Hang Up forgot to). */
export function stopStream(stream: MediaStream | null | undefined): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

/** What a track actually delivers, which may differ from what was asked. */
export interface TrackDescription {
  id: string;
  kind: string;
  label: string;
  enabled: boolean;
  muted: boolean;
  readyState: MediaStreamTrackState;
  settings: {
    width?: number;
    height?: number;
    frameRate?: number;
    deviceId?: string;
    /** "none" = the camera's native mode, "crop-and-scale" = the browser scaled it to fit. */
    resizeMode?: string;
    facingMode?: string;
    aspectRatio?: number;
    sampleRate?: number;
    channelCount?: number;
  };
  /** One line for a person: "640×480 @ 30 fps" or "48000 Hz, 1 channel". */
  summary: string;
}

type TrackLike = Pick<MediaStreamTrack, 'id' | 'kind' | 'label' | 'enabled' | 'muted' | 'readyState' | 'getSettings'>;

export function describeTrack(track: TrackLike): TrackDescription {
  const raw = track.getSettings() as MediaTrackSettings & { resizeMode?: string };
  const settings: TrackDescription['settings'] = {};
  for (const key of ['width', 'height', 'frameRate', 'aspectRatio', 'sampleRate', 'channelCount'] as const) {
    const value = raw[key];
    if (typeof value === 'number') settings[key] = value;
  }
  for (const key of ['deviceId', 'resizeMode', 'facingMode'] as const) {
    const value = raw[key];
    if (typeof value === 'string' && value !== '') settings[key] = value;
  }
  let summary: string;
  if (track.kind === 'video') {
    const size = settings.width && settings.height ? `${settings.width}×${settings.height}` : m.core_track_unknown_size();
    summary = settings.frameRate ? m.core_track_video_summary({ size, fps: Math.round(settings.frameRate * 10) / 10 }) : size;
  } else {
    const parts = [
      settings.sampleRate ? m.core_track_sample_rate({ rate: settings.sampleRate }) : undefined,
      settings.channelCount ? m.core_track_channels({ count: settings.channelCount }) : undefined,
    ].filter((p) => p !== undefined);
    summary = parts.length ? parts.join(m.core_list_separator()) : m.core_track_audio();
  }
  return {
    id: track.id,
    kind: track.kind,
    label: track.label,
    enabled: track.enabled,
    muted: track.muted,
    readyState: track.readyState,
    settings,
    summary,
  };
}

export interface ConstraintPreset {
  id: 'default' | 'vga' | 'hd';
  label: string;
  /** Why a learner would pick it, and what can go wrong. */
  description: string;
  constraints: MediaStreamConstraints;
}

/**
 * The codelab's constraint presets, as data. "HD" is exactly the codelab's
 * `{video: {width: {min: 1280}, height: {min: 720}}}`: `min` is a requirement, so a camera that
 * cannot reach 1280×720 fails with OverconstrainedError instead of silently giving less. Label and
 * description are getters, so they are read in the page's language when shown.
 */
export const CONSTRAINT_PRESETS: readonly ConstraintPreset[] = [
  {
    id: 'default',
    get label() {
      return m.core_preset_default_label();
    },
    get description() {
      return m.core_preset_default_description();
    },
    constraints: { video: true },
  },
  {
    id: 'vga',
    get label() {
      return m.core_preset_vga_label();
    },
    get description() {
      return m.core_preset_vga_description();
    },
    constraints: { video: { width: { exact: 640 }, height: { exact: 480 } } },
  },
  {
    id: 'hd',
    get label() {
      return m.core_preset_hd_label();
    },
    get description() {
      return m.core_preset_hd_description();
    },
    constraints: { video: { width: { min: 1280 }, height: { min: 720 } } },
  },
];
