/**
 * The live objects /photo/ puts on `window` for the console, as webrtc/samples does: `pc`,
 * `dataChannel`, `stream`, `socket`, the last photo each way, and `photoDebug`. Typed here, not on
 * the global Window, since no other page sets them.
 */
import type { SignalingClient } from '@workbench/core/signaling-client';
import type { TransferMeta } from '@workbench/core/data-channel';
import { m } from '@workbench/i18n/messages';
import { CHUNK_SIZE, HIGH_WATER, type ReceivedPhoto, type SentSummary } from './photoTransfers.svelte.js';

/** The last received photo, with `width`/`height` as decoded from its bytes. */
export type ReceivedForConsole = Omit<ReceivedPhoto, 'url' | 'announced' | 'decoded'> & { width?: number; height?: number; announcedWidth?: number; announcedHeight?: number };

export interface PhotoDebug {
  sendPayload(size: number): Promise<SentSummary>;
  highWaterMark: number;
  chunkSize: number;
}

export interface PhotoWindow {
  pc?: RTCPeerConnection | undefined;
  dataChannel?: RTCDataChannel | undefined;
  socket?: SignalingClient['socket'] | undefined;
  stream?: MediaStream | undefined;
  lastSent?: SentSummary | undefined;
  lastReceived?: ReceivedForConsole | undefined;
  photoDebug?: PhotoDebug;
}

export const live = window as unknown as PhotoWindow;

/** A received photo as the console shows it: no object URL, its sizes flattened. */
export function receivedForConsole({ url: _url, announced, decoded, ...photo }: ReceivedPhoto): ReceivedForConsole {
  return {
    ...photo,
    ...(decoded ? { width: decoded.width, height: decoded.height } : {}),
    ...(announced.width !== undefined ? { announcedWidth: announced.width } : {}),
    ...(announced.height !== undefined ? { announcedHeight: announced.height } : {}),
  };
}

/**
 * For the console, the benchmark and the browser tests: send `size` random bytes through the
 * same path as a photo, e.g. `await photoDebug.sendPayload(5e6)`; the result includes the
 * highest bufferedAmount seen, which back-pressure keeps near `highWaterMark`.
 */
export function photoDebug(channel: { readonly ready: boolean; send(data: Uint8Array<ArrayBuffer>, meta: TransferMeta & { name: string }): Promise<SentSummary> }): PhotoDebug {
  let payloadCount = 0;
  return {
    highWaterMark: HIGH_WATER,
    chunkSize: CHUNK_SIZE,
    sendPayload(size: number): Promise<SentSummary> {
      const bytes = new Uint8Array(size);
      // getRandomValues fills at most 64 KiB per call.
      for (let offset = 0; offset < size; offset += 65536) crypto.getRandomValues(bytes.subarray(offset, offset + 65536));
      if (!channel.ready) return Promise.reject(new Error(m.photo_channel_not_open()));
      return channel.send(bytes, { mime: 'application/octet-stream', name: `payload-${++payloadCount}.bin` });
    },
  };
}
