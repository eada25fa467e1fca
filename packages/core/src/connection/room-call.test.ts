// Unit tests for RoomCall: two (or three) calls in one process, fake peer connections, and an
// in-memory signaling server that behaves like the real one where a call depends on it (ack, then
// 'join' to the others, then 'ready' to everyone; relayed messages in order, with latency).
import { afterEach, describe, expect, it } from 'vitest';
import { FakeRTCPeerConnection } from '../../test/fake-peer-connection.js';
import { Emitter } from '../emitter.js';
import { ErrorCode, WorkbenchError, explainJoinFailure } from '../errors.js';
import { silentLogger } from '../logger.js';
import type { PeerConnectionConstructor } from './peer.js';
import type { SignalMessage } from '../signaling/protocol.js';
import { RoomCall, type RoomCallStatus, type RoomSignaling, type TimelineEntry } from './room-call.js';
import type { JoinSuccess, SignalingClientEvents } from '../signaling/signaling-client.js';

const LATENCY_MS = 3;
const later = (fn: () => void) => setTimeout(fn, LATENCY_MS);

/** Polls until `check` passes or 3 s pass, so a test waits for the state it asserts. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

class FakeServer {
  readonly rooms = new Map<string, FakeSignaling[]>();
  /** Every relayed message, in order: [from, to, label]. */
  readonly relayed: [string, string, string][] = [];
  #count = 0;
  /** Runs right behind a join's acknowledgement, before the code awaiting join() resumes. */
  behindAck: ((client: FakeSignaling, room: string) => void) | undefined;

  client(): FakeSignaling {
    this.#count += 1;
    return new FakeSignaling(this, `client${this.#count}`);
  }

  join(client: FakeSignaling, room: string): Promise<JoinSuccess> {
    return new Promise((resolve, reject) =>
      later(() => {
        const members = this.rooms.get(room) ?? [];
        if (members.length >= 2) {
          client.emit('full', room);
          reject(new WorkbenchError(ErrorCode.RoomFull, `Room "${room}" is full.`, { context: { room } }));
          return;
        }
        const peers = members.map((m) => m.id);
        members.push(client);
        this.rooms.set(room, members);
        const result: JoinSuccess = { ok: true, role: peers.length ? 'joined' : 'created', room, clientId: client.id, polite: peers.length > 0, peers, capacity: 2 };
        client.joined = result;
        client.emit(result.role, room, client.id);
        resolve(result);
        this.behindAck?.(client, room);
        // As the real server: the others hear 'join', then everyone 'ready'.
        for (const other of members) if (other !== client) other.emit('join', room, client.id);
        if (members.length === 2) for (const member of members) member.emit('ready', room);
      }),
    );
  }

  relay(from: FakeSignaling, message: SignalMessage): void {
    const room = from.joined?.room;
    for (const other of (room && this.rooms.get(room)) || []) {
      if (other === from) continue;
      this.relayed.push([from.id, other.id, typeof message === 'string' ? message : message.type]);
      later(() => other.emit('message', message, from.id));
    }
  }

  leave(client: FakeSignaling): void {
    const room = client.joined?.room;
    client.joined = undefined;
    if (!room) return;
    const members = (this.rooms.get(room) ?? []).filter((m) => m !== client);
    this.rooms.set(room, members);
    for (const other of members) later(() => other.emit('bye', room, client.id));
  }
}

class FakeSignaling extends Emitter<SignalingClientEvents> implements RoomSignaling {
  joined: JoinSuccess | undefined;
  constructor(
    readonly server: FakeServer,
    readonly id: string,
  ) {
    super({ logger: silentLogger });
  }
  get room(): string | undefined {
    return this.joined?.room;
  }
  join(room: string): Promise<JoinSuccess> {
    return this.server.join(this, room);
  }
  async send(message: SignalMessage): Promise<void> {
    this.server.relay(this, message);
  }
  async leave(): Promise<void> {
    this.server.leave(this);
  }
}

interface Track {
  kind: string;
  stopped: boolean;
  stop(): void;
}

