import { describe, expect, it } from 'vitest';
import { Later } from './later.svelte.js';

describe('Later', () => {
  it('starts loading at once, has no value until the chunk arrives, then gives it without another load', async () => {
    let loads = 0;
    let arrive: (value: string) => void = () => undefined;
    const later = new Later(() => {
      loads++;
      return new Promise<string>((resolve) => (arrive = resolve));
    });
    expect(loads).toBe(1);
    expect(later.value).toBeUndefined();
    const waiting = later.get();
    expect(loads).toBe(1);
    arrive('chunk');
    expect(await waiting).toBe('chunk');
    expect(later.value).toBe('chunk');
    expect(await later.get()).toBe('chunk');
    expect(loads).toBe(1);
  });

  it('with idle: true, waits for an idle moment before loading, and get() loads at once when asked first', async () => {
    let loads = 0;
    const idle = new Later(() => Promise.resolve(++loads), { idle: true });
    expect(loads).toBe(0);
    expect(idle.value).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 0)); // no requestIdleCallback here: whenIdle runs it after this task
    expect(loads).toBe(1);
    expect(idle.value).toBe(1);

    let asked = 0;
    const early = new Later(() => Promise.resolve(++asked), { idle: true });
    expect(await early.get()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(asked).toBe(1); // the idle start found it loaded
  });

  it('reports a failed load to whoever asks, and the next get() fetches the chunk again', async () => {
    let loads = 0;
    const later = new Later(() => (++loads === 1 ? Promise.reject(new Error('offline')) : Promise.resolve(42)));
    await expect(later.get()).rejects.toThrow('offline');
    expect(later.value).toBeUndefined();
    expect(await later.get()).toBe(42);
    expect(loads).toBe(2);
    expect(later.value).toBe(42);
  });
});
