/**
 * What every call on this page starts from besides the ICE servers (core's `loadIceServers`):
 * the relay-only policy, and the media: the camera and microphone, or a generated test pattern
 * and tone for a machine with no camera.
 */

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
