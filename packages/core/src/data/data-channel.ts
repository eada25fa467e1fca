/** Data channels: wait for open / drained buffer, and chunked binary transfers (sendBlob, ChunkReceiver) with back-pressure and SHA-256 check. */

/*
 * Wire format of one transfer, all on one reliable, ordered channel:
 *   1. a JSON text message  {kind:'header', v:1, id, tag, size, mime, sha256, chunkSize, name?, width?, height?}
 *   2. binary chunks of at most 64 KiB: an 8-byte prefix (tag u32, offset u32, big-endian) + payload
 *   3. a JSON text message  {kind:'end', id, tag, chunks, size}   (or {kind:'abort', id, tag, reason})
 * The tag lets two transfers interleave on one channel; the offset makes a lost chunk detectable
 * instead of silently shifting every byte after it.
 */
import { m } from '@workbench/i18n/messages';
import { Emitter } from '../emitter.js';
import { ErrorCode, WorkbenchError } from '../errors.js';
import type { Logger } from '../logger.js';

/** The parts of RTCDataChannel used here; a real channel satisfies it, tests inject a fake. */
export interface DataChannelLike {
  readonly label: string;
  readonly readyState: RTCDataChannelState;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  binaryType: BinaryType;
  readonly ordered?: boolean;
  readonly maxRetransmits?: number | null;
  readonly maxPacketLifeTime?: number | null;
  send(data: string | ArrayBuffer): void;
  addEventListener(type: string, listener: (event: Event) => void): void;
  removeEventListener(type: string, listener: (event: Event) => void): void;
}

/** Largest chunk, prefix included: every browser pair delivers 64 KiB messages. */
export const MAX_CHUNK_SIZE = 64 * 1024;
const PREFIX_BYTES = 8;
const PROTOCOL_VERSION = 1;

function closedError(channel: DataChannelLike, doing: string, state: RTCDataChannelState = channel.readyState): WorkbenchError {
  return new WorkbenchError(
    ErrorCode.ChannelClosed,
    m.core_dc_closed_while({ label: channel.label, state, doing }),
  );
}

function abortedError(signal: AbortSignal | undefined): WorkbenchError {
  const reason = signal?.reason;
  return new WorkbenchError(
    ErrorCode.TransferAborted,
    reason instanceof Error
      ? m.core_dc_cancelled_reason({ reason: reason.message })
      : typeof reason === 'string'
        ? m.core_dc_cancelled_reason({ reason })
        : m.core_dc_cancelled(),
    { cause: reason },
  );
}

/**
 * Resolves once `channel` is open; rejects with CHANNEL_TIMEOUT after `timeoutMs`, or with
 * CHANNEL_CLOSED if it closes first. (In the codelab, Send before open throws.)
 */
export function waitForOpen(channel: DataChannelLike, timeoutMs = 10_000, signal?: AbortSignal): Promise<void> {
  // Read once: in Node (@roamhq/wrtc) readyState asks libwebrtc, whose network thread can open the
  // channel between two reads, and "connecting, then not connecting" was taken for a close.
  const state = channel.readyState;
  if (state === 'open') return Promise.resolve();
  if (state !== 'connecting') return Promise.reject(closedError(channel, m.core_dc_doing_waiting_open(), state));
  return new Promise<void>((resolve, reject) => {
    const finish = (error?: WorkbenchError) => {
      clearTimeout(timer);
      channel.removeEventListener('open', onOpen);
      channel.removeEventListener('close', onClose);
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };
    const onOpen = () => finish();
    const onClose = () => finish(closedError(channel, m.core_dc_doing_waiting_open()));
    const onAbort = () => finish(abortedError(signal));
    const timer = setTimeout(
      () =>
        finish(
          new WorkbenchError(
            ErrorCode.ChannelTimeout,
            m.core_dc_open_timeout({ label: channel.label, ms: timeoutMs }),
          ),
        ),
      timeoutMs,
    );
    channel.addEventListener('open', onOpen);
    channel.addEventListener('close', onClose);
    signal?.addEventListener('abort', onAbort);
  });
}

/**
 * Resolves once `channel.bufferedAmount` is at most `threshold`, using `bufferedamountlow`
 * (it sets `bufferedAmountLowThreshold`) rather than polling. Rejects if the channel closes.
 */
