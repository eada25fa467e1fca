import { describe, expect, it } from 'vitest';
import { redisKeys } from './redis-seat-store.js';

describe('redisKeys', () => {
  it('keeps the single-Redis names as they were', () => {
    const keys = redisKeys('workbench:', false);
    expect([keys.room('demo'), keys.seats('n1'), keys.node('n1'), keys.nodes, keys.seq, keys.epoch, keys.restoring, keys.registry, keys.relayProbe('demo')]).toEqual([
      'workbench:room:demo',
      'workbench:seats:n1',
      'workbench:node:n1',
      'workbench:nodes',
      'workbench:seq',
      'workbench:epoch',
      'workbench:restoring',
      'workbench:',
      'workbench:relay-probe:',
    ]);
  });

  it('on a cluster, tags a room with {room:<name>} and the process-wide keys with {registry}', () => {
    const keys = redisKeys('wb:', true);
    expect(keys.room('demo')).toBe('wb:{room:demo}');
    expect(keys.relayProbe('demo')).toBe('wb:{room:demo}relay-probe:');
    for (const key of [keys.seats('n1'), keys.node('n1'), keys.nodes, keys.epoch, keys.restoring]) expect(key).toMatch(/^wb:\{registry\}/);
    // The reap scripts build `seats:<node>` and `node:<node>` from this prefix: the same slot.
    expect(`${keys.registry}seats:n1`).toBe(keys.seats('n1'));
  });
});
