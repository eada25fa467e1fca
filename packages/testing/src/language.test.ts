import { describe, expect, it } from 'vitest';
import { keptInEnglish, untranslatedWords } from './language.js';

describe('untranslatedWords: English a Chinese page should not show', () => {
  it('finds an English label or sentence', () => {
    expect(untranslatedWords('Next')).toEqual(['Next']);
    expect(untranslatedWords('Stream video from your webcam')).toEqual(['Stream', 'video', 'from', 'your', 'webcam']);
    expect(untranslatedWords("Don't forget: hang up.")).toEqual(["Don't", 'forget', 'hang', 'up']);
  });

  it('passes a Chinese text, also one that names APIs, protocols or codelab words', () => {
    expect(untranslatedWords('下一步：用 RTCPeerConnection 传视频')).toEqual([]);
    expect(untranslatedWords('先发 offer，再等 answer')).toEqual([]);
  });

  it('passes what stays in English on purpose: API and protocol names, units, products, numbers', () => {
    for (const text of ['RTCPeerConnection', 'getUserMedia', 'ICE', 'STUN/TURN', 'WebRTC Workbench', 'socket.io', '59.7 KB', '1280×720 · 30 fps', 'Google WebRTC Codelab', 'VP8', '—', '·']) {
      expect(untranslatedWords(text), text).toEqual([]);
    }
  });

  it('keptInEnglish: acronyms, inner capitals, identifiers, digits, units, proper names; not plain words', () => {
    for (const word of ['SDP', 'WebRTC', 'getStats', 'max_bitrate', 'H264', 'ms', 'Firefox']) expect(keptInEnglish(word), word).toBe(true);
    for (const word of ['Join', 'room', 'Camera', 'offer']) expect(keptInEnglish(word), word).toBe(false);
  });
});
