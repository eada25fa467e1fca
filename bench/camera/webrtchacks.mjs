/**
 * The baseline the camera probe is measured against: the webrtcHacks resolution finder's method
 * (github.com/webrtcHacks/WebRTC-Camera-Resolution), rebuilt as a bench-only function for the page.
 * For each size in turn: getUserMedia with exact width/height and deviceId, play it in a <video>,
 * wait for `loadedmetadata` to read the size, stop the stream, and wait 200 ms before the next
 * request ("official examples had this at 200"). Failed sizes have no stream, so no pause, as there.
 *
 * Passed to `page.evaluate` as is, so it must stay self-contained: no imports, no closures.
 */
export async function webrtcHacksScan({ sizes, deviceId }) {
  const video = document.createElement('video');
  video.muted = true;
  video.autoplay = true;
  video.playsInline = true;
  document.body.append(video);
  const started = performance.now();
  const results = [];
  for (const size of sizes) {
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { deviceId: { exact: deviceId }, width: { exact: size.width }, height: { exact: size.height } },
      });
      const metadata = new Promise((resolve) => video.addEventListener('loadedmetadata', resolve, { once: true }));
      video.srcObject = stream;
      await metadata;
      results.push({ width: size.width, height: size.height, status: 'pass', actual: { width: video.videoWidth, height: video.videoHeight } });
    } catch (error) {
      results.push({ width: size.width, height: size.height, status: 'fail', error: error.name });
    }
    if (stream) {
      for (const track of stream.getTracks()) track.stop();
      video.srcObject = null;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  const ms = performance.now() - started;
  video.remove();
  return { ms, results };
}
