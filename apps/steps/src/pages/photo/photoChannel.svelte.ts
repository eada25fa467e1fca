/**
 * The "photos" channel RoomCall negotiates for this page: PhotoTransfers listens on it while it
 * lives, its readyState is shown, and it is dropped with its connection (peer left, Hang Up).
 */
import type { TransferMeta } from '@workbench/core/data-channel';
import { formatMs } from '@workbench/i18n/format';
import { m } from '@workbench/i18n/messages';
import type { LogSink } from '@workbench/ui';
import type { PhotoNetwork } from './photoNetwork.js';
import { formatBytes } from './photoOptions.js';
import type { PhotoTransfers, SentSummary } from './photoTransfers.svelte.js';
import { live } from './photoWindow.js';

export class PhotoChannel {
  state: RTCDataChannelState | 'none' = $state('none');
  /** When the server said 'ready' (performance.now()): the channel's opening is timed from it. */
  readyAt = 0;
  #channel: RTCDataChannel | null = null;
  #detach: (() => void) | null = null;

  constructor(
    private readonly transfers: PhotoTransfers,
    private readonly network: PhotoNetwork,
    private readonly log: LogSink,
  ) {}

  get open(): boolean {
    return this.state === 'open';
  }

  /** A channel to send on, and the code to send with. */
  get ready(): boolean {
    return this.#channel !== null && this.network.net !== null;
  }

  /** RoomCall made the channel (window.dataChannel): receive on it, follow its readyState. */
  use(dc: RTCDataChannel): void {
    const net = this.network.net;
    if (!net) return;
    this.#channel = dc;
    live.dataChannel = dc;
    this.state = dc.readyState;
    const stopReceiving = this.transfers.listen(dc, net);
    const onOpen = () => {
      this.state = dc.readyState;
      this.log.info(m.photo_log_channel_open({ ms: formatMs(Math.round(performance.now() - this.readyAt)) }), 'photos');
    };
    const onClose = () => {
      this.state = dc.readyState;
      this.log.info(m.photo_log_channel_closed(), 'photos');
    };
    dc.addEventListener('open', onOpen);
    dc.addEventListener('close', onClose);
    this.#detach = () => {
      stopReceiving();
      dc.removeEventListener('open', onOpen);
      dc.removeEventListener('close', onClose);
    };
  }

  /** Sends one transfer; only while `ready`. */
  send(data: Blob | Uint8Array<ArrayBuffer>, meta: TransferMeta & { name: string }): Promise<SentSummary> {
    const net = this.network.net;
    if (!this.#channel || !net) return Promise.reject(new Error(m.photo_channel_not_open()));
    return this.transfers.send(this.#channel, net, data, meta);
  }

  /** The peer left: the channel goes; returns what it cut off, for the page's peer-left note ('' if nothing). */
  peerLeft(): string {
    // Closing our own connection fires no 'close' on the channel, so say here what was cut off.
    const unfinished = this.transfers.takeUnfinished();
    this.drop(m.photo_reason_peer_left());
    return unfinished ? m.photo_cut_short({ name: unfinished.name, bytes: formatBytes(unfinished.bytes), total: formatBytes(unfinished.total) }) : '';
  }

  /** The channel is gone with its connection; `why` is what a send in progress is told. */
  drop(why: string): void {
    this.transfers.cancel(why);
    this.#detach?.();
    this.#detach = null;
    this.#channel = null;
    this.state = live.dataChannel?.readyState ?? 'none';
  }
}
