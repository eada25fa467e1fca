// Unit tests for Emitter and namedLogger: typed listeners, once/off, throwing listeners contained.
import { describe, expect, it, vi } from 'vitest';
import { Emitter } from './emitter.js';
import { namedLogger, silentLogger, type Logger } from './logger.js';

type Events = {
  message: (text: string, from: number) => void;
  closed: () => void;
};

function recordingLogger(): Logger & { lines: unknown[][] } {
  const lines: unknown[][] = [];
  const push = (...args: unknown[]) => void lines.push(args);
  return { lines, debug: push, info: push, warn: push, error: push };
}

describe('Emitter', () => {
  it('calls listeners in order with typed arguments', () => {
    const emitter = new Emitter<Events>();
    const seen: string[] = [];
    emitter.on('message', (text, from) => seen.push(`a:${text}:${from}`));
    emitter.on('message', (text) => seen.push(`b:${text}`));
    expect(emitter.emit('message', 'hi', 2)).toBe(true);
    expect(seen).toEqual(['a:hi:2', 'b:hi']);
    expect(emitter.emit('closed')).toBe(false);
  });

  it('removes listeners via off and via the returned function', () => {
    const emitter = new Emitter<Events>();
    const listener = vi.fn();
    const remove = emitter.on('closed', listener);
    emitter.emit('closed');
    remove();
    emitter.emit('closed');
    emitter.on('closed', listener);
    emitter.off('closed', listener);
    emitter.emit('closed');
    expect(listener).toHaveBeenCalledTimes(1);
    expect(emitter.listenerCount('closed')).toBe(0);
  });

  it('once fires a single time', () => {
    const emitter = new Emitter<Events>();
    const listener = vi.fn();
    emitter.once('closed', listener);
    emitter.emit('closed');
    emitter.emit('closed');
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('logs a throwing listener and still runs the rest', () => {
    const logger = recordingLogger();
    const emitter = new Emitter<Events>({ logger });
    const after = vi.fn();
    emitter.on('closed', () => {
      throw new Error('listener bug');
    });
    emitter.on('closed', after);
    expect(() => emitter.emit('closed')).not.toThrow();
    expect(after).toHaveBeenCalledOnce();
    expect(String(logger.lines[0]?.[0])).toContain('"closed"');
    expect(logger.lines[0]?.[1]).toBeInstanceOf(Error);
  });

  it('uses a snapshot, so a listener removing another does not skip it this round', () => {
    const emitter = new Emitter<Events>({ logger: silentLogger });
    const second = vi.fn();
    emitter.on('closed', () => emitter.off('closed', second));
    emitter.on('closed', second);
    emitter.emit('closed');
    emitter.emit('closed');
    expect(second).toHaveBeenCalledTimes(1);
  });

  it('removeAllListeners clears one event or all', () => {
    const emitter = new Emitter<Events>();
    emitter.on('closed', () => {});
    emitter.on('message', () => {});
    emitter.removeAllListeners('closed');
    expect(emitter.listenerCount('closed')).toBe(0);
    expect(emitter.listenerCount('message')).toBe(1);
    emitter.removeAllListeners();
    expect(emitter.listenerCount('message')).toBe(0);
  });
});

describe('namedLogger', () => {
  it('prefixes the connection name into the first string', () => {
    const base = recordingLogger();
    const log = namedLogger('pc1', base);
    log.info('iceConnectionState: checking');
    log.warn({ a: 1 });
    expect(base.lines).toEqual([['[pc1] iceConnectionState: checking'], ['[pc1]', { a: 1 }]]);
  });
});
