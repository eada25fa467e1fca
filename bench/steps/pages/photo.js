/**
 * Photo transfer, two ways, over the same kind of channel between two pages:
 *
 * - "workbench": what /photo/ does. drawImage at the video's own size, canvas.toBlob as JPEG
 *   (quality 0.9), core's sendBlob (header with SHA-256, ≤ 64 KiB chunks, back-pressure); the
 *   receiver's ChunkReceiver checks size and hash, then the JPEG is decoded for display.
 * - "codelab": step 6 of Google's codelab, as it ships (only the receiver's canvas size is taken
 *   from the sender, so the baseline is not slowed by its garbling bug): raw RGBA from
 *   getImageData, the length sent first as a string, 64 000-byte chunks sent in one loop with no
 *   look at bufferedAmount, reassembled and drawn with putImageData.
 *
 * The runner (bench/steps/photo.mjs) relays the descriptions between the two pages; the clock is
 * window.__bench.epoch() (see IN_PAGE_CLOCK), so sender start and receiver finish compare directly.
 */
import { ChunkReceiver, sendBlob, waitForOpen } from '@workbench/core/data-channel';

const CODELAB_CHUNK = 64000;
const video = document.querySelector('video');
const canvas = document.querySelector('canvas');
const context2d = canvas.getContext('2d', { willReadFrequently: true });

let pc = null;
let channel = null;
let detach = () => {};
const completions = [];
const waiters = [];

function complete(result) {
  const waiter = waiters.shift();
  if (waiter) waiter(result);
  else completions.push(result);
}

/** The next transfer this page finished receiving, in arrival order. */
function nextReceived() {
  const ready = completions.shift();
  return ready ? Promise.resolve(ready) : new Promise((resolve) => waiters.push(resolve));
}

async function startCamera(width, height) {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: { exact: width }, height: { exact: height } } });
  video.srcObject = stream;
  const frame = await window.__bench.firstFrame(video);
  return { width: frame.width, height: frame.height };
}

function gathered(connection) {
  if (connection.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    connection.addEventListener('icegatheringstatechange', () => {
      if (connection.iceGatheringState === 'complete') resolve();
    });
  });
}

/**
 * A new peer connection with the one negotiated "photos" channel, receiving with `method`.
 * Non-trickle (the runner relays whole descriptions): setup time is not what is measured here.
 */
function newConnection(method) {
  detach();
  pc?.close();
  pc = new RTCPeerConnection();
  channel = pc.createDataChannel('photos', { negotiated: true, id: 0 });
  channel.binaryType = 'arraybuffer';
  detach = method === 'workbench' ? receiveWorkbench(channel) : receiveCodelab(channel);
}

async function offer(method) {
  newConnection(method);
  await pc.setLocalDescription();
  await gathered(pc);
  return pc.localDescription.sdp;
}

async function answer(method, sdp) {
  newConnection(method);
  await pc.setRemoteDescription({ type: 'offer', sdp });
  await pc.setLocalDescription();
  await gathered(pc);
  return pc.localDescription.sdp;
}

async function accept(sdp) {
  await pc.setRemoteDescription({ type: 'answer', sdp });
  await waitForOpen(channel);
}

function opened() {
  return waitForOpen(channel);
}

// ---- workbench method ----------------------------------------------------------------------

function receiveWorkbench(dc) {
  const receiver = new ChunkReceiver();
  receiver.on('complete', async (transfer) => {
    let size = null;
    if (transfer.header.mime.startsWith('image/')) {
      const bitmap = await createImageBitmap(transfer.toBlob());
      canvas.width = bitmap.width;
      canvas.height = bitmap.height;
      context2d.drawImage(bitmap, 0, 0);
      size = { width: bitmap.width, height: bitmap.height };
      bitmap.close();
    }
    complete({ at: window.__bench.epoch(), bytes: transfer.bytes.byteLength, sha256: transfer.sha256, size });
  });
  receiver.on('error', (error) => complete({ at: window.__bench.epoch(), error: `${error.code}: ${error.message}` }));
  return receiver.attach(dc);
}

