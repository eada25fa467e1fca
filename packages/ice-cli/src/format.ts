/**
 * A run's report for people (a table, colour only on a terminal) and for monitoring (Prometheus
 * text exposition). The words are the page's: verdict titles, details and fixes come from core.
 */
import { explainIceError, verdictStatus, type IceReport, type IceReportCheck } from '@workbench/core/ice-diagnostics';

import type { TlsCheckResult } from './tls-check.js';

const TRANSPORT: Record<IceReportCheck['transport'], string> = { udp: 'UDP', tcp: 'TCP', tls: 'TLS' };

interface Paint {
  ok(text: string): string;
  bad(text: string): string;
  warn(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

function paint(color: boolean): Paint {
  const wrap = (code: string) => (text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  return { ok: wrap('32'), bad: wrap('31'), warn: wrap('33'), dim: wrap('2'), bold: wrap('1') };
}

function ms(value: number | undefined): string {
  return value === undefined ? '—' : `${Math.round(value)} ms`;
}

/** Lines of `text` wrapped at `width`, each indented. */
function wrapText(text: string, indent: string, width = 100): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width - indent.length) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines;
}

export function formatTable(report: IceReport, tls: ReadonlyMap<string, TlsCheckResult>, options: { color: boolean }): string {
  const p = paint(options.color);
  const out: string[] = [];
  const urlWidth = Math.min(60, Math.max(...report.checks.map((c) => c.url.length), 3));
  out.push(p.bold(`${'CHECK'.padEnd(5)} ${'URL'.padEnd(urlWidth)} ${'VIA'.padEnd(4)} ${'TIME'.padStart(8)}  VERDICT`));
  for (const check of report.checks) {
    const verdict = check.verdict;
    const status = verdict ? verdictStatus(verdict.kind) : 'failed';
    const mark = status === 'success' ? p.ok('OK   ') : status === 'skipped' ? p.dim('SKIP ') : p.bad('FAIL ');
    const time = verdict && status !== 'skipped' ? ms(verdict.atMs) : '';
    out.push(`${mark} ${check.url.padEnd(urlWidth)} ${TRANSPORT[check.transport].padEnd(4)} ${time.padStart(8)}  ${verdict?.title ?? 'no verdict'}`);
    const tlsResult = tls.get(check.id);
    if (tlsResult?.ok) out.push(...wrapText(`TLS: ${tlsResult.detail}`, '        ').map(p.dim));
    if (status === 'failed' && verdict) {
      out.push(...wrapText(verdict.detail, '        '));
      if (verdict.fix) out.push(...wrapText(`Fix: ${verdict.fix}`, '        ').map(p.warn));
    }
    // Every distinct code this check saw, with the table's meaning, cause and fix (as the page's card lists them).
    const seen = new Set<string>();
    for (const error of check.errors) {
      const explained = explainIceError(error, {});
      const key = `${error.errorCode}/${explained.scope}`;
      // A non-fatal error (a local IPv6 address that cannot reach an IPv4 server) explains nothing about a check that passed.
      // The code the verdict rests on is already explained by it (title, detail with the cause, fix).
      if (seen.has(key) || (!explained.fatal && status === 'success') || (explained.fatal && error.errorCode === verdict?.errorCode)) continue;
      seen.add(key);
      out.push(`        ${p.bold(`${error.errorCode} ${explained.name}`)}${explained.fatal ? '' : p.dim(' (not fatal)')}: ${explained.meaning}`);
      if (explained.fatal) {
        out.push(...wrapText(`Cause: ${explained.cause}`, '          '), ...wrapText(`Fix: ${explained.fix}`, '          '));
      } else if (explained.note) {
        out.push(...wrapText(explained.note, '          ').map(p.dim));
      }
    }
  }
  if (report.loopbacks.length > 0) {
    out.push('', p.bold('TURN end to end (two relay-only peer connections, one data channel, 1 MiB):'));
    for (const loop of report.loopbacks) {
      out.push(
        loop.status === 'success'
          ? `${p.ok('OK   ')} ${loop.url}: connected in ${ms(loop.connectedMs)}, RTT ${loop.rttMs ?? '—'} ms, ${((loop.bytes ?? 0) / 1048576).toFixed(1)} MiB in ${ms(loop.transferMs)} = ${loop.throughputMbps ?? 0} Mbit/s (${loop.localCandidateType ?? '?'} ↔ ${loop.remoteCandidateType ?? '?'})`
          : `${p.bad('FAIL ')} ${loop.url}: ${loop.error ?? loop.status}`,
      );
    }
  }
  const nat = report.natMapping;
  if (nat) {
    const mark = nat.conclusion === 'needs-turn' ? p.warn('!') : '-';
    out.push('', p.bold('NAT mapping (one gathering with every UDP server):'), `${mark} ${nat.title}`, ...wrapText(nat.detail, '  '));
    for (const server of nat.servers) {
      const parts = [...(server.mapped.length > 0 ? [`saw ${server.mapped.join(', ')}`] : []), ...(server.note ? [server.note] : [])];
      out.push(...wrapText(`${server.server}: ${parts.join('. ') || (server.answered ? 'answered' : 'no answer')}`, '    ').map(p.dim));
    }
  }
  if (report.findings.length > 0) {
    out.push('', p.bold('Findings:'));
    for (const finding of report.findings) {
      out.push(...wrapText(`${finding.title}: ${finding.detail}`, '  ').map((line, i) => (i === 0 ? `${finding.severity === 'warning' ? p.warn('!') : '-'}${line.slice(1)}` : line)));
    }
  }
  return out.join('\n');
}

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/**
 * Prometheus text exposition (for node_exporter's textfile collector): per server × transport,
 * whether it works, the verdict kind, time to verdict (the allocation time for TURN), and the
 * relay proof's RTT and throughput.
 */
export function formatPrometheus(report: IceReport): string {
  const lines: string[] = [];
  const gauge = (name: string, help: string, rows: [Record<string, string>, number][]) => {
    if (rows.length === 0) return;
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const [labels, value] of rows) {
      const text = Object.entries(labels).map(([k, v]) => `${k}="${label(v)}"`).join(',');
      lines.push(`${name}${text ? `{${text}}` : ''} ${Number.isFinite(value) ? value : 'NaN'}`);
    }
  };
  const decided = report.checks.filter((c) => c.verdict && verdictStatus(c.verdict.kind) !== 'skipped');
  const labelsOf = (c: IceReportCheck) => ({ server: c.serverUrl, url: c.url, kind: c.kind, transport: c.transport });
  gauge('webrtc_workbench_ice_check_up', '1 when the check passed (STUN answered, TURN allocated), else 0.',
    decided.map((c) => [labelsOf(c), c.verdict && verdictStatus(c.verdict.kind) === 'success' ? 1 : 0]));
  gauge('webrtc_workbench_ice_check_verdict', '1 for the verdict the check reached (label verdict: reachable, relay-allocated, auth-failed, unreachable, error).',
    decided.map((c) => [{ ...labelsOf(c), verdict: c.verdict?.kind ?? 'none', code: String(c.verdict?.errorCode ?? '') }, 1]));
  gauge('webrtc_workbench_ice_check_seconds', 'Time to the verdict: for TURN, the allocation time.',
    decided.map((c) => [labelsOf(c), (c.verdict?.atMs ?? 0) / 1000]));
  const byId = new Map(report.checks.map((c) => [c.id, c]));
  const loops = report.loopbacks.flatMap((l) => {
    const check = byId.get(l.checkId);
    return check ? [{ l, labels: labelsOf(check) }] : [];
  });
  gauge('webrtc_workbench_ice_relay_up', '1 when 1 MiB crossed the relay between two relay-only peer connections intact.', loops.map(({ l, labels }) => [labels, l.status === 'success' ? 1 : 0]));
  gauge('webrtc_workbench_ice_relay_rtt_seconds', 'Round-trip time of the relayed candidate pair.',
    loops.filter(({ l }) => l.rttMs !== undefined).map(({ l, labels }) => [labels, (l.rttMs ?? 0) / 1000]));
  gauge('webrtc_workbench_ice_relay_throughput_bits_per_second', 'Throughput of 1 MiB sent through the relay.',
    loops.filter(({ l }) => l.throughputMbps !== undefined).map(({ l, labels }) => [labels, (l.throughputMbps ?? 0) * 1e6]));
  const nat = report.natMapping;
  if (nat && nat.behaviour !== 'unknown') {
    gauge('webrtc_workbench_ice_nat_mapping', '1 for the NAT mapping the STUN servers showed (label behaviour: no-nat, endpoint-independent, endpoint-dependent; needs_turn 1 when direct calls to peers behind NAT will likely fail).',
      [[{ behaviour: nat.behaviour, needs_turn: nat.conclusion === 'needs-turn' ? '1' : '0' }, 1]]);
  }
  gauge('webrtc_workbench_ice_run_duration_seconds', 'How long the whole run took.', [[{}, report.durationMs / 1000]]);
  return `${lines.join('\n')}\n`;
}