export function waitForBufferedAmountLow(
  channel: DataChannelLike,
  threshold: number = channel.bufferedAmountLowThreshold,
  signal?: AbortSignal,
): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortedError(signal));
  if (channel.readyState !== 'open') return Promise.reject(closedError(channel, m.core_dc_doing_draining()));
  if (channel.bufferedAmount <= threshold) return Promise.resolve();
  channel.bufferedAmountLowThreshold = threshold;
  return new Promise<void>((resolve, reject) => {
    const finish = (error?: WorkbenchError) => {
      channel.removeEventListener('bufferedamountlow', onLow);
      channel.removeEventListener('close', onClose);
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };
    const onLow = () => {
      if (channel.bufferedAmount <= threshold) finish();
    };
    const onClose = () => finish(closedError(channel, m.core_dc_doing_draining()));
    const onAbort = () => finish(abortedError(signal));
    channel.addEventListener('bufferedamountlow', onLow);
    channel.addEventListener('close', onClose);
    signal?.addEventListener('abort', onAbort);
  });
}

// ---- Transfer messages ------------------------------------------------------------------

export interface TransferHeader {
  kind: 'header';
  v: number;
  id: string;
  /** Per-channel number carried in every chunk's prefix. */
  tag: number;
  size: number;
  mime: string;
  /** Lower-case hex SHA-256 of the whole payload. */
  sha256: string;
  chunkSize: number;
  name?: string;
  width?: number;
  height?: number;
}

interface TransferEnd {
  kind: 'end';
  id: string;
  tag: number;
  chunks: number;
  size: number;
}

interface TransferAbort {
  kind: 'abort';
  id: string;
  tag: number;
  reason?: string;
}

/** Hex SHA-256 with WebCrypto (browsers expose it on secure origins only; Node ≥ 20 always). */
export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const subtle = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (!subtle) throw new WorkbenchError(ErrorCode.CryptoUnavailable);
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

function randomId(): string {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

async function toBytes(data: Blob | ArrayBuffer | ArrayBufferView): Promise<Uint8Array<ArrayBuffer>> {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) {
    const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    // A view on a SharedArrayBuffer can change under us and WebCrypto refuses it: copy.
    return view.buffer instanceof ArrayBuffer ? (view as Uint8Array<ArrayBuffer>) : view.slice();
  }
  return new Uint8Array(await data.arrayBuffer());
}

const nextTag = new WeakMap<object, number>();

// ---- Sending ----------------------------------------------------------------------------

export interface TransferMeta {
  /** Defaults to the Blob's type, else application/octet-stream. */
  mime?: string;
  name?: string;
  width?: number;
  height?: number;
  /** Defaults to a random UUID. */
  id?: string;
}

export interface TransferProgress {
  id: string;
  /** Payload bytes sent (or received) so far. */
  bytes: number;
  totalBytes: number;
  chunks: number;
}

export interface SendBlobOptions {
  /** Bytes per message including the 8-byte prefix; at most 64 KiB (the default). */
  chunkSize?: number;
  /** Pause sending while bufferedAmount is above this; default 1 MiB. */
  highWaterMark?: number;
  /** Resume when bufferedAmount falls to this (bufferedAmountLowThreshold); default 256 KiB. */
  lowWaterMark?: number;
  onProgress?: (progress: TransferProgress) => void;
  signal?: AbortSignal;
  logger?: Logger;
}

export interface SentTransfer {
  id: string;
  size: number;
  sha256: string;
  chunks: number;
  mime: string;
  /** From the first byte handed to the channel to the last (not until the peer has them). */
  durationMs: number;
}

/**
 * Sends `data` over `channel` as header, ≤ 64 KiB chunks and end marker. It never lets the
 * channel's send buffer grow past `highWaterMark` + one chunk: it waits for `bufferedamountlow`
 * instead (the codelab sent everything at once, which stalls or kills the channel for big
 * payloads). Rejects with TRANSFER_ABORTED, CHANNEL_CLOSED or UNRELIABLE_CHANNEL.
 */
