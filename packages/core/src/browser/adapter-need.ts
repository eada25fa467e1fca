/**
 * Whether webrtc-adapter has anything to do in this browser, so the pages load it only where it
 * does: today's Chromium and Firefox implement the standard API the workbench uses, and there the
 * adapter's 48 KB (14 KB gzipped, a quarter of a step page's JS) only runs checks that return.
 *
 * The rule follows webrtc-adapter 9.0.6's own guards (src/js/adapter_factory.js and the shims it
 * calls), read shim by shim:
 * - It tells browsers apart as it does: `userAgentData` brands naming Chromium, else
 *   `navigator.mozGetUserMedia` (Firefox) or `navigator.webkitGetUserMedia` (Chrome) and the
 *   version in the user agent. Anything else (Safari, WebKit on iOS, an unknown engine, a version
 *   it cannot read) gets the adapter, as before.
 * - Its last version-gated shims stop at Chrome 149 (data channel `send()` size check) and Firefox
 *   151 (`getStats()` on a closed connection): from there, a shim that still runs is gated by a
 *   feature test, and those features are checked here too (below). Missing one: load the adapter.
 * - What it still does there, unneeded: legacy APIs the workbench never calls (callback
 *   `navigator.getUserMedia`, `addStream`/`removeStream`/`getLocalStreams`, the `webkitMediaStream`
 *   and `DataChannel` aliases).
 */

/** From these versions on, webrtc-adapter 9.0.6 has no version-gated shim left to apply. */
export const ADAPTER_IDLE_FROM = { chrome: 149, firefox: 151 } as const;

/** The few globals the decision reads: `window` in a page, plain objects in the unit tests. */
export interface AdapterScope {
  navigator: {
    userAgent: string;
    userAgentData?: { brands?: readonly { brand: string; version: string }[] } | undefined;
    mediaDevices?: { getUserMedia?: unknown } | undefined;
    mozGetUserMedia?: unknown;
    webkitGetUserMedia?: unknown;
  };
  RTCPeerConnection?: { prototype: object } | undefined;
  RTCIceCandidate?: { prototype: object } | undefined;
  RTCRtpSender?: { prototype: object } | undefined;
  RTCRtpReceiver?: { prototype: object } | undefined;
  RTCTrackEvent?: { prototype: object } | undefined;
}

export interface AdapterNeed {
  needed: boolean;
  /** Why, in a line for the console: the browser seen, and what is missing if anything. */
  reason: string;
}

type Engine = { browser: 'chrome' | 'firefox'; version: number } | null;

function engineOf(navigator: AdapterScope['navigator']): Engine {
  const chromium = navigator.userAgentData?.brands?.find((brand) => brand.brand === 'Chromium');
  const branded = chromium ? Number.parseInt(chromium.version, 10) : Number.NaN;
  // The adapter trusts the brand from Chromium 90 on; below that it reads the user agent.
  if (branded >= 90) return { browser: 'chrome', version: branded };
  const read = (pattern: RegExp): number => Number.parseInt(pattern.exec(navigator.userAgent)?.[1] ?? '', 10);
  if (navigator.mozGetUserMedia) {
    const version = read(/Firefox\/(\d+)\./);
    return Number.isFinite(version) ? { browser: 'firefox', version } : null;
  }
  if (navigator.webkitGetUserMedia) {
    const version = read(/Chrom(?:e|ium)\/(\d+)\./);
    return Number.isFinite(version) ? { browser: 'chrome', version } : null;
  }
  return null;
}

/** Features whose absence one of the adapter's feature-gated shims would make up for. */
function missingFeatures(scope: AdapterScope, browser: 'chrome' | 'firefox'): string[] {
  const missing: string[] = [];
  const has = (owner: { prototype: object } | undefined, name: string, member: string): void => {
    if (!owner || !(member in owner.prototype)) missing.push(`${name}.${member}`);
  };
  const pc = scope.RTCPeerConnection;
  if (!pc) return ['RTCPeerConnection'];
  for (const member of ['connectionState', 'ontrack', 'addTrack', 'getSenders', 'addTransceiver', 'createDataChannel', 'sctp']) has(pc, 'RTCPeerConnection', member);
  // A required first argument: the adapter wraps these to allow setLocalDescription() and
  // addIceCandidate() without one.
  const prototype = pc.prototype as Record<string, unknown>;
  for (const method of ['setLocalDescription', 'addIceCandidate']) {
    const native = prototype[method];
    if (typeof native !== 'function' || native.length !== 0) missing.push(`RTCPeerConnection.${method}()`);
  }
  has(scope.RTCIceCandidate, 'RTCIceCandidate', 'foundation');
  // Only the Chrome (and Safari) path fills in relayProtocol.
  if (browser === 'chrome') has(scope.RTCIceCandidate, 'RTCIceCandidate', 'relayProtocol');
  has(scope.RTCRtpSender, 'RTCRtpSender', 'getStats');
  has(scope.RTCRtpSender, 'RTCRtpSender', 'dtmf');
  has(scope.RTCRtpReceiver, 'RTCRtpReceiver', 'getStats');
  has(scope.RTCTrackEvent, 'RTCTrackEvent', 'transceiver');
  if (typeof scope.navigator.mediaDevices?.getUserMedia !== 'function') missing.push('navigator.mediaDevices.getUserMedia');
  return missing;
}

const NAMES = { chrome: 'Chrome', firefox: 'Firefox' } as const;

/** Whether to load webrtc-adapter before the page runs (see the module comment for the rule). */
export function adapterNeed(scope: AdapterScope): AdapterNeed {
  const engine = engineOf(scope.navigator);
  if (!engine) return { needed: true, reason: 'not Chromium or Firefox (or no version to read): webrtc-adapter loaded' };
  const name = `${NAMES[engine.browser]} ${engine.version}`;
  const idleFrom = ADAPTER_IDLE_FROM[engine.browser];
  if (engine.version < idleFrom) return { needed: true, reason: `${name}: webrtc-adapter has shims for versions before ${idleFrom}, loaded` };
  const missing = missingFeatures(scope, engine.browser);
  if (missing.length > 0) return { needed: true, reason: `${name} lacks ${missing.join(', ')}: webrtc-adapter loaded` };
  return { needed: false, reason: `${name} implements the standard API webrtc-adapter would shim: not loaded` };
}

/** What became of the adapter on this page, also in `<html data-webrtc-adapter>`. */
export type AdapterState = 'not needed' | 'loaded' | 'failed';

/**
 * Loads webrtc-adapter with `load` (the page's `() => import('webrtc-adapter')`, so the bundler
 * keeps it in a chunk of its own) where {@link adapterNeed} says so, then resolves: run the page
 * after it. Never rejects: a page without the adapter may still work, so a failed load is logged
 * and the page runs.
 */
export async function loadAdapterWhereNeeded(load: () => Promise<unknown>, scope: AdapterScope = window): Promise<AdapterState> {
  const need = adapterNeed(scope);
  console.debug(`[workbench] ${need.reason}`);
  let state: AdapterState = 'not needed';
  if (need.needed) {
    try {
      await load();
      state = 'loaded';
    } catch (error) {
      console.error('[workbench] webrtc-adapter could not be loaded; the page runs without it.', error);
      state = 'failed';
    }
  }
  if (typeof document !== 'undefined') document.documentElement.dataset.webrtcAdapter = state;
  return state;
}
