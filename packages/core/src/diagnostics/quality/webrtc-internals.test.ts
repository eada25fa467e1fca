// Unit tests for webrtc-internals: an excerpt of a real Chromium 156 dump, dumps built in the same
// format (one series per field, "-timestamp" series, fields that appear late, H.264 ids with dashes),
// dumps from before the timestamp series, gzip files, and every refused format with its reason.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../errors.js';
import { DumpImportError, DumpImportReason, decodeDumpBytes, importWebrtcInternalsDump } from './webrtc-internals.js';

/**
 * Series copied unchanged from a dump Chromium 156 wrote ("Download the webrtc-internals dump")
 * for a loopback call with its fake camera: the sending connection's video stream, its codec,
 * the transport, the selected pair and its candidates, a remote-inbound field that started one
 * poll late, and the state changes from the update log.
 */
const CHROMIUM_156_EXCERPT = {
  PeerConnections: {
    '8-1': {
      pid: 31333,
      rtcConfiguration: '{"alwaysNegotiateDataChannels":false}',
      url: 'http://127.0.0.1:45725/',
      stats: {
        'OT01V3964949532-bytesSent': { startTime: '2026-11-24T14:08:28.679Z', endTime: '2026-11-24T14:08:32.699Z', statsType: 'outbound-rtp', values: '[28698,57767,120509,183824,238365]' },
        'OT01V3964949532-codecId': { startTime: '2026-11-24T14:08:28.679Z', endTime: '2026-11-24T14:08:32.699Z', statsType: 'outbound-rtp', values: '["COT01_96","COT01_96","COT01_96","COT01_96","COT01_96"]' },
        'OT01V3964949532-frameWidth': { startTime: '2026-11-24T14:08:28.679Z', endTime: '2026-11-24T14:08:32.699Z', statsType: 'outbound-rtp', values: '[640,640,640,640,640]' },
        'OT01V3964949532-frameHeight': { startTime: '2026-11-24T14:08:28.679Z', endTime: '2026-11-24T14:08:32.699Z', statsType: 'outbound-rtp', values: '[480,480,480,480,480]' },
        'OT01V3964949532-kind': { startTime: '2026-11-24T14:08:28.679Z', endTime: '2026-11-24T14:08:32.699Z', statsType: 'outbound-rtp', values: '["video","video","video","video","video"]' },
        'OT01V3964949532-qualityLimitationReason': { startTime: '2026-11-24T14:08:28.679Z', endTime: '2026-11-24T14:08:32.699Z', statsType: 'outbound-rtp', values: '["none","none","none","none","none"]' },
        'OT01V3964949532-encoderImplementation': { startTime: '2026-11-24T14:08:28.679Z', endTime: '2026-11-24T14:08:32.699Z', statsType: 'outbound-rtp', values: '["libvpx","libvpx","libvpx","libvpx","libvpx"]' },
        'OT01V3964949532-timestamp': { startTime: '2026-11-24T14:08:28.679Z', endTime: '2026-11-24T14:08:32.699Z', statsType: 'outbound-rtp', values: '[1795529308679.307,1795529309681.194,1795529310681.48,1795529311698.455,1795529312699.722]' },
        'OT01V3964949532-[bytesSent_in_bits/s]': { startTime: '2026-11-24T14:08:29.681Z', endTime: '2026-11-24T14:08:32.699Z', statsType: 'outbound-rtp', values: '[232114,501793,498065,435776]' },
        'COT01_96-mimeType': { startTime: '2026-11-24T14:08:28.679Z', endTime: '2026-11-24T14:08:32.699Z', statsType: 'codec', values: '["video/VP8","video/VP8","video/VP8","video/VP8","video/VP8"]' },
        'COT01_96-timestamp': { startTime: '2026-11-24T14:08:28.679Z', endTime: '2026-11-24T14:08:32.699Z', statsType: 'codec', values: '[1795529308679.307,1795529309681.194,1795529310681.48,1795529311698.455,1795529312699.722]' },
        'T01-selectedCandidatePairId': { startTime: '2026-11-24T14:08:28.679Z', endTime: '2026-11-24T14:08:32.699Z', statsType: 'transport', values: '["CPgleJfcFJ_ZeQoS1H4","CPgleJfcFJ_ZeQoS1H4","CPgleJfcFJ_ZeQoS1H4","CPgleJfcFJ_ZeQoS1H4","CPgleJfcFJ_ZeQoS1H4"]' },
        'T01-timestamp': { startTime: '2026-11-24T14:08:28.679Z', endTime: '2026-11-24T14:08:32.699Z', statsType: 'transport', values: '[1795529308679.307,1795529309681.194,1795529310681.48,1795529311698.455,1795529312699.722]' },
        'CPgleJfcFJ_ZeQoS1H4-currentRoundTripTime': { startTime: '2026-11-24T14:08:28.679Z', endTime: '2026-11-24T14:08:32.699Z', statsType: 'candidate-pair', values: '[0.001,0.002,0.001,0.001,0.022]' },
        'CPgleJfcFJ_ZeQoS1H4-availableOutgoingBitrate': { startTime: '2026-11-24T14:08:28.679Z', endTime: '2026-11-24T14:08:32.699Z', statsType: 'candidate-pair', values: '[686880,686880,3351272,3475692,3475692]' },
        'CPgleJfcFJ_ZeQoS1H4-localCandidateId': { startTime: '2026-11-24T14:08:28.679Z', endTime: '2026-11-24T14:08:32.699Z', statsType: 'candidate-pair', values: '["IgleJfcFJ","IgleJfcFJ","IgleJfcFJ","IgleJfcFJ","IgleJfcFJ"]' },
        'CPgleJfcFJ_ZeQoS1H4-remoteCandidateId': { startTime: '2026-11-24T14:08:28.679Z', endTime: '2026-11-24T14:08:32.699Z', statsType: 'candidate-pair', values: '["IZeQoS1H4","IZeQoS1H4","IZeQoS1H4","IZeQoS1H4","IZeQoS1H4"]' },
        'CPgleJfcFJ_ZeQoS1H4-timestamp': { startTime: '2026-11-24T14:08:28.679Z', endTime: '2026-11-24T14:08:32.699Z', statsType: 'candidate-pair', values: '[1795529308679.307,1795529309681.194,1795529310681.48,1795529311698.455,1795529312699.722]' },
        'IgleJfcFJ-candidateType': { startTime: '2026-11-24T14:08:28.679Z', endTime: '2026-11-24T14:08:32.699Z', statsType: 'local-candidate', values: '["host","host","host","host","host"]' },
        'IgleJfcFJ-timestamp': { startTime: '2026-11-24T14:08:28.679Z', endTime: '2026-11-24T14:08:32.699Z', statsType: 'local-candidate', values: '[1795529308679.307,1795529309681.194,1795529310681.48,1795529311698.455,1795529312699.722]' },
        'IZeQoS1H4-candidateType': { startTime: '2026-11-24T14:08:28.679Z', endTime: '2026-11-24T14:08:32.699Z', statsType: 'remote-candidate', values: '["host","host","host","host","host"]' },
        'IZeQoS1H4-timestamp': { startTime: '2026-11-24T14:08:28.679Z', endTime: '2026-11-24T14:08:32.699Z', statsType: 'remote-candidate', values: '[1795529308679.307,1795529309681.194,1795529310681.48,1795529311698.455,1795529312699.722]' },
        'RIV3964949532-roundTripTime': { startTime: '2026-11-24T14:08:28.974Z', endTime: '2026-11-24T14:08:32.521Z', statsType: 'remote-inbound-rtp', values: '[0.037155,0.035385,0.008544999999999999,0.021117999999999998]' },
        'RIV3964949532-timestamp': { startTime: '2026-11-24T14:08:28.164Z', endTime: '2026-11-24T14:08:32.521Z', statsType: 'remote-inbound-rtp', values: '[1795529308164.421,1795529308974.385,1795529309972.123,1795529311676.208,1795529312521.165]' },
      },
      updateLog: [
        { type: 'oniceconnectionstatechange', value: '"checking"', timestamp: 1795529307676.54 },
        { type: 'onconnectionstatechange', value: '"connecting"', timestamp: 1795529307676.547 },
        { type: 'oniceconnectionstatechange', value: '"connected"', timestamp: 1795529307676.57 },
        { type: 'onconnectionstatechange', value: '"connected"', timestamp: 1795529307676.584 },
      ],
    },
  },
  UserAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36',
};

