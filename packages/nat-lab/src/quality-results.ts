/** What the quality lab measured, as written to test-results/quality-lab.json and printed as its table. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the quality lab's test writes its results and `cli.js quality-table` reads them. */
export const QUALITY_RESULTS_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-results', 'quality-lab.json');

/** A loss figure over the scenario's window and the packets it counts, with the interval it had to fall in. */
export interface LossFigure {
  percent: number;
  packets: number;
  /** The 99.9 % binomial interval of the injected rate for that many packets (percent), where one applies. */
  expected?: { low: number; high: number };
}

export interface QualityScenarioResult {
  id: string;
  /** "loss 5 % a→b", "cap 500 kbit/s a→b", "clean". */
  title: string;
  /** The side whose page the figures are read from: the receiver of a lossy direction, the sender of a capped one. */
  observer: 'a' | 'b';
  /** Seconds of samples the figures cover. */
  windowSeconds: number;
  audioLoss?: LossFigure;
  /** Video loss on the wire (before NACK/FEC) and after recovery, as the page computes them. */
  videoWireLoss?: LossFigure;
  videoLossAfterRecovery?: LossFigure;
  /** The receiver's inbound video counters at the window's ends, as window.samples had them: the evidence for both loss figures. */
  videoCounters?: { first: Record<string, number | undefined>; last: Record<string, number | undefined> };
  /** The sender's outbound video, kbit/s (median over the settled part of the window). */
  videoOutKbps?: number;
  availableOutKbps?: number;
  /** Received resolution and frame rate at the other end of the impaired direction (medians). */
  resolution?: string;
  fps?: number;
  /** Freezes the receiver counted during the window. */
  freezes?: number;
  rttMs?: number;
  /** Median of the MOS chart's points in the window, and the grade the page gives it. */
  mos?: number;
  mosGrade?: string;
  /**
   * Mean of the same points. Each point scores one poll's loss, so at 1–2 % most seconds lose no
   * audio packet and the median is the clean score; the mean moves with every lost packet, and is
   * what "MOS falls as loss grows" compares.
   */
  mosMean?: number;
  /** What the MOS panel said at the end of the window. */
  mosPanel?: string;
  /** The quality-limitation bands the bitrate chart shades during the window. */
  limitationBands?: string[];
  /** Recovery only: seconds from lifting the impairment to the first MOS point back near the clean figure. */
  recoveredAfterS?: number;
  /** Sentences: each assertion that failed, with the figures. Empty when the scenario passed. */
  failures: string[];
}

export interface QualityLabResults {
  createdAt: string;
  chromium: string;
  durationMs: number;
  /** Why delay/jitter scenarios did not run (no sch_netem), or undefined when they did. */
  delaySkipped?: string;
  scenarios: QualityScenarioResult[];
  /** /call/ under 10 % loss both ways. */
  call?: { connected: boolean; remoteVideoPlays: Record<'a' | 'b', boolean>; ms: number; failures: string[] };
}

const pct = (figure: LossFigure | undefined) => (figure ? `${figure.percent.toFixed(2)} % of ${figure.packets}` : '—');
const num = (value: number | undefined, digits = 0, unit = '') => (value === undefined ? '—' : `${value.toFixed(digits)}${unit}`);

/** The README's table, in Markdown: one row per scenario, figures as the page reported them. */
export function formatQualityTable(results: QualityLabResults): string {
  const header = ['scenario', 'seen by', 'audio loss', 'video loss on the wire', 'video loss after recovery', 'video out', 'available out', 'resolution', 'fps', 'freezes', 'RTT', 'MOS', 'result'];
  const rows = results.scenarios.map((s) => [
    s.title,
    s.observer.toUpperCase(),
    pct(s.audioLoss),
    pct(s.videoWireLoss),
    pct(s.videoLossAfterRecovery),
    num(s.videoOutKbps, 0, ' kbit/s'),
    num(s.availableOutKbps, 0, ' kbit/s'),
    s.resolution ?? '—',
    num(s.fps, 0),
    num(s.freezes, 0),
    num(s.rttMs, 0, ' ms'),
    s.mos === undefined ? '—' : `${s.mos.toFixed(2)} (${s.mosGrade ?? '?'})`,
    s.failures.length === 0 ? 'ok' : `FAILED: ${s.failures.join('; ')}`,
  ]);
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  const lines = [header, header.map(() => '---'), ...rows].map((row) => `| ${row.map(escape).join(' | ')} |`);
  return lines.join('\n');
}
