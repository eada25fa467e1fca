// Unit tests for the adaptation controls: maxBitrate and scaleResolutionDownBy written into the
// sender's first encoding (created when a browser lists none), bad values refused, and the codec
// list and preference order built from RTCRtpCapabilities-shaped data.
import { getLocale, overwriteGetLocale } from '@workbench/i18n/runtime';
import { describe, expect, it } from 'vitest';
import { codecChoices, preferredCodecOrder, setBitrateCap, setResolutionScale, type ParameterSender } from './senderControls.js';

function fakeSender(encodings: RTCRtpEncodingParameters[] = [{ active: true }]): ParameterSender & { applied: RTCRtpSendParameters[] } {
  let current = { transactionId: 't1', encodings, codecs: [], headerExtensions: [], rtcp: {} } as RTCRtpSendParameters;
  const applied: RTCRtpSendParameters[] = [];
  return {
    applied,
    getParameters: () => structuredClone(current),
    setParameters: async (parameters) => {
      applied.push(parameters);
      current = structuredClone(parameters);
    },
  };
}

describe('setBitrateCap', () => {
  it('sets maxBitrate in bits per second on the first encoding, and removes it for no cap', async () => {
    const sender = fakeSender();
    await setBitrateCap(sender, 150);
    expect(sender.getParameters().encodings).toEqual([{ active: true, maxBitrate: 150_000 }]);
    expect(sender.applied[0]?.transactionId).toBe('t1'); // the parameters read, changed, written back
    await setBitrateCap(sender, undefined);
    expect(sender.getParameters().encodings).toEqual([{ active: true }]);
  });

  it('creates the encoding when the browser lists none yet (Firefox before negotiation)', async () => {
    const sender = fakeSender([]);
    await setBitrateCap(sender, 99.6);
    expect(sender.getParameters().encodings).toEqual([{ maxBitrate: 99_600 }]);
  });

  it.each([0, -5, Number.NaN, Infinity])('refuses %s kbps with a sentence', async (kbps) => {
    const sender = fakeSender();
    await expect(setBitrateCap(sender, kbps)).rejects.toThrow(/positive number of kbps/);
    expect(sender.applied).toEqual([]);
  });
});

describe('setResolutionScale', () => {
  it('sets scaleResolutionDownBy and refuses scales below 1', async () => {
    const sender = fakeSender([{ active: true, maxBitrate: 1000 }]);
    await setResolutionScale(sender, 2);
    expect(sender.getParameters().encodings).toEqual([{ active: true, maxBitrate: 1000, scaleResolutionDownBy: 2 }]);
    await expect(setResolutionScale(sender, 0.5)).rejects.toThrow(/1 or more/);
  });
});

const CAPABILITIES = {
  codecs: [
    { mimeType: 'video/VP8', clockRate: 90000 },
    { mimeType: 'video/rtx', clockRate: 90000, sdpFmtpLine: 'apt=96' },
    { mimeType: 'video/H264', clockRate: 90000, sdpFmtpLine: 'profile-level-id=42001f' },
    { mimeType: 'video/H264', clockRate: 90000, sdpFmtpLine: 'profile-level-id=42e01f' },
    { mimeType: 'video/VP9', clockRate: 90000 },
    { mimeType: 'video/red', clockRate: 90000 },
    { mimeType: 'video/ulpfec', clockRate: 90000 },
  ],
};

describe('codec choices and preference order', () => {
  it('offers each real video codec once, in the browser’s order, without rtx/red/ulpfec', () => {
    expect(codecChoices(CAPABILITIES)).toEqual([
      { mimeType: 'video/VP8', label: 'VP8' },
      { mimeType: 'video/H264', label: 'H264' },
      { mimeType: 'video/VP9', label: 'VP9' },
    ]);
    expect(codecChoices(null)).toEqual([]);
  });

  it('puts every variant of the chosen codec first and keeps the rest, helpers included', () => {
    const order = preferredCodecOrder(CAPABILITIES.codecs, 'video/h264').map((c) => `${c.mimeType} ${c.sdpFmtpLine ?? ''}`.trim());
    expect(order).toEqual([
      'video/H264 profile-level-id=42001f',
      'video/H264 profile-level-id=42e01f',
      'video/VP8',
      'video/rtx apt=96',
      'video/VP9',
      'video/red',
      'video/ulpfec',
    ]);
  });

  it('refuses a codec the browser cannot send, naming the ones it can', () => {
    expect(() => preferredCodecOrder(CAPABILITIES.codecs, 'video/AV1')).toThrow('This browser cannot send video/AV1; choose one of VP8, H264, and VP9.');
  });

  it('says so in the page language: the log line quoting it is Chinese on a Chinese page', () => {
    const englishLocale = getLocale;
    overwriteGetLocale(() => 'zh-CN');
    try {
      expect(() => preferredCodecOrder(CAPABILITIES.codecs, 'video/AV1')).toThrow('这个浏览器发送不了 video/AV1；请从 VP8、H264和VP9 中选一个。');
    } finally {
      overwriteGetLocale(englishLocale);
    }
  });
});
