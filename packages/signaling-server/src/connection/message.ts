/**
 * `'message'`: a relay to the sender's room and nobody else (the codelab's socket.broadcast
 * reached every room). Three paths, cheapest first: one peer on this process, several on this
 * process, and peers on other processes through Redis, where the ack waits for delivery.
 */
import { performance } from 'node:perf_hooks';
import { SignalingErrorCode } from '@workbench/core/protocol';
import { checkSignalMessage, payloadBytesEstimate } from '../message-check.js';
import type { ClientContext } from './client-context.js';
import { engineConnection, queuedBytes } from './engine-output.js';
import { roomKey } from './hub.js';
import { failure, RELAYED, type AnyAck } from './replies.js';
import { evictSlowReceiver } from './slow-receivers.js';

export function handleMessage(ctx: ClientContext, message: unknown, ack: AnyAck | undefined, arrivedAt: number): void {
  const { hub, socket, session, member } = ctx;
  const { store, metrics, logger, maxMessageBytes, maxQueuedBytes, relay } = hub.options;
  const room = session.room;
  if (room === undefined) {
    ctx.refuse(
      ack,
      failure(SignalingErrorCode.NotInRoom, "You are not in a room, so there is nobody to send to: join one with 'create or join' first.", 'message'),
    );
    return;
  }
  const checked = checkSignalMessage(message, maxMessageBytes);
  if (!checked.ok) {
    ctx.refuse(ack, checked);
    return;
  }
  const overBudget = ctx.gate.admitBytes(payloadBytesEstimate(checked.value));
  if (overBudget !== undefined) {
    ctx.refuse(ack, overBudget.failure, overBudget.reason);
    ctx.strike();
    return;
  }
  const local = hub.rooms.members(room);
  // Every peer this client knows is a client of this process: no other process needs the
  // message (with Redis, no publish at all), and one peer gets it without socket.io's
  // broadcast machinery.
  // With rooms shared through Redis, what this process knows of a room can be behind it: a peer
  // that joined on another process a moment ago is announced here through Redis too, and its join
  // can be answered before that notice lands. So Redis is skipped only when this process's own
  // clients fill the room, and no one elsewhere can be in it; otherwise the message goes through
  // Redis, not to nobody with an ack.
  const roomFilledHere = !store.distributed || local.size >= store.capacity;
  const allLocal = local.size > 0 && local.size - 1 === session.knownPeers.size && roomFilledHere;
  if (allLocal && local.size === 2) {
    for (const peer of local) {
      if (peer === member) continue;
      // Cheap while the peer reads (its buffer is empty between writes); measured only when not.
      const conn = engineConnection(peer.socket);
      if (conn.writeBuffer.length !== 0) {
        const bytes = queuedBytes(conn);
        if (bytes > maxQueuedBytes) {
          evictSlowReceiver(hub, peer, bytes, member);
          ctx.refuse(
            ack,
            failure(
              SignalingErrorCode.SlowReceiver,
              `Not delivered: your peer ${peer.session.memberId} stopped reading (${bytes} bytes were waiting for it, limit ${maxQueuedBytes}) and was disconnected.`,
              'message',
            ),
          );
          return;
        }
      }
      peer.socket.emit('message', checked.value, session.memberId);
    }
  } else if (allLocal) {
    socket.to(roomKey(room)).local.emit('message', checked.value, session.memberId);
  } else {
    // A peer on another process is reached through Redis: while Redis is away the message
    // would be acknowledged and lost, so it is refused instead and the client can resend.
    const down = store.unavailableReason();
    if (down !== undefined) {
      ctx.refuse(
        ack,
        failure(
          SignalingErrorCode.Unavailable,
          `Not delivered: ${session.knownPeers.size > local.size - 1 ? 'your peer is' : 'peers in this room may be'} on another server process and ${down}. Send it again in a moment.`,
          'message',
        ),
      );
      return;
    }
    if (relay !== undefined) {
      // Redis can still fail after that check (stall, then restart), or the peer's process
      // alone can be deaf: the ack waits until Redis says the relay reached the peer's
      // process. Not awaited, so this client's next message is not held behind the round trip.
      const remote: string[] = [];
      for (const id of session.knownPeers) {
        const peer = hub.sessions.get(id);
        if (peer === undefined || !local.has(peer)) remote.push(id);
      }
      const sender = session.memberId;
      void relay
        .send(room, remote, () => socket.to(roomKey(room)).emit('message', checked.value, sender))
        .then((verdict) => {
          if (!verdict.delivered) {
            ctx.refuse(ack, failure(SignalingErrorCode.Unavailable, verdict.reason, 'message'));
            return;
          }
          metrics.relayedMessages += 1;
          metrics.relayLatency.observe((performance.now() - arrivedAt) / 1000);
          if (ack !== undefined) ctx.answer(ack, RELAYED);
        })
        .catch((error: unknown) => logger.error(`answering a relay from ${sender} failed`, error));
      return;
    }
    socket.to(roomKey(room)).emit('message', checked.value, session.memberId);
  }
  metrics.relayedMessages += 1;
  metrics.relayLatency.observe((performance.now() - arrivedAt) / 1000);
  if (ack !== undefined) ctx.answer(ack, RELAYED);
}
