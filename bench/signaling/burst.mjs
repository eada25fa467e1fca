/**
 * The burst workload and its measurement, shared by bench/signaling/run.mjs and bench/cluster/run.mjs:
 * per room, one client sends an offer, CANDIDATES candidates and BURST_MESSAGES texts of
 * MESSAGE_BYTES; the other answers the offer with the same. Every payload carries its send time
 * (performance.now() of this process), so the receiver, in the same process, times the relay.
 */
import { performance } from 'node:perf_hooks';

export const MESSAGE_BYTES = 1024;
export const CANDIDATES = 20;
export const BURST_MESSAGES = 50;
/** Per room and round: offer + answer + 2 x 20 candidates + 2 x 50 messages. */
export const PER_ROOM = 2 + 2 * CANDIDATES + 2 * BURST_MESSAGES;

// ---- payloads ---------------------------------------------------------------------------------

const SDP_BODY = [
  's=-', 't=0 0', 'a=group:BUNDLE 0 1', 'a=extmap-allow-mixed', 'a=msid-semantic: WMS',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126', 'c=IN IP4 0.0.0.0', 'a=rtcp:9 IN IP4 0.0.0.0',
  'a=ice-ufrag:abcd', 'a=ice-pwd:abcdefghijklmnopqrstuvwx', 'a=ice-options:trickle',
  'a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF',
  'a=setup:actpass', 'a=mid:0', 'a=sendrecv', 'a=rtcp-mux', 'a=rtpmap:111 opus/48000/2', 'a=fmtp:111 minptime=10;useinbandfec=1',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 100 101 45 46', 'c=IN IP4 0.0.0.0', 'a=mid:1', 'a=sendrecv', 'a=rtcp-mux', 'a=rtcp-rsize',
  ...Array.from({ length: 40 }, (_, i) => `a=rtpmap:${96 + i} VP8/90000`),
].join('\r\n');
const TEXT_PAD = 'x'.repeat(MESSAGE_BYTES - 60);

const stamp = (t) => t.toFixed(3);
const description = (type, t) => ({ type, sdp: `v=0\r\no=- ${stamp(t)} 2 IN IP4 127.0.0.1\r\n${SDP_BODY}\r\n` });
const candidate = (t, i) => ({
  type: 'candidate',
  candidate: `candidate:${i} 1 udp 2122260223 192.0.2.${i % 250} ${50000 + i} typ host generation 0`,
  sdpMid: '0',
  sdpMLineIndex: 0,
  usernameFragment: stamp(t),
});
export const text = (t, i) => ({ type: 'text', text: `${stamp(t)} ${i} ${TEXT_PAD}` });

/** When a message was sent, from the stamp it carries. */
export function sentAt(message) {
  if (message.type === 'text') return Number.parseFloat(message.text);
  if (message.type === 'candidate') return Number.parseFloat(message.usernameFragment);
  return Number.parseFloat(/o=- ([\d.]+)/.exec(message.sdp)?.[1] ?? 'NaN');
}

// ---- measurement -----------------------------------------------------------------------------

export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const round3 = (n) => Math.round(n * 1000) / 1000;

export async function inBatches(count, size, make) {
  const out = [];
  for (let i = 0; i < count; i += size) out.push(...(await Promise.all(Array.from({ length: Math.min(size, count - i) }, (_, k) => make(i + k)))));
  return out;
}

export function burstRound(pairs) {
  const expected = pairs.length * PER_ROOM;
  const latencies = new Float64Array(expected);
  let received = 0;
  let lastAt = 0;
  return new Promise((resolve) => {
    const startedAt = performance.now();
    const finish = () => {
      clearTimeout(timer);
      const seconds = (lastAt - startedAt) / 1000;
      const sorted = latencies.subarray(0, received).sort();
      resolve({
        delivered: received,
        expected,
        seconds: round3(seconds),
        messagesPerSecond: Math.round(received / seconds),
        latencyMs: { p50: round3(percentile(sorted, 50)), p95: round3(percentile(sorted, 95)), p99: round3(percentile(sorted, 99)) },
      });
    };
    const timer = setTimeout(finish, 60_000);
    const record = (message) => {
      lastAt = performance.now();
      latencies[received] = lastAt - sentAt(message);
      received += 1;
      if (received === expected) finish();
    };
    const sendSide = (client, opening) => {
      client.send(description(opening, performance.now()));
      for (let i = 0; i < CANDIDATES; i += 1) client.send(candidate(performance.now(), i));
      for (let i = 0; i < BURST_MESSAGES; i += 1) client.send(text(performance.now(), i));
    };
    for (const { a, b } of pairs) {
      a.onMessage(record);
      b.onMessage((message) => {
        record(message);
        if (message.type === 'offer') sendSide(b, 'answer');
      });
    }
    for (const { a } of pairs) sendSide(a, 'offer');
  });
}
