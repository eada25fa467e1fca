// Unit tests for data-channel: transfers over an in-memory channel pair with buffering, corruption and truncation.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inChinese } from '../../test/in-chinese.js';
import { FakeDataChannel, createChannelPair, type FakeChannelOptions } from '../../test/fake-data-channel.js';
import {
  ChunkReceiver,
  MAX_CHUNK_SIZE,
  receiveTransfer,
  sendBlob,
  sha256Hex,
  waitForBufferedAmountLow,
  waitForOpen,
  type DataChannelLike,
  type ReceivedTransfer,
  type TransferHeader,
  type TransferProgress,
} from './data-channel.js';
import type { WorkbenchError } from '../errors.js';
import { ErrorCode } from '../errors.js';
import { silentLogger } from '../logger.js';

// Compile-time: a real RTCDataChannel is what these helpers accept.
const _realChannelFits = (channel: RTCDataChannel): DataChannelLike => channel;
void _realChannelFits;

function randomBytes(size: number, seed = 1): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  let state = seed;
  for (let i = 0; i < size; i += 1) {
    state = (state * 1103515245 + 12345) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

const nodeSha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Byte-for-byte equality without vitest's element-wise diff, which takes seconds on a megabyte. */
function expectSameBytes(actual: Uint8Array | undefined, expected: Uint8Array): void {
  expect(actual?.byteLength).toBe(expected.byteLength);
  expect(Buffer.from(actual ?? []).equals(Buffer.from(expected))).toBe(true);
}

interface Received {
  receiver: ChunkReceiver;
  headers: TransferHeader[];
  progress: TransferProgress[];
  completed: ReceivedTransfer[];
  errors: { error: WorkbenchError; id: string | undefined }[];
  messages: (string | ArrayBuffer)[];
}

function receiveOn(channel: FakeDataChannel, maxSize?: number): Received {
  const receiver = new ChunkReceiver({ logger: silentLogger, ...(maxSize !== undefined ? { maxSize } : {}) });
  receiver.attach(channel);
  const received: Received = { receiver, headers: [], progress: [], completed: [], errors: [], messages: [] };
  receiver.on('header', (h) => received.headers.push(h));
  receiver.on('progress', (p) => received.progress.push(p));
  receiver.on('complete', (t) => received.completed.push(t));
  receiver.on('error', (error, id) => received.errors.push({ error, id }));
  receiver.on('message', (m) => received.messages.push(m));
  return received;
}

/** Waits until `check` passes (or fails with its last assertion after 3 s). */
async function eventually(check: () => void, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

async function transfer(
  bytes: Uint8Array<ArrayBuffer>,
  senderOptions: FakeChannelOptions = {},
  meta = {},
  sendOptions = {},
) {
  const [sender, receiverChannel] = createChannelPair(senderOptions);
  const received = receiveOn(receiverChannel);
  const result = await sendBlob(sender, bytes, meta, sendOptions);
  return { sender, receiverChannel, received, result };
}

describe('waitForOpen', () => {
  it('resolves at once for an open channel and on the open event otherwise', async () => {
    const channel = new FakeDataChannel();
    await expect(waitForOpen(channel, 100)).resolves.toBeUndefined();
    channel.setConnecting();
    const waiting = waitForOpen(channel, 1000);
    setTimeout(() => channel.open(), 5);
    await expect(waiting).resolves.toBeUndefined();
  });

  it('rejects with CHANNEL_TIMEOUT naming the channel, and CHANNEL_CLOSED when it closes', async () => {
    const slow = new FakeDataChannel({ label: 'photos' });
    slow.setConnecting();
    await expect(waitForOpen(slow, 20)).rejects.toMatchObject({ code: ErrorCode.ChannelTimeout, message: expect.stringContaining('"photos"') });
    const closing = new FakeDataChannel();
    closing.setConnecting();
    const waiting = waitForOpen(closing, 1000);
    closing.close();
    await expect(waiting).rejects.toMatchObject({ code: ErrorCode.ChannelClosed });
    await expect(waitForOpen(closing, 10)).rejects.toMatchObject({ code: ErrorCode.ChannelClosed });
  });

  it('waits for the open event when the channel opens between two reads of readyState (libwebrtc in Node)', async () => {
    // @roamhq/wrtc's readyState asks libwebrtc, whose network thread may open the channel at any
    // moment; the 'open' event reaches JavaScript later. Here the first read says connecting and
    // every later one says open, as CI once saw: the old code took that for a close.
    const channel = new FakeDataChannel({ label: 'turn-loopback' });
    channel.setConnecting();
    let reads = 0;
    Object.defineProperty(channel, 'readyState', {
      get: () => (reads++ === 0 ? 'connecting' : 'open'),
      configurable: true,
    });
    const waiting = waitForOpen(channel, 1000);
    setTimeout(() => channel.dispatchEvent(new Event('open')), 5);
    await expect(waiting).resolves.toBeUndefined();
  });
});

describe('waitForBufferedAmountLow', () => {
  it('resolves when the buffer drains to the threshold, via bufferedamountlow', async () => {
    const [channel] = createChannelPair({ bytesPerTick: 1000, tickMs: 2 });
    for (let i = 0; i < 10; i += 1) channel.send(new ArrayBuffer(1000));
    expect(channel.bufferedAmount).toBe(10_000);
    await waitForBufferedAmountLow(channel, 3000);
    expect(channel.bufferedAmount).toBeLessThanOrEqual(3000);
    expect(channel.bufferedAmountLowThreshold).toBe(3000);
  });

  it('rejects with CHANNEL_CLOSED if the channel closes first', async () => {
    const [channel] = createChannelPair({ bytesPerTick: 1, tickMs: 50 });
    channel.send(new ArrayBuffer(1000));
    const waiting = waitForBufferedAmountLow(channel, 0);
    channel.close();
    await expect(waiting).rejects.toMatchObject({ code: ErrorCode.ChannelClosed });
  });
});

describe('sendBlob + ChunkReceiver', () => {
  it('transfers 1 MB intact, with header metadata, progress and a matching SHA-256', async () => {
    const bytes = randomBytes(1_000_000);
    const { received, result } = await transfer(bytes, {}, { mime: 'image/jpeg', name: 'snap.jpg', width: 640, height: 480, id: 'photo-1' });
    await eventually(() => expect(received.completed).toHaveLength(1));
    const done = received.completed[0] as ReceivedTransfer;
    expectSameBytes(done.bytes, bytes);
    expect(done.sha256).toBe(nodeSha256(bytes));
    expect(result).toMatchObject({ id: 'photo-1', size: 1_000_000, sha256: nodeSha256(bytes), mime: 'image/jpeg' });
    expect(result.chunks).toBe(Math.ceil(1_000_000 / (MAX_CHUNK_SIZE - 8)));
    expect(received.headers[0]).toEqual({
      kind: 'header',
      v: 1,
      id: 'photo-1',
      tag: 1,
      size: 1_000_000,
      mime: 'image/jpeg',
      sha256: nodeSha256(bytes),
      chunkSize: MAX_CHUNK_SIZE,
      name: 'snap.jpg',
      width: 640,
      height: 480,
    });
    expect(received.progress.at(-1)).toEqual({ id: 'photo-1', bytes: 1_000_000, totalBytes: 1_000_000, chunks: result.chunks });
    const sizes = received.progress.map((p) => p.bytes);
    expect(sizes).toEqual([...sizes].sort((x, y) => x - y));
    const blob = done.toBlob();
    expect(blob.type).toBe('image/jpeg');
    expect(blob.size).toBe(1_000_000);
    expect(received.errors).toEqual([]);
  });

  it('never sends a binary message larger than 64 KiB', async () => {
    const { sender } = await transfer(randomBytes(300_000));
    const binary = sender.sent.filter((m): m is ArrayBuffer => typeof m !== 'string');
    expect(binary.length).toBeGreaterThan(4);
    for (const message of binary) expect(message.byteLength).toBeLessThanOrEqual(64 * 1024);
  });

  it('keeps bufferedAmount bounded on a slow channel (back-pressure)', async () => {
    const chunkSize = 16 * 1024;
    const highWaterMark = 128 * 1024;
    const progress: number[] = [];
    const { sender, received } = await transfer(
      randomBytes(2_000_000),
      { bytesPerTick: 32 * 1024, tickMs: 1, sendQueueLimit: 512 * 1024 },
      {},
      { chunkSize, highWaterMark, lowWaterMark: 32 * 1024, onProgress: (p: TransferProgress) => progress.push(p.bytes) },
    );
    // Without back-pressure 2 MB would pass the fake's 512 KiB send-queue limit and throw.
    expect(sender.peakBufferedAmount).toBeLessThanOrEqual(highWaterMark + chunkSize);
    expect(progress.at(-1)).toBe(2_000_000);
    await eventually(() => expect(received.completed).toHaveLength(1));
  });

  it('fails fast instead of overfilling when back-pressure is effectively off', async () => {
    const [sender] = createChannelPair({ bytesPerTick: 1024, tickMs: 5, sendQueueLimit: 256 * 1024 });
    await expect(
      sendBlob(sender, randomBytes(1_000_000), {}, { highWaterMark: 10 * 1024 * 1024 }),
    ).rejects.toMatchObject({ code: ErrorCode.ChannelClosed, cause: expect.objectContaining({ name: 'OperationError' }) });
  });

  it('takes the MIME type from a Blob and transfers an empty payload', async () => {
    const [sender, receiverChannel] = createChannelPair();
    const received = receiveOn(receiverChannel);
    await sendBlob(sender, new Blob([randomBytes(1000)], { type: 'image/png' }));
    await sendBlob(sender, new Uint8Array(0), { mime: 'text/plain' });
    await eventually(() => expect(received.completed).toHaveLength(2));
    expect(received.completed[0]?.header.mime).toBe('image/png');
    expect(received.completed[1]?.bytes.byteLength).toBe(0);
    expect(received.completed[1]?.sha256).toBe(nodeSha256(new Uint8Array(0)));
  });

  it('reassembles two interleaved transfers on one channel by tag', async () => {
    const [sender, receiverChannel] = createChannelPair({ bytesPerTick: 16 * 1024, tickMs: 1 });
    const received = receiveOn(receiverChannel);
    const first = randomBytes(200_000, 1);
    const second = randomBytes(150_000, 2);
    const options = { chunkSize: 8 * 1024, highWaterMark: 16 * 1024, lowWaterMark: 8 * 1024 };
    await Promise.all([
      sendBlob(sender, first, { id: 'first' }, options),
      sendBlob(sender, second, { id: 'second' }, options),
    ]);
    // The chunks really interleaved on the wire.
    const tags = sender.sent.filter((m): m is ArrayBuffer => typeof m !== 'string').map((m) => new DataView(m).getUint32(0));
    expect(tags.indexOf(2)).toBeLessThan(tags.lastIndexOf(1));
    await eventually(() => expect(received.completed).toHaveLength(2));
    const byId = Object.fromEntries(received.completed.map((t) => [t.id, t.bytes]));
    expectSameBytes(byId.first, first);
    expectSameBytes(byId.second, second);
    expect(received.errors).toEqual([]);
  });

  it('refuses a second transfer with the id of one in progress, and keeps the first', async () => {
    const [sender, receiverChannel] = createChannelPair({ bytesPerTick: 16 * 1024, tickMs: 1 });
    const received = receiveOn(receiverChannel);
    const options = { chunkSize: 8 * 1024, highWaterMark: 16 * 1024 };
    const payloads = [randomBytes(100_000, 3), randomBytes(100_000, 4)];
    await Promise.all(payloads.map((bytes) => sendBlob(sender, bytes, { id: 'same' }, options)));
    await eventually(() => expect(received.completed).toHaveLength(1));
    // Hashing is async, so either header may go out first; the first one on the wire is kept.
    const firstHeader = JSON.parse(sender.sent.find((m) => typeof m === 'string') as string) as TransferHeader;
    const kept = payloads.find((bytes) => nodeSha256(bytes) === firstHeader.sha256) as Uint8Array;
    expectSameBytes(received.completed[0]?.bytes, kept);
    expect(received.errors).toHaveLength(1);
    expect(received.errors[0]?.error.code).toBe(ErrorCode.TransferProtocol);
    expect(received.errors[0]?.error.message).toContain('same id is still in progress');
  });

  it('detects a corrupted chunk by SHA-256 and discards the copy', async () => {
    const bytes = randomBytes(200_000);
    const { received } = await transfer(bytes, {
      tamper: (data, index) => {
        if (index !== 2 || typeof data === 'string') return data;
        const copy = new Uint8Array(data.slice(0));
        copy[100] = (copy[100] ?? 0) ^ 0xff;
        return copy.buffer;
      },
    });
    await eventually(() => expect(received.errors).toHaveLength(1));
    expect(received.errors[0]).toMatchObject({ id: expect.any(String), error: { code: ErrorCode.TransferHashMismatch } });
    expect(received.completed).toEqual([]);
  });

  it('reports a missing last chunk as truncated when the end marker arrives', async () => {
    const bytes = randomBytes(200_000);
    let chunks = 0;
    const total = Math.ceil(200_000 / (MAX_CHUNK_SIZE - 8));
    const { received } = await transfer(bytes, {
      tamper: (data) => (typeof data !== 'string' && ++chunks === total ? null : data),
    });
    await eventually(() => expect(received.errors).toHaveLength(1));
    expect(received.errors[0]?.error.code).toBe(ErrorCode.TransferTruncated);
    expect(received.errors[0]?.error.message).toMatch(/ended after \d+ of 200000 bytes/);
  });

  it('reports a missing middle chunk as the bytes that never arrived', async () => {
    let chunks = 0;
    const { received } = await transfer(randomBytes(200_000), {
      tamper: (data) => (typeof data !== 'string' && ++chunks === 2 ? null : data),
    });
    await eventually(() => expect(received.errors).toHaveLength(1));
    expect(received.errors[0]?.error.code).toBe(ErrorCode.TransferTruncated);
    expect(received.errors[0]?.error.message).toContain(`bytes ${MAX_CHUNK_SIZE - 8}–${2 * (MAX_CHUNK_SIZE - 8) - 1} never arrived`);
    expect(received.completed).toEqual([]);
  });

  it('reports more bytes than the header announced as a size mismatch', async () => {
    const { received } = await transfer(randomBytes(100_000), {
      tamper: (data) => {
        if (typeof data !== 'string') return data;
        const message = JSON.parse(data) as { kind: string; size: number };
        return message.kind === 'header' ? JSON.stringify({ ...message, size: 70_000 }) : data;
      },
    });
    await eventually(() => expect(received.errors).toHaveLength(1));
    expect(received.errors[0]?.error.code).toBe(ErrorCode.TransferSizeMismatch);
  });

  it('refuses transfers above maxSize without a flood of errors, then accepts the next one', async () => {
    const [sender, receiverChannel] = createChannelPair();
    const received = receiveOn(receiverChannel, 100_000);
    await sendBlob(sender, randomBytes(300_000), { id: 'big' });
    await sendBlob(sender, randomBytes(50_000), { id: 'small' });
    await eventually(() => expect(received.completed.map((t) => t.id)).toEqual(['small']));
    expect(received.errors).toHaveLength(1);
    expect(received.errors[0]).toMatchObject({ id: 'big', error: { code: ErrorCode.TransferTooLarge } });
  });

  it('cancels with an AbortSignal: the sender rejects and the receiver hears why', async () => {
    const [sender, receiverChannel] = createChannelPair({ bytesPerTick: 16 * 1024, tickMs: 1 });
    const received = receiveOn(receiverChannel);
    const controller = new AbortController();
    const sending = sendBlob(sender, randomBytes(1_000_000), { id: 'cancelled' }, {
      highWaterMark: 64 * 1024,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.bytes > 200_000) controller.abort('user pressed Stop');
      },
    });
    await expect(sending).rejects.toMatchObject({ code: ErrorCode.TransferAborted, message: expect.stringContaining('user pressed Stop') });
    await eventually(() => expect(received.errors).toHaveLength(1));
    expect(received.errors[0]).toMatchObject({ id: 'cancelled', error: { code: ErrorCode.TransferAborted } });
    expect(received.receiver.pending).toBe(0);
  });

  it('fails both ends when the channel closes mid-transfer', async () => {
    const [sender, receiverChannel] = createChannelPair({ bytesPerTick: 16 * 1024, tickMs: 1 });
    const received = receiveOn(receiverChannel);
    const sending = sendBlob(sender, randomBytes(1_000_000), {}, {
      highWaterMark: 64 * 1024,
      onProgress: (p) => {
        if (p.bytes > 300_000 && sender.readyState === 'open') sender.close();
      },
    });
    await expect(sending).rejects.toMatchObject({ code: ErrorCode.ChannelClosed });
    await eventually(() => expect(received.errors).toHaveLength(1));
    expect(received.errors[0]?.error.code).toBe(ErrorCode.TransferTruncated);
    expect(received.errors[0]?.error.message).toContain('closed');
  });

  it('refuses channels that may drop or reorder messages, and bad chunk sizes', async () => {
    const [unordered] = createChannelPair({ ordered: false });
    await expect(sendBlob(unordered, randomBytes(10))).rejects.toMatchObject({ code: ErrorCode.UnreliableChannel });
    const [lossy] = createChannelPair({ maxRetransmits: 0 });
    await expect(sendBlob(lossy, randomBytes(10))).rejects.toMatchObject({ code: ErrorCode.UnreliableChannel });
    const [fine] = createChannelPair();
    await expect(sendBlob(fine, randomBytes(10), {}, { chunkSize: 64 * 1024 + 1 })).rejects.toMatchObject({ code: ErrorCode.InvalidArgument });
    fine.setConnecting();
    await expect(sendBlob(fine, randomBytes(10))).rejects.toMatchObject({ code: ErrorCode.ChannelClosed, message: expect.stringContaining('waitForOpen') });
  });

  it('passes other messages through, and handles Blob chunks in order', async () => {
    const [sender, receiverChannel] = createChannelPair();
    const received = receiveOn(receiverChannel);
    sender.send('hello');
    sender.send('{"not":"a transfer"}');
    await eventually(() => expect(received.messages).toEqual(['hello', '{"not":"a transfer"}']));

    // A browser with binaryType "blob" (or a page feeding its own onmessage) hands in Blobs.
    const direct = new ChunkReceiver({ logger: silentLogger });
    const done: ReceivedTransfer[] = [];
    direct.on('complete', (t) => done.push(t));
    const [blobSender] = createChannelPair();
    const bytes = randomBytes(150_000);
    await sendBlob(blobSender, bytes, { id: 'b' });
    for (const message of blobSender.sent) {
      void direct.handle(typeof message === 'string' ? message : new Blob([message]));
    }
    await eventually(() => expect(done).toHaveLength(1));
    expectSameBytes(done[0]?.bytes, bytes);
  });

  it('sha256Hex matches node:crypto', async () => {
    const bytes = randomBytes(12345);
    expect(await sha256Hex(bytes)).toBe(nodeSha256(bytes));
  });
});