export async function sendBlob(
  channel: DataChannelLike,
  data: Blob | ArrayBuffer | ArrayBufferView,
  meta: TransferMeta = {},
  options: SendBlobOptions = {},
): Promise<SentTransfer> {
  const chunkSize = options.chunkSize ?? MAX_CHUNK_SIZE;
  const highWaterMark = options.highWaterMark ?? 1024 * 1024;
  const lowWaterMark = Math.min(options.lowWaterMark ?? 256 * 1024, highWaterMark);
  const { signal } = options;
  if (!Number.isInteger(chunkSize) || chunkSize <= PREFIX_BYTES || chunkSize > MAX_CHUNK_SIZE) {
    throw new WorkbenchError(
      ErrorCode.InvalidArgument,
      m.core_dc_chunk_size({ min: PREFIX_BYTES + 1, max: MAX_CHUNK_SIZE, value: chunkSize }),
    );
  }
  if (channel.ordered === false || channel.maxRetransmits != null || channel.maxPacketLifeTime != null) {
    throw new WorkbenchError(ErrorCode.UnreliableChannel);
  }
  if (signal?.aborted) throw abortedError(signal);
  if (channel.readyState !== 'open') {
    throw closedError(channel, m.core_dc_doing_starting());
  }

  // Taken before the first await, so concurrent transfers on one channel get distinct tags.
  const tag = nextTag.get(channel) ?? 1;
  nextTag.set(channel, (tag % 0xffff_ffff) + 1);
  const bytes = await toBytes(data);
  const header: TransferHeader = {
    kind: 'header',
    v: PROTOCOL_VERSION,
    id: meta.id ?? randomId(),
    tag,
    size: bytes.byteLength,
    mime: meta.mime ?? (typeof Blob !== 'undefined' && data instanceof Blob && data.type ? data.type : 'application/octet-stream'),
    sha256: await sha256Hex(bytes),
    chunkSize,
    ...(meta.name !== undefined ? { name: meta.name } : {}),
    ...(meta.width !== undefined ? { width: meta.width } : {}),
    ...(meta.height !== undefined ? { height: meta.height } : {}),
  };

  const send = (message: string | ArrayBuffer, doing: string) => {
    if (channel.readyState !== 'open') throw closedError(channel, doing);
    try {
      channel.send(message);
    } catch (error) {
      throw new WorkbenchError(ErrorCode.ChannelClosed, m.core_dc_send_failed({ label: channel.label, doing }), {
        cause: error,
      });
    }
  };

  const started = performance.now();
  const payloadPerChunk = chunkSize - PREFIX_BYTES;
  let offset = 0;
  let chunks = 0;
  send(JSON.stringify(header), m.core_dc_doing_header());
  try {
    while (offset < bytes.byteLength) {
      if (signal?.aborted) throw abortedError(signal);
      if (channel.bufferedAmount > highWaterMark) {
        await waitForBufferedAmountLow(channel, lowWaterMark, signal);
      }
      const length = Math.min(payloadPerChunk, bytes.byteLength - offset);
      const chunk = new Uint8Array(PREFIX_BYTES + length);
      const view = new DataView(chunk.buffer);
      view.setUint32(0, header.tag);
      view.setUint32(4, offset);
      chunk.set(bytes.subarray(offset, offset + length), PREFIX_BYTES);
      send(chunk.buffer, m.core_dc_doing_chunk({ number: chunks + 1 }));
      offset += length;
      chunks += 1;
      options.onProgress?.({ id: header.id, bytes: offset, totalBytes: bytes.byteLength, chunks });
    }
  } catch (error) {
    if (error instanceof WorkbenchError && error.code === ErrorCode.TransferAborted && channel.readyState === 'open') {
      const abort: TransferAbort = { kind: 'abort', id: header.id, tag: header.tag, reason: error.message };
      channel.send(JSON.stringify(abort));
    }
    options.logger?.warn(m.core_dc_log_send_stopped({ id: header.id, offset, size: bytes.byteLength, error: String(error) }));
    throw error;
  }
  const end: TransferEnd = { kind: 'end', id: header.id, tag: header.tag, chunks, size: offset };
  send(JSON.stringify(end), m.core_dc_doing_end());
  return { id: header.id, size: bytes.byteLength, sha256: header.sha256, chunks, mime: header.mime, durationMs: performance.now() - started };
}

// ---- Receiving --------------------------------------------------------------------------

export interface ReceivedTransfer {
  id: string;
  header: TransferHeader;
  bytes: Uint8Array<ArrayBuffer>;
  sha256: string;
  /** From the header's arrival to the last chunk. */
  durationMs: number;
  /** The bytes as a Blob of the header's MIME type (for URL.createObjectURL or a download link). */
  toBlob(): Blob;
}

