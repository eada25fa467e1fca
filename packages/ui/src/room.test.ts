import { ROOM_NAME_PATTERN } from '@workbench/core/protocol';
import { describe, expect, it } from 'vitest';
import { chooseRoom, randomRoomName, urlWithRoom } from './room.js';

const bytes = (...values: number[]) => () => new Uint8Array(values);

describe('randomRoomName', () => {
  it('is room- and six characters, always a valid room name', () => {
    for (let i = 0; i < 200; i += 1) {
      const name = randomRoomName();
      expect(name).toMatch(/^room-[a-z0-9]{6}$/);
      expect(name).toMatch(ROOM_NAME_PATTERN);
    }
  });

  it('maps every byte value onto the alphabet (no undefined letters at the top of the range)', () => {
    expect(randomRoomName(bytes(0, 31, 32, 255, 224, 1))).toBe('room-a9a9ab');
  });

  it('differs between calls with the real random source', () => {
    const names = new Set(Array.from({ length: 50 }, () => randomRoomName()));
    expect(names.size).toBe(50);
  });
});

describe('chooseRoom', () => {
  it('takes ?room= from the URL', () => {
    expect(chooseRoom(new URL('http://localhost:3000/signaling/?room=demo-1'))).toEqual({ room: 'demo-1', generated: false });
  });

  it('makes up a room when the URL names none, or an empty one', () => {
    expect(chooseRoom(new URL('http://localhost:3000/signaling/'), bytes(1, 2, 3, 4, 5, 6))).toEqual({
      room: 'room-bcdefg',
      generated: true,
    });
    expect(chooseRoom(new URL('http://localhost:3000/signaling/?room='), bytes(0, 0, 0, 0, 0, 0)).room).toBe('room-aaaaaa');
  });

  it('keeps an invalid name and says which rule it breaks', () => {
    const choice = chooseRoom(new URL('http://localhost:3000/call/?room=my%20room!'));
    expect(choice.room).toBe('my room!');
    expect(choice.generated).toBe(false);
    expect(choice.invalid).toContain('letters, digits');
  });
});

describe('urlWithRoom', () => {
  it('sets room and keeps the path, other parameters and the hash', () => {
    const url = urlWithRoom(new URL('http://localhost:3000/call/?debug=1#stats'), 'room-abc123');
    expect(url.href).toBe('http://localhost:3000/call/?debug=1&room=room-abc123#stats');
  });

  it('replaces an existing room', () => {
    expect(urlWithRoom(new URL('http://h/signaling/?room=old'), 'new').search).toBe('?room=new');
  });
});
