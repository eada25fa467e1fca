/**
 * webrtc-internals: imports a chrome://webrtc-internals dump ("Download the webrtc-internals dump")
 * into the samples and timeline events the live quality charts use. The format is the one Chromium
 * writes today: `{getUserMedia, PeerConnections: {<id>: {rtcConfiguration, constraints, stats,
 * updateLog, url}}, UserAgent}`, where `stats` holds one series per stat field, keyed
 * "<statId>-<field>", each `{statsType, startTime, endTime, values: "<JSON array>"}`. Legacy dumps
 * (the "legacy getStats()" goog* series, a top-level array) and the separate "rtcstats dump" are
 * refused with a sentence saying which file to save instead.
 */
import { m } from '@workbench/i18n/messages';
import { ErrorCode, WorkbenchError } from '../../errors.js';
import { sampleEvents, stateEvent, type QualityEvent } from './quality.js';
import { normaliseStats, type RawStats, type StatsSample } from '../../connection/stats.js';

/** Why an import was refused: branch on this, show the message. */
export const DumpImportReason = {
  /** The file is not JSON (or not gzip-compressed JSON). */
  NotJson: 'not-json',
  /** Chromium's other download, the line-based "rtcstats dump". */
  RtcStatsDump: 'rtcstats-dump',
  /** A top-level array: an old or third-party dump format. */
  TopLevelArray: 'top-level-array',
  /** Only the legacy getStats() series (ssrc_*, bweforvideo, Conn-*, goog* stats). */
  LegacyStats: 'legacy-stats',
  /** JSON, but no `PeerConnections` object: not a webrtc-internals dump. */
  NotADump: 'not-a-dump',
} as const;
export type DumpImportReason = (typeof DumpImportReason)[keyof typeof DumpImportReason];


/** An import refused for a reason the person can fix by saving another file. */
export class DumpImportError extends WorkbenchError {
  readonly reason: DumpImportReason;

  constructor(reason: DumpImportReason, message: string, options: { cause?: unknown } = {}) {
    const unsupported = reason === 'rtcstats-dump' || reason === 'top-level-array' || reason === 'legacy-stats';
    // Read when thrown, in the reader's language: Chrome's own button names stay as Chrome shows them.
    const saveTheRightFile = m.quality_dump_fix();
    super(unsupported ? ErrorCode.Unsupported : ErrorCode.InvalidArgument, `${message} ${saveTheRightFile}`, {
      cause: options.cause,
      explanation: {
        code: unsupported ? ErrorCode.Unsupported : ErrorCode.InvalidArgument,
        title: unsupported ? m.quality_dump_unsupported_title() : m.quality_dump_not_a_dump_title(),
        detail: message,
        fix: saveTheRightFile,
      },
    });
    this.reason = reason;
  }
}

export interface ImportedPeerConnection {
  /** The dump's key, "<renderer pid>-<local id>", e.g. "8-1". */
  id: string;
  /** The page that created the connection. */
  url?: string;
  /** As the dump has it: a JSON-ish string. */
  rtcConfiguration?: string;
  constraints?: string;
  /** One sample per getStats() poll webrtc-internals recorded, oldest first, with rates as live. */
  samples: StatsSample[];
  /** State changes from the update log and the changes derived from the samples, by time. */
  events: QualityEvent[];
  /** How many stat series were read (and skipped: derived "[…]" series and unknown shapes). */
  seriesRead: number;
}

export interface ImportedDump {
  userAgent?: string;
  peerConnections: ImportedPeerConnection[];
  /** Things a person should know that did not stop the import (legacy series ignored, …). */
  warnings: string[];
}

/** One series as the dump stores it. */
interface DumpSeries {
  statsType?: unknown;
  startTime?: unknown;
  endTime?: unknown;
  values?: unknown;
}

const LEGACY_STATS_TYPES = new Set([
  'ssrc',
  'VideoBwe',
  'googCandidatePair',
  'googComponent',
  'googCertificate',
  'googLibjingleSession',
  'googTrack',
  'localcandidate',
  'remotecandidate',
]);
const LEGACY_ID = /^(ssrc_\d+_(send|recv)|bweforvideo|Conn-|Channel-|googTrack_|googLibjingleSession_)/;

