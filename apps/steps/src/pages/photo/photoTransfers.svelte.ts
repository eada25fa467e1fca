/**
 * Both directions of the "photos" channel: sending through core's sendBlob with progress and the
 * peak of bufferedAmount, receiving through core's ChunkReceiver into a trail of photos (newest
 * first) whose Blobs are hashed again here. Reactive fields for the page to show; callbacks for
 * what the page does with the results (window.lastSent, the error panel).
 */
import type { ReceivedTransfer, TransferHeader, TransferMeta, TransferProgress } from '@workbench/core/data-channel';
import { ErrorCode, WorkbenchError } from '@workbench/core/errors';
import { m } from '@workbench/i18n/messages';
import { logTo, type LogSink } from '@workbench/ui';
import type * as Network from './network.js';
import { describeTransfer, extensionFor, formatBytes, shortHash } from './photoOptions.js';

/** Core's transfer functions, from the networking chunk the page loads after its first paint. */
export type TransferCore = Pick<typeof Network, 'ChunkReceiver' | 'sendBlob' | 'sha256Hex'>;

/**
 * Chunks with their 8-byte prefix: core's MAX_CHUNK_SIZE, the most every browser pair delivers in
 * one message (sendBlob refuses more, so this cannot silently drift from core).
 */
export const CHUNK_SIZE = 64 * 1024;
/** sendBlob waits for `bufferedamountlow` once this much is queued, and resumes at LOW_WATER. */
export const HIGH_WATER = 1024 * 1024;
export const LOW_WATER = 256 * 1024;
/** Older photos are dropped (and their object URLs released) beyond this many. */
export const TRAIL_LENGTH = 12;

export interface Progress {
  name: string;
  bytes: number;
  total: number;
}

/** What was sent: `lastSent.sha256` here equals `lastReceived.sha256` on the other side. */
export interface SentSummary {
  id: string;
  sha256: string;
  size: number;
  width?: number;
  height?: number;
  mime: string;
  chunks: number;
  durationMs: number;
  /** The highest bufferedAmount seen right after a send(): back-pressure keeps it near HIGH_WATER. */
  peakBufferedAmount: number;
}

export interface ReceivedPhoto {
  id: string;
  name: string;
  blob: Blob;
  /** An object URL of `blob` for <img> and the download link; revoked when the photo leaves the trail. */
  url: string;
  mime: string;
  size: number;
  /** What the sender announced in the header. */
  announced: { width?: number; height?: number };
  /** What the received bytes decode to; absent for payloads that are not images. */
  decoded?: { width: number; height: number };
  /** SHA-256 of `blob`, computed here again, and the one the header announced. */
  sha256: string;
  headerSha256: string;
  hashOk: boolean;
  ms: number;
}

export interface PhotoTransfersOptions {
  log: LogSink;
  /** A transfer failed in a way the page should explain. */
  onFailure: (failure: WorkbenchError) => void;
  onSent?: (sent: SentSummary) => void;
  onReceived?: (photo: ReceivedPhoto) => void;
}

export class PhotoTransfers {
  sending = $state(false);
  sendProgress: Progress | null = $state.raw(null);
  receiveProgress: Progress | null = $state.raw(null);
  lastSent: SentSummary | null = $state.raw(null);
  trail: readonly ReceivedPhoto[] = $state.raw([]);

  readonly #log: LogSink;
  readonly #options: PhotoTransfersOptions;
  #abort: AbortController | null = null;
  /** The incoming transfer a closing channel cut short, until the peer-left message explains why. */
  #interrupted: Progress | null = null;

  constructor(options: PhotoTransfersOptions) {
    this.#options = options;
    this.#log = options.log;
  }

