import { flushSync } from 'svelte';
import { describe, expect, it, vi } from 'vitest';
import { EventLogModel, formatEntry, formatTime } from './eventLog.svelte.js';

function clock(start = 0) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('EventLogModel', () => {
  it('records level, source, message and ms since page start, with unique increasing ids', () => {
    const time = clock(12.34);
    const log = new EventLogModel({ now: time.now });
    log.info('getUserMedia() called', 'camera');
    time.advance(100);
    log.warn('track ended');
    time.advance(0.5);
    log.error('NotAllowedError: Permission denied', 'camera');

    expect(log.entries.map((entry) => [entry.level, entry.at, entry.source, entry.message])).toEqual([
      ['info', 12.34, 'camera', 'getUserMedia() called'],
      ['warn', 112.34, undefined, 'track ended'],
      ['error', 112.84, 'camera', 'NotAllowedError: Permission denied'],
    ]);
    const ids = log.entries.map((entry) => entry.id);
    expect(new Set(ids).size).toBe(3);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
  });

  it('keeps only the newest `limit` entries and counts what it dropped', () => {
    const log = new EventLogModel({ limit: 3, now: () => 0 });
    for (let i = 1; i <= 5; i++) log.info(`event ${i}`);
    expect(log.entries.map((entry) => entry.message)).toEqual(['event 3', 'event 4', 'event 5']);
    expect(log.dropped).toBe(2);
    expect(log.toText().split('\n')[0]).toBe('(2 earlier entries dropped)');
  });

  it('keeps ids unique after entries are dropped or cleared, so keyed each blocks never collide', () => {
    const log = new EventLogModel({ limit: 2, now: () => 0 });
    const seen = new Set<number>();
    for (let i = 0; i < 5; i++) seen.add(log.info('x').id);
    log.clear();
    seen.add(log.info('after clear').id);
    expect(seen.size).toBe(6);
    expect(log.dropped).toBe(0);
    expect(log.entries).toHaveLength(1);
  });

  it('rejects a limit that is not a positive integer', () => {
    expect(() => new EventLogModel({ limit: 0 })).toThrow(RangeError);
    expect(() => new EventLogModel({ limit: 1.5 })).toThrow(/positive integer/);
  });

  it('formats one line per entry for "Copy log"', () => {
    const log = new EventLogModel({ now: () => 1234.56 });
    log.info('offer created', 'pc1');
    log.error('ICE failed');
    expect(log.toText()).toBe('   1234.6 ms [info] pc1: offer created\n   1234.6 ms [error] ICE failed');
    expect(formatEntry({ id: 1, at: 0, level: 'warn', message: 'm' })).toBe('      0.0 ms [warn] m');
  });

  it('writes times in the page\'s language, one decimal and no grouping, so the column reads back as a number', () => {
    expect(formatTime(1234.56, 'en')).toBe('1234.6 ms');
    expect(formatTime(1234.56, 'zh-CN')).toBe('1234.6毫秒');
    expect(formatTime(12345678, 'en')).toBe('12345678.0 ms');
    expect(Number(formatTime(98765.43, 'zh-CN').replace(/[^\d.]/g, ''))).toBe(98765.4);
  });

  it('is reactive: a $derived over entries updates when an entry is added', () => {
    const log = new EventLogModel({ now: () => 0 });
    let errors = -1;
    const cleanup = $effect.root(() => {
      const errorCount = $derived(log.entries.filter((entry) => entry.level === 'error').length);
      $effect(() => {
        errors = errorCount;
      });
    });
    flushSync();
    expect(errors).toBe(0);
    log.error('boom');
    flushSync();
    expect(errors).toBe(1);
    log.clear();
    flushSync();
    expect(errors).toBe(0);
    cleanup();
  });

  it('draws each line at once by default', () => {
    const log = new EventLogModel({ now: () => 0 });
    log.info('one');
    expect(log.drawn.map((e) => e.message)).toEqual(['one']);
  });

  it('holdDrawing: info lines wait for draw() or the time given; warnings and errors draw at once, with what came before', () => {
    vi.useFakeTimers();
    try {
      const log = new EventLogModel({ now: () => 0 });
      const drawn = () => log.drawn.map((e) => e.message);
      log.holdDrawing(1000);
      log.info('one');
      log.info('two');
      expect(drawn()).toEqual([]);
      expect(log.entries.map((e) => e.message)).toEqual(['one', 'two']); // the model itself is never behind
      log.warn('three');
      expect(drawn()).toEqual(['one', 'two', 'three']);
      log.info('four');
      expect(drawn()).toHaveLength(3); // still held after the warning
      log.draw();
      expect(drawn().at(-1)).toBe('four');
      log.info('five'); // the hold ended with draw(): each line at once again
      expect(drawn().at(-1)).toBe('five');

      log.holdDrawing(1000);
      log.info('six');
      vi.advanceTimersByTime(999);
      expect(drawn().at(-1)).toBe('five');
      vi.advanceTimersByTime(1);
      expect(drawn().at(-1)).toBe('six'); // the time ran out: drawn, and the hold is over
      log.info('seven');
      expect(drawn().at(-1)).toBe('seven');

      log.holdDrawing(1000);
      log.info('eight');
      log.error('nine');
      expect(drawn().slice(-2)).toEqual(['eight', 'nine']);
      log.info('ten');
      log.clear();
      expect(drawn()).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('mirrors entries to the console only when asked', () => {
    const calls: string[] = [];
    const original = console.warn;
    console.warn = (...args: unknown[]) => calls.push(args.join(' '));
    try {
      new EventLogModel({ now: () => 0 }).warn('quiet');
      new EventLogModel({ now: () => 0, mirrorToConsole: true }).warn('loud');
    } finally {
      console.warn = original;
    }
    expect(calls).toEqual(['      0.0 ms [warn] loud']);
  });

  it('mirrors info lines when the page is idle, in order, and before a later warning', async () => {
    const calls: string[] = [];
    const originals = { info: console.info, warn: console.warn };
    console.info = (...args: unknown[]) => calls.push(`info: ${args.join(' ')}`);
    console.warn = (...args: unknown[]) => calls.push(`warn: ${args.join(' ')}`);
    try {
      const log = new EventLogModel({ now: () => 0, mirrorToConsole: true });
      log.info('one');
      log.info('two');
      expect(calls).toEqual([]);
      log.warn('three');
      expect(calls).toEqual(['info:       0.0 ms [info] one', 'info:       0.0 ms [info] two', 'warn:       0.0 ms [warn] three']);
      log.info('four');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(calls.at(-1)).toBe('info:       0.0 ms [info] four');
      expect(calls).toHaveLength(4);
    } finally {
      Object.assign(console, originals);
    }
  });
});