export type ChunkReceiverEvents = {
  /** A transfer started: show its name, size and dimensions before the bytes arrive. */
  header: (header: TransferHeader) => void;
  progress: (progress: TransferProgress) => void;
  /** All bytes arrived and their size and SHA-256 match the header. */
  complete: (transfer: ReceivedTransfer) => void;
  /** A transfer failed; `id` is absent when the message could not be tied to one. */
  error: (error: WorkbenchError, id?: string) => void;
  /** A message that is not part of a transfer, passed through for the page. */
  message: (data: string | ArrayBuffer) => void;
};

export interface ChunkReceiverOptions {
  /** Largest transfer accepted, in bytes; default 256 MiB. */
  maxSize?: number;
  logger?: Logger;
}

interface Incoming {
  header: TransferHeader;
  buffer: Uint8Array<ArrayBuffer>;
  received: number;
  chunks: number;
  started: number;
}

function isTransferMessage(value: unknown): value is { kind: 'header' | 'end' | 'abort' } & Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    ['header', 'end', 'abort'].includes((value as { kind?: unknown }).kind as string)
  );
}

const isU32 = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 0xffff_ffff;

/**
 * Reassembles transfers sent with {@link sendBlob}. Interleaved transfers are told apart by
 * tag; a second header with the id or tag of a transfer still in progress is refused. Each
 * completed transfer is checked against the header's size and SHA-256 before `complete`.
 *
 * ```ts
 * const receiver = new ChunkReceiver();
 * receiver.attach(channel);
 * receiver.on('complete', (t) => (img.src = URL.createObjectURL(t.toBlob())));
 * ```
 */
export class ChunkReceiver extends Emitter<ChunkReceiverEvents> {
  readonly maxSize: number;
  readonly #incoming = new Map<number, Incoming>();
  /** Tags of refused or failed transfers: their remaining chunks are dropped without more errors. */
  readonly #discarding = new Set<number>();
  #chain: Promise<void> = Promise.resolve();

  constructor(options: ChunkReceiverOptions = {}) {
    super(options.logger ? { logger: options.logger } : {});
    this.maxSize = options.maxSize ?? 256 * 1024 * 1024;
  }

  /** Transfers in progress. */
  get pending(): number {
    return this.#incoming.size;
  }

  /**
   * Listens to `channel` (and sets its binaryType to arraybuffer). Returns detach. When the
   * channel closes, every unfinished transfer fails with TRANSFER_TRUNCATED.
   */
  attach(channel: DataChannelLike): () => void {
    channel.binaryType = 'arraybuffer';
    const onMessage = (event: Event) => this.handle((event as MessageEvent).data as string | ArrayBuffer | Blob);
    const onClose = () => {
      this.#chain = this.#chain.then(() => this.#failAll(m.core_dc_channel_closed({ label: channel.label })));
    };
    channel.addEventListener('message', onMessage);
    channel.addEventListener('close', onClose);
    return () => {
      channel.removeEventListener('message', onMessage);
      channel.removeEventListener('close', onClose);
    };
  }