describe('receiveTransfer', () => {
  it('resolves with the next transfer, intact', async () => {
    const [sender, receiver] = createChannelPair();
    const bytes = randomBytes(200_000);
    const received = receiveTransfer(receiver, { timeoutMs: 3000, timedOut: () => 'too slow' });
    await sendBlob(sender, bytes);
    expectSameBytes((await received).bytes, bytes);
  });

  it('after the deadline says how far it got: the message is timedOut(bytes arrived), code CHANNEL_TIMEOUT', async () => {
    const [sender, receiver] = createChannelPair();
    const received = receiveTransfer(receiver, { timeoutMs: 100, timedOut: (arrived) => `only ${arrived} bytes arrived` });
    // A header for 200 000 bytes, then one chunk of them, then nothing: a transfer that stalled.
    const header = { kind: 'header', v: 1, id: 'stalled', tag: 7, size: 200_000, mime: 'application/octet-stream', sha256: '0'.repeat(64), chunkSize: MAX_CHUNK_SIZE };
    sender.send(JSON.stringify(header));
    const chunk = new Uint8Array(8 + 1000);
    new DataView(chunk.buffer).setUint32(0, 7);
    sender.send(chunk.buffer);
    await expect(received).rejects.toMatchObject({ code: ErrorCode.ChannelTimeout, message: 'only 1000 bytes arrived' });
  });

  it('rejects with TRANSFER_ABORTED when its signal aborts', async () => {
    const [, receiver] = createChannelPair();
    const controller = new AbortController();
    const received = receiveTransfer(receiver, { timeoutMs: 3000, timedOut: () => 'too slow', signal: controller.signal });
    controller.abort('Cancelled by the user');
    await expect(received).rejects.toMatchObject({ code: ErrorCode.TransferAborted });
  });
});

describe('transfers in Chinese', () => {
  inChinese();

  it('names the bytes that never arrived in Chinese', async () => {
    let chunks = 0;
    const { received } = await transfer(randomBytes(200_000), {
      tamper: (data) => (typeof data !== 'string' && ++chunks === 2 ? null : data),
    });
    await eventually(() => expect(received.errors).toHaveLength(1));
    expect(received.errors[0]?.error.explanation.detail).toContain(`第 ${MAX_CHUNK_SIZE - 8}–${2 * (MAX_CHUNK_SIZE - 8) - 1} 字节一直没有到达`);
    expect(received.errors[0]?.error.explanation.title).toBe('传输不完整');
  });
});
