/**
 * The networking chunk (./network.ts: socket.io-client, RoomCall, the transfers) and the
 * signaling socket, loaded as the page opens, as the codelab's io.connect(): Join then costs one
 * round trip, not a handshake too, and an unreachable server is explained before anyone clicks.
 */
import type { SignalingClient } from '@workbench/core/signaling-client';
import { m } from '@workbench/i18n/messages';
import type { LogSink } from '@workbench/ui';
import type * as Network from './network.js';
import { live } from './photoWindow.js';

export interface Connected {
  signaling: SignalingClient;
  net: typeof Network;
}

export interface PhotoNetworkEvents {
  /** The signaling server stopped answering (said once per outage). */
  unreachable(): void;
  /** It answers again. */
  reachable(): void;
  /** Whether the page is in a room now (a reconnect then rejoins it). */
  inRoom(): boolean;
}

export class PhotoNetwork {
  /** The loaded chunk, once it is: the channel's receiver and sender come from it. */
  net: typeof Network | null = null;
  #loading: Promise<Connected> | undefined;
  #down = false;

  constructor(
    private readonly log: LogSink,
    private readonly on: PhotoNetworkEvents,
  ) {}

  /** The signaling connection, made once; a failed load is tried again by the next call. */
  connect(): Promise<Connected> {
    const log = this.log;
    this.#loading ??= import('./network.js').then((loaded) => {
      this.net = loaded;
      const signaling = loaded.SignalingClient.connect();
      live.socket = signaling.socket;
      // socket.io retries forever and reports every failed attempt: say it once per outage.
      signaling.on('connect_error', () => {
        if (this.#down) return;
        this.#down = true;
        log.error(m.photo_log_unreachable(), 'signaling');
        this.on.unreachable();
      });
      signaling.on('connect', () => {
        if (!this.#down) return;
        this.#down = false;
        log.info(this.on.inRoom() ? m.photo_log_reachable_rejoining() : m.photo_log_reachable(), 'signaling');
        this.on.reachable();
      });
      return { signaling, net: loaded };
    });
    this.#loading.catch(() => {
      this.#loading = undefined; // a later Join tries to load it again
      log.error(m.photo_log_load_failed(), 'page');
    });
    return this.#loading;
  }

  /**
   * RoomCall's `configuration`: the ICE servers, asked for now (Join), beside the room (both are
   * round trips to the same server), and awaited when the call needs them.
   */
  iceConfiguration(): () => Promise<RTCConfiguration> {
    const ice = this.connect().then(({ net }) => net.loadIceServers());
    return async () => {
      const { iceServers, problem } = await ice;
      if (problem) this.log.warn(m.photo_log_ice_problem({ problem }), 'ice');
      return { iceServers };
    };
  }

  /** Closing or reloading the tab: the peer hears 'bye' now, not after a ping timeout. */
  disconnect(): void {
    void this.#loading?.then(({ signaling }) => signaling.socket.disconnect());
  }

  close(): void {
    void this.#loading?.then(({ signaling }) => signaling.close());
  }
}