/** A poll as getStats reported it: stat id → record (type and fields; the poll's time is added). */
type Poll = { at: number; stats: Record<string, Record<string, unknown> & { type: string }> };

/**
 * Writes polls the way webrtc-internals stores them: per stat field one series keyed
 * "<statId>-<field>" with ISO start/end times of its first and last point and the values as a JSON
 * string, a "-timestamp" series per stat, and its own derived "[…]" series beside them.
 */
function dumpOf(polls: Poll[], options: { timestampSeries?: boolean; updateLog?: unknown[] } = {}) {
  const series: Record<string, { startTime: string; endTime: string; statsType: string; values: unknown[] }> = {};
  for (const poll of polls) {
    for (const [id, { type, ...fields }] of Object.entries(poll.stats)) {
      const all: Record<string, unknown> = { type, ...fields };
      if (options.timestampSeries !== false) all.timestamp = poll.at;
      if (type === 'outbound-rtp') all['[bytesSent_in_bits/s]'] = 12345;
      // A derived series with dashes in its name, and a goog* field current standard stats still have.
      if (type === 'inbound-rtp') Object.assign(all, { '[framesReceived-framesDecoded-framesDropped]': 1, googTimingFrameInfo: '1,2,3' });
      for (const [field, value] of Object.entries(all)) {
        const key = `${id}-${field}`;
        const time = new Date(poll.at).toISOString();
        const entry = (series[key] ??= { startTime: time, endTime: time, statsType: type, values: [] });
        entry.endTime = time;
        entry.values.push(value);
      }
    }
  }
  const stats = Object.fromEntries(Object.entries(series).map(([key, s]) => [key, { ...s, values: JSON.stringify(s.values) }]));
  return {
    getUserMedia: [],
    PeerConnections: { '12-1': { pid: 12, rtcConfiguration: '{"iceServers":[]}', constraints: '', url: 'https://example.test/', stats, updateLog: options.updateLog ?? [] } },
    UserAgent: 'Test',
  };
}

