/**
 * How the server reads what a client sent and words what it answers: the acknowledgement split off
 * the arguments, coded failures, the metrics label of each refusal, and client values quoted
 * safely in log lines.
 */
import { SignalingErrorCode, type Failure, type SignalingErrorPayload } from '@workbench/core/protocol';
import type { RejectionReason } from '../metrics.js';

export type AnyAck = (response: unknown) => void;

/** The acknowledgement of a relayed message; one object, since socket.io only serialises it. */
export const RELAYED = Object.freeze({ ok: true as const });

/**
 * Socket.io passes the acknowledgement callback last; JSON from a client can never be a function.
 * Every client event has at most one argument besides it (what follows is ignored).
 */
export function splitAck(args: unknown[]): { value: unknown; ack: AnyAck | undefined } {
  const last = args[args.length - 1];
  if (typeof last !== 'function') return { value: args[0], ack: undefined };
  return { value: args.length > 1 ? args[0] : undefined, ack: last as AnyAck };
}

/** How a client-sent value appears in log lines, without echoing a megabyte or an object graph. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return value.length > 64 ? `${JSON.stringify(value.slice(0, 64))}…` : value;
  return `(${value === null ? 'null' : typeof value})`;
}

export function failure(code: SignalingErrorCode, message: string, event?: string): Failure {
  const error: SignalingErrorPayload = { code, message, ...(event !== undefined ? { event } : {}) };
  return { ok: false, error };
}

/** The metrics label of a refusal that does not name its own. */
export const REASONS: Record<string, RejectionReason> = {
  [SignalingErrorCode.InvalidRoomName]: 'invalid_room_name',
  [SignalingErrorCode.RoomFull]: 'room_full',
  [SignalingErrorCode.AlreadyInRoom]: 'already_in_room',
  [SignalingErrorCode.NotInRoom]: 'not_in_room',
  [SignalingErrorCode.InvalidPayload]: 'invalid_payload',
  [SignalingErrorCode.PayloadTooLarge]: 'payload_too_large',
  [SignalingErrorCode.RateLimited]: 'rate_limited',
  [SignalingErrorCode.Unavailable]: 'unavailable',
  [SignalingErrorCode.SlowReceiver]: 'slow_receiver',
};
