/**
 * One connection's side of the server: its session, its limits gate and serial queue, and the ways
 * a handler answers it (ack, refusal, log lines), so no handler repeats how refusals are counted,
 * rate-limited or turned into a disconnect.
 */
import { performance } from 'node:perf_hooks';
import { SignalingErrorCode, type Failure } from '@workbench/core/protocol';
import type { RejectionReason } from '../metrics.js';
import { RedisUnavailableError } from '../redis-seat-store.js';
import type { ClientSession, LocalMember, SignalingSocket } from './client-session.js';
import type { SignalingHub } from './hub.js';
import { FLOOD_DISCONNECT_AFTER, FLOOD_DRAIN_PER_SECOND, LimitsGate } from './limits-gate.js';
import { failure, REASONS, splitAck, type AnyAck } from './replies.js';
import { SerialQueue } from './serial-queue.js';

/** Events one client may have waiting behind a slow join; more are refused as a flood. */
export const MAX_QUEUED_EVENTS = 256;

/** A client event's handler: the value it sent, its ack if any, and when it arrived (for latency). */
export type EventHandler = (ctx: ClientContext, value: unknown, ack: AnyAck | undefined, arrivedAt: number) => void | Promise<void>;

export class ClientContext {
  readonly hub: SignalingHub;
  readonly socket: SignalingSocket;
  readonly session: ClientSession;
  /** The one object that stands for this connection in rooms and in `hub.sessions`. */
  readonly member: LocalMember;
  /** Who opened the connection: its address, or the client a trusted proxy forwards for. */
  readonly address: string;
  readonly gate: LimitsGate;
  readonly queue: SerialQueue;

  constructor(hub: SignalingHub, socket: SignalingSocket, session: ClientSession, address: string) {
    this.hub = hub;
    this.socket = socket;
    this.session = session;
    this.member = { socket, session };
    this.address = address;
    this.gate = new LimitsGate(hub.options.rateLimits, hub.options.addressLimits, address);
    // The member id is read when a task fails, not now: a resume changes it.
    this.queue = new SerialQueue(MAX_QUEUED_EVENTS, (event, error) => hub.options.logger.error(`'${event}' from ${session.memberId} failed`, error));
  }

  /** Lines for the codelab page's console, as its server's `log` event sent them. */
  log(...lines: string[]): void {
    this.socket.emit('log', lines);
  }

  /** Calls the client's ack; a client's ack can never throw into the handler. */
  answer(ack: AnyAck | undefined, response: unknown): void {
    try {
      ack?.(response);
    } catch (error) {
      this.hub.options.logger.warn(`acknowledgement to ${this.socket.id} failed`, error);
    }
  }

  /** Codelab clients pass no ack, so a refusal without one arrives as an event instead. */
  refuse(ack: AnyAck | undefined, refusal: Failure, reason?: RejectionReason): void {
    this.hub.options.metrics.reject(reason ?? REASONS[refusal.error.code] ?? 'invalid_payload');
    if (ack !== undefined) this.answer(ack, refusal);
    else if (this.gate.mayNotify()) this.socket.emit('signaling error', refusal.error);
  }

  /** One more refusal in the window; a client that keeps going regardless is disconnected. */
  strike(): boolean {
    if (!this.gate.strike()) return false;
    const { metrics, logger } = this.hub.options;
    metrics.reject('flood_disconnect');
    logger.warn(`disconnected client ${this.session.memberId}: ${FLOOD_DISCONNECT_AFTER} refused events within about ${FLOOD_DISCONNECT_AFTER / FLOOD_DRAIN_PER_SECOND} s`, {
      event: 'flood_disconnect',
      client: this.session.memberId,
    });
    this.socket.emit('signaling error', {
      code: SignalingErrorCode.RateLimited,
      message: 'Disconnected: this client kept sending after being told it was over the rate limit. Slow down and reconnect.',
    });
    this.socket.disconnect(true);
    return true;
  }

  /** Refuses with UNAVAILABLE when `error` says the store is away; false for any other error. */
  unavailable(ack: AnyAck | undefined, error: unknown, event: string): boolean {
    if (!(error instanceof RedisUnavailableError)) return false;
    this.refuse(ack, failure(SignalingErrorCode.Unavailable, error.message, event));
    return true;
  }

  /** Wraps a handler so it runs in this client's queue and nothing it throws reaches socket.io. */
  handle(event: string, handler: EventHandler): (...args: unknown[]) => void {
    return (...args: unknown[]) => {
      const arrivedAt = performance.now();
      const { value, ack } = splitAck(args);
      const accepted = this.queue.enqueue(event, () => handler(this, value, ack, arrivedAt));
      if (!accepted) {
        this.refuse(ack, failure(SignalingErrorCode.RateLimited, 'Too many requests waiting for the server; this one was dropped. Slow down.', event));
        this.strike();
      }
    };
  }
}
