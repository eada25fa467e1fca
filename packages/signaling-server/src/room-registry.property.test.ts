// Property tests of RoomRegistry with fast-check: random sequences of joins and leaves, checked
// step by step against a plain model of rooms, for any capacity.
import { SignalingErrorCode } from '@workbench/core/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RoomRegistry } from './room-registry.js';

type Operation = { kind: 'join'; client: number; room: string } | { kind: 'leave'; client: number };

interface ModelMember {
  id: string;
  role: 'created' | 'joined';
  polite: boolean;
}

const roomName = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('a', 'b', 'c') },
  { weight: 1, arbitrary: fc.constantFrom('', 'x'.repeat(65), '../up', 'has space', 'ü') },
);
const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('join' as const), client: fc.nat(7), room: roomName }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('leave' as const), client: fc.nat(7) }) },
);

function checkInvariants(registry: RoomRegistry, model: Map<string, ModelMember[]>): void {
  let clients = 0;
  for (const [room, members] of model) {
    expect(registry.members(room)).toEqual(members.map((m) => ({ clientId: m.id, role: m.role, polite: m.polite })));
    expect(members.length).toBeLessThanOrEqual(registry.capacity);
    for (const member of members) expect(registry.roomOf(member.id)).toBe(room);
    // In a room of two, the pair can always settle a glare: never both polite or both impolite.
    // (Rooms of more hold only one flag per member, which cannot be right for every pair: with
    // capacity 3, creator + two polite joiners, the creator leaves and two polite peers remain.)
    if (registry.capacity === 2 && members.length === 2) expect(members[0]?.polite).not.toBe(members[1]?.polite);
    clients += members.length;
  }
  expect(registry.roomCount).toBe(model.size);
  expect(registry.clientCount).toBe(clients);
}

describe('RoomRegistry properties', () => {
  it('matches a model of rooms for any sequence of joins and leaves, never over capacity', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 4 }), fc.array(operation, { maxLength: 120 }), (capacity, operations) => {
        const registry = new RoomRegistry(capacity);
        const model = new Map<string, ModelMember[]>();
        const roomOf = (id: string) => [...model.entries()].find(([, members]) => members.some((m) => m.id === id))?.[0];

        for (const op of operations) {
          const id = `client-${op.client}`;
          if (op.kind === 'leave') {
            const room = roomOf(id);
            const outcome = registry.leave(id);
            if (room === undefined) expect(outcome).toBeUndefined();
            else {
              const remaining = (model.get(room) ?? []).filter((m) => m.id !== id);
              if (remaining.length === 0) model.delete(room);
              else model.set(room, remaining);
              expect(outcome).toEqual({ room, clientId: id, remaining: remaining.map((m) => m.id) });
            }
          } else {
            const outcome = registry.join(op.room, id);
            const current = roomOf(id);
            const members = model.get(op.room) ?? [];
            if (!/^[A-Za-z0-9_-]{1,64}$/.test(op.room)) {
              expect(outcome).toMatchObject({ ok: false, error: { code: SignalingErrorCode.InvalidRoomName } });
            } else if (current !== undefined && current !== op.room) {
              expect(outcome).toMatchObject({ ok: false, error: { code: SignalingErrorCode.AlreadyInRoom } });
            } else if (current === op.room) {
              const me = members.find((m) => m.id === id);
              expect(outcome).toMatchObject({ ok: true, repeated: true, filled: false, role: me?.role, polite: me?.polite });
            } else if (members.length >= capacity) {
              expect(outcome).toMatchObject({ ok: false, error: { code: SignalingErrorCode.RoomFull } });
            } else {
              const polite = members.some((m) => !m.polite);
              const role = members.length === 0 ? 'created' : 'joined';
              expect(outcome).toEqual({
                ok: true,
                room: op.room,
                clientId: id,
                role,
                polite,
                peers: members.map((m) => m.id),
                capacity,
                filled: members.length + 1 === capacity,
                repeated: false,
              });
              model.set(op.room, [...members, { id, role, polite }]);
            }
          }
          checkInvariants(registry, model);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('reports a room as filled exactly once per time it reaches capacity', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 80 }), (operations) => {
        const registry = new RoomRegistry(2);
        const fills = new Map<string, number>();
        const expectedFills = new Map<string, number>();
        for (const op of operations) {
          const id = `client-${op.client}`;
          if (op.kind === 'leave') registry.leave(id);
          else {
            const before = registry.members(op.room).length;
            const outcome = registry.join(op.room, id);
            if (outcome.ok && outcome.filled) fills.set(op.room, (fills.get(op.room) ?? 0) + 1);
            if (registry.members(op.room).length === 2 && before === 1) expectedFills.set(op.room, (expectedFills.get(op.room) ?? 0) + 1);
          }
        }
        expect(fills).toEqual(expectedFills);
      }),
      { numRuns: 300 },
    );
  });
});