  /**
   * Feeds one message in (for pages that have their own onmessage). Processing is serialised:
   * a Blob has to be read asynchronously, and its chunk must not overtake the next message.
   * The promise settles when this message has been processed.
   */
  handle(data: string | ArrayBuffer | ArrayBufferView | Blob): Promise<void> {
    const run = this.#chain.then(() => this.#process(data));
    this.#chain = run.catch((error: unknown) => {
      this.emit('error', new WorkbenchError(ErrorCode.TransferProtocol, m.core_dc_unprocessable({ error: String(error) }), { cause: error }));
    });
    return this.#chain;
  }

  async #process(data: string | ArrayBuffer | ArrayBufferView | Blob): Promise<void> {
    if (typeof data === 'string') return this.#text(data);
    const bytes = await toBytes(data);
    return this.#chunk(bytes, data);
  }

  async #text(text: string): Promise<void> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!isTransferMessage(parsed)) {
      this.emit('message', text);
      return;
    }
    switch (parsed.kind) {
      case 'header':
        return this.#header(parsed);
      case 'end':
        return this.#end(parsed);
      case 'abort':
        return this.#abort(parsed);
    }
  }

  #header(message: Record<string, unknown>): void {
    const { id, tag, size, mime, sha256, chunkSize } = message;
    const valid =
      typeof id === 'string' && id.length > 0 && id.length <= 128 &&
      isU32(tag) && Number.isSafeInteger(size) && (size as number) >= 0 &&
      typeof mime === 'string' && typeof sha256 === 'string' && /^[0-9a-f]{64}$/.test(sha256) &&
      isU32(chunkSize);
    if (!valid) {
      this.#reject(undefined, typeof tag === 'number' ? tag : undefined, ErrorCode.TransferProtocol, m.core_dc_malformed_header({ json: JSON.stringify(message).slice(0, 200) }));
      return;
    }
    const header = message as unknown as TransferHeader;
    if (header.size > this.maxSize) {
      this.#reject(header.id, header.tag, ErrorCode.TransferTooLarge, m.core_dc_too_large({ name: header.name ?? header.id, size: header.size, max: this.maxSize }));
      return;
    }
    const clash = [...this.#incoming.values()].find((t) => t.header.id === header.id || t.header.tag === header.tag);
    if (clash) {
      // Refuse the newcomer and keep the one in progress: its chunks are already arriving.
      if (clash.header.tag !== header.tag) this.#discarding.add(header.tag);
      this.emit(
        'error',
        new WorkbenchError(
          ErrorCode.TransferProtocol,
          m.core_dc_clash({ id: header.id, other: clash.header.id, field: clash.header.id === header.id ? 'id' : 'tag' }),
        ),
        header.id,
      );
      return;
    }
    this.#discarding.delete(header.tag);
    this.#incoming.set(header.tag, { header, buffer: new Uint8Array(header.size), received: 0, chunks: 0, started: performance.now() });
    this.emit('header', header);
  }

  #chunk(bytes: Uint8Array<ArrayBuffer>, original: ArrayBuffer | ArrayBufferView | Blob): void {
    if (bytes.byteLength < PREFIX_BYTES) {
      this.#passThroughBinary(bytes, original);
      return;
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const tag = view.getUint32(0);
    const offset = view.getUint32(4);
    const transfer = this.#incoming.get(tag);
    if (!transfer) {
      if (this.#discarding.has(tag)) return;
      if (this.#incoming.size === 0) {
        this.#passThroughBinary(bytes, original);
        return;
      }
      this.emit('error', new WorkbenchError(ErrorCode.TransferProtocol, m.core_dc_unknown_tag({ tag })));
      return;
    }
    const { header } = transfer;
    const payload = bytes.subarray(PREFIX_BYTES);
    if (offset > transfer.received) {
      this.#reject(header.id, tag, ErrorCode.TransferTruncated, m.core_dc_gap({ id: header.id, from: transfer.received, to: offset - 1 }));
      return;
    }
    if (offset < transfer.received) {
      this.#reject(header.id, tag, ErrorCode.TransferProtocol, m.core_dc_repeat({ id: header.id, offset, received: transfer.received }));
      return;
    }
    if (offset + payload.byteLength > header.size) {
      this.#reject(header.id, tag, ErrorCode.TransferSizeMismatch, m.core_dc_overflow({ id: header.id, size: header.size }));
      return;
    }
    transfer.buffer.set(payload, offset);
    transfer.received += payload.byteLength;
    transfer.chunks += 1;
    this.emit('progress', { id: header.id, bytes: transfer.received, totalBytes: header.size, chunks: transfer.chunks });
  }

  async #end(message: Record<string, unknown>): Promise<void> {
    const tag = message.tag;
    if (!isU32(tag)) {
      this.emit('error', new WorkbenchError(ErrorCode.TransferProtocol, m.core_dc_malformed_end({ json: JSON.stringify(message).slice(0, 200) })));
      return;
    }
    const transfer = this.#incoming.get(tag);
    if (!transfer) {
      if (!this.#discarding.delete(tag)) {
        this.emit('error', new WorkbenchError(ErrorCode.TransferProtocol, m.core_dc_unknown_end({ id: String(message.id) })));
      }
      return;
    }
    const { header } = transfer;
    this.#incoming.delete(tag);
    if (transfer.received < header.size) {
      this.#reject(header.id, undefined, ErrorCode.TransferTruncated, m.core_dc_ended_early({ id: header.id, received: transfer.received, size: header.size }));
      return;
    }
    if (message.size !== undefined && message.size !== header.size) {
      this.#reject(header.id, undefined, ErrorCode.TransferSizeMismatch, m.core_dc_size_disagrees({ id: header.id, size: header.size, sent: String(message.size) }));
      return;
    }
    const sha256 = await sha256Hex(transfer.buffer);
    if (sha256 !== header.sha256) {
      this.#reject(header.id, undefined, ErrorCode.TransferHashMismatch, m.core_dc_hash_mismatch({ id: header.id, actual: sha256.slice(0, 12), expected: header.sha256.slice(0, 12) }));
      return;
    }
    const bytes = transfer.buffer;
    this.emit('complete', {
      id: header.id,
      header,
      bytes,
      sha256,
      durationMs: performance.now() - transfer.started,
      toBlob: () => new Blob([bytes], { type: header.mime }),
    });
  }

  #abort(message: Record<string, unknown>): void {
    const tag = message.tag;
    if (!isU32(tag)) return;
    const transfer = this.#incoming.get(tag);
    this.#discarding.delete(tag);
    if (!transfer) return;
    this.#incoming.delete(tag);
    const reason = typeof message.reason === 'string' ? message.reason : m.core_dc_sender_cancelled_default();
    this.emit('error', new WorkbenchError(ErrorCode.TransferAborted, m.core_dc_sender_cancelled({ id: transfer.header.id, reason })), transfer.header.id);
  }

  #failAll(why: string): void {
    for (const [tag, transfer] of this.#incoming) {
      this.#incoming.delete(tag);
      this.emit(
        'error',
        new WorkbenchError(ErrorCode.TransferTruncated, m.core_dc_stopped({ id: transfer.header.id, received: transfer.received, size: transfer.header.size, why })),
        transfer.header.id,
      );
    }
  }

  #passThroughBinary(bytes: Uint8Array<ArrayBuffer>, original: ArrayBuffer | ArrayBufferView | Blob): void {
    this.emit('message', original instanceof ArrayBuffer ? original : bytes.slice().buffer);
  }

  /** Fails a transfer and drops the rest of its chunks quietly. */
  #reject(id: string | undefined, tag: number | undefined, code: ErrorCode, message: string): void {
    if (tag !== undefined) {
      this.#incoming.delete(tag);
      this.#discarding.add(tag);
      // Bounded: a misbehaving sender must not grow this forever.
      if (this.#discarding.size > 1024) this.#discarding.delete(this.#discarding.values().next().value as number);
    }
    const error = new WorkbenchError(code, message);
    if (id === undefined) this.emit('error', error);
    else this.emit('error', error, id);
  }
}

