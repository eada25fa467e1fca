/** The lab's results as the issue's table, in Markdown (the README section pastes it as printed). */
import type { CallResult, DiagnosticsResult, LabResults, PairView, ScenarioResult } from './results.js';

const HEADER = ['scenario', 'direct call (STUN only)', 'call with TURN', 'diagnostics verdict'] as const;

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** "relay/tcp↔prflx": one side's selected pair, local first; a relay shows how it reaches TURN. */
export function describePair(pair: PairView): string {
  const local = pair.local === 'relay' && pair.relayProtocol ? `relay/${pair.relayProtocol}` : pair.local;
  return `${local}↔${pair.remote}`;
}

export function describeCall(call: CallResult | undefined): string {
  if (!call) return 'not run';
  if (call.outcome === 'failed') return `ICE failed after ${seconds(call.ms)}${call.alert ? ` ("${call.alert}")` : ''}`;
  if (call.outcome === 'timeout') return `neither connected nor failed within ${seconds(call.ms)}`;
  const pairs = (['a', 'b'] as const).flatMap((side) => {
    const pair = call.pairs[side];
    return pair ? [`${side.toUpperCase()} ${describePair(pair)}`] : [];
  });
  return `connected in ${seconds(call.ms)}${pairs.length > 0 ? `; ${pairs.join(', ')}` : ''}`;
}

export function describeDiagnostics(diagnostics: DiagnosticsResult | undefined): string {
  if (!diagnostics) return 'not run';
  const parts = [`(${diagnostics.side.toUpperCase()}) ${diagnostics.natTitle ?? 'no NAT-mapping verdict'}`];
  if (diagnostics.findings.includes('udp-blocked')) parts.push('finding: UDP looks blocked');
  const tcpTurn = Object.entries(diagnostics.verdicts).filter(([url]) => url.startsWith('turn:') && url.endsWith('?transport=tcp'));
  for (const [, verdict] of tcpTurn) if (verdict === 'relay-allocated') parts.push('TURN over TCP: relay allocated');
  return parts.join('; ');
}

function row(scenario: ScenarioResult): string[] {
  const title = scenario.passed ? scenario.title : `${scenario.title} (FAILED)`;
  return [title, describeCall(scenario.direct), describeCall(scenario.turn), describeDiagnostics(scenario.diagnostics)];
}

/** A Markdown table, columns padded so it also reads well in a terminal. */
export function formatTable(results: Pick<LabResults, 'scenarios'>): string {
  const rows = [[...HEADER], ...results.scenarios.map(row)];
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const widths = HEADER.map((_, i) => Math.max(...rows.map((r) => cell(r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((text, i) => cell(text).padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(rows[0] as string[]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}