function fakeCamera(): { getTracks(): Track[] } {
  const track: Track = { kind: 'video', stopped: false, stop: () => (track.stopped = true) };
  return { getTracks: () => [track] };
}

const calls: RoomCall[] = [];
afterEach(() => {
  for (const call of calls.splice(0)) call.close('test over');
});

interface Watched {
  call: RoomCall;
  signaling: FakeSignaling;
  statuses: RoomCallStatus[];
  timeline: TimelineEntry[];
  errors: WorkbenchError[];
  pc(): FakeRTCPeerConnection | undefined;
}

function makeCall(server: FakeServer, room: string, options: { media?: boolean; sendMedia?: boolean; iceDelayMs?: number; channels?: boolean; joinAttempts?: number; getUserMedia?: () => Promise<never> } = {}): Watched {
  const signaling = server.client();
  const camera = fakeCamera();
  const call = new RoomCall({
    room,
    signaling,
    logger: silentLogger,
    RTCPeerConnection: FakeRTCPeerConnection as unknown as PeerConnectionConstructor,
    configuration: () => new Promise((resolve) => setTimeout(() => resolve({ iceServers: [] }), options.iceDelayMs ?? 0)),
    ...(options.media === false ? {} : { media: { video: true } }),
    ...(options.sendMedia !== undefined ? { sendMedia: options.sendMedia } : {}),
    getUserMedia: options.getUserMedia ?? (async () => camera as unknown as MediaStream),
    ...(options.channels ? { channels: [{ label: 'photos', id: 0 }] } : {}),
    ...(options.joinAttempts ? { joinAttempts: options.joinAttempts, retryDelayMs: 10 } : {}),
  });
  calls.push(call);
  const watched: Watched = {
    call,
    signaling,
    statuses: [],
    timeline: [],
    errors: [],
    pc: () => call.peer?.pc as unknown as FakeRTCPeerConnection | undefined,
  };
  call.on('status', (s) => watched.statuses.push(s));
  call.on('timeline', (e) => watched.timeline.push(e));
  call.on('error', (e) => watched.errors.push(e));
  return watched;
}

/** Both sides negotiated: stable, each with the other's description and its media in the offer. */
function negotiated(a: Watched, b: Watched): boolean {
  const pa = a.pc();
  const pb = b.pc();
  return Boolean(pa && pb && pa.signalingState === 'stable' && pb.signalingState === 'stable' && pa.remoteDescription && pb.remoteDescription && pa.remoteTracks > 0 && pb.remoteTracks > 0);
}

let roomCount = 0;
const newRoom = () => `room-${++roomCount}`;

