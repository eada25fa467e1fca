/**
 * Quality: what a call's stats samples say about it. An E-model MOS (ITU-T G.107, simplified) from
 * round-trip time, jitter and loss; a grade per metric from thresholds kept as data so the page can
 * show them; and the changes worth marking on a timeline (selected pair, codec, encoder,
 * resolution, quality limitation), derived the same way from live samples and imported dumps.
 */
import { formatFixed, formatMs } from '@workbench/i18n/format';
import { m } from '@workbench/i18n/messages';
import type { StatsSample } from '../../connection/stats.js';

// ---- E-model ------------------------------------------------------------------------------

/**
 * The constants of the simplified E-model, exported so the page shows the numbers it computes with.
 *
 * ITU-T G.107 rates a voice call on a 0–100 scale, R = Ro − Is − Id − Ie,eff + A. With every
 * parameter at its G.107 default, Ro − Is = 93.2 and A = 0 (no "advantage" for mobility), leaving
 *
 *   R  = 93.2 − Id − Ie,eff
 *   Ta = RTT / 2 + 2 × jitter + 10 ms            effective one-way delay: half the round trip, a
 *                                                 jitter buffer twice the jitter, 10 ms of codec
 *                                                 look-ahead/packetisation
 *   Id = 0.024 × Ta + 0.11 × (Ta − 177.3) × H(Ta − 177.3)
 *                                                 delay impairment: Cole & Rosenbluth's (2001) fit of
 *                                                 G.107's Idd/Idte at default echo settings;
 *                                                 H(x) = 1 for x > 0, else 0
 *   Ie,eff = Ie + (95 − Ie) × Ppl / (Ppl / BurstR + Bpl)
 *                                                 loss impairment, G.107 eq. 7-29, Ppl in percent;
 *                                                 Ie = 0 and Bpl = 25.1 are G.113's values for
 *                                                 G.711 with packet-loss concealment, the closest
 *                                                 tabulated codec to Opus; BurstR = 1 (random loss)
 *   MOS = 1 + 0.035 R + R (R − 60)(100 − R) × 7·10⁻⁶   for 0 < R < 100 (G.107 Annex B);
 *         1 for R ≤ 0, 4.5 for R ≥ 100
 *
 * It estimates conversational voice quality: video calls feel delay and loss the same way, but
 * a video codec's own artefacts are not in it.
 */
export const E_MODEL = {
  /** Ro − Is with G.107's default parameters. */
  baseR: 93.2,
  /** Codec look-ahead and packetisation added to the one-way delay, ms. */
  codecDelayMs: 10,
  /** The jitter buffer is assumed to hold this many times the measured jitter. */
  jitterBufferFactor: 2,
  /** Where the delay impairment starts to rise steeply (one-way ms). */
  delayKneeMs: 177.3,
  /** Equipment impairment with no loss (G.711 + PLC in G.113). */
  ie: 0,
  /** Packet-loss robustness (G.711 + PLC in G.113, random loss). */
  bpl: 25.1,
  /** Burst ratio: 1 = losses are random, > 1 = they come in bursts. */
  burstR: 1,
} as const;

export interface EModelInput {
  /** Round-trip time, ms (candidate pair's currentRoundTripTime × 1000). */
  rttMs: number;
  /** Interarrival jitter, ms (inbound-rtp jitter × 1000). */
  jitterMs: number;
  /** Packets lost in the interval, percent 0–100. */
  lossPercent: number;
}

export interface EModelResult {
  /** Mean opinion score, 1 (bad) to 4.5 (the E-model's best narrowband score). */
  mos: number;
  /** The rating factor R, 0–100 (can be negative before clamping MOS). */
  r: number;
  /** Effective one-way delay Ta, ms. */
  delayMs: number;
  /** Delay impairment Id. */
  delayImpairment: number;
  /** Effective equipment (loss) impairment Ie,eff. */
  lossImpairment: number;
}

/** R to MOS, G.107 Annex B. */
export function mosFromR(r: number): number {
  if (r <= 0) return 1;
  if (r >= 100) return 4.5;
  return 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
}

/**
 * The simplified E-model (see {@link E_MODEL} for the formula and where each constant comes from).
 * Negative inputs are treated as 0 and loss above 100 % as 100 %, so a glitchy counter cannot
 * produce a score better than a clean line.
 */
