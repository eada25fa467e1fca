// Issue 16: quality's words in Chinese. In Node paraglide answers in English (the CLI and the server
// stay English), so each test switches the locale to zh-CN and puts the original back afterwards:
// a grade, a threshold's label and basis, what pulls a score down, a timeline event and a refused
// webrtc-internals dump must all read in Chinese, with API names, codes and numbers left as they are.
import { getLocale, overwriteGetLocale } from '@workbench/i18n/runtime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { directionalScores, gradeLabel, pulledDownBy, QUALITY_THRESHOLDS, sampleEvents, stateEvent } from './quality.js';
import { DumpImportError, importWebrtcInternalsDump } from './webrtc-internals.js';
import type { StatsSample } from '../../connection/stats.js';

const CJK = /[\u4e00-\u9fff]/;
const original = getLocale;

describe('quality in Chinese (zh-CN)', () => {
  beforeEach(() => overwriteGetLocale(() => 'zh-CN'));
  afterEach(() => overwriteGetLocale(original));

  it('grades and the threshold table read in Chinese', () => {
    expect(['excellent', 'good', 'fair', 'poor'].map((grade) => gradeLabel(grade as 'excellent'))).toEqual(['优秀', '良好', '一般', '差']);
    expect(QUALITY_THRESHOLDS.rtt.label).toBe('往返时延');
    expect(QUALITY_THRESHOLDS.loss.label).toBe('丢包率');
    for (const metric of ['mos', 'rtt', 'jitter', 'loss'] as const) expect(QUALITY_THRESHOLDS[metric].basis).toMatch(CJK);
    // The MOS basis keeps the standard's name and its numbers.
    expect(QUALITY_THRESHOLDS.mos.basis).toContain('G.107');
    expect(QUALITY_THRESHOLDS.mos.basis).toContain('R ≥ 90');
  });

  it('says in Chinese what pulls a stream score down, with the value and the R it costs', () => {
    // RTT 400 ms, jitter 1 ms, no loss: Ta = 200 + 2 + 10 = 212 ms, so delay is nearly all RTT's.
    const sample: StatsSample = {
      timestamp: 1,
      candidatePair: { id: 'CP', rtt: 0.4 },
      inbound: { audio: { id: 'IA', timestamp: 1, jitter: 0.001, lossPercent: 0 } },
      outbound: {},
    } as StatsSample;
    const [score] = directionalScores(sample);
    expect(score?.limitedBy).toBe('rtt');
    const text = pulledDownBy(score!);
    expect(text).toMatch(/^往返时延（400\s*毫秒），使 R 降低 \d+\.\d$/);
  });

  it('timeline events in Chinese keep the API names and values', () => {
    const events = sampleEvents(undefined, {
      timestamp: 1000,
      candidatePair: { id: 'CP', localType: 'host', remoteType: 'host', protocol: 'udp' },
      inbound: {},
      outbound: { video: { id: 'OV', timestamp: 1000, bytesSent: 0, codec: 'video/VP8', frameWidth: 640, frameHeight: 480 } },
    } as StatsSample);
    const details = events.map((event) => event.detail);
    expect(details).toContain('选定候选对 host→host，走 udp：（浏览器未报告地址）。');
    expect(details).toContain('发送视频的编解码器：video/VP8。');
    expect(details).toContain('发送分辨率：640×480。');
    expect(stateEvent('connection', 'connected', 1).detail).toBe('connectionState 变为 connected。');
  });

  it('a refused dump explains itself in Chinese, its code unchanged', () => {
    let caught: unknown;
    try {
      importWebrtcInternalsDump('not json at all');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DumpImportError);
    const explanation = (caught as DumpImportError).explanation;
    expect(explanation.code).toBe('INVALID_ARGUMENT');
    expect(explanation.title).toBe('这不是 webrtc-internals 转储文件');
    expect(explanation.detail).toBe('这个文件不是 JSON，所以不是 webrtc-internals 转储文件。');
    expect(explanation.fix).toContain('chrome://webrtc-internals');
    expect(explanation.fix).toMatch(CJK);
  });
});

describe('back in English after the Chinese tests (Node, the CLI and the server)', () => {
  it('the locale was restored', () => {
    expect(gradeLabel('excellent')).toBe('excellent');
    expect(QUALITY_THRESHOLDS.rtt.label).toBe('Round-trip time');
  });
});
