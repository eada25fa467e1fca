/**
 * The versioned ICE report (schema v2, v1 still read): its valibot schema, the server entries
 * with or without credentials, redaction, the parser that explains a bad file, and the text summary.
 */
import { ErrorCode, WorkbenchError } from '../../errors.js';
import * as v from 'valibot';
import { FINDING_IDS, iceBottomLine } from './findings.js';
import { formatFixed, formatList } from '@workbench/i18n/format';
import { m } from '@workbench/i18n/messages';
import { seconds, sentences, TRANSPORT_LABEL } from './format.js';
import { type CheckStatus, verdictStatus } from './verdicts.js';

export const ICE_REPORT_SCHEMA = 'webrtc-workbench/ice-report';
/**
 * 2 added optional fields only (a verdict's `provisional` and `atBudget`) and the findings relay-no-data,
 * credentials-expired and clock-skew; version 1 reports are still read.
 */
export const ICE_REPORT_VERSION = 2;
const READABLE_VERSIONS: readonly number[] = [1, 2];

const ms = v.pipe(v.number(), v.finite(), v.minValue(0));
const text = (max = 4000) => v.pipe(v.string(), v.maxLength(max));
const portNumber = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(65535));
const relayProtocolSchema = v.picklist(['udp', 'tcp', 'tls']);
const transportSchema = v.picklist(['udp', 'tcp', 'tls']);
const kindSchema = v.picklist(['stun', 'turn']);
const statusSchema = v.picklist(['idle', 'running', 'success', 'failed', 'skipped']);

const observedCandidateSchema = v.object({
  atMs: ms,
  candidate: text(1000),
  url: v.optional(text(1000)),
  relayProtocol: v.optional(relayProtocolSchema),
});

const observedErrorSchema = v.object({
  atMs: ms,
  errorCode: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(999)),
  errorText: text(1000),
  url: text(1000),
  address: v.nullable(text(200)),
  port: v.nullable(portNumber),
});

const verdictSchema = v.object({
  kind: v.picklist(['reachable', 'relay-allocated', 'auth-failed', 'unreachable', 'error', 'skipped', 'cancelled']),
  atMs: ms,
  title: text(),
  detail: text(),
  fix: v.optional(text()),
  mapped: v.optional(v.object({ address: text(200), port: portNumber })),
  mappedEqualsHost: v.optional(v.boolean()),
  relay: v.optional(v.object({ address: text(200), port: portNumber, protocol: v.optional(relayProtocolSchema) })),
  errorCode: v.optional(v.number()),
  provisional: v.optional(v.boolean()),
  atBudget: v.optional(v.boolean()),
});

const serverSchema = v.object({
  id: text(200),
  url: text(1000),
  source: v.picklist(['user', 'server']),
  /** Present only when the person ticked "include credentials" when exporting. */
  username: v.optional(text(1000)),
  credential: v.optional(text(1000)),
  hasCredentials: v.boolean(),
});

const checkSchema = v.object({
  id: text(1000),
  serverId: text(200),
  url: text(1000),
  serverUrl: text(1000),
  kind: kindSchema,
  transport: transportSchema,
  status: statusSchema,
  startedAtMs: ms,
  verdict: v.nullable(verdictSchema),
  candidates: v.array(observedCandidateSchema),
  errors: v.array(observedErrorSchema),
  gatheringCompleteMs: v.optional(ms),
});

const gatheringSchema = v.object({
  status: statusSchema,
  startedAtMs: ms,
  candidates: v.array(observedCandidateSchema),
  errors: v.array(observedErrorSchema),
  gatheringCompleteMs: v.optional(ms),
  note: v.optional(text()),
});

const loopbackSchema = v.object({
  checkId: text(1000),
  url: text(1000),
  status: statusSchema,
  connectedMs: v.optional(ms),
  rttMs: v.optional(ms),
  bytes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  transferMs: v.optional(ms),
  throughputMbps: v.optional(ms),
  localCandidateType: v.optional(text(20)),
  remoteCandidateType: v.optional(text(20)),
  relayProtocol: v.optional(text(10)),
  error: v.optional(text()),
});