  /** Receives on `channel`; returns the function that stops listening. */
  listen(channel: RTCDataChannel, core: TransferCore): () => void {
    const receiver = new core.ChunkReceiver({ logger: logTo(this.#log, 'photos') });
    receiver.on('header', (header) => this.#onHeader(header));
    receiver.on('progress', (progress) => this.#onProgress(progress));
    receiver.on('complete', (transfer) => void this.#onComplete(transfer, core));
    receiver.on('error', (failure, id) => this.#onError(failure, id, channel));
    receiver.on('message', (data) =>
      this.#log.info(m.photo_log_not_a_transfer({ what: typeof data === 'string' ? JSON.stringify(data.slice(0, 80)) : formatBytes(data.byteLength) }), 'photos'),
    );
    return receiver.attach(channel);
  }

  /** Sends `data` as one transfer; rejects (after reporting it) when it fails. */
  async send(channel: RTCDataChannel, core: TransferCore, data: Blob | Uint8Array<ArrayBuffer>, meta: TransferMeta & { name: string }): Promise<SentSummary> {
    const controller = new AbortController();
    this.#abort = controller;
    this.sending = true;
    const total = data instanceof Blob ? data.size : data.byteLength;
    this.sendProgress = { name: meta.name, bytes: 0, total };
    let peak = 0;
    const onProgress = (progress: TransferProgress) => {
      // Sampled right after each send(): as high as bufferedAmount ever gets.
      peak = Math.max(peak, channel.bufferedAmount);
      this.sendProgress = { name: meta.name, bytes: progress.bytes, total: progress.totalBytes };
    };
    try {
      const sent = await core.sendBlob(channel, data, meta, {
        chunkSize: CHUNK_SIZE,
        highWaterMark: HIGH_WATER,
        lowWaterMark: LOW_WATER,
        signal: controller.signal,
        logger: logTo(this.#log, 'photos'),
        onProgress,
      });
      const summary: SentSummary = {
        id: sent.id,
        sha256: sent.sha256,
        size: sent.size,
        ...(meta.width !== undefined ? { width: meta.width } : {}),
        ...(meta.height !== undefined ? { height: meta.height } : {}),
        mime: sent.mime,
        chunks: sent.chunks,
        durationMs: sent.durationMs,
        peakBufferedAmount: peak,
      };
      this.lastSent = summary;
      this.#log.info(
        m.photo_log_sent({ name: meta.name, transfer: describeTransfer(sent.size, sent.durationMs), chunks: sent.chunks, hash: shortHash(sent.sha256), peak: formatBytes(peak) }),
        'photos',
      );
      this.#options.onSent?.(summary);
      return summary;
    } catch (failure) {
      if (controller.signal.aborted) {
        // This page stopped it (Hang Up, the other person left): part of the flow, said as such.
        this.#log.info(m.photo_log_not_sent({ name: meta.name, reason: String(controller.signal.reason) }), 'photos');
      } else {
        this.#log.error(m.photo_log_send_failed({ name: meta.name, message: failure instanceof Error ? failure.message : String(failure) }), 'photos');
        this.#options.onFailure(failure instanceof WorkbenchError ? failure : new WorkbenchError(ErrorCode.ChannelClosed, undefined, { cause: failure }));
      }
      throw failure;
    } finally {
      if (this.#abort === controller) this.#abort = null;
      this.sending = false;
      this.sendProgress = null;
    }
  }

  /**
   * Stops a send in progress. Needed when the page closes its own connection: that fires no
   * 'close' on the channel, so a send waiting for `bufferedamountlow` would wait forever.
   */
  cancel(reason: string): void {
    this.#abort?.abort(reason);
  }

  /** How far an unfinished transfer (incoming first) got, for the peer-left explanation; forgets it. */
  takeUnfinished(): Progress | null {
    const unfinished = this.receiveProgress ?? this.#interrupted ?? this.sendProgress;
    this.receiveProgress = null;
    this.#interrupted = null;
    return unfinished;
  }

  /** Releases every photo's object URL (when the page goes away). */
  dispose(): void {
    for (const photo of this.trail) URL.revokeObjectURL(photo.url);
    this.trail = [];
  }

  #onHeader(header: TransferHeader): void {
    this.#interrupted = null;
    const name = header.name ?? m.photo_transfer_name({ id: header.id.slice(0, 8) });
    this.receiveProgress = { name, bytes: 0, total: header.size };
    const dims = header.width && header.height ? m.photo_dims({ width: header.width, height: header.height }) : '';
    this.#log.info(m.photo_log_receiving({ name, dims, mime: header.mime, size: formatBytes(header.size), hash: shortHash(header.sha256) }), 'photos');
  }

  #onProgress(progress: TransferProgress): void {
    if (this.receiveProgress) this.receiveProgress = { ...this.receiveProgress, bytes: progress.bytes, total: progress.totalBytes };
  }

  async #onComplete(transfer: ReceivedTransfer, core: TransferCore): Promise<void> {
    this.receiveProgress = null;
    const { header } = transfer;
    const blob = transfer.toBlob();
    // The receiver already checked the bytes; hashing the Blob again proves that what is shown
    // and downloaded is exactly that, not only that the header said so.
    const sha256 = await core.sha256Hex(new Uint8Array(await blob.arrayBuffer()));
    let decoded: ReceivedPhoto['decoded'];
    if (header.mime.startsWith('image/')) {
      try {
        const bitmap = await createImageBitmap(blob);
        decoded = { width: bitmap.width, height: bitmap.height };
        bitmap.close();
      } catch (failure) {
        this.#log.error(m.photo_log_not_decoded({ name: header.name ?? header.id, mime: header.mime, message: failure instanceof Error ? failure.message : String(failure) }), 'photos');
      }
    }
    const name = header.name ?? `transfer-${header.id.slice(0, 8)}.${extensionFor(header.mime)}`;
    const photo: ReceivedPhoto = {
      id: header.id,
      name,
      blob,
      url: URL.createObjectURL(blob),
      mime: header.mime,
      size: blob.size,
      announced: { ...(header.width !== undefined ? { width: header.width } : {}), ...(header.height !== undefined ? { height: header.height } : {}) },
      ...(decoded ? { decoded } : {}),
      sha256,
      headerSha256: header.sha256,
      hashOk: sha256 === header.sha256,
      ms: transfer.durationMs,
    };
    const kept = [photo, ...this.trail];
    for (const dropped of kept.splice(TRAIL_LENGTH)) URL.revokeObjectURL(dropped.url);
    this.trail = kept;
    const received = { name, dims: decoded ? m.photo_dims(decoded) : '', transfer: describeTransfer(photo.size, photo.ms) };
    this.#log.info(photo.hashOk ? m.photo_log_received_ok(received) : m.photo_log_received_bad(received), 'photos');
    if (decoded && (decoded.width !== header.width || decoded.height !== header.height)) {
      this.#log.warn(m.photo_log_size_differs({ announced: `${header.width}×${header.height}`, actual: `${decoded.width}×${decoded.height}` }), 'photos');
    }
    this.#options.onReceived?.(photo);
  }

  #onError(failure: WorkbenchError, id: string | undefined, channel: RTCDataChannel): void {
    const progress = this.receiveProgress;
    this.receiveProgress = null;
    // Cut short because the channel closed: the other side left or hung up mid-transfer. That is
    // the flow, not a failure (issue 13): a normal line, and the page's peer-left note says how far
    // it got (the channel often closes a moment before the server's 'bye', so it is kept till then).
    if (failure.code === ErrorCode.TransferTruncated && channel.readyState !== 'open') {
      this.#interrupted = progress;
      this.#log.info(progress ? m.photo_log_cut_short({ name: progress.name, bytes: formatBytes(progress.bytes), total: formatBytes(progress.total) }) : m.photo_log_transfer_stopped(), 'photos');
      return;
    }
    // The sender cancelled it (it hung up, or its page closed): its choice, not a failure here.
    // When it hung up, its cancel often arrives before the channel closes and before 'bye': keep
    // how far the transfer got for the peer-left note, as when the channel closes first.
    if (failure.code === ErrorCode.TransferAborted) {
      this.#interrupted = progress;
      if (progress) this.#log.info(m.photo_cut_short({ name: progress.name, bytes: formatBytes(progress.bytes), total: formatBytes(progress.total) }), 'photos');
      this.#log.info(failure.message, 'photos');
      return;
    }
    this.#interrupted = null;
    this.#log.error(`${failure.code}${id ? ` (${id.slice(0, 8)})` : ''}: ${failure.message}`, 'photos');
    this.#options.onFailure(failure);
  }
}
