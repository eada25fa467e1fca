/**
 * What every call on this page starts from: the ICE servers the workbench server hands out at
 * `/api/ice-servers` (TURN with fresh credentials), the relay-only policy, and the media: the
 * camera and microphone, or a generated test pattern and tone for a machine with no camera.
 */

export const ICE_SERVERS_PATH = '/api/ice-servers';

export interface IceServersResult {
  iceServers: RTCIceServer[];
  /** Set when the list could not be had; a loopback call still works with host candidates. */
  problem?: string;
}

function isIceServer(value: unknown): value is RTCIceServer {
  if (typeof value !== 'object' || value === null) return false;
  const { urls, username, credential } = value as Record<string, unknown>;
  const urlsOk = typeof urls === 'string' || (Array.isArray(urls) && urls.length > 0 && urls.every((url) => typeof url === 'string'));
  return urlsOk && (username === undefined || typeof username === 'string') && (credential === undefined || typeof credential === 'string');
}

/** Fetches the server's list. Never throws: a missing list is a `problem` the page shows. */
export async function fetchIceServers(fetcher: typeof fetch = fetch): Promise<IceServersResult> {
  let response: Response;
  try {
    response = await fetcher(ICE_SERVERS_PATH, { cache: 'no-store', headers: { accept: 'application/json' } });
  } catch (error) {
    return { iceServers: [], problem: `${ICE_SERVERS_PATH} could not be fetched (${error instanceof Error ? error.message : String(error)}).` };
  }
  if (!response.ok) return { iceServers: [], problem: `${ICE_SERVERS_PATH} answered HTTP ${response.status}.` };
  const body: unknown = await response.json().catch(() => undefined);
  const list = (body as { iceServers?: unknown } | undefined)?.iceServers;
  if (!Array.isArray(list) || !list.every(isIceServer)) {
    return { iceServers: [], problem: `${ICE_SERVERS_PATH} answered something other than {iceServers: RTCIceServer[]}.` };
  }
  return { iceServers: list };
}

/** True when the list has a TURN server, which relay-only needs. */
export function hasTurn(iceServers: readonly RTCIceServer[]): boolean {
  return iceServers.some((server) => (typeof server.urls === 'string' ? [server.urls] : server.urls).some((url) => /^turns?:/i.test(url)));
}

/** `stun:a; turn:b (user …)` for the log; credentials are never shown. */
export function describeIceServers(iceServers: readonly RTCIceServer[]): string {
  if (iceServers.length === 0) return 'none (host candidates only)';
  return iceServers
    .map((server) => {
      const urls = typeof server.urls === 'string' ? [server.urls] : server.urls;
      return server.username ? `${urls.join(', ')} (user ${server.username})` : urls.join(', ');
    })
    .join('; ');
}

export function rtcConfiguration(iceServers: RTCIceServer[], relayOnly: boolean): RTCConfiguration {
  return { iceServers, iceTransportPolicy: relayOnly ? 'relay' : 'all' };
}

export type MediaSourceKind = 'camera' | 'pattern';

export interface CallMedia {
  stream: MediaStream;
  /** Stops the tracks and whatever generates them. */
  stop(): void;
}

/**
 * A moving test pattern (canvas) and a quiet tone (Web Audio): media without a camera or a
 * permission prompt. The pattern changes every frame, so the encoder has real work to do and the
 * bitrate behaves like a camera's rather than dropping to nothing on a still image.
 */
export function testPatternMedia(width = 640, height = 480, fps = 30): CallMedia {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  let frame = 0;
  const draw = () => {
    if (!context) return;
    frame += 1;
    const hue = (frame * 2) % 360;
    context.fillStyle = `hsl(${hue} 60% 40%)`;
    context.fillRect(0, 0, width, height);
    context.fillStyle = '#fff';
    context.font = `${Math.round(height / 8)}px system-ui, sans-serif`;
    context.fillText(new Date().toISOString().slice(11, 23), width * 0.1, height * 0.55);
    const x = (frame * 7) % width;
    context.fillRect(x, height * 0.75, width / 10, height / 10);
  };
  draw();
  const timer = setInterval(draw, 1000 / fps);
  const video = canvas.captureStream(fps).getVideoTracks();
  const audioContext = new AudioContext();
  const oscillator = audioContext.createOscillator();
  const gain = audioContext.createGain();
  gain.gain.value = 0.05;
  const destination = audioContext.createMediaStreamDestination();
  oscillator.connect(gain).connect(destination);
  oscillator.start();
  const stream = new MediaStream([...video, ...destination.stream.getAudioTracks()]);
  return {
    stream,
    stop() {
      clearInterval(timer);
      for (const track of stream.getTracks()) track.stop();
      oscillator.stop();
      void audioContext.close();
    },
  };
}
