/**
 * When `video` presents its next frame: requestVideoFrameCallback where the browser has it
 * (the frame really reached the screen), else `loadeddata` (the first frame was decoded).
 * The end of the page's setup-time clock; `signal` (Hang Up) stops waiting.
 */
export function firstFrameAt(video: HTMLVideoElement, signal: AbortSignal): Promise<number> {
  return new Promise((resolve) => {
    if (typeof video.requestVideoFrameCallback === 'function') {
      const handle = video.requestVideoFrameCallback(() => resolve(performance.now()));
      signal.addEventListener('abort', () => video.cancelVideoFrameCallback(handle), { once: true });
    } else {
      video.addEventListener('loadeddata', () => resolve(performance.now()), { once: true, signal });
    }
  });
}
