/// <reference types="svelte" />
/// <reference types="vite/client" />

// The live objects each page exposes "to make them available to the browser console", as
// webrtc/samples does: a learner can type `stream.getVideoTracks()[0].stop()`.
interface Window {
  stream?: MediaStream;
  track?: MediaStreamTrack;
}