describe('RoomCall', () => {
  it('alone and impolite, offers ahead of time and sends that offer (candidates inside) when the peer is ready', async () => {
    const server = new FakeServer();
    const room = newRoom();
    const first = makeCall(server, room);
    const joined = await first.call.join();
    expect(joined.role).toBe('created');
    expect(first.call.status).toBe('waiting');
    // The offer is made and its candidates gathered while alone, but nothing goes out.
    await until(() => first.pc()?.signalingState === 'have-local-offer' && first.pc()?.iceGatheringState === 'complete', 'the early offer');
    expect(server.relayed).toEqual([]);

    // The second side's ICE servers come late: the offer reaches it before its connection exists.
    const second = makeCall(server, room, { iceDelayMs: 30 });
    await second.call.join();
    await until(() => negotiated(first, second), 'both sides negotiated');
    // One offer, no separate candidates from the early side: they rode in the SDP; then end-of-candidates.
    const fromFirst = server.relayed.filter(([from]) => from === first.signaling.id).map(([, , label]) => label);
    expect(fromFirst[0]).toBe('offer');
    expect(fromFirst.filter((l) => l === 'offer')).toHaveLength(1);
    expect(fromFirst.filter((l) => l === 'candidate')).toHaveLength(1); // end-of-candidates only
    expect(second.call.membership?.polite).toBe(true);

    for (const side of [first, second]) side.pc()?.simulate('connectionState', 'connected');
    expect(first.call.status).toBe('connected');
    expect(second.call.status).toBe('connected');
    expect(first.statuses).toEqual(['joining', 'waiting', 'connecting', 'connected']);
    expect(second.statuses).toEqual(['joining', 'connecting', 'connected']);
    expect([...first.errors, ...second.errors]).toEqual([]);
  });

  it('a peer whose join is handled before join() resumes (one long-polling response) is kept, and the status is connecting', async () => {
    const server = new FakeServer();
    server.behindAck = (client, room) => client.emit('join', room, 'just-behind');
    const first = makeCall(server, newRoom());
    const joined = await first.call.join();
    expect(joined.peers).toEqual([]); // the acknowledgement's list predates the peer
    expect(first.call.peerId).toBe('just-behind');
    expect(first.call.status).toBe('connecting');
    expect(first.statuses).toEqual(['joining', 'connecting']);
  });

  it('records the exchange in the order it happened, for the sequence diagram', async () => {
    const server = new FakeServer();
    const room = newRoom();
    const first = makeCall(server, room);
    await first.call.join();
    const second = makeCall(server, room);
    await second.call.join();
    await until(() => negotiated(first, second), 'both sides negotiated');
    await until(() => second.timeline.some((e) => e.label === 'end-of-candidates'), "the first side's end-of-candidates");
    const labels = (side: Watched) => side.timeline.map((e) => `${e.from}>${e.to} ${e.label}`);
    expect(labels(first).slice(0, 5)).toEqual(['page>server create or join', 'server>page created', 'server>page join', 'server>page ready', 'page>peer offer']);
    expect(labels(second).slice(0, 4)).toEqual(['page>server create or join', 'server>page joined', 'server>page ready', 'peer>page offer']);
    expect(labels(second)).toContain('page>peer answer');
    expect(labels(first)).toContain('peer>page answer');
    const times = first.timeline.map((e) => e.at);
    expect([...times].sort((x, y) => x - y)).toEqual(times);

    second.call.close('hang up');
    expect(second.timeline.at(-1)?.label).toBe('bye');
    await until(() => first.timeline.at(-1)?.label === 'bye', "the peer's bye");
    expect(first.timeline.at(-1)).toMatchObject({ from: 'server', to: 'page' });
  });

  it('when the peer leaves: its connection closed, status peer-left, and the next peer gets a new connection', async () => {
    const server = new FakeServer();
    const room = newRoom();
    const first = makeCall(server, room);
    await first.call.join();
    const second = makeCall(server, room);
    await second.call.join();
    await until(() => negotiated(first, second), 'the first call');
    const oldPc = first.pc() as FakeRTCPeerConnection;
    const left: string[] = [];
    first.call.on('peer-left', (id) => left.push(id));

    second.call.close('hang up');
    expect(second.call.status).toBe('idle');
    await until(() => first.call.status === 'peer-left', 'peer-left');
    expect(left).toEqual([second.signaling.id]);
    expect(oldPc.signalingState).toBe('closed');

    const third = makeCall(server, room);
    await third.call.join();
    await until(() => negotiated(first, third), 'the call with the newcomer');
    expect(first.pc()).not.toBe(oldPc);
    expect([...first.errors, ...third.errors]).toEqual([]);
  });

  it.each([
    ['without media', { media: false }, 0],
    ['with a camera it does not send (sendMedia: false, /photo/)', { sendMedia: false }, 1],
  ] as const)('negotiates data channels %s: one negotiated channel per side, no track sent', async (_, media, cameraTracks) => {
    const server = new FakeServer();
    const room = newRoom();
    const first = makeCall(server, room, { ...media, channels: true });
    const second = makeCall(server, room, { ...media, channels: true });
    const channels: string[] = [];
    for (const side of [first, second]) side.call.on('channel', (c) => channels.push(c.label));
    await first.call.join();
    await second.call.join();
    await until(() => first.pc()?.signalingState === 'stable' && first.pc()?.remoteDescription != null && second.pc()?.remoteDescription != null && channels.length === 2, 'channels on both sides');
    expect(channels).toEqual(['photos', 'photos']);
    expect(first.call.channels).toHaveLength(1);
    for (const side of [first, second]) {
      expect(side.call.stream?.getTracks() ?? []).toHaveLength(cameraTracks);
      expect(side.pc()?.calls).not.toContain('addTrack');
    }
  });

  it('a full room: join rejects with ROOM_FULL, explained once; with retries it gets in when the seat frees', async () => {
    const server = new FakeServer();
    const room = newRoom();
    const a = makeCall(server, room);
    const b = makeCall(server, room);
    await a.call.join();
    await b.call.join();
    const third = makeCall(server, room);
    const failure = await third.call.join().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WorkbenchError);
    expect((failure as WorkbenchError).code).toBe(ErrorCode.RoomFull);
    expect(third.call.closed).toBe(true);
    const explanation = explainJoinFailure(failure, { room });
    expect(explanation.title).toBe('Room is full');
    expect(explanation.fix).toContain('another room name');

    // As after a reload: the seat frees a moment later, and the retrying join gets it.
    const reloaded = makeCall(server, room, { joinAttempts: 5 });
    setTimeout(() => b.call.close('reload'), 15);
    const result = await reloaded.call.join();
    expect(result.role).toBe('joined');
    expect(reloaded.timeline.filter((e) => e.label === 'full').length).toBeGreaterThan(0);
  });

  it('a camera that fails: join rejects with the media explanation and leaves the room it entered', async () => {
    const server = new FakeServer();
    const room = newRoom();
    const denied = Object.assign(new Error('Permission denied'), { name: 'NotAllowedError' });
    const call = makeCall(server, room, { getUserMedia: () => new Promise((_, reject) => setTimeout(() => reject(denied), 20)) });
    const failure = await call.call.join().catch((error: unknown) => error);
    expect((failure as WorkbenchError).code).toBe(ErrorCode.PermissionDenied);
    expect(explainJoinFailure(failure, { room }).code).toBe(ErrorCode.PermissionDenied);
    // The room answered before the camera failed: the call left it again.
    await until(() => (server.rooms.get(room) ?? []).length === 0, 'the room to be empty');
  });

  it('close() stops the camera it opened; the page keeps a stream it passed in', async () => {
    const server = new FakeServer();
    const call = makeCall(server, newRoom());
    await call.call.join();
    const track = call.call.stream?.getTracks()[0] as unknown as Track;
    call.call.close('hang up');
    expect(track.stopped).toBe(true);

    const own = fakeCamera();
    const keeps = new RoomCall({ room: newRoom(), signaling: server.client(), logger: silentLogger, media: own as unknown as MediaStream, RTCPeerConnection: FakeRTCPeerConnection as unknown as PeerConnectionConstructor });
    calls.push(keeps);
    await keeps.join();
    keeps.close();
    expect(own.getTracks()[0]?.stopped).toBe(false);
  });

  it('a rejoin after a network blip updates the politeness; losing the seat ends the call with the error', async () => {
    const server = new FakeServer();
    const room = newRoom();
    const first = makeCall(server, room);
    await first.call.join();
    const second = makeCall(server, room);
    await second.call.join();
    await until(() => negotiated(first, second), 'the call');
    const rejoined: JoinSuccess = { ...(second.call.membership as JoinSuccess), clientId: 'client9', polite: false };
    second.signaling.emit('rejoined', rejoined);
    expect(second.call.membership?.polite).toBe(false);

    // The seat went to someone else while this side was away: the rejoin failed.
    server.leave(second.signaling);
    second.signaling.emit('error', new WorkbenchError(ErrorCode.RoomFull, 'Room is full.'));
    expect(second.call.closed).toBe(true);
    expect(second.errors.map((e) => e.code)).toEqual([ErrorCode.RoomFull]);
  });

  it('join() twice throws INVALID_STATE: one RoomCall per Join', async () => {
    const server = new FakeServer();
    const call = makeCall(server, newRoom());
    await call.call.join();
    await expect(call.call.join()).rejects.toMatchObject({ code: ErrorCode.InvalidState });
  });
});
