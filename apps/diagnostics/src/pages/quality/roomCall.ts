/**
 * The quality page's room mode: core's RoomCall (the same call /call/ and /photo/ make) with this
 * page's stream, codec and configuration, seen through the small interface the page shares with
 * its loopback call (videoSender, getStats, setCodec, close). Loaded on demand (the page imports
 * this module when Join is clicked), so socket.io-client stays out of the page's first load.
 */
import { Emitter } from '@workbench/core/emitter';
import type { WorkbenchError } from '@workbench/core/errors';
import type { Logger } from '@workbench/core/logger';
import type { Peer } from '@workbench/core/peer';
import { RoomCall as CoreRoomCall, type RoomCallStatus } from '@workbench/core/room-call';
import { SignalingClient, type JoinSuccess } from '@workbench/core/signaling-client';
import type { StatsInput } from '@workbench/core/stats';
import { preferredCodecOrder } from './senderControls.js';

/** The RoomCall statuses this page shows in words; the others are shown by the connection state. */
export type RoomStatus = Extract<RoomCallStatus, 'waiting' | 'connecting' | 'peer-left'>;

function isShown(status: RoomCallStatus): status is RoomStatus {
  return status === 'waiting' || status === 'connecting' || status === 'peer-left';
}

export type RoomCallEvents = {
  status: (status: RoomStatus) => void;
  /** A new connection for a new peer (window.pc, state events). */
  peer: (peer: Peer) => void;
  remoteStream: (stream: MediaStream) => void;
  error: (error: WorkbenchError) => void;
};

export interface RoomCallOptions {
  room: string;
  configuration: RTCConfiguration;
  stream: MediaStream;
  codec?: string | undefined;
  logger: Logger;
}

const codecOrder = (mimeType: string | undefined) => (mimeType ? (codecs: RTCRtpCodec[]) => preferredCodecOrder(codecs, mimeType) : undefined);

export class RoomCall extends Emitter<RoomCallEvents> {
  readonly mode = 'room' as const;
  readonly signaling: SignalingClient;
  readonly #call: CoreRoomCall;

  private constructor(options: RoomCallOptions) {
    super({ logger: options.logger });
    this.signaling = SignalingClient.connect(undefined, { logger: options.logger });
    this.#call = new CoreRoomCall({
      room: options.room,
      signaling: this.signaling,
      configuration: () => options.configuration,
      media: options.stream,
      codecOrder: codecOrder(options.codec),
      logger: options.logger,
    });
    this.#call.on('status', (status) => {
      if (isShown(status)) this.emit('status', status);
    });
    this.#call.on('peer', (peer) => this.emit('peer', peer));
    this.#call.on('track', (stream) => this.emit('remoteStream', stream));
    this.#call.on('error', (error) => this.emit('error', error));
  }

  /** Connects to the signaling server; subscribe to the events, then {@link join}. */
  static connect(options: RoomCallOptions): RoomCall {
    return new RoomCall(options);
  }

  /** Joins the room; rejects with the server's coded error (ROOM_FULL, INVALID_ROOM_NAME…) after closing this call. */
  async join(): Promise<JoinSuccess> {
    try {
      return await this.#call.join();
    } catch (error) {
      this.close();
      throw error;
    }
  }

  get room(): string {
    return this.#call.room;
  }

  get membership(): JoinSuccess | undefined {
    return this.#call.membership;
  }

  get peer(): Peer | undefined {
    return this.#call.peer;
  }

  get connectionPc(): RTCPeerConnection | undefined {
    return this.#call.peer?.pc;
  }

  get videoSender(): RTCRtpSender | undefined {
    return this.#call.peer?.getSenders().find((sender) => sender.track?.kind === 'video');
  }

  /** The current connection's report; an empty one while waiting for a peer. */
  async getStats(): Promise<StatsInput> {
    const peer = this.#call.peer;
    return peer ? peer.getStats() : new Map();
  }

  /** Applies a codec preference: to the next connection, and to this one at its next negotiation. */
  setCodec(mimeType: string | undefined): void {
    this.#call.setCodecOrder(codecOrder(mimeType));
  }

  /**
   * Closes the socket, then the connection: the server sees the socket go and tells the peer
   * 'bye' at once. The other order asked the server to confirm a goodbye on a socket closed the
   * next moment, and every Stop logged "The server did not confirm the goodbye" (issue 13).
   */
  close(): void {
    if (!this.signaling.closed) this.signaling.close();
    this.#call.close('stopped');
  }
}