export function eModel(input: EModelInput): EModelResult {
  const rtt = Math.max(0, input.rttMs);
  const jitter = Math.max(0, input.jitterMs);
  const loss = Math.min(100, Math.max(0, input.lossPercent));
  const delayMs = rtt / 2 + E_MODEL.jitterBufferFactor * jitter + E_MODEL.codecDelayMs;
  const overKnee = delayMs - E_MODEL.delayKneeMs;
  const delayImpairment = 0.024 * delayMs + (overKnee > 0 ? 0.11 * overKnee : 0);
  const lossImpairment = E_MODEL.ie + ((95 - E_MODEL.ie) * loss) / (loss / E_MODEL.burstR + E_MODEL.bpl);
  const r = E_MODEL.baseR - delayImpairment - lossImpairment;
  return { mos: mosFromR(r), r, delayMs, delayImpairment, lossImpairment };
}

// ---- Grades -------------------------------------------------------------------------------

export type Grade = 'excellent' | 'good' | 'fair' | 'poor';
export const GRADES: readonly Grade[] = ['excellent', 'good', 'fair', 'poor'];

export type QualityMetric = 'mos' | 'rtt' | 'jitter' | 'loss';

export interface GradeThresholds {
  label: string;
  unit: string;
  /** MOS: higher is better (a grade needs at least its threshold); the others: at most. */
  higherIsBetter: boolean;
  excellent: number;
  good: number;
  fair: number;
  /** Where the numbers come from, shown next to them. */
  basis: string;
}

/**
 * The grade boundaries, as data: the page prints this table, and `gradeOf` reads it. `label` and
 * `basis` are getters, read in the page's language when shown (a constant string would be fixed in
 * whichever language was active when this module loaded).
 */
export const QUALITY_THRESHOLDS: Readonly<Record<QualityMetric, GradeThresholds>> = {
  mos: {
    get label() {
      return m.quality_metric_mos();
    },
    unit: '',
    higherIsBetter: true,
    // G.107 Annex B draws the user-satisfaction lines on R; these are the MOS values at those R.
    excellent: mosFromR(90),
    good: mosFromR(80),
    fair: mosFromR(70),
    get basis() {
      return m.quality_basis_mos();
    },
  },
  rtt: {
    get label() {
      return m.quality_metric_rtt();
    },
    unit: 'ms',
    higherIsBetter: false,
    excellent: 100,
    good: 200,
    fair: 300,
    get basis() {
      return m.quality_basis_rtt();
    },
  },
  jitter: {
    get label() {
      return m.quality_metric_jitter();
    },
    unit: 'ms',
    higherIsBetter: false,
    excellent: 10,
    good: 30,
    fair: 50,
    get basis() {
      return m.quality_basis_jitter();
    },
  },
  loss: {
    get label() {
      return m.quality_metric_loss();
    },
    unit: '%',
    higherIsBetter: false,
    excellent: 0.5,
    good: 2,
    fair: 5,
    get basis() {
      return m.quality_basis_loss();
    },
  },
};

/** The grade `value` earns for `metric` under QUALITY_THRESHOLDS (boundaries belong to the better grade). */
export function gradeOf(metric: QualityMetric, value: number): Grade {
  const t = QUALITY_THRESHOLDS[metric];
  const within = (limit: number) => (t.higherIsBetter ? value >= limit : value <= limit);
  if (within(t.excellent)) return 'excellent';
  if (within(t.good)) return 'good';
  if (within(t.fair)) return 'fair';
  return 'poor';
}

/** A grade in the reader's language ("excellent" / "优秀"); the `Grade` value itself stays the code. */
export function gradeLabel(grade: Grade): string {
  switch (grade) {
    case 'excellent':
      return m.quality_grade_excellent();
    case 'good':
      return m.quality_grade_good();
    case 'fair':
      return m.quality_grade_fair();
    case 'poor':
      return m.quality_grade_poor();
  }
}

export interface QualityScore {
  /** The stats clock time of the sample, ms. */
  timestamp: number;
  rttMs: number;
  jitterMs: number;
  lossPercent: number;
  /** Which stream the jitter and loss came from: audio is preferred, as the E-model rates voice. */
  from: 'audio' | 'video';
  emodel: EModelResult;
  grades: Record<QualityMetric, Grade>;
}

/**
 * Scores one sample: RTT from the selected candidate pair, jitter and loss from the inbound audio
 * stream (video when there is no audio, with its loss after NACK/FEC recovery where reported). Undefined while any of the three is not yet reported
 * (the pair's RTT needs a STUN round trip; loss needs two samples to be an interval figure).
 */
