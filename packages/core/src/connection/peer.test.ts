// Unit tests for Peer: event forwarding, logging, candidate queueing and refusal after close, on a fake RTCPeerConnection.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeRTCPeerConnection } from '../../test/fake-peer-connection.js';
import { inChinese } from '../../test/in-chinese.js';
import { ErrorCode, WorkbenchError } from '../errors.js';
import type { Logger } from '../logger.js';
import { Peer, type PeerConnectionConstructor } from './peer.js';

const FakePC = FakeRTCPeerConnection as unknown as PeerConnectionConstructor;

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
  return { lines, debug: push, info: push, warn: push, error: push };
}

const peers: Peer[] = [];
function makePeer(name = 'pc1', logger: Logger = recordingLogger()): { peer: Peer; fake: FakeRTCPeerConnection } {
  const peer = new Peer({ name, RTCPeerConnection: FakePC, logger, configuration: { iceServers: [] } });
  peers.push(peer);
  return { peer, fake: peer.pc as unknown as FakeRTCPeerConnection };
}

afterEach(() => {
  for (const peer of peers.splice(0)) peer.close();
});

/** An offer the fake accepts as remote description. */
async function remoteOffer(): Promise<RTCSessionDescriptionInit> {
  const other = new FakeRTCPeerConnection({}, { name: 'remote' });
  other.addTrack();
  await other.setLocalDescription();
  const offer = other.localDescription;
  other.close();
  if (!offer) throw new Error('no offer');
  return offer;
}

