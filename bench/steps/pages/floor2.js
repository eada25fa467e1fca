/**
 * The two-page floor: one side of the least a call between two pages can be, what /call/ is
 * measured against. Two of these pages in two browser contexts, the same fake camera, host
 * candidates only (no ICE servers), signaling through bench/signaling/ws-relay.mjs on loopback (raw
 * `ws`, JSON frames, no validation), and every trick /call/ is allowed:
 * - the socket is open before the clock starts (/call/ connects as the page opens);
 * - the waiting page makes its offer while alone and holds it with every candidate in its SDP, so
 *   the newcomer's arrival costs one trip there and one back before the answer;
 * - the newcomer asks for its camera and announces itself at the same moment.
 * Not the codelab's protocol and not /call/'s: the relay has no room notices, so the newcomer sends
 * `hello` right behind its `join` (the relay handles one connection's frames in order), which
 * reaches the waiting page exactly as the server's 'ready' does.
 *
 * `?relay=<port>&room=<name>&role=waiting|joining`. The waiting page: `await floor2.wait()` (media,
 * offer held). The joining page: `await floor2.connected`, then `floor2.start()`: the clock starts
 * at its getUserMedia call (`__bench.marks.start`) and stops at the first decoded frame of
 * <video aria-label="Remote video"> on both sides (lib.mjs records those).
 */
const params = new URLSearchParams(location.search);
const role = params.get('role');
const room = params.get('room');
const video = document.querySelector('video');
const bench = window.__bench;

const socket = new WebSocket(`ws://127.0.0.1:${params.get('relay')}`);
const connected = new Promise((resolve, reject) => {
  socket.addEventListener('open', resolve, { once: true });
  socket.addEventListener('error', () => reject(new Error('the ws relay is not reachable')), { once: true });
});
const send = (frame) => socket.send(JSON.stringify(frame));
const relay = (message) => send({ t: 'msg', d: message });

let pc;
let media;
/** The waiting page's offer, its candidates in its SDP, until someone says hello. */
let heldOffer;
/** Only the joining page sends candidates one by one (its answer goes before gathering ends). */
const trickle = role === 'joining';

function newPeerConnection(stream) {
  pc = new RTCPeerConnection();
  pc.addEventListener('track', (e) => {
    video.srcObject = e.streams[0];
  });
  pc.addEventListener('icecandidate', (e) => {
    if (e.candidate && trickle) relay({ type: 'candidate', candidate: e.candidate.toJSON() });
  });
  for (const track of stream.getTracks()) pc.addTrack(track, stream);
  return pc;
}

/** Resolves once gathering is complete (host candidates only: a few ms on loopback). */
function gathered(connection) {
  if (connection.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    connection.addEventListener('icegatheringstatechange', () => connection.iceGatheringState === 'complete' && resolve());
  });
}

async function onMessage(message) {
  if (message.type === 'hello') {
    relay(heldOffer);
  } else if (message.type === 'offer') {
    const stream = await media;
    newPeerConnection(stream);
    await pc.setRemoteDescription(message);
    await pc.setLocalDescription();
    relay({ type: 'answer', sdp: pc.localDescription.sdp });
  } else if (message.type === 'answer') {
    await pc.setRemoteDescription(message);
  } else if (message.type === 'candidate') {
    await pc.addIceCandidate(message.candidate);
  }
}

// One message at a time, in arrival order: a candidate must not overtake the answer it belongs to
// while that answer is still being applied.
let handled = Promise.resolve();
socket.addEventListener('message', (event) => {
  const frame = JSON.parse(event.data);
  if (frame.t !== 'msg') return;
  handled = handled.then(() => onMessage(frame.d)).catch((error) => console.error('floor2:', error));
});

/** The waiting page: in the room, camera on, offer made and held with its candidates. */
async function wait() {
  if (role !== 'waiting') throw new Error('floor2.wait() is for the waiting page');
  await connected;
  send({ t: 'join', room });
  media = navigator.mediaDevices.getUserMedia({ video: true });
  const connection = newPeerConnection(await media);
  await connection.setLocalDescription();
  await gathered(connection);
  heldOffer = { type: 'offer', sdp: connection.localDescription.sdp };
}

/** The joining page: camera and room at once. Returns at once; the clock runs in the page. */
function start() {
  if (role !== 'joining') throw new Error('floor2.start() is for the joining page');
  bench.marks.start = bench.epoch();
  media = navigator.mediaDevices.getUserMedia({ video: true });
  send({ t: 'join', room });
  relay({ type: 'hello' });
}

window.floor2 = { connected, wait, start };
