import { chromium, firefox, type Browser } from 'playwright-core';

import { findChromium, findFirefox } from './executables.js';
import { installFirefoxBidiCompat } from './firefox-bidi-compat.js';

export interface LaunchChromiumOptions {
  /** Fake camera and microphone with the permission prompt auto-accepted. Default true. */
  fakeMedia?: boolean;
  /** A .y4m or .mjpeg file the fake camera plays instead of Chromium's test pattern. */
  fakeVideoFile?: string;
  /** A .wav file the fake microphone plays instead of Chromium's beep. */
  fakeAudioFile?: string;
  /** Default true. `HEADED=1` in the environment turns it off, to watch a test. */
  headless?: boolean;
  extraArgs?: string[];
}

/**
 * The flags the harness launches Chromium with. Exported so a person can reproduce a test run by hand
 * (`chromium $(node -e …)`), and so the flag list lives in one place.
 */
export function chromiumArgs(options: Pick<LaunchChromiumOptions, 'fakeMedia' | 'fakeVideoFile' | 'fakeAudioFile' | 'extraArgs'> = {}): string[] {
  const { fakeMedia = true } = options;
  const args = [
    // Containers and CI run as root without user namespaces; the sandbox cannot start there.
    '--no-sandbox',
    '--disable-gpu',
    // QUIC would add UDP sockets of its own to ICE-related debugging; tests want only WebRTC's.
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    // Remote <video> elements start without a click, as they do after a user gesture in real use.
    '--autoplay-policy=no-user-gesture-required',
  ];
  if (fakeMedia) args.push('--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream');
  if (options.fakeVideoFile !== undefined) args.push(`--use-file-for-fake-video-capture=${options.fakeVideoFile}`);
  if (options.fakeAudioFile !== undefined) args.push(`--use-file-for-fake-audio-capture=${options.fakeAudioFile}`);
  args.push(...(options.extraArgs ?? []));
  return args;
}

function defaultHeadless(): boolean {
  return process.env['HEADED'] !== '1';
}

/** Launches the system Chromium (see findChromium) through playwright-core, with fake media by default. */
export async function launchChromium(options: LaunchChromiumOptions = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: findChromium(),
    headless: options.headless ?? defaultHeadless(),
    args: chromiumArgs(options),
  });
}

export interface LaunchFirefoxOptions {
  /** Fake camera and microphone, no permission prompt. Default true. */
  fakeMedia?: boolean;
  /** Extra about:config preferences; they win over the harness's. */
  prefs?: Record<string, string | number | boolean>;
  headless?: boolean;
}

/** The about:config preferences the harness launches Firefox with. */
export function firefoxPrefs(options: Pick<LaunchFirefoxOptions, 'fakeMedia' | 'prefs'> = {}): Record<string, string | number | boolean> {
  const { fakeMedia = true } = options;
  return {
    ...(fakeMedia ? { 'media.navigator.streams.fake': true, 'media.navigator.permission.disabled': true } : {}),
    // 0 = allow audible autoplay, so remote media plays without a click, as with Chromium's flag.
    'media.autoplay.default': 0,
    // The harness runs STUN/TURN servers on 127.0.0.1; without this Firefox neither gathers loopback
    // candidates nor reaches a TURN server there (Chromium does both by default).
    'media.peerconnection.ice.loopback': true,
    ...options.prefs,
  };
}

/**
 * Launches the system Firefox (ESR) through playwright-core's WebDriver BiDi support, which needs no
 * patched Firefox build: the `moz-firefox` channel selects BiDi, `executablePath` the system binary.
 */
export async function launchFirefox(options: LaunchFirefoxOptions = {}): Promise<Browser> {
  installFirefoxBidiCompat();
  return firefox.launch({
    channel: 'moz-firefox',
    executablePath: findFirefox(),
    headless: options.headless ?? defaultHeadless(),
    firefoxUserPrefs: firefoxPrefs(options),
  });
}
