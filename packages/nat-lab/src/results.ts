/** What the lab measured, as written to test-results/nat-lab.json and printed as the table. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { NatKind, Side } from './plan.js';

/** Where the lab's test writes its results and `cli.js table` reads them (this module runs from src/ or dist/). */
export const RESULTS_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-results', 'nat-lab.json');

/** The selected candidate pair as one side's `pc.getStats()` reports it. */
export interface PairView {
  local: string;
  remote: string;
  /** Transport of the pair ('udp' / 'tcp'). */
  protocol?: string;
  /** For a local relay candidate: how this side reaches the TURN server ('udp' / 'tcp'). */
  relayProtocol?: string;
}

export interface CallResult {
  outcome: 'connected' | 'failed' | 'timeout';
  /** From the second Join to 'connected' or 'failed' (what the page showed). */
  ms: number;
  /** Each side's status line at the end ("connected", "ICE failed" …). */
  status: Record<Side, string>;
  pairs: Partial<Record<Side, PairView>>;
  /** The error panel's title when one is shown. */
  alert?: string;
}

export interface DiagnosticsResult {
  side: Side;
  /** report.natMapping.behaviour / conclusion / title, or null when the page drew no conclusion. */
  natBehaviour: string | null;
  natConclusion: string | null;
  natTitle: string | null;
  findings: string[];
  /** Check URL → verdict kind. */
  verdicts: Record<string, string>;
  durationMs: number;
}

/** What `webrtc-workbench ice --json` reported from the diagnostics side's host namespace. */
export interface TerminalResult extends Omit<DiagnosticsResult, 'side'> {
  exitCode: number;
}

/** What a plain UDP socket in the host namespace saw from the two STUN addresses. */
export interface MappingProbe {
  side: Side;
  mapped: (string | null)[];
}

export interface ScenarioResult {
  id: string;
  title: string;
  nat: Record<Side, NatKind>;
  direct?: CallResult;
  turn?: CallResult;
  diagnostics?: DiagnosticsResult;
  /** The terminal check (`webrtc-workbench ice --from <server>/api/ice-servers`) on the same side. */
  terminal?: TerminalResult;
  probes: MappingProbe[];
  /** Where the scenario's time went: network (sites + probes), browsers, pages (calls and diagnostics together), teardown. */
  phasesMs: Record<string, number>;
  /** The assertions of this scenario passed. */
  passed: boolean;
  error?: string;
}

export interface LabResults {
  createdAt: string;
  chromium: string;
  durationMs: number;
  scenarios: ScenarioResult[];
}
