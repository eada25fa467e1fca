import { SignalingErrorCode } from '@workbench/core/protocol';
import { describe, expect, it } from 'vitest';
import { RoomRegistry } from './room-registry.js';

describe('RoomRegistry', () => {
  it('makes the first member the creator and the second a polite joiner that fills the room', () => {
    const rooms = new RoomRegistry();
    const first = rooms.join('foo', 'a');
    expect(first).toEqual({
      ok: true, room: 'foo', clientId: 'a', role: 'created', polite: false, peers: [], capacity: 2, filled: false, repeated: false,
    });
    const second = rooms.join('foo', 'b');
    expect(second).toMatchObject({ ok: true, role: 'joined', polite: true, peers: ['a'], filled: true, repeated: false });
    expect(rooms.members('foo').map((m) => m.clientId)).toEqual(['a', 'b']);
    expect(rooms.roomCount).toBe(1);
    expect(rooms.clientCount).toBe(2);
  });

  it('refuses a third member with ROOM_FULL and leaves the room as it was', () => {
    const rooms = new RoomRegistry();
    rooms.join('foo', 'a');
    rooms.join('foo', 'b');
    const third = rooms.join('foo', 'c');
    expect(third.ok).toBe(false);
    if (!third.ok) {
      expect(third.error.code).toBe(SignalingErrorCode.RoomFull);
      expect(third.error.message).toMatch(/full/);
    }
    expect(rooms.roomOf('c')).toBeUndefined();
    expect(rooms.members('foo')).toHaveLength(2);
  });

  it('frees the seat on leave so the room fills (and reports filled) again', () => {
    const rooms = new RoomRegistry();
    rooms.join('foo', 'a');
    rooms.join('foo', 'b');
    expect(rooms.leave('b')).toEqual({ room: 'foo', clientId: 'b', remaining: ['a'] });
    const again = rooms.join('foo', 'c');
    expect(again).toMatchObject({ ok: true, role: 'joined', polite: true, peers: ['a'], filled: true });
  });

  it('gives the newcomer the opposite politeness of a polite survivor, so glare still resolves', () => {
    const rooms = new RoomRegistry();
    rooms.join('foo', 'a');
    rooms.join('foo', 'b'); // polite
    rooms.leave('a'); // the impolite creator goes
    const next = rooms.join('foo', 'c');
    expect(next).toMatchObject({ ok: true, role: 'joined', polite: false, peers: ['b'], filled: true });
  });

  it('deletes an emptied room; the next member creates it anew', () => {
    const rooms = new RoomRegistry();
    rooms.join('foo', 'a');
    expect(rooms.leave('a')).toEqual({ room: 'foo', clientId: 'a', remaining: [] });
    expect(rooms.roomCount).toBe(0);
    expect(rooms.join('foo', 'b')).toMatchObject({ ok: true, role: 'created', polite: false });
    expect(rooms.leave('nobody')).toBeUndefined();
  });

  it('answers a repeated join of the same room with the same role and changes nothing', () => {
    const rooms = new RoomRegistry();
    rooms.join('foo', 'a');
    rooms.join('foo', 'b');
    expect(rooms.join('foo', 'b')).toMatchObject({ ok: true, role: 'joined', polite: true, peers: ['a'], filled: false, repeated: true });
    expect(rooms.join('foo', 'a')).toMatchObject({ ok: true, role: 'created', polite: false, peers: ['b'], repeated: true });
    expect(rooms.clientCount).toBe(2);
  });

  it('refuses a join of another room while in one with ALREADY_IN_ROOM', () => {
    const rooms = new RoomRegistry();
    rooms.join('foo', 'a');
    const other = rooms.join('bar', 'a');
    expect(other.ok).toBe(false);
    if (!other.ok) {
      expect(other.error.code).toBe(SignalingErrorCode.AlreadyInRoom);
      expect(other.error.message).toContain("'bye'");
    }
    expect(rooms.roomOf('a')).toBe('foo');
    expect(rooms.members('bar')).toEqual([]);
  });

  it.each([
    ['empty', ''],
    ['65 characters', 'x'.repeat(65)],
    ['path climbing', '../x'],
    ['a space', 'a b'],
    ['an object', { toString: () => 'foo' }],
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
  ])('refuses %s as a room name with INVALID_ROOM_NAME and the rule', (_label, name) => {
    const rooms = new RoomRegistry();
    const outcome = rooms.join(name, 'a');
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.error.code).toBe(SignalingErrorCode.InvalidRoomName);
      expect(outcome.error.message).toContain('1–64 characters');
    }
    expect(rooms.clientCount).toBe(0);
  });

  it('accepts 64 characters, digits, "-" and "_"', () => {
    const rooms = new RoomRegistry();
    expect(rooms.join('x'.repeat(64), 'a').ok).toBe(true);
    expect(rooms.join('Room_1-b', 'b').ok).toBe(true);
  });

  it('honours a larger capacity: filled only when the last seat goes', () => {
    const rooms = new RoomRegistry(3);
    expect(rooms.join('foo', 'a')).toMatchObject({ filled: false });
    expect(rooms.join('foo', 'b')).toMatchObject({ filled: false, capacity: 3 });
    expect(rooms.join('foo', 'c')).toMatchObject({ filled: true, peers: ['a', 'b'] });
    expect(rooms.join('foo', 'd').ok).toBe(false);
  });

  it('rejects a capacity below two', () => {
    expect(() => new RoomRegistry(1)).toThrow(RangeError);
    expect(() => new RoomRegistry(2.5)).toThrow(RangeError);
  });
});