export function qualityOf(sample: StatsSample): QualityScore | undefined {
  const rtt = sample.candidatePair?.rtt;
  const audio = sample.inbound.audio;
  const video = sample.inbound.video;
  const stream = audio?.jitter !== undefined && audio.lossPercent !== undefined ? audio : video;
  const jitter = stream?.jitter;
  // Video's NACK/FEC repair what they can before the decoder needs it: what is still missing after
  // that is the loss a viewer suffers (packetsLost, the wire figure, counts the repaired ones too).
  const loss = stream === video ? (video?.lossAfterRecoveryPercent ?? video?.lossPercent) : stream?.lossPercent;
  if (rtt === undefined || jitter === undefined || loss === undefined) return undefined;
  const input = { rttMs: rtt * 1000, jitterMs: jitter * 1000, lossPercent: loss };
  const emodel = eModel(input);
  return {
    timestamp: sample.timestamp,
    ...input,
    from: stream === audio ? 'audio' : 'video',
    emodel,
    grades: {
      mos: gradeOf('mos', emodel.mos),
      rtt: gradeOf('rtt', input.rttMs),
      jitter: gradeOf('jitter', input.jitterMs),
      loss: gradeOf('loss', input.lossPercent),
    },
  };
}

// ---- Per direction and medium ------------------------------------------------------------

export type Direction = 'receive' | 'send';
export type Medium = 'audio' | 'video';
/** The metrics a score can be pulled down by. */
export type LimitingMetric = 'rtt' | 'jitter' | 'loss';

export interface StreamScore {
  direction: Direction;
  medium: Medium;
  rttMs: number;
  jitterMs: number;
  lossPercent: number;
  emodel: EModelResult;
  grade: Grade;
  /** The metric that costs the most R: what to fix first. */
  limitedBy: LimitingMetric;
  /** How much R each metric costs (the delay impairment split between RTT and jitter by their share of Ta). */
  cost: Record<LimitingMetric, number>;
}

/**
 * Which metric pulls a score down most. Id (delay) comes from Ta = RTT/2 + 2·jitter + 10 ms, so it is
 * shared between RTT and jitter in proportion to their part of Ta; Ie,eff is all loss. Codec
 * delay is nobody's to fix, so its share of Id is left out of both.
 */
export function scoreCosts(input: EModelInput, result: EModelResult = eModel(input)): Record<LimitingMetric, number> {
  const rttPart = Math.max(0, input.rttMs) / 2;
  const jitterPart = E_MODEL.jitterBufferFactor * Math.max(0, input.jitterMs);
  const share = (part: number) => (result.delayMs > 0 ? (result.delayImpairment * part) / result.delayMs : 0);
  return { rtt: share(rttPart), jitter: share(jitterPart), loss: result.lossImpairment };
}

/**
 * What pulls a score down most, in words with its value and the R it costs: "round-trip time
 * (240 ms), costing R 5.3". The first thing to fix, as the page's per-stream table says it.
 */
export function pulledDownBy(score: StreamScore): string {
  const cost = formatFixed(score.cost[score.limitedBy], 1);
  switch (score.limitedBy) {
    case 'rtt':
      return m.quality_pulled_down_rtt({ value: formatMs(score.rttMs, 0), cost });
    case 'jitter':
      return m.quality_pulled_down_jitter({ value: formatMs(score.jitterMs, 1), cost });
    case 'loss':
      return m.quality_pulled_down_loss({ percent: formatFixed(score.lossPercent, 2), cost });
  }
}

function streamScore(direction: Direction, medium: Medium, input: EModelInput): StreamScore {
  const emodel = eModel(input);
  const cost = scoreCosts(input, emodel);
  const limitedBy = (Object.keys(cost) as LimitingMetric[]).reduce((worst, metric) => (cost[metric] > cost[worst] ? metric : worst), 'rtt');
  return { direction, medium, ...input, emodel, grade: gradeOf('mos', emodel.mos), limitedBy, cost };
}

/**
 * One score per direction and medium. Receive: this side's inbound streams (jitter, interval loss)
 * with the selected pair's RTT. Send: what the far end reports in its RTCP receiver reports
 * (remote-inbound-rtp jitter and fractionLost, with their round trip, else the pair's). A score is
 * left out until its three inputs are reported. Video is rated with the same voice model: it feels
 * delay and loss the same way, but its codec's own artefacts are not in it.
 */