export interface ReceiveTransferOptions {
  timeoutMs: number;
  /** The error's message when the deadline passes, from how many payload bytes had arrived by then. */
  timedOut: (arrivedBytes: number) => string;
  signal?: AbortSignal;
}

/**
 * The next transfer to arrive on `channel`, with a deadline counted from now: resolves with it,
 * rejects with the receiver's error, with TRANSFER_ABORTED when `signal` aborts, or after
 * `timeoutMs` with `timedOut(bytes arrived)`, because how far a stalled transfer got is the first
 * thing to say about it (the TURN loopback of the ICE page and `webrtc-workbench ice`). Stops
 * listening to the channel when it settles.
 */
export function receiveTransfer(channel: DataChannelLike, { timeoutMs, timedOut, signal }: ReceiveTransferOptions): Promise<ReceivedTransfer> {
  if (signal?.aborted) return Promise.reject(abortedError(signal));
  const receiver = new ChunkReceiver();
  let arrived = 0;
  receiver.on('progress', (progress) => {
    arrived = progress.bytes;
  });
  const detach = receiver.attach(channel);
  return new Promise<ReceivedTransfer>((resolve, reject) => {
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      detach();
      settle();
    };
    const onAbort = () => finish(() => reject(abortedError(signal)));
    const timer = setTimeout(() => finish(() => reject(new WorkbenchError(ErrorCode.ChannelTimeout, timedOut(arrived)))), timeoutMs);
    signal?.addEventListener('abort', onAbort);
    receiver.on('complete', (transfer) => finish(() => resolve(transfer)));
    receiver.on('error', (error) => finish(() => reject(error)));
  });
}
