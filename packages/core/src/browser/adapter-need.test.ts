import { describe, expect, it, vi } from 'vitest';
import { adapterNeed, loadAdapterWhereNeeded, type AdapterScope } from './adapter-need.js';

/** A class whose prototype has `members`; methods get `arity` declared parameters. */
function withMembers(members: string[], arity: Record<string, number> = {}): { prototype: object } {
  const prototype: Record<string, unknown> = {};
  for (const member of members) {
    const length = arity[member] ?? 0;
    prototype[member] = length === 0 ? function () {} : function (_first: unknown) {};
  }
  return { prototype };
}

const CHROME_156 = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
const FIREFOX_153 = 'Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0';
const SAFARI_18 = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15';

/** Today's standard API, as Chromium and Firefox ship it. */
function modern(navigator: AdapterScope['navigator'], overrides: Partial<AdapterScope> = {}): AdapterScope {
  return {
    navigator: { mediaDevices: { getUserMedia: () => undefined }, ...navigator },
    RTCPeerConnection: withMembers(['connectionState', 'ontrack', 'addTrack', 'getSenders', 'addTransceiver', 'createDataChannel', 'sctp', 'setLocalDescription', 'addIceCandidate']),
    RTCIceCandidate: withMembers(['foundation', 'relayProtocol']),
    RTCRtpSender: withMembers(['getStats', 'dtmf']),
    RTCRtpReceiver: withMembers(['getStats']),
    RTCTrackEvent: withMembers(['transceiver']),
    ...overrides,
  };
}

describe('adapterNeed: webrtc-adapter only where its shims do something', () => {
  it('is not needed in today\'s Chromium (by its brand or its user agent) and Firefox', () => {
    expect(adapterNeed(modern({ userAgent: CHROME_156, userAgentData: { brands: [{ brand: 'Chromium', version: '156' }] } }))).toEqual({
      needed: false,
      reason: 'Chrome 156 implements the standard API webrtc-adapter would shim: not loaded',
    });
    expect(adapterNeed(modern({ userAgent: CHROME_156, webkitGetUserMedia: () => undefined })).needed).toBe(false);
    expect(adapterNeed(modern({ userAgent: FIREFOX_153, mozGetUserMedia: () => undefined })).needed).toBe(false);
  });

  it('is needed below the versions where the adapter\'s version-gated shims end', () => {
    const chrome148 = CHROME_156.replace('156', '148');
    expect(adapterNeed(modern({ userAgent: chrome148, webkitGetUserMedia: () => undefined }))).toEqual({
      needed: true,
      reason: 'Chrome 148: webrtc-adapter has shims for versions before 149, loaded',
    });
    expect(adapterNeed(modern({ userAgent: chrome148, userAgentData: { brands: [{ brand: 'Chromium', version: '148' }] } })).needed).toBe(true);
    expect(adapterNeed(modern({ userAgent: FIREFOX_153.replace(/153/g, '140'), mozGetUserMedia: () => undefined })).reason).toBe(
      'Firefox 140: webrtc-adapter has shims for versions before 151, loaded',
    );
  });

  it('is needed in Safari, WebKit on iOS and any browser it cannot name', () => {
    expect(adapterNeed(modern({ userAgent: SAFARI_18 })).needed).toBe(true);
    // Chrome on iOS is WebKit: no Chromium brand, no webkitGetUserMedia.
    expect(adapterNeed(modern({ userAgent: SAFARI_18.replace('Version/18.0', 'CriOS/156.0.0.0') })).needed).toBe(true);
    expect(adapterNeed(modern({ userAgent: 'Chrome/abc', webkitGetUserMedia: () => undefined })).needed).toBe(true);
  });

  it('is needed when a recent browser still lacks a feature one of the shims would add', () => {
    const chrome = { userAgent: CHROME_156, webkitGetUserMedia: () => undefined };
    expect(adapterNeed(modern(chrome, { RTCIceCandidate: withMembers(['foundation']) }))).toEqual({
      needed: true,
      reason: 'Chrome 156 lacks RTCIceCandidate.relayProtocol: webrtc-adapter loaded',
    });
    // Firefox's path in the adapter never fills in relayProtocol: its absence there changes nothing.
    expect(adapterNeed(modern({ userAgent: FIREFOX_153, mozGetUserMedia: () => undefined }, { RTCIceCandidate: withMembers(['foundation']) })).needed).toBe(false);
    const strict = withMembers(['connectionState', 'ontrack', 'addTrack', 'getSenders', 'addTransceiver', 'createDataChannel', 'sctp', 'setLocalDescription', 'addIceCandidate'], { setLocalDescription: 1 });
    expect(adapterNeed(modern(chrome, { RTCPeerConnection: strict })).reason).toBe('Chrome 156 lacks RTCPeerConnection.setLocalDescription(): webrtc-adapter loaded');
    expect(adapterNeed(modern(chrome, { RTCPeerConnection: undefined })).reason).toBe('Chrome 156 lacks RTCPeerConnection: webrtc-adapter loaded');
    expect(adapterNeed(modern({ ...chrome, mediaDevices: undefined })).reason).toBe('Chrome 156 lacks navigator.mediaDevices.getUserMedia: webrtc-adapter loaded');
  });
});

describe('loadAdapterWhereNeeded', () => {
  const chrome = (version: number) => modern({ userAgent: CHROME_156.replace('156', String(version)), webkitGetUserMedia: () => undefined });

  it('loads the adapter only where it is needed, and says which', async () => {
    vi.spyOn(console, 'debug').mockImplementation(() => undefined);
    const load = vi.fn(() => Promise.resolve());
    await expect(loadAdapterWhereNeeded(load, chrome(156))).resolves.toBe('not needed');
    expect(load).not.toHaveBeenCalled();
    await expect(loadAdapterWhereNeeded(load, chrome(120))).resolves.toBe('loaded');
    expect(load).toHaveBeenCalledTimes(1);
    vi.restoreAllMocks();
  });

  it('resolves "failed" when the adapter cannot load, so the page still runs', async () => {
    vi.spyOn(console, 'debug').mockImplementation(() => undefined);
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await expect(loadAdapterWhereNeeded(() => Promise.reject(new Error('chunk 404')), chrome(120))).resolves.toBe('failed');
    expect(String(logged.mock.calls[0]?.[0])).toContain('webrtc-adapter could not be loaded');
    vi.restoreAllMocks();
  });
});
