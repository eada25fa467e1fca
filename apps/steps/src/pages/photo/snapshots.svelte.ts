/**
 * Snap: the local video's current frame, drawn into the canvas at the video's own size and
 * encoded for sending; and the video's size, which is what Snap will take.
 */
import { m } from '@workbench/i18n/messages';
import type { LogSink } from '@workbench/ui';
import { formatBytes, type PhotoFormat } from './photoOptions.js';

export interface Snapshot {
  number: number;
  width: number;
  height: number;
}

export class Snapshots {
  /** The snapshot in the canvas, if any. */
  current: Snapshot | null = $state.raw(null);
  /** The local video has a frame to snap. */
  videoReady = $state(false);
  /** The local `<video>` Snap draws from and the `<canvas>` it draws into (the page's bind:this). */
  video: HTMLVideoElement | undefined = $state();
  canvas: HTMLCanvasElement | undefined = $state();
  #count = 0;
  #sizeLogged = '';

  constructor(private readonly log: LogSink) {}

  /** The local video's loadeddata and resize: say the size once, and again only when it changes. */
  readonly onVideoSize = (event: Event): void => {
    const video = event.currentTarget as HTMLVideoElement;
    if (video.videoWidth === 0) return;
    this.videoReady = true;
    const size = `${video.videoWidth}×${video.videoHeight}`;
    if (size === this.#sizeLogged) return;
    this.#sizeLogged = size;
    this.log.info(m.photo_log_video_size({ size }), 'camera');
  };

  /** The camera is off (Hang Up). */
  videoGone(): void {
    this.videoReady = false;
    this.#sizeLogged = '';
  }

  /**
   * Draws the current frame at the video's OWN size; null before the video has a frame. The
   * codelab sized the canvas from the receiver's video, so a photo from a camera of another
   * resolution arrived garbled or threw.
   */
  take(): Snapshot | null {
    const { video, canvas } = this;
    if (!video || !canvas || video.videoWidth === 0) return null;
    const width = video.videoWidth;
    const height = video.videoHeight;
    canvas.width = width;
    canvas.height = height;
    canvas.getContext('2d')?.drawImage(video, 0, 0, width, height);
    this.current = { number: ++this.#count, width, height };
    this.log.info(m.photo_log_snapped({ width, height }), 'photo');
    return this.current;
  }

  /** The canvas as `format` (JPEG at its quality, PNG); null when this browser cannot encode it. */
  async encode(format: PhotoFormat): Promise<Blob | null> {
    const canvas = this.canvas;
    if (!canvas) return null;
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, format.mime, format.quality));
    if (blob) this.log.info(m.photo_log_encoded({ call: `canvas.toBlob('${format.mime}'${format.quality ? `, ${format.quality}` : ''})`, size: formatBytes(blob.size) }), 'photo');
    return blob;
  }
}