async function sendWorkbenchPhoto() {
  const startedAt = window.__bench.epoch();
  const { videoWidth: width, videoHeight: height } = video;
  canvas.width = width;
  canvas.height = height;
  context2d.drawImage(video, 0, 0, width, height);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.9));
  let peakBufferedAmount = 0;
  const onProgress = () => (peakBufferedAmount = Math.max(peakBufferedAmount, channel.bufferedAmount));
  const sent = await sendBlob(channel, blob, { mime: 'image/jpeg', width, height }, { onProgress });
  return { startedAt, bytes: sent.size, sha256: sent.sha256, peakBufferedAmount };
}

async function sendWorkbenchPayload(bytes) {
  const startedAt = window.__bench.epoch();
  let peakBufferedAmount = 0;
  const onProgress = () => (peakBufferedAmount = Math.max(peakBufferedAmount, channel.bufferedAmount));
  const sent = await sendBlob(channel, bytes, { mime: 'application/octet-stream' }, { onProgress });
  return { startedAt, bytes: sent.size, sha256: sent.sha256, peakBufferedAmount };
}

// ---- codelab method ------------------------------------------------------------------------

function receiveCodelab(dc) {
  let buffer = null;
  let count = 0;
  const onMessage = (event) => {
    if (typeof event.data === 'string') {
      buffer = new Uint8ClampedArray(parseInt(event.data, 10));
      count = 0;
      return;
    }
    const data = new Uint8ClampedArray(event.data);
    buffer.set(data, count);
    count += data.byteLength;
    if (count !== buffer.byteLength) return;
    let size = null;
    // The photo is RGBA at the sender's size; a payload is just bytes.
    if (expectedPhoto && buffer.byteLength === expectedPhoto.width * expectedPhoto.height * 4) {
      canvas.width = expectedPhoto.width;
      canvas.height = expectedPhoto.height;
      context2d.putImageData(new ImageData(buffer, expectedPhoto.width, expectedPhoto.height), 0, 0);
      size = { ...expectedPhoto };
    }
    complete({ at: window.__bench.epoch(), bytes: buffer.byteLength, size });
  };
  dc.addEventListener('message', onMessage);
  return () => dc.removeEventListener('message', onMessage);
}

/** Set by the runner on the receiving page: the codelab's receiver has no header to read it from. */
let expectedPhoto = null;
function expectPhoto(size) {
  expectedPhoto = size;
}

function codelabSend(data) {
  const length = data.byteLength;
  const whole = Math.floor(length / CODELAB_CHUNK);
  channel.send(String(length));
  for (let i = 0; i < whole; i++) channel.send(data.subarray(i * CODELAB_CHUNK, (i + 1) * CODELAB_CHUNK));
  if (length % CODELAB_CHUNK) channel.send(data.subarray(whole * CODELAB_CHUNK));
}

function sendCodelabPhoto() {
  const startedAt = window.__bench.epoch();
  const { videoWidth: width, videoHeight: height } = video;
  canvas.width = width;
  canvas.height = height;
  context2d.drawImage(video, 0, 0, width, height);
  const image = context2d.getImageData(0, 0, width, height);
  codelabSend(image.data);
  return { startedAt, bytes: image.data.byteLength, peakBufferedAmount: channel.bufferedAmount };
}

function sendCodelabPayload(bytes) {
  const startedAt = window.__bench.epoch();
  codelabSend(bytes);
  return { startedAt, bytes: bytes.byteLength, peakBufferedAmount: channel.bufferedAmount };
}

// ---- entry points for the runner -----------------------------------------------------------

let payload = null;
/** Random bytes, made before the clock starts: generating them is part of neither method. */
function preparePayload(size) {
  payload = new Uint8Array(size);
  for (let offset = 0; offset < size; offset += 65536) crypto.getRandomValues(payload.subarray(offset, offset + 65536));
  return payload.byteLength;
}

async function send(method, kind) {
  if (kind === 'photo') return method === 'workbench' ? sendWorkbenchPhoto() : sendCodelabPhoto();
  return method === 'workbench' ? sendWorkbenchPayload(payload) : sendCodelabPayload(payload);
}

window.photoBench = { startCamera, offer, answer, accept, opened, send, nextReceived, expectPhoto, preparePayload };
