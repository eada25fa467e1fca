// Unit tests for the protocol module: the validators both sides rely on, and the shape of the maps the server and clients are typed by.
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  SignalingErrorCode,
  candidateInit,
  payloadBytes,
  validateRoomName,
  validateSignalMessage,
  type InterServerEvents,
  type JoinResult,
  type RoomNotice,
  type ServerToClientEvents,
  type SocketAuth,
} from './protocol.js';

describe('validateRoomName', () => {
  it('accepts the rule and refuses the rest with INVALID_ROOM_NAME', () => {
    expect(validateRoomName('demo-1_A')).toEqual({ ok: true, value: 'demo-1_A' });
    for (const bad of ['', 'a b', 'x'.repeat(65), 'room:1', 42, null]) {
      const result = validateRoomName(bad);
      expect(result).toMatchObject({ ok: false, error: { code: SignalingErrorCode.InvalidRoomName, event: 'create or join' } });
    }
  });
});

describe('validateSignalMessage', () => {
  it('accepts every message kind, in both candidate namings', () => {
    for (const message of [
      'got user media',
      'bye',
      { type: 'offer', sdp: 'v=0' },
      { type: 'answer', sdp: 'v=0' },
      { type: 'candidate', candidate: 'candidate:1 1 udp 1 1.2.3.4 5 typ host', sdpMid: '0', sdpMLineIndex: 0 },
      { type: 'candidate', candidate: '', label: 0, id: '0' },
      { type: 'text', text: 'hi' },
    ]) {
      expect(validateSignalMessage(message)).toEqual({ ok: true, value: message });
    }
  });

  it('refuses unknown shapes with INVALID_PAYLOAD and oversized ones with PAYLOAD_TOO_LARGE', () => {
    expect(validateSignalMessage({ type: 'offer' })).toMatchObject({ ok: false, error: { code: SignalingErrorCode.InvalidPayload } });
    expect(validateSignalMessage({ type: 'text', text: 'x'.repeat(DEFAULT_MAX_MESSAGE_BYTES) })).toMatchObject({
      ok: false,
      error: { code: SignalingErrorCode.PayloadTooLarge },
    });
  });
});

describe('helpers', () => {
  it('candidateInit maps the codelab naming to RTCIceCandidateInit', () => {
    expect(candidateInit({ type: 'candidate', candidate: 'c', label: 1, id: 'v' })).toEqual({ candidate: 'c', sdpMid: 'v', sdpMLineIndex: 1 });
  });

  it('payloadBytes counts UTF-8 JSON, and calls a cyclic value infinitely large', () => {
    expect(payloadBytes('é')).toBe(4);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(payloadBytes(cyclic)).toBe(Number.POSITIVE_INFINITY);
  });

  it('payloadBytes measures a value nested too deep for JSON.stringify, to the byte', () => {
    // 20,000 levels: JSON.stringify overflows its stack on this (the server used to say "Infinity bytes").
    const text = `${'['.repeat(20_000)}"é",1,null,{"a":true}${']'.repeat(20_000)}`;
    const deep: unknown = JSON.parse(text);
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    expect(payloadBytes(deep)).toBe(new TextEncoder().encode(text).byteLength);
    const refused = validateSignalMessage(deep, 16 * 1024);
    expect(refused).toMatchObject({ ok: false, error: { code: 'PAYLOAD_TOO_LARGE' } });
    if (!refused.ok) expect(refused.error.message).toContain(`Message of ${new TextEncoder().encode(text).byteLength} bytes`);
  });
});

describe('the wire contract', () => {
  it('has UNAVAILABLE for a server whose state store is away, and every code is distinct', () => {
    expect(SignalingErrorCode.Unavailable).toBe('UNAVAILABLE');
    const codes = Object.values(SignalingErrorCode);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('declares what the server sends beyond the codelab: the resume token, the shutdown notice, the inter-server events', () => {
    expectTypeOf<Extract<JoinResult, { ok: true }>['resumeToken']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<SocketAuth>().toEqualTypeOf<{ resumeToken?: string }>();
    expectTypeOf<Parameters<ServerToClientEvents['server shutdown']>>().toEqualTypeOf<[info: { resumable: boolean }]>();
    expectTypeOf<Parameters<InterServerEvents['room notice']>>().toEqualTypeOf<[notice: RoomNotice]>();
    expectTypeOf<Parameters<InterServerEvents['seat moved']>>().toEqualTypeOf<[memberId: string]>();
    const notices: RoomNotice[] = [
      { kind: 'join', room: 'r', memberId: 'a', filled: true },
      { kind: 'bye', room: 'r', memberId: 'a' },
    ];
    expect(notices.map((notice) => notice.kind)).toEqual(['join', 'bye']);
  });
});
