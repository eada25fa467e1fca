/**
 * The call page's small stats panel: the few numbers from a normalised getStats() sample that
 * say whether a call is healthy, as text. The full charts are the diagnostics quality page.
 */
import type { StatsSample } from '@workbench/core/stats';
import { formatFixed, formatMs, formatNumber } from '@workbench/i18n/format';
import { m } from '@workbench/i18n/messages';

export interface CallStatsView {
  /** "host ↔ host (udp)"; "relay" on either side means the call goes through TURN. */
  candidatePair: string;
  roundTripTime: string;
  bitrateOut: string;
  bitrateIn: string;
  /** "640×480 at 30 fps" as decoded from the peer. */
  receivedResolution: string;
}

const NOT_YET = '—';

/** 1 234 567 bps → "1.23 Mbit/s"; under 1 Mbit/s in kbit/s (the units read the same in Chinese technical text). */
export function formatBitrate(bitsPerSecond: number | undefined): string {
  if (bitsPerSecond === undefined) return NOT_YET;
  if (bitsPerSecond >= 1_000_000) return `${formatFixed(bitsPerSecond / 1_000_000, 2)} Mbit/s`;
  return `${formatNumber(Math.round(bitsPerSecond / 1000))} kbit/s`;
}

/** Seconds (as getStats reports RTT) → "3 ms"; sub-millisecond on loopback shows one decimal. */
export function formatRoundTripTime(seconds: number | undefined): string {
  if (seconds === undefined) return NOT_YET;
  const ms = seconds * 1000;
  return ms < 10 ? formatMs(ms, 1) : formatMs(Math.round(ms));
}

export function viewCallStats(sample: StatsSample | undefined): CallStatsView {
  const pair = sample?.candidatePair;
  const video = sample?.inbound.video;
  let candidatePair = NOT_YET;
  if (pair?.localType || pair?.remoteType) {
    const transport = pair.relayProtocol ? m.call_pair_turn_over({ protocol: pair.protocol ?? '?', relay: pair.relayProtocol }) : pair.protocol;
    candidatePair = `${pair.localType ?? '?'} ↔ ${pair.remoteType ?? '?'}${transport ? ` (${transport})` : ''}`;
  }
  let receivedResolution = NOT_YET;
  if (video?.frameWidth && video.frameHeight) {
    const size = `${video.frameWidth}×${video.frameHeight}`;
    receivedResolution = video.framesPerSecond !== undefined ? m.call_resolution_fps({ size, fps: formatNumber(Math.round(video.framesPerSecond)) }) : size;
  }
  const outBits = sumDefined(sample?.outbound.video?.bitrate, sample?.outbound.audio?.bitrate);
  const inBits = sumDefined(video?.bitrate, sample?.inbound.audio?.bitrate);
  return {
    candidatePair,
    roundTripTime: formatRoundTripTime(pair?.rtt),
    bitrateOut: formatBitrate(outBits),
    bitrateIn: formatBitrate(inBits),
    receivedResolution,
  };
}

function sumDefined(...values: (number | undefined)[]): number | undefined {
  const defined = values.filter((value): value is number => value !== undefined);
  return defined.length === 0 ? undefined : defined.reduce((a, b) => a + b, 0);
}
