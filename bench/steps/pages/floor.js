/**
 * The floor the call-setup benchmark is measured against: getUserMedia, two RTCPeerConnections in
 * one page handing each other descriptions and candidates directly (no server, no socket, no
 * second process), until the first remote frame is decoded. No real call can beat it on this
 * machine, so "call setup ÷ floor" is the overhead of signaling and of the page itself.
 */
const video = document.querySelector('video');

async function connect(pc1, pc2) {
  const relay = (to) => (e) => {
    if (e.candidate) to.addIceCandidate(e.candidate).catch((error) => console.warn('candidate not added', error));
  };
  pc1.addEventListener('icecandidate', relay(pc2));
  pc2.addEventListener('icecandidate', relay(pc1));
  await pc1.setLocalDescription();
  await pc2.setRemoteDescription(pc1.localDescription);
  await pc2.setLocalDescription();
  await pc1.setRemoteDescription(pc2.localDescription);
}

/** getUserMedia → first decoded remote frame, in ms; the clock starts before getUserMedia. */
async function mediaFloor() {
  const { epoch, firstFrame } = window.__bench;
  const started = epoch();
  const stream = await navigator.mediaDevices.getUserMedia({ video: true });
  const gotMedia = epoch();
  const pc1 = new RTCPeerConnection();
  const pc2 = new RTCPeerConnection();
  pc2.addEventListener('track', (e) => {
    video.srcObject = e.streams[0];
  });
  for (const track of stream.getTracks()) pc1.addTrack(track, stream);
  await connect(pc1, pc2);
  const frame = await firstFrame(video);
  for (const track of stream.getTracks()) track.stop();
  pc1.close();
  pc2.close();
  return { ms: frame.at - started, getUserMediaMs: gotMedia - started, how: frame.how, width: frame.width, height: frame.height };
}

/** createDataChannel → open, on a fresh pair: what the photo page's setup cannot beat. */
async function dataChannelFloor() {
  const { epoch } = window.__bench;
  const started = epoch();
  const pc1 = new RTCPeerConnection();
  const pc2 = new RTCPeerConnection();
  const channel = pc1.createDataChannel('floor');
  const opened = new Promise((resolve) => channel.addEventListener('open', resolve, { once: true }));
  await connect(pc1, pc2);
  await opened;
  const ms = epoch() - started;
  pc1.close();
  pc2.close();
  return { ms };
}

window.floor = { mediaFloor, dataChannelFloor };