const natSchema = v.object({
  behaviour: v.picklist(['unknown', 'no-nat', 'endpoint-independent', 'endpoint-dependent']),
  conclusion: v.picklist(['direct-likely', 'needs-turn', 'unknown']),
  title: text(),
  detail: text(),
  servers: v.array(v.object({ server: text(1000), answered: v.boolean(), mapped: v.array(text(300)), note: v.optional(text()) })),
});

const findingSchema = v.object({
  id: v.picklist(FINDING_IDS),
  severity: v.picklist(['info', 'warning']),
  title: text(),
  detail: text(),
});

/** The report's schema: the one definition the exporter's type and the importer's validation share. */
export const iceReportSchema = v.object({
  schema: v.literal(ICE_REPORT_SCHEMA),
  version: v.picklist([1, 2]),
  createdAt: text(64),
  userAgent: text(1000),
  settings: v.object({
    budgetMs: ms,
    iceTransportPolicy: v.picklist(['all', 'relay']),
    includesCredentials: v.boolean(),
  }),
  durationMs: ms,
  servers: v.array(serverSchema),
  checks: v.array(checkSchema),
  gathering: v.nullable(gatheringSchema),
  loopbacks: v.array(loopbackSchema),
  natMapping: v.nullable(natSchema),
  findings: v.array(findingSchema),
});

export type IceReport = v.InferOutput<typeof iceReportSchema>;
export type IceReportServer = IceReport['servers'][number];
export type IceReportCheck = IceReport['checks'][number];
export type IceReportGathering = NonNullable<IceReport['gathering']>;
export type IceReportLoopback = IceReport['loopbacks'][number];

/** A server as the page holds it; credentials leave it only through {@link redactIceReport}'s opt-in. */
export interface IceServerEntry {
  id: string;
  url: string;
  username?: string;
  credential?: string;
  source: 'user' | 'server';
}

/** The report's server entry: credentials kept only when `includeCredentials` is true. */
export function reportServer(entry: IceServerEntry, includeCredentials: boolean): IceReportServer {
  const hasCredentials = Boolean(entry.username || entry.credential);
  return {
    id: entry.id,
    url: entry.url,
    source: entry.source,
    hasCredentials,
    ...(includeCredentials && entry.username !== undefined ? { username: entry.username } : {}),
    ...(includeCredentials && entry.credential !== undefined ? { credential: entry.credential } : {}),
  };
}

/** A copy of `report` without usernames and credentials (what every export is, unless the person opts in). */
export function redactIceReport(report: IceReport): IceReport {
  return {
    ...report,
    settings: { ...report.settings, includesCredentials: false },
    servers: report.servers.map(({ username: _u, credential: _c, ...server }) => server),
  };
}

function invalidReport(title: string, detail: string): WorkbenchError {
  return new WorkbenchError(ErrorCode.InvalidArgument, sentences(detail, m.ice_report_choose_file()), {
    explanation: { code: ErrorCode.InvalidArgument, title, detail, fix: m.ice_report_choose_fix() },
  });
}

/**
 * Validates an imported report: JSON text or an already-parsed value. Throws WorkbenchError
 * INVALID_ARGUMENT whose explanation says what is wrong (not JSON, another kind of file, a
 * newer version, or which field is invalid).
 */
