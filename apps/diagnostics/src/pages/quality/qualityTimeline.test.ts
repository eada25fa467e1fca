// Unit tests for QualityTimeline: the window bound holds however many samples go through, events
// scroll out with the samples, the window can change and imports replace everything.
import { stateEvent } from '@workbench/core/quality';
import type { StatsSample } from '@workbench/core/stats';
import { getLocale, overwriteGetLocale } from '@workbench/i18n/runtime';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_WINDOW_SECONDS, QualityTimeline } from './qualityTimeline.js';

function sample(timestamp: number, height = 480): StatsSample {
  return {
    timestamp,
    outbound: { video: { id: 'OV', timestamp, bytesSent: timestamp, frameWidth: (height * 4) / 3, frameHeight: height } },
    inbound: {},
  };
}

describe('QualityTimeline', () => {
  it('defaults to a 300 s window of 1 s samples', () => {
    const timeline = new QualityTimeline();
    expect(timeline.windowSeconds).toBe(DEFAULT_WINDOW_SECONDS);
    expect(timeline.capacity).toBe(300);
    expect(new QualityTimeline({ windowSeconds: 5, intervalMs: 200 }).capacity).toBe(25);
  });

  it('stays at its bound through many samples, newest kept, origin fixed at the call’s first', () => {
    const timeline = new QualityTimeline({ windowSeconds: 10 });
    for (let i = 0; i < 10_000; i += 1) timeline.push(sample(i * 1000));
    expect(timeline.length).toBe(10);
    expect(timeline.samples().map((s) => s.timestamp / 1000)).toEqual([9990, 9991, 9992, 9993, 9994, 9995, 9996, 9997, 9998, 9999]);
    expect(timeline.origin).toBe(0);
  });

  it('derives events from consecutive samples and drops the ones older than the window', () => {
    const timeline = new QualityTimeline({ windowSeconds: 5 });
    timeline.addEvent(stateEvent('connection', 'connected', -500));
    expect(timeline.push(sample(0)).map((e) => e.label)).toEqual(['sent 640×480']);
    timeline.push(sample(1000));
    timeline.push(sample(2000, 240));
    expect(timeline.events().map((e) => e.label)).toEqual(['pc connected', 'sent 640×480', 'sent 320×240']);
    for (let t = 3000; t <= 6000; t += 1000) timeline.push(sample(t, 240));
    // The window now starts at 2000: the events before it are gone, the one at 2000 stays.
    expect(timeline.events().map((e) => [e.at, e.label])).toEqual([[2000, 'sent 320×240']]);
  });

  it('keeps events sorted when a state change arrives late', () => {
    const timeline = new QualityTimeline();
    timeline.push(sample(1000));
    timeline.addEvent(stateEvent('ice', 'checking', 500));
    expect(timeline.events().map((e) => e.at)).toEqual([500, 1000]);
  });

  it('keeps events sorted when a sample is older than a state change already listed', () => {
    const timeline = new QualityTimeline();
    timeline.push(sample(1000));
    timeline.addEvent(stateEvent('connection', 'connected', 2500));
    // Its stats timestamp (2000) predates the state change the page logged at 2500.
    timeline.push(sample(2000, 240));
    expect(timeline.events().map((e) => [e.at, e.label])).toEqual([
      [1000, 'sent 640×480'],
      [2000, 'sent 320×240'],
      [2500, 'pc connected'],
    ]);
  });

  it('changes the window keeping the newest samples, and refuses windows out of range', () => {
    const timeline = new QualityTimeline({ windowSeconds: 60 });
    for (let i = 0; i < 40; i += 1) timeline.push(sample(i * 1000));
    timeline.setWindow(10);
    expect(timeline.capacity).toBe(10);
    expect(timeline.samples()[0]?.timestamp).toBe(30_000);
    timeline.setWindow(20);
    expect(timeline.length).toBe(10);
    expect(() => timeline.setWindow(2)).toThrow('The window must be 5–86400 seconds (got 2).');
    expect(() => timeline.setWindow(Number.NaN)).toThrow(RangeError);
  });

  it('says why a window is refused in the page language (the page shows this message as it is)', () => {
    const englishLocale = getLocale;
    overwriteGetLocale(() => 'zh-CN');
    try {
      expect(() => new QualityTimeline().setWindow(2)).toThrow('窗口必须是 5–86400 秒（收到的是 2）。');
    } finally {
      overwriteGetLocale(englishLocale);
    }
  });

  it('loads an imported recording whole, growing the window to fit, and tells subscribers', () => {
    const timeline = new QualityTimeline({ windowSeconds: 5 });
    const listener = vi.fn();
    const unsubscribe = timeline.subscribe(listener);
    const recording = Array.from({ length: 30 }, (_, i) => sample(50_000 + i * 1000));
    timeline.load(recording, [stateEvent('connection', 'connected', 60_000), stateEvent('ice', 'connected', 55_000)]);
    expect(timeline.length).toBe(30);
    expect(timeline.windowSeconds).toBe(30);
    expect(timeline.origin).toBe(50_000);
    expect(timeline.events().map((e) => e.at)).toEqual([55_000, 60_000]);
    expect(listener).toHaveBeenCalledTimes(1);
    unsubscribe();
    timeline.clear();
    expect(listener).toHaveBeenCalledTimes(1);
    expect([timeline.length, timeline.events().length, timeline.origin]).toEqual([0, 0, undefined]);
  });
});
