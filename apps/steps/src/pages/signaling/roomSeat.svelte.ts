/**
 * This page's seat in its room as the server sees it (phase, client id, role, who else is here),
 * the error to explain, and what happens to both when the signaling server goes away and comes
 * back: socket.io reconnects, SignalingClient rejoins, and the seat may have been given away.
 */
import { ErrorCode, explainConnectionFailure, explainJoinFailure, type Explanation, type WorkbenchError } from '@workbench/core/errors';
import type { JoinSuccess, SignalingClient } from '@workbench/core/signaling-client';
import { m } from '@workbench/i18n/messages';
import type { LogSink } from '@workbench/ui';
import type { Phase } from './roomTranscript.svelte.js';

export class RoomSeat {
  phase: Phase = $state('not joined');
  clientId: string | null = $state(null);
  role: string | null = $state(null);
  peers: string[] = $state([]);
  error: Explanation | null = $state.raw(null);

  constructor(private readonly log: LogSink) {}

  /** `id` as the lists show it: this page's own id is marked. */
  who(id: string): string {
    return id === this.clientId ? m.signaling_who_you({ id }) : id;
  }

  /**
   * The server gave this page its seat: on Join, and again after a reconnect. `peers` is the
   * client's list as of now, which may already hold someone who joined right behind the
   * acknowledgement (the acknowledgement's own list does not).
   */
  take(result: JoinSuccess, peers: readonly string[]): void {
    this.clientId = result.clientId;
    this.role = result.role;
    this.peers = [...peers];
    this.phase = 'in room';
    const company = result.peers.length === 0 ? m.signaling_log_alone() : m.signaling_log_with({ peers: result.peers.join(', ') });
    this.log.info(m.signaling_log_join_acknowledged({ role: result.role, room: result.room, id: result.clientId, company }), 'signaling');
  }

  /** Out of the room (Leave, or a seat lost): the id stays, to compare with the next one. */
  vacate(): void {
    this.phase = 'not joined';
    this.peers = [];
    this.role = null;
  }

  /** Follows the socket's troubles: lost, back, rejoined, refused, unreachable. */
  follow(signaling: SignalingClient, room: () => string): void {
    signaling.on('disconnect', (reason) => this.#onDisconnect(reason));
    signaling.on('reconnect', () => this.#onReconnect());
    signaling.on('rejoined', (result) => this.#onRejoined(result, signaling.peers));
    signaling.on('connect_error', (failure) => this.#onConnectError(failure));
    signaling.on('error', (failure) => this.#onSignalingError(failure, room(), signaling));
  }

  #onDisconnect(reason: string): void {
    // "io client disconnect" is this page's own doing (page closing); anything else is a lost server.
    if (reason === 'io client disconnect') return;
    this.log.warn(m.signaling_log_disconnected({ reason }), 'signaling');
    if (this.phase === 'in room' || this.phase === 'joining') this.phase = 'disconnected';
    this.peers = [];
    this.error = explainConnectionFailure(ErrorCode.SignalingUnreachable, { url: location.origin });
  }

  #onReconnect(): void {
    this.log.info(m.signaling_log_reconnected(), 'signaling');
    if (this.error?.code === ErrorCode.SignalingUnreachable) this.error = null;
    if (this.phase === 'disconnected' && this.clientId === null) this.phase = 'not joined';
  }

  /** A reconnect is a new socket: new client id, and the role and politeness may change too. */
  #onRejoined(result: JoinSuccess, peers: readonly string[]): void {
    this.log.info(m.signaling_log_rejoined({ room: result.room }), 'signaling');
    this.take(result, peers);
  }

  /** A refused request, or a rejoin after a reconnect that failed (someone took the seat meanwhile). */
  #onSignalingError(failure: WorkbenchError, room: string, signaling: SignalingClient): void {
    this.error = explainJoinFailure(failure, { room, url: location.origin });
    this.log.error(`${failure.code}: ${failure.message}`, 'signaling');
    if (signaling.room === undefined && this.phase !== 'joining') this.vacate();
  }

  #onConnectError(failure: WorkbenchError): void {
    const cause = failure.cause instanceof Error ? failure.cause.message : m.signaling_no_answer();
    this.log.error(m.signaling_log_connect_error({ cause }), 'signaling');
    this.error = explainConnectionFailure(ErrorCode.SignalingUnreachable, { url: location.origin });
    if (this.phase === 'joining' || this.phase === 'in room') this.phase = 'disconnected';
  }
}
