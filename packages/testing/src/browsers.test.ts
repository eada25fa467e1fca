import { describe, expect, it } from 'vitest';

import { chromiumArgs, firefoxPrefs } from './browsers.js';

describe('chromiumArgs', () => {
  it('runs without sandbox, GPU, QUIC or background traffic, and lets media autoplay', () => {
    const args = chromiumArgs();
    for (const flag of ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required']) {
      expect(args).toContain(flag);
    }
  });

  it('fakes camera, microphone and the permission prompt by default, and not when fakeMedia is false', () => {
    expect(chromiumArgs()).toEqual(expect.arrayContaining(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream']));
    const real = chromiumArgs({ fakeMedia: false });
    expect(real.filter((a) => a.startsWith('--use-fake'))).toEqual([]);
  });

  it('plays a given file as the fake camera / microphone and appends extra args last', () => {
    const args = chromiumArgs({ fakeVideoFile: '/tmp/clip.y4m', fakeAudioFile: '/tmp/tone.wav', extraArgs: ['--lang=de'] });
    expect(args).toContain('--use-file-for-fake-video-capture=/tmp/clip.y4m');
    expect(args).toContain('--use-file-for-fake-audio-capture=/tmp/tone.wav');
    expect(args.at(-1)).toBe('--lang=de');
  });
});

describe('firefoxPrefs', () => {
  it('fakes media without a prompt, allows autoplay and lets ICE use loopback (where the harness runs coturn)', () => {
    expect(firefoxPrefs()).toEqual({
      'media.navigator.streams.fake': true,
      'media.navigator.permission.disabled': true,
      'media.autoplay.default': 0,
      'media.peerconnection.ice.loopback': true,
    });
  });

  it('lets callers add and override preferences, and drops fake media on request', () => {
    expect(firefoxPrefs({ fakeMedia: false, prefs: { 'media.autoplay.default': 1, 'media.peerconnection.ice.loopback': false } })).toEqual({
      'media.autoplay.default': 1,
      'media.peerconnection.ice.loopback': false,
    });
  });
});