const T0 = 1_800_000_000_000;
const H264 = 'COT01_102_level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f';

function callPolls(): Poll[] {
  return [0, 1, 2, 3].map((i) => ({
    at: T0 + i * 1000,
    stats: {
      OT01V1: {
        type: 'outbound-rtp',
        kind: 'video',
        bytesSent: 100_000 * i,
        framesEncoded: 30 * i,
        frameWidth: i < 2 ? 320 : 640,
        frameHeight: i < 2 ? 240 : 480,
        qualityLimitationReason: i === 1 || i === 2 ? 'bandwidth' : 'none',
        encoderImplementation: 'OpenH264',
        codecId: H264,
      },
      [H264]: { type: 'codec', mimeType: 'video/H264', payloadType: 102 },
      IT01A2: { type: 'inbound-rtp', kind: 'audio', bytesReceived: 4000 * i, packetsReceived: 50 * i, packetsLost: i, jitter: 0.004 },
      T01: { type: 'transport', selectedCandidatePairId: 'CPa_b' },
      CPa_b: { type: 'candidate-pair', localCandidateId: 'Ia', remoteCandidateId: 'Ib', currentRoundTripTime: 0.05, availableOutgoingBitrate: 1_500_000 },
      Ia: { type: 'local-candidate', candidateType: 'relay', address: '10.0.0.1', port: 50000, protocol: 'udp', relayProtocol: 'tcp' },
      Ib: { type: 'remote-candidate', candidateType: 'host', address: '10.0.0.2', port: 60000 },
    },
  }));
}

