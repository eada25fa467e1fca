/** Stable codes for everything the harness can fail at; tests and scripts branch on these, not on messages. */
export const HarnessErrorCode = {
  /** A system program (browser, coturn, redis) is not installed or not executable. */
  MissingSystemPackage: 'MISSING_SYSTEM_PACKAGE',
  /** An explicit path in CHROME_PATH / FIREFOX_PATH points at nothing runnable. */
  BadExecutablePath: 'BAD_EXECUTABLE_PATH',
  /** A started process did not become ready in time. */
  StartTimeout: 'START_TIMEOUT',
  /** A started process exited before it became ready. */
  ProcessExited: 'PROCESS_EXITED',
  /** The apps the server should serve have not been built. */
  AppsNotBuilt: 'APPS_NOT_BUILT',
  /** No free port (range) could be found on the loopback interface. */
  NoFreePort: 'NO_FREE_PORT',
  /** A video element did not play within the time limit. */
  VideoNotPlaying: 'VIDEO_NOT_PLAYING',
  /** A STUN exchange failed or got an answer that is not a valid binding success. */
  StunFailed: 'STUN_FAILED',
} as const;
export type HarnessErrorCode = (typeof HarnessErrorCode)[keyof typeof HarnessErrorCode];

/** An error of the test harness: `code` is stable, the message says what to do about it. */
export class HarnessError extends Error {
  override readonly name = 'HarnessError';
  readonly code: HarnessErrorCode;

  constructor(code: HarnessErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
