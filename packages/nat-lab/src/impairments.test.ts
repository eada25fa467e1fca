// Unit tests of the quality lab's impairments and statistics: the exact iptables/tc commands per
// direction, and the binomial interval worked out by hand.
import { describe, expect, it } from 'vitest';

import { binomialInterval, capDevice, capQdisc, describeImpairment, impairmentCommands, lossBetween, lossRule, median } from './impairments.js';
import { sitePlan } from './plan.js';

describe('impairments', () => {
  it('drops one direction of UDP forwarded by pub, with the statistic match', () => {
    expect(lossRule('a→b', 0.05)).toEqual(['-i', 'br-a', '-o', 'br-b', '-p', 'udp', '-m', 'statistic', '--mode', 'random', '--probability', '0.05', '-j', 'DROP']);
    expect(lossRule('b→a', 0.1).slice(0, 4)).toEqual(['-i', 'br-b', '-o', 'br-a']);
    expect(() => lossRule('a→b', 0)).toThrow(RangeError);
    expect(() => lossRule('a→b', 1.5)).toThrow(/\(0, 1\)/);
  });

  it('adds the rule to apply and deletes the same rule to lift', () => {
    const { apply, lift } = impairmentCommands('wbnat1-pub', 0, { kind: 'loss', direction: 'a→b', probability: 0.02 });
    expect(apply).toEqual([['ip', 'netns', 'exec', 'wbnat1-pub', 'iptables', '-A', 'FORWARD', ...lossRule('a→b', 0.02)]]);
    expect(lift).toEqual([['ip', 'netns', 'exec', 'wbnat1-pub', 'iptables', '-D', 'FORWARD', ...lossRule('a→b', 0.02)]]);
    expect(impairmentCommands('wbnat1-pub', 0, { kind: 'none' })).toEqual({ apply: [], lift: [] });
  });

  it("caps a direction on pub's bridge port towards the receiving site, the veth sitePlan creates", () => {
    expect(capDevice('a→b', 0)).toBe('s0b');
    expect(capDevice('b→a', 3)).toBe('s3a');
    // The port exists: sitePlan names pub's end of the router's veth after the same tag.
    expect(sitePlan('wbnat1', 'wbnat1-pub', 0, 'b', 'endpoint-independent').commands).toContainEqual(['ip', '-n', 'wbnat1-pub', 'link', 'set', 's0b', 'master', 'br-b', 'up']);
    const { apply, lift } = impairmentCommands('wbnat1-pub', 0, { kind: 'cap', direction: 'a→b', kbit: 500 });
    expect(apply).toEqual([['tc', '-n', 'wbnat1-pub', 'qdisc', 'replace', 'dev', 's0b', 'root', 'tbf', 'rate', '500kbit', 'burst', '3000', 'latency', '200ms']]);
    expect(lift).toEqual([['tc', '-n', 'wbnat1-pub', 'qdisc', 'del', 'dev', 's0b', 'root']]);
  });

  it('sizes the bucket at 20 ms of the rate, at least two full packets', () => {
    expect(capQdisc(1500)).toContain('3750'); // 1.5 Mbit/s × 20 ms = 30,000 bit = 3,750 bytes
    expect(capQdisc(250)).toContain('3000'); // 625 bytes would not pass one 1,200-byte packet
    expect(() => capQdisc(8)).toThrow(/at least 16/);
  });

  it('names scenarios the way the table prints them', () => {
    expect(describeImpairment({ kind: 'none' })).toBe('clean');
    expect(describeImpairment({ kind: 'loss', direction: 'b→a', probability: 0.05 })).toBe('loss 5 % b→a');
    expect(describeImpairment({ kind: 'cap', direction: 'a→b', kbit: 1500 })).toBe('cap 1.5 Mbit/s a→b');
    expect(describeImpairment({ kind: 'cap', direction: 'a→b', kbit: 250 })).toBe('cap 250 kbit/s a→b');
  });
});

describe('binomialInterval', () => {
  it("gives the issue's ±1.9 pp for 1,500 packets at 5 %", () => {
    // √(0.05 × 0.95 / 1500) = 0.005627; × 3.2905 = 0.018517
    const { low, high } = binomialInterval(0.05, 1500);
    expect(low).toBeCloseTo(3.148, 2);
    expect(high).toBeCloseTo(6.852, 2);
  });

  it('narrows with more packets and stays within 0–100 %', () => {
    const few = binomialInterval(0.1, 100);
    const many = binomialInterval(0.1, 10_000);
    expect(many.high - many.low).toBeLessThan(few.high - few.low);
    expect(binomialInterval(0, 100)).toEqual({ low: 0, high: 0 });
    expect(() => binomialInterval(0.05, 0)).toThrow(RangeError);
  });
});

describe('lossBetween and median', () => {
  it('counts lost / (lost + received) between two readings of the cumulative counters', () => {
    expect(lossBetween({ packetsLost: 10, packetsReceived: 1000 }, { packetsLost: 85, packetsReceived: 2425 })).toEqual({ percent: 5, packets: 1500 });
    expect(lossBetween({ packetsLost: 0 }, { packetsLost: 1, packetsReceived: 2 })).toBeUndefined();
  });

  it('takes the middle of the defined values', () => {
    expect(median([3, undefined, 1, null, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });
});
