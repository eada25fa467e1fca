/**
 * The quality lab's impairments, as data: which iptables rule or tc qdisc on the pub namespace
 * (the "Internet" router between the two sites) makes which direction lossy or narrow, and the
 * statistics the lab judges the quality page's figures with. Pure, so unit-tested without root;
 * netns.ts runs the commands.
 *
 * Direction a→b is what site A sends to site B: it crosses pub from br-a to br-b, so a loss rule
 * matches `-i br-a -o br-b` in FORWARD, and a rate cap shapes the egress of B's bridge port (the
 * veth pub sends into B's router through). Only UDP is dropped: media and STUN consent checks,
 * not the signaling server's TCP, which a real lossy link would slow down but not break.
 */
import type { Command, Side } from './plan.js';

export type Direction = 'a→b' | 'b→a';

const ends = (direction: Direction): { from: Side; to: Side } => (direction === 'a→b' ? { from: 'a', to: 'b' } : { from: 'b', to: 'a' });

export type Impairment =
  | { kind: 'none' }
  | { kind: 'loss'; direction: Direction; /** 0–1 */ probability: number }
  | { kind: 'cap'; direction: Direction; kbit: number };

/** The iptables rule (argv after `iptables -A|-D FORWARD`) that drops `probability` of one direction's UDP. */
export function lossRule(direction: Direction, probability: number): string[] {
  if (!(probability > 0 && probability < 1)) throw new RangeError(`lossRule: probability must be in (0, 1), got ${probability}`);
  const { from, to } = ends(direction);
  // statistic's --probability takes up to 10 decimals; 0.05 stays 0.05.
  return ['-i', `br-${from}`, '-o', `br-${to}`, '-p', 'udp', '-m', 'statistic', '--mode', 'random', '--probability', String(probability), '-j', 'DROP'];
}

/** pub's bridge port towards the receiving site of `direction` (named by sitePlan after the site's tag). */
export function capDevice(direction: Direction, scenarioIndex: number): string {
  return `s${scenarioIndex}${ends(direction).to}`;
}

/**
 * A token bucket on that port: `kbit` kbit/s, a burst of 20 ms at that rate (at least 3 kB, two
 * full packets) and at most 200 ms of queue, roughly a DSL line's buffer. The queue is what the
 * sender's congestion control feels as rising delay before the drops start.
 */
export function capQdisc(kbit: number): string[] {
  if (!(Number.isFinite(kbit) && kbit >= 16)) throw new RangeError(`capQdisc: a cap is at least 16 kbit/s, got ${kbit}`);
  const burstBytes = Math.max(3000, Math.round((kbit * 1000 * 0.02) / 8));
  return ['tbf', 'rate', `${kbit}kbit`, 'burst', String(burstBytes), 'latency', '200ms'];
}

function inNs(ns: string, ...argv: string[]): Command {
  return ['ip', 'netns', 'exec', ns, ...argv];
}

/** The commands that put `impairment` in place in namespace `pub`, and the ones that lift it again. */
export function impairmentCommands(pub: string, scenarioIndex: number, impairment: Impairment): { apply: Command[]; lift: Command[] } {
  switch (impairment.kind) {
    case 'none':
      return { apply: [], lift: [] };
    case 'loss': {
      const rule = lossRule(impairment.direction, impairment.probability);
      return { apply: [inNs(pub, 'iptables', '-A', 'FORWARD', ...rule)], lift: [inNs(pub, 'iptables', '-D', 'FORWARD', ...rule)] };
    }
    case 'cap': {
      const dev = capDevice(impairment.direction, scenarioIndex);
      return {
        apply: [['tc', '-n', pub, 'qdisc', 'replace', 'dev', dev, 'root', ...capQdisc(impairment.kbit)]],
        lift: [['tc', '-n', pub, 'qdisc', 'del', 'dev', dev, 'root']],
      };
    }
  }
}

/** "loss 5 % a→b", "cap 500 kbit/s a→b", "clean": the table's and the test names' words. */
export function describeImpairment(impairment: Impairment): string {
  switch (impairment.kind) {
    case 'none':
      return 'clean';
    case 'loss':
      return `loss ${+(impairment.probability * 100).toFixed(2)} % ${impairment.direction}`;
    case 'cap':
      return `cap ${impairment.kbit >= 1000 ? `${impairment.kbit / 1000} Mbit/s` : `${impairment.kbit} kbit/s`} ${impairment.direction}`;
  }
}

/** z for a two-sided 99.9 % interval. */
export const Z_999 = 3.2905;

/**
 * The interval, in percent, that `n` independent packets each dropped with `probability` put the
 * measured loss in 99.9 % of the time (normal approximation of the binomial: p ± z·√(p(1−p)/n),
 * fine for n·p ≥ 10, which every scenario has). 5 % of 1,500 packets: 3.15–6.85 %.
 */
export function binomialInterval(probability: number, n: number, z = Z_999): { low: number; high: number } {
  if (!(probability >= 0 && probability <= 1)) throw new RangeError(`binomialInterval: probability must be in [0, 1], got ${probability}`);
  if (!(Number.isInteger(n) && n > 0)) throw new RangeError(`binomialInterval: n must be a positive integer, got ${n}`);
  const half = z * Math.sqrt((probability * (1 - probability)) / n);
  return { low: Math.max(0, probability - half) * 100, high: Math.min(1, probability + half) * 100 };
}

/** Loss of a stream between two readings of its cumulative counters: lost / (lost + received). */
export function lossBetween(first: { packetsLost?: number | undefined; packetsReceived?: number | undefined }, last: { packetsLost?: number | undefined; packetsReceived?: number | undefined }): { percent: number; packets: number } | undefined {
  if (first.packetsLost === undefined || first.packetsReceived === undefined || last.packetsLost === undefined || last.packetsReceived === undefined) return undefined;
  const lost = last.packetsLost - first.packetsLost;
  const packets = lost + last.packetsReceived - first.packetsReceived;
  return packets > 0 ? { percent: (Math.max(0, lost) / packets) * 100, packets } : undefined;
}

/** The median of the defined values, or undefined when there are none. */
export function median(values: readonly (number | undefined | null)[]): number | undefined {
  const sorted = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)).sort((x, y) => x - y);
  if (sorted.length === 0) return undefined;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