export function parseIceReport(input: unknown): IceReport {
  let data = input;
  if (typeof input === 'string') {
    try {
      data = JSON.parse(input);
    } catch (error) {
      throw invalidReport(m.ice_report_not_json(), m.ice_report_not_json_detail({ error: error instanceof Error ? error.message : String(error) }));
    }
  }
  if (typeof data !== 'object' || data === null || (data as { schema?: unknown }).schema !== ICE_REPORT_SCHEMA) {
    throw invalidReport(m.ice_report_not_report(), m.ice_report_not_report_detail({ schema: ICE_REPORT_SCHEMA }));
  }
  const version = (data as { version?: unknown }).version;
  if (typeof version !== 'number' || !READABLE_VERSIONS.includes(version)) {
    throw invalidReport(
      m.ice_report_version(),
      m.ice_report_version_detail({ version: String(JSON.stringify(version)), versions: formatList(READABLE_VERSIONS.map(String)) }),
    );
  }
  const result = v.safeParse(iceReportSchema, data);
  if (!result.success) {
    const issue = result.issues[0];
    const path = v.getDotPath(issue) ?? m.ice_report_top_level();
    throw invalidReport(m.ice_report_damaged(), m.ice_report_invalid_at({ path, issue: issue.message }));
  }
  const ids = new Set<string>();
  for (const check of result.output.checks) {
    if (ids.has(check.id)) throw invalidReport(m.ice_report_damaged(), m.ice_report_duplicate_id({ id: check.id }));
    ids.add(check.id);
  }
  return result.output;
}

function formatMs(value: number | undefined): string {
  return value === undefined ? '—' : m.ice_ms({ ms: Math.round(value) });
}

/** The mark before each line of the summary: "OK  ", "FAIL", "SKIP" in English, padded to line up. */
function statusMark(status: CheckStatus): string {
  const marks: Record<CheckStatus, string> = { idle: '·', running: '…', success: m.ice_mark_ok().padEnd(4), failed: m.ice_mark_fail(), skipped: m.ice_mark_skip() };
  return marks[status];
}

/** A check or loopback status in words, as the summary and the page show it. */
export function iceStatusLabel(status: CheckStatus): string {
  const labels: Record<CheckStatus, () => string> = {
    idle: m.ice_status_idle,
    running: m.ice_status_running,
    success: m.ice_status_success,
    failed: m.ice_status_failed,
    skipped: m.ice_status_skipped,
  };
  return labels[status]();
}

/** The report as plain text, for "Copy summary": one line per check, then NAT mapping, findings, loopbacks. */
export function formatIceSummary(report: IceReport): string {
  const lines = [
    m.ice_summary_header({ created: report.createdAt, budget: seconds(report.settings.budgetMs), policy: report.settings.iceTransportPolicy }),
    report.userAgent,
    '',
  ];
  const bottom = iceBottomLine(report);
  if (bottom) lines.push(bottom.sentence, '');
  lines.push(m.ice_summary_verdicts());
  for (const check of report.checks) {
    const verdict = check.verdict;
    const time = verdict && verdictStatus(verdict.kind) !== 'skipped' ? m.ice_summary_in({ time: formatMs(verdict.atMs) }) : '';
    const which = check.id === check.url ? '' : ` (${check.id.slice(check.url.length + 1)})`;
    lines.push(`  ${statusMark(check.status)} ${check.url}${which} [${TRANSPORT_LABEL[check.transport]}]: ${verdict?.title ?? m.ice_summary_no_verdict()}${time}`);
  }
  if (report.loopbacks.length > 0) {
    lines.push('', m.ice_summary_loopbacks());
    for (const loop of report.loopbacks) {
      lines.push(
        loop.status === 'success'
          ? `  ${statusMark('success')} ${loop.url}: ${m.ice_summary_loopback_ok({
              connected: formatMs(loop.connectedMs),
              rtt: formatMs(loop.rttMs),
              size: `${formatFixed((loop.bytes ?? 0) / 1048576, 1)} MiB`,
              throughput: `${formatFixed(loop.throughputMbps ?? 0, 1)} Mbit/s`,
            })}`
          : `  ${statusMark(loop.status)} ${loop.url}: ${loop.error ?? iceStatusLabel(loop.status)}`,
      );
    }
  }
  if (report.natMapping) lines.push('', m.ice_summary_nat({ title: report.natMapping.title }));
  if (report.findings.length > 0) {
    lines.push('', m.ice_summary_findings());
    for (const finding of report.findings) lines.push(`  - ${finding.title}: ${finding.detail}`);
  }
  return lines.join('\n');
}
