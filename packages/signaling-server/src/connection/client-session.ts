/** What the server keeps per connected client, and the socket.io types every handler shares. */
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from '@workbench/core/protocol';
import type { Server, Socket } from 'socket.io';

export type SignalingServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type SignalingSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export class ClientSession {
  /** The id peers know this client by: its first socket's id, kept across a resume. */
  memberId: string;
  room: string | undefined;
  secret: string | undefined;
  /** Connected with `auth.resumeToken`, so its seat is held through a short disconnect. */
  readonly resumable: boolean;
  /** Disconnected for not reading: its seat is freed at once, not held for a resume. */
  evicted = false;
  /** Another connection took over this seat (a resume); this one leaves without a 'bye'. */
  replaced = false;
  /**
   * The other members as this client knows them. Room events are delivered through it, so that
   * each 'join', 'ready' and 'bye' reaches a client exactly once whatever order processes hear of them.
   */
  knownPeers = new Set<string>();

  constructor(memberId: string, resumable: boolean) {
    this.memberId = memberId;
    this.resumable = resumable;
  }
}

/** A client of this process: its connection and its session, one object per connection. */
export interface LocalMember {
  socket: SignalingSocket;
  session: ClientSession;
}
