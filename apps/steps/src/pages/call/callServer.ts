/**
 * What /call/ asks of its server before anyone clicks Join: the signaling socket, opened as the
 * page opens (the codelab's io.connect()), and the ICE server list from /api/ice-servers, kept
 * fresh. Join then costs one round trip for the room, not a handshake and a fetch too.
 */
import { describeIceServers, loadIceServers, type IceServersResult } from '@workbench/core/ice-servers';
import type { SignalingClient } from '@workbench/core/signaling-client';
import { m } from '@workbench/i18n/messages';
import { Later, exposeOnWindow, logTo, type LogSink } from '@workbench/ui';

export interface CallServerEvents {
  /** The signaling server does not answer (connect_error). */
  unreachable(): void;
  /** socket.io reconnected after an outage. */
  reconnected(): void;
  /** A fresh ICE server list, in words for the page. */
  iceServers(text: string): void;
}

export class CallServer {
  /** socket.io-client, a chunk of its own fetched as the page opens; one that did not load (the server was down) is fetched again by the next Join. */
  readonly #code = new Later(() => import('@workbench/core/signaling-client'));
  #client: SignalingClient | undefined;
  /** The list last shown on the page: a list asked for again (Join, each connection) is said once. */
  #shown: Promise<IceServersResult> | undefined;

  constructor(
    private readonly log: LogSink,
    private readonly on: CallServerEvents,
  ) {}

  /** As the page opens: the socket and the ICE server list, so Join only asks for the room. */
  warmUp(): void {
    this.signaling().catch(() => this.on.unreachable()); // its chunk did not load: offline
    void this.iceServers(); // never rejects: a failed fetch is a warning and host candidates only
  }

  /** The socket (window.socket), made once its chunk is here. */
  async signaling(): Promise<SignalingClient> {
    const { SignalingClient } = await this.#code.get();
    if (this.#client) return this.#client;
    const log = this.log;
    const client = SignalingClient.connect(undefined, { logger: logTo(log, 'signaling', { info: false }) });
    exposeOnWindow({ socket: client.socket });
    client.on('connect', () => log.info(m.call_log_connected({ id: client.socket.id ?? '?' }), 'signaling'));
    client.on('connect_error', () => this.on.unreachable());
    client.on('disconnect', (reason) => reason !== 'io client disconnect' && log.warn(m.call_log_lost_server({ reason }), 'signaling'));
    client.on('reconnect', () => this.on.reconnected());
    this.#client = client;
    return client;
  }

  /** The ICE server list from /api/ice-servers: one fetch shared by page load, Join and each connection (core's loadIceServers). */
  async iceServers(): Promise<RTCIceServer[]> {
    const loading = loadIceServers();
    const ice = await loading;
    if (this.#shown === loading) return ice.iceServers;
    this.#shown = loading;
    const text = describeIceServers(ice.iceServers);
    this.on.iceServers(text);
    if (ice.problem) this.log.warn(m.call_log_host_only({ problem: ice.problem }), 'ice');
    this.log.info(m.call_log_ice_servers({ text }), 'ice');
    return ice.iceServers;
  }

  /** Closing or reloading the tab: the server hears the goodbye now, not after a ping timeout. */
  disconnect(): void {
    this.#client?.socket.disconnect();
  }

  close(): void {
    this.#client?.close();
  }
}
