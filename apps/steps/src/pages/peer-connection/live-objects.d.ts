// The two connections steps 2 and 3 put on `window`, as webrtc/samples does, for the console:
// `pc1.getStats()`, `pc2.remoteDescription.sdp`. RTCPeerConnection itself, not the Peer wrapper,
// so what a learner types matches MDN.
interface Window {
  pc1?: RTCPeerConnection;
  pc2?: RTCPeerConnection;
}