export function directionalScores(sample: StatsSample): StreamScore[] {
  const pairRtt = sample.candidatePair?.rtt;
  const scores: StreamScore[] = [];
  for (const medium of ['audio', 'video'] as const) {
    const inbound = sample.inbound[medium];
    if (pairRtt !== undefined && inbound?.jitter !== undefined && inbound.lossPercent !== undefined) {
      scores.push(streamScore('receive', medium, { rttMs: pairRtt * 1000, jitterMs: inbound.jitter * 1000, lossPercent: inbound.lossPercent }));
    }
  }
  for (const medium of ['audio', 'video'] as const) {
    const remote = sample.remoteInbound?.[medium];
    const rtt = remote?.rtt ?? pairRtt;
    if (rtt !== undefined && remote?.jitter !== undefined && remote.lossPercent !== undefined) {
      scores.push(streamScore('send', medium, { rttMs: rtt * 1000, jitterMs: remote.jitter * 1000, lossPercent: remote.lossPercent }));
    }
  }
  return scores;
}

// ---- Timeline events ----------------------------------------------------------------------

/**
 * What a timeline marks. `connection` and `ice` come from the peer connection's state events
 * (live) or its update log (a dump); the others are derived from consecutive samples.
 */
/** `control`: a change the reader made on the page (bitrate cap, resolution scale, codec preference). */
export type QualityEventKind = 'connection' | 'ice' | 'candidate-pair' | 'quality-limitation' | 'codec' | 'encoder' | 'resolution' | 'control';

export interface QualityEvent {
  /** Stats clock, ms (the same clock as StatsSample.timestamp). */
  at: number;
  kind: QualityEventKind;
  /** A few words for the chart marker, e.g. "pair relay→host", "sent 320×240". */
  label: string;
  /** A sentence for the event list. */
  detail: string;
}

function size(width: number | undefined, height: number | undefined): string | undefined {
  return width !== undefined && height !== undefined && width > 0 && height > 0 ? `${width}×${height}` : undefined;
}

function pairName(sample: StatsSample): string {
  const pair = sample.candidatePair;
  return `${pair?.localType ?? '?'}→${pair?.remoteType ?? '?'}`;
}

/**
 * The timeline events between two consecutive samples (`previous` undefined: the first sample,
 * whose initial pair, codecs and sizes are marked as where things started). A value that
 * disappears (a stream not reported this time) is not an event; only a different value is.
 */