/** Remote stats carry the time the RTCP report arrived, not the poll's: matched to polls as "latest so far". */
const REMOTE_TYPES = new Set(['remote-inbound-rtp', 'remote-outbound-rtp', 'remote-candidate']);

/** Polls closer than this are one poll (webrtc-internals polls once a second). */
const SAME_POLL_MS = 250;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The text of a dump file, gunzipped when it starts with the gzip magic bytes (the "Compress result" default). */
export async function decodeDumpBytes(bytes: Uint8Array): Promise<string> {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
      return await new Response(stream).text();
    } catch (error) {
      throw new DumpImportError(DumpImportReason.NotJson, m.quality_dump_bad_gzip(), {
        cause: error,
      });
    }
  }
  return new TextDecoder().decode(bytes);
}

function parseTime(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

function parseValues(series: DumpSeries): unknown[] | undefined {
  const { values } = series;
  if (Array.isArray(values)) return values;
  if (typeof values !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(values);
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

interface StatHistory {
  id: string;
  type: string;
  /** When each point was taken, ms (from the "<id>-timestamp" series, else spread over start–end). */
  times: number[];
  /** field → value per point, aligned with `times` (undefined where the field had no point). */
  fields: Map<string, (unknown | undefined)[]>;
}

/**
 * Regroups the per-field series into one history per stat id. A key is split at its LAST "-":
 * stat ids can contain dashes (H.264 codec ids carry "packetization-mode=1"), field names cannot.
 */
function statHistories(stats: Record<string, unknown>): { histories: StatHistory[]; read: number; legacy: number } {
  const grouped = new Map<string, { type: string; series: Map<string, DumpSeries> }>();
  let legacy = 0;
  for (const [key, series] of Object.entries(stats)) {
    // "[bytesSent_in_bits/s]", "[framesReceived-framesDecoded-framesDropped]"…: webrtc-internals' own
    // derived graphs, not getStats fields (and their names may contain dashes).
    if (!isRecord(series) || key.endsWith(']')) continue;
    const dash = key.lastIndexOf('-');
    if (dash <= 0 || dash === key.length - 1) continue;
    const id = key.slice(0, dash);
    const field = key.slice(dash + 1);
    const type = typeof series.statsType === 'string' ? series.statsType : '';
    // By type and id only: current standard stats still carry a few goog* fields (googTimingFrameInfo).
    if (LEGACY_STATS_TYPES.has(type) || LEGACY_ID.test(id)) {
      legacy += 1;
      continue;
    }
    if (type === '') continue;
    let group = grouped.get(id);
    if (!group) grouped.set(id, (group = { type, series: new Map() }));
    group.series.set(field, series);
  }

  const histories: StatHistory[] = [];
  let read = 0;
  for (const [id, { type, series }] of grouped) {
    const stamp = series.get('timestamp');
    const stampValues = stamp ? parseValues(stamp)?.map(parseTime) : undefined;
    let times: number[];
    if (stampValues && stampValues.every((t): t is number => t !== undefined)) {
      times = stampValues;
    } else {
      // Dumps from before the timestamp series: spread the longest series evenly over its start–end.
      let longest: { n: number; start: number; end: number } | undefined;
      for (const s of series.values()) {
        const n = parseValues(s)?.length ?? 0;
        const start = parseTime(s.startTime);
        const end = parseTime(s.endTime);
        if (start !== undefined && end !== undefined && n > (longest?.n ?? 0)) longest = { n, start, end };
      }
      if (!longest) continue;
      const { n, start, end } = longest;
      times = Array.from({ length: n }, (_, i) => (n === 1 ? end : start + ((end - start) * i) / (n - 1)));
    }
    const fields = new Map<string, (unknown | undefined)[]>();
    for (const [field, s] of series) {
      if (field === 'timestamp') continue;
      const values = parseValues(s);
      if (!values) continue;
      read += 1;
      fields.set(field, align(values, times, parseTime(s.endTime)));
    }
    histories.push({ id, type, times, fields });
  }
  return { histories, read, legacy };
}

/**
 * Places a field's points on its stat's time line. A field reported from the stat's first poll has
 * one point per time; one that appeared later (or dropped out) has fewer, and ends at `endTime`.
 */
function align(values: unknown[], times: number[], endTime: number | undefined): (unknown | undefined)[] {
  if (values.length === times.length) return values;
  let endIndex = times.length - 1;
  if (endTime !== undefined) {
    let best = Infinity;
    times.forEach((t, i) => {
      // The ISO endTime has whole milliseconds; the timestamp has fractions.
      const distance = Math.abs(Math.floor(t) - endTime);
      if (distance < best) {
        best = distance;
        endIndex = i;
      }
    });
  }
  const aligned = new Array<unknown>(times.length).fill(undefined);
  const first = endIndex - values.length + 1;
  values.forEach((value, k) => {
    const index = first + k;
    if (index >= 0 && index < times.length) aligned[index] = value;
  });
  return aligned;
}

/** The poll times: every local stat's timestamps, merged where they are within one poll. */
function pollTimes(histories: StatHistory[]): number[] {
  const all: number[] = [];
  for (const history of histories) if (!REMOTE_TYPES.has(history.type)) all.push(...history.times);
  all.sort((a, b) => a - b);
  const polls: number[] = [];
  for (const t of all) {
    const last = polls[polls.length - 1];
    if (last === undefined || t - last > SAME_POLL_MS) polls.push(t);
  }
  return polls;
}

/**
 * Walks one stat's history poll by poll (polls only move forward, so each history is read once):
 * the record the stat had at a poll, as getStats would have reported it then, or undefined.
 */
class HistoryCursor {
  readonly #history: StatHistory;
  readonly #remote: boolean;
  #next = 0;

  constructor(history: StatHistory) {
    this.#history = history;
    this.#remote = REMOTE_TYPES.has(history.type);
  }

  /** The record for the poll whose points lie in [from, until). */
  recordAt(from: number, until: number): RawStats | undefined {
    const { times } = this.#history;
    // Skip points from before this poll (a stat's own clock can lag a poll that merged others).
    while (!this.#remote && this.#next < times.length && (times[this.#next] ?? 0) < from) this.#next += 1;
    let index = -1;
    if (this.#remote) {
      // Remote stats carry the RTCP report's arrival time: the newest one received by this poll.
      while (this.#next < times.length && (times[this.#next] ?? Infinity) < until) this.#next += 1;
      index = this.#next - 1;
    } else if (this.#next < times.length && (times[this.#next] ?? Infinity) < until) {
      index = this.#next;
      this.#next += 1;
    }
    if (index < 0) return undefined;
    const record: RawStats = { id: this.#history.id, type: this.#history.type, timestamp: times[index] ?? from };
    for (const [field, values] of this.#history.fields) {
      const value = values[index];
      if (value !== undefined && value !== null) record[field] = value;
    }
    return record;
  }
}

function updateLogEvents(log: unknown): QualityEvent[] {
  if (!Array.isArray(log)) return [];
  const events: QualityEvent[] = [];
  for (const entry of log) {
    if (!isRecord(entry)) continue;
    const kind = entry.type === 'onconnectionstatechange' ? 'connection' : entry.type === 'oniceconnectionstatechange' ? 'ice' : undefined;
    if (!kind) continue;
    // Current Chromium: `timestamp` in ms; older dumps: `time` as a date string.
    const at = parseTime(entry.timestamp) ?? parseTime(entry.time);
    if (at === undefined) continue;
    let state = typeof entry.value === 'string' ? entry.value : '';
    try {
      const parsed: unknown = JSON.parse(state); // the value is JSON: "\"connected\""
      if (typeof parsed === 'string') state = parsed;
    } catch {
      // Older dumps wrote the bare word.
    }
    if (state) events.push(stateEvent(kind, state, at));
  }
  return events;
}

/** Turns one PeerConnections entry into samples and events. */
function importPeerConnection(id: string, entry: Record<string, unknown>): { pc: ImportedPeerConnection; legacy: number } {
  const stats = isRecord(entry.stats) ? entry.stats : {};
  const { histories, read, legacy } = statHistories(stats);
  const polls = pollTimes(histories);
  const samples: StatsSample[] = [];
  const events: QualityEvent[] = updateLogEvents(entry.updateLog);
  const cursors = histories.map((history) => new HistoryCursor(history));
  let previous: StatsSample | undefined;
  polls.forEach((poll, i) => {
    // A poll's points lie within SAME_POLL_MS of its first one (see pollTimes).
    const until = Math.min(polls[i + 1] ?? Infinity, poll + SAME_POLL_MS + 1);
    const report = new Map<string, RawStats>();
    for (const cursor of cursors) {
      const record = cursor.recordAt(poll, until);
      if (record) report.set(record.id ?? '', record);
    }
    const sample = normaliseStats(report, previous);
    // The poll's own time, not the newest remote report's, keeps samples one poll apart.
    sample.timestamp = poll;
    events.push(...sampleEvents(previous, sample));
    samples.push(sample);
    previous = sample;
  });
  events.sort((a, b) => a.at - b.at);
  const pc: ImportedPeerConnection = { id, samples, events, seriesRead: read };
  if (typeof entry.url === 'string') pc.url = entry.url;
  if (typeof entry.rtcConfiguration === 'string') pc.rtcConfiguration = entry.rtcConfiguration;
  if (typeof entry.constraints === 'string' && entry.constraints !== '') pc.constraints = entry.constraints;
  return { pc, legacy };
}

/**
 * Imports a webrtc-internals dump: its text (see {@link decodeDumpBytes} for a compressed file) or
 * the parsed object. Throws DumpImportError (code UNSUPPORTED for formats this does not read,
 * INVALID_ARGUMENT for something that is not a dump) with a sentence saying what to save instead.
 */
export function importWebrtcInternalsDump(input: string | unknown): ImportedDump {
  let dump: unknown = input;
  if (typeof input === 'string') {
    const text = input.replace(/^\uFEFF/, '').trimStart();
    if (text.startsWith('RTCStatsDump')) {
      throw new DumpImportError(DumpImportReason.RtcStatsDump, m.quality_dump_rtcstats());
    }
    try {
      dump = JSON.parse(text);
    } catch (error) {
      throw new DumpImportError(DumpImportReason.NotJson, m.quality_dump_not_json(), { cause: error });
    }
  }
  if (Array.isArray(dump)) {
    throw new DumpImportError(DumpImportReason.TopLevelArray, m.quality_dump_top_level_array());
  }
  if (!isRecord(dump) || !isRecord(dump.PeerConnections)) {
    throw new DumpImportError(DumpImportReason.NotADump, m.quality_dump_no_peer_connections());
  }

  const peerConnections: ImportedPeerConnection[] = [];
  const warnings: string[] = [];
  let legacySeries = 0;
  for (const [id, entry] of Object.entries(dump.PeerConnections)) {
    if (!isRecord(entry)) continue;
    const { pc, legacy } = importPeerConnection(id, entry);
    legacySeries += legacy;
    peerConnections.push(pc);
  }
  const standardSeries = peerConnections.reduce((n, pc) => n + pc.seriesRead, 0);
  if (legacySeries > 0 && standardSeries === 0) {
    throw new DumpImportError(DumpImportReason.LegacyStats, m.quality_dump_legacy_only({ count: legacySeries }));
  }
  if (legacySeries > 0) warnings.push(m.quality_dump_legacy_ignored({ count: legacySeries }));
  for (const pc of peerConnections) {
    if (pc.samples.length === 0) warnings.push(m.quality_dump_pc_no_stats({ id: pc.id }));
  }
  const userAgent = typeof dump.UserAgent === 'string' ? dump.UserAgent : undefined;
  return userAgent === undefined ? { peerConnections, warnings } : { userAgent, peerConnections, warnings };
}