describe('Peer', () => {
  it('creates its RTCPeerConnection with the configuration, from the injected constructor', () => {
    const { peer, fake } = makePeer();
    expect(fake).toBeInstanceOf(FakeRTCPeerConnection);
    expect(fake.configuration).toEqual({ iceServers: [] });
    expect(peer.name).toBe('pc1');
  });

  it('refuses to start without any RTCPeerConnection, with UNSUPPORTED', () => {
    expect(() => new Peer({ name: 'x' })).toThrow(expect.objectContaining({ code: ErrorCode.Unsupported }));
  });

  it('forwards state changes as typed events and logs each with the connection name', () => {
    const logger = recordingLogger();
    const { peer, fake } = makePeer('pc1', logger);
    const seen: string[] = [];
    peer.on('iceconnectionstatechange', (state) => seen.push(`ice:${state}`));
    peer.on('connectionstatechange', (state) => seen.push(`conn:${state}`));
    peer.on('icegatheringstatechange', (state) => seen.push(`gathering:${state}`));
    fake.simulate('iceConnectionState', 'checking');
    fake.simulate('connectionState', 'connecting');
    fake.simulate('iceGatheringState', 'gathering');
    expect(seen).toEqual(['ice:checking', 'conn:connecting', 'gathering:gathering']);
    expect(logger.lines).toContain('[pc1] iceConnectionState: checking');
    expect(logger.lines).toContain('[pc1] connectionState: connecting');
    expect(logger.lines).toContain('[pc1] iceGatheringState: gathering');
  });

  it('forwards signaling state, negotiationneeded, local candidates, tracks, data channels and ICE errors', async () => {
    const { peer, fake } = makePeer();
    const seen: string[] = [];
    peer.on('signalingstatechange', (state) => seen.push(`signaling:${state}`));
    peer.on('negotiationneeded', () => seen.push('negotiationneeded'));
    peer.on('icecandidate', (candidate) => seen.push(`candidate:${candidate ? candidate.candidate.split(' ')[4] : 'null'}`));
    peer.on('track', (event) => seen.push(`track:${event.track.kind}`));
    peer.on('datachannel', (channel) => seen.push(`datachannel:${channel.label}`));
    peer.on('icecandidateerror', (event) => seen.push(`icecandidateerror:${event.errorCode}`));

    fake.addTrack();
    await vi.waitFor(() => expect(seen).toContain('negotiationneeded'));
    await peer.setLocalDescription();
    await vi.waitFor(() => expect(seen).toContain('candidate:null'));
    fake.dispatchEvent(Object.assign(new Event('track'), { track: { kind: 'video' } }));
    fake.dispatchEvent(Object.assign(new Event('datachannel'), { channel: { label: 'photos' } }));
    fake.dispatchEvent(Object.assign(new Event('icecandidateerror'), { errorCode: 701, url: 'turn:x', errorText: 'no' }));
    expect(seen).toEqual([
      'negotiationneeded',
      'signaling:have-local-offer',
      'candidate:10.0.0.1',
      'candidate:10.0.0.2',
      'candidate:null',
      'track:video',
      'datachannel:photos',
      'icecandidateerror:701',
    ]);
  });

  it('emits failed with ICE_FAILED when the connection fails', () => {
    const { peer, fake } = makePeer();
    const failures: WorkbenchError[] = [];
    peer.on('failed', (error) => failures.push(error));
    fake.simulate('connectionState', 'failed');
    expect(failures).toHaveLength(1);
    expect(failures[0]?.code).toBe(ErrorCode.IceFailed);
    expect(failures[0]?.explanation.fix).toMatch(/TURN/);
  });

  it('queues remote candidates until the remote description is set, then adds them', async () => {
    const { peer, fake } = makePeer();
    const offer = await remoteOffer();
    const ufrag = FakeRTCPeerConnection.parse(offer.sdp).ufrag;
    const early = [1, 2].map((n) => ({ candidate: `candidate:${n} 1 udp 1 10.1.1.${n} 9 typ host`, sdpMid: '0', usernameFragment: ufrag }));
    let settled = 0;
    const pending = early.map((c) => peer.addIceCandidate(c).then(() => (settled += 1)));
    expect(peer.queuedCandidateCount).toBe(2);
    expect(fake.calls).not.toContain('addIceCandidate');
    await new Promise((r) => setTimeout(r, 10));
    expect(settled).toBe(0);

    await peer.setRemoteDescription(offer);
    await Promise.all(pending);
    expect(peer.queuedCandidateCount).toBe(0);
    expect(fake.addedCandidates).toEqual(early);

    // With a remote description, candidates go straight in; null means end-of-candidates.
    await peer.addIceCandidate({ candidate: 'candidate:3 1 udp 1 10.1.1.3 9 typ host', sdpMid: '0' });
    await peer.addIceCandidate(null);
    expect(fake.addedCandidates).toHaveLength(3);
    expect(fake.endOfCandidates).toBe(true);
  });

  it('flushes queued candidates when the description is set on pc directly (e.g. by a negotiator)', async () => {
    const { peer, fake } = makePeer();
    const offer = await remoteOffer();
    const added = peer.addIceCandidate({ candidate: 'candidate:1 1 udp 1 10.1.1.1 9 typ host', sdpMid: '0' });
    await fake.setRemoteDescription(offer);
    await added;
    expect(fake.addedCandidates).toHaveLength(1);
  });

  it('rejects a queued candidate the connection refuses, without losing the others', async () => {
    const { peer, fake } = makePeer('pc2', recordingLogger());
    const offer = await remoteOffer();
    const bad = peer.addIceCandidate({ candidate: 'candidate:1 1 udp 1 10.1.1.1 9 typ host', sdpMid: '0', usernameFragment: 'stale' });
    const good = peer.addIceCandidate({ candidate: 'candidate:2 1 udp 1 10.1.1.2 9 typ host', sdpMid: '0' });
    await peer.setRemoteDescription(offer);
    await expect(bad).rejects.toMatchObject({ name: 'OperationError' });
    await expect(good).resolves.toBeUndefined();
    expect(fake.addedCandidates).toHaveLength(1);
  });

  it('keeps emitting when a listener throws, and logs the exception', () => {
    const logger = recordingLogger();
    const { peer, fake } = makePeer('pc1', logger);
    const second = vi.fn();
    peer.on('iceconnectionstatechange', () => {
      throw new Error('page bug');
    });
    peer.on('iceconnectionstatechange', second);
    expect(() => fake.simulate('iceConnectionState', 'checking')).not.toThrow();
    expect(second).toHaveBeenCalledWith('checking');
    expect(logger.lines.some((l) => l.startsWith('[pc1] A listener for "iceconnectionstatechange" threw'))).toBe(true);
  });

  it('after close(): every method refuses with INVALID_STATE, events stop, queued candidates are rejected', async () => {
    const { peer, fake } = makePeer();
    const closed = vi.fn();
    const states = vi.fn();
    peer.on('closed', closed);
    peer.on('iceconnectionstatechange', states);
    const queued = peer.addIceCandidate({ candidate: 'candidate:1 1 udp 1 10.1.1.1 9 typ host', sdpMid: '0' });
    peer.close();
    peer.close(); // idempotent
    expect(closed).toHaveBeenCalledOnce();
    expect(peer.closed).toBe(true);
    expect(fake.signalingState).toBe('closed');
    await expect(queued).rejects.toMatchObject({ code: ErrorCode.InvalidState });
    fake.simulate('iceConnectionState', 'checking');
    expect(states).not.toHaveBeenCalled();

    const track = {} as MediaStreamTrack;
    const calls: [string, () => unknown][] = [
      ['addTrack', () => peer.addTrack(track)],
      ['removeTrack', () => peer.removeTrack({} as RTCRtpSender)],
      ['addTransceiver', () => peer.addTransceiver('video')],
      ['createDataChannel', () => peer.createDataChannel('x')],
      ['createOffer', () => peer.createOffer()],
      ['createAnswer', () => peer.createAnswer()],
      ['setLocalDescription', () => peer.setLocalDescription()],
      ['setRemoteDescription', () => peer.setRemoteDescription({ type: 'offer', sdp: '' })],
      ['addIceCandidate', () => peer.addIceCandidate(null)],
      ['getStats', () => peer.getStats()],
      ['restartIce', () => peer.restartIce()],
      ['getSenders', () => peer.getSenders()],
      ['getReceivers', () => peer.getReceivers()],
      ['getTransceivers', () => peer.getTransceivers()],
    ];
    for (const [method, call] of calls) {
      let error: unknown;
      try {
        await call();
      } catch (caught) {
        error = caught;
      }
      expect(error, method).toBeInstanceOf(WorkbenchError);
      expect((error as WorkbenchError).code, method).toBe(ErrorCode.InvalidState);
      expect((error as WorkbenchError).message, method).toContain(`pc1.${method}() called after close()`);
    }
  });
});

describe('Peer in Chinese', () => {
  inChinese();

  it('logs state changes in Chinese, keeping the property and state names', () => {
    const logger = recordingLogger();
    const { fake } = makePeer('pc1', logger);
    fake.simulate('iceConnectionState', 'checking');
    expect(logger.lines).toContain('[pc1] iceConnectionState 变为 checking');
  });
});