export function sampleEvents(previous: StatsSample | undefined, current: StatsSample): QualityEvent[] {
  const events: QualityEvent[] = [];
  const at = current.timestamp;
  const changed = <T>(before: T | undefined, after: T | undefined): after is T => after !== undefined && after !== before;

  const pair = current.candidatePair;
  if (pair && changed(previous?.candidatePair?.id, pair.id)) {
    const name = pairName(current);
    const parts = {
      pair: name,
      over: pair.protocol ? m.quality_event_pair_over({ protocol: pair.protocol }) : '',
      via: pair.localType === 'relay' && pair.relayProtocol ? m.quality_event_pair_via_turn({ protocol: pair.relayProtocol }) : '',
      route: pair.local && pair.remote ? m.quality_event_pair_route({ local: pair.local, remote: pair.remote }) : m.quality_event_pair_no_route(),
    };
    const first = previous?.candidatePair === undefined;
    events.push({
      at,
      kind: 'candidate-pair',
      label: m.quality_event_pair_label({ pair: name }),
      detail: first ? m.quality_event_pair_selected(parts) : m.quality_event_pair_switched(parts),
    });
  }

  const outVideo = current.outbound.video;
  const reason = outVideo?.qualityLimitationReason;
  const previousReason = previous?.outbound.video?.qualityLimitationReason ?? 'none';
  if (reason !== undefined && reason !== previousReason) {
    events.push({
      at,
      kind: 'quality-limitation',
      label: m.quality_event_limit_label({ reason }),
      detail:
        reason === 'none'
          ? m.quality_event_limit_none({ previous: previousReason })
          : reason === 'cpu'
            ? m.quality_event_limit_cpu()
            : reason === 'bandwidth'
              ? m.quality_event_limit_bandwidth()
              : m.quality_event_limit_other({ reason }),
    });
  }

  // [which stream, the marker's first word, before, after]
  const codecs: [string, string, string | undefined, string | undefined][] = [
    [m.quality_stream_send_video(), m.quality_event_send(), previous?.outbound.video?.codec, outVideo?.codec],
    [m.quality_stream_send_audio(), m.quality_event_send(), previous?.outbound.audio?.codec, current.outbound.audio?.codec],
    [m.quality_stream_receive_video(), m.quality_event_receive(), previous?.inbound.video?.codec, current.inbound.video?.codec],
    [m.quality_stream_receive_audio(), m.quality_event_receive(), previous?.inbound.audio?.codec, current.inbound.audio?.codec],
  ];
  for (const [what, direction, before, after] of codecs) {
    if (!changed(before, after)) continue;
    events.push({
      at,
      kind: 'codec',
      label: m.quality_event_codec_label({ direction, codec: after.replace(/^(audio|video)\//, '') }),
      detail: before ? m.quality_event_codec_changed({ what, before, after }) : m.quality_event_codec_first({ what, after }),
    });
  }

  const encoders: [boolean, string | undefined, string | undefined][] = [
    [true, previous?.outbound.video?.encoderImplementation, outVideo?.encoderImplementation],
    [false, previous?.inbound.video?.decoderImplementation, current.inbound.video?.decoderImplementation],
  ];
  for (const [encoder, before, after] of encoders) {
    if (!changed(before, after)) continue;
    events.push({
      at,
      kind: 'encoder',
      label: encoder ? m.quality_event_encoder_label({ name: after }) : m.quality_event_decoder_label({ name: after }),
      detail: encoder
        ? before
          ? m.quality_event_encoder_changed({ before, after })
          : m.quality_event_encoder_first({ after })
        : before
          ? m.quality_event_decoder_changed({ before, after })
          : m.quality_event_decoder_first({ after }),
    });
  }

  const sizes: [boolean, string | undefined, string | undefined][] = [
    [true, size(previous?.outbound.video?.frameWidth, previous?.outbound.video?.frameHeight), size(outVideo?.frameWidth, outVideo?.frameHeight)],
    [
      false,
      size(previous?.inbound.video?.frameWidth, previous?.inbound.video?.frameHeight),
      size(current.inbound.video?.frameWidth, current.inbound.video?.frameHeight),
    ],
  ];
  for (const [sent, before, after] of sizes) {
    if (!changed(before, after)) continue;
    events.push({
      at,
      kind: 'resolution',
      label: sent ? m.quality_event_sent_label({ size: after }) : m.quality_event_received_label({ size: after }),
      detail: sent
        ? before
          ? m.quality_event_sent_changed({ before, after })
          : m.quality_event_sent_first({ after })
        : before
          ? m.quality_event_received_changed({ before, after })
          : m.quality_event_received_first({ after }),
    });
  }
  return events;
}

/** A peer connection state change as a timeline event. */
export function stateEvent(kind: 'connection' | 'ice', state: string, at: number): QualityEvent {
  const property = kind === 'connection' ? 'connectionState' : 'iceConnectionState';
  return {
    at,
    kind,
    label: kind === 'connection' ? m.quality_event_pc_label({ state }) : m.quality_event_ice_label({ state }),
    detail: m.quality_event_state_detail({ property, state }),
  };
}

export interface LimitationBand {
  /** Stats clock, ms: the first sample with this reason. */
  from: number;
  /** The first sample without it (or the last sample, if it lasts to the end). */
  to: number;
  reason: string;
}

/**
 * The stretches where the video encoder reported a qualityLimitationReason other than "none",
 * for shading on a chart. Samples without outbound video neither start nor end a band.
 */
export function limitationBands(samples: Iterable<StatsSample>): LimitationBand[] {
  const bands: LimitationBand[] = [];
  let open: LimitationBand | undefined;
  let lastAt: number | undefined;
  for (const sample of samples) {
    lastAt = sample.timestamp;
    const reason = sample.outbound.video?.qualityLimitationReason;
    if (reason === undefined) continue;
    if (open && open.reason !== reason) {
      open.to = sample.timestamp;
      bands.push(open);
      open = undefined;
    }
    if (!open && reason !== 'none') open = { from: sample.timestamp, to: sample.timestamp, reason };
  }
  if (open && lastAt !== undefined) {
    open.to = lastAt;
    bands.push(open);
  }
  return bands;
}