describe('importWebrtcInternalsDump: a real Chromium 156 dump excerpt', () => {
  const imported = importWebrtcInternalsDump(JSON.stringify(CHROMIUM_156_EXCERPT));
  const pc = imported.peerConnections[0];

  it('reads one sample per poll, at the poll times of the "-timestamp" series', () => {
    expect(imported.userAgent).toContain('HeadlessChrome/156');
    expect(imported.warnings).toEqual([]);
    expect(imported.peerConnections.map((p) => p.id)).toEqual(['8-1']);
    expect(pc?.url).toBe('http://127.0.0.1:45725/');
    expect(pc?.samples.map((s) => s.timestamp)).toEqual([1795529308679.307, 1795529309681.194, 1795529310681.48, 1795529311698.455, 1795529312699.722]);
  });

  it('computes the same rates a live poll would, and resolves the codec, pair and candidates', () => {
    const second = pc?.samples[1];
    // bytesSent 28698 → 57767 over 1795529309681.194 − 1795529308679.307 ms
    expect(second?.outbound.video?.bitrate).toBeCloseTo(((57767 - 28698) * 8) / ((1795529309681.194 - 1795529308679.307) / 1000), 6);
    expect(second?.outbound.video).toMatchObject({ frameWidth: 640, frameHeight: 480, codec: 'video/VP8', encoderImplementation: 'libvpx', qualityLimitationReason: 'none' });
    expect(second?.candidatePair).toMatchObject({ id: 'CPgleJfcFJ_ZeQoS1H4', localType: 'host', remoteType: 'host', rtt: 0.002, availableOutgoingBitrate: 686880 });
    expect(pc?.samples[0]?.outbound.video?.bitrate).toBeUndefined();
  });

  it('turns the update log into state events and the samples into change events, in time order', () => {
    const labels = pc?.events.map((e) => e.label);
    expect(labels?.slice(0, 4)).toEqual(['ice checking', 'pc connecting', 'ice connected', 'pc connected']);
    expect(labels).toContain('pair host→host');
    expect(labels).toContain('sent 640×480');
    expect(labels).toContain('send VP8');
    const times = pc?.events.map((e) => e.at) ?? [];
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});

describe('importWebrtcInternalsDump: dumps in the current format', () => {
  it('rebuilds every poll: rates, loss, H.264 codec ids with dashes, relay pairs, derived series ignored', () => {
    const { peerConnections, warnings } = importWebrtcInternalsDump(dumpOf(callPolls()));
    expect(warnings).toEqual([]);
    const samples = peerConnections[0]?.samples ?? [];
    expect(samples.map((s) => s.timestamp - T0)).toEqual([0, 1000, 2000, 3000]);
    expect(samples).toHaveLength(4);
    expect(samples.map((s) => s.outbound.video?.bitrate)).toEqual([undefined, 800_000, 800_000, 800_000]);
    expect(samples[1]?.outbound.video).toMatchObject({ codec: 'video/H264', framesPerSecond: 30, encoderImplementation: 'OpenH264' });
    expect(samples[2]?.inbound.audio).toMatchObject({ bitrate: 32_000, lossPercent: (1 / 51) * 100, jitter: 0.004 });
    expect(samples[3]?.candidatePair).toMatchObject({ localType: 'relay', relayProtocol: 'tcp', local: '10.0.0.1:50000', remote: '10.0.0.2:60000' });
    expect(JSON.stringify(samples)).not.toContain('12345'); // the "[bytesSent_in_bits/s]" series
  });

  it('marks limitation changes and resolution changes where they happened', () => {
    const events = importWebrtcInternalsDump(dumpOf(callPolls())).peerConnections[0]?.events ?? [];
    const changes = events.filter((e) => e.kind === 'quality-limitation' || e.kind === 'resolution').map((e) => [e.at - T0, e.label]);
    expect(changes).toEqual([
      [0, 'sent 320×240'],
      [1000, 'limit: bandwidth'],
      [2000, 'sent 640×480'],
      [3000, 'limit: none'],
    ]);
  });

  it('places a field that appeared late at the end of its stat history', () => {
    const polls = callPolls();
    for (const poll of polls.slice(2)) Object.assign(poll.stats.OT01V1 ?? {}, { targetBitrate: 1, frameWidth: 1280, frameHeight: 720 });
    // frameWidth/Height missing from the first two polls, as a stat field that starts being reported later.
    for (const poll of polls.slice(0, 2)) {
      delete poll.stats.OT01V1?.frameWidth;
      delete poll.stats.OT01V1?.frameHeight;
    }
    const samples = importWebrtcInternalsDump(dumpOf(polls)).peerConnections[0]?.samples ?? [];
    expect(samples.map((s) => s.outbound.video?.frameWidth)).toEqual([undefined, undefined, 1280, 1280]);
  });

  it('spreads points over start–end time in dumps from before the "-timestamp" series', () => {
    const samples = importWebrtcInternalsDump(dumpOf(callPolls(), { timestampSeries: false })).peerConnections[0]?.samples ?? [];
    expect(samples.map((s) => s.timestamp - T0)).toEqual([0, 1000, 2000, 3000]);
    expect(samples[1]?.outbound.video?.bitrate).toBe(800_000);
  });

  it('reads update logs that use "time" strings and bare values (older Chromium)', () => {
    const dump = dumpOf(callPolls(), {
      updateLog: [
        { time: new Date(T0 - 500).toISOString(), type: 'oniceconnectionstatechange', value: 'checking' },
        { timestamp: T0 - 400, type: 'onconnectionstatechange', value: '"connected"' },
        { timestamp: T0 - 300, type: 'onsignalingstatechange', value: '"stable"' },
      ],
    });
    const events = importWebrtcInternalsDump(dump).peerConnections[0]?.events ?? [];
    expect(events.slice(0, 2)).toEqual([
      { at: T0 - 500, kind: 'ice', label: 'ice checking', detail: 'iceConnectionState → checking.' },
      { at: T0 - 400, kind: 'connection', label: 'pc connected', detail: 'connectionState → connected.' },
    ]);
  });

  it('warns about a peer connection without stats', () => {
    const dump = { PeerConnections: { '1-1': { stats: {}, updateLog: [] } } };
    expect(importWebrtcInternalsDump(dump).warnings).toEqual([expect.stringContaining('1-1 has no stats')]);
  });
});

describe('importWebrtcInternalsDump: formats it refuses', () => {
  function refusal(input: unknown): DumpImportError {
    try {
      importWebrtcInternalsDump(input);
    } catch (error) {
      if (error instanceof DumpImportError) return error;
      throw error;
    }
    throw new Error('expected the import to be refused');
  }

  const LEGACY = {
    PeerConnections: {
      '7-1': {
        stats: {
          'ssrc_1234_send-googFrameWidthSent': { startTime: 'x', endTime: 'y', statsType: 'ssrc', values: '[640]' },
          'bweforvideo-googAvailableSendBandwidth': { startTime: 'x', endTime: 'y', statsType: 'VideoBwe', values: '["300000"]' },
          'Conn-audio-1-0-googRtt': { startTime: 'x', endTime: 'y', statsType: 'googCandidatePair', values: '["12"]' },
        },
      },
    },
  };

  it('refuses a legacy getStats() dump as not supported, saying which file to save', () => {
    const error = refusal(LEGACY);
    expect(error.reason).toBe(DumpImportReason.LegacyStats);
    expect(error.code).toBe(ErrorCode.Unsupported);
    expect(error.message).toMatch(/legacy getStats\(\).*not support/);
    expect(error.message).toContain('Download the webrtc-internals dump');
    expect(error.explanation.title).toBe('Dump format not supported');
  });

  it('imports the standard part of a dump that also holds legacy series, with a warning', () => {
    const dump = dumpOf(callPolls());
    Object.assign(dump.PeerConnections['12-1'].stats, LEGACY.PeerConnections['7-1'].stats);
    const imported = importWebrtcInternalsDump(dump);
    expect(imported.peerConnections[0]?.samples).toHaveLength(4);
    expect(imported.warnings).toEqual(['3 legacy getStats() series (goog*, ssrc_*) were ignored; the standard stats were imported.']);
  });

  it('refuses a top-level array, the rtcstats dump, non-JSON and JSON without PeerConnections', () => {
    expect(refusal('[{"pc":1}]')).toMatchObject({ reason: DumpImportReason.TopLevelArray, code: ErrorCode.Unsupported });
    expect(refusal('RTCStatsDump\n{"fileFormat":3}\n["create",null,{}]')).toMatchObject({ reason: DumpImportReason.RtcStatsDump, code: ErrorCode.Unsupported });
    expect(refusal('<html>')).toMatchObject({ reason: DumpImportReason.NotJson, code: ErrorCode.InvalidArgument });
    expect(refusal('{"getUserMedia":[]}')).toMatchObject({ reason: DumpImportReason.NotADump, code: ErrorCode.InvalidArgument });
    expect(refusal(null).reason).toBe(DumpImportReason.NotADump);
  });
});

describe('decodeDumpBytes', () => {
  const text = JSON.stringify(dumpOf(callPolls()));

  it('gunzips a compressed dump (the download\'s default) and passes plain text through', async () => {
    expect(await decodeDumpBytes(new Uint8Array(gzipSync(text)))).toBe(text);
    expect(await decodeDumpBytes(new TextEncoder().encode(text))).toBe(text);
  });

  it('refuses a truncated gzip file', async () => {
    const cut = new Uint8Array(gzipSync(text)).slice(0, 40);
    await expect(decodeDumpBytes(cut)).rejects.toMatchObject({ reason: DumpImportReason.NotJson });
  });
});
