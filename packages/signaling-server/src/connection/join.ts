/**
 * `'create or join'`: a seat from the store, then the codelab's events in the order its pages
 * expect. The joining client is in the socket.io room, with its output held back, while the store
 * decides (engine-output.ts says why); the room events of that moment are kept and applied after.
 */
import { SignalingErrorCode, validateRoomName, type JoinResult } from '@workbench/core/protocol';
import type { ClientContext } from './client-context.js';
import { holdOutput, writeHeld, type HeldOutput } from './engine-output.js';
import { roomKey } from './hub.js';
import { applyNotice, type PendingJoin } from './room-notices.js';
import { describeValue, failure, type AnyAck } from './replies.js';
import { resumeToken } from './resume-token.js';

export async function handleCreateOrJoin(ctx: ClientContext, requested: unknown, ack: AnyAck | undefined): Promise<void> {
  const { hub, socket, session, member } = ctx;
  const { store, metrics, logger } = hub.options;
  ctx.log(`Received request to create or join room ${describeValue(requested)}`);
  const name = validateRoomName(requested);
  if (!name.ok) {
    ctx.refuse(ack, name);
    return;
  }
  const room = name.value;
  if (session.room !== undefined && session.room !== room) {
    ctx.refuse(
      ack,
      failure(
        SignalingErrorCode.AlreadyInRoom,
        `You are already in room "${session.room}". Send 'bye' to leave it before joining "${room}".`,
        'create or join',
      ),
    );
    return;
  }

  const key = roomKey(room);
  const alreadyMember = session.room === room;
  let output: HeldOutput | undefined;
  let waiting: PendingJoin | undefined;
  if (!alreadyMember) {
    output = holdOutput(socket);
    await socket.join(key);
    waiting = hub.rooms.startPending(room, member);
  }
  const stopWaiting = () => {
    if (waiting !== undefined) hub.rooms.stopPending(room, waiting);
  };
  const notAdmitted = () => {
    if (alreadyMember) return;
    void socket.leave(key);
    output?.take(); // the room's traffic meanwhile is not for this client
  };

  let outcome;
  try {
    outcome = await store.join(room, session.memberId);
  } catch (error) {
    stopWaiting();
    notAdmitted();
    if (ctx.unavailable(ack, error, 'create or join')) return;
    throw error;
  }
  stopWaiting();
  if (!outcome.ok) {
    notAdmitted();
    if (outcome.error.code === SignalingErrorCode.RoomFull) {
      ctx.log(`Room ${room} is full`);
      logger.info(`client ${session.memberId} turned away: room ${room} is full`, { event: 'full', room, client: session.memberId });
      socket.emit('full', room);
      metrics.reject('room_full');
      ctx.answer(ack, outcome);
    } else {
      ctx.refuse(ack, outcome);
    }
    return;
  }

  const { role, polite, peers, capacity, secret } = outcome;
  const clientId = session.memberId;
  const result: JoinResult = {
    ok: true,
    role,
    room,
    clientId,
    polite,
    peers,
    capacity,
    ...(session.resumable ? { resumeToken: resumeToken(room, clientId, secret) } : {}),
  };
  session.secret = secret;
  socket.data.room = room;
  if (!alreadyMember) {
    session.room = room;
    session.knownPeers = new Set(peers);
    hub.rooms.add(room, member);
  }
  if (outcome.repeated) {
    // Idempotent: the same answer again, and nobody else hears about it.
    output?.flush();
    socket.emit(role, room, clientId);
    ctx.answer(ack, result);
    return;
  }

  metrics.joins += 1;
  const heldBack = output?.take() ?? [];
  // Order matters to codelab pages: the members already there hear 'join' before the
  // newcomer hears 'joined', and 'ready' comes last, to everyone, once.
  hub.rooms.announce({ kind: 'join', room, memberId: clientId, filled: outcome.filled });
  ctx.log(`Client ID ${clientId} ${role} room ${room}`, `Room ${room} now has ${peers.length + 1} client(s)`);
  socket.emit(role, room, clientId);
  ctx.answer(ack, result);
  if (outcome.filled) socket.emit('ready', room);
  // Then what reached the room while the store was deciding: relays, and later joins or byes.
  writeHeld(socket, heldBack);
  for (const notice of waiting?.notices ?? []) applyNotice(member, notice);
  logger.info(`client ${clientId} ${role} room ${room} (${peers.length + 1}/${capacity})`, {
    event: 'join',
    room,
    client: clientId,
    role,
  });
}
