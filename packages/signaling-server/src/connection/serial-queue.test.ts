// The per-client queue on its own: order, the synchronous fast path, the cap, and errors contained.
import { describe, expect, it } from 'vitest';
import { SerialQueue } from './serial-queue.js';

/** A promise the test settles by hand, to hold a task "waiting for Redis" as long as it likes. */
function deferred(): { promise: Promise<void>; resolve(): void; reject(error: Error): void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every already-settled promise's callbacks run (a macrotask comes after all microtasks). */
function drain(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function newQueue(maxQueued = 256) {
  const errors: [string, unknown][] = [];
  const queue = new SerialQueue(maxQueued, (event, error) => errors.push([event, error]));
  return { queue, errors };
}

describe('SerialQueue', () => {
  it('runs a task at once, synchronously, when nothing is pending', () => {
    const { queue } = newQueue();
    const ran: string[] = [];
    expect(queue.enqueue('message', () => void ran.push('first'))).toBe(true);
    // Not a tick later: a relay on an idle client costs no promise.
    expect(ran).toEqual(['first']);
    expect(queue.idle).toBe(true);
  });

  it("holds a client's later events behind a slow one and runs them in the order they came", async () => {
    const { queue } = newQueue();
    const ran: string[] = [];
    const join = deferred();
    queue.enqueue('create or join', async () => {
      ran.push('join started');
      await join.promise;
      ran.push('join done');
    });
    queue.enqueue('message', () => void ran.push('message 1'));
    queue.enqueue('message', async () => {
      await Promise.resolve();
      ran.push('message 2');
    });
    queue.enqueue('bye', () => void ran.push('bye'));
    await drain();
    expect(ran).toEqual(['join started']);
    expect(queue.queued).toBe(3);
    expect(queue.idle).toBe(false);

    join.resolve();
    await drain();
    expect(ran).toEqual(['join started', 'join done', 'message 1', 'message 2', 'bye']);
    expect(queue.queued).toBe(0);
    expect(queue.idle).toBe(true);
    // Drained: the next task takes the synchronous path again.
    queue.enqueue('message', () => void ran.push('message 3'));
    expect(ran.at(-1)).toBe('message 3');
  });

  it('refuses tasks past the cap while one runs, but always takes a forced one', async () => {
    const { queue } = newQueue(2);
    const slow = deferred();
    const ran: string[] = [];
    expect(queue.enqueue('create or join', () => slow.promise)).toBe(true);
    expect(queue.enqueue('message', () => void ran.push('a'))).toBe(true);
    expect(queue.enqueue('message', () => void ran.push('b'))).toBe(true);
    expect(queue.enqueue('message', () => void ran.push('dropped'))).toBe(false);
    expect(queue.queued).toBe(2);
    expect(queue.enqueue('disconnect', () => void ran.push('disconnect'), true)).toBe(true);
    expect(queue.queued).toBe(3);

    slow.resolve();
    await drain();
    expect(ran).toEqual(['a', 'b', 'disconnect']);
    // Room again once the backlog has run.
    expect(queue.enqueue('message', () => void ran.push('c'))).toBe(true);
    expect(ran.at(-1)).toBe('c');
  });

  it('reports a task that throws or rejects, with its event, and goes on with the next', async () => {
    const { queue, errors } = newQueue();
    const ran: string[] = [];
    const thrown = new Error('thrown');
    const rejected = new Error('rejected');
    const gate = deferred();
    queue.enqueue('create or join', () => gate.promise);
    queue.enqueue('message', () => {
      throw thrown;
    });
    queue.enqueue('bye', () => Promise.reject(rejected));
    queue.enqueue('message', () => void ran.push('after'));
    gate.resolve();
    await drain();
    expect(errors).toEqual([
      ['message', thrown],
      ['bye', rejected],
    ]);
    expect(ran).toEqual(['after']);
    expect(queue.idle).toBe(true);

    // On the fast path too: a synchronous throw does not escape enqueue.
    expect(queue.enqueue('message', () => {
      throw thrown;
    })).toBe(true);
    expect(errors).toHaveLength(3);
  });

  it('keeps going after the slow task itself fails', async () => {
    const { queue, errors } = newQueue();
    const ran: string[] = [];
    const slow = deferred();
    queue.enqueue('create or join', () => slow.promise);
    queue.enqueue('message', () => void ran.push('message'));
    slow.reject(new Error('Redis went away'));
    await drain();
    expect(errors.map(([event]) => event)).toEqual(['create or join']);
    expect(ran).toEqual(['message']);
  });
});
